"""The gap profile of each sample area: honest directions, explicit denominators, the
sub-areas and the actors the area has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from facilitator.analysis.profile import GapProfile, MetricGap
from facilitator.reports import list_areas, summary
from facilitator.reports.compute.compare import MIN_SHARE_N
from facilitator.settings import Settings

pytestmark = pytest.mark.slow
Profiles = dict[str, list[GapProfile]]


def every_gap(profiles: Profiles) -> Iterator[tuple[GapProfile, MetricGap]]:
    for theme_profiles in profiles.values():
        for profile in theme_profiles:
            for gap in profile.metrics.values():
                yield profile, gap


def test_below_and_above_only_where_the_interval_leaves_the_prefecture_out(
    profiles: Profiles,
) -> None:
    checked = 0
    for _, gap in every_gap(profiles):
        if gap.direction in ("below", "above") and gap.low is not None:
            assert gap.prefecture is not None and gap.high is not None
            if gap.direction == "below":
                assert gap.high < gap.prefecture, gap
            else:
                assert gap.low > gap.prefecture, gap
            checked += 1
    assert checked > 20


def test_shares_of_a_handful_of_institutions_have_no_direction(profiles: Profiles) -> None:
    small = [g for _, g in every_gap(profiles) if g.unit == "%" and g.n < MIN_SHARE_N]
    assert small, "the sample has villages with few institutions"
    assert all(g.direction in ("uncertain", "none") for g in small)


def test_shares_of_institutions_without_the_function_are_never_a_shortfall(
    profiles: Profiles,
) -> None:
    mirrored = [g for _, g in every_gap(profiles) if g.metric.endswith(".no.share")]
    assert mirrored and all(g.direction == "none" and g.shortfall == 0 for g in mirrored)


def test_rates_name_their_denominator(profiles: Profiles) -> None:
    for _, gap in every_gap(profiles):
        if gap.metric.endswith(".per65"):
            assert "65歳以上" in gap.unit, gap.metric
        if gap.metric.endswith(".per75"):
            assert "75歳以上" in gap.unit, gap.metric


def test_actors_are_the_areas_own_institutions(profiles: Profiles, drafting_data: Settings) -> None:
    for profile in profiles["zaitaku"]:
        own = summary(profile.area_code, "zaitaku", settings=drafting_data).areas[0]
        assert profile.actors["病院"] == own.n_hospitals
        assert profile.actors["診療所"] == own.n_clinics
        assert profile.actors["機能を有する医療機関"] == int(profile.value("zaitaku.yes") or 0)


def test_neighbouring_hospitals_only_for_a_municipality_without_one(profiles: Profiles) -> None:
    named = 0
    for profile in profiles["zaitaku"]:
        if profile.neighbour_hospitals:
            assert profile.level == "municipality" and profile.actors["病院"] == 0
            assert all("病院" in name for name in profile.neighbour_hospitals)
            named += 1
    assert named, "the sample has a town without a hospital"


def test_sub_areas_are_the_municipalities_or_the_secondary_areas(
    profiles: Profiles, drafting_data: Settings
) -> None:
    areas = {a.code: a for a in list_areas(settings=drafting_data)}
    for profile in profiles["ichigo"]:
        area = areas[profile.area_code]
        codes = [s.code for s in profile.subareas]
        if area.level == "secondary":
            assert set(codes) <= set(area.municipalities) and codes
        elif area.level == "prefecture":
            assert {areas[c].level for c in codes} == {"secondary"}
        else:
            assert codes == []
        for sub in profile.subareas:
            assert (sub.providers == 0) == (sub in profile.without_provider)


def test_the_catalogue_guide_lists_every_metric_of_the_profiles(profiles: Profiles) -> None:
    """docs/CATALOGUE.md's table is what a prefecture writes conditions with: it must name
    exactly the metrics the profiles have."""
    import re

    from facilitator.settings import PROJECT_ROOT

    guide = (PROJECT_ROOT / "docs" / "CATALOGUE.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+\.[a-z0-9_.]+)` \|", guide, flags=re.MULTILINE))
    have = {m for theme_profiles in profiles.values() for p in theme_profiles for m in p.metrics}
    assert listed == have
