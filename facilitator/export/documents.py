"""Full (internal) issue sheet as Word, Markdown and JSON.

These are the coordinator's working documents: every field in the order of the council
cycle, figures with their provenance, citations as numbered notes, unbacked statements
marked 「（根拠なし）」, dropped measures and citations shown as such, and the 事務局メモ
labelled 非公開. For sharing outside the secretariat use :mod:`.public`.
"""

from __future__ import annotations

from pathlib import Path

from facilitator.export.common import (
    SYNTHETIC_NOTICE,
    UNBACKED_MARK,
    CitationNumbers,
    citation_source,
    figure_text,
    is_synthetic,
    report_items_text,
    sheet_heading,
    sheet_reference,
    statement_line,
    verification_text,
)
from facilitator.export.docx_util import (
    add_heading,
    add_notes,
    add_paragraph,
    add_statement,
    add_table,
    new_document,
)
from facilitator.sheets.model import IssueSheet, Statement
from facilitator.text import circled, one_line


def to_json(sheet: IssueSheet) -> str:
    """The whole model as pretty JSON (UTF-8, Japanese unescaped); loads back with model_validate_json."""
    return sheet.model_dump_json(indent=2)


def md_cell(text: str) -> str:
    """Markdown table cell: pipes escaped, line breaks as <br>."""
    return text.replace("|", "\\|").replace("\n", "<br>") or "—"


def md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return out


INTERNAL_MARK = "（内部用・メモを含む）"
"""Title mark of a copy that carries the private memos; the meeting copy has none."""


def _md_statement(
    numbers: CitationNumbers, internal: bool, path: str, s: Statement, prefix: str = ""
) -> list[str]:
    line = (
        statement_line(s.text, numbers.markers(path, s), s.unbacked, bool(s.review))
        if s.text.strip()
        else "（未記入）"
    )
    indent = "   " if prefix else ""
    out = [f"{prefix}{line}"]
    out += [f"{indent}- 数値: {figure_text(f)}" for f in s.figures]
    out += [f"{indent}- 要確認: {reason}" for reason in s.review]
    if internal and s.note:
        out.append(f"{indent}- メモ（非公開）: {s.note}")
    return out


def to_markdown(sheet: IssueSheet, internal: bool = False) -> str:
    """The sheet as Markdown with 「## ① 現状」… headings and an 「出典」 list; the private
    memos and 事務局メモ only in an ``internal`` copy."""
    numbers = CitationNumbers(sheet)
    mark = INTERNAL_MARK if internal else ""
    out = [f"# 《課題管理シート》{sheet_heading(sheet)}{mark}", ""]
    if is_synthetic(sheet):
        out += [f"> {SYNTHETIC_NOTICE}", ""]
    area = sheet.area.label
    out += [
        *md_table(
            ["項目", "内容"],
            [
                ["圏域", area],
                ["テーマ", sheet.theme_label],
                ["参加者", "、".join(sheet.participants)],
                ["状態", str(sheet.status)],
                ["版", f"版{sheet.version}"],
            ],
        ),
        "",
    ]
    out += ["## ① 現状", ""]
    for i, s in enumerate(sheet.current_state):
        out += _md_statement(numbers, internal, f"current_state[{i}]", s, f"{i + 1}. ")
    out += ["", "## ② 目指す姿", "", *_md_statement(numbers, internal, "goal", sheet.goal)]
    out += ["", "## ③ 課題", "", *_md_statement(numbers, internal, "issue", sheet.issue)]
    out += ["", "## ④ 原因", ""]
    for i, c in enumerate(sheet.causes):
        view = f"（{c.viewpoint}の視点）" if c.viewpoint else ""
        out += _md_statement(
            numbers, internal, f"causes[{i}]", c, f"- **原因{circled(i + 1)}**{view} "
        )
    out += ["", "## ⑤ 方策（役割分担・優先度）", ""]
    for i, m in enumerate(sheet.measures):
        state = "" if m.accepted else "（不採用）"
        out += [f"### 方策{circled(i + 1)}（優先度: {m.priority}）{state}", ""]
        out += _md_statement(numbers, internal, f"measures[{i}]", m)
        if m.roles:
            out += ["", *md_table(["担い手", "役割"], [[r.actor, r.action] for r in m.roles])]
        out.append("")
    out += ["## ⑥ 期待される効果", ""]
    for i, s in enumerate(sheet.effects):
        out += _md_statement(numbers, internal, f"effects[{i}]", s, "- ")
    out += ["", "## ⑥ 検証指標", ""]
    out += (
        md_table(
            ["指標", "基準値", "目標", "報告項目"],
            [
                [ind.name, ind.baseline_text, ind.target, report_items_text(ind.item_ids)]
                for ind in sheet.indicators
            ],
        )
        if sheet.indicators
        else ["（未設定）"]
    )
    out += ["", "## 出典", ""]
    for nc in numbers.items:
        c = nc.citation
        state = verification_text(c) + ("・不採用" if not c.accepted else "")
        out.append(
            f"{nc.number}. [{nc.number}] {nc.field}: {citation_source(c)} —「{one_line(c.quote)}」"
            f"（{state}）"
        )
    if not numbers.items:
        out.append("（引用なし）")
    if sheet.unbacked_fields():
        out += [
            "",
            f"{UNBACKED_MARK}の記述: 数値や資料の裏付けがありません。協議の前に確認してください。",
        ]
    if internal and sheet.internal_notes:
        out += ["", "## 事務局メモ（非公開）", "", sheet.internal_notes]
    return "\n".join(out).rstrip() + "\n"


def to_docx(sheet: IssueSheet, path: str | Path, internal: bool = False) -> Path:
    """Word document: a heading per field, tables for causes, measures and indicators, notes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    numbers = CitationNumbers(sheet)
    doc = new_document(header=f"課題管理シート　{sheet.area.name}", footer=sheet_reference(sheet))
    mark = INTERNAL_MARK if internal else ""
    add_heading(doc, f"《課題管理シート》{sheet_heading(sheet)}{mark}", level=1)
    if is_synthetic(sheet):
        add_paragraph(doc, SYNTHETIC_NOTICE)
    area = sheet.area.label
    add_table(
        doc,
        ["項目", "内容"],
        [
            ["圏域", area],
            ["テーマ", sheet.theme_label],
            ["参加者", "、".join(sheet.participants)],
            ["状態", str(sheet.status)],
            ["版", f"版{sheet.version}"],
        ],
        widths_mm=[30, 144],
    )

    def para(path_: str, s: Statement, prefix: str = "") -> None:
        add_statement(
            doc,
            s.text or "（未記入）",
            numbers.numbers(path_, s),
            s.unbacked,
            prefix=prefix,
            review=bool(s.review),
        )
        for f in s.figures:
            add_paragraph(doc, f"数値: {figure_text(f)}", style="List Bullet")
        for reason in s.review:
            add_paragraph(doc, f"要確認: {reason}", style="List Bullet")
        if internal and s.note:
            add_paragraph(doc, f"メモ（非公開）: {s.note}", style="List Bullet")

    add_heading(doc, "① 現状", level=2)
    for i, s in enumerate(sheet.current_state):
        para(f"current_state[{i}]", s, f"{i + 1}. ")
    add_heading(doc, "② 目指す姿", level=2)
    para("goal", sheet.goal)
    add_heading(doc, "③ 課題", level=2)
    para("issue", sheet.issue)
    add_heading(doc, "④ 原因", level=2)
    for i, c in enumerate(sheet.causes):
        view = f"（{c.viewpoint}の視点）" if c.viewpoint else ""
        para(f"causes[{i}]", c, f"原因{circled(i + 1)}{view} ")
    add_heading(doc, "⑤ 方策（役割分担・優先度）", level=2)
    for i, m in enumerate(sheet.measures):
        state = "" if m.accepted else "（不採用）"
        para(f"measures[{i}]", m, f"方策{circled(i + 1)}［優先度 {m.priority}］{state} ")
        if m.roles:
            add_table(
                doc, ["担い手", "役割"], [[r.actor, r.action] for r in m.roles], widths_mm=[40, 134]
            )
            add_paragraph(doc)
    add_heading(doc, "⑥ 期待される効果", level=2)
    for i, s in enumerate(sheet.effects):
        para(f"effects[{i}]", s, "・")
    add_heading(doc, "⑥ 検証指標", level=2)
    if sheet.indicators:
        add_table(
            doc,
            ["指標", "基準値", "目標", "報告項目"],
            [
                [ind.name, ind.baseline_text, ind.target, report_items_text(ind.item_ids)]
                for ind in sheet.indicators
            ],
            widths_mm=[70, 28, 40, 36],
        )
    else:
        add_paragraph(doc, "（未設定）")
    if internal and sheet.internal_notes:
        add_heading(doc, "事務局メモ（非公開）", level=2)
        add_paragraph(doc, sheet.internal_notes)
    add_notes(
        doc,
        "出典",
        [
            (
                nc.number,
                f"{nc.field}: {citation_source(nc.citation)}「{one_line(nc.citation.quote)}」"
                f"（{verification_text(nc.citation)}"
                f"{'・不採用' if not nc.citation.accepted else ''}）",
            )
            for nc in numbers.items
        ],
    )
    doc.save(str(path))
    return path
