"""Validate report files and store them, all or nothing per file; entry points for any file.

Errors are collected (not first-only) with file, row, column, value and a Japanese reason.
A file with any error stores nothing; a valid file replaces its scope (report year ×
prefectures, or the prefectures of an area table) in one transaction.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np

from facilitator.reports.errors import ReportImportError
from facilitator.reports.ingest.area_table import import_areas
from facilitator.reports.ingest.collect import (
    ErrorCollector,
    map_headers,
    parse_result,
    parse_values,
    synthetic_label,
)
from facilitator.reports.ingest.reading import Table, header_row, read_table
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
    load_area_columns,
    load_dictionary,
)
from facilitator.reports.models import ImportResult, RowError
from facilitator.reports.perf import paused_gc
from facilitator.reports.store import InstitutionConflict, ReportStore, open_store
from facilitator.settings import Settings


def detect_kind(table: Table) -> str:
    """'reports' if the header has an institution code column, 'areas' if it looks like one."""
    keys = {header_key(h) for h in table.headers}
    ident = identity_header_lookup()
    if any(ident.get(k) == "inst_code" for k in keys):
        return "reports"
    area = load_area_columns().header_lookup()
    fields = {area[k] for k in keys if k in area}
    if {"muni_code", "population"} <= fields or {"muni_code", "sec_code"} <= fields:
        return "areas"
    raise ReportImportError(
        table.file,
        [
            RowError(
                file=table.file,
                row=1,
                column="",
                reason=(
                    "列見出しから報告データ（「医療機関コード」列が必要）か市町村表"
                    "（「市町村コード」「二次医療圏コード」「人口」列が必要）かを判別できません。"
                    "docs/REPORTS.md の列見出し一覧を確認してください。"
                ),
            )
        ],
    )


# --- report data ---------------------------------------------------------------------------


def import_reports(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store one report file (one report year)."""
    t0 = time.perf_counter()
    errors = ErrorCollector(table)
    ident = identity_header_lookup()
    year_col = next(
        (i for i, h in enumerate(table.headers) if ident.get(header_key(h)) == "year"), None
    )
    if year_col is None:
        errors.add(1, None, "", "必須の列がありません（報告年）。", column="報告年")
        errors.raise_if_any()
    assert year_col is not None
    years = parse_values(table, year_col, report_year, errors)
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
    year = int(distinct[0])
    d = load_dictionary(year)
    mapping, unknown = map_headers(
        table, d.header_lookup(), {header_key(h) for h in d.ignored_headers}, errors
    )
    for f in d.required_identity + [it.id for it in d.items if it.required]:
        if f not in mapping:
            errors.add(1, None, "", "必須の列がありません。", column=d.header(f))
    errors.raise_if_any()

    n = table.n_rows
    code_res = parse_result(table, mapping["inst_code"], inst_code, errors)
    codes = code_res.values
    names = parse_values(table, mapping["name"], required_text("医療機関名"), errors)
    kinds = parse_values(table, mapping["kind"], inst_kind, errors)
    muni_res = parse_result(table, mapping["muni_code"], muni_code, errors)
    munis = muni_res.values
    synthetic = synthetic_label(table, mapping.get("data_label"), errors)
    results: dict[str, ColumnResult] = {}
    for item in d.items:
        if item.id in mapping:
            col = mapping[item.id]
            res = results[item.id] = parse_result(
                table, col, item_parser(item, d.code_lists), errors
            )
            if item.starred:
                blank = {u for u in res.uniques if not u.strip()}
                errors.rows_where(col, res, blank, "★の項目（1号機能の判定に必要）が空欄です。")
    if len(code_res.uniques) < n:
        _check_duplicates(table, mapping["inst_code"], codes, errors)
    known = {m.code: m for m in store.municipalities(year)}
    col = mapping["muni_code"]
    if not known:
        errors.add(
            None,
            None,
            "",
            f"{year}年に有効な市町村表が取り込まれていません。先に市町村表（市町村コード・二次医療圏・人口）を取り込んでください。",
            column=table.headers[col],
        )
    else:
        unknown_texts = {
            u
            for u, m in zip(muni_res.uniques, muni_res.parsed, strict=True)
            if m is not None and m not in known
        }
        errors.rows_where(
            col,
            muni_res,
            unknown_texts,
            f"市町村表にない市町村コードです（{year}年に有効な市町村表を確認してください）。",
        )
        if "sec_code" in mapping:
            secs = parse_values(table, mapping["sec_code"], sec_code, errors)
            col = mapping["sec_code"]
            pairs = set(zip(munis, secs, strict=True))
            bad = {
                (m, sc)
                for m, sc in pairs
                if sc is not None and m in known and known[m].sec_code != sc
            }
            for i, (m, sc) in enumerate(zip(munis, secs, strict=True)):
                if (m, sc) in bad:
                    k = known[m]
                    errors.at(
                        i,
                        col,
                        f"市町村表では {m}（{k.name}）は"
                        f"二次医療圏 {k.sec_code}（{k.sec_name}）です。",
                    )
    errors.raise_if_any()

    # --- derive, aggregate, store ---------------------------------------------------------
    columns = {
        it.id: typed_column(it, results[it.id].parsed)[results[it.id].codes]
        for it in d.items
        if it.id in results and it.answer_type != "text"
    }
    states = derive_states(d, columns, n)
    muni_list = sorted(set(munis))  # type: ignore[arg-type]
    pos = {m: k for k, m in enumerate(muni_list)}
    muni_index = np.array([pos[m] for m in munis], dtype=np.int64)
    hospital = np.array([k == "病院" for k in kinds], dtype=bool)
    per_muni = muni_stats(d, muni_index, len(muni_list), hospital, states, columns)
    stats = [(known[m].pref_code, m, s) for m, s in zip(muni_list, per_muni, strict=True)]
    pref_of = [known[m].pref_code for m in munis]  # type: ignore[index]
    pref_codes = sorted(set(pref_of))
    answers = _json_rows(d, results, n)
    stage = list(
        zip(
            codes,
            pref_of,
            munis,
            names,
            hospital.choose([2, 1]).tolist(),
            *(states[k].tolist() for k in FUNCTION_KEYS.values()),
            answers,
            strict=True,
        )
    )
    stage.sort(key=itemgetter(1, 0))
    warnings = _warnings(d, unknown, states, columns, results)
    try:
        replaced, n_answers = store.replace_reports(
            year=year,
            pref_codes=pref_codes,
            stage_rows=stage,
            items=d.items,
            form_year=d.form_year,
            stats=stats,
            source_file=table.file,
            synthetic=synthetic,
        )
    except InstitutionConflict as exc:
        where = {c: i for i, c in enumerate(codes)}
        for c in exc.codes:
            errors.at(
                where[c],
                mapping["inst_code"],
                f"この医療機関コードは{year}年の他の都道府県のデータとして取り込み済みです。",
            )
        errors.raise_if_any()
        raise
    return ImportResult(
        file=table.file,
        kind="reports",
        year=year,
        dictionary_year=d.form_year,
        prefectures=pref_codes,
        rows=n,
        institutions=n,
        answers=n_answers,
        replaced=replaced,
        synthetic=synthetic,
        encoding=table.encoding,
        warnings=warnings,
        seconds=round(time.perf_counter() - t0, 3),
    )


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


def _check_duplicates(table: Table, col: int, codes: list[object], errors: ErrorCollector) -> None:
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


def _warnings(
    d: ItemDictionary,
    unknown: list[str],
    states: dict[str, np.ndarray],
    columns: dict[str, np.ndarray],
    results: dict[str, ColumnResult],
) -> list[str]:
    out = []
    if unknown:
        out.append("対応表にない列を無視しました: " + "、".join(f"「{h}」" for h in unknown))
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


# --- entry points --------------------------------------------------------------------------


def import_file(path: str | Path, store: ReportStore) -> ImportResult:
    """Read, validate and store one file (report data or area table, detected from headers).

    Raises:
        ReportImportError: the file has errors; nothing from it was stored.
    """
    with paused_gc():
        table = read_table(path)
        if detect_kind(table) == "areas":
            return import_areas(table, store)
        return import_reports(table, store)


@dataclass
class ImportBatch:
    """Outcome of importing several files: what was stored and what was rejected."""

    results: list[ImportResult] = field(default_factory=list)
    failures: list[ReportImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _looks_like_areas(path: Path) -> bool:
    """Cheap sniff of the header row (area tables are imported before report files)."""
    headers = header_row(path)
    ident = identity_header_lookup()
    return bool(headers) and not any(ident.get(header_key(h)) == "inst_code" for h in headers)


def import_files(settings: Settings, paths: list[str | Path]) -> ImportBatch:
    """Import several files, area tables first; each file is stored entirely or not at all."""
    ordered = sorted((Path(p) for p in paths), key=lambda p: not _looks_like_areas(p))
    batch = ImportBatch()
    with open_store(settings) as store:
        for path in ordered:
            try:
                batch.results.append(import_file(path, store))
            except ReportImportError as exc:
                batch.failures.append(exc)
    return batch
