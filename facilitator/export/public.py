"""Public summary in the shape of the guideline's 協議の結果の公表シート.

What the council agreed, for residents and stakeholders: area, theme, and the results
(課題, 目指す姿, 方策 with roles, 効果の検証). Only what can be published goes in: no
事務局メモ or statement notes, no unbacked statements, no dropped measures, no dropped
or unverified citations, and only sheets the council has received (協議会提出 / 公表).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from pydantic import BaseModel, Field

from facilitator.export.common import (
    PUBLISHABLE,
    REVIEW_COPY,
    SYNTHETIC_NOTICE,
    NotPublishableError,
    figure_text,
    is_synthetic,
    sheet_heading,
    sheet_reference,
)
from facilitator.export.documents import md_table
from facilitator.export.docx_util import (
    add_heading,
    add_notes,
    add_paragraph,
    add_statement,
    add_table,
    new_document,
)
from facilitator.export.safe import export_line, write_cell
from facilitator.export.xlsx_style import (
    BORDER,
    FILL_LABEL,
    WRAP,
    cell_font,
    page_setup,
    row_height,
    write_header,
)
from facilitator.sheets.model import IssueSheet, Role, Statement, area_label, field_label
from facilitator.text import circled, one_line
from facilitator.themes import THEME_SHORT

PUBLIC_TITLE = "協議の結果の公表シート"


class PublicStatement(BaseModel):
    """A published statement: text, note numbers of its verified citations, figures."""

    text: str
    notes: list[int] = Field(default_factory=list)
    figures: list[str] = Field(default_factory=list, description="figure with provenance")


class PublicMeasure(PublicStatement):
    number: int
    priority: str
    roles: list[Role] = Field(default_factory=list)


class PublicIndicator(BaseModel):
    name: str
    baseline: str = ""
    target: str = ""


class PublicSource(BaseModel):
    number: int
    doc_title: str
    case: str = ""
    locator: str = ""
    quote: str


class PublicSummary(BaseModel):
    """協議の結果の公表シート for one issue sheet."""

    sheet_id: str
    version: int
    title: str
    area_name: str
    pref_name: str = ""
    theme: str
    theme_label: str
    status: str
    synthetic: bool = False
    review_copy: bool = Field(
        default=False, description="made (forced) from a sheet the council has not received"
    )
    current_state: list[PublicStatement] = Field(default_factory=list)
    issue: PublicStatement | None = None
    goal: PublicStatement | None = None
    measures: list[PublicMeasure] = Field(default_factory=list)
    effects: list[PublicStatement] = Field(default_factory=list)
    indicators: list[PublicIndicator] = Field(default_factory=list)
    sources: list[PublicSource] = Field(default_factory=list)
    omitted: list[str] = Field(
        default_factory=list,
        exclude=True,
        description="statements left out, in the editor's words (told to the coordinator, never printed)",
    )


def public_summary(sheet: IssueSheet, force: bool = False) -> PublicSummary:
    """Build the public summary; raises NotPublishableError unless 協議会提出/公表 (or force)."""
    if sheet.status not in PUBLISHABLE and not force:
        raise NotPublishableError(
            f"シート「{sheet_reference(sheet)}」の状態は「{sheet.status}」です。公表用の要約は状態が"
            f"「{PUBLISHABLE[0]}」か「{PUBLISHABLE[1]}」のシートだけ作成できます"
            "（確認のために出力する場合は --force を付けてください）。"
        )
    sources: list[PublicSource] = []
    omitted: list[str] = []

    def publish(path: str, s: Statement) -> PublicStatement | None:
        if not s.text.strip():
            return None
        if s.unbacked:
            omitted.append(f"{field_label(path)}（根拠なし）")
            return None
        if s.review:
            omitted.append(f"{field_label(path)}（要確認: 報告データと食い違う）")
            return None
        notes = []
        for c in s.citations:
            if c.backs:
                sources.append(
                    PublicSource(
                        number=len(sources) + 1,
                        doc_title=c.doc_title,
                        locator=c.locator,
                        case=" ".join(p for p in (c.case_id, c.case_name) if p),
                        quote=c.quote,
                    )
                )
                notes.append(len(sources))
        return PublicStatement(
            text=s.text, notes=notes, figures=[figure_text(f) for f in s.figures]
        )

    current = [
        p for i, s in enumerate(sheet.current_state) if (p := publish(f"current_state[{i}]", s))
    ]
    issue = publish("issue", sheet.issue)  # numbered in the order the sheet prints them
    goal = publish("goal", sheet.goal)
    measures = []
    for i, m in enumerate(sheet.measures):
        if not m.accepted:
            omitted.append(f"{field_label(f'measures[{i}]')}（不採用）")
            continue
        p = publish(f"measures[{i}]", m)
        if p:
            measures.append(
                PublicMeasure(
                    **p.model_dump(), number=len(measures) + 1, priority=m.priority, roles=m.roles
                )
            )
    effects = [p for i, s in enumerate(sheet.effects) if (p := publish(f"effects[{i}]", s))]
    return PublicSummary(
        sheet_id=sheet.sheet_id,
        version=sheet.version,
        title=sheet_heading(sheet),
        area_name=sheet.area.name,
        pref_name=sheet.area.pref_name,
        theme=sheet.theme,
        theme_label=sheet.theme_label,
        status=str(sheet.status),
        synthetic=is_synthetic(sheet),
        review_copy=sheet.status not in PUBLISHABLE,
        current_state=current,
        issue=issue,
        goal=goal,
        measures=measures,
        effects=effects,
        indicators=[
            PublicIndicator(name=ind.name, target=ind.target, baseline=ind.baseline_text)
            for ind in sheet.indicators
            if ind.name
        ],
        sources=sources,
        omitted=omitted,
    )


def _marks(p: PublicStatement) -> str:
    return "".join(f"[{n}]" for n in p.notes)


def _sections(s: PublicSummary) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(label, text)]) in the order of the 公表シート; shared by all writers."""

    def line(p: PublicStatement | None) -> str:
        if p is None:
            return "（記載なし）"
        figures = "".join(f"\n（{f}）" for f in p.figures)
        return p.text + _marks(p) + figures

    measures = [(f"方策{circled(m.number)}（優先度 {m.priority}）", line(m)) for m in s.measures]
    roles = [
        (f"方策{circled(m.number)}の役割分担", "\n".join(f"{r.actor}：{r.action}" for r in m.roles))
        for m in s.measures
        if m.roles
    ]
    checks = [
        (
            f"検証指標{i}",
            f"{ind.name}"
            + (f"（基準値 {ind.baseline}）" if ind.baseline else "")
            + (f" → 目標: {ind.target}" if ind.target else ""),
        )
        for i, ind in enumerate(s.indicators, 1)
    ]
    return [
        (
            "協議の対象",
            [
                ("圏域", area_label(s.area_name, s.pref_name)),
                ("テーマ", s.theme_label),
            ],
        ),
        ("地域の現状", [(f"現状{i}", line(p)) for i, p in enumerate(s.current_state, 1)]),
        (
            "協議の結果",
            [("地域の課題", line(s.issue)), ("目指す姿", line(s.goal))]
            + (measures or [("方策", "（記載なし）")])
            + roles,
        ),
        (
            "効果の検証",
            [(f"期待される効果{i}", line(p)) for i, p in enumerate(s.effects, 1)] + checks,
        ),
    ]


def _source_line(src: PublicSource) -> str:
    case = (
        "" if src.case and src.locator.startswith(src.case) else src.case
    )  # locators name the case
    where = " / ".join(p for p in (src.doc_title, case, src.locator) if p)
    return f"{where}「{one_line(src.quote)}」"


def _page_title(summary: PublicSummary) -> str:
    """The title on every page; a review copy says so there, not only in its body."""
    return f"{PUBLIC_TITLE}【{REVIEW_COPY}】" if summary.review_copy else PUBLIC_TITLE


def _review_notice(summary: PublicSummary) -> str:
    return (
        f"【{REVIEW_COPY}】状態「{summary.status}」のシートから確認のために作成したもので、"
        "協議会に提出されたものではありません。公表しないでください。"
    )


def public_to_markdown(summary: PublicSummary) -> str:
    out = [f"# {_page_title(summary)}", "", f"## {summary.title}", ""]
    if summary.review_copy:
        out += [f"> {_review_notice(summary)}", ""]
    if summary.synthetic:
        out += [f"> {SYNTHETIC_NOTICE}", ""]
    for heading, rows in _sections(summary):
        if not rows:
            continue
        out += [f"### {heading}", "", *md_table(["項目", "内容"], [[a, b] for a, b in rows]), ""]
    if summary.sources:
        out += ["### 出典", ""] + [f"- [{s.number}] {_source_line(s)}" for s in summary.sources]
    return "\n".join(out).rstrip() + "\n"


def public_to_docx(summary: PublicSummary, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = new_document(
        header=_page_title(summary),
        footer=f"{summary.area_name}・{THEME_SHORT.get(summary.theme, summary.theme)}",
    )
    add_heading(doc, _page_title(summary), level=1)
    if summary.review_copy:
        add_paragraph(doc, _review_notice(summary))
    add_statement(doc, summary.title, [], False)
    if summary.synthetic:
        add_paragraph(doc, SYNTHETIC_NOTICE)
    for heading, rows in _sections(summary):
        if rows:
            add_heading(doc, heading, level=2)
            add_table(doc, ["項目", "内容"], [[a, b] for a, b in rows], widths_mm=[40, 134])
    add_notes(doc, "出典", [(s.number, _source_line(s)) for s in summary.sources])
    doc.save(str(path))
    return path


def public_to_xlsx(summaries: list[PublicSummary], path: str | Path) -> Path:
    """One A4 portrait worksheet per summary; sources listed under the results."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    columns = [("項目", 22), ("内容", 80)]
    for i, s in enumerate(summaries):
        ws = wb.active if i == 0 else wb.create_sheet()
        title = export_line(f"{i + 1}_{s.area_name}_{THEME_SHORT.get(s.theme, s.theme)}")
        ws.title = re.sub(r"[\[\]:*?/\\']", "", title)[:31]  # Excel refuses these in a title
        write_cell(ws, 1, 1, f"{_page_title(s)}　{s.title}").font = cell_font(bold=True, size=13)
        notes = [_review_notice(s)] * s.review_copy + [SYNTHETIC_NOTICE] * s.synthetic
        write_cell(ws, 2, 1, "\n".join(notes)).font = cell_font(size=9)
        ws.cell(2, 1).alignment = WRAP
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
        ws.row_dimensions[2].height = 15 * max(1, len(notes)) + 12 * s.review_copy
        write_header(ws, 3, columns, hide_last=False)
        r = 4
        for heading, rows in _sections(s):
            if not rows:
                continue
            write_cell(ws, r, 1, heading).font = cell_font(bold=True)
            ws.cell(r, 1).fill = FILL_LABEL
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            r += 1
            for label, text in rows:
                for c, value in ((1, label), (2, text)):
                    cell = write_cell(ws, r, c, value)
                    cell.alignment, cell.border, cell.font = WRAP, BORDER, cell_font()
                ws.row_dimensions[r].height = row_height([(text, 80), (label, 22)])
                r += 1
        if s.sources:
            write_cell(ws, r + 1, 1, "出典").font = cell_font(bold=True)
            r += 2
            for src in s.sources:
                write_cell(ws, r, 1, f"[{src.number}]").font = cell_font()
                ws.cell(r, 1).alignment = WRAP
                cell = write_cell(ws, r, 2, _source_line(src))
                cell.alignment, cell.font = WRAP, cell_font(size=9)
                ws.row_dimensions[r].height = row_height([(_source_line(src), 80)], 9)
                r += 1
        page_setup(
            ws,
            title_rows="3:3",
            last_col=2,
            last_row=r - 1,
            header=_page_title(s),
            footer=f"{s.area_name}・{THEME_SHORT.get(s.theme, s.theme)}",
            landscape=False,
        )
    wb.save(path)
    return path
