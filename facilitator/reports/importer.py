"""Validate report files and area tables and store them, all or nothing per file.

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

from ..settings import Settings
from .errors import ReportImportError
from .items import (
    FUNCTION_KEYS,
    ItemDictionary,
    header_key,
    identity_header_lookup,
    load_area_columns,
    load_dictionary,
)
from .models import SYNTHETIC_LABEL, ImportResult, Municipality, RowError
from .perf import paused_gc
from .reading import Table, column_letter, read_table
from .rules import derive_states, typed_column
from .stats import muni_stats
from .store import InstitutionConflict, OrphanedMunicipalities, ReportStore, open_store
from .validators import (
    ColumnResult,
    Parser,
    inst_code,
    inst_kind,
    item_parser,
    muni_code,
    non_negative_int,
    optional_year,
    parse_column,
    report_year,
    required_text,
    sec_code,
    text_parser,
    year_range,
)

MAX_ERRORS = 10_000


class _Errors:
    """Collects located errors up to a limit."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.items: list[RowError] = []
        self.truncated = False

    def add(self, row: int | None, col: int | None, value: str, reason: str, column: str = "") -> None:
        if len(self.items) >= MAX_ERRORS:
            self.truncated = True
            return
        if col is not None:
            column = self.table.headers[col]
        cell = f"{column_letter(col)}{row}" if col is not None and row is not None else None
        self.items.append(
            RowError(file=self.table.file, row=row, column=column, value=value[:80], reason=reason, cell=cell)
        )

    def at(self, i: int, col: int, reason: str) -> None:
        """An error in data record ``i`` of column ``col``."""
        self.add(self.table.rows[i], col, self.table.columns[col][i], reason)

    def column(self, col: int, result: ColumnResult) -> None:
        if not result.bad:
            return
        raw = self.table.columns[col]
        for i in result.bad_rows():
            self.at(int(i), col, result.bad[raw[i]])

    def rows_where(self, col: int, result: ColumnResult, texts: set[str], reason: str) -> None:
        """An error on every row of ``col`` whose raw text is in ``texts``."""
        idx = [k for k, u in enumerate(result.uniques) if u in texts]
        if idx:
            for i in np.flatnonzero(np.isin(result.codes, idx)):
                self.at(int(i), col, reason)

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda e: (e.row or 0, e.cell is None, len(e.cell or ""), e.cell or ""))
            raise ReportImportError(self.table.file, self.items, self.truncated)


def _map_headers(
    table: Table, lookup: dict[str, str], ignored: set[str], errors: _Errors
) -> tuple[dict[str, int], list[str]]:
    """Field → column index; returns also the unknown headers (ignored with a warning)."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for idx, header in enumerate(table.headers):
        key = header_key(header)
        if not key:
            continue
        found = lookup.get(key)
        if found is None:
            if key not in ignored:
                unknown.append(header)
            continue
        if found in mapping:
            first = table.headers[mapping[found]]
            errors.add(1, idx, header, f"同じ項目の列が2つあります（{column_letter(mapping[found])}列「{first}」と同じ）。")
            continue
        mapping[found] = idx
    return mapping, unknown


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
        [RowError(file=table.file, row=1, column="", reason=(
            "列見出しから報告データ（「医療機関コード」列が必要）か市町村表（「市町村コード」「二次医療圏コード」"
            "「人口」列が必要）かを判別できません。docs/REPORTS.md の列見出し一覧を確認してください。"))],
    )


def _parse_result(table: Table, col: int, parser: Parser, errors: _Errors) -> ColumnResult:
    result = parse_column(table.columns[col], parser)
    errors.column(col, result)
    return result


def _parse(table: Table, col: int, parser: Parser, errors: _Errors) -> list[object]:
    return _parse_result(table, col, parser, errors).values


def _single_label(table: Table, col: int | None, errors: _Errors) -> bool:
    """Whether the file is marked 架空データ in its データ区分 column (must be uniform)."""
    if col is None:
        return False
    labels = {header_key(v) for v in set(table.columns[col])}
    if len(labels) > 1:
        first = table.columns[col][0]
        for i, v in enumerate(table.columns[col]):
            if header_key(v) != header_key(first):
                errors.at(i, col, f"データ区分が行によって異なります（2行目は「{first}」）。1ファイルは1つの区分にしてください。")
                break
        return False
    return next(iter(labels), "") == SYNTHETIC_LABEL


# --- report data ---------------------------------------------------------------------------


def import_reports(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store one report file (one report year)."""
    t0 = time.perf_counter()
    errors = _Errors(table)
    ident = identity_header_lookup()
    year_col = next((i for i, h in enumerate(table.headers) if ident.get(header_key(h)) == "year"), None)
    if year_col is None:
        errors.add(1, None, "", "必須の列がありません（報告年）。", column="報告年")
        errors.raise_if_any()
    assert year_col is not None
    years = _parse(table, year_col, report_year, errors)
    distinct = sorted({y for y in years if y is not None})
    if len(distinct) > 1:
        for i, y in enumerate(years):
            if y != distinct[0] and y is not None:
                errors.at(i, year_col, f"1つのファイルに複数の報告年（{'、'.join(map(str, distinct))}）があります。報告年ごとにファイルを分けてください。")
                break
    if not distinct:
        errors.raise_if_any()
        errors.add(None, None, "", "データ行がありません。")
        errors.raise_if_any()
    year = int(distinct[0])
    d = load_dictionary(year)
    mapping, unknown = _map_headers(table, d.header_lookup(), {header_key(h) for h in d.ignored_headers}, errors)
    for f in d.required_identity + [it.id for it in d.items if it.required]:
        if f not in mapping:
            errors.add(1, None, "", "必須の列がありません。", column=d.header(f))
    errors.raise_if_any()

    n = table.n_rows
    code_res = _parse_result(table, mapping["inst_code"], inst_code, errors)
    codes = code_res.values
    names = _parse(table, mapping["name"], required_text("医療機関名"), errors)
    kinds = _parse(table, mapping["kind"], inst_kind, errors)
    muni_res = _parse_result(table, mapping["muni_code"], muni_code, errors)
    munis = muni_res.values
    synthetic = _single_label(table, mapping.get("data_label"), errors)
    results: dict[str, ColumnResult] = {}
    for item in d.items:
        if item.id in mapping:
            col = mapping[item.id]
            res = results[item.id] = _parse_result(table, col, item_parser(item, d.code_lists), errors)
            if item.starred:
                blank = {u for u in res.uniques if not u.strip()}
                errors.rows_where(col, res, blank, "★の項目（1号機能の判定に必要）が空欄です。")
    if len(code_res.uniques) < n:
        _check_duplicates(table, mapping["inst_code"], codes, errors)
    known = {m.code: m for m in store.municipalities(year)}
    col = mapping["muni_code"]
    if not known:
        errors.add(None, None, "", f"{year}年に有効な市町村表が取り込まれていません。先に市町村表（市町村コード・二次医療圏・人口）を取り込んでください。", column=table.headers[col])
    else:
        unknown_texts = {u for u, m in zip(muni_res.uniques, muni_res.parsed, strict=True)
                         if m is not None and m not in known}
        errors.rows_where(col, muni_res, unknown_texts, f"市町村表にない市町村コードです（{year}年に有効な市町村表を確認してください）。")
        if "sec_code" in mapping:
            secs = _parse(table, mapping["sec_code"], sec_code, errors)
            col = mapping["sec_code"]
            pairs = set(zip(munis, secs, strict=True))
            bad = {(m, sc) for m, sc in pairs if sc is not None and m in known and known[m].sec_code != sc}
            for i, (m, sc) in enumerate(zip(munis, secs, strict=True)):
                if (m, sc) in bad:
                    k = known[m]
                    errors.at(i, col, f"市町村表では {m}（{k.name}）は二次医療圏 {k.sec_code}（{k.sec_name}）です。")
    errors.raise_if_any()

    # --- derive, aggregate, store ---------------------------------------------------------
    columns = {
        it.id: typed_column(it, results[it.id].parsed)[results[it.id].codes]
        for it in d.items if it.id in results and it.answer_type != "text"
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
            codes, pref_of, munis, names, hospital.choose([2, 1]).tolist(),
            *(states[k].tolist() for k in FUNCTION_KEYS.values()),
            answers,
            strict=True,
        )
    )
    stage.sort(key=itemgetter(1, 0))
    warnings = _warnings(d, unknown, states, columns, results)
    try:
        replaced, n_answers = store.replace_reports(
            year=year, pref_codes=pref_codes, stage_rows=stage, items=d.items, form_year=d.form_year,
            stats=stats, source_file=table.file, synthetic=synthetic,
        )
    except InstitutionConflict as exc:
        where = {c: i for i, c in enumerate(codes)}
        for c in exc.codes:
            errors.at(where[c], mapping["inst_code"], f"この医療機関コードは{year}年の他の都道府県のデータとして取り込み済みです。")
        errors.raise_if_any()
        raise
    return ImportResult(
        file=table.file, kind="reports", year=year, dictionary_year=d.form_year,
        prefectures=pref_codes, rows=n, institutions=n, answers=n_answers, replaced=replaced,
        synthetic=synthetic, encoding=table.encoding, warnings=warnings,
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


def _check_duplicates(table: Table, col: int, codes: list[object], errors: _Errors) -> None:
    first: dict[object, int] = {}
    for i, c in enumerate(codes):
        if c is None:
            continue
        if c in first:
            errors.at(i, col, f"医療機関コードが重複しています（{table.rows[first[c]]}行目と同じ）。")
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
        out.append(f"1号機能を有しない{k}施設に2号機能の回答がありました（保存しますが2号機能は「対象外」として集計します）。")
    return out


# --- area table ----------------------------------------------------------------------------


def import_areas(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store an area table (市町村 → 二次医療圏, population) for its prefectures."""
    t0 = time.perf_counter()
    errors = _Errors(table)
    ac = load_area_columns()
    mapping, unknown = _map_headers(table, ac.header_lookup(), {header_key(h) for h in ac.ignored}, errors)
    for f in ac.required:
        if f not in mapping:
            errors.add(1, None, "", "必須の列がありません。", column=ac.header(f))
    if "valid" not in mapping and "valid_from" not in mapping:
        errors.add(1, None, "", "必須の列がありません（「有効年度」または「有効開始年度」）。", column=ac.header("valid"))
    errors.raise_if_any()
    get = lambda f, p: _parse(table, mapping[f], p, errors) if f in mapping else None  # noqa: E731
    codes = get("muni_code", muni_code)
    names = get("muni_name", required_text("市町村名"))
    secs = get("sec_code", lambda r: sec_code(r) if r.strip() else (None, "二次医療圏コードが空欄です。"))
    sec_names = get("sec_name", required_text("二次医療圏名"))
    pref_names = get("pref_name", text_parser(max_len=20))
    pops = get("population", non_negative_int("人口"))
    p65 = get("pop65", non_negative_int("65歳以上人口"))
    p75 = get("pop75", non_negative_int("75歳以上人口"))
    types = get("area_type", text_parser(max_len=40))
    if "valid" in mapping:
        ranges = get("valid", year_range)
    else:
        starts = get("valid_from", lambda r: (None, "有効開始年度が空欄です。") if not r.strip() else optional_year("有効開始年度")(r))
        ends = get("valid_to", optional_year("有効終了年度")) or [None] * table.n_rows
        ranges = [None if s is None else (s, e) for s, e in zip(starts, ends, strict=True)]
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            if s is not None and e is not None and e < s:
                errors.at(i, mapping["valid_to"], "有効終了年度が有効開始年度より前です。")
    synthetic = _single_label(table, mapping.get("data_label"), errors)
    assert codes is not None and secs is not None and ranges is not None
    rows: list[Municipality] = []
    sec_name_of: dict[str, tuple[str, int]] = {}
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for i in range(table.n_rows):
        code, sec = codes[i], secs[i]
        if code is not None and sec is not None and sec[:2] != code[:2]:
            errors.at(i, mapping["sec_code"], f"二次医療圏コードの先頭2桁が市町村コードの都道府県（{code[:2]}）と一致しません。")
        pop, a65, a75 = pops[i], p65[i], p75[i]  # type: ignore[index]
        if None not in (pop, a65) and a65 > pop:  # type: ignore[operator]
            errors.at(i, mapping["pop65"], "65歳以上人口が人口を超えています。")
        if None not in (a65, a75) and a75 > a65:  # type: ignore[operator]
            errors.at(i, mapping["pop75"], "75歳以上人口が65歳以上人口を超えています。")
        if sec is not None and sec_names[i] is not None:  # type: ignore[index]
            seen = sec_name_of.setdefault(sec, (sec_names[i], i))  # type: ignore[index, arg-type]
            if seen[0] != sec_names[i]:  # type: ignore[index]
                errors.at(i, mapping["sec_name"], f"二次医療圏 {sec} の名称が{table.rows[seen[1]]}行目（「{seen[0]}」）と異なります。")
        rng = ranges[i]
        if code is not None and rng is not None:
            lo, hi = rng[0], rng[1] if rng[1] is not None else 9999
            for plo, phi, pi in spans.get(code, []):
                if lo <= phi and plo <= hi:
                    errors.at(i, mapping["muni_code"], f"市町村コードが重複しています（{table.rows[pi]}行目と有効年度が重なります）。")
                    break
            spans.setdefault(code, []).append((lo, hi, i))
    errors.raise_if_any()
    for i in range(table.n_rows):
        code = codes[i]
        rows.append(
            Municipality(
                code=code, name=names[i], pref_code=code[:2],  # type: ignore[index]
                pref_name=(pref_names[i] if pref_names and pref_names[i] else f"都道府県{code[:2]}"),
                sec_code=secs[i], sec_name=sec_names[i], valid_from=ranges[i][0],  # type: ignore[index]
                valid_to=ranges[i][1], population=pops[i], pop65=p65[i], pop75=p75[i],  # type: ignore[index]
                area_type=(types[i] or "") if types else "", synthetic=synthetic,
            )
        )
    pref_codes = sorted({m.pref_code for m in rows})
    try:
        replaced = store.replace_areas(pref_codes, rows, table.file)
    except OrphanedMunicipalities as exc:
        for year, m in exc.pairs:
            errors.add(None, None, m, f"取り込み済みの{year}年の報告データが参照する市町村コード {m} が、この市町村表（{year}年に有効な行）にありません。", column=ac.header("muni_code"))
        errors.raise_if_any()
        raise
    warnings = ["対応表にない列を無視しました: " + "、".join(f"「{h}」" for h in unknown)] if unknown else []
    return ImportResult(
        file=table.file, kind="areas", prefectures=pref_codes, rows=table.n_rows,
        municipalities=len(rows), replaced=replaced, synthetic=synthetic,
        encoding=table.encoding, warnings=warnings, seconds=round(time.perf_counter() - t0, 3),
    )


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
    try:
        head = path.open("rb").read(65536).split(b"\n", 1)[0]
    except OSError:
        return False
    for enc in ("utf-8-sig", "cp932"):
        try:
            line = head.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    ident = identity_header_lookup()
    return not any(ident.get(header_key(h)) == "inst_code" for h in line.split(","))


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
