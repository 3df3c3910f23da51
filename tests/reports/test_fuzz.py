"""Hostile report files (issue 11): property-based fuzzing of the import, and one regression
test per cause the fuzzing probe found.

Properties, for CSV, .xlsx and batches made from the sample: only ``FacilitatorError``
escapes ``import_file`` (and ``import_files`` never raises for a bad file), a rejected file
(or batch) leaves the database exactly as it was (a dump of every table), and an accepted
file stores only finite, bounded numbers and text without control characters.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from facilitator.cli.reports import reports
from facilitator.errors import FacilitatorError
from facilitator.reports import ReportImportError, import_file, import_files, open_store
from facilitator.reports.errors import NotStoredError, UnexpectedImportError
from facilitator.reports.ingest import limits
from facilitator.reports.ingest.chars import CONTROLS, REMOVED
from facilitator.reports.sample.prefecture import AREAS_FILE
from facilitator.reports.store import DATA_TABLES
from facilitator.settings import Settings

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "facilitator-hypothesis")  # not the checkout
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SHEET = "xl/worksheets/sheet1.xml"
NASTY = [
    "9" * 5000,
    "9" * 400 + ".0",
    str(2**63),
    "1" + "0" * 310,
    "1" + "0" * 20,
    "1e400",
    "-1",
    "nan",
    "１２．５",
    "0." + "0" * 400 + "1",
    "\x00",
    "架空\x00病院",
    "\x07\x1b[31m",
    "a\rb",
    "\u202e",
    "x" * 140_000,
    "あ" * 2001,
    "1;" + "9" * 5000,
    '"',
    "",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=()), max_size=12),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
)


# --- the fuzzing base: 20 institutions of the sample, as CSV and .xlsx ---------------------


@dataclass
class Base:
    root: Path
    report: list[list[str]]
    areas: list[list[str]]
    report_csv: bytes
    report_xlsx: bytes
    parts: dict[str, bytes]
    n: list[int] = field(default_factory=lambda: [0])

    def fresh(self) -> Settings:
        """A private copy of the base database (areas + the 20 institutions)."""
        self.n[0] += 1
        data = self.root / f"db{self.n[0]}"
        shutil.copytree(self.root / "base", data)
        return Settings(data_dir=data)

    def write(self, name: str, content: bytes) -> Path:
        path = self.root / "in" / f"{self.n[0]}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path


@pytest.fixture(scope="module")
def base(sample_dir: Path, report_rows, tmp_path_factory: pytest.TempPathFactory) -> Base:
    header, rows = report_rows
    report = [header, *(list(r) for r in rows[:20])]
    areas_text = (sample_dir / AREAS_FILE).read_text("utf-8-sig")
    areas = list(csv.reader(io.StringIO(areas_text, newline="")))
    xlsx = to_xlsx(report)
    b = Base(
        tmp_path_factory.mktemp("fuzz"),
        report,
        areas,
        to_csv(report),
        xlsx,
        parts_of(xlsx),
    )
    settings_ = Settings(data_dir=b.root / "base")
    with open_store(settings_) as store:
        import_file(sample_dir / AREAS_FILE, store)
        import_file(b.write("base.csv", b.report_csv), store)
    return b


def to_csv(grid: list[list[str]], encoding="cp932", newline="\r\n", delimiter=",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, delimiter=delimiter).writerows(grid)
    try:
        return buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return buf.getvalue().encode("utf-8", errors="surrogatepass")


def to_xlsx(grid: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in grid:
        ws.append(
            [
                None
                if v == ""
                else int(v)
                if k >= 7 and v.isascii() and v.isdigit() and len(v) < 16
                else re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", v)  # openpyxl refuses C0
                for k, v in enumerate(row)
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def zipped(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


# --- the properties -------------------------------------------------------------------------


def dump(settings_: Settings) -> list[list[tuple]]:
    """Every report table, row by row (the whole report data)."""
    with open_store(settings_) as store:
        return [store.rows(t) for t in DATA_TABLES]


def assert_clean(settings_: Settings) -> None:
    """What an accepted file stored: finite, bounded numbers; no control characters."""
    with open_store(settings_) as store:
        for *_, v in store.long_answers():
            if isinstance(v, str):
                assert not REMOVED.search(v) and "\r" not in v, v
            else:
                top = limits.MAX_DECIMAL if isinstance(v, float) else limits.MAX_COUNT
                assert math.isfinite(v) and 0 <= v <= top, v
        texts = [r[5] for r in store.rows("institutions")]
        texts += [r[2] for r in store.rows("datasets")]
        areas = store.rows("areas")
        texts += [t for a in areas for t in (a[3], a[5], a[7], a[11], a[13])]
        assert not [t for t in texts if t and CONTROLS.search(t)]
        assert all(a[8] <= limits.MAX_POPULATION for a in areas)


def outcome(base: Base, name: str, content: bytes) -> FacilitatorError | None:
    """Import one file into a fresh copy of the base: None if accepted (and its values are
    clean), else the error (and the database is unchanged). Anything else propagates."""
    settings_ = base.fresh()
    path = base.write(name, content)
    before = dump(settings_)
    try:
        with open_store(settings_) as store:
            import_file(path, store)
    except FacilitatorError as exc:
        assert dump(settings_) == before, "a rejected file changed the database"
        if isinstance(exc, ReportImportError):
            assert exc.errors and all(e.file == name and e.reason for e in exc.errors)
        event("rejected")
        return exc
    assert_clean(settings_)
    event("accepted")
    return None


def mutated_grid(data: st.DataObject, grid: list[list[str]]) -> list[list[str]]:
    g = [list(r) for r in grid]
    for _ in range(data.draw(st.sampled_from([0, 0, 1, 2, 3]))):
        kind = data.draw(
            st.sampled_from(["cell", "cell", "control", "header", "drop", "ragged", "only", "dup"])
        )
        r = data.draw(st.integers(0, len(g) - 1))
        c = data.draw(st.integers(0, len(g[0]) - 1)) if g[0] else 0
        if kind == "cell" and c < len(g[r]):
            g[r][c] = data.draw(VALUES)
        elif kind == "control" and c < len(g[r]):
            g[r][c] += data.draw(st.characters(max_codepoint=0x9F, categories=["Cc"]))
        elif kind == "header" and g[0]:
            g[0][c] = data.draw(st.sampled_from(["", "報告年", "人口", "x\x00", "医療機関コード"]))
        elif kind == "drop" and g[0]:
            g = [row[:c] + row[c + 1 :] for row in g]
        elif kind == "ragged":
            g[r] = g[r][: data.draw(st.integers(0, len(g[r])))]
        elif kind == "only":
            g = g[:1]
        elif kind == "dup" and len(g) > 1:
            g.append(list(g[max(r, 1)]))
    return g


def mutated_bytes(data: st.DataObject, content: bytes) -> bytes:
    b = bytearray(content)
    edits = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate", "nul", "cr"]),
        st.integers(0, 10**7),
        st.binary(min_size=1, max_size=8),
    )
    for kind, at, blob in data.draw(st.lists(edits, min_size=1, max_size=4)):
        pos = at % (len(b) + 1)
        if kind == "flip" and b:
            b[pos % len(b)] ^= blob[0] or 1
        elif kind == "insert":
            b[pos:pos] = blob
        elif kind == "delete":
            del b[pos : pos + blob[0]]
        elif kind == "truncate":
            del b[pos:]
        elif kind == "nul":
            b[pos:pos] = b"\x00"
        elif kind == "cr":
            b = bytearray(bytes(b).replace(b"\r\n", b"\r"))
    return bytes(b)


def csv_input(base: Base, data: st.DataObject) -> bytes:
    grid = data.draw(st.sampled_from([base.report, base.report, base.areas]))
    content = to_csv(
        mutated_grid(data, grid),
        data.draw(st.sampled_from(["cp932", "utf-8", "utf-8-sig", "utf-16"])),
        data.draw(st.sampled_from(["\r\n", "\n", "\r"])),
        data.draw(st.sampled_from([",", ",", "\t"])),
    )
    return mutated_bytes(data, content) if data.draw(st.sampled_from([1, 0, 0])) else content


def xlsx_input(base: Base, data: st.DataObject) -> bytes:
    how = data.draw(st.sampled_from(["zip_bytes", "xml", "xml", "cells", "parts"]))
    if how == "zip_bytes":
        return mutated_bytes(data, base.report_xlsx)
    if how == "cells":
        return to_xlsx(mutated_grid(data, base.report))
    parts = dict(base.parts)
    if how == "parts":
        kind = data.draw(st.sampled_from(["many", "bomb", "no_types", "no_sheet"]))
        if kind == "many":
            parts.update({f"x/{k}.bin": b"" for k in range(limits.MAX_XLSX_PARTS + 1)})
        elif kind == "bomb":
            parts["docProps/app.xml"] = b"<a>" + b" " * 3_000_000 + b"</a>"
        elif kind == "no_types":
            del parts["[Content_Types].xml"]
        else:
            del parts[SHEET]
        return zipped(parts)
    name = data.draw(st.sampled_from([SHEET, SHEET, *sorted(parts)]))
    x = parts[name]
    kind = data.draw(st.sampled_from(["dtd", "bytes", "row", "value", "attr", "ref"]))
    if kind == "dtd":
        x = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + x.split(b"?>", 1)[-1]
    elif kind == "bytes":
        x = mutated_bytes(data, x)
    elif kind == "row":
        r = data.draw(st.sampled_from([1_048_576, 500_002, 10**12]))
        x = x.replace(b"</sheetData>", b'<row r="%d"><c><v>1</v></c></row></sheetData>' % r)
    elif kind == "value":
        v = data.draw(st.sampled_from([b"9" * 5000, b"1e400", b"nan", b"1e20", b"-3"]))
        x = re.sub(rb"<v>[^<]*</v>", b"<v>" + v + b"</v>", x, count=2)
    elif kind == "attr":
        a = data.draw(st.sampled_from([b' t="s"', b' t="b"', b' t="d"', b' r="XFD9"', b' r="?"']))
        x = re.sub(rb'<c r="[A-Z]+\d+"', lambda m: m.group(0) + a, x, count=2)
    else:
        ref = data.draw(st.sampled_from([b"&#x85;", b"&#127;", b"&#1;", b"&#9;", b"&#13;"]))
        x = x.replace(b"<t>", b"<t>" + ref, 3)
    parts[name] = x
    return zipped(parts)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_mutated_csv_is_accepted_clean_or_rejected_without_a_trace(base: Base, data) -> None:
    suffix = data.draw(st.sampled_from([".csv", ".txt", ".xls"]))
    outcome(base, "in" + suffix, csv_input(base, data))


@FUZZ
@given(data=st.data())
def test_mutated_xlsx_is_accepted_clean_or_rejected_without_a_trace(base: Base, data) -> None:
    suffix = data.draw(st.sampled_from([".xlsx", ".xlsx", ".csv", ".xls"]))
    outcome(base, "in" + suffix, xlsx_input(base, data))


@settings(FUZZ, max_examples=60)
@given(count=VALUES, fte=VALUES)
def test_any_number_is_stored_bounded_or_rejected_where_it_is(base: Base, count, fte) -> None:
    grid = [list(r) for r in base.report]
    head = grid[0]
    grid[3][head.index("訪問診療の実施件数")] = count
    grid[4][head.index("総合診療専門医の人数（常勤換算）")] = fte
    error = outcome(base, "numbers.csv", to_csv(grid, "utf-8"))
    if isinstance(error, ReportImportError):  # located at the cells, or (bad bytes) the file
        cells = {(4, "訪問診療の実施件数"), (5, "総合診療専門医の人数（常勤換算）")}
        assert all((e.row, e.column) in cells or e.row in (None, 1) for e in error.errors)


@settings(FUZZ, max_examples=60)
@given(name=st.text(st.characters(exclude_categories=()), min_size=1, max_size=30))
def test_any_name_is_stored_without_control_characters(base: Base, name: str) -> None:
    grid = [list(r) for r in base.report]
    grid[2][grid[0].index("医療機関名")] = name
    grid[2][grid[0].index("特記事項")] = name
    outcome(base, "names.csv", to_csv(grid, "utf-8"))


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_a_batch_is_stored_whole_or_not_at_all(base: Base, data) -> None:
    settings_ = base.fresh()
    areas = base.write(AREAS_FILE, to_csv(base.areas, "utf-8-sig"))
    mutate = data.draw(st.sampled_from([csv_input, xlsx_input]))
    other = base.write("report" + (".csv" if mutate is csv_input else ".xlsx"), mutate(base, data))
    before = dump(settings_)
    batch = import_files(settings_, [other, areas])
    assert not [f for f in batch.failures if isinstance(f, UnexpectedImportError)]
    if batch.ok:
        assert len(batch.results) == 2
        assert_clean(settings_)
    else:
        assert batch.results == [] and dump(settings_) == before


# --- one regression test per cause found by the fuzzing probe ---------------------------------


def reject(base: Base, name: str, content: bytes) -> ReportImportError:
    settings_ = base.fresh()
    before = dump(settings_)
    with open_store(settings_) as store, pytest.raises(ReportImportError) as info:
        import_file(base.write(name, content), store)
    assert dump(settings_) == before
    assert all(e.file == name for e in info.value.errors)
    return info.value


def accept(base: Base, name: str, content: bytes):
    settings_ = base.fresh()
    with open_store(settings_) as store:
        result = import_file(base.write(name, content), store)
    assert_clean(settings_)
    return result, settings_


def with_cell(base: Base, column: str, value: str, row: int = 3) -> bytes:
    grid = [list(r) for r in base.report]
    grid[row - 1][grid[0].index(column)] = value
    return to_csv(grid, "utf-8")


def test_cr_only_line_endings_are_read(base: Base) -> None:
    cr, _ = accept(base, "cr.csv", to_csv(base.report, "cp932", "\r"))
    crlf, _ = accept(base, "crlf.csv", base.report_csv)
    assert (cr.institutions, cr.answers) == (crlf.institutions, crlf.answers) == (20, crlf.answers)
    settings_ = base.fresh()
    batch = import_files(
        settings_, [base.write("cr_batch.csv", to_csv(base.report, "cp932", "\r"))]
    )
    assert batch.ok


def test_zip_named_csv_or_xls_is_read_as_xlsx(base: Base) -> None:
    for name in ("workbook.csv", "workbook.xls"):
        result, _ = accept(base, name, base.report_xlsx)
        assert result.encoding == "xlsx" and "中身は Excel（.xlsx）" in result.warnings[0]
        settings_ = base.fresh()
        assert import_files(settings_, [base.write(name, base.report_xlsx)]).ok


def test_zip_that_is_not_a_workbook_is_rejected(base: Base) -> None:
    e = reject(base, "data.csv", zipped({"a.txt": b"hello"})).errors[0]
    assert "Excel のブック（.xlsx）ではありません" in e.reason


def test_corrupt_deflate_data_is_rejected(base: Base) -> None:
    data = bytearray(base.report_xlsx)
    start = data.find(SHEET.encode()) + len(SHEET) + 100
    data[start : start + 300] = bytes(b ^ 0x5A for b in data[start : start + 300])
    e = reject(base, "deflate.xlsx", bytes(data)).errors[0]
    assert e.reason.startswith("Excel（.xlsx）として読めません") and "壊れています" in e.reason


def test_malformed_sheet_xml_is_rejected(base: Base) -> None:
    parts = dict(base.parts)
    parts[SHEET] = parts[SHEET].replace(b"</row>", b"</rov>", 1)
    e = reject(base, "xml.xlsx", zipped(parts)).errors[0]
    assert "XML が壊れています" in e.reason


def test_dtd_or_entity_in_xlsx_xml_is_rejected_and_never_expanded(base: Base) -> None:
    parts = dict(base.parts)
    laughs = b"".join(b'<!ENTITY l%d "&l%d;&l%d;">' % (k, k - 1, k - 1) for k in range(1, 30))
    parts[SHEET] = b'<!DOCTYPE x [<!ENTITY l0 "lol">' + laughs + b"]>" + parts[SHEET]
    parts[SHEET] = parts[SHEET].replace(b"<v>", b"<v>&l29;", 1)
    t0 = time.perf_counter()
    e = reject(base, "dtd.xlsx", zipped(parts)).errors[0]
    assert "DOCTYPE" in e.reason and SHEET in e.reason and time.perf_counter() - t0 < 5


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("9" * 4400, "more than 4,300 digits (Python's int-string limit)"),
        ("9" * 400 + ".0", "float → inf → int"),
        (str(2**63), "≥ 2^63 (SQLite INTEGER / C long)"),
        ("1" + "0" * 20, "implausible"),
    ],
)
def test_huge_count_is_rejected_at_its_cell(base: Base, value: str, cause: str) -> None:
    e = reject(base, "count.csv", with_cell(base, "訪問診療の実施件数", value, row=4)).errors[0]
    assert (e.file, e.row, e.column) == ("count.csv", 4, "訪問診療の実施件数"), cause
    assert f"上限（{limits.MAX_COUNT:,}）" in e.reason and e.cell is not None


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("具体的な機能を有すること及び報告事項の院内掲示", "9" * 400 + ".0"),  # choice: float → inf
        ("一次診療の対応ができる領域", "1;" + "9" * 5000),  # multi-select: int-string limit
    ],
)
def test_huge_code_in_a_choice_or_multi_select_is_rejected_at_its_cell(
    base: Base, column: str, value: str
) -> None:
    e = reject(base, "code.csv", with_cell(base, column, value, row=4)).errors[0]
    assert (e.row, e.column) == (4, column) and len(e.reason) < 200


@pytest.mark.parametrize("value", ["1" + "0" * 309, "1" + "0" * 320 + ".5", "1" + "0" * 20])
def test_decimal_of_1e309_or_implausible_fte_is_rejected(base: Base, value: str) -> None:
    column = "総合診療専門医の人数（常勤換算）"
    e = reject(base, "fte.csv", with_cell(base, column, value, row=5)).errors[0]
    assert (e.row, e.column) == (5, column) and f"上限（{limits.MAX_DECIMAL:,}）" in e.reason


def test_bounded_numbers_are_still_accepted(base: Base) -> None:
    content = with_cell(base, "訪問診療の実施件数", f"{limits.MAX_COUNT:,}")
    result, settings_ = accept(base, "max.csv", content)
    with open_store(settings_) as store:
        code = base.report[2][1]
        values = {a.item_id: a.value for a in store.answers(result.year or 0, code)}
    assert values["g2ha_houmon"] == limits.MAX_COUNT


def test_population_over_the_limit_is_rejected(base: Base) -> None:
    grid = [list(r) for r in base.areas]
    grid[2][grid[0].index("人口")] = str(limits.MAX_POPULATION + 1)
    e = reject(base, "areas.csv", to_csv(grid, "utf-8")).errors[0]
    assert (e.row, e.column) == (3, "人口") and "上限" in e.reason


def test_field_over_131072_characters_is_located(base: Base) -> None:
    content = with_cell(base, "特記事項", "x" * 140_000, row=6)
    e = reject(base, "field.csv", content).errors[0]
    assert (e.row, e.column, e.cell is not None) == (6, "特記事項", True)
    assert "131,072文字" in e.reason


def test_long_text_is_capped_per_column(base: Base) -> None:
    e = reject(base, "text.csv", with_cell(base, "特記事項", "あ" * 2001, row=6)).errors[0]
    assert (e.row, e.column) == (6, "特記事項") and "2,000文字" in e.reason


def test_nul_and_control_characters_are_stripped_from_text_with_a_warning(base: Base) -> None:
    grid = [list(r) for r in base.report]
    grid[2][grid[0].index("医療機関名")] = "架空\x00病院\x07"
    grid[3][grid[0].index("特記事項")] = "一行目\r\n二行目\x1b"
    result, settings_ = accept(base, "ctrl.csv", to_csv(grid, "utf-8"))
    assert any("医療機関名" in w and "制御文字" in w and "C3" in w for w in result.warnings)
    with open_store(settings_) as store:
        names = {i.code: i.name for i in store.institutions(2026, [r[4] for r in grid[1:]])}
        text = {a.item_id: a.value for a in store.answers(2026, grid[3][1])}
    assert names[grid[2][1]] == "架空病院" and text["g1_tokki"] == "一行目\n二行目"


def test_control_character_in_a_number_is_rejected_at_its_cell(base: Base) -> None:
    e = reject(base, "num.csv", with_cell(base, "往診の実施件数", "1\x002", row=7)).errors[0]
    assert (e.row, e.column, e.value) == (7, "往診の実施件数", "1\\x002")


def test_header_only_area_table_is_rejected(base: Base) -> None:
    e = reject(base, "areas.csv", to_csv(base.areas[:1], "utf-8")).errors[0]
    assert "データ行がありません" in e.reason


def test_batch_whose_second_file_crashes_stores_nothing(
    base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.reports.ingest import importer

    def crash(table, store):
        raise RuntimeError("boom")

    monkeypatch.setattr(importer, "import_reports", crash)
    settings_ = base.fresh()
    before = dump(settings_)
    areas = base.write(AREAS_FILE, to_csv(base.areas, "utf-8-sig"))
    report = base.write("report.csv", base.report_csv)
    batch = import_files(settings_, [report, areas])
    assert dump(settings_) == before and batch.results == []
    assert [type(f) for f in batch.failures] == [NotStoredError, UnexpectedImportError]
    assert "report.csv" in batch.failures[0].errors[0].reason
    assert "RuntimeError: boom" in batch.failures[1].errors[0].reason
    result = CliRunner().invoke(reports, ["import", str(areas), str(report)], obj=settings_)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "予期しないエラー" in result.stderr


def test_file_over_the_size_cap_is_rejected_before_reading(
    base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", 1_000)
    monkeypatch.setattr(limits, "MAX_XLSX_BYTES", 1_000)
    for name, content in (("big.csv", base.report_csv), ("big.xlsx", base.report_xlsx)):
        e = reject(base, name, content).errors[0]
        assert e.row is None and "ファイルが大きすぎます" in e.reason


def test_too_many_data_rows_are_rejected(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 10)
    assert "データ行が多すぎます" in reject(base, "rows.csv", base.report_csv).errors[0].reason
    assert "データ行が多すぎます" in reject(base, "rows.xlsx", base.report_xlsx).errors[0].reason


def test_xlsx_cell_at_row_1048576_is_rejected_quickly(base: Base) -> None:
    parts = dict(base.parts)
    far = b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", far)
    parts[SHEET] = parts[SHEET].replace(
        b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'
    )
    t0 = time.perf_counter()
    e = reject(base, "far.xlsx", zipped(parts)).errors[0]
    assert "1,048,576行目にデータ" in e.reason and time.perf_counter() - t0 < 5


def test_xlsx_formatted_empty_rows_are_skipped(base: Base) -> None:
    parts = dict(base.parts)
    empty = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % i for i in range(30, 50_000))
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", empty + b"</sheetData>")
    result, _ = accept(base, "styled.xlsx", zipped(parts))
    assert result.institutions == 20


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("parts", "部品（ZIP の項目）が多すぎます"),
        ("bomb", "圧縮率が異常です"),
        ("wide", "セルが多すぎます"),
        ("rows", "行が多すぎます"),
    ],
)
def test_inflated_xlsx_is_rejected_before_openpyxl(base: Base, change: str, expected: str) -> None:
    parts = dict(base.parts)
    if change == "parts":
        parts.update({f"x/{k}.bin": b"" for k in range(limits.MAX_XLSX_PARTS + 1)})
    elif change == "bomb":
        parts["docProps/app.xml"] = b"<a>" + b" " * 5_000_000 + b"</a>"
    elif change == "wide":
        wide = b'<row r="30">' + b"<c/>" * (limits.MAX_ROW_CELLS + 1) + b"</row></sheetData>"
        parts[SHEET] = parts[SHEET].replace(b"</sheetData>", wide)
    else:
        rows = b"".join(b'<row r="%d"/>' % k for k in range(30, limits.MAX_SHEET_ROWS + 30))
        parts[SHEET] = parts[SHEET].replace(b"</sheetData>", rows + b"</sheetData>")
    assert expected in reject(base, "inflated.xlsx", zipped(parts)).errors[0].reason


def test_xlsx_cell_openpyxl_cannot_read_is_located(base: Base) -> None:
    parts = dict(base.parts)
    parts[SHEET] = re.sub(
        rb'(<c r="H5"[^>]*>)<v>[^<]*</v>', rb"\1<v>" + b"9" * 5000 + b"</v>", parts[SHEET]
    )
    e = reject(base, "cell.xlsx", zipped(parts)).errors[0]
    assert (e.row, e.cell, e.column) == (5, "H5", base.report[0][7]) and "壊れたセル" in e.reason


def test_file_name_with_control_characters_is_stored_visible(base: Base) -> None:
    result, settings_ = accept(base, "名前\x07.csv", base.report_csv)
    with open_store(settings_) as store:
        assert [d["source_file"] for d in store.datasets()] == ["名前\\x07.csv"]
    assert result.file == "名前\\x07.csv"


def test_unusable_database_is_a_japanese_error_not_a_traceback(base: Base) -> None:
    settings_ = base.fresh()
    (Path(settings_.data_dir) / "sheets.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(FacilitatorError, match="データベース"):
        import_files(settings_, [base.write("r.csv", base.report_csv)])
    result = CliRunner().invoke(reports, ["import", str(base.write("r.csv", b"x"))], obj=settings_)
    assert result.exit_code == 1 and "Traceback" not in result.output
