"""Indicators per area and theme, computed from the stored per-municipality statistics.

Areas are summed from municipalities with numpy; every spec is evaluated once for all areas
of a prefecture, then turned into ``Indicator`` objects with their provenance (year, N, filter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facilitator.reports.compute.specs import BASE_LABELS, Spec, den_label, specs_for
from facilitator.reports.models import Area, Indicator


class Frame:
    """Statistics of every area of some prefectures (one year), summed from municipalities."""

    def __init__(self, areas: list[Area], stats: dict[str, dict], year: int) -> None:
        self.areas = areas
        self.year = year
        self.index = {(a.level, a.code): i for i, a in enumerate(areas)}
        munis = [a for a in areas if a.level == "municipality"]
        self.munis = munis
        mpos = {a.code: i for i, a in enumerate(munis)}
        keys = sorted({k for s in stats.values() for k in s})
        self.kpos = {k: j for j, k in enumerate(keys)}
        mm = np.zeros((len(munis), len(keys)))
        for code, s in stats.items():
            i = mpos.get(code)
            if i is not None:
                for k, v in s.items():
                    mm[i, self.kpos[k]] = v
        self.mm = mm
        lengths = [len(a.municipalities) for a in areas]
        rows = np.array([mpos[c] for a in areas for c in a.municipalities], dtype=np.int64)
        owner = np.repeat(np.arange(len(areas)), lengths)
        self.ma = np.zeros((len(areas), len(keys)))
        np.add.at(self.ma, owner, mm[rows])
        self.members = [[mpos[c] for c in a.municipalities] for a in areas]
        self.pop = {
            "pop65": np.array([a.pop65 for a in areas], dtype=float),
            "pop75": np.array([a.pop75 for a in areas], dtype=float),
            "population": np.array([a.population for a in areas], dtype=float),
        }
        self.pref_of = np.array([self.index[("prefecture", a.pref_code)] for a in areas])

    def get(self, keys: tuple[str, ...] | str, muni: bool = False) -> np.ndarray:
        """Sum of some statistics keys per area (or per municipality)."""
        m = self.mm if muni else self.ma
        if isinstance(keys, str):
            keys = (keys,)
        cols = [self.kpos[k] for k in keys if k in self.kpos]
        return m[:, cols].sum(axis=1) if cols else np.zeros(m.shape[0])

    def den(self, name: str) -> np.ndarray:
        return self.pop[name] if name in self.pop else self.get(name)


@dataclass
class Values:
    """One spec evaluated over all areas of a frame."""

    spec: Spec
    value: np.ndarray
    num: np.ndarray
    den: np.ndarray | None
    base_n: np.ndarray
    detail: list[tuple[str, ...]] | None = None
    breakdown: list[dict[str, float]] | None = None
    _lists: tuple[list, list, list | None, list] | None = None

    def lists(self) -> tuple[list, list, list | None, list]:
        """(value, numerator, denominator, N) as Python lists (NaN → None), computed once."""
        if self._lists is None:
            self._lists = (
                _pylist(self.value),
                _pylist(self.num),
                None if self.den is None else _pylist(self.den),
                self.base_n.astype(np.int64).tolist(),
            )
        return self._lists


def _pylist(a: np.ndarray) -> list:
    r = np.round(a.astype(np.float64), 4)
    out = r.astype(object)
    out[np.isnan(r)] = None
    return out.tolist()


def evaluate(frame: Frame, spec: Spec) -> Values:
    """Compute one spec for every area of the frame (vectorised)."""
    base_n = frame.get(spec.base)
    if spec.kind == "covered":
        per_code = np.stack([frame.get(k) for k in spec.num], axis=1)
        covered = (per_code > 0).sum(axis=1).astype(float)
        detail = [tuple(spec.names[j] for j in np.flatnonzero(row == 0)) for row in per_code]
        rows = per_code.tolist()
        breakdown = [dict(zip(spec.names, r, strict=True)) for r in rows]
        return Values(spec, covered, covered, None, base_n, detail, breakdown)
    num = frame.get(spec.num)
    if spec.kind in ("count", "sum"):
        return Values(spec, num, num, None, base_n)
    if spec.kind == "none_areas":
        muni_num = frame.get(spec.num, muni=True)
        zero = muni_num == 0
        detail = [tuple(frame.munis[j].name for j in m if zero[j]) for m in frame.members]
        value = np.array([float(len(d)) for d in detail])
        return Values(
            spec, value, value, np.array([float(len(m)) for m in frame.members]), base_n, detail
        )
    den = frame.den(spec.den)
    scale = 100.0 if spec.kind == "share" else 10_000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1) * scale, np.nan)
    return Values(spec, value, num, den, base_n)


def evaluate_theme(frame: Frame, form_year: int, theme: str) -> dict[str, Values]:
    """Every spec of one theme evaluated over the frame, by metric."""
    return {spec.metric: evaluate(frame, spec) for spec in specs_for(form_year, theme)}


_validate_indicator = Indicator.__pydantic_validator__.validate_python


@dataclass
class Prepared:
    """A theme's evaluated specs with their per-area columns as Python lists (built once)."""

    rows: list[tuple]

    @classmethod
    def of(cls, vals: dict[str, Values]) -> Prepared:
        rows = []
        for metric, v in vals.items():
            spec = v.spec
            static = {
                "metric": metric,
                "label": spec.label,
                "theme": spec.theme,
                "unit": spec.unit,
                "denominator_label": den_label(spec),
            }
            cond = "・" + spec.condition if spec.condition else ""
            value, num, den, base_n = v.lists()
            base = BASE_LABELS.get(spec.base, spec.base)
            rows.append(
                (
                    static,
                    base,
                    cond,
                    spec.kind == "none_areas",
                    value,
                    num,
                    den,
                    base_n,
                    v.detail,
                    v.breakdown,
                )
            )
        return cls(rows)


def indicator_objects(frame: Frame, prepared: Prepared, i: int) -> list[Indicator]:
    """The indicators of area ``i`` (``none_areas`` only for areas of several municipalities)."""
    a = frame.areas[i]
    p = int(frame.pref_of[i])
    muni = a.level == "municipality"
    head = f"{frame.year}年報告・{a.name}（{a.level_label}）・"  # codes stay in JSON
    prefixes: dict[tuple[str, int], str] = {}
    out = []
    for static, base, cond, none_areas, value, num, den, base_n, detail, breakdown in prepared.rows:
        if none_areas and muni:
            continue
        n = base_n[i]
        part = prefixes.get((base, n))
        if part is None:
            part = prefixes[(base, n)] = f"{head}{base}（N={n}）"
        out.append(
            _validate_indicator(
                {
                    **static,
                    "value": value[i],
                    "numerator": num[i],
                    "denominator": None if den is None else den[i],
                    "n": n,
                    "area_code": a.code,
                    "year": frame.year,
                    "filter": part + cond,
                    "prefecture_value": value[p],
                    "detail": () if detail is None else detail[i],
                    "breakdown": None if breakdown is None else breakdown[i],
                }
            )
        )
    return out


def filter_text(year: int, area: Area, spec: Spec, n: int, with_condition: bool = True) -> str:
    """Provenance of a figure: report year, area, institutions (N) and condition."""
    parts = [
        f"{year}年報告",
        f"{area.name}（{area.level_label}）",
        f"{BASE_LABELS.get(spec.base, spec.base)}（N={n}）",
    ]
    if spec.condition and with_condition:
        parts.append(spec.condition)
    return "・".join(parts)
