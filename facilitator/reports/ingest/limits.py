"""Every limit on report input files, in one place (documented in docs/REPORTS.md「上限」).

Files past a limit are rejected before they are read (size) or while they are read (rows,
cells, xlsx parts); values past a limit are located errors like any other invalid value.
Tests and tools may lower these module attributes (code reads them at call time).
"""

from __future__ import annotations

MB = 1_000_000

# --- files --------------------------------------------------------------------------------
MAX_CSV_BYTES = 200 * MB
"""A CSV (or any file that is not a zip/xlsx) larger than this is rejected before reading."""
MAX_XLSX_BYTES = 100 * MB
"""An .xlsx file larger than this is rejected before reading."""
MAX_XLSX_UNCOMPRESSED = 1_000 * MB
"""Sum of the declared uncompressed sizes of the parts of an .xlsx (zip bomb guard)."""
MAX_XLSX_PARTS = 1_000
"""Parts (zip entries) of an .xlsx; Excel writes about 10–30."""
MAX_XLSX_RATIO = 100
"""Compression ratio of a part larger than ``RATIO_CHECKED_FROM`` (Excel's XML: 5–20)."""
RATIO_CHECKED_FROM = 1 * MB
MAX_XML_PROLOG = 65_536
"""Bytes of an xlsx XML part before its root element (a DOCTYPE there is always refused)."""

# --- shape --------------------------------------------------------------------------------
MAX_DATA_ROWS = 500_000
"""Data rows of one file (the whole country has about 110,000 institutions)."""
MAX_COLUMNS = 1_000
"""Columns of the header row."""
MAX_SHEET_ROWS = 1_048_576
"""Row elements of an xlsx sheet (Excel's maximum), formatted empty rows included."""
MAX_ROW_CELLS = 16_384
"""Cell elements of one xlsx row (Excel's maximum number of columns)."""
MAX_CELL_CHARS = 131_072
"""Characters of one cell (the csv module's default field limit; Excel allows 32,767)."""
MAX_ERRORS = 10_000
"""Located errors collected per file before the list is cut (``truncated``)."""

# --- values -------------------------------------------------------------------------------
MAX_NAME_CHARS = 200
"""医療機関名・市町村名・二次医療圏名."""
MAX_TEXT_CHARS = 2_000
"""自由記載 items."""
MAX_PREF_NAME_CHARS = 20
MAX_AREA_TYPE_CHARS = 40

MAX_COUNT = 1_000_000
"""件数・算定回数 (answer type ``count``): one institution's count for the previous year."""
MAX_DECIMAL = 1_000
"""常勤換算の人数 (answer type ``decimal``)."""
MAX_POPULATION = 10_000_000
"""人口・65歳以上人口・75歳以上人口 of one 市町村 (the largest, 横浜市, has 3.8 million)."""

INT64_MAX = 2**63 - 1
"""What SQLite stores as INTEGER; every bound above is far below it."""


def max_value(answer_type: str, override: float | None = None) -> float:
    """The upper bound of a numeric item: the dictionary's ``max_value`` of the item, else the
    default of its answer type (``MAX_COUNT`` for count, ``MAX_DECIMAL`` for decimal)."""
    if override is not None:
        return override
    return MAX_COUNT if answer_type == "count" else MAX_DECIMAL
