"""The 進行表 as Markdown, Word and Excel: one A4 page (portrait), the summaries behind it.

The running order is what the coordinator hands out, so it must fit one page for a
usual meeting (two or three sheets): one line per step, narrow margins, and in Excel a
print area scaled to one page. ``summary=True`` adds one page per sheet
(:mod:`.agenda_summary`). A review copy says 「確認用・未確定」 in every page header.
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.export.agenda import Agenda
from facilitator.export.agenda_summary import SheetSummary
from facilitator.export.common import REVIEW_COPY, UNBACKED_MARK, synthetic_notice
from facilitator.export.documents import md_table
from facilitator.export.docx_util import add_table, new_document, shade
from facilitator.export.safe import export_text, write_cell
from facilitator.export.xlsx_style import (
    BORDER,
    FILL_LABEL,
    WRAP,
    WRAP_CENTER,
    cell_font,
    page_setup,
    row_height,
    write_header,
)
from facilitator.text import circled

HEADERS = ["時刻", "分", "進行", "要点", "説明・進行", "資料"]
PAGE_HEADER = "協議の場の進行表"
REVIEW_COLOR = RGBColor(0xC0, 0x00, 0x00)
Row = tuple[str, int, str, str, str, str, bool]
"""(時刻, 分, 進行, 要点, 説明・進行, 資料, is_heading) — one line of the running order."""


def _rows(a: Agenda) -> list[Row]:
    """The running order: 開会, each 議題 with its steps ①〜⑥, 閉会."""
    rows: list[Row] = []

    def slot(title: str, start: str, end: str, minutes: int, point: str, who: str) -> None:
        rows.append((f"{start}〜{end}", minutes, title, point, who, "", True))

    o, c = a.opening, a.closing
    slot(o.title, o.start, o.end, o.minutes, o.point, o.presenter)
    for item, material in zip(a.items, a.materials, strict=True):
        rows.append(
            (
                f"{item.start}〜{item.end}",
                item.minutes,
                f"議題{circled(item.number)} {item.title}",
                f"{material.number} {material.title}",
                item.presenter,
                item.material,
                True,
            )
        )
        rows += [
            (f"{s.start}〜{s.end}", s.minutes, f"{s.step}{s.name}", s.point, s.presenter, "", False)
            for s in item.steps
        ]
    slot(c.title, c.start, c.end, c.minutes, c.point, c.presenter)
    return rows


def _notes(a: Agenda, summary: bool) -> list[str]:
    notes = []
    if any(UNBACKED_MARK in s.point for i in a.items for s in i.steps):
        notes.append(f"※ {UNBACKED_MARK}は、資料や報告データの裏付けがまだない記述です。")
    if summary:
        notes.append("※ 各資料の要約（1資料1ページ）を次ページ以降に付けています。")
    if a.synthetic:
        notes.append(synthetic_notice("この進行表"))
    return notes


def _materials(a: Agenda) -> list[str]:
    return [
        f"{m.number}　{m.title}" + (f"【{REVIEW_COPY}】" if m.review else "") for m in a.materials
    ]


def _title(a: Agenda) -> str:
    return f"{a.meeting.name}　進行表"


def _page_header(a: Agenda) -> str:
    return PAGE_HEADER + (f"　【{REVIEW_COPY}】" if a.review else "")


# --- Markdown ----------------------------------------------------------------------------------


def _summary_markdown(s: SheetSummary) -> list[str]:
    out = ["---", "", f"## {s.material} 要約　{s.title}", "", s.heading, ""]
    if s.review:
        out += [f"**{REVIEW_COPY}**", ""]
    if s.participants:
        out += [f"関係者: {s.participants}", ""]
    out += md_table(
        ["ステップ", "要約"], [[f"{t.step} {t.name}", "\n".join(t.lines)] for t in s.steps]
    )
    return [*out, "", f"※ 全文と出典は{s.material}（課題シート）をご覧ください。", ""]


def agenda_to_markdown(a: Agenda, *, summary: bool = False) -> str:
    out = [f"# {_title(a)}", ""]
    if a.review:
        out += [f"**{REVIEW_COPY}**", ""]
    out += [f"- {k}: {v}" for k, v in a.meeting_lines()] + [""]
    out += md_table(
        HEADERS,
        [
            [t, str(m), f"**{title}**" if head else title, point, who, mat]
            for t, m, title, point, who, mat, head in _rows(a)
        ],
    )
    out += ["", "## 資料一覧", ""] + [f"- {line}" for line in _materials(a)]
    out += [""] + [f"{n}  " for n in _notes(a, summary)]
    if summary:
        for s in a.summaries:
            out += ["", *_summary_markdown(s)]
    return "\n".join(out).rstrip() + "\n"


# --- Word --------------------------------------------------------------------------------------

WIDTHS_MM = [28, 9, 40, 64, 31, 14]
"""A4 portrait with 12 mm margins: 186 mm of table."""


def _para(doc: DocumentType, text: str, *, size: float = 10, bold: bool = False, **fmt: object):
    p = doc.add_paragraph()
    run = p.add_run(export_text(text))
    run.font.size, run.bold = Pt(size), bold
    p.paragraph_format.space_after = Pt(fmt.pop("after", 0))
    if fmt.pop("center", False):
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if fmt.pop("page_break", False):
        p.paragraph_format.page_break_before = True
    return p


def _small_table(table: object, size: float, heads: list[bool] | None = None) -> None:
    """Table text at ``size`` pt; heading rows shaded, their title (進行) bold."""
    for r, row in enumerate(table.rows):  # type: ignore[attr-defined]
        head = r > 0 and heads is not None and heads[r - 1]
        for c, cell in enumerate(row.cells):
            if head:
                shade(cell, "EDF2F9")
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                for run in p.runs:
                    run.font.size = Pt(size)
                    run.bold = run.bold or (head and c == 2)


def _docx_summary(doc: DocumentType, s: SheetSummary) -> None:
    title = f"{s.material} 要約　{s.title}" + (f"【{REVIEW_COPY}】" if s.review else "")
    _para(doc, title, size=13, bold=True, after=4, page_break=True)
    _para(doc, s.heading, size=10, after=2)
    if s.participants:
        _para(doc, f"関係者: {s.participants}", size=9, after=4)
    table = add_table(
        doc,
        ["ステップ", "要約（最初の記述。〔 〕は根拠の所在）"],
        [[f"{t.step} {t.name}", "\n".join(t.lines)] for t in s.steps],
        widths_mm=[46, 140],
    )
    _small_table(table, 10.5)
    _para(doc, f"※ 全文と出典は{s.material}（課題シート）をご覧ください。", size=9)


def agenda_to_docx(a: Agenda, path: str | Path, *, summary: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = new_document(header=_page_header(a), footer=a.meeting.name)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Mm(12)
    section.top_margin = section.bottom_margin = Mm(14)
    section.header_distance = section.footer_distance = Mm(7)
    if a.review:
        for run in section.header.paragraphs[0].runs:
            run.bold, run.font.color.rgb = True, REVIEW_COLOR
    doc.styles["Normal"].font.size = Pt(10)
    doc.styles["Normal"].paragraph_format.space_after = Pt(0)
    _para(doc, _title(a), size=14, bold=True, center=True, after=6)
    for k, v in a.meeting_lines():
        p = _para(doc, f"{k}　", size=10, bold=True)
        p.add_run(export_text(v)).font.size = Pt(10)
    _para(doc, "", size=4)
    rows = _rows(a)
    table = add_table(
        doc,
        HEADERS,
        [[t, str(m), title, point, who, mat] for t, m, title, point, who, mat, _ in rows],
        widths_mm=WIDTHS_MM,
    )
    _small_table(table, 9.5, [r[-1] for r in rows])
    _para(doc, "", size=4)
    _para(doc, "資料一覧", size=10.5, bold=True, after=2)
    for line in _materials(a):
        _para(doc, line, size=10)
    for note in _notes(a, summary):
        _para(doc, note, size=8.5)
    if summary:
        for s in a.summaries:
            _docx_summary(doc, s)
    doc.save(str(path))
    return path


# --- Excel -------------------------------------------------------------------------------------

COLUMNS = [
    ("時刻", 12.0),
    ("分", 5.0),
    ("進行", 24.0),
    ("要点", 40.0),
    ("説明・進行", 17.0),
    ("資料", 7.0),
]


def _line(ws: Worksheet, r: int, text: str, last_col: int, **font: object) -> None:
    """One merged line across the printed width (title, meeting data, notes)."""
    cell = write_cell(ws, r, 1, text)
    cell.font = cell_font(**font)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, last_col + 1))
    ws.row_dimensions[r].height = row_height([(text, width)], float(font.get("size", 10)))


def _one_page(ws: Worksheet, a: Agenda, header_row: int, last_col: int, last_row: int) -> None:
    page_setup(
        ws,
        title_rows=f"{header_row}:{header_row}",
        last_col=last_col,
        last_row=last_row,
        header=_page_header(a),
        footer=a.meeting.name,
        landscape=False,
    )
    ws.page_setup.fitToHeight = 1
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if a.review:
        ws.oddHeader.center.color = "C00000"


def _xlsx_summary(ws: Worksheet, a: Agenda, s: SheetSummary) -> None:
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 84
    title = f"{s.material} 要約　{s.title}" + (f"【{REVIEW_COPY}】" if s.review else "")
    _line(ws, 1, title, 2, bold=True, size=13)
    _line(ws, 2, s.heading, 2)
    _line(ws, 3, f"関係者: {s.participants}" if s.participants else "", 2, size=9)
    write_header(
        ws, 4, [("ステップ", 20), ("要約（最初の記述。〔 〕は根拠の所在）", 84)], hide_last=False
    )
    r = 5
    for t in s.steps:
        text = "\n".join(t.lines)
        for c, value in enumerate((f"{t.step} {t.name}", text), 1):
            cell = write_cell(ws, r, c, value)
            cell.alignment, cell.border, cell.font = WRAP, BORDER, cell_font(bold=c == 1)
        ws.row_dimensions[r].height = row_height([(text, 84), (f"{t.step} {t.name}", 20)])
        r += 1
    _line(ws, r + 1, f"※ 全文と出典は{s.material}（課題シート）をご覧ください。", 2, size=9)
    _one_page(ws, a, 4, 2, r + 1)


def agenda_to_xlsx(a: Agenda, path: str | Path, *, summary: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "進行表"
    last = len(COLUMNS)
    write_header(ws, 4, COLUMNS, hide_last=False)  # sets the widths the merged lines use
    _line(ws, 1, _title(a), last, bold=True, size=13)
    lines = ["　".join(f"{k}　{v}" for k, v in a.meeting_lines()[i : i + 2]) for i in (0, 2)]
    _line(ws, 2, lines[0], last)
    _line(ws, 3, lines[1], last)
    r = 5
    for *values, head in _rows(a):
        for c, value in enumerate(values, 1):
            cell = write_cell(ws, r, c, value)
            cell.alignment, cell.border = (WRAP_CENTER if c == 2 else WRAP), BORDER
            cell.font = cell_font(bold=head and c == 3, size=9.5)
            if head:
                cell.fill = FILL_LABEL
        widths = [(str(v), w) for v, (_, w) in zip(values, COLUMNS, strict=True)]
        ws.row_dimensions[r].height = row_height(widths, 9.5)
        r += 1
    _line(ws, r + 1, "資料一覧", last, bold=True)
    r += 2
    for line in _materials(a) + _notes(a, summary):
        _line(ws, r, line, last, size=9 if line.startswith("※") else 10)
        r += 1
    _one_page(ws, a, 4, last, r - 1)
    if summary:
        for s in a.summaries:
            _xlsx_summary(wb.create_sheet(f"{s.material} 要約"), a, s)
    wb.save(path)
    return path
