"""Import of report files (one report year each): validate → derive → store, all or nothing.

Every cell is validated and every error collected (file, row, column, value, reason) before
anything is stored; a valid file replaces the year's data of its prefectures in one
transaction, with function states and per-municipality statistics derived column-wise.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from facilitator.reports.ingest.collect import (
    ErrorCollector,
    ignored_columns_warning,
    map_required_headers,
    parse_result,
    parse_values,
    synthetic_label,
)
from facilitator.reports.ingest.reading import Table
from facilitator.reports.ingest.rules import derive_states, typed_column
from facilitator.reports.ingest.stats import muni_stats
from facilitator.reports.ingest.validators import (
    ColumnResult,
    inst_code,
    inst_kind,
    item_parser,
    muni_code,
    report_year,
    required_text,
    sec_code,
)
from facilitator.reports.items import (
    FUNCTION_KEYS,
    ItemDictionary,
    header_key,
    identity_header_lookup,
    load_dictionary,
)
from facilitator.reports.models import ImportResult, Municipality
from facilitator.reports.store import InstitutionConflict, ReportStore


@dataclass
class _ReportColumns:
    """The parsed columns of one report file (values per row; items as ``ColumnResult``)."""

    mapping: dict[str, int]
    unknown: list[str]
    codes: list[Any]
    names: list[Any]
    kinds: list[Any]
    munis: list[Any]
    muni_res: ColumnResult
    synthetic: bool
    results: dict[str, ColumnResult]


@dataclass
class _Derived:
    """What the importer computes from valid columns: typed items, states, rows to store."""

    columns: dict[str, np.ndarray]
    states: dict[str, np.ndarray]
    stats: list[tuple[str, str, dict]]
    pref_codes: list[str]
    stage: list[tuple]


def import_reports(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store one report file (one report year)."""
    t0 = time.perf_counter()
    errors = ErrorCollector(table)
    year = _report_year(table, errors)
    d = load_dictionary(year)
    cols = _read_report_columns(table, d, errors)
    known = {m.code: m for m in store.municipalities(year)}
    _check_municipalities(table, year, cols, known, errors)
    errors.raise_if_any()
    derived = _derive(d, cols, known, table.n_rows)
    n_answers = _count_answers(cols.results)
    replaced = _store_reports(store, table, year, d, cols, derived, errors, n_answers)
    return ImportResult(
        file=table.file,
        kind="reports",
        year=year,
        dictionary_year=d.form_year,
        prefectures=derived.pref_codes,
        rows=table.n_rows,
        institutions=table.n_rows,
        answers=n_answers,
        replaced=replaced,
        synthetic=cols.synthetic,
        encoding=table.encoding,
        warnings=errors.warnings
        + _warnings(d, cols.unknown, derived.states, derived.columns, cols.results),
        seconds=round(time.perf_counter() - t0, 3),
    )


# validate -----------------------------------------------------------------------------------


def _report_year(table: Table, errors: ErrorCollector) -> int:
    """The file's single report year (it chooses the form); stops on a file without one."""
    ident = identity_header_lookup()
    year_col = next(
        (i for i, h in enumerate(table.headers) if ident.get(header_key(h)) == "year"), None
    )
    if year_col is None:
        errors.add(1, None, "", "必須の列がありません（報告年）。", column="報告年")
        errors.raise_if_any()
    assert year_col is not None
    years: list[Any] = parse_values(table, year_col, report_year, errors)
    distinct = sorted({y for y in years if y is not None})
    if len(distinct) > 1:
        for i, y in enumerate(years):
            if y != distinct[0] and y is not None:
                errors.at(
                    i,
                    year_col,
                    f"1つのファイルに複数の報告年（{'、'.join(map(str, distinct))}）があります。"
                    "報告年ごとにファイルを分けてください。",
                )
                break
    if not distinct:
        errors.raise_if_any()
        errors.add(None, None, "", "データ行がありません。")
        errors.raise_if_any()
    return int(distinct[0])


def _read_report_columns(table: Table, d: ItemDictionary, errors: ErrorCollector) -> _ReportColumns:
    """Map the headers (stop if a required column is missing) and parse every known column."""
    mapping, unknown = map_required_headers(
        table,
        d.header_lookup(),
        d.ignored_headers,
        d.required_identity + [it.id for it in d.items if it.required],
        d.header,
        errors,
    )
    errors.raise_if_any()
    code_res = parse_result(table, mapping["inst_code"], inst_code, errors)
    names = parse_values(table, mapping["name"], required_text("医療機関名"), errors, text=True)
    kinds = parse_values(table, mapping["kind"], inst_kind, errors)
    muni_res = parse_result(table, mapping["muni_code"], muni_code, errors)
    synthetic = synthetic_label(table, mapping.get("data_label"), errors)
    results = _parse_items(table, d, mapping, errors)
    codes = code_res.values
    if len(code_res.uniques) < table.n_rows:
        _check_duplicates(table, mapping["inst_code"], codes, errors)
    return _ReportColumns(
        mapping, unknown, codes, names, kinds, muni_res.values, muni_res, synthetic, results
    )


def _parse_items(
    table: Table, d: ItemDictionary, mapping: dict[str, int], errors: ErrorCollector
) -> dict[str, ColumnResult]:
    """Parse each item column present; a blank ★ item is an error (it decides 1号機能)."""
    results: dict[str, ColumnResult] = {}
    for item in d.items:
        if item.id in mapping:
            col = mapping[item.id]
            parser = item_parser(item, d.code_lists)
            text = item.answer_type == "text"
            res = results[item.id] = parse_result(table, col, parser, errors, text=text)
            if item.starred:
                blank = {u for u in res.uniques if not u.strip()}
                errors.rows_where(col, res, blank, "★の項目（1号機能の判定に必要）が空欄です。")
    return results


def _check_municipalities(
    table: Table,
    year: int,
    cols: _ReportColumns,
    known: dict[str, Municipality],
    errors: ErrorCollector,
) -> None:
    """Every 市町村コード must be in the area table valid in ``year`` (and agree on 二次医療圏)."""
    col = cols.mapping["muni_code"]
    if not known:
        errors.add(
            None,
            None,
            "",
            f"{year}年に有効な市町村表が取り込まれていません。先に市町村表（市町村コード・二次医療圏・人口）を取り込んでください。",
            column=table.headers[col],
        )
        return
    res = cols.muni_res
    unknown_texts = {
        u for u, m in zip(res.uniques, res.parsed, strict=True) if m is not None and m not in known
    }
    errors.rows_where(
        col,
        res,
        unknown_texts,
        f"市町村表にない市町村コードです（{year}年に有効な市町村表を確認してください）。",
    )
    if "sec_code" in cols.mapping:
        _check_secondary_areas(table, cols, known, errors)


def _check_secondary_areas(
    table: Table, cols: _ReportColumns, known: dict[str, Municipality], errors: ErrorCollector
) -> None:
    """An optional 二次医療圏コード column must match the area table's for each 市町村."""
    col = cols.mapping["sec_code"]
    munis = cols.munis
    secs = parse_values(table, col, sec_code, errors)
    pairs = set(zip(munis, secs, strict=True))
    bad = {(m, sc) for m, sc in pairs if sc is not None and m in known and known[m].sec_code != sc}
    for i, (m, sc) in enumerate(zip(munis, secs, strict=True)):
        if (m, sc) in bad:
            k = known[m]
            errors.at(
                i,
                col,
                f"市町村表では {m}（{k.name}）は二次医療圏 {k.sec_code}（{k.sec_name}）です。",
            )


def _check_duplicates(table: Table, col: int, codes: list[object], errors: ErrorCollector) -> None:
    """An institution may appear once per file; each repeat names the row it repeats."""
    first: dict[object, int] = {}
    for i, c in enumerate(codes):
        if c is None:
            continue
        if c in first:
            errors.at(
                i, col, f"医療機関コードが重複しています（{table.rows[first[c]]}行目と同じ）。"
            )
        else:
            first[c] = i


# derive -------------------------------------------------------------------------------------


def _derive(
    d: ItemDictionary, cols: _ReportColumns, known: dict[str, Municipality], n: int
) -> _Derived:
    """Typed item columns, function states, per-municipality statistics and the stage rows."""
    results = cols.results
    columns = {
        it.id: typed_column(it, results[it.id].parsed)[results[it.id].codes]
        for it in d.items
        if it.id in results and it.answer_type != "text"
    }
    states = derive_states(d, columns, n)
    hospital = np.array([k == "病院" for k in cols.kinds], dtype=bool)
    stats = _muni_stats(d, cols.munis, known, hospital, states, columns)
    pref_of = [known[m].pref_code for m in cols.munis]
    stage = _stage_rows(d, cols, pref_of, hospital, states, n)
    return _Derived(columns, states, stats, sorted(set(pref_of)), stage)


def _muni_stats(
    d: ItemDictionary,
    munis: list[Any],
    known: dict[str, Municipality],
    hospital: np.ndarray,
    states: dict[str, np.ndarray],
    columns: dict[str, np.ndarray],
) -> list[tuple[str, str, dict]]:
    """(pref_code, muni_code, statistics) per municipality, stored beside the data."""
    muni_list = sorted(set(munis))
    pos = {m: k for k, m in enumerate(muni_list)}
    muni_index = np.array([pos[m] for m in munis], dtype=np.int64)
    per_muni = muni_stats(d, muni_index, len(muni_list), hospital, states, columns)
    pairs = zip(muni_list, per_muni, strict=True)
    return [(known[m].pref_code, m, s) for m, s in pairs]


def _stage_rows(
    d: ItemDictionary,
    cols: _ReportColumns,
    pref_of: list[str],
    hospital: np.ndarray,
    states: dict[str, np.ndarray],
    n: int,
) -> list[tuple]:
    """One row per institution in the store's stage layout, sorted by (pref_code, code)."""
    stage = list(
        zip(
            cols.codes,
            pref_of,
            cols.munis,
            cols.names,
            hospital.choose([2, 1]).tolist(),
            *(states[k].tolist() for k in FUNCTION_KEYS.values()),
            _json_rows(d, cols.results, n),
            strict=True,
        )
    )
    stage.sort(key=itemgetter(1, 0))
    return stage


def _json_rows(d: ItemDictionary, results: dict[str, ColumnResult], n: int) -> list[str]:
    """Each institution's answers as one JSON array in dictionary order (null = blank).

    Encoded once per distinct value of each column; SQLite unpivots them with json_each.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    cols = []
    for it in d.items:
        res = results.get(it.id)
        if res is None:
            cols.append(("null",) * n)
        else:
            tokens = np.array([dumps(v) for v in res.parsed], dtype=object)
            cols.append(tokens[res.codes].tolist())
    return ["[" + ",".join(row) + "]" for row in zip(*cols, strict=True)]


def _count_answers(results: dict[str, ColumnResult]) -> int:
    """Non-blank answers of the file (what the long-form ``answers`` view will show)."""
    total = 0
    for res in results.values():
        answered = np.array([v is not None for v in res.parsed], dtype=bool)
        total += int(np.count_nonzero(answered[res.codes]))
    return total


# store --------------------------------------------------------------------------------------


def _store_reports(
    store: ReportStore,
    table: Table,
    year: int,
    d: ItemDictionary,
    cols: _ReportColumns,
    derived: _Derived,
    errors: ErrorCollector,
    n_answers: int,
) -> bool:
    """Replace the year's data of the file's prefectures; codes taken elsewhere are errors."""
    try:
        return store.replace_reports(
            year=year,
            pref_codes=derived.pref_codes,
            rows=derived.stage,
            items=d.items,
            form_year=d.form_year,
            stats=derived.stats,
            source_file=table.file,
            synthetic=cols.synthetic,
            n_answers=n_answers,
        )
    except InstitutionConflict as exc:
        where = {c: i for i, c in enumerate(cols.codes)}
        for c in exc.codes:
            errors.at(
                where[c],
                cols.mapping["inst_code"],
                f"この医療機関コードは{year}年の他の都道府県のデータとして取り込み済みです。",
            )
        errors.raise_if_any()
        raise


def _warnings(
    d: ItemDictionary,
    unknown: list[str],
    states: dict[str, np.ndarray],
    columns: dict[str, np.ndarray],
    results: dict[str, ColumnResult],
) -> list[str]:
    """What was accepted but deserves a look: unknown or missing columns, 2号 without 1号."""
    out = ignored_columns_warning(unknown)
    missing = [it.name for it in d.items if it.id not in results]
    if missing:
        out.append("任意（未確認）項目の列がないため空欄として扱いました: " + "、".join(missing))
    not_ichigo = states["ichigo"] != 2
    answered_2 = np.zeros(len(not_ichigo), dtype=bool)
    for it in d.items:
        if it.function != "1号" and it.id in columns:
            col = columns[it.id]
            answered_2 |= ~np.isnan(col) if col.dtype.kind == "f" else col >= 0
    k = int((answered_2 & not_ichigo).sum())
    if k:
        out.append(
            f"1号機能を有しない{k}施設に2号機能の回答がありました（保存しますが2号機能は「対象外」として集計します）。"
        )
    return out
