"""Findings: citable sentences with stable ids, comparisons and the 架空データ label; lookups."""

from __future__ import annotations

import pytest

from facilitator.errors import InputError
from facilitator.reports import (
    AmbiguousAreaError,
    AreaNotFoundError,
    NoReportDataError,
    find_area,
    findings_for,
    institutions_for,
    summary,
)
from facilitator.reports.compute.findings import relation
from facilitator.settings import Settings


@pytest.mark.parametrize("theme", ["ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo"])
def test_every_theme_has_findings_for_every_area_level(loaded: Settings, theme: str) -> None:
    for area in ("99201", "9902", "99"):
        assert findings_for(area, theme, settings=loaded)


def test_finding_ids_are_stable(loaded: Settings) -> None:
    first = [f.id for f in findings_for("奥沢村", "zaitaku", settings=loaded)]
    assert first == [f.id for f in findings_for("99362", "zaitaku", 2026, settings=loaded)]
    assert "rpt-2026-99362-zaitaku-zaitaku.h24.per65" in first


def test_ids_are_unique_within_a_summary(loaded: Settings) -> None:
    ids = [f.id for s in summary(settings=loaded).areas for f in s.findings]
    assert len(ids) == len(set(ids))


def test_sentence_states_the_figure_and_the_comparison(loaded: Settings) -> None:
    f = next(
        f
        for f in findings_for("県都市", "zaitaku", settings=loaded)
        if f.metric == "zaitaku.h24.per65"
    )
    assert f.sentence.startswith("【架空データ】県都市の在宅医療（24時間体制）を有する医療機関は")
    assert (
        f"{int(f.count)}施設（65歳以上人口1万人当たり{f.value:.1f}、県平均{f.comparison.value:.1f}）"
        in f.sentence
    )
    assert f.comparison.relation_label in f.sentence


def test_area_without_24h_care_says_so(loaded: Settings) -> None:
    f = next(
        f
        for f in findings_for("奥沢村", "zaitaku", settings=loaded)
        if f.metric == "zaitaku.h24.per65"
    )
    assert "奥沢村には在宅医療（24時間体制）を有する医療機関がない" in f.sentence and f.value == 0


def test_secondary_area_lists_municipalities_without(loaded: Settings) -> None:
    f = next(
        f
        for f in findings_for("北部医療圏", "zaitaku", settings=loaded)
        if f.metric == "zaitaku.h24.none_areas"
    )
    assert "奥沢村" in f.sentence and f.comparison is None


def test_findings_are_structured_with_provenance(loaded: Settings) -> None:
    for f in findings_for("9903", "jikangai", settings=loaded):
        assert (f.year, f.area_code, f.theme, f.synthetic) == (2026, "9903", "jikangai", True)
        assert f.filter and f.n >= 0 and "架空データ" in f.source and f.metric


def test_prefecture_findings_show_the_spread_across_areas(loaded: Settings) -> None:
    f = findings_for("架空県", "zaitaku", settings=loaded)[0]
    assert "二次医療圏別では" in f.sentence and f.comparison is None


@pytest.mark.parametrize(
    ("value", "ref", "rel"),
    [
        (3.1, 4.5, "below"),
        (4.6, 4.5, "similar"),
        (6.0, 4.5, "above"),
        (0, 0, "similar"),
        (1, 0, "above"),
    ],
)
def test_relation_to_the_prefecture(value: float, ref: float, rel: str) -> None:
    assert relation(value, ref)[0] == rel


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("99201", "99201"),
        ("992011", "99201"),
        ("県都市", "99201"),
        ("北部医療圏", "9902"),
        ("北部", "9902"),
        ("9902", "9902"),
        ("99", "99"),
        ("架空県", "99"),
        ("架空県奥沢村", "99362"),
        ("汐島", "99382"),
    ],
)
def test_area_lookup_by_code_or_name(loaded: Settings, query: str, code: str) -> None:
    assert find_area(query, settings=loaded).code == code


def test_ambiguous_area_lists_candidates(loaded: Settings) -> None:
    with pytest.raises(AmbiguousAreaError, match="北山市"):
        find_area("北", settings=loaded)


def test_unknown_area_is_not_found(loaded: Settings) -> None:
    with pytest.raises(AreaNotFoundError, match="地域「火星市」が見つかりません"):
        find_area("火星市", settings=loaded)


def test_unknown_theme_is_an_input_error(loaded: Settings) -> None:
    with pytest.raises(InputError, match="テーマ「sports」は不明"):
        findings_for("99201", "sports", settings=loaded)


def test_no_data_gives_a_japanese_hint(settings: Settings) -> None:
    with pytest.raises(NoReportDataError, match="load-sample"):
        summary(settings=settings)


def test_willing_institutions_can_be_listed(loaded: Settings) -> None:
    rows = institutions_for("北部医療圏", "zaitaku", "意向有り", settings=loaded)
    assert rows and all(r.functions["zaitaku"] == "意向有り" and r.synthetic for r in rows)


def test_decisive_items_are_stated_with_their_own_base(loaded: Settings) -> None:
    """総合診療専門医 (of all reporting institutions), 協力医療機関, 往診 and 訪問看護 are
    in 現状; an 1号 item's share is of the institutions that reported, not of 1号 ones."""
    ichigo = {f.metric: f.sentence for f in findings_for("北部医療圏", "ichigo", settings=loaded)}
    assert "総合診療専門医がいる医療機関" in ichigo["item.g1_sogo.yes.share"]
    assert "（報告した医療機関の" in ichigo["item.g1_sogo.yes.share"]
    kaigo = {f.metric for f in findings_for("北部医療圏", "kaigo", settings=loaded)}
    assert {"item.g2ni_kyoryoku.yes.share", "item.g2ni_acp.yes.share"} <= kaigo
    zaitaku = {f.metric for f in findings_for("北部医療圏", "zaitaku", settings=loaded)}
    assert {"item.g2ha_oushin.sum.per75", "item.g2ha_kango.sum.per75"} <= zaitaku


def test_the_functions_intent_is_not_read_as_the_items(loaded: Settings) -> None:
    """「意向有り」 of the function counts institutions that do none of it yet; the items'
    「意向有り」 (often by institutions already doing another item) are stated per item."""
    found = {f.metric: f.sentence for f in findings_for("北部医療圏", "kaigo", settings=loaded)}
    assert "をまだ行っていない" in found["kaigo.willing"]
    assert "「意向有り」は" in found["item.g2ni_care_kaigi.yes.share"]
