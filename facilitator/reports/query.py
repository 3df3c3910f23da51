"""Library entry points for other modules (drafting, app, CLI): areas, indicators, findings.

Every function takes the ``settings`` (keyword-only, required): the library never reads the
environment itself; the caller (app, CLI) loads the settings once and passes them down.
"""

from __future__ import annotations

from facilitator.errors import InputError
from facilitator.reports.areas import areas_for_year, match_area
from facilitator.reports.cache import cached, peek
from facilitator.reports.compute.findings import findings as _findings
from facilitator.reports.compute.indicators import (
    Frame,
    Prepared,
    evaluate_theme,
    indicator_objects,
)
from facilitator.reports.errors import NoReportDataError
from facilitator.reports.items import load_dictionary
from facilitator.reports.models import (
    SYNTHETIC_LABEL,
    Answer,
    Area,
    AreaSummary,
    Finding,
    Indicator,
    Institution,
    ReportSummary,
)
from facilitator.reports.perf import paused_gc
from facilitator.reports.store import ReportStore, open_store
from facilitator.settings import Settings
from facilitator.themes import COUNCIL_THEMES, parse_theme

STATE_NUMBERS = {"有り": 2, "意向有り": 1, "無し": 0, "対象外": -1}


def _themes(theme: str | None) -> tuple[str, ...]:
    if theme is None or str(theme) in ("", "free", "all"):
        return COUNCIL_THEMES
    return (parse_theme(theme),)


def _resolve(store: ReportStore, area: str | Area, year: int | None) -> Area:
    if isinstance(area, Area):
        pool = areas_for_year(store, year, [area.pref_code])
        for a in pool:
            if (a.level, a.code) == (area.level, area.code):
                return a
        return area
    pool = areas_for_year(store, year)
    if not pool:
        raise NoReportDataError("市町村表がまだ取り込まれていません。")
    return match_area(pool, area)


def _source_text(store: ReportStore, year: int, pref_code: str, pref_name: str) -> tuple[str, bool]:
    synthetic = store.is_synthetic(year, pref_code)
    label = f"（{SYNTHETIC_LABEL}）" if synthetic else ""
    return f"かかりつけ医機能報告 {year}年報告・{pref_name}{label}", synthetic


def _pref_summaries(
    store: ReportStore,
    pref_code: str,
    year: int | None,
    themes: tuple[str, ...],
    only: Area | None,
) -> list[AreaSummary]:
    """Summaries of every area of a prefecture, or of ``only``: computed once per data
    version (``cache``); one area is taken from its prefecture's if that is cached.

    Callers get their own lists; the indicator and finding objects are shared, read-only.
    """
    key = ("summaries", pref_code, year, themes)
    if only is None:
        out = cached(store, key, lambda: _compute(store, pref_code, year, themes, None))
    else:
        whole = peek(store, key)
        if isinstance(whole, list):
            out = [s for s in whole if (s.area.level, s.area.code) == (only.level, only.code)]
            if not out:
                raise NoReportDataError(f"{only.name}は{whole[0].year}年の市町村表にありません。")
        else:
            area_key = (*key, only.level, only.code)
            out = cached(store, area_key, lambda: _compute(store, pref_code, year, themes, only))
    return [
        s.model_copy(update={"indicators": list(s.indicators), "findings": list(s.findings)})
        for s in out
    ]


def _compute(
    store: ReportStore,
    pref_code: str,
    year: int | None,
    themes: tuple[str, ...],
    only: Area | None,
) -> list[AreaSummary]:
    y = year or store.latest_year(pref_code)
    if y is None or not any(
        d["year"] == y and d["pref_code"] == pref_code for d in store.datasets()
    ):
        raise NoReportDataError(
            f"都道府県コード {pref_code} の{f'{y}年の' if y else ''}報告データがありません。"
        )
    areas = areas_for_year(store, y, [pref_code])
    frame = Frame(areas, store.muni_stats(y, [pref_code]), y)
    d = load_dictionary(y)
    pref_area = frame.areas[frame.index[("prefecture", pref_code)]]
    source, synthetic = _source_text(store, y, pref_code, pref_area.name)
    if only is not None:
        key = (only.level, only.code)
        if key not in frame.index:
            raise NoReportDataError(f"{only.name}は{y}年の市町村表にありません。")
        idx = [frame.index[key]]
    else:
        idx = list(range(len(frame.areas)))
    vals = {t: evaluate_theme(frame, d.form_year, t) for t in themes}
    prepared = {t: Prepared.of(vals[t]) for t in themes}
    g = frame.get
    n, hosp, clinic, ichigo = g("n"), g("n_hosp"), g("n_clinic"), g("f:ichigo:2")
    out = []
    for i in idx:
        inds: list[Indicator] = []
        finds: list[Finding] = []
        for t in themes:
            inds += indicator_objects(frame, prepared[t], i)
            finds += _findings(frame, i, t, vals[t], d, synthetic, source)
        out.append(
            AreaSummary.model_construct(
                area=frame.areas[i],
                year=y,
                n_institutions=int(n[i]),
                n_hospitals=int(hosp[i]),
                n_clinics=int(clinic[i]),
                n_ichigo=int(ichigo[i]),
                synthetic=synthetic,
                indicators=inds,
                findings=finds,
            )
        )
    return out


def summary(
    area: str | Area | None = None,
    theme: str | None = None,
    year: int | None = None,
    *,
    settings: Settings,
    pref_code: str | None = None,
) -> ReportSummary:
    """Indicators and findings for one area (code or name), or for every area with data.

    Args:
        area: 市町村 / 二次医療圏 / 都道府県, by code or name; None = all areas.
        theme: ichigo / jikangai / nyutaiin / zaitaku / kaigo; None = all five.
        year: report year; None = the latest year with data (per prefecture).
        pref_code: with ``area`` None, only the areas of this prefecture (a page about one
            prefecture need not build the whole country's summaries).

    Raises:
        NoReportDataError: nothing imported (or not for that area's prefecture/year).
        AreaNotFoundError / AmbiguousAreaError: the area cannot be resolved.
        InputError: unknown theme.
    """
    themes = _themes(theme)
    with open_store(settings) as store, store.snapshot(), paused_gc(settle=True):
        if not store.datasets():
            raise NoReportDataError()
        if area is not None:
            a = _resolve(store, area, year)
            areas = _pref_summaries(store, a.pref_code, year, themes, a)
        else:
            prefs = sorted(
                {
                    d["pref_code"]
                    for d in store.datasets()
                    if (year is None or d["year"] == year)
                    and (pref_code is None or d["pref_code"] == pref_code)
                }
            )
            if not prefs:
                where = f"都道府県コード {pref_code} の" if pref_code else ""
                raise NoReportDataError(
                    f"{where}{f'{year}年の' if year else ''}報告データがありません。"
                )
            areas = [s for p in prefs for s in _pref_summaries(store, p, year, themes, None)]
    synthetic = any(s.synthetic for s in areas)
    sources = sorted({f.source for s in areas for f in s.findings}) or [""]
    return ReportSummary(
        theme=None if len(themes) > 1 else themes[0],
        synthetic=synthetic,
        label=SYNTHETIC_LABEL if synthetic else "",
        source="／".join(sources),
        areas=areas,
    )


def findings_for(
    area: str | Area,
    theme: str | None = None,
    year: int | None = None,
    *,
    settings: Settings,
) -> list[Finding]:
    """Citable findings for one area and theme (all five themes if ``theme`` is None)."""
    return summary(area, theme, year, settings=settings).areas[0].findings


def area_findings(
    query: str, theme: str, year: int | None = None, *, settings: Settings
) -> tuple[Area, list[Finding], str | None]:
    """Resolve an area and read its findings for one theme with one open of the store.

    Returns the area, its findings and, when the area exists but has no report data for
    that year, why there are no findings (a Japanese sentence).

    Raises:
        NoReportDataError: no area table has been imported yet.
        AreaNotFoundError / AmbiguousAreaError: the area cannot be resolved.
    """
    themes = _themes(theme)
    with open_store(settings) as store, store.snapshot(), paused_gc(settle=True):
        area = _resolve(store, query, year)
        try:
            summaries = _pref_summaries(store, area.pref_code, year, themes, area)
        except NoReportDataError as exc:
            return area, [], str(exc)
    return summaries[0].area, summaries[0].findings, None


def indicators_for(
    area: str | Area,
    theme: str | None = None,
    year: int | None = None,
    *,
    settings: Settings,
) -> list[Indicator]:
    """All indicators of one area and theme, with the prefecture value for comparison."""
    return summary(area, theme, year, settings=settings).areas[0].indicators


def find_area(query: str, year: int | None = None, *, settings: Settings) -> Area:
    """Resolve a 市町村, 二次医療圏 or prefecture by code (2/4/5/6 digits) or name."""
    with open_store(settings) as store:
        return _resolve(store, query, year)


def list_areas(
    year: int | None = None, *, level: str | None = None, settings: Settings
) -> list[Area]:
    """Every area of the area table valid in ``year`` (prefectures, 二次医療圏, 市町村)."""
    with open_store(settings) as store:
        areas = areas_for_year(store, year)
    return [a for a in areas if level is None or a.level == level]


def institutions_for(
    area: str | Area,
    theme: str,
    state: str = "意向有り",
    year: int | None = None,
    *,
    settings: Settings,
) -> list[Institution]:
    """Institutions of an area whose function for ``theme`` is in ``state`` (e.g. 意向有り).

    The guideline's measures often start from this list (意向のある医療機関).
    """
    (t,) = _themes(theme)
    if state not in STATE_NUMBERS:
        raise InputError(f"状態「{state}」は不明です（{', '.join(STATE_NUMBERS)}）。")
    with open_store(settings) as store:
        a = _resolve(store, area, year)
        y = year or store.latest_year(a.pref_code)
        if y is None:
            raise NoReportDataError()
        return store.institutions(y, a.municipalities, t, STATE_NUMBERS[state])


def answers_for(inst_code: str, year: int, *, settings: Settings) -> list[Answer]:
    """The stored long-form answers of one institution in one year."""
    with open_store(settings) as store:
        return store.answers(year, inst_code)


def years(*, settings: Settings) -> list[int]:
    """Report years with data."""
    with open_store(settings) as store:
        return sorted({d["year"] for d in store.datasets()})


def datasets(*, settings: Settings) -> list[dict]:
    """What is stored: one row per (year, prefecture) with source file and synthetic flag."""
    with open_store(settings) as store:
        return store.datasets()


def remove_data(
    pref_code: str,
    year: int | None = None,
    *,
    areas: bool = False,
    settings: Settings,
) -> int:
    """Delete a prefecture's report data (e.g. the 架空データ, code 99) in one transaction.

    With ``areas`` the prefecture's area table goes too (only when no year of it is left).
    Returns the number of institution-years removed.
    """
    with open_store(settings) as store:
        return store.remove(pref_code, year, areas)
