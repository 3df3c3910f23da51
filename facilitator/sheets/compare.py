"""What changed between two versions of a sheet, field by field, in words a reader knows.

The history view shows each changed field side by side with the changed characters marked;
a line diff of the whole sheet (``--- 版1 +++ 版2 @@ …``) is for developers, not councils.
"""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel

from facilitator.sheets.model import (
    FIELD_LABELS,
    Cause,
    IssueSheet,
    Measure,
    Statement,
    field_label,
)


class FieldChange(BaseModel):
    """One field whose text differs; ``before``/``after`` are empty when it was added/removed."""

    label: str
    before: str
    after: str


class Span(BaseModel):
    """A run of characters of one side: kept, or only on that side (deleted/inserted)."""

    text: str
    kind: Literal["same", "changed"]


def _citations(s: Statement) -> str:
    return "\n".join(
        f"{'参考' if c.reference else '引用'}: {c.locator}「{c.quote}」"
        + ("" if c.accepted else "（不採用）")
        for c in s.citations
    )


def sheet_fields(sheet: IssueSheet) -> dict[str, str]:
    """Every field of the sheet as label → text, in sheet order; one entry per statement,
    with its options, private memo and citations as entries of their own."""
    out: dict[str, str] = {
        "題名": sheet.title,
        "状態": str(sheet.status),
        FIELD_LABELS["participants"]: "、".join(sheet.participants),
    }
    for path, s in sheet.statements():
        label = field_label(path)
        text, roles = s.text, ""
        if isinstance(s, Cause) and s.viewpoint:
            text = f"〈{s.viewpoint}〉{text}"
        if isinstance(s, Measure):
            text += f"（{'採用' if s.accepted else '不採用'}・優先度{s.priority}）"
            roles = "\n".join(f"{r.actor}: {r.action}" for r in s.roles)
        out[label] = text
        if roles:
            out[f"{label}の役割分担"] = roles
        if s.note:
            out[f"{label}のメモ（非公開）"] = s.note
        if s.citations:
            out[f"{label}の引用"] = _citations(s)
    for i, v in enumerate(sheet.indicators):
        baseline = "—" if v.baseline is None else f"{v.baseline:g}{v.unit}"
        out[field_label(f"indicators[{i}]")] = (
            f"{v.name}（基準値 {baseline}・目標 {v.target or '—'}）"
        )
    out["事務局メモ（非公開）"] = sheet.internal_notes
    return {k: v for k, v in out.items() if v.strip()}


def field_changes(old: IssueSheet, new: IssueSheet) -> list[FieldChange]:
    """The fields whose text differs, in the newer version's order (removed ones last)."""
    a, b = sheet_fields(old), sheet_fields(new)
    labels = [*b, *(k for k in a if k not in b)]
    return [
        FieldChange(label=k, before=a.get(k, ""), after=b.get(k, ""))
        for k in labels
        if a.get(k, "") != b.get(k, "")
    ]


SHORT_MATCH = 1
"""Kept runs this short between two changes read as noise (診[療]所 → 医[療]機関), so they are
shown as part of the change, as diff-match-patch's semantic clean-up does."""


def char_diff(before: str, after: str) -> tuple[list[Span], list[Span]]:
    """Both sides as spans, the characters only on one side marked ``changed``."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    segments: list[tuple[bool, str, str]] = []  # (same, left text, right text)
    ops = matcher.get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        inner = 0 < n < len(ops) - 1
        same = op == "equal" and not (inner and i2 - i1 <= SHORT_MATCH)
        left, right = before[i1:i2], after[j1:j2]
        if segments and not same and not segments[-1][0]:
            _, pl, pr = segments.pop()
            left, right = pl + left, pr + right
        segments.append((same, left, right))
    spans: tuple[list[Span], list[Span]] = ([], [])
    for same, left, right in segments:
        kind: Literal["same", "changed"] = "same" if same else "changed"
        for side, text in zip(spans, (left, right), strict=True):
            if text:
                side.append(Span(text=text, kind=kind))
    return spans
