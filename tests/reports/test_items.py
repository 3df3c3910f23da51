"""The item dictionary, code lists and column mappings are data, complete and consistent."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from facilitator.reports.items import (
    FUNCTIONS,
    Code,
    header_key,
    load_area_columns,
    load_dictionary,
)


@pytest.fixture(scope="module")
def d():
    return load_dictionary(2026)


def test_dictionary_covers_every_function(d) -> None:
    assert {it.function for it in d.items} == set(FUNCTIONS)


@pytest.mark.parametrize(
    "item_id",
    [
        "g1_keiji",
        "g1_kenshu",
        "g1_sogo",
        "g1_sogo_fte",
        "g1_ryoiki",
        "g1_shikkan",
        "g1_soudan",
        "g1_jisanyaku",
        "g1_platform",
        "g1_tokki",
        "g2i_tohban",
        "g2i_kyukan",
        "g2i_jikangai_kasan",
        "g2i_shinya_kasan",
        "g2i_kyujitsu_kasan",
        "g2i_yakan_kasan",
        "g2ro_koho",
        "g2ha_taisei",
        "g2ha_houmon",
        "g2ha_oushin",
        "g2ha_kango",
        "g2ha_shiji",
        "g2ha_mitori",
        "g2ni_iken",
        "g2ni_tantosha",
        "g2ho_kenshin",
    ],
)
def test_report_data_items_are_in_the_dictionary(d, item_id: str) -> None:
    assert d.item(item_id).name


def test_starred_items_are_the_three_official_ones(d) -> None:
    assert {it.id for it in d.items if it.starred} == {"g1_keiji", "g1_ryoiki", "g1_soudan"}


def test_training_and_specialist_do_not_decide_ichigo(d) -> None:
    assert not d.item("g1_kenshu").starred
    assert not d.item("g1_sogo").starred


@pytest.mark.parametrize(("key", "count"), [("domains", 17), ("diseases", 40)])
def test_code_lists_have_the_official_length(d, key: str, count: int) -> None:
    assert [c.code for c in d.code_lists[key].codes] == list(range(1, count + 1))


@pytest.mark.parametrize(("key", "codes"), [("domains", {8, 12, 13, 15}), ("diseases", {39, 40})])
def test_unconfirmed_codes_are_marked_in_data(d, key: str, codes: set[int]) -> None:
    assert {c.code for c in d.code_lists[key].codes if c.unconfirmed} == codes


def test_every_domain_name_ends_in_ryoiki(d) -> None:
    assert all(c.name.endswith("領域") for c in d.code_lists["domains"].codes)


def test_participation_items_are_ordinal_0_to_7(d) -> None:
    item = d.item("g2i_tohban")
    assert [c.code for c in item.choices] == list(range(8))
    assert [c.state for c in item.choices[:3]] == ["no", "willing", "yes"]


def test_24h_home_care_is_tagged_in_data(d) -> None:
    tagged = [c.label for c in d.item("g2ha_taisei").choices if "24h" in c.tags]
    assert tagged == ["自院で24時間", "自院＋連携で24時間"]


def test_every_item_has_a_unique_column_header(d) -> None:
    lookup = d.header_lookup()
    for it in d.items:
        assert lookup[header_key(d.header(it.id))] == it.id


def test_unconfirmed_items_are_optional_columns(d) -> None:
    assert all(not it.required for it in d.items if it.unconfirmed)
    assert all(it.required for it in d.items if not it.unconfirmed)


def test_text_items_never_decide_a_function(d) -> None:
    assert not any(it.decides for it in d.items if it.answer_type == "text")


def test_area_columns_require_population_by_age(d) -> None:
    assert {"pop65", "pop75", "population", "sec_code"} <= set(load_area_columns().required)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("65歳以上人口", "６５歳以上人口"),
        ("月2〜3回", "月2～3回"),
        ("市町村 コード", "市町村コード"),
    ],
)
def test_header_matching_ignores_width_and_spaces(a: str, b: str) -> None:
    assert header_key(a) == header_key(b)


@pytest.mark.parametrize("code", [0, 64])
def test_codes_must_fit_the_multi_select_mask(code: int) -> None:
    with pytest.raises(ValidationError):
        Code(code=code, name="領域")
