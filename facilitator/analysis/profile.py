"""The gap profile: where an area stands on one theme, read from its own report data.

Every indicator of the area is set against the prefecture with an honest direction:
a share or a rate is called 「下回る」/「上回る」 only when its 95% interval leaves out the
prefecture's value (Wilson for shares of institutions, Poisson for counts per population),
so a handful of institutions never makes a "below average" claim on its own. Areas inside
the area (its 市町村, or a prefecture's 二次医療圏) are read too, so a gap hidden by an
average shows, and the actors the area has (hospitals, clinics, institutions doing home
visits, …) are counted, because a measure can only name actors that exist.

The drafter reads this profile, never the raw indicators; the claim checker compares
every statement about the area with it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from facilitator.reports import NoReportDataError, summary
from facilitator.reports.compute.compare import Direction, direction, interval
from facilitator.reports.models import Area, AreaSummary, Finding, Indicator
from facilitator.settings import Settings

DIRECTION_WORDS: dict[str, str] = {
    "below": "下回る",
    "above": "上回る",
    "similar": "同程度",
    "uncertain": "件数が少なく判断できない",
    "none": "",
}

# Actor counts read from the indicators: (label, metric) per theme, after the common ones.
THEME_ACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "ichigo": (("総合診療専門医のいる医療機関", "item.g1_sogo.yes"),),
    "jikangai": (
        ("在宅当番医制に参加する医療機関", "item.g2i_tohban.yes"),
        ("休日夜間急患センター等に参加する医療機関", "item.g2i_kyukan.yes"),
        ("時間外に随時対応する医療機関", "item.g2i_zuiji.yes"),
    ),
    "nyutaiin": (
        ("後方支援病床を確保する医療機関", "item.g2ro_koho.yes"),
        ("退院ルールに参加する医療機関", "item.g2ro_taiin_rule.yes"),
    ),
    "zaitaku": (
        ("24時間体制の在宅医療を提供する医療機関", "zaitaku.h24"),
        ("訪問看護を行う医療機関", "item.g2ha_kango.inst"),
        ("在宅看取りを行う医療機関", "item.g2ha_mitori.inst"),
    ),
    "kaigo": (
        ("介護保険施設の協力医療機関", "item.g2ni_kyoryoku.yes"),
        ("地域ケア会議に参加する医療機関", "item.g2ni_care_kaigi.yes"),
    ),
}
HEADLINE = "{theme}.yes.per65"
"""The metric that says whether a sub-area has the function at all, per 65歳以上人口."""


class MetricGap(BaseModel):
    """One indicator of the area against the prefecture, with its uncertainty."""

    metric: str
    label: str
    value: float | None
    unit: str
    numerator: float | None = None
    denominator: float | None = None
    denominator_label: str = ""
    n: int = Field(description="institutions in the base")
    prefecture: float | None = None
    direction: Direction = "none"
    low: float | None = Field(default=None, description="95% interval of the value")
    high: float | None = None
    detail: tuple[str, ...] = ()
    filter: str = Field(default="", description="year, area, base and condition in words")
    finding_id: str | None = Field(default=None, description="the finding that states it")

    @property
    def short_label(self) -> str:
        """The label without its unit in brackets: 「在宅医療の機能を有する医療機関」."""
        head, sep, tail = self.label.rpartition("（")
        return head if sep and "当たり" in tail else self.label

    @property
    def shortfall(self) -> float:
        """How far below the prefecture, as a share of it (0 when not below)."""
        if self.direction != "below" or not self.prefecture or self.value is None:
            return 0.0
        return max(0.0, (self.prefecture - self.value) / self.prefecture)


class SubArea(BaseModel):
    """A 市町村 of a 二次医療圏 (or a 二次医療圏 of a prefecture) on the theme's headline."""

    code: str
    name: str
    level: str
    area_type: str = ""
    population: int = 0
    pop65: int = 0
    institutions: int = 0
    hospitals: int = 0
    providers: int = Field(default=0, description="institutions with the theme's function")
    rate: float | None = Field(default=None, description="providers per 1万 65歳以上人口")
    direction: Direction = "none"


class GapProfile(BaseModel):
    """Where one area stands on one theme: figures, gaps, sub-areas and actors."""

    area_code: str
    area_name: str
    level: str
    area_type: str = ""
    pref_name: str = ""
    theme: str
    year: int
    synthetic: bool = False
    population: int = 0
    pop65: int = 0
    pop75: int = 0
    metrics: dict[str, MetricGap] = Field(default_factory=dict)
    subareas: list[SubArea] = Field(default_factory=list)
    actors: dict[str, int] = Field(default_factory=dict, description="label → institutions")
    neighbour_hospitals: list[str] = Field(
        default_factory=list,
        description="hospitals with the function in the surrounding 二次医療圏 (no hospital here)",
    )

    @property
    def next_year(self) -> int:
        """The report cycle in which a measure's effect can first be seen."""
        return self.year + 1

    def get(self, metric: str) -> MetricGap | None:
        return self.metrics.get(metric.replace("{theme}", self.theme))

    def value(self, metric: str) -> float | None:
        gap = self.get(metric)
        return gap.value if gap is not None else None

    def direction(self, metric: str) -> Direction:
        gap = self.get(metric)
        return gap.direction if gap is not None else "none"

    @property
    def without_provider(self) -> list[SubArea]:
        """Sub-areas where no institution has the theme's function."""
        return [s for s in self.subareas if s.providers == 0]

    @property
    def below(self) -> list[MetricGap]:
        """Metrics clearly below the prefecture, largest shortfall first."""
        gaps = [g for g in self.metrics.values() if g.direction == "below"]
        return sorted(gaps, key=lambda g: (-g.shortfall, g.metric))

    @property
    def rural(self) -> bool:
        """A rural area: its own type, or most of its sub-areas are 農村・山間・離島."""
        kinds = ("農村", "山間", "離島")
        if any(k in self.area_type for k in kinds):
            return True
        small = [s for s in self.subareas if any(k in s.area_type for k in kinds)]
        return bool(self.subareas) and len(small) * 2 > len(self.subareas)


def _interval(ind: Indicator) -> tuple[float, float] | None:
    return interval(ind.value, ind.numerator, ind.denominator, ind.unit, ".sum." in ind.metric)


def _direction(ind: Indicator) -> Direction:
    # 「無し」 shares mirror the 「有り」 ones: a lower share of institutions without the
    # function is not a shortfall, so they are left without a direction.
    if ind.metric.endswith(("none_areas", "covered", ".no.share", ".no")):
        return "none"
    return direction(
        ind.value,
        ind.prefecture_value,
        numerator=ind.numerator,
        denominator=ind.denominator,
        n=ind.n,
        unit=ind.unit,
        acts=".sum." in ind.metric,
    )


def metric_gap(ind: Indicator, finding: Finding | None = None) -> MetricGap:
    """One indicator read against the prefecture."""
    interval = _interval(ind)
    low, high = interval if interval else (None, None)
    return MetricGap(
        metric=ind.metric,
        label=ind.label,
        value=ind.value,
        unit=ind.unit,
        numerator=ind.numerator,
        denominator=ind.denominator,
        denominator_label=ind.denominator_label,
        n=ind.n,
        prefecture=ind.prefecture_value,
        direction=_direction(ind),
        low=low,
        high=high,
        detail=ind.detail,
        filter=ind.filter,
        finding_id=finding.id if finding else None,
    )


# --------------------------------------------------------------------------- profile


def _subarea(s: AreaSummary, theme: str) -> SubArea:
    by_metric = {i.metric: i for i in s.indicators}
    head = by_metric.get(HEADLINE.format(theme=theme))
    yes = by_metric.get(f"{theme}.yes")
    gap = metric_gap(head) if head is not None else None
    return SubArea(
        code=s.area.code,
        name=s.area.name,
        level=s.area.level,
        area_type=s.area.area_type,
        population=s.area.population,
        pop65=s.area.pop65,
        institutions=s.n_institutions,
        hospitals=s.n_hospitals,
        providers=int(yes.value or 0) if yes is not None and yes.value is not None else 0,
        rate=head.value if head is not None else None,
        direction=gap.direction if gap is not None else "none",
    )


def _subarea_codes(area: Area, settings: Settings) -> list[str]:
    if area.level == "secondary":
        return list(area.municipalities)
    if area.level == "prefecture":
        from facilitator.reports import list_areas

        return [
            a.code
            for a in list_areas(level="secondary", settings=settings)
            if a.pref_code == area.pref_code
        ]
    return []


def build_profile(
    area: Area, theme: str, year: int | None = None, *, settings: Settings
) -> GapProfile:
    """The gap profile of ``area`` for ``theme`` from the stored report data.

    Raises:
        NoReportDataError: the area has no report data for that year.
    """
    own = summary(area, theme, year, settings=settings).areas[0]
    findings = {f.metric: f for f in own.findings}
    profile = GapProfile(
        area_code=area.code,
        area_name=area.name,
        level=area.level,
        area_type=area.area_type,
        pref_name=area.pref_name,
        theme=theme,
        year=own.year,
        synthetic=own.synthetic,
        population=area.population,
        pop65=area.pop65,
        pop75=area.pop75,
        metrics={i.metric: metric_gap(i, findings.get(i.metric)) for i in own.indicators},
    )
    for code in _subarea_codes(area, settings):
        try:
            sub = summary(code, theme, own.year, settings=settings).areas[0]
        except NoReportDataError:
            continue
        profile.subareas.append(_subarea(sub, theme))
    profile.actors = actors(own, profile)
    if own.n_hospitals == 0 and area.level == "municipality" and area.sec_code:
        profile.neighbour_hospitals = neighbour_hospitals(area.sec_code, theme, own.year, settings)
    return profile


def neighbour_hospitals(sec_code: str, theme: str, year: int, settings: Settings) -> list[str]:
    """Hospitals of the 二次医療圏 that have the theme's function (up to three names)."""
    from facilitator.reports import institutions_for

    try:
        found = institutions_for(sec_code, theme, "有り", year, settings=settings)
    except NoReportDataError:
        return []
    return sorted(i.name for i in found if i.kind == "病院")[:3]


def actors(own: AreaSummary, profile: GapProfile) -> dict[str, int]:
    """Who is there to act: hospitals, clinics and the institutions doing the theme's work."""
    out = {"病院": own.n_hospitals, "診療所": own.n_clinics}
    yes = profile.value(f"{profile.theme}.yes")
    if yes is not None:
        out["機能を有する医療機関"] = int(yes)
    willing = profile.value(f"{profile.theme}.willing")
    if willing is not None:
        out["意向有りの医療機関"] = int(willing)
    for label, metric in THEME_ACTORS.get(profile.theme, ()):
        value = profile.value(metric)
        if value is not None:
            out[label] = int(value)
    return out
