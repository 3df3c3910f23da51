"""Per-column validators: full-width digits, labels, codes; precise Japanese reasons."""

from __future__ import annotations

import pytest

from facilitator.reports.ingest.validators import (
    check_digit,
    inst_code,
    item_parser,
    muni_code,
    report_year,
    year_range,
)
from facilitator.reports.items import load_dictionary

D = load_dictionary(2026)


def parse(item_id: str, raw: str):
    return item_parser(D.item(item_id), D.code_lists)(raw)


@pytest.mark.parametrize(
    ("item_id", "raw", "value"),
    [
        ("g2ha_houmon", "123", 123),
        ("g2ha_houmon", "１２３", 123),
        ("g2ha_houmon", "1,234", 1234),
        ("g2ha_houmon", "12.0", 12),
        ("g2ha_houmon", "", None),
        ("g1_keiji", "1", 1),
        ("g1_keiji", "１", 1),
        ("g1_keiji", "有り", 1),
        ("g1_keiji", "無", 0),
        ("g2ni_iken", "無し（意向有り）", 1),
        ("g2ni_iken", "無し(意向有り)", 1),
        ("g2i_tohban", "月2～3回", 4),
        ("g2i_tohban", "７", 7),
        ("g2ha_taisei", "自院＋連携で24時間", 4),
        ("g1_ryoiki", "1;6;17", "1;6;17"),
        ("g1_ryoiki", "１７、６、１", "1;6;17"),
        ("g1_ryoiki", "小児領域", "17"),
        ("g1_ryoiki", "小児;眼", "4;17"),
        ("g1_ryoiki", "0", ""),
        ("g1_sogo_fte", "1.5", 1.5),
        ("g1_sogo_fte", "２", 2.0),
    ],
)
def test_valid_values_parse(item_id: str, raw: str, value: object) -> None:
    assert parse(item_id, raw) == (value, None)


@pytest.mark.parametrize(
    ("item_id", "raw", "reason"),
    [
        ("g2ha_houmon", "12a", "件数は0以上の整数"),
        ("g2ha_houmon", "-3", "負の値"),
        ("g1_keiji", "3", "選択肢にない値"),
        ("g2i_tohban", "8", "0:無し（意向無し）"),
        ("g1_ryoiki", "18", "「18」は一次診療の対応ができる領域"),
        ("g1_shikkan", "41", "1〜40"),
        ("g1_sogo_fte", "1.25", "小数点以下は1桁まで"),
        ("g1_sogo_fte", "abc", "0以上の数値"),
    ],
)
def test_invalid_values_give_a_japanese_reason(item_id: str, raw: str, reason: str) -> None:
    value, why = parse(item_id, raw)
    assert value is None and reason in why


@pytest.mark.parametrize(
    ("raw", "value"),
    [("99201", "99201"), ("９９２０１", "99201"), ("131016", "13101"), ("011002", "01100")],
)
def test_municipality_codes_accept_the_check_digit(raw: str, value: str) -> None:
    assert muni_code(raw) == (value, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("131017", "検査数字"), ("9920", "先頭の0"), ("99a01", "5桁"), ("", "空欄")],
)
def test_bad_municipality_codes_are_explained(raw: str, reason: str) -> None:
    assert reason in muni_code(raw)[1]


def test_check_digit_of_known_codes() -> None:
    assert (check_digit("01100"), check_digit("13101")) == (2, 6)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("9920000000001", True),
        ("1234567890", True),
        ("992000000001", False),
        ("99X0000000001", False),
    ],
)
def test_institution_codes_are_10_or_13_digits(raw: str, ok: bool) -> None:
    assert (inst_code(raw)[1] is None) == ok


@pytest.mark.parametrize(
    ("raw", "year"), [("2026", 2026), ("令和8年", 2026), ("R8", 2026), ("２０２６", 2026)]
)
def test_report_year_forms(raw: str, year: int) -> None:
    assert report_year(raw) == (year, None)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("2024-2029", (2024, 2029)), ("2024〜2029年度", (2024, 2029)), ("2024-", (2024, None))],
)
def test_validity_ranges(raw: str, value: tuple) -> None:
    assert year_range(raw) == (value, None)
