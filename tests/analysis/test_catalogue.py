"""The shipped issue catalogue: it loads, cites real chunks word for word, renders for every
sample area and theme, names only facts the profiles have, and never claims a direction
the area's own data contradicts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from facilitator.analysis.catalogue import (
    Catalogue,
    Condition,
    Pattern,
    applies,
    fact,
    load_catalogue,
    match,
    render,
)
from facilitator.analysis.profile import GapProfile
from facilitator.drafting.roles import ROLE_ACTORS
from facilitator.settings import Settings
from facilitator.text import normalize_query
from facilitator.themes import COUNCIL_THEMES

slow = pytest.mark.slow

ACTORS = ROLE_ACTORS
SPECIAL_FACTS = {
    "level",
    "rural",
    "metrics.below",
    "metrics.above",
    "subareas",
    "subareas.below",
    "subareas.without_provider",
}
TEMPLATE_NAMES = {"area", "pref", "next_year", "subareas.below", "subareas.without_provider"}
PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|(\w+))?\}")
METRIC_CODE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
LOOSE_SPACE = re.compile(r"[^\x00-\x7f] [\x21-\x7e]|[\x21-\x7e] [^\x00-\x7f]")
NOT_A_SHORTFALL = (".no.share",)  # fewer institutions *without* the function is no gap


# ----------------------------------------------------------------------------- helpers


def conditions(pattern: Pattern) -> Iterator[Condition]:
    """Every condition of a pattern: its own and those of its causes and measures."""
    yield from pattern.when
    yield from pattern.any
    for cause in pattern.causes:
        yield from cause.requires
    for measure in pattern.measures:
        yield from measure.requires


def templates(pattern: Pattern) -> Iterator[str]:
    """Every text of a pattern that is rendered with the area's figures."""
    yield from (pattern.issue, pattern.goal, pattern.effect)
    for cause in pattern.causes:
        yield from (cause.text, cause.check)
    for measure in pattern.measures:
        yield measure.text
        yield from measure.points


def named_facts(pattern: Pattern, theme: str) -> set[str]:
    """Metrics and actor labels a pattern names anywhere (conditions, figures, templates)."""
    names = {c.fact for c in conditions(pattern)}
    names |= {pattern.strength} if pattern.strength else set()
    names |= set(pattern.figures)
    names |= {m for measure in pattern.measures for m in measure.progress}
    for text in templates(pattern):
        names |= {key.strip() for key, _ in PLACEHOLDER.findall(text)}
    return {n.replace("{theme}", theme) for n in names} - SPECIAL_FACTS - TEMPLATE_NAMES


def shortfalls(profile: GapProfile) -> list[str]:
    """Metrics clearly below the prefecture that mean a gap (not a smaller share of 「無し」)."""
    return [g.metric for g in profile.below if not g.metric.endswith(NOT_A_SHORTFALL)]


def metric_directions(pattern: Pattern, profile: GapProfile) -> dict[str, str]:
    return {f: profile.direction(f) for f in pattern.figures}


def wanted(pattern: Pattern, direction: str) -> bool:
    """Whether the pattern conditions some gap metric on ``direction``."""
    return any(
        c.is_ == direction and not c.fact.endswith(NOT_A_SHORTFALL)
        for c in (*pattern.when, *pattern.any)
    )


def uses_subareas(pattern: Pattern) -> bool:
    return any(c.fact.startswith("subareas") for c in (*pattern.when, *pattern.any))


# ------------------------------------------------------------------------ fast checks


def test_catalogue_loads_with_every_theme() -> None:
    catalogue = load_catalogue()
    assert isinstance(catalogue, Catalogue)
    assert set(COUNCIL_THEMES) <= set(catalogue.themes)
    for theme in COUNCIL_THEMES:
        tc = catalogue.theme(theme)
        assert tc.example_topic, theme
        assert tc.example_claim, theme
        assert len([p for p in tc.patterns if not p.fallback]) >= 4, theme
        assert any(p.fallback for p in tc.patterns), theme


def test_ids_are_unique() -> None:
    catalogue = load_catalogue()
    patterns = [p.id for tc in catalogue.themes.values() for p in tc.patterns]
    measures = [m.id for tc in catalogue.themes.values() for p in tc.patterns for m in p.measures]
    assert len(patterns) == len(set(patterns))
    assert len(measures) == len(set(measures))


def test_measures_name_known_actors_and_say_where_the_hospital_is() -> None:
    """Roles come from the vocabulary (「病院：急変時の受入れ」); a hospital role is written
    either for an area with a hospital (min 1) or for one that relies on its neighbours'
    (max 0), never left to chance."""
    for tc in load_catalogue().themes.values():
        for pattern in tc.patterns:
            assert pattern.measures, pattern.id
            for measure in pattern.measures:
                actors = [a.split("：")[0] for a in measure.actors]
                assert actors, measure.id
                assert set(actors) <= set(ACTORS), measure.id
                assert len(actors) == len(set(actors)), measure.id
                assert all("：" in a and a.split("：")[1] for a in measure.actors), measure.id
                assert measure.progress, measure.id
                assert measure.sources, f"{measure.id}: a measure needs a source to cite"
                assert measure.horizon in ("next_report", "two_reports"), measure.id
                if "病院" in actors:
                    hospital = [r for r in measure.requires if r.fact == "actors.病院"]
                    assert any((r.min or 0) >= 1 or r.max == 0 for r in hospital), (
                        f"{measure.id}: names 病院 without saying whether the area has one"
                    )


def test_issue_sources_state_problems_and_effect_sources_outcomes() -> None:
    """The 課題 cites where a problem is stated, the 効果 where an outcome is: a goal quoted
    under a 課題 would look like backing without saying the same thing."""
    for tc in load_catalogue().themes.values():
        for pattern in tc.patterns:
            assert not any(s.chunk.endswith((":goal", ":effect")) for s in pattern.sources)
            assert not any(s.chunk.endswith(":issue") for s in pattern.effect_sources)


def test_texts_carry_no_metric_codes_outside_placeholders() -> None:
    for tc in load_catalogue().themes.values():
        for pattern in tc.patterns:
            texts = [pattern.title, *templates(pattern)]
            for text in texts:
                assert not METRIC_CODE.search(PLACEHOLDER.sub("", text)), (pattern.id, text)


def test_causes_are_checkable() -> None:
    for tc in load_catalogue().themes.values():
        for pattern in tc.patterns:
            assert pattern.causes, pattern.id
            for cause in pattern.causes:
                assert cause.check, (pattern.id, cause.text)


# ---------------------------------------------------------------- against the index


@slow
def test_every_source_is_an_indexed_chunk_and_quotes_are_verbatim(built: Settings) -> None:
    from facilitator.search.index import IndexStore

    store = IndexStore(built)
    problems = []
    for tc in load_catalogue().themes.values():
        for pattern in tc.patterns:
            for source in pattern.all_sources():
                chunk = store.by_id.get(source.chunk)
                if chunk is None:
                    problems.append(f"{pattern.id}: no chunk {source.chunk}")
                elif source.quote and normalize_query(source.quote) not in chunk.text:
                    problems.append(f"{pattern.id}: not in {source.chunk}: {source.quote}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------- against the sample data


@slow
def test_every_template_renders_for_every_area(profiles: dict[str, list[GapProfile]]) -> None:
    catalogue = load_catalogue()
    for theme, theme_profiles in profiles.items():
        for pattern in catalogue.theme(theme).patterns:
            for text in templates(pattern):
                for profile in theme_profiles:
                    out = render(text, profile)
                    where = f"{pattern.id} / {profile.area_name}: {out}"
                    assert "{" not in out and "}" not in out, where
                    assert not METRIC_CODE.search(out), where
                    assert not LOOSE_SPACE.search(out), where


@slow
def test_every_named_metric_and_actor_exists_in_the_profiles(
    profiles: dict[str, list[GapProfile]],
) -> None:
    catalogue = load_catalogue()
    for theme, theme_profiles in profiles.items():
        tc = catalogue.theme(theme)
        names = {c.fact.replace("{theme}", theme) for c in tc.example_claim}
        for pattern in tc.patterns:
            names |= named_facts(pattern, theme)
        for profile in theme_profiles:
            for name in sorted(names - SPECIAL_FACTS):
                if name.startswith("actors."):
                    assert name.removeprefix("actors.") in profile.actors, (theme, name)
                else:
                    assert name in profile.metrics, (theme, name, profile.area_name)


@slow
def test_each_theme_picks_at_least_two_different_top_patterns(
    profiles: dict[str, list[GapProfile]],
) -> None:
    catalogue = load_catalogue()
    for theme, theme_profiles in profiles.items():
        tops = set()
        for profile in theme_profiles:
            found = match(catalogue, profile)
            assert found, f"{theme}: no pattern for {profile.area_name}"
            tops.add(found[0].pattern.id)
        assert len(tops) >= 2, (theme, tops)


@slow
def test_fallbacks_hold_only_where_nothing_is_below(
    profiles: dict[str, list[GapProfile]],
) -> None:
    catalogue = load_catalogue()
    held = 0
    for theme, theme_profiles in profiles.items():
        fallbacks = [p for p in catalogue.theme(theme).patterns if p.fallback]
        for profile in theme_profiles:
            for pattern in fallbacks:
                if not applies(pattern, profile):
                    continue
                held += 1
                where = f"{pattern.id} / {profile.area_name}"
                assert not shortfalls(profile), (where, shortfalls(profile))
                assert fact(profile, "subareas.below") == 0, where
                assert fact(profile, "subareas.without_provider") == 0, where
                assert all(g.direction != "uncertain" for g in map(profile.get, pattern.figures)), (
                    where
                )
    assert held, "no fallback holds anywhere in the sample"


@slow
def test_matched_issues_never_claim_a_direction_the_data_contradicts(
    profiles: dict[str, list[GapProfile]],
) -> None:
    catalogue = load_catalogue()
    for theme, theme_profiles in profiles.items():
        for profile in theme_profiles:
            for pattern in catalogue.theme(theme).patterns:
                if not applies(pattern, profile):
                    continue
                where = f"{pattern.id} / {profile.area_name}"
                issue = render(pattern.issue, profile)
                directions = metric_directions(pattern, profile)
                for c in pattern.when:  # the data says what the conditions say
                    if c.is_ in ("below", "above", "similar", "uncertain") and "." in c.fact:
                        assert profile.direction(c.fact) == c.is_, (where, c.fact)
                if wanted(pattern, "below"):  # a gap is never told with a figure above
                    assert "above" not in directions.values(), (where, directions)
                if wanted(pattern, "above"):
                    assert "below" not in directions.values(), (where, directions)
                if "県平均を下回る" in issue and not uses_subareas(pattern):
                    assert "below" in directions.values(), (where, directions)
                if "県平均を上回る" in issue:
                    assert "above" in directions.values(), (where, directions)
                if "比較はできない" in issue:  # small areas: counts, never 「下回る」
                    assert set(directions.values()) <= {"uncertain"}, (where, directions)
                    assert "下回" not in issue and "上回" not in issue, where
                if "明らかに下回る項目は見られない" in issue:
                    assert not shortfalls(profile), (where, shortfalls(profile))
                if directions and set(directions.values()) <= {"uncertain"}:
                    assert "県平均を下回" not in issue, where
