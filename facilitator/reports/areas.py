"""Areas (prefecture, 二次医療圏, 市町村) built from the area table, and lookup by code or name."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from facilitator.reports.errors import AmbiguousAreaError, AreaNotFoundError
from facilitator.reports.ingest.validators import check_digit
from facilitator.reports.items import header_key
from facilitator.reports.models import Area, Municipality
from facilitator.reports.store import ReportStore


def build_areas(munis: list[Municipality]) -> list[Area]:
    """Prefectures, then their 二次医療圏, then their 市町村 (one validity year's rows)."""
    by_pref: dict[str, list[Municipality]] = defaultdict(list)
    for m in munis:
        by_pref[m.pref_code].append(m)
    out: list[Area] = []
    for pref_code in sorted(by_pref):
        ms = sorted(by_pref[pref_code], key=lambda m: (m.sec_code, m.code))
        out.append(_sum_area("prefecture", pref_code, ms[0].pref_name, ms))
        by_sec: dict[str, list[Municipality]] = defaultdict(list)
        for m in ms:
            by_sec[m.sec_code].append(m)
        for sec_code in sorted(by_sec):
            out.append(
                _sum_area("secondary", sec_code, by_sec[sec_code][0].sec_name, by_sec[sec_code])
            )
        for m in ms:
            out.append(
                Area(
                    level="municipality",
                    code=m.code,
                    name=m.name,
                    pref_code=m.pref_code,
                    pref_name=m.pref_name,
                    sec_code=m.sec_code,
                    sec_name=m.sec_name,
                    population=m.population,
                    pop65=m.pop65,
                    pop75=m.pop75,
                    municipalities=[m.code],
                    area_type=m.area_type,
                    synthetic=m.synthetic,
                )
            )
    return out


def _sum_area(level: str, code: str, name: str, ms: list[Municipality]) -> Area:
    first = ms[0]
    return Area(
        level=level,  # type: ignore[arg-type]
        code=code,
        name=name,
        pref_code=first.pref_code,
        pref_name=first.pref_name,
        sec_code=code if level == "secondary" else None,
        sec_name=name if level == "secondary" else None,
        population=sum(m.population for m in ms),
        pop65=sum(m.pop65 for m in ms),
        pop75=sum(m.pop75 for m in ms),
        municipalities=[m.code for m in ms],
        synthetic=all(m.synthetic for m in ms),
    )


def areas_for_year(
    store: ReportStore, year: int | None, pref_codes: list[str] | None = None
) -> list[Area]:
    """All areas valid in ``year`` (default: the latest report year, else the newest table)."""
    if year is None:
        year = store.latest_year()
    munis = store.municipalities(year, pref_codes) if year is not None else []
    if not munis:
        latest: dict[str, Municipality] = {}
        for m in store.municipalities(None, pref_codes):
            if m.code not in latest or m.valid_from > latest[m.code].valid_from:
                latest[m.code] = m
        munis = list(latest.values())
    return build_areas(munis)


def _display(a: Area) -> str:
    return f"{a.name}（{a.code}・{a.level_label}）"


def match_area(areas: list[Area], query: str) -> Area:
    """Find one area by code (2/4/5/6 digits) or name (exact, then unique partial match).

    A name may be prefixed by the prefecture name (「架空県県都市」) to disambiguate.
    """
    q = header_key(query)
    if not q:
        raise AreaNotFoundError(query)
    if re.fullmatch(r"[0-9]+", q):
        code = q[:5] if len(q) == 6 and check_digit(q[:5]) == int(q[5]) else q
        level = {2: "prefecture", 4: "secondary", 5: "municipality"}.get(len(code))
        for a in areas:
            if a.code == code and a.level == level:
                return a
        raise AreaNotFoundError(query)
    pool = areas
    for a in areas:
        if (
            a.level == "prefecture"
            and q.startswith(header_key(a.pref_name))
            and q != header_key(a.pref_name)
        ):
            pool = [b for b in areas if b.pref_code == a.pref_code]
            q = q[len(header_key(a.pref_name)) :]
            break
    keys = {id(a): _name_keys(a) for a in pool}
    exact = [a for a in pool if q in keys[id(a)]]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousAreaError(query, [_display(a) for a in exact])
    partial = [a for a in pool if any(q in k for k in keys[id(a)])]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise AmbiguousAreaError(query, [_display(a) for a in partial])
    names = [a.name for a in pool]
    raise AreaNotFoundError(query, difflib.get_close_matches(query, names, n=5, cutoff=0.4))


def _name_keys(a: Area) -> set[str]:
    k = header_key(a.name)
    keys = {k}
    for suffix in ("二次医療圏", "医療圏", "圏域"):
        if k.endswith(suffix) and len(k) > len(suffix):
            keys.add(k[: -len(suffix)])
    return keys
