"""Read a CSV (UTF-8 with/without BOM, CP932) or .xlsx file into columns of raw strings.

Everything the importer validates is located by the spreadsheet row (header = row 1, the
same number Excel shows) and the column header as written in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from facilitator.reports.errors import ReportImportError
from facilitator.reports.models import RowError

_BOM = b"\xef\xbb\xbf"
_RESAVE = (
    "Excel で「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」（CP932）として"
    "保存し直してください。"
)


@dataclass
class Table:
    """A file's header and its data as one list of raw strings per column."""

    file: str
    headers: list[str]
    columns: list[Sequence[str]]
    rows: list[int] = field(default_factory=list)  # spreadsheet row of each record
    encoding: str | None = None

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_table(path: str | Path) -> Table:
    """Read a report or area file; raise ``ReportImportError`` if it cannot be read at all."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = {
            FileNotFoundError: "ファイルが見つかりません。",
            IsADirectoryError: "フォルダです。ファイルを指定してください。",
            PermissionError: "読み取りの権限がありません。",
        }.get(type(exc), f"ファイルを読めません（{exc.strerror}）。")
        raise ReportImportError(name, [_file_error(name, reason)]) from exc
    if not data.strip():
        raise ReportImportError(name, [_file_error(name, "ファイルが空です。")])
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name, data)
    if path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReportImportError(
            name,
            [
                _file_error(
                    name,
                    "旧形式の Excel（.xls）は読めません。.xlsx または CSV で保存し直してください。",
                )
            ],
        )
    text, encoding = _decode(data, name)
    return _parse_csv(text, name, encoding)


def header_row(path: str | Path) -> list[str]:
    """The first row of a file, read cheaply (to order files before import); [] if unreadable."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(65536)
        if head[:4] == b"PK\x03\x04":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            try:
                first = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                wb.close()
            return [_cell_text(v) for v in first]
        line = head.split(b"\n", 1)[0]
        for enc in ("utf-8-sig", "cp932"):
            try:
                return next(csv.reader([line.decode(enc)]), [])
            except UnicodeDecodeError:
                continue
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        pass
    return []


def _file_error(
    name: str, reason: str, row: int | None = None, column: str = "", value: str = ""
) -> RowError:
    return RowError(file=name, row=row, column=column, value=value, reason=reason)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise ReportImportError(
            name,
            [
                _file_error(
                    name,
                    "UTF-16 などの読めない文字コードです（NUL バイトを含む）。" + _RESAVE,
                    row=1,
                )
            ],
        )
    if data.startswith(_BOM):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ReportImportError(name, [_bad_bytes(data, exc.start + 3, "utf-8", name)]) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e8:
        try:
            return data.decode("cp932"), "cp932"
        except UnicodeDecodeError as ec:
            # Evidently UTF-8 (valid multi-byte text before the bad byte): report that position.
            looks_utf8 = any(b >= 0x80 for b in data[: e8.start])
            pos, enc = (e8.start, "utf-8") if looks_utf8 else (ec.start, "cp932")
            raise ReportImportError(name, [_bad_bytes(data, pos, enc, name)]) from ec


def _bad_bytes(data: bytes, pos: int, encoding: str, name: str) -> RowError:
    line_start = data.rfind(b"\n", 0, pos) + 1
    row = data.count(b"\n", 0, pos) + 1
    header_line = data.split(b"\n", 1)[0].decode(encoding, errors="replace").lstrip("\ufeff")
    headers = next(csv.reader([header_line]), [])
    prefix = data[line_start:pos].decode(encoding, errors="replace")
    col_index = len(next(csv.reader([prefix + "x"]), [""])) - 1
    column = headers[col_index].strip() if 0 <= col_index < len(headers) else ""
    return RowError(
        file=name,
        row=row,
        column=column,
        value=f"0x{data[pos]:02X}",
        cell=f"{column_letter(col_index)}{row}" if col_index >= 0 else None,
        reason="文字コードを判別できません（UTF-8 としても CP932（Shift_JIS）としても"
        "読めないバイトがあります）。" + _RESAVE,
    )


def _parse_csv(text: str, name: str, encoding: str) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ReportImportError(
            name, [_file_error(name, f"CSV として読めません（{exc}）。", row=reader.line_num)]
        ) from exc
    return _to_table(records, name, encoding)


def _to_table(
    records: list[list[str]] | list[tuple[str, ...]], name: str, encoding: str | None
) -> Table:
    if not records:
        raise ReportImportError(name, [_file_error(name, "ファイルが空です。")])
    headers = [h.strip() for h in records[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ReportImportError(name, [_file_error(name, "1行目に列見出しがありません。", row=1)])
    width = len(headers)
    body = records[1:]
    if {len(r) for r in body} <= {width} and all(map(any, body)):
        kept, rows = body, list(range(2, len(body) + 2))  # fast path: a clean rectangle
    else:
        kept, rows = _clean_rows(body, width, name)
    columns = list(zip(*kept, strict=True)) if kept else [() for _ in headers]
    return Table(
        file=name,
        headers=headers,
        columns=columns,
        rows=rows,
        encoding=encoding,  # type: ignore[arg-type]
    )


def _clean_rows(body: list, width: int, name: str) -> tuple[list, list[int]]:
    """Drop blank rows, trim empty trailing cells; rows of the wrong width are errors."""
    kept: list = []
    rows: list[int] = []
    errors: list[RowError] = []
    for number, rec in enumerate(body, start=2):
        if not any(v.strip() for v in rec):
            continue
        if len(rec) > width and not any(v.strip() for v in rec[width:]):
            rec = rec[:width]
        elif len(rec) != width:
            errors.append(
                _file_error(
                    name,
                    f"列の数（{len(rec)}列）が見出し行（{width}列）と一致しません。",
                    row=number,
                )
            )
            continue
        kept.append(rec)
        rows.append(number)
    if errors:
        raise ReportImportError(name, errors)
    return kept, rows


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.10g}"
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return str(v)


def _read_xlsx(path: Path, name: str, data: bytes) -> Table:
    from openpyxl import load_workbook  # deferred: only needed for .xlsx

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReportImportError(
            name, [_file_error(name, f"Excel（.xlsx）ファイルとして読めません（{exc}）。")]
        ) from exc
    try:
        ws = wb.worksheets[0]
        records = [
            tuple(_cell_text(v) for v in row) for row in ws.iter_rows(min_row=1, values_only=True)
        ]
    finally:
        wb.close()
    width = max((len(r) for r in records[:1]), default=0)
    records = [r + ("",) * (width - len(r)) if len(r) < width else r for r in records]
    return _to_table(records, name, "xlsx")
