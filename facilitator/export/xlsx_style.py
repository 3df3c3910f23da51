"""The look shared by every workbook we write: font, borders, fills, row heights, A4 print
set-up, so the 課題管理シート, the public summary and the agenda print alike."""

from __future__ import annotations

import math
from collections.abc import Iterable

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.export.common import FONT_NAME, display_width
from facilitator.export.safe import export_line, write_cell

_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FILL_HEADER = PatternFill("solid", fgColor="D9E1F2")
FILL_LABEL = PatternFill("solid", fgColor="EDF2F9")
FILL_UNBACKED = PatternFill("solid", fgColor="FCE4D6")
FILL_READONLY = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")


def row_height(values: Iterable[tuple[str, float]], font_pt: float = 10) -> float:
    """Wrapped-text height estimate, so LibreOffice and Excel both show every line."""
    lines = 1
    for text, width in values:
        if not text:
            continue
        usable = max(width - 1.5, 1)
        n = sum(max(1, math.ceil(display_width(p) / usable)) for p in text.split("\n"))
        lines = max(lines, n)
    return round(lines * font_pt * 1.65 + 4, 1)  # 游ゴシック in Excel needs ~1.65 em a line


def cell_font(**kw: object) -> Font:
    """The workbook font (Japanese) at 10 pt unless given."""
    return Font(name=FONT_NAME, size=kw.pop("size", 10), **kw)


def page_setup(
    ws: Worksheet,
    *,
    title_rows: str,
    last_col: int,
    last_row: int,
    header: str,
    footer: str,
    landscape: bool = True,
) -> None:
    """A4, fit to one page wide, repeated header row, margins, header and footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.center.text = export_line(header).replace("&", "&&")
    ws.oddHeader.center.size = 9
    ws.oddFooter.left.text = export_line(footer).replace("&", "&&")
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8


def write_header(
    ws: Worksheet, row: int, columns: list[tuple[str, float]], hide_last: bool = True
) -> None:
    """Bold shaded header cells and column widths; the last (key) column hidden."""
    for c, (name, width) in enumerate(columns, 1):
        cell = write_cell(ws, row, c, name)
        cell.font, cell.fill, cell.border = cell_font(bold=True), FILL_HEADER, BORDER
        cell.alignment = WRAP_CENTER
        ws.column_dimensions[get_column_letter(c)].width = width
    if hide_last:
        ws.column_dimensions[get_column_letter(len(columns))].hidden = True
