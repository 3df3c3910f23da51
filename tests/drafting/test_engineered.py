"""Drafts for areas whose shape is known (the engineered 検証県, tests/support/engineered.py):
the sheet must state the gap the data has, and only that one.

- 充実市 is above the prefecture everywhere: no 「下回る」, the plan is to keep what it has;
- 無病院町 has no hospital: no role for a hospital of its own, neighbours are named instead;
- 看取り少町 is well provided but reports no 看取り: the 在宅 sheet is about 看取り;
- 極小村 has two institutions: nothing is compared with the prefecture.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.drafting.context import DraftContext, DraftRequest, gather_context
from facilitator.drafting.draft import DraftResult, draft_sheet
from facilitator.search.searcher import Searcher
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.themes import COUNCIL_THEMES
from tests.support import engineered

pytestmark = pytest.mark.slow

THEMES = list(COUNCIL_THEMES)
AREAS = [m.name for m in engineered.MUNIS]
Drafts = dict[tuple[str, str], tuple[DraftResult, DraftContext]]


@pytest.fixture(scope="module")
def drafts(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Drafts:
    folder = tmp_path_factory.mktemp("engineered")
    settings = Settings(data_dir=folder / "data", corpus_dir=PROJECT_ROOT / "corpus")
    shutil.copytree(built.data_dir, settings.data_dir)
    engineered.load(settings, Path(folder) / "files")
    searcher = Searcher(settings)
    out = {}
    for theme in THEMES:
        for area in AREAS:
            request = DraftRequest(area=area, theme=theme)
            context = gather_context(request, settings, searcher)
            out[(theme, area)] = (draft_sheet(request, settings, searcher, save=False), context)
    return out


def patterns(drafts: Drafts, theme: str, area: str) -> list[str]:
    return [m.pattern.id for m in drafts[(theme, area)][1].matches]


def analysis_text(result: DraftResult) -> str:
    """課題, 原因 and 方策 as the council reads them."""
    sheet = result.sheet
    return "\n".join(
        [sheet.issue.text, *(c.text for c in sheet.causes)] + [m.text for m in sheet.measures]
    )


def test_no_draft_of_any_engineered_area_is_contradicted_by_its_figures(drafts: Drafts) -> None:
    flagged = {key: r.flagged for key, (r, _) in drafts.items() if r.flagged}
    assert not flagged


@pytest.mark.parametrize("theme", THEMES)
def test_area_above_the_prefecture_keeps_what_it_has(drafts: Drafts, theme: str) -> None:
    result, context = drafts[(theme, "充実市")]
    assert context.profile is not None and not context.profile.below
    assert "県平均を下回" not in analysis_text(result)
    assert not any(
        p.endswith(("-few-providers", "-low-share", "-gap"))
        for p in patterns(drafts, theme, "充実市")
    )
    assert all(m.priority != "高" for m in result.sheet.measures)


@pytest.mark.parametrize("theme", THEMES)
def test_area_without_a_hospital_gives_no_role_to_a_hospital_of_its_own(
    drafts: Drafts, theme: str
) -> None:
    result, context = drafts[(theme, "無病院町")]
    assert context.profile is not None and context.profile.actors.get("病院", 0) == 0
    actors = [r.actor for m in result.sheet.measures for r in m.roles]
    assert "病院" not in actors
    neighbours = [a for a in actors if a.startswith("近隣の")]
    for actor in neighbours:
        assert any(name in actor for name in context.profile.neighbour_hospitals) or (
            actor == "近隣の二次医療圏の病院"
        )


def test_neighbouring_hospitals_are_named_for_the_area_without_one(drafts: Drafts) -> None:
    named = [
        r.actor
        for theme in THEMES
        for m in drafts[(theme, "無病院町")][0].sheet.measures
        for r in m.roles
        if r.actor.startswith("近隣の病院（")
    ]
    assert named, "some measure relies on a neighbouring hospital and names it"


def test_only_low_mitori_makes_the_home_care_sheet_about_mitori(drafts: Drafts) -> None:
    result, context = drafts[("zaitaku", "看取り少町")]
    profile = context.profile
    assert profile is not None
    assert profile.direction("item.g2ha_mitori.sum.per75") == "below"
    assert profile.direction("zaitaku.yes.per65") != "below"
    assert patterns(drafts, "zaitaku", "看取り少町")[0] == "zaitaku-mitori-low"
    sheet = result.sheet
    assert "看取り" in sheet.issue.text and "県平均を下回" in sheet.issue.text
    assert not any("足りない" in c.text for c in sheet.causes)  # providers are not lacking
    assert any("ACP" in m.text or "人生会議" in m.text for m in sheet.measures)
    # the same theme reads differently where the gap is different
    other = drafts[("zaitaku", "無病院町")][0].sheet
    assert {c.text for c in sheet.causes}.isdisjoint(c.text for c in other.causes)


@pytest.mark.parametrize("theme", THEMES)
def test_tiny_village_is_not_compared_with_the_prefecture(drafts: Drafts, theme: str) -> None:
    result = drafts[(theme, "極小村")][0]
    assert patterns(drafts, theme, "極小村") == [f"{theme}-small"]
    assert "県平均を下回" not in analysis_text(result)
    assert "比較はできない" in result.sheet.issue.text or "判断できない" in result.sheet.issue.text


@pytest.mark.parametrize("theme", THEMES)
def test_each_cause_is_a_hypothesis_with_what_to_check(drafts: Drafts, theme: str) -> None:
    for area in AREAS:
        for cause in drafts[(theme, area)][0].sheet.causes:
            assert "（仮説）" in cause.text and "確かめ方" in cause.text, (area, cause.text)
