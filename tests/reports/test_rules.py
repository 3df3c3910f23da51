"""Derived flags follow the official rules (1号 = all ★; 2号 only for 1号; 意向有り kept)."""

from __future__ import annotations

import pytest

from facilitator.reports import derive_institution
from facilitator.reports.ingest.rules import mask_of, typed_column
from facilitator.reports.items import load_dictionary

ICHIGO = {"g1_keiji": 1, "g1_ryoiki": [1, 6], "g1_soudan": 1}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (ICHIGO, "有り"),
        ({**ICHIGO, "g1_keiji": 0}, "無し"),
        ({**ICHIGO, "g1_soudan": 0}, "無し"),
        ({**ICHIGO, "g1_ryoiki": []}, "無し"),
        ({**ICHIGO, "g1_ryoiki": None}, "無し"),
        ({"g1_keiji": 1, "g1_soudan": 1}, "無し"),
        ({**ICHIGO, "g1_kenshu": 0, "g1_sogo": 0}, "有り"),
        ({**ICHIGO, "g1_kenshu": 1, "g1_sogo": 1, "g1_keiji": 0}, "無し"),
    ],
    ids=[
        "all-starred",
        "no-posting",
        "no-consultation",
        "no-domain",
        "domain-blank",
        "domain-missing",
        "training-irrelevant",
        "training-cannot-rescue",
    ],
)
def test_ichigo_requires_every_starred_item(answers: dict, expected: str) -> None:
    assert derive_institution(answers)["ichigo"] == expected


@pytest.mark.parametrize(
    ("extra", "theme", "expected"),
    [
        ({"g2i_tohban": 2}, "jikangai", "有り"),
        ({"g2i_tohban": 7}, "jikangai", "有り"),
        ({"g2i_tohban": 1}, "jikangai", "意向有り"),
        ({"g2i_tohban": 0, "g2i_kyukan": 0}, "jikangai", "無し"),
        ({"g2i_tohban": 1, "g2i_kyukan": 3}, "jikangai", "有り"),
        ({"g2i_tohban": 0, "g2i_jikangai_kasan": 5}, "jikangai", "有り"),
        ({"g2i_tohban": 1, "g2i_jikangai_kasan": 0}, "jikangai", "意向有り"),
        ({"g2ha_taisei": 2}, "zaitaku", "有り"),
        ({"g2ha_taisei": 1}, "zaitaku", "意向有り"),
        ({"g2ha_taisei": 0, "g2ha_houmon": 3}, "zaitaku", "有り"),
        ({"g2ha_taisei": 0, "g2ha_houmon": 0}, "zaitaku", "無し"),
        ({"g2ni_iken": 1, "g2ni_tantosha": 0}, "kaigo", "意向有り"),
        ({"g2ni_iken": 1, "g2ni_tantosha": 2}, "kaigo", "有り"),
        ({"g2ro_taiin_rule": 1}, "nyutaiin", "意向有り"),
        ({}, "zaitaku", "無し"),
    ],
)
def test_second_functions_any_item_decides(extra: dict, theme: str, expected: str) -> None:
    assert derive_institution({**ICHIGO, **extra})[theme] == expected


@pytest.mark.parametrize("theme", ["jikangai", "nyutaiin", "zaitaku", "kaigo", "hoka"])
def test_second_functions_are_not_applicable_without_ichigo(theme: str) -> None:
    answers = {
        **ICHIGO,
        "g1_keiji": 0,
        "g2i_tohban": 7,
        "g2ro_koho": 2,
        "g2ha_taisei": 3,
        "g2ni_iken": 2,
        "g2ho_yobo": 1,
    }
    assert derive_institution(answers)[theme] == "対象外"


def test_willing_is_not_counted_as_present() -> None:
    states = derive_institution({**ICHIGO, "g2ha_taisei": 1, "g2i_tohban": 1})
    assert (states["zaitaku"], states["jikangai"]) == ("意向有り", "意向有り")


def test_text_answers_do_not_make_a_function_present() -> None:
    states = derive_institution({**ICHIGO, "g2ha_renkei": "架空クリニック"})
    assert states["zaitaku"] == "無し"


def test_multi_select_masks_set_one_bit_per_code() -> None:
    item = next(it for it in load_dictionary(2026).items if it.answer_type == "multi")
    column = typed_column(item, ["1;3;17", "", None, "40"])
    assert column.tolist() == [1 | 4 | 1 << 16, 0, -1, 1 << 39]
    assert column.tolist()[0] == mask_of("1;3;17")
