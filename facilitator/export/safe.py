"""Text going into an exported Excel or Word file: never a formula, never a crash.

Every workbook writer puts its cells through :func:`write_cell` and every Word writer its
text through :func:`export_text`, so a 市町村名 like 「=HYPERLINK(…)」 stays the literal text
and a control character (which openpyxl and lxml refuse) is dropped instead of failing the
whole export.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.reports.ingest.chars import clean_line, clean_text

_NONCHARACTERS = re.compile("[\ufffe\uffff]")  # not allowed in XML either
FORMULA_START = "=+-@＝＋－＠"
"""First characters (after leading spaces) that Excel or LibreOffice read as a formula."""


def export_text(text: str) -> str:
    """Free text for a Word or Excel file: tab and newline kept, every character XML refuses
    (other control characters, lone surrogates, U+FFFE/U+FFFF) removed."""
    return _NONCHARACTERS.sub("", clean_text(text))


def export_line(text: str) -> str:
    """One-line text (a worksheet title, a page header): tab/newline → space, others removed."""
    return _NONCHARACTERS.sub("", clean_line(text))


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would compute the text if it were typed into a cell."""
    head = text.lstrip()[:1]
    return text[:1] in ("\t", "\r") or (head != "" and head in FORMULA_START)


def write_cell(
    ws: Worksheet, row: int, column: int, value: object = None, *, clean: bool = True
) -> Cell:
    """Write one cell; text is always a string cell (data type 's', never a formula or an
    error code such as 「#N/A」) and formula-like text gets Excel's quote prefix, so editing
    the cell in Excel keeps it text too. Numbers stay numbers. ``clean=False`` keeps the text
    byte for byte (the hidden JSON, whose hash is checked on import)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = export_text(value) if clean else value
        cell.value = text
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
    elif value is not None:
        cell.value = value
    return cell
