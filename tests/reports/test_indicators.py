"""Indicators checked by hand: recomputed from the raw sample rows with the csv module."""

from __future__ import annotations

from collections import defaultdict

import pytest

from facilitator.reports import indicators_for, summary
from facilitator.settings import Settings

H24 = {"3", "4"}


@pytest.fixture(scope="module")
def by_muni(report_rows) -> dict[str, list[dict[str, str]]]:
    header, rows = report_rows
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        rec = dict(zip(header, r, strict=True))
        out[rec["市町村コード"]].append(rec)
    return out


def is_ichigo(r: dict[str, str]) -> bool:
    return (
        r["具体的な機能を有すること及び報告事項の院内掲示"] == "1"
        and r["医療に関する患者からの相談への対応"] == "1"
        and r["一次診療の対応ができる領域"] not in ("", "0")
    )


def jikangai_yes(r: dict[str, str]) -> bool:
    counts = (
        "時間外加算の算定回数",
        "深夜加算の算定回数",
        "休日加算の算定回数",
        "夜間・早朝等加算の算定回数",
    )
    return is_ichigo(r) and (
        int(r["在宅当番医制への参加"]) >= 2
        or int(r["休日夜間急患センター等への参加"]) >= 2
        or r["自院又は連携による時間外の随時対応"] in ("2", "3")
        or r["時間外対応加算の届出"] == "1"
        or any(int(r[c]) > 0 for c in counts)
    )


def zaitaku_yes(r: dict[str, str]) -> bool:
    counts = (
        "訪問診療の実施件数",
        "往診の実施件数",
        "訪問看護の実施件数",
        "訪問看護指示料の算定回数",
        "在宅看取りの件数",
    )
    return is_ichigo(r) and (
        r["在宅医療を提供する体制"] in ("2", "3", "4") or any(int(r[c]) > 0 for c in counts)
    )


def indicator(settings: Settings, area: str, theme: str, metric: str):
    return next(i for i in indicators_for(area, theme, settings=settings) if i.metric == metric)


MUNIS = ["99201", "99362", "99382", "99204"]


@pytest.mark.parametrize("muni", MUNIS)
def test_ichigo_count_matches_raw_rows(loaded: Settings, by_muni, muni: str) -> None:
    expected = sum(is_ichigo(r) for r in by_muni[muni])
    assert indicator(loaded, muni, "ichigo", "ichigo.yes").value == expected


@pytest.mark.parametrize("muni", MUNIS)
def test_jikangai_share_matches_raw_rows(loaded: Settings, by_muni, muni: str) -> None:
    rows = by_muni[muni]
    ichigo = sum(is_ichigo(r) for r in rows)
    got = indicator(loaded, muni, "jikangai", "jikangai.yes.share")
    assert got.n == ichigo
    assert got.value == pytest.approx(100 * sum(jikangai_yes(r) for r in rows) / ichigo, abs=1e-3)


@pytest.mark.parametrize("muni", MUNIS)
def test_24h_rate_per_65_matches_raw_rows(loaded: Settings, by_muni, area_rows, muni: str) -> None:
    pop65 = int(next(a for a in area_rows if a["市町村コード"] == muni)["65歳以上人口"])
    h24 = sum(is_ichigo(r) and r["在宅医療を提供する体制"] in H24 for r in by_muni[muni])
    got = indicator(loaded, muni, "zaitaku", "zaitaku.h24.per65")
    assert got.numerator == h24 and got.denominator == pop65
    assert got.value == pytest.approx(h24 / pop65 * 10_000, abs=1e-3)


@pytest.mark.parametrize("muni", MUNIS)
def test_willing_home_care_matches_raw_rows(loaded: Settings, by_muni, muni: str) -> None:
    expected = sum(
        is_ichigo(r) and not zaitaku_yes(r) and r["在宅医療を提供する体制"] == "1"
        for r in by_muni[muni]
    )
    assert indicator(loaded, muni, "zaitaku", "zaitaku.willing").value == expected


def test_secondary_area_sums_its_municipalities(loaded: Settings, by_muni, area_rows) -> None:
    members = [a["市町村コード"] for a in area_rows if a["二次医療圏コード"] == "9902"]
    pop75 = sum(int(a["75歳以上人口"]) for a in area_rows if a["二次医療圏コード"] == "9902")
    visits = sum(
        int(r["訪問診療の実施件数"] or 0) for m in members for r in by_muni[m] if is_ichigo(r)
    )
    got = indicator(loaded, "9902", "zaitaku", "item.g2ha_houmon.sum.per75")
    assert got.numerator == visits and got.value == pytest.approx(visits / pop75 * 10_000, abs=1e-3)


def test_prefecture_value_is_the_whole_prefecture(loaded: Settings, by_muni, area_rows) -> None:
    pop65 = sum(int(a["65歳以上人口"]) for a in area_rows)
    h24 = sum(
        is_ichigo(r) and r["在宅医療を提供する体制"] in H24
        for rows in by_muni.values()
        for r in rows
    )
    got = indicator(loaded, "99201", "zaitaku", "zaitaku.h24.per65")
    assert got.prefecture_value == pytest.approx(h24 / pop65 * 10_000, abs=1e-3)


def test_areas_with_none_are_listed_by_name(loaded: Settings, by_muni, area_rows) -> None:
    names = {a["市町村コード"]: a["市町村名"] for a in area_rows}
    expected = [
        names[m]
        for m in names
        if not any(is_ichigo(r) and r["在宅医療を提供する体制"] in H24 for r in by_muni[m])
    ]
    got = indicator(loaded, "99", "zaitaku", "zaitaku.h24.none_areas")
    assert sorted(got.detail) == sorted(expected) and got.value == len(expected)


def test_shares_of_yes_willing_no_add_up(loaded: Settings) -> None:
    inds = {i.metric: i.value for i in indicators_for("99201", "kaigo", settings=loaded)}
    assert inds["kaigo.yes.share"] + inds["kaigo.willing.share"] + inds[
        "kaigo.no.share"
    ] == pytest.approx(100)


def test_every_indicator_carries_provenance(loaded: Settings) -> None:
    for ind in indicators_for("県都市", None, settings=loaded):
        assert ind.year == 2026 and ind.area_code == "99201"
        assert ind.filter.startswith("2026年報告・県都市（市町村）・")
        assert f"N={ind.n}" in ind.filter


def test_summary_covers_prefecture_secondary_and_municipalities(loaded: Settings) -> None:
    levels = [s.area.level for s in summary(settings=loaded).areas]
    assert (
        levels.count("prefecture"),
        levels.count("secondary"),
        levels.count("municipality"),
    ) == (1, 4, 16)
