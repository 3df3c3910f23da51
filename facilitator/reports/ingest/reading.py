"""Read a CSV (UTF-8 with/without BOM, CP932) or .xlsx file into columns of raw strings.

Everything the importer validates is located by the spreadsheet row (header = row 1, the
same number Excel shows) and the column header as written in the file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from facilitator.reports.errors import ReportImportError
from facilitator.reports.ingest import limits
from facilitator.reports.ingest.chars import header_text, visible
from facilitator.reports.ingest.fast_csv import read_plain_csv
from facilitator.reports.ingest.xlsx import column_letter, read_xlsx, too_many_rows
from facilitator.reports.models import RowError

_BOM = b"\xef\xbb\xbf"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_B = re.compile(rb"\r\n|\r|\n")
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
    notes: list[str] = field(default_factory=list)  # warnings from reading (kept as is)

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def read_table(path: str | Path) -> Table:
    """Read a report or area file; raise ``ReportImportError`` if it cannot be read at all.

    The size is checked before anything is read (``limits.MAX_CSV_BYTES`` /
    ``MAX_XLSX_BYTES``); a zip (.xlsx) is recognised by its content, whatever its name.
    """
    path = Path(path)
    name = display_name(path)
    data = _read_bytes(path, name)
    if not data.strip():
        raise ReportImportError(name, [_file_error(name, "ファイルが空です。")])
    suffix = path.suffix.lower()
    if data[:4] == _ZIP or (suffix in (".xlsx", ".xlsm") and data[:8] != _OLE):
        records, extra = read_xlsx(data, name)
        table = _to_table(records, name, "xlsx", extra)
        if suffix not in (".xlsx", ".xlsm"):
            table.notes.append(
                f"拡張子は「{visible(suffix, 10) or 'なし'}」ですが中身は Excel（.xlsx）のため、"
                ".xlsx として読みました。"
            )
        return table
    if suffix == ".xls" or data[:8] == _OLE:
        raise ReportImportError(
            name,
            [
                _file_error(
                    name,
                    "旧形式の Excel（.xls）またはパスワード付きの Excel ファイルは読めません。"
                    "パスワードを外し、.xlsx または CSV で保存し直してください。",
                )
            ],
        )
    text, encoding = _decode(data, name)
    return _parse_csv(text, name, encoding)


def display_name(path: Path) -> str:
    """The file name as shown in messages and stored as the source (no control characters)."""
    return visible(path.name)


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes; its size is checked first against the limit of its kind."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(8)
            is_zip = head[:4] == _ZIP or path.suffix.lower() in (".xlsx", ".xlsm")
            cap = limits.MAX_XLSX_BYTES if is_zip else limits.MAX_CSV_BYTES
            if size > cap:
                _too_big(name, size, cap, is_zip)
            data = head + f.read(cap + 1 - len(head))
    except ValueError as exc:  # a path with a NUL character
        raise ReportImportError(
            name, [_file_error(name, "ファイル名が正しくありません。")]
        ) from exc
    except OSError as exc:
        reason = {
            FileNotFoundError: "ファイルが見つかりません。",
            IsADirectoryError: "フォルダです。ファイルを指定してください。",
            PermissionError: "読み取りの権限がありません。",
        }.get(type(exc), f"ファイルを読めません（{exc.strerror}）。")
        raise ReportImportError(name, [_file_error(name, reason)]) from exc
    if len(data) > cap:  # grew while being read, or a device without a size
        _too_big(name, len(data), cap, is_zip)
    return data


def _too_big(name: str, size: int, cap: int, is_zip: bool) -> None:
    kind = "Excel（.xlsx）" if is_zip else "CSV"
    raise ReportImportError(
        name,
        [
            _file_error(
                name,
                f"ファイルが大きすぎます（{size / limits.MB:,.1f} MB。{kind}の上限は"
                f" {cap / limits.MB:,.0f} MB）。都道府県や年ごとにファイルを分けてください。",
            )
        ],
    )


def header_row(path: str | Path) -> list[str]:
    """The first row of a file, read cheaply (to order files before import); [] if unreadable.

    Never raises for a bad file: the import that follows reports what is wrong with it.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(65536)
            if head[:4] == _ZIP:
                if size > limits.MAX_XLSX_BYTES:
                    return []
                records, _ = read_xlsx(head + f.read(), display_name(path), max_rows=1)
                return [header_text(h) for h in records[0]] if records else []
        line = _LINE_BREAK_B.split(head, maxsplit=1)[0]
        for enc in ("utf-8-sig", "cp932"):
            try:
                return [header_text(h) for h in next(csv.reader([line.decode(enc)]), [])]
            except UnicodeDecodeError:
                continue
    except (OSError, csv.Error, ReportImportError):
        pass
    return []


def _file_error(
    name: str, reason: str, row: int | None = None, column: str = "", value: str = ""
) -> RowError:
    return RowError(file=name, row=row, column=column, value=value, reason=reason)


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16/32 BOM, or NUL bytes in at least 1 of 16 of the first 4 KB (a stray NUL in a
    UTF-8 or CP932 file is a character like any other and is dealt with per cell)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:4096]
    nul = head.count(0)
    return nul >= 16 and nul * 16 >= len(head)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if _looks_utf16(data):
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
    """The undecodable byte located by line and (when the line parses) column."""
    newline = b"\n" if data.find(b"\n", 0, pos) >= 0 else b"\r"  # CR-only files count CRs
    line_start = max(data.rfind(b"\n", 0, pos), data.rfind(b"\r", 0, pos)) + 1
    row = data.count(newline, 0, pos) + 1
    first = _LINE_BREAK_B.split(data[:65536], maxsplit=1)[0]
    try:
        headers = next(csv.reader([first.decode(encoding, errors="replace").lstrip("\ufeff")]), [])
        prefix = data[line_start:pos].decode(encoding, errors="replace")
        col_index = len(next(csv.reader([prefix + "x"]), [""])) - 1
    except csv.Error:
        headers, col_index = [], -1
    column = header_text(headers[col_index].strip()) if 0 <= col_index < len(headers) else ""
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
    """CSV with any line ending (CR LF, LF or CR only), comma- or tab-separated."""
    first_line = _LINE_BREAK.split(text, maxsplit=1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    plain = _plain_table(text, delimiter, name, encoding)
    if plain is not None:
        return plain
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        records.extend(islice(reader, limits.MAX_DATA_ROWS + 2))
    except csv.Error as exc:
        raise ReportImportError(name, [_csv_error(text, delimiter, records, exc, name)]) from exc
    if len(records) > limits.MAX_DATA_ROWS + 1:
        raise ReportImportError(
            name, [_file_error(name, too_many_rows(len(records)), row=len(records))]
        )
    return _to_table(records, name, encoding)


def _plain_table(text: str, delimiter: str, name: str, encoding: str) -> Table | None:
    """The table read by Arrow when the file is plain and its header needs no repair (the
    csv module path below reads, trims and reports everything else)."""
    read = read_plain_csv(text, delimiter)
    if read is None:
        return None
    record, columns = read
    headers = [header_text(h.strip()) for h in record]
    if not headers[-1] or len(headers) > limits.MAX_COLUMNS:
        return None
    rows = list(range(2, len(columns[0]) + 2))
    return Table(file=name, headers=headers, columns=columns, rows=rows, encoding=encoding)  # type: ignore[arg-type]


def _csv_error(
    text: str, delimiter: str, records: list[list[str]], exc: csv.Error, name: str
) -> RowError:
    """The record the csv module stopped at (row = records read + 1), and its column when
    the error is a cell over the field size limit."""
    row = len(records) + 1
    if "field larger than field limit" not in str(exc):
        return _file_error(name, f"CSV として読めません（{visible(str(exc), 120)}）。", row=row)
    col = _oversized_column(text, _record_start(text, delimiter, len(records)), delimiter)
    headers = [header_text(h.strip()) for h in records[0]] if records else []
    return RowError(
        file=name,
        row=row,
        column=headers[col] if col is not None and col < len(headers) else "",
        cell=f"{column_letter(col)}{row}" if col is not None else None,
        reason=f"セルの文字数が上限（{csv.field_size_limit():,}文字）を超えています。"
        'データが壊れていないか、引用符（"）の対応を確認してください。',
    )


def _record_start(text: str, delimiter: str, n: int) -> int:
    """Offset in ``text`` of record ``n`` (0-based): after the lines of the first n records."""
    consumed = 0

    def lines():
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    for _ in islice(reader, n):
        pass
    return consumed


def _oversized_column(text: str, pos: int, delimiter: str) -> int | None:
    """Index of the first field from ``pos`` longer than the csv field limit, if any."""
    d = re.escape(delimiter)
    field_re = re.compile(rf'"(?:[^"]|"")*"?|[^{d}\r\n]*')
    col = 0
    while pos <= len(text):
        m = field_re.match(text, pos)
        if m is None:
            return None
        if m.end() - m.start() > csv.field_size_limit():
            return col
        pos = m.end()
        if pos < len(text) and text[pos] == delimiter:
            col += 1
            pos += 1
            continue
        return None
    return None


def _to_table(
    records: list[list[str]] | list[tuple[str, ...]],
    name: str,
    encoding: str | None,
    extra: list[RowError] | None = None,
) -> Table:
    if not records:
        raise ReportImportError(name, [_file_error(name, "ファイルが空です。")])
    headers = [header_text(h.strip()) for h in records[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ReportImportError(name, [_file_error(name, "1行目に列見出しがありません。", row=1)])
    if len(headers) > limits.MAX_COLUMNS:
        raise ReportImportError(
            name,
            [
                _file_error(
                    name,
                    f"列が多すぎます（{len(headers):,}列。上限 {limits.MAX_COLUMNS:,}列）。",
                    row=1,
                )
            ],
        )
    width = len(headers)
    body = records[1:]
    if not extra and {len(r) for r in body} <= {width} and all(map(any, body)):
        kept, rows = body, list(range(2, len(body) + 2))  # fast path: a clean rectangle
    else:
        kept, rows = _clean_rows(body, width, name, extra or [])
    columns = list(zip(*kept, strict=True)) if kept else [() for _ in headers]
    return Table(
        file=name,
        headers=headers,
        columns=columns,
        rows=rows,
        encoding=encoding,  # type: ignore[arg-type]
    )


def _clean_rows(
    body: list, width: int, name: str, errors: list[RowError]
) -> tuple[list, list[int]]:
    """Drop blank rows, trim empty trailing cells; rows of the wrong width are errors."""
    kept: list = []
    rows: list[int] = []
    errors = list(errors)
    for number, rec in enumerate(body, start=2):
        if not any(v.strip() for v in rec):
            continue
        if len(rec) > width and not any(v.strip() for v in rec[width:]):
            rec = rec[:width]
        elif len(rec) != width:
            if len(errors) < limits.MAX_ERRORS:
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
        errors.sort(key=lambda e: (e.row or 0, e.cell or ""))
        raise ReportImportError(name, errors, len(errors) >= limits.MAX_ERRORS)
    return kept, rows
