"""How a person's edits apply to a sheet: one set of rules for the app's editor and the
Excel import, so the same change gives the same sheet and the same warnings in both.

- An edited statement keeps its citations and figures; when a statement that cites a
  source has its text changed, a warning asks the person to check that the source
  still backs it (the citation is kept, not silently dropped).
- A new statement starts unbacked; a statement whose text is emptied is removed.
- 優先度, 採否 and 状態 accept only their listed values (with the usual spellings).
"""

from __future__ import annotations

import re

from facilitator.sheets.model import (
    PRIORITIES,
    Cause,
    Measure,
    Priority,
    SheetStatus,
    Statement,
    VerificationIndicator,
)

ACCEPT_WORDS: dict[str, bool] = {
    "採用": True,
    "不採用": False,
    "○": True,
    "〇": True,
    "×": False,
    "✕": False,
}
"""What a person may write in a 採否 cell."""
CITED_TEXT_CHANGED = "本文を変更しました。引用がこの本文を裏付けているか確認してください。"


class EditError(ValueError):
    """A value a field cannot take; the message says which values it can (Japanese)."""


def new_item(field: str) -> Statement | VerificationIndicator:
    """An empty statement (or indicator) for a row a person added to ``field``."""
    makers = {
        "current_state": lambda: Statement(text=""),
        "goal": lambda: Statement(text=""),
        "issue": lambda: Statement(text=""),
        "causes": lambda: Cause(text=""),
        "measures": lambda: Measure(text="", source="user"),
        "effects": lambda: Statement(text=""),
        "indicators": lambda: VerificationIndicator(name=""),
    }
    if field not in makers:
        raise KeyError(field)
    return makers[field]()


def edit_text(item: Statement, text: str) -> str | None:
    """Set a statement's text; returns a warning when cited text was changed."""
    text = text.strip()
    changed = text != item.text
    item.text = text
    if changed and text and item.citations:
        return CITED_TEXT_CHANGED
    return None


def parse_priority(value: str) -> Priority:
    """「高」「中」「低」; anything else is an :class:`EditError`."""
    value = value.strip()
    if value not in PRIORITIES:
        raise EditError(f"優先度「{value}」は 高・中・低 のいずれかにしてください。")
    return value  # type: ignore[return-value]


def parse_accepted(value: str) -> bool:
    """採用 / 不採用 (or ○ / ×)."""
    value = value.strip()
    if value not in ACCEPT_WORDS:
        raise EditError(f"採否「{value}」は「採用」か「不採用」にしてください。")
    return ACCEPT_WORDS[value]


def parse_status(value: str) -> SheetStatus:
    """One of the workflow states (下書き・事務局確認・協議会提出・公表)."""
    value = value.strip()
    if value not in list(SheetStatus):
        raise EditError(f"状態「{value}」は選べません（{'・'.join(SheetStatus)}）。")
    return SheetStatus(value)


def split_participants(text: str) -> list[str]:
    """Participants typed as 「県・保健所、市町村」, with commas, or one per line."""
    return [p.strip() for p in re.split(r"[、,，\n]", text) if p.strip()]
