"""Comparing an area with its prefecture: a direction only where the data can show one."""

from __future__ import annotations

import pytest

from facilitator.reports.compute.compare import direction, interval, poisson, wilson


def share(k: int, n: int, reference: float) -> str:
    return direction(100 * k / n, reference, numerator=k, denominator=n, n=n, unit="%")


def rate(count: int, pop65: int, reference: float, n: int = 50) -> str:
    value = count / pop65 * 10_000
    return direction(
        value, reference, numerator=count, denominator=pop65, n=n, unit="65歳以上人口1万人当たり"
    )


def test_wilson_interval_contains_the_share_and_narrows_with_n() -> None:
    low, high = wilson(5, 20)
    assert low < 25 < high
    low_big, high_big = wilson(50, 200)
    assert high_big - low_big < high - low
    assert wilson(0, 0) == (0.0, 100.0)


def test_poisson_interval_of_zero_starts_at_zero() -> None:
    assert poisson(0)[0] == 0.0 and poisson(0)[1] > 3  # 0 events: up to ~3.7 is plausible
    low, high = poisson(100)
    assert 80 < low < 100 < high < 125


def test_a_share_on_a_handful_of_institutions_is_uncertain_not_below() -> None:
    assert share(1, 4, 60.0) == "uncertain"  # 25 % of 4 says nothing against 60 %
    assert share(3, 8, 60.0) == "uncertain"  # interval includes 60 %, too few to say similar
    assert share(1, 8, 60.0) == "below"  # 12.5 % of 8: far enough below to say so
    assert share(10, 40, 60.0) == "below"


def test_a_share_is_called_similar_only_on_enough_institutions() -> None:
    assert share(24, 40, 60.0) == "similar"
    assert share(32, 40, 60.0) == "above"


def test_a_rate_on_a_small_population_is_not_below() -> None:
    assert rate(2, 5_760, 10.7, n=7) == "uncertain"  # 3.5 vs 10.7, but two institutions
    assert rate(20, 57_600, 10.7) == "below"
    assert rate(62, 57_600, 10.7) == "similar"


@pytest.mark.parametrize("value", [70.0, 130.0])
def test_counts_of_acts_need_a_twenty_percent_difference_and_ten_institutions(
    value: float,
) -> None:
    kwargs = {"numerator": value * 10, "denominator": 100_000, "unit": "75歳以上人口1万人当たり"}
    assert direction(value, 100.0, n=9, acts=True, **kwargs) == "uncertain"
    expected = "below" if value < 100 else "above"
    assert direction(value, 100.0, n=30, acts=True, **kwargs) == expected
    assert direction(110.0, 100.0, n=30, acts=True, **kwargs) == "similar"


def test_counts_of_an_area_are_not_compared_with_the_prefectures_total() -> None:
    assert direction(12, 300, numerator=12, denominator=None, n=40, unit="施設") == "none"
    assert direction(12, None, numerator=12, denominator=40, n=40, unit="%") == "none"
    assert interval(12, 12, None, "施設", acts=False) is None
