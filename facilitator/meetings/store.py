"""Meeting records on the shared database: a row per meeting, a row per question asked.

Adding a question locks the meeting's row (PostgreSQL ``FOR UPDATE``; SQLite takes the
write lock up front), numbers the entry after the last one and inserts it, all in one
transaction: two people asking at once — two browsers, the app and the command line, or
two app instances sharing a PostgreSQL — never lose an entry, and a failed write leaves
the record as it was.

A data folder from before the database has ``meetings/`` (one JSON file per meeting): its
records are copied in once (:mod:`facilitator.storage.legacy`) and the folder is kept as
``meetings.imported``.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

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
from facilitator.storage.db import Database
from facilitator.storage.legacy import import_once
from facilitator.storage.tables import meeting_entries as e
from facilitator.storage.tables import meetings as m

log = logging.getLogger(__name__)

LEGACY_FOLDER = "meetings"
"""Where the records were kept before the database (``mt-….json`` per meeting)."""
SAVE_FAILED = "議事メモを保存できませんでした（それまでの記録はそのままです）。"
_ID_RE = re.compile(r"mt-[0-9a-f]{6,32}")


class MeetingNotFoundError(InputError):
    """The meeting id names no record (a typo, or another database)."""

    def __init__(self, meeting_id: str) -> None:
        super().__init__(
            f"会議「{meeting_id}」の記録はありません（`facilitator meeting list` で確認できます）。"
        )


class MeetingStore:
    """All meeting records of the shared database."""

    def __init__(self, settings: Settings) -> None:
        self.db = Database(settings)
        import_once(self.db, settings.data_dir / LEGACY_FOLDER, _copy_files, "mt-*.json")

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
        for _ in range(3):  # a clash of 40 random bits: draw another id
            try:
                with self.db.failing_as(SAVE_FAILED), self.db.writing() as conn:
                    conn.execute(insert(m).values(_meeting_row(meeting)))
                return meeting
            except FacilitatorError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise
                meeting.meeting_id = new_meeting_id()
        raise FacilitatorError(SAVE_FAILED)

    def get(self, meeting_id: str) -> Meeting:
        if not _ID_RE.fullmatch(meeting_id or ""):
            raise MeetingNotFoundError(meeting_id)
        with self.db.reading() as conn:
            row = conn.execute(select(m).where(m.c.meeting_id == meeting_id)).first()
            if row is None:
                raise MeetingNotFoundError(meeting_id)
            entries = conn.execute(
                select(e).where(e.c.meeting_id == meeting_id).order_by(e.c.entry_no)
            ).all()
        try:
            return _meeting(row, entries)
        except ValidationError as exc:
            raise FacilitatorError(f"議事メモ {meeting_id} を読み込めません: {exc}") from exc

    def list(self) -> list[Meeting]:
        """Every meeting, the latest held first; an unreadable record is skipped (and logged)."""
        with self.db.reading() as conn:
            rows = conn.execute(select(m)).all()
            entries: dict[str, list[Row[Any]]] = {}
            for entry in conn.execute(select(e).order_by(e.c.meeting_id, e.c.entry_no)):
                entries.setdefault(entry.meeting_id, []).append(entry)
        out = []
        for row in rows:
            try:
                out.append(_meeting(row, entries.get(row.meeting_id, [])))
            except ValidationError as exc:
                log.warning("議事メモ %s を読み込めません: %s", row.meeting_id, exc)
        return sorted(out, key=lambda x: (x.held_on, x.created_at), reverse=True)

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
        if not _ID_RE.fullmatch(meeting_id or ""):
            raise MeetingNotFoundError(meeting_id)
        asked_by = check_name(asked_by, "質問者")
        with self.db.failing_as(SAVE_FAILED), self.db.writing() as conn:
            # the row lock makes a second add to this meeting wait, then number after this one
            locked = select(m.c.meeting_id).where(m.c.meeting_id == meeting_id).with_for_update()
            if conn.execute(locked).first() is None:
                raise MeetingNotFoundError(meeting_id)
            last = conn.execute(
                select(func.max(e.c.entry_no)).where(e.c.meeting_id == meeting_id)
            ).scalar()
            entry = MeetingEntry(
                entry_no=(last or 0) + 1,
                asked_at=now_tokyo(),
                asked_by=asked_by,
                question=question,
                context={k: v for k, v in (context or {}).items() if v not in (None, "")},
                answer=data,
            )
            conn.execute(insert(e).values(_entry_row(meeting_id, entry)))
        return entry


def _meeting_row(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting_id": meeting.meeting_id,
        "title": meeting.title,
        "area": meeting.area,
        "held_on": meeting.held_on,
        "created_at": meeting.created_at.isoformat(),
        "created_by": meeting.created_by,
    }


def _entry_row(meeting_id: str, entry: MeetingEntry) -> dict[str, Any]:
    data = entry.model_dump(mode="json")  # the answer exactly as JSON will hold it
    return {**data, "meeting_id": meeting_id}


def _meeting(row: Row[Any], entries: list[Row[Any]]) -> Meeting:
    return Meeting.model_validate({**row._asdict(), "entries": [x._asdict() for x in entries]})


def _copy_files(conn: Connection, contents: dict[str, bytes]) -> int:
    """The old folder's records; an unreadable file or a meeting already in the database is
    left out (and logged): it stays in ``meetings.imported``."""
    count = 0
    for name, data in sorted(contents.items()):
        try:
            meeting = Meeting.model_validate_json(data)
        except ValidationError as exc:
            log.warning("議事メモ %s を読み込めないため取り込みませんでした: %s", name, exc)
            continue
        taken = select(m.c.meeting_id).where(m.c.meeting_id == meeting.meeting_id)
        if not _ID_RE.fullmatch(meeting.meeting_id) or conn.execute(taken).first():
            log.warning("議事メモ %s は同じ ID の記録があるため取り込みませんでした", name)
            continue
        conn.execute(insert(m).values(_meeting_row(meeting)))
        if meeting.entries:
            conn.execute(insert(e), [_entry_row(meeting.meeting_id, x) for x in meeting.entries])
        count += 1
    return count
