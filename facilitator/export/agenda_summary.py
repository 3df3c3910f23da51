"""1シート1ページの要約: a sheet's six steps in short form for the council packet.

The council reads the running order and, behind it, one page per sheet: the first
statement(s) of each step shortened with 「…」, the backing as a short human locator
(「ガイドライン 第4章第4節（2）」「事例12 ○○病院」), never a chunk id. The full sheet
stays the attachment (資料N); the page says where to read on.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from facilitator.export.common import REVIEW_MARK, STEPS, UNBACKED_MARK, sheet_heading
from facilitator.reports.models import SYNTHETIC_TAG
from facilitator.sheets.model import Citation, IssueSheet, Statement
from facilitator.text import circled
from facilitator.themes import THEME_SHORT

LINE_CHARS = 80
"""One summary line: a sentence or two of the sheet, two printed lines at most."""
MAX_LINES = 3
"""Lines per step; the rest is counted (「ほか2件（資料1）」)."""
SOURCE_CHARS = 24


class SummaryStep(BaseModel):
    step: str
    name: str
    lines: list[str]


class SheetSummary(BaseModel):
    """One sheet on one page."""

    material: str = Field(description="資料番号「資料1」")
    title: str = Field(description="課題シート（北部医療圏・在宅医療・版3）")
    heading: str
    participants: str
    steps: list[SummaryStep]
    review: bool = False


def shorten(text: str, limit: int) -> str:
    """The text's first sentence (without the synthetic-data tag), cut to ``limit`` with 「…」."""
    text = " ".join(text.replace(SYNTHETIC_TAG, "").split())
    if len(text) <= limit:
        return text
    head, dot, _ = text.partition("。")
    if dot and len(head) + 2 <= limit:
        return f"{head}。…"
    return text[: limit - 1] + "…"


def material_title(sheet: IssueSheet) -> str:
    """「課題シート（北部医療圏・在宅医療・版3）」: area, theme and version, no internal id."""
    theme = THEME_SHORT.get(sheet.theme, sheet.theme_label)
    return f"課題シート（{sheet.area.name}・{theme}・版{sheet.version}）"


def short_source(c: Citation) -> str:
    """「事例12 ○○病院」 or 「ガイドライン 第4章第4節（2）」: enough to find it in the sheet."""
    if c.case_id or c.case_name:
        text = " ".join(p for p in (c.case_id, c.case_name) if p)
    else:
        title = c.doc_title or ""
        doc = "ガイドライン" if "ガイドライン" in title else title
        where = (c.locator or "").split()[0] if (c.locator or "").split() else ""
        text = " ".join(p for p in (doc, where) if p)
    return shorten(text, SOURCE_CHARS) if text else ""


def _line(s: Statement, prefix: str = "") -> str:
    if not s.text.strip():
        return ""
    marks = (UNBACKED_MARK if s.unbacked else "") + (REVIEW_MARK if s.review else "")
    sources = list(dict.fromkeys(short_source(c) for c in s.citations if c.backs))
    source = f"〔{sources[0]}〕" if sources and sources[0] else ""
    return prefix + shorten(s.text, LINE_CHARS - len(prefix)) + marks + source


def _lines(lines: list[str], material: str) -> list[str]:
    lines = [line for line in lines if line]
    if not lines:
        return ["（シートに記載なし）"]
    more = len(lines) - MAX_LINES
    return lines[:MAX_LINES] + ([f"ほか{more}件（{material}）"] if more > 0 else [])


def sheet_summary(sheet: IssueSheet, material: str, *, review: bool = False) -> SheetSummary:
    """The sheet's six steps, each in its first few statements, shortened."""
    causes = [
        _line(c, f"原因{circled(i)}" + (f"［{c.viewpoint}］" if c.viewpoint else ""))
        for i, c in enumerate(sheet.causes, 1)
    ]
    measures = []
    for i, m in enumerate((m for m in sheet.measures if m.accepted), 1):
        actors = "、".join(dict.fromkeys(r.actor for r in m.roles))
        line = _line(m, f"方策{circled(i)}［優先度 {m.priority}］")
        measures.append(line + (f" 担い手: {actors}" if actors and line else ""))
    effects = [_line(s) for s in sheet.effects[:1]]
    effects += [
        shorten(
            f"検証指標: {ind.name}" + (f"（目標: {ind.target}）" if ind.target else ""),
            LINE_CHARS,
        )
        for ind in sheet.indicators
    ]
    per_step = [
        [_line(s) for s in sheet.current_state],
        [_line(sheet.goal)],
        [_line(sheet.issue)],
        causes,
        measures,
        effects,
    ]
    return SheetSummary(
        material=material,
        title=material_title(sheet),
        heading=sheet_heading(sheet),
        participants="、".join(sheet.participants),
        steps=[
            SummaryStep(step=mark, name=name, lines=_lines(lines, material))
            for (mark, name, _), lines in zip(STEPS, per_step, strict=True)
        ],
        review=review,
    )
