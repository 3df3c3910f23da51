"""Meeting records on disk: one JSON file per meeting, replaced whole on every change.

A change reads the file, appends and writes a new file beside it that ``os.replace``
swaps in, all under one file lock for the folder: two people asking at once (two
browsers, or the app and the command line) never lose an entry, and a failed write
leaves the previous record as it was.
"""

from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from facilitator.corpus.documents import locked, replace_atomically
from facilitator.errors import FacilitatorError, InputError
from facilitator.meetings.model import (
    Meeting,
    MeetingEntry,
    check_name,
    check_title,
    clean_question,
    new_meeting_id,
    now_tokyo,
)
from facilitator.settings import Settings

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 10.0
"""Seconds a change waits for another one; writes take milliseconds."""
_ID_RE = re.compile(r"mt-[0-9a-f]{6,32}")


class MeetingNotFoundError(InputError):
    """The meeting id names no record (a typo, or another data folder)."""

    def __init__(self, meeting_id: str) -> None:
        super().__init__(
            f"会議「{meeting_id}」の記録はありません（`facilitator meeting list` で確認できます）。"
        )


class MeetingStore:
    """All meeting records of a data folder."""

    def __init__(self, settings: Settings) -> None:
        self.folder: Path = settings.data_dir / "meetings"

    def _path(self, meeting_id: str) -> Path:
        if not _ID_RE.fullmatch(meeting_id or ""):  # also keeps ../ out of the path
            raise MeetingNotFoundError(meeting_id)
        return self.folder / f"{meeting_id}.json"

    def _locked(self) -> AbstractContextManager[None]:
        busy = "議事メモの記録が他の処理で使用中です。少し待ってからもう一度試してください。"
        return locked(self.folder / ".lock", busy, LOCK_TIMEOUT)

    def _write(self, meeting: Meeting) -> None:
        data = meeting.model_dump_json(indent=2).encode("utf-8")
        try:
            replace_atomically(self._path(meeting.meeting_id), lambda fh: fh.write(data))
        except OSError as exc:
            raise FacilitatorError(
                f"議事メモを保存できませんでした（それまでの記録はそのままです）: {exc}"
            ) from exc

    def _read(self, path: Path) -> Meeting:
        try:
            return Meeting.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            raise FacilitatorError(f"議事メモ {path.name} を読み込めません: {exc}") from exc

    def create(
        self, title: str, held_on: date, area: str | None = None, by: str | None = None
    ) -> Meeting:
        meeting = Meeting(
            meeting_id=new_meeting_id(),
            title=check_title(title),
            area=check_name(area, "地域"),
            held_on=held_on,
            created_at=now_tokyo(),
            created_by=check_name(by, "作成者"),
        )
        with self._locked():
            while self._path(meeting.meeting_id).exists():  # a clash of 40 random bits
                meeting.meeting_id = new_meeting_id()
            self._write(meeting)
        return meeting

    def get(self, meeting_id: str) -> Meeting:
        path = self._path(meeting_id)
        if not path.exists():
            raise MeetingNotFoundError(meeting_id)
        return self._read(path)

    def list(self) -> list[Meeting]:
        """Every meeting, the latest held first; an unreadable file is skipped (and logged)."""
        out = []
        for path in self.folder.glob("mt-*.json"):
            try:
                out.append(self._read(path))
            except FacilitatorError as exc:
                log.warning("%s", exc)
        return sorted(out, key=lambda m: (m.held_on, m.created_at), reverse=True)

    def add(
        self,
        meeting_id: str,
        question: str,
        answer: BaseModel | dict[str, Any],
        context: dict[str, Any] | None = None,
        asked_by: str | None = None,
    ) -> MeetingEntry:
        """Append one question and its answer (``Answer`` or its JSON) to the record."""
        data = answer.model_dump(mode="json") if isinstance(answer, BaseModel) else dict(answer)
        question = clean_question(question)
        if not question:
            raise InputError("質問が空のため、議事メモに記録できません。")
        with self._locked():
            meeting = self.get(meeting_id)
            entry = MeetingEntry(
                entry_no=max((e.entry_no for e in meeting.entries), default=0) + 1,
                asked_at=now_tokyo(),
                asked_by=check_name(asked_by, "質問者"),
                question=question,
                context={k: v for k, v in (context or {}).items() if v not in (None, "")},
                answer=data,
            )
            meeting.entries.append(entry)
            self._write(meeting)
        return entry
