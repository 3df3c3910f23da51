"""Excel export laid out like the guideline's 課題管理シート.

One worksheet per issue sheet (fields top to bottom in the order of the council cycle),
a 「出典」 worksheet with every citation, and a hidden 「_facilitator」 worksheet holding
each sheet's id, version and full JSON so an offline-edited file can be imported back
(:mod:`facilitator.export.xlsx_import`). A hidden key column on every row tells the
importer which field a row is, so coordinators may reorder, insert or delete rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.errors import InputError
from facilitator.export.common import (
    REVIEW_MARK,
    SYNTHETIC_NOTICE,
    UNBACKED_MARK,
    CitationNumbers,
    citation_source,
    figure_text,
    is_synthetic,
    report_items_text,
    roles_text,
    sheet_heading,
    sheet_reference,
    statement_line,
    verification_text,
)
from facilitator.export.safe import export_line, export_text, write_cell
from facilitator.export.xlsx_style import (
    BORDER,
    FILL_LABEL,
    FILL_READONLY,
    FILL_UNBACKED,
    WRAP,
    cell_font,
    page_setup,
    row_height,
    write_header,
)
from facilitator.reports.models import SYNTHETIC_TAG
from facilitator.sheets.model import STATUS_ORDER, IssueSheet, Statement
from facilitator.text import circled
from facilitator.themes import THEME_SHORT

FORMAT = "facilitator-issue-sheets/1"
META_SHEET = "_facilitator"
CITES_SHEET = "出典"
JSON_PART = 30_000  # an Excel cell holds at most 32,767 characters
CELL_LIMIT = 32_000
TRUNCATED_MARK = "…（Excel の文字数上限のため省略。全文はアプリで確認・編集してください）"

# Issue worksheet columns: (header, width). The last one is the hidden row key.
COLUMNS: list[tuple[str, float]] = [
    ("項目", 13),
    ("番号", 5),
    ("内容", 56),
    ("視点・役割分担・目標", 30),
    ("優先度", 7),
    ("採否", 7),
    ("根拠（数値の出典・引用）", 34),
    ("メモ（非公開）", 18),
    ("key", 12),
]
COL = {
    name: i + 1
    for i, name in enumerate(
        ["label", "number", "text", "side", "priority", "accepted", "backing", "note", "key"]
    )
}
HEADER_ROW = 3
FIRST_ROW = 4

CITE_COLUMNS: list[tuple[str, float]] = [
    ("ワークシート", 16),
    ("番号", 5),
    ("項目", 10),
    ("資料名", 24),
    ("事例", 16),
    ("所在", 26),
    ("チャンクID", 18),
    ("引用", 48),
    ("検証", 14),
    ("採用", 7),
    ("key", 12),
]
CITE_COL = {
    name: i + 1
    for i, name in enumerate(
        [
            "worksheet",
            "number",
            "field",
            "doc",
            "case",
            "locator",
            "chunk",
            "quote",
            "verified",
            "accepted",
            "key",
        ]
    )
}

YES_NO = {True: "採用", False: "不採用"}


@dataclass
class Row:
    """One row of an issue worksheet; ``editable`` names the columns the importer reads."""

    key: str
    label: str
    number: str = ""
    text: str = ""
    side: str = ""
    priority: str = ""
    accepted: str = ""
    backing: str = ""
    note: str = ""
    editable: set[str] = field(default_factory=set)
    unbacked: bool = False
    dropped: bool = False

    def value(self, column: str) -> str:
        return str(getattr(self, column))


def _backing(numbers: CitationNumbers, path: str, statement: Statement) -> str:
    """Figures with provenance, then each citation's number and state."""
    lines = [f"数値: {figure_text(f)}" for f in statement.figures]
    for nc in numbers.items:
        if nc.path != path:
            continue
        state = verification_text(nc.citation) if nc.citation.accepted else "不採用"
        lines.append(f"[{nc.number}] {citation_source(nc.citation)}（{state}）")
    if statement.unbacked and statement.text.strip():
        lines.append(UNBACKED_MARK)
    lines += [f"{REVIEW_MARK}{reason}" for reason in statement.review]
    return "\n".join(lines)


def issue_rows(sheet: IssueSheet, numbers: CitationNumbers) -> list[Row]:
    """The rows of one issue worksheet, in the order of the council cycle.

    Both the writer and the importer use this, so the importer can tell an edited
    cell from an untouched one by comparing with what was written.
    """
    area = sheet.area
    area_text = area.label
    if area.synthetic:
        area_text += SYNTHETIC_TAG
    rows = [
        Row("area", "圏域", text=area_text, backing=f"圏域コード {area.code}" if area.code else ""),
        Row("theme", "テーマ", text=sheet.theme_label),
        Row("participants", "参加者", text="、".join(sheet.participants), editable={"text"}),
    ]

    def stmt_row(path: str, label: str, number: str, statement: Statement) -> Row:
        return Row(
            path,
            label,
            number=number,
            text=statement_line(
                statement.text,
                numbers.markers(path, statement),
                statement.unbacked,
                bool(statement.review),
            ),
            backing=_backing(numbers, path, statement),
            note=statement.note,
            editable={"text", "note"},
            unbacked=(statement.unbacked or bool(statement.review))
            and bool(statement.text.strip()),
        )

    for i, s in enumerate(sheet.current_state):
        rows.append(stmt_row(f"current_state[{i}]", "① 現状", str(i + 1), s))
    if not sheet.current_state:
        rows.append(Row("current_state[+]", "① 現状", editable={"text", "note"}))
    rows.append(stmt_row("goal", "② 目指す姿", "", sheet.goal))
    rows.append(stmt_row("issue", "③ 課題", "", sheet.issue))
    for i, c in enumerate(sheet.causes):
        row = stmt_row(f"causes[{i}]", "④ 原因", circled(i + 1), c)
        row.side, row.editable = c.viewpoint, row.editable | {"side"}
        rows.append(row)
    if not sheet.causes:
        rows.append(Row("causes[+]", "④ 原因", editable={"text", "side", "note"}))
    for i, m in enumerate(sheet.measures):
        row = stmt_row(f"measures[{i}]", "⑤ 方策（役割分担・優先度）", circled(i + 1), m)
        row.side, row.priority, row.accepted = roles_text(m.roles), m.priority, YES_NO[m.accepted]
        row.editable |= {"side", "priority", "accepted"}
        row.dropped = not m.accepted
        rows.append(row)
    if not sheet.measures:
        rows.append(
            Row(
                "measures[+]",
                "⑤ 方策（役割分担・優先度）",
                editable={"text", "side", "priority", "accepted", "note"},
            )
        )
    for i, s in enumerate(sheet.effects):
        rows.append(stmt_row(f"effects[{i}]", "⑥ 期待される効果", str(i + 1), s))
    if not sheet.effects:
        rows.append(Row("effects[+]", "⑥ 期待される効果", editable={"text", "note"}))
    for i, ind in enumerate(sheet.indicators):
        base = f"基準値: {ind.baseline_text}" if ind.baseline_text else ""
        items = f"報告項目: {names}" if (names := report_items_text(ind.item_ids)) else ""
        rows.append(
            Row(
                f"indicators[{i}]",
                "⑥ 検証指標",
                number=str(i + 1),
                text=ind.name,
                side=ind.target,
                backing="\n".join(p for p in (base, items) if p),
                editable={"text", "side"},
            )
        )
    if not sheet.indicators:
        rows.append(Row("indicators[+]", "⑥ 検証指標", editable={"text", "side"}))
    rows += [
        Row("status", "状態", text=str(sheet.status), editable={"text"}),
        Row("version", "版", text=f"版{sheet.version}"),
        Row("internal_notes", "事務局メモ（非公開）", text=sheet.internal_notes, editable={"text"}),
    ]
    for row in rows:  # a cut text cannot be edited in Excel without losing its tail
        for name in ("text", "side", "backing", "note"):
            value = export_text(row.value(name))  # as written, so the importer compares alike
            setattr(row, name, value)
            if len(value) > CELL_LIMIT:
                setattr(row, name, value[:CELL_LIMIT] + TRUNCATED_MARK)
                row.editable.discard(name)
    return rows


def worksheet_titles(sheets: list[IssueSheet]) -> list[str]:
    """Unique Excel-safe titles (≤31 characters, no []:*?/\\)."""
    out: list[str] = []
    for i, sheet in enumerate(sheets, 1):
        base = export_line(f"{i}_{sheet.area.name}_{THEME_SHORT.get(sheet.theme, sheet.theme)}")
        title = re.sub(r"[\[\]:*?/\\']", "", base)[:31]
        while title in out or title in (CITES_SHEET, META_SHEET):
            title = title[:28] + f"_{len(out)}"
        out.append(title)
    return out


def write_issue_worksheet(ws: Worksheet, sheet: IssueSheet, numbers: CitationNumbers) -> None:
    """Fill one worksheet with the 課題管理シート layout."""
    last = len(COLUMNS) - 1  # visible columns
    ws.sheet_view.zoomScale = 90
    write_cell(ws, 1, 1, f"《課題管理シート》{sheet_heading(sheet)}").font = cell_font(
        bold=True, size=13
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sub = f"{sheet_reference(sheet)}・状態 {sheet.status}・テーマ {sheet.theme_label}"
    if is_synthetic(sheet):
        sub += "\n" + SYNTHETIC_NOTICE
    cell = write_cell(ws, 2, 1, sub)
    cell.font, cell.alignment = cell_font(size=9, color="555555"), WRAP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = 30 if is_synthetic(sheet) else 16
    write_cell(ws, 1, COL["key"], f"sheet:{sheet.sheet_id}")
    write_header(ws, HEADER_ROW, COLUMNS)

    dv_status = DataValidation(type="list", formula1='"' + ",".join(STATUS_ORDER) + '"')
    dv_priority = DataValidation(type="list", formula1='"高,中,低"')
    dv_accept = DataValidation(type="list", formula1='"採用,不採用"')
    for dv in (dv_status, dv_priority, dv_accept):
        dv.error, dv.errorTitle = "一覧から選んでください。", "入力できない値です"
        ws.add_data_validation(dv)

    r = FIRST_ROW
    for row in issue_rows(sheet, numbers):
        for name, c in COL.items():
            value = row.key if name == "key" else row.value(name)
            cell = write_cell(ws, r, c, value or None)
            if name == "key":
                continue
            cell.border, cell.alignment = BORDER, WRAP
            cell.font = cell_font(color="808080", italic=True) if row.dropped else cell_font()
            if name in ("label", "number"):
                cell.fill, cell.font = FILL_LABEL, cell_font(bold=True)
            elif name not in row.editable and name in (
                "text",
                "side",
                "priority",
                "accepted",
                "note",
            ):
                cell.fill = FILL_READONLY
            if row.unbacked and name in ("text", "backing"):
                cell.fill = FILL_UNBACKED
        if row.key == "status":
            dv_status.add(ws.cell(row=r, column=COL["text"]))
        if "priority" in row.editable:
            dv_priority.add(ws.cell(row=r, column=COL["priority"]))
            dv_accept.add(ws.cell(row=r, column=COL["accepted"]))
        ws.row_dimensions[r].height = row_height(
            (row.value(n), COLUMNS[COL[n] - 1][1]) for n in ("text", "side", "backing", "note")
        )
        r += 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    page_setup(
        ws,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        last_col=last,
        last_row=r - 1,
        header=f"課題管理シート　{sheet.area.name}・{THEME_SHORT.get(sheet.theme, sheet.theme)}",
        footer=f"{sheet_reference(sheet)}　{sheet.status}",
    )


def citation_key(sheet_id: str, path: str, index: int) -> str:
    return f"{sheet_id}|{path}|{index}"


def write_citations_worksheet(
    ws: Worksheet, entries: list[tuple[str, IssueSheet, CitationNumbers]]
) -> None:
    """Every citation of every sheet: number, field, document, case, locator, chunk, quote."""
    write_header(ws, 1, CITE_COLUMNS)
    dv_accept = DataValidation(type="list", formula1='"採用,不採用"')
    ws.add_data_validation(dv_accept)
    r = 2
    for title, sheet, numbers in entries:
        for nc in numbers.items:
            c = nc.citation
            case = " ".join(p for p in (c.case_id, c.case_name) if p)
            values = [
                title,
                nc.number,
                nc.field,
                c.doc_title,
                case,
                c.locator,
                c.chunk_id,
                c.quote,
                verification_text(c),
                YES_NO[c.accepted],
                citation_key(sheet.sheet_id, nc.path, nc.index),
            ]
            for col, value in enumerate(values, 1):
                cell = write_cell(ws, r, col, value if value != "" else None)
                if col == len(values):
                    continue
                cell.border, cell.alignment, cell.font = BORDER, WRAP, cell_font()
                if not c.verified and col in (CITE_COL["verified"], CITE_COL["quote"]):
                    cell.fill = FILL_UNBACKED
                elif col != CITE_COL["accepted"]:
                    cell.fill = FILL_READONLY
            dv_accept.add(ws.cell(row=r, column=CITE_COL["accepted"]))
            ws.row_dimensions[r].height = row_height(
                (str(values[i - 1] or ""), CITE_COLUMNS[i - 1][1])
                for i in (
                    CITE_COL["doc"],
                    CITE_COL["locator"],
                    CITE_COL["quote"],
                    CITE_COL["verified"],
                )
            )
            r += 1
    if r == 2:
        write_cell(ws, 2, 1, "引用はありません").font = cell_font(color="808080")
        write_cell(ws, 2, CITE_COL["key"], "none")
        r = 3
    # the chunk id stays in the file for tracing a quote, but off the printed page
    ws.column_dimensions[get_column_letter(CITE_COL["chunk"])].hidden = True
    ws.freeze_panes = "A2"
    names = "、".join(dict.fromkeys(sheet_reference(s) for _, s, _ in entries))
    page_setup(
        ws,
        title_rows="1:1",
        last_col=len(CITE_COLUMNS) - 1,
        last_row=r - 1,
        header="出典一覧",
        footer=names,
    )


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def meta_json(sheet: IssueSheet) -> str:
    """The JSON kept in the hidden worksheet: the whole model, as storage keeps it (a
    character a worksheet cannot hold written as its JSON escape, which reads back the same)."""
    return _XML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", sheet.model_dump_json())


def write_meta_worksheet(ws: Worksheet, entries: list[tuple[str, IssueSheet]]) -> None:
    """Hidden: format, and per sheet the worksheet title, id, version, hash and JSON parts."""
    rows: list[list[object]] = [
        ["format", FORMAT],
        ["ワークシート", "シートID", "版", "SHA256", "分割数", "JSON"],
    ]
    for title, sheet in entries:
        body = meta_json(sheet)
        parts = [body[i : i + JSON_PART] for i in range(0, len(body), JSON_PART)]
        rows.append(
            [
                title,
                sheet.sheet_id,
                sheet.version,
                hashlib.sha256(body.encode("utf-8")).hexdigest(),
                len(parts),
                *parts,
            ]
        )
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            write_cell(ws, r, c, value, clean=False)  # a JSON part may start with 「=」
    ws.sheet_state = "hidden"


def to_xlsx(sheets: list[IssueSheet], path: str | Path) -> Path:
    """Write the issue sheets as one 課題管理シート workbook; returns the path.

    Each sheet gets its own worksheet; citations are numbered per sheet ([1], [2] …)
    and listed on 「出典」; the hidden 「_facilitator」 worksheet makes it importable.
    """
    if not sheets:
        raise InputError("出力するシートがありません。")
    ids = [s.sheet_id for s in sheets]
    if len(set(ids)) != len(ids):
        raise InputError(
            "同じシートが2回指定されています。1つのブックには各シートを1回だけ入れてください。"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    titles = worksheet_titles(sheets)
    entries = []
    for i, (title, sheet) in enumerate(zip(titles, sheets, strict=True)):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        numbers = CitationNumbers(sheet)
        write_issue_worksheet(ws, sheet, numbers)
        entries.append((title, sheet, numbers))
    write_citations_worksheet(wb.create_sheet(CITES_SHEET), entries)
    write_meta_worksheet(wb.create_sheet(META_SHEET), [(t, s) for t, s, _ in entries])
    wb.active = 0
    wb.properties.title = "課題管理シート"
    wb.properties.creator = "facilitator"
    wb.save(path)
    return path
