"""A meeting and the questions asked in it, as stored (answers as plain JSON).

Answers are kept as ``Answer.model_dump(mode="json")`` so a record written by an older
version still loads when the answer model gains or loses fields.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from facilitator.errors import InputError
from facilitator.reports.ingest.chars import clean_text, has_controls

if TYPE_CHECKING:
    from facilitator.drafting.answer import Answer

log = logging.getLogger(__name__)

TOKYO = ZoneInfo("Asia/Tokyo")
"""Meetings are held in Japan: times are recorded and printed in JST."""
MAX_TITLE_CHARS = 100
MAX_NAME_CHARS = 100
ID_PREFIX = "mt-"


def new_meeting_id() -> str:
    return ID_PREFIX + secrets.token_hex(5)


def now_tokyo() -> datetime:
    return datetime.now(TOKYO).replace(microsecond=0)


def today_tokyo() -> date:
    """Today in Japan: a meeting at 08:00 JST is held today, whatever the server's zone."""
    return now_tokyo().date()


def check_title(title: str) -> str:
    """A meeting title as stored; a Japanese InputError says what is wrong with it."""
    if has_controls(title or ""):
        raise InputError("会議名に改行や制御文字は使えません。1行で入力してください。")
    title = (title or "").strip()
    if not title:
        raise InputError("会議名を入力してください（例: 令和8年度 第1回 北部圏域 協議の場）。")
    if len(title) > MAX_TITLE_CHARS:
        raise InputError(
            f"会議名は{MAX_TITLE_CHARS}文字以内にしてください（{len(title)}文字あります）。"
        )
    return title


def check_name(value: str | None, what: str) -> str | None:
    """An optional one-line name (地域・記録者); empty means not given."""
    if value is None:
        return None
    if has_controls(value):
        raise InputError(f"{what}に改行や制御文字は使えません。")
    value = value.strip()
    if len(value) > MAX_NAME_CHARS:
        raise InputError(f"{what}は{MAX_NAME_CHARS}文字以内にしてください。")
    return value or None


class MeetingEntry(BaseModel):
    """One question of the meeting: when, by whom, under which conditions, and its answer."""

    model_config = ConfigDict(extra="ignore")

    entry_no: int = Field(ge=1)
    asked_at: AwareDatetime
    asked_by: str | None = None
    question: str
    context: dict[str, Any] = Field(
        default_factory=dict, description="地域・テーマ・注目タグ・分類・都道府県（表示名）"
    )
    answer: dict[str, Any] = Field(description="Answer.model_dump(mode='json')")

    def answer_model(self) -> Answer | None:
        """The stored answer as an Answer, or None when it no longer fits the model."""
        from facilitator.drafting.answer import Answer

        try:
            return Answer.model_validate(self.answer)
        except ValidationError as exc:
            log.warning("議事メモの回答 %s を読み込めません: %s", self.entry_no, exc)
            return None


class Meeting(BaseModel):
    """A council meeting's record; entries are numbered 1..n in the order asked."""

    model_config = ConfigDict(extra="ignore")

    meeting_id: str
    title: str
    area: str | None = None
    held_on: date
    created_at: AwareDatetime
    created_by: str | None = None
    entries: list[MeetingEntry] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """「2026年7月15日 第1回 協議の場（3件）」: how a person picks the meeting."""
        return f"{japanese_date(self.held_on)} {self.title}（{len(self.entries)}件）"


def japanese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def clean_question(question: str) -> str:
    """A question as stored: newlines kept, other control characters removed (Word cannot
    hold them)."""
    return clean_text(question or "").strip()
