"""Size checks on an uploaded workbook, made on the zip file before openpyxl opens it.

An exported 課題管理シート is a few hundred kilobytes with well under a thousand rows, so
anything far larger is refused with the file and worksheet named: a zip member that
would inflate past :data:`MAX_MEMBER_BYTES` (a zip bomb), too many members, or a
worksheet with a cell beyond :data:`MAX_ROWS` rows or :data:`MAX_COLS` columns (one cell
at row 1,048,576 would otherwise make openpyxl walk a million rows). The worksheets are
read as a stream and the check stops at the first cell out of bounds, so a hostile file
is refused in well under a second. The zip's declared sizes can be trusted: Python's
zipfile never inflates a member past its declared size.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from facilitator.export.xlsx_rows import ImportProblem

MAX_ROWS = 2_000
MAX_COLS = 50
MAX_CELLS = 200_000
"""All worksheets together."""
MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 60 * 1024 * 1024
MAX_RATIO = 200
"""Inflated / compressed size; only checked for members above 1 MB."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_MB = 1024 * 1024
_RANGES = (f"{_MAIN}mergeCell", f"{_MAIN}hyperlink")


class TooLarge(Exception):
    """One problem found; carries the :class:`ImportProblem` to report."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Zip member name → worksheet title, from the workbook and its relationships."""
    try:
        targets: dict[str, str] = {}
        with zf.open("xl/_rels/workbook.xml.rels") as fh:
            for _, el in iterparse(fh):
                if el.tag == f"{_PKG_REL}Relationship":
                    target = el.get("Target", "")
                    if target.startswith("/"):
                        target = target.lstrip("/")
                    else:
                        target = posixpath.normpath(posixpath.join("xl", target))
                    targets[el.get("Id", "")] = target
        titles: dict[str, str] = {}
        with zf.open("xl/workbook.xml") as fh:
            for _, el in iterparse(fh):
                if el.tag == f"{_MAIN}sheet":
                    member = targets.get(el.get(f"{_REL}id", ""))
                    if member:
                        titles[member] = el.get("name", member)
        return titles
    except (KeyError, ParseError, zipfile.BadZipFile):
        return {}  # openpyxl reports an unreadable workbook itself


def _check_members(zf: zipfile.ZipFile, name: str) -> None:
    members = zf.infolist()
    if len(members) > MAX_MEMBERS:
        raise TooLarge(
            ImportProblem(
                worksheet=name,
                message=f"ファイルの中身が多すぎます（{len(members):,} 個、{MAX_MEMBERS:,} 個まで）。"
                "facilitator で出力した Excel ファイルを使ってください。",
            )
        )
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > MAX_MEMBER_BYTES
            or total > MAX_TOTAL_BYTES
            or (info.file_size > _MB and ratio > MAX_RATIO)
        ):
            raise TooLarge(
                ImportProblem(
                    worksheet=name,
                    message=f"展開すると大きすぎるため読みません（中の「{info.filename}」が"
                    f" {info.file_size / _MB:,.1f} MB、全体で {MAX_TOTAL_BYTES // _MB} MB まで）。"
                    "facilitator で出力した Excel ファイルを使ってください。",
                )
            )


def _too_large(title: str, cell: str) -> ImportProblem:
    return ImportProblem(
        worksheet=title,
        cell=cell,
        message=f"ワークシートが大きすぎるため読みません（{MAX_ROWS:,} 行・{MAX_COLS} 列まで）。"
        "範囲外のセルを削除するか、facilitator で出力し直したファイルに編集内容を写してください。",
    )


def _check_worksheet(zf: zipfile.ZipFile, member: str, title: str, cells: int) -> int:
    """Stream one worksheet's XML; returns the running cell count."""
    row = col = 0
    with zf.open(member) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            if event == "end":
                if el.tag in (f"{_MAIN}row", f"{_MAIN}c"):
                    el.clear()
                continue
            if el.tag == f"{_MAIN}row":
                r = el.get("r", "")
                row, col = (int(r) if r.isdigit() else row + 1), 0
                continue
            if el.tag in _RANGES:  # openpyxl makes a cell for every cell of these ranges
                m = _REF.match(el.get("ref", "").rpartition(":")[2].replace("$", ""))
                if m and (int(m.group(2)) > MAX_ROWS or _column(m.group(1)) > MAX_COLS):
                    raise TooLarge(_too_large(title, el.get("ref", "")))
                continue
            if el.tag != f"{_MAIN}c":
                continue
            m = _REF.match(el.get("r", ""))
            row, col = (int(m.group(2)), _column(m.group(1))) if m else (row, col + 1)
            cells += 1
            if row > MAX_ROWS or col > MAX_COLS:
                raise TooLarge(_too_large(title, m.group(0) if m else ""))
            if cells > MAX_CELLS:
                raise TooLarge(
                    ImportProblem(
                        worksheet=title,
                        message=f"セルが多すぎるため読みません（ブック全体で {MAX_CELLS:,} 個まで）。",
                    )
                )
    return cells


def check_workbook_size(path: Path) -> None:
    """Raise :class:`TooLarge` when ``path`` is too large to open safely.

    A file that is not a zip at all passes: openpyxl then says it cannot read it.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with zf:
        _check_members(zf, path.name)
        titles = _sheet_titles(zf)
        cells = 0
        names = set(zf.namelist())
        sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        sheets += [n for n in titles if n in names and n not in sheets]  # wherever rels point
        for member in sorted(sheets):
            try:
                cells = _check_worksheet(zf, member, titles.get(member, member), cells)
            except (ParseError, zipfile.BadZipFile, EOFError):
                continue  # openpyxl reports the broken part with the file name
