"""Indicator specs derived from the item dictionary (no item is named here).

For each function: counts and shares of 有り / 意向有り / 無し, rates per 10,000 people aged
65+ and 75+, municipalities with none; for each item its 有り / 意向有り counts or its sums;
24-hour home care from the choices tagged ``24h``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from facilitator.reports.items import Item, ItemDictionary, load_dictionary
from facilitator.themes import FUNCTION_NAMES, THEME_FUNCTIONS

FUNCTION_PHRASES: dict[str, str] = {
    "ichigo": "1号機能（日常的な診療を総合的かつ継続的に行う機能）を有する医療機関",
    "jikangai": "時間外診療の機能（2号機能イ）を有する医療機関",
    "nyutaiin": "入退院時の支援の機能（2号機能ロ）を有する医療機関",
    "zaitaku": "在宅医療の機能（2号機能ハ）を有する医療機関",
    "kaigo": "介護サービス等と連携した医療提供の機能（2号機能ニ）を有する医療機関",
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


@cache
def specs_for(form_year: int, theme: str) -> tuple[Spec, ...]:
    """All indicator specs of one theme for one form year's dictionary."""
    d = load_dictionary(form_year)
    function = THEME_FUNCTIONS[theme]
    base = "n" if theme == "ichigo" else "f:ichigo:2"
    starred = "・".join(it.name for it in d.items if it.starred)
    yes_cond = (
        f"★の項目（{starred}）をすべて満たす"
        if theme == "ichigo"
        else f"{FUNCTION_NAMES[theme]}のいずれかの項目が実施/実績有り"
    )
    out = _function_specs(theme, base, yes_cond)
    for item in d.by_function(function):
        out += _item_specs(d, item, theme, base)
    return tuple(out)


def _item_specs(d: ItemDictionary, item: Item, theme: str, base: str) -> list[Spec]:
    """The specs of one item, by its answer type (none for free text)."""
    build = _ITEM_SPECS.get(item.answer_type)
    return build(d, item, theme, base) if build else []


# building blocks: one call per family of metrics over the same keys -----------------------


def _count(
    metric: str, label: str, theme: str, keys: tuple[str, ...], base: str, cond: str
) -> Spec:
    """Institutions counted over ``keys`` (施設)."""
    return Spec(metric, label, theme, "施設", "count", keys, base=base, condition=cond)


def _count_and_share(
    metric: str,
    label: str,
    share_label: str,
    theme: str,
    keys: tuple[str, ...],
    base: str,
    cond: str,
) -> list[Spec]:
    """A count and its share of the base institutions (``<metric>.share``)."""
    return [
        _count(metric, label, theme, keys, base, cond),
        Spec(f"{metric}.share", share_label, theme, "%", "share", keys, base, base, cond),
    ]


def _rates(
    stem: str, phrase: str, theme: str, keys: tuple[str, ...], base: str, cond: str
) -> list[Spec]:
    """Rates per 10,000 people aged 65+ and 75+ (``<stem>.per65``, ``<stem>.per75``)."""
    return [
        Spec(f"{stem}.{suffix}", f"{phrase}（{lab}）", theme, lab, "rate", keys, den, base, cond)
        for den, (suffix, lab) in list(RATE_BASES.items())[:2]
    ]


def _none_areas(
    metric: str, phrase: str, theme: str, keys: tuple[str, ...], base: str, cond: str
) -> Spec:
    """Municipalities where no institution counts over ``keys``."""
    return Spec(
        metric,
        phrase + "がない市町村の数",
        theme,
        "市町村",
        "none_areas",
        keys,
        base=base,
        condition=cond,
    )


# specs of a function and of each kind of item -----------------------------------------------


def _function_specs(theme: str, base: str, yes_cond: str) -> list[Spec]:
    """Counts and shares per function state, rates and municipalities without the function."""
    name, phrase = FUNCTION_NAMES[theme], FUNCTION_PHRASES[theme]
    out = []
    states = [("yes", "有り", 2), ("willing", "意向有り", 1), ("no", "無し", 0)]
    if theme == "ichigo":  # 1号 has no 意向有り state
        states = [states[0], states[2]]
    for stem, label, code in states:
        key = (f"f:{theme}:{code}",)
        cond = yes_cond if code == 2 else f"{name}＝{label}"
        out += _count_and_share(
            f"{theme}.{stem}",
            f"{name}{label}の医療機関数",
            f"{name}{label}の割合",
            theme,
            key,
            base,
            cond,
        )
    yes = (f"f:{theme}:2",)
    out += _rates(f"{theme}.yes", phrase, theme, yes, base, yes_cond)
    out.append(_none_areas(f"{theme}.none_areas", phrase, theme, yes, base, yes_cond))
    return out


def _choice_specs(d: ItemDictionary, item: Item, theme: str, base: str) -> list[Spec]:
    """A single choice: 有り count and share, 意向有り count, then the tagged choices."""
    stem = f"item.{item.id}"
    out: list[Spec] = []
    yes = tuple(f"c:{item.id}:{c.code}" for c in item.choices if c.state == "yes")
    willing = tuple(f"c:{item.id}:{c.code}" for c in item.choices if c.state == "willing")
    if yes:
        yes_labels = "／".join(c.label for c in item.choices if c.state == "yes")
        cond = f"{item.name}＝{yes_labels}"
        out += _count_and_share(
            f"{stem}.yes", f"{item.name}：有り", f"{item.name}：有りの割合", theme, yes, base, cond
        )
    if willing:
        cond = f"{item.name}＝無し（意向有り）"
        out.append(_count(f"{stem}.willing", f"{item.name}：意向有り", theme, willing, base, cond))
    for tag, (tstem, phrase) in TAGS.items():
        out += _tag_specs(item, tag, f"{theme}.{tstem}", phrase, theme, base)
    return out


def _tag_specs(item: Item, tag: str, stem: str, phrase: str, theme: str, base: str) -> list[Spec]:
    """Institutions that chose a choice tagged ``tag`` (e.g. 24h): like a function's specs."""
    keys = tuple(f"c:{item.id}:{c.code}" for c in item.choices if tag in c.tags)
    if not keys:
        return []
    labels = "／".join(c.label for c in item.choices if tag in c.tags)
    cond = f"{item.name}＝{labels}"
    return [
        *_count_and_share(stem, phrase + "の数", phrase + "の割合", theme, keys, base, cond),
        *_rates(stem, phrase, theme, keys, base, cond),
        _none_areas(f"{stem}.none_areas", phrase, theme, keys, base, cond),
    ]


def _amount_specs(d: ItemDictionary, item: Item, theme: str, base: str) -> list[Spec]:
    """A count or decimal: the sum, institutions above zero, and the sum per population."""
    stem, key = f"item.{item.id}", (f"s:{item.id}",)
    unit = "人" if item.answer_type == "decimal" else "件"
    cond = f"{item.name}（{item.period}）"
    suffix, lab = RATE_BASES[item.rate_base]
    return [
        Spec(
            f"{stem}.sum",
            f"{item.name}（合計）",
            theme,
            unit,
            "sum",
            key,
            base=base,
            condition=cond,
        ),
        _count(
            f"{stem}.inst",
            f"{item.name}が1以上の医療機関数",
            theme,
            (f"p:{item.id}",),
            base,
            cond + "が1以上",
        ),
        Spec(
            f"{stem}.sum.{suffix}",
            f"{item.name}（{lab}）",
            theme,
            lab,
            "rate",
            key,
            item.rate_base,
            base,
            cond,
        ),
    ]


def _coverage_specs(d: ItemDictionary, item: Item, theme: str, base: str) -> list[Spec]:
    """A multi-select over a code list: how many codes some institution covers."""
    if not item.code_list:
        return []
    cl = d.code_lists[item.code_list]
    keys = tuple(f"m:{item.id}:{c.code}" for c in cl.codes)
    return [
        Spec(
            f"item.{item.id}.covered",
            f"{item.name}：対応できる医療機関がある{cl.name.split('（')[0]}の数",
            theme,
            f"/{len(keys)}",
            "covered",
            keys,
            base=base,
            condition=item.name,
            names=tuple(c.name for c in cl.codes),
        )
    ]


_ITEM_SPECS: dict[str, Callable[[ItemDictionary, Item, str, str], list[Spec]]] = {
    "choice": _choice_specs,
    "count": _amount_specs,
    "decimal": _amount_specs,
    "multi": _coverage_specs,
}
"""answer_type → the spec builder of that kind of item (free text has none)."""


@cache
def den_label(spec: Spec) -> str:
    """What a share or rate is divided by, in Japanese."""
    if spec.kind == "share":
        return BASE_LABELS.get(spec.den, spec.den)
    if spec.kind == "rate":
        return {"pop65": "65歳以上人口", "pop75": "75歳以上人口", "population": "人口"}[spec.den]
    if spec.kind == "none_areas":
        return "市町村数"
    return ""
