"""Import of the area table (市町村 → 二次医療圏 with validity years and population by age)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from facilitator.reports.ingest import limits
from facilitator.reports.ingest.collect import (
    ErrorCollector,
    ignored_columns_warning,
    map_required_headers,
    parse_values,
    synthetic_label,
)
from facilitator.reports.ingest.reading import Table
from facilitator.reports.ingest.validators import (
    Parser,
    line_parser,
    muni_code,
    non_negative_int,
    optional_year,
    required_text,
    sec_code,
    year_range,
)
from facilitator.reports.items import AreaColumns, load_area_columns
from facilitator.reports.models import ImportResult, Municipality
from facilitator.reports.store import OrphanedMunicipalities, ReportStore

Values = list[Any] | None
"""Parsed values of an optional column, one per row (None when the file lacks the column)."""


@dataclass
class _AreaColumns:
    """The parsed columns of one area table; ``ranges`` holds (valid_from, valid_to or None)."""

    mapping: dict[str, int]
    codes: list[Any]
    names: list[Any]
    secs: list[Any]
    sec_names: list[Any]
    pref_names: Values
    pops: list[Any]
    p65: list[Any]
    p75: list[Any]
    types: Values
    ranges: list[Any]
    synthetic: bool


def import_areas(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store an area table (市町村 → 二次医療圏, population) for its prefectures."""
    t0 = time.perf_counter()
    errors = ErrorCollector(table)
    ac = load_area_columns()
    mapping, unknown = _map_area_headers(table, ac, errors)
    if not table.n_rows:
        errors.add(
            None,
            None,
            "",
            "データ行がありません（見出し行だけです）。市町村ごとに1行を入力してください。",
        )
        errors.raise_if_any()
    cols = _parse_area_columns(table, mapping, errors)
    _check_area_rows(table, cols, errors)
    errors.raise_if_any()
    rows = _municipalities(table, cols)
    pref_codes = sorted({m.pref_code for m in rows})
    replaced = _store_areas(store, table, ac, pref_codes, rows, errors)
    return ImportResult(
        file=table.file,
        kind="areas",
        prefectures=pref_codes,
        rows=table.n_rows,
        municipalities=len(rows),
        replaced=replaced,
        synthetic=cols.synthetic,
        encoding=table.encoding,
        warnings=errors.warnings + ignored_columns_warning(unknown),
        seconds=round(time.perf_counter() - t0, 3),
    )


# validate -----------------------------------------------------------------------------------


def _map_area_headers(
    table: Table, ac: AreaColumns, errors: ErrorCollector
) -> tuple[dict[str, int], list[str]]:
    """Map the headers; stop if a required column (or any validity column) is missing."""
    mapping, unknown = map_required_headers(
        table, ac.header_lookup(), ac.ignored, ac.required, ac.header, errors
    )
    if "valid" not in mapping and "valid_from" not in mapping:
        errors.add(
            1,
            None,
            "",
            "必須の列がありません（「有効年度」または「有効開始年度」）。",
            column=ac.header("valid"),
        )
    errors.raise_if_any()
    return mapping, unknown


def _column(
    table: Table,
    mapping: dict[str, int],
    field: str,
    parser: Parser,
    errors: ErrorCollector,
    text: bool = False,
) -> Values:
    """Parsed values of an optional column (None when the file lacks it)."""
    if field not in mapping:
        return None
    return parse_values(table, mapping[field], parser, errors, text=text)


def _required_sec_code(raw: str) -> tuple[object, str | None]:
    """二次医療圏コード, which may not be blank in the area table."""
    return sec_code(raw) if raw.strip() else (None, "二次医療圏コードが空欄です。")


def _required_start_year(raw: str) -> tuple[object, str | None]:
    """有効開始年度, which may not be blank (有効終了年度 may: still valid)."""
    if not raw.strip():
        return None, "有効開始年度が空欄です。"
    return optional_year("有効開始年度")(raw)


def _parse_area_columns(
    table: Table, mapping: dict[str, int], errors: ErrorCollector
) -> _AreaColumns:
    """Parse every known column, collecting errors (their order is the order of the calls)."""

    def need(field: str, parser: Parser, text: bool = False) -> list[Any]:
        """Parsed values of a required column (present: headers were checked first)."""
        return parse_values(table, mapping[field], parser, errors, text=text)

    codes = need("muni_code", muni_code)
    names = need("muni_name", required_text("市町村名"), text=True)
    secs = need("sec_code", _required_sec_code)
    sec_names = need("sec_name", required_text("二次医療圏名"), text=True)
    pref_names = _column(
        table, mapping, "pref_name", line_parser(limits.MAX_PREF_NAME_CHARS), errors, text=True
    )
    pops = need("population", non_negative_int("人口"))
    p65 = need("pop65", non_negative_int("65歳以上人口"))
    p75 = need("pop75", non_negative_int("75歳以上人口"))
    types = _column(
        table, mapping, "area_type", line_parser(limits.MAX_AREA_TYPE_CHARS), errors, text=True
    )
    ranges = _validity_ranges(table, mapping, errors)
    synthetic = synthetic_label(table, mapping.get("data_label"), errors)
    return _AreaColumns(
        mapping, codes, names, secs, sec_names, pref_names, pops, p65, p75, types, ranges, synthetic
    )


def _validity_ranges(table: Table, mapping: dict[str, int], errors: ErrorCollector) -> list[Any]:
    """(from, to or None) per row, from one 有効年度 column or from 有効開始/終了年度 columns."""
    if "valid" in mapping:
        return parse_values(table, mapping["valid"], year_range, errors)
    starts = parse_values(table, mapping["valid_from"], _required_start_year, errors)
    ends = _column(table, mapping, "valid_to", optional_year("有効終了年度"), errors)
    ends = ends or [None] * table.n_rows
    ranges: list[Any] = [None if s is None else (s, e) for s, e in zip(starts, ends, strict=True)]
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if s is not None and e is not None and e < s:
            errors.at(i, mapping["valid_to"], "有効終了年度が有効開始年度より前です。")
    return ranges


def _check_area_rows(table: Table, cols: _AreaColumns, errors: ErrorCollector) -> None:
    """Checks across columns and rows, row by row (so errors are collected in file order)."""
    mapping = cols.mapping
    sec_name_of: dict[str, tuple[str, int]] = {}
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for i in range(table.n_rows):
        code, sec = cols.codes[i], cols.secs[i]
        if code is not None and sec is not None and sec[:2] != code[:2]:
            errors.at(
                i,
                mapping["sec_code"],
                f"二次医療圏コードの先頭2桁が市町村コードの都道府県（{code[:2]}）と一致しません。",
            )
        _check_populations(i, cols, errors)
        if sec is not None and cols.sec_names[i] is not None:
            _check_sec_name(table, i, sec, cols, sec_name_of, errors)
        rng = cols.ranges[i]
        if code is not None and rng is not None:
            _check_overlap(table, i, code, rng, spans, mapping, errors)


def _check_populations(i: int, cols: _AreaColumns, errors: ErrorCollector) -> None:
    """Population by age must nest: 75歳以上 ≤ 65歳以上 ≤ 人口."""
    pop, a65, a75 = cols.pops[i], cols.p65[i], cols.p75[i]
    if None not in (pop, a65) and a65 > pop:
        errors.at(i, cols.mapping["pop65"], "65歳以上人口が人口を超えています。")
    if None not in (a65, a75) and a75 > a65:
        errors.at(i, cols.mapping["pop75"], "75歳以上人口が65歳以上人口を超えています。")


def _check_sec_name(
    table: Table,
    i: int,
    sec: str,
    cols: _AreaColumns,
    sec_name_of: dict[str, tuple[str, int]],
    errors: ErrorCollector,
) -> None:
    """A 二次医療圏 has one name throughout the file (the first row seen sets it)."""
    name = cols.sec_names[i]
    seen = sec_name_of.setdefault(sec, (name, i))
    if seen[0] != name:
        errors.at(
            i,
            cols.mapping["sec_name"],
            f"二次医療圏 {sec} の名称が{table.rows[seen[1]]}行目（「{seen[0]}」）と異なります。",
        )


def _check_overlap(
    table: Table,
    i: int,
    code: str,
    rng: tuple[int, int | None],
    spans: dict[str, list[tuple[int, int, int]]],
    mapping: dict[str, int],
    errors: ErrorCollector,
) -> None:
    """A 市町村コード may repeat only with validity years that do not overlap."""
    lo, hi = rng[0], rng[1] if rng[1] is not None else 9999
    for plo, phi, pi in spans.get(code, []):
        if lo <= phi and plo <= hi:
            errors.at(
                i,
                mapping["muni_code"],
                f"市町村コードが重複しています（{table.rows[pi]}行目と有効年度が重なります）。",
            )
            break
    spans.setdefault(code, []).append((lo, hi, i))


# derive and store ---------------------------------------------------------------------------


def _municipalities(table: Table, cols: _AreaColumns) -> list[Municipality]:
    """One ``Municipality`` per row of a valid table (都道府県名 defaults to its code)."""
    pref_names, types = cols.pref_names, cols.types
    rows: list[Municipality] = []
    for i in range(table.n_rows):
        code = cols.codes[i]
        rows.append(
            Municipality(
                code=code,
                name=cols.names[i],
                pref_code=code[:2],
                pref_name=(
                    pref_names[i] if pref_names and pref_names[i] else f"都道府県{code[:2]}"
                ),
                sec_code=cols.secs[i],
                sec_name=cols.sec_names[i],
                valid_from=cols.ranges[i][0],
                valid_to=cols.ranges[i][1],
                population=cols.pops[i],
                pop65=cols.p65[i],
                pop75=cols.p75[i],
                area_type=(types[i] or "") if types else "",
                synthetic=cols.synthetic,
            )
        )
    return rows


def _store_areas(
    store: ReportStore,
    table: Table,
    ac: AreaColumns,
    pref_codes: list[str],
    rows: list[Municipality],
    errors: ErrorCollector,
) -> bool:
    """Replace the prefectures' area tables; refuse one that drops 市町村 stored data uses."""
    try:
        return store.replace_areas(pref_codes, rows, table.file)
    except OrphanedMunicipalities as exc:
        for year, m in exc.pairs:
            errors.add(
                None,
                None,
                m,
                f"取り込み済みの{year}年の報告データが参照する市町村コード {m} が、"
                f"この市町村表（{year}年に有効な行）にありません。",
                column=ac.header("muni_code"),
            )
        errors.raise_if_any()
        raise
