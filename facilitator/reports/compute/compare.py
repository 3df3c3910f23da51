"""An area against its prefecture, honestly: a direction only where the data can show one.

A share of institutions is called below or above the prefecture only when its 95% Wilson
interval leaves the prefecture's value out; a count per population the same with a
Poisson interval; counts of acts (訪問診療の件数 …) vary too much by institution for an
interval from the report, so they need a ±20 % difference and enough institutions. Small
bases are "uncertain" — never "below average" on a handful of institutions.
"""

from __future__ import annotations

import math
from typing import Literal

Direction = Literal["below", "above", "similar", "uncertain", "none"]
MIN_N = 10
"""Fewer institutions than this in the base: "similar" is not claimed, only "uncertain"."""
MIN_SHARE_N = 5
"""Fewer institutions than this: no direction at all for a share (one of one is not 100 %)."""
SUM_RATIO = 0.2
"""Counts of acts: ±20 % of the prefecture's value is "similar"."""
Z = 1.96


def wilson(k: float, n: float) -> tuple[float, float]:
    """95% Wilson interval of a share k/n, in percent."""
    if n <= 0:
        return 0.0, 100.0
    p = k / n
    denom = 1 + Z**2 / n
    centre = (p + Z**2 / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / denom
    return max(0.0, centre - half) * 100, min(1.0, centre + half) * 100


def poisson(k: float) -> tuple[float, float]:
    """95% interval of a count (Byar's approximation to the exact Poisson interval)."""
    low = 0.0 if k <= 0 else k * (1 - 1 / (9 * k) - Z / (3 * math.sqrt(k))) ** 3
    k1 = k + 1
    high = k1 * (1 - 1 / (9 * k1) + Z / (3 * math.sqrt(k1))) ** 3
    return low, high


def interval(
    value: float | None, numerator: float | None, denominator: float | None, unit: str, acts: bool
) -> tuple[float, float] | None:
    """The value's 95% interval for shares of institutions and counts per population."""
    if numerator is None or value is None or not denominator:
        return None
    if unit == "%":
        return wilson(numerator, denominator)
    if "当たり" in unit and not acts:
        low, high = poisson(numerator)
        scale = value / numerator if numerator else 10_000 / denominator
        return low * scale, high * scale
    return None


def direction(
    value: float | None,
    reference: float | None,
    *,
    numerator: float | None,
    denominator: float | None,
    n: int,
    unit: str,
    acts: bool = False,
) -> Direction:
    """Below / above / similar / uncertain against ``reference`` (``none``: not comparable).

    ``acts``: the value counts acts (件数) rather than institutions or people.
    """
    if reference is None or value is None:
        return "none"
    if not ("当たり" in unit or unit == "%"):
        return "none"  # counts of an area are not comparable with the prefecture's total
    if acts:
        if n < MIN_N:
            return "uncertain"
        if value < reference * (1 - SUM_RATIO):
            return "below"
        if value > reference * (1 + SUM_RATIO):
            return "above"
        return "similar"
    bounds = interval(value, numerator, denominator, unit, acts)
    if bounds is None:
        return "none"
    if unit == "%" and n < MIN_SHARE_N:
        return "uncertain"
    low, high = bounds
    if high < reference:
        return "below"
    if low > reference:
        return "above"
    return "similar" if n >= MIN_N else "uncertain"
