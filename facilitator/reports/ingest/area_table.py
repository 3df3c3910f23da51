"""Import of the area table (市町村 → 二次医療圏 with validity years and population by age)."""

from __future__ import annotations

import time

from facilitator.reports.ingest.collect import (
    ErrorCollector,
    map_headers,
    parse_values,
    synthetic_label,
)
from facilitator.reports.ingest.reading import Table
from facilitator.reports.ingest.validators import (
    Parser,
    muni_code,
    non_negative_int,
    optional_year,
    required_text,
    sec_code,
    text_parser,
    year_range,
)
from facilitator.reports.items import header_key, load_area_columns
from facilitator.reports.models import ImportResult, Municipality
from facilitator.reports.store import OrphanedMunicipalities, ReportStore


def import_areas(table: Table, store: ReportStore) -> ImportResult:
    """Validate and store an area table (市町村 → 二次医療圏, population) for its prefectures."""
    t0 = time.perf_counter()
    errors = ErrorCollector(table)
    ac = load_area_columns()
    mapping, unknown = map_headers(
        table, ac.header_lookup(), {header_key(h) for h in ac.ignored}, errors
    )
    for f in ac.required:
        if f not in mapping:
            errors.add(1, None, "", "必須の列がありません。", column=ac.header(f))
    if "valid" not in mapping and "valid_from" not in mapping:
        errors.add(
            1,
            None,
            "",
            "必須の列がありません（「有効年度」または「有効開始年度」）。",
            column=ac.header("valid"),
        )
    errors.raise_if_any()

    def get(field: str, parser: Parser) -> list[object] | None:
        """Parsed values of an optional column (None when the file lacks it)."""
        return parse_values(table, mapping[field], parser, errors) if field in mapping else None

    codes = get("muni_code", muni_code)
    names = get("muni_name", required_text("市町村名"))
    secs = get(
        "sec_code", lambda r: sec_code(r) if r.strip() else (None, "二次医療圏コードが空欄です。")
    )
    sec_names = get("sec_name", required_text("二次医療圏名"))
    pref_names = get("pref_name", text_parser(max_len=20))
    pops = get("population", non_negative_int("人口"))
    p65 = get("pop65", non_negative_int("65歳以上人口"))
    p75 = get("pop75", non_negative_int("75歳以上人口"))
    types = get("area_type", text_parser(max_len=40))
    if "valid" in mapping:
        ranges = get("valid", year_range)
    else:
        starts = get(
            "valid_from",
            lambda r: (
                (None, "有効開始年度が空欄です。")
                if not r.strip()
                else optional_year("有効開始年度")(r)
            ),
        )
        ends = get("valid_to", optional_year("有効終了年度")) or [None] * table.n_rows
        ranges = [None if s is None else (s, e) for s, e in zip(starts, ends, strict=True)]
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            if s is not None and e is not None and e < s:
                errors.at(i, mapping["valid_to"], "有効終了年度が有効開始年度より前です。")
    synthetic = synthetic_label(table, mapping.get("data_label"), errors)
    assert codes is not None and secs is not None and ranges is not None
    rows: list[Municipality] = []
    sec_name_of: dict[str, tuple[str, int]] = {}
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for i in range(table.n_rows):
        code, sec = codes[i], secs[i]
        if code is not None and sec is not None and sec[:2] != code[:2]:
            errors.at(
                i,
                mapping["sec_code"],
                f"二次医療圏コードの先頭2桁が市町村コードの都道府県（{code[:2]}）と一致しません。",
            )
        pop, a65, a75 = pops[i], p65[i], p75[i]  # type: ignore[index]
        if None not in (pop, a65) and a65 > pop:  # type: ignore[operator]
            errors.at(i, mapping["pop65"], "65歳以上人口が人口を超えています。")
        if None not in (a65, a75) and a75 > a65:  # type: ignore[operator]
            errors.at(i, mapping["pop75"], "75歳以上人口が65歳以上人口を超えています。")
        if sec is not None and sec_names[i] is not None:  # type: ignore[index]
            seen = sec_name_of.setdefault(sec, (sec_names[i], i))  # type: ignore[index, arg-type]
            if seen[0] != sec_names[i]:  # type: ignore[index]
                errors.at(
                    i,
                    mapping["sec_name"],
                    f"二次医療圏 {sec} の名称が{table.rows[seen[1]]}行目"
                    f"（「{seen[0]}」）と異なります。",
                )
        rng = ranges[i]
        if code is not None and rng is not None:
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
    errors.raise_if_any()
    for i in range(table.n_rows):
        code = codes[i]
        rows.append(
            Municipality(
                code=code,
                name=names[i],
                pref_code=code[:2],  # type: ignore[index]
                pref_name=(
                    pref_names[i] if pref_names and pref_names[i] else f"都道府県{code[:2]}"
                ),
                sec_code=secs[i],
                sec_name=sec_names[i],
                valid_from=ranges[i][0],  # type: ignore[index]
                valid_to=ranges[i][1],
                population=pops[i],
                pop65=p65[i],
                pop75=p75[i],  # type: ignore[index]
                area_type=(types[i] or "") if types else "",
                synthetic=synthetic,
            )
        )
    pref_codes = sorted({m.pref_code for m in rows})
    try:
        replaced = store.replace_areas(pref_codes, rows, table.file)
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
    warnings = (
        ["対応表にない列を無視しました: " + "、".join(f"「{h}」" for h in unknown)]
        if unknown
        else []
    )
    return ImportResult(
        file=table.file,
        kind="areas",
        prefectures=pref_codes,
        rows=table.n_rows,
        municipalities=len(rows),
        replaced=replaced,
        synthetic=synthetic,
        encoding=table.encoding,
        warnings=warnings,
        seconds=round(time.perf_counter() - t0, 3),
    )
