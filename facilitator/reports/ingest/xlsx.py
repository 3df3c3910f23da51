"""Reading the first sheet of an .xlsx safely: the zip is checked before openpyxl sees it,
then the sheet is streamed row by row.

Checks, all before openpyxl parses anything (limits in ``limits``): the number of parts
(from the zip's end record, before the directory is read), the sum of their uncompressed
sizes and their compression ratio, no DOCTYPE (so no entity is ever declared, let alone
expanded) in any XML part, and per sheet the number of row elements and of cells per row.
The sheet is then read with openpyxl's read-only parser: rows past the data-row limit stop
the reading, missing rows are never materialised, and cells right of the header are errors.
Anything openpyxl raises on a damaged file becomes a ``ReportImportError``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from facilitator.reports.errors import ReportImportError
from facilitator.reports.ingest import limits
from facilitator.reports.ingest.chars import visible
from facilitator.reports.models import RowError

_RESAVE = "Excel で開いて .xlsx として保存し直すか、CSV で保存してください。"
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c)[\s/>]")
_CHUNK = 1 << 20

Records = list[tuple[str, ...]]


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(v: object) -> str:
    """A cell value as the text a CSV would hold."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.10g}"
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    return str(v)


def read_xlsx(
    data: bytes, name: str, max_rows: int | None = None
) -> tuple[Records, list[RowError]]:
    """The first sheet as one tuple of cell texts per spreadsheet row (row k at index k-1,
    rows missing from the file as ``()``), and the errors of cells right of the header.

    ``max_rows`` stops after that many rows (reading the header only). Raises
    ``ReportImportError`` for a file that is not a readable, plausible workbook.
    """
    check_workbook(data, name, max_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops
        wb = _guard(name, lambda: _open(data))
        try:
            return _sheet_records(wb, name, max_rows)
        finally:
            wb.close()


# --- checks on the zip --------------------------------------------------------------------


def check_workbook(data: bytes, name: str, max_rows: int | None = None) -> None:
    """Refuse zip bombs, too many parts, DTDs and oversized sheets before openpyxl runs."""
    n_parts = _declared_parts(data, name)
    if n_parts > limits.MAX_XLSX_PARTS:
        _fail(
            name,
            f"部品（ZIP の項目）が多すぎます（{n_parts:,}個。上限 {limits.MAX_XLSX_PARTS:,}個）。",
        )
    zf = _guard(name, lambda: zipfile.ZipFile(io.BytesIO(data)))
    try:
        _check_parts(zf, name, max_rows)
    finally:
        zf.close()


def _check_parts(zf: zipfile.ZipFile, name: str, max_rows: int | None) -> None:
    infos = zf.infolist()
    if len(infos) > limits.MAX_XLSX_PARTS:
        _fail(
            name,
            f"部品（ZIP の項目）が多すぎます（{len(infos):,}個。上限 {limits.MAX_XLSX_PARTS:,}個）。",
        )
    if "[Content_Types].xml" not in zf.namelist():
        _fail(name, "ZIP ファイルですが Excel のブック（.xlsx）ではありません。" + _RESAVE)
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_XLSX_UNCOMPRESSED:
        _fail(
            name,
            f"展開後のサイズが大きすぎます（{total / limits.MB:,.0f} MB。"
            f"上限 {limits.MAX_XLSX_UNCOMPRESSED / limits.MB:,.0f} MB）。",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            _fail(
                name,
                "暗号化（パスワード付き）された部品があります。パスワードを外して保存し直してください。",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.RATIO_CHECKED_FROM and ratio > limits.MAX_XLSX_RATIO:
            _fail(
                name,
                f"部品「{visible(info.filename, 60)}」の圧縮率が異常です（{ratio:,.0f}倍。"
                f"上限 {limits.MAX_XLSX_RATIO}倍）。ZIP 爆弾の疑いがあるため読みません。",
            )
        _guard(name, lambda info=info: _check_part(zf, info, name, max_rows))


def _declared_parts(data: bytes, name: str) -> int:
    """Entries the zip's end record announces (ZIP64 too), read before its directory is.

    zipfile reads the directory by its size, not by the count, so the size counts too:
    an entry takes at least 46 bytes and Excel's take about 100.
    """
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        _fail(
            name,
            "Excel（.xlsx）として読めません: ZIP として壊れています（終端レコードがありません）。"
            + _RESAVE,
        )
    count, size = struct.unpack_from("<HI", data, pos + 10)
    loc = pos - 20
    if loc >= 0 and data[loc : loc + 4] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", data, loc + 8)[0]
        if offset + 56 <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
            count64, size64 = struct.unpack_from("<QQ", data, offset + 32)
            count, size = max(count, count64), max(size, size64)
    return max(count, size // 1024)


class _Root(Exception):
    """The root element started: the prolog had no DOCTYPE."""


class _Doctype(Exception):
    """A DOCTYPE (or entity declaration) in the prolog."""


def _check_part(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, max_rows: int | None
) -> None:
    """No DOCTYPE in an XML part; bounded rows and cells per row in a sheet-like part."""
    with zf.open(info) as f:
        head = f.read(limits.MAX_XML_PROLOG)
        kind = _prolog(head)
        part = visible(info.filename, 60)
        if kind == "doctype":
            _fail(
                name,
                f"部品「{part}」の XML に DOCTYPE（実体の宣言）があります。"
                "Excel が保存したファイルにはないもので、安全のため読みません。" + _RESAVE,
            )
        if kind == "bad":
            _fail(name, f"部品「{part}」の XML が壊れています。" + _RESAVE)
        if kind == "xml" and (head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]):
            _fail(
                name,
                f"部品「{part}」の XML が UTF-16 です（Excel は UTF-8 で保存します）。" + _RESAVE,
            )
        if kind == "xml":
            _scan_rows(head, f, name, part, max_rows)


def _prolog(head: bytes) -> str:
    """'xml' (root element reached), 'doctype', 'bad' (looks like XML, unreadable or no
    root within ``MAX_XML_PROLOG`` bytes) or 'other' (not XML: images, binaries)."""
    parser = expat.ParserCreate()

    def root(*_: object) -> None:
        raise _Root

    def doctype(*_: object) -> None:
        raise _Doctype

    parser.StartElementHandler = root
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(head, False)
    except _Root:
        return "xml"
    except _Doctype:
        return "doctype"
    except expat.ExpatError:
        pass
    stripped = head.lstrip(b" \t\r\n")
    looks_xml = stripped[:1] == b"<" or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    return "bad" if looks_xml else "other"


def _scan_rows(
    head: bytes, f: io.BufferedIOBase, name: str, part: str, max_rows: int | None
) -> None:
    """Count row elements and cell elements per row with a byte scan (no XML parser)."""
    rows = cells = 0
    tail = b""
    chunk = head
    while chunk:
        buf = tail + chunk
        cut = buf.rfind(b"<")
        buf, tail = (buf[:cut], buf[cut : cut + 64]) if cut >= 0 else (buf, b"")
        pieces = _ROW_TAG.split(buf) if _PREFIXED.search(buf) else buf.split(b"<row")
        if rows:
            cells += _cells(pieces[0])
        for piece in pieces[1:]:
            _check_cells(cells, rows, name, part)
            rows += 1
            cells = _cells(piece)
        _check_cells(cells, rows, name, part)
        if rows > limits.MAX_SHEET_ROWS:
            _fail(
                name,
                f"シート「{part}」の行が多すぎます（{limits.MAX_SHEET_ROWS:,}行を超えます。"
                "書式だけの空行も数えます）。不要な行を削除して保存し直してください。",
            )
        if max_rows is not None and rows > max_rows:
            return
        chunk = f.read(_CHUNK)


def _cells(piece: bytes) -> int:
    """Cell elements in a piece of sheet XML (plain ``<c`` tags counted at C speed)."""
    if b":c" in piece and _PREFIXED.search(piece):
        return len(_CELL_TAG.findall(piece))
    return piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/")


def _check_cells(cells: int, rows: int, name: str, part: str) -> None:
    if cells > limits.MAX_ROW_CELLS:
        _fail(
            name,
            f"シート「{part}」の{rows:,}番目の行のセルが多すぎます（{cells:,}個。"
            f"上限 {limits.MAX_ROW_CELLS:,}個）。",
        )


# --- reading the sheet --------------------------------------------------------------------


def _open(data: bytes) -> Any:
    from openpyxl import load_workbook  # deferred: only needed for .xlsx

    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def _sheet_records(wb: Any, name: str, max_rows: int | None) -> tuple[Records, list[RowError]]:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    sheets = _guard(name, lambda: wb.worksheets)
    if not sheets or not isinstance(sheets[0], ReadOnlyWorksheet):
        _fail(name, "先頭のシートが表（ワークシート）ではありません。")
    records: Records = []
    extra: list[RowError] = []
    try:
        _collect_rows(_rows(wb, sheets[0], name), records, extra, name, max_rows)
    except _BadCell as err:
        raise _bad_cell(name, err, records[0] if records else ()) from err
    return records, extra


def _collect_rows(
    rows: Iterator[tuple[int, list[dict]]],
    records: Records,
    extra: list[RowError],
    name: str,
    max_rows: int | None,
) -> None:
    """Fill ``records`` (and ``extra``) from the sheet's rows; empty rows are skipped."""
    width = 0
    for idx, cells in rows:
        values = {c["column"]: c["value"] for c in cells if c["value"] not in (None, "")}
        if not values:
            continue  # empty or formatted-only row: never materialised
        if idx <= len(records):
            _fail(
                name, f"行番号（{idx}行目）の順序が正しくありません（壊れたファイル）。" + _RESAVE
            )
        if idx > limits.MAX_DATA_ROWS + 1:
            _fail(name, too_many_rows(idx))
        records.extend([()] * (idx - 1 - len(records)))
        if not width:
            width = min(max(values), limits.MAX_COLUMNS + 1)
        header = records[0] if records else ()
        records.append(_record(values, width, idx, name, extra, header))
        if max_rows is not None and len(records) >= max_rows:
            break


def too_many_rows(row: int) -> str:
    return (
        f"データ行が多すぎます（{row:,}行目にデータがあります。上限 {limits.MAX_DATA_ROWS:,}行）。"
        "都道府県や年ごとにファイルを分けてください。"
    )


def _record(
    values: dict[int, object],
    width: int,
    idx: int,
    name: str,
    extra: list[RowError],
    header: tuple[str, ...],
) -> tuple[str, ...]:
    """One row cut to the header's width; a value right of it or too long is an error."""
    row = [""] * width
    for col, v in values.items():
        text = v if type(v) is str else cell_text(v)
        if col <= width and len(text) <= limits.MAX_CELL_CHARS:
            row[col - 1] = text
            continue
        if col > width:
            column = f"{column_letter(col - 1)}列（見出しなし）"
            reason = "見出し行より右の列に値があります（見出しのない列は取り込めません）。"
        else:
            column = visible(header[col - 1].strip()) if col <= len(header) else ""
            reason = f"セルの文字数が上限（{limits.MAX_CELL_CHARS:,}文字）を超えています。"
        if len(extra) < limits.MAX_ERRORS:
            extra.append(
                RowError(
                    file=name,
                    row=idx,
                    column=column,
                    value=visible(text, 80),
                    reason=reason,
                    cell=f"{column_letter(col - 1)}{idx}",
                )
            )
    return tuple(row)


class _BadCell(Exception):
    """openpyxl failed inside a row: where (row, 1-based column) and why."""

    def __init__(self, row: int, col: int, cause: Exception) -> None:
        super().__init__(row, col, cause)
        self.row, self.col, self.cause = row, col, cause


def _rows(wb: Any, ws: Any, name: str) -> Iterator[tuple[int, list[dict]]]:
    """(row number, cells) of the rows present in the sheet XML, via openpyxl's parser."""
    from openpyxl.worksheet._reader import WorkSheetParser

    src = _guard(name, ws._get_source)
    try:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        it = parser.parse()
        while True:
            try:
                item = next(it)
            except StopIteration:
                return
            except (ValueError, TypeError, IndexError, OverflowError) as exc:
                if parser.row_counter and parser.col_counter:  # a cell's value: locate it
                    raise _BadCell(parser.row_counter, parser.col_counter, exc) from exc
                raise unreadable(name, exc) from exc
            except Exception as exc:  # openpyxl on a damaged sheet: any error means unreadable
                raise unreadable(name, exc) from exc
            parser.row_dimensions.clear()  # row heights: not needed, would grow per row
            yield item
    finally:
        src.close()


def _bad_cell(name: str, err: _BadCell, header: tuple[str, ...]) -> ReportImportError:
    """A cell openpyxl cannot convert (a number of 5,000 digits, a shared string index that
    does not exist, a date out of range), located by row and column."""
    col = err.col - 1
    column = header[col].strip() if col < len(header) else f"{column_letter(col)}列"
    reason = (
        "セルの値を読めません（数値の桁数が多すぎる・存在しない共有文字列を指す など、"
        f"壊れたセルです: {type(err.cause).__name__}）。" + _RESAVE
    )
    cell = f"{column_letter(col)}{err.row}"
    return ReportImportError(
        name, [RowError(file=name, row=err.row, column=visible(column), reason=reason, cell=cell)]
    )


def _guard(name: str, fn: Any) -> Any:
    """``fn()``; whatever zipfile or openpyxl raises on a damaged file → ReportImportError."""
    try:
        return fn()
    except ReportImportError:
        raise
    except Exception as exc:
        raise unreadable(name, exc) from exc


def unreadable(name: str, exc: BaseException) -> ReportImportError:
    """The Japanese message for an exception raised while reading a damaged workbook."""
    kind = type(exc).__name__
    detail = visible(str(exc), 120)
    if isinstance(exc, zlib.error):
        why = "圧縮データが壊れています"
    elif isinstance(exc, zipfile.BadZipFile):
        why = f"ZIP として壊れています（{detail}）"
    elif "ParseError" in kind or "XMLSyntaxError" in kind or isinstance(exc, expat.ExpatError):
        why = f"XML が壊れています（{detail}）"
    elif isinstance(exc, KeyError):
        why = f"必要な部品がありません（{detail}）"
    else:
        why = f"内容を解釈できません（{kind}: {detail}）"
    return ReportImportError(
        name,
        [
            RowError(
                file=name,
                row=None,
                column="",
                reason=f"Excel（.xlsx）として読めません: {why}。" + _RESAVE,
            )
        ],
    )


def _fail(name: str, reason: str) -> Any:
    raise ReportImportError(name, [RowError(file=name, row=None, column="", reason=reason)])
