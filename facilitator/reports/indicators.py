"""Indicators per area and theme, computed from the stored per-municipality statistics.

Specs are derived from the item dictionary (no item is named here): for each function the
counts and shares of 有り / 意向有り / 無し, rates per 10,000 people aged 65+ and 75+, the
municipalities with none; for each item its 有り / 意向有り counts or its sums; 24-hour home
care from the choices tagged ``24h``. Areas are summed from municipalities with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from .items import FUNCTION_KEYS, ItemDictionary, load_dictionary
from .models import Area, Indicator

THEMES: tuple[str, ...] = ("ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo")
THEME_FUNCTION = {v: k for k, v in FUNCTION_KEYS.items()}

FUNCTION_PHRASES: dict[str, str] = {
    "ichigo": "1号機能（日常的な診療を総合的かつ継続的に行う機能）を有する医療機関",
    "jikangai": "時間外診療の機能（2号機能イ）を有する医療機関",
    "nyutaiin": "入退院時の支援の機能（2号機能ロ）を有する医療機関",
    "zaitaku": "在宅医療の機能（2号機能ハ）を有する医療機関",
    "kaigo": "介護サービス等と連携した医療提供の機能（2号機能ニ）を有する医療機関",
}
FUNCTION_NAMES: dict[str, str] = {
    "ichigo": "1号機能",
    "jikangai": "時間外診療（2号機能イ）",
    "nyutaiin": "入退院時の支援（2号機能ロ）",
    "zaitaku": "在宅医療（2号機能ハ）",
    "kaigo": "介護サービス等との連携（2号機能ニ）",
}
TAGS: dict[str, tuple[str, str]] = {"24h": ("h24", "在宅医療（24時間体制）を有する医療機関")}
"""Choice tag → (metric stem, phrase)."""

RATE_BASES = {
    "pop65": ("per65", "65歳以上人口1万人当たり"),
    "pop75": ("per75", "75歳以上人口1万人当たり"),
    "population": ("perpop", "人口1万人当たり"),
}
BASE_LABELS = {"n": "報告した医療機関", "f:ichigo:2": "1号機能を有する医療機関"}

Kind = Literal["count", "share", "rate", "sum", "none_areas", "covered"]


@dataclass(frozen=True)
class Spec:
    """How one metric is computed: numerator keys, denominator and the institutions it covers."""

    metric: str
    label: str
    theme: str
    unit: str
    kind: Kind
    num: tuple[str, ...]
    den: str = ""
    base: str = "n"
    condition: str = ""
    names: tuple[str, ...] = ()  # for 'covered': the code names, in key order


def _function_specs(theme: str, base: str, yes_cond: str) -> list[Spec]:
    name, phrase = FUNCTION_NAMES[theme], FUNCTION_PHRASES[theme]
    out = []
    states = [("yes", "有り", 2), ("willing", "意向有り", 1), ("no", "無し", 0)]
    if theme == "ichigo":  # 1号 has no 意向有り state
        states = [states[0], states[2]]
    for stem, label, code in states:
        key = (f"f:{theme}:{code}",)
        cond = yes_cond if code == 2 else f"{name}＝{label}"
        out.append(Spec(f"{theme}.{stem}", f"{name}{label}の医療機関数", theme, "施設", "count", key, base=base, condition=cond))
        out.append(Spec(f"{theme}.{stem}.share", f"{name}{label}の割合", theme, "%", "share", key, base, base, cond))
    for den, (suffix, lab) in list(RATE_BASES.items())[:2]:
        out.append(Spec(f"{theme}.yes.{suffix}", f"{phrase}（{lab}）", theme, lab, "rate", (f"f:{theme}:2",), den, base, yes_cond))
    out.append(Spec(f"{theme}.none_areas", f"{phrase}がない市町村の数", theme, "市町村", "none_areas", (f"f:{theme}:2",), base=base, condition=yes_cond))
    return out


@cache
def specs_for(form_year: int, theme: str) -> tuple[Spec, ...]:
    """All indicator specs of one theme for one form year's dictionary."""
    d = load_dictionary(form_year)
    function = THEME_FUNCTION[theme]
    base = "n" if theme == "ichigo" else "f:ichigo:2"
    starred = "・".join(it.name for it in d.items if it.starred)
    yes_cond = (f"★の項目（{starred}）をすべて満たす" if theme == "ichigo"
                else f"{FUNCTION_NAMES[theme]}のいずれかの項目が実施/実績有り")
    out = _function_specs(theme, base, yes_cond)
    for item in d.by_function(function):
        out += _item_specs(d, item.id, theme, base)
    return tuple(out)


def _item_specs(d: ItemDictionary, item_id: str, theme: str, base: str) -> list[Spec]:
    item = d.item(item_id)
    stem = f"item.{item.id}"
    out: list[Spec] = []
    if item.answer_type == "choice":
        yes = tuple(f"c:{item.id}:{c.code}" for c in item.choices if c.state == "yes")
        willing = tuple(f"c:{item.id}:{c.code}" for c in item.choices if c.state == "willing")
        yes_labels = "／".join(c.label for c in item.choices if c.state == "yes")
        if yes:
            cond = f"{item.name}＝{yes_labels}"
            out.append(Spec(f"{stem}.yes", f"{item.name}：有り", theme, "施設", "count", yes, base=base, condition=cond))
            out.append(Spec(f"{stem}.yes.share", f"{item.name}：有りの割合", theme, "%", "share", yes, base, base, cond))
        if willing:
            cond = f"{item.name}＝無し（意向有り）"
            out.append(Spec(f"{stem}.willing", f"{item.name}：意向有り", theme, "施設", "count", willing, base=base, condition=cond))
        for tag, (tstem, phrase) in TAGS.items():
            keys = tuple(f"c:{item.id}:{c.code}" for c in item.choices if tag in c.tags)
            if not keys:
                continue
            labels = "／".join(c.label for c in item.choices if tag in c.tags)
            cond = f"{item.name}＝{labels}"
            out.append(Spec(f"{theme}.{tstem}", phrase + "の数", theme, "施設", "count", keys, base=base, condition=cond))
            out.append(Spec(f"{theme}.{tstem}.share", phrase + "の割合", theme, "%", "share", keys, base, base, cond))
            for den, (suffix, lab) in list(RATE_BASES.items())[:2]:
                out.append(Spec(f"{theme}.{tstem}.{suffix}", f"{phrase}（{lab}）", theme, lab, "rate", keys, den, base, cond))
            out.append(Spec(f"{theme}.{tstem}.none_areas", phrase + "がない市町村の数", theme, "市町村", "none_areas", keys, base=base, condition=cond))
    elif item.answer_type in ("count", "decimal"):
        unit = "人" if item.answer_type == "decimal" else "件"
        cond = f"{item.name}（{item.period}）"
        out.append(Spec(f"{stem}.sum", f"{item.name}（合計）", theme, unit, "sum", (f"s:{item.id}",), base=base, condition=cond))
        out.append(Spec(f"{stem}.inst", f"{item.name}が1以上の医療機関数", theme, "施設", "count", (f"p:{item.id}",), base=base, condition=cond + "が1以上"))
        suffix, lab = RATE_BASES[item.rate_base]
        out.append(Spec(f"{stem}.sum.{suffix}", f"{item.name}（{lab}）", theme, lab, "rate", (f"s:{item.id}",), item.rate_base, base, cond))
    elif item.answer_type == "multi" and item.code_list:
        cl = d.code_lists[item.code_list]
        keys = tuple(f"m:{item.id}:{c.code}" for c in cl.codes)
        names = tuple(c.name for c in cl.codes)
        out.append(Spec(f"{stem}.covered", f"{item.name}：対応できる医療機関がある{cl.name.split('（')[0]}の数", theme,
                        f"/{len(keys)}", "covered", keys, base=base, condition=item.name, names=names))
        if item.code_list == "domains":
            for c, k in zip(cl.codes, keys, strict=True):
                out.append(Spec(f"{stem}.c{c.code}", f"{item.name}：{c.name}", theme, "施設", "count", (k,), base=base, condition=f"{item.name}に{c.name}を含む"))
    return out


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
    detail: list[list[str]] | None = None
    _lists: tuple[list, list, list | None, list] | None = None

    def lists(self) -> tuple[list, list, list | None, list]:
        """(value, numerator, denominator, N) as Python lists (NaN → None), computed once."""
        if self._lists is None:
            self._lists = (_pylist(self.value), _pylist(self.num),
                           None if self.den is None else _pylist(self.den),
                           self.base_n.astype(np.int64).tolist())
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
        detail = [[spec.names[j] for j in np.flatnonzero(row == 0)] for row in per_code]
        return Values(spec, covered, covered, None, base_n, detail)
    num = frame.get(spec.num)
    if spec.kind in ("count", "sum"):
        return Values(spec, num, num, None, base_n)
    if spec.kind == "none_areas":
        muni_num = frame.get(spec.num, muni=True)
        zero = muni_num == 0
        detail = [[frame.munis[j].name for j in m if zero[j]] for m in frame.members]
        value = np.array([float(len(d)) for d in detail])
        return Values(spec, value, value, np.array([float(len(m)) for m in frame.members]), base_n, detail)
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

    rows: list[tuple[dict, str, str, bool, list, list, list | None, list, list[list[str]] | None]]

    @classmethod
    def of(cls, vals: dict[str, Values]) -> Prepared:
        rows = []
        for metric, v in vals.items():
            spec = v.spec
            static = {"metric": metric, "label": spec.label, "theme": spec.theme,
                      "unit": spec.unit, "denominator_label": _den_label(spec)}
            cond = "・" + spec.condition if spec.condition else ""
            value, num, den, base_n = v.lists()
            base = BASE_LABELS.get(spec.base, spec.base)
            rows.append((static, base, cond, spec.kind == "none_areas", value, num, den, base_n, v.detail))
        return cls(rows)


def indicator_objects(frame: Frame, prepared: Prepared, i: int) -> list[Indicator]:
    """The indicators of area ``i`` (``none_areas`` only for areas of several municipalities)."""
    a = frame.areas[i]
    p = int(frame.pref_of[i])
    muni = a.level == "municipality"
    head = f"{frame.year}年報告・{a.name}（{a.code}・{a.level_label}）・"
    prefixes: dict[tuple[str, int], str] = {}
    out = []
    for static, base, cond, none_areas, value, num, den, base_n, detail in prepared.rows:
        if none_areas and muni:
            continue
        n = base_n[i]
        d = dict(static)
        d["value"] = value[i]
        d["numerator"] = num[i]
        d["denominator"] = None if den is None else den[i]
        d["n"] = n
        d["area_code"] = a.code
        d["year"] = frame.year
        key = (base, n)
        part = prefixes.get(key)
        if part is None:
            part = prefixes[key] = f"{head}{base}（N={n}）"
        d["filter"] = part + cond
        d["prefecture_value"] = value[p]
        d["detail"] = detail[i] if detail is not None else []
        out.append(_validate_indicator(d))
    return out


@cache
def _den_label(spec: Spec) -> str:
    if spec.kind == "share":
        return BASE_LABELS.get(spec.den, spec.den)
    if spec.kind == "rate":
        return {"pop65": "65歳以上人口", "pop75": "75歳以上人口", "population": "人口"}[spec.den]
    if spec.kind == "none_areas":
        return "市町村数"
    return ""


def filter_text(year: int, area: Area, spec: Spec, n: int, with_condition: bool = True) -> str:
    """Provenance of a figure: report year, area, institutions (N) and condition."""
    parts = [f"{year}年報告", f"{area.name}（{area.code}・{area.level_label}）",
             f"{BASE_LABELS.get(spec.base, spec.base)}（N={n}）"]
    if spec.condition and with_condition:
        parts.append(spec.condition)
    return "・".join(parts)
