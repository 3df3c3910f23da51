"""Indicator specs derived from the item dictionary (no item is named here).

For each function: counts and shares of 有り / 意向有り / 無し, rates per 10,000 people aged
65+ and 75+, municipalities with none; for each item its 有り / 意向有り counts or its sums;
24-hour home care from the choices tagged ``24h``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from facilitator.reports.items import ItemDictionary, load_dictionary
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


def _function_specs(theme: str, base: str, yes_cond: str) -> list[Spec]:
    name, phrase = FUNCTION_NAMES[theme], FUNCTION_PHRASES[theme]
    out = []
    states = [("yes", "有り", 2), ("willing", "意向有り", 1), ("no", "無し", 0)]
    if theme == "ichigo":  # 1号 has no 意向有り state
        states = [states[0], states[2]]
    for stem, label, code in states:
        key = (f"f:{theme}:{code}",)
        cond = yes_cond if code == 2 else f"{name}＝{label}"
        out.append(
            Spec(
                f"{theme}.{stem}",
                f"{name}{label}の医療機関数",
                theme,
                "施設",
                "count",
                key,
                base=base,
                condition=cond,
            )
        )
        out.append(
            Spec(
                f"{theme}.{stem}.share",
                f"{name}{label}の割合",
                theme,
                "%",
                "share",
                key,
                base,
                base,
                cond,
            )
        )
    for den, (suffix, lab) in list(RATE_BASES.items())[:2]:
        out.append(
            Spec(
                f"{theme}.yes.{suffix}",
                f"{phrase}（{lab}）",
                theme,
                lab,
                "rate",
                (f"f:{theme}:2",),
                den,
                base,
                yes_cond,
            )
        )
    out.append(
        Spec(
            f"{theme}.none_areas",
            f"{phrase}がない市町村の数",
            theme,
            "市町村",
            "none_areas",
            (f"f:{theme}:2",),
            base=base,
            condition=yes_cond,
        )
    )
    return out


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
            out.append(
                Spec(
                    f"{stem}.yes",
                    f"{item.name}：有り",
                    theme,
                    "施設",
                    "count",
                    yes,
                    base=base,
                    condition=cond,
                )
            )
            out.append(
                Spec(
                    f"{stem}.yes.share",
                    f"{item.name}：有りの割合",
                    theme,
                    "%",
                    "share",
                    yes,
                    base,
                    base,
                    cond,
                )
            )
        if willing:
            cond = f"{item.name}＝無し（意向有り）"
            out.append(
                Spec(
                    f"{stem}.willing",
                    f"{item.name}：意向有り",
                    theme,
                    "施設",
                    "count",
                    willing,
                    base=base,
                    condition=cond,
                )
            )
        for tag, (tstem, phrase) in TAGS.items():
            keys = tuple(f"c:{item.id}:{c.code}" for c in item.choices if tag in c.tags)
            if not keys:
                continue
            labels = "／".join(c.label for c in item.choices if tag in c.tags)
            cond = f"{item.name}＝{labels}"
            out.append(
                Spec(
                    f"{theme}.{tstem}",
                    phrase + "の数",
                    theme,
                    "施設",
                    "count",
                    keys,
                    base=base,
                    condition=cond,
                )
            )
            out.append(
                Spec(
                    f"{theme}.{tstem}.share",
                    phrase + "の割合",
                    theme,
                    "%",
                    "share",
                    keys,
                    base,
                    base,
                    cond,
                )
            )
            for den, (suffix, lab) in list(RATE_BASES.items())[:2]:
                out.append(
                    Spec(
                        f"{theme}.{tstem}.{suffix}",
                        f"{phrase}（{lab}）",
                        theme,
                        lab,
                        "rate",
                        keys,
                        den,
                        base,
                        cond,
                    )
                )
            out.append(
                Spec(
                    f"{theme}.{tstem}.none_areas",
                    phrase + "がない市町村の数",
                    theme,
                    "市町村",
                    "none_areas",
                    keys,
                    base=base,
                    condition=cond,
                )
            )
    elif item.answer_type in ("count", "decimal"):
        unit = "人" if item.answer_type == "decimal" else "件"
        cond = f"{item.name}（{item.period}）"
        out.append(
            Spec(
                f"{stem}.sum",
                f"{item.name}（合計）",
                theme,
                unit,
                "sum",
                (f"s:{item.id}",),
                base=base,
                condition=cond,
            )
        )
        out.append(
            Spec(
                f"{stem}.inst",
                f"{item.name}が1以上の医療機関数",
                theme,
                "施設",
                "count",
                (f"p:{item.id}",),
                base=base,
                condition=cond + "が1以上",
            )
        )
        suffix, lab = RATE_BASES[item.rate_base]
        out.append(
            Spec(
                f"{stem}.sum.{suffix}",
                f"{item.name}（{lab}）",
                theme,
                lab,
                "rate",
                (f"s:{item.id}",),
                item.rate_base,
                base,
                cond,
            )
        )
    elif item.answer_type == "multi" and item.code_list:
        cl = d.code_lists[item.code_list]
        keys = tuple(f"m:{item.id}:{c.code}" for c in cl.codes)
        names = tuple(c.name for c in cl.codes)
        out.append(
            Spec(
                f"{stem}.covered",
                f"{item.name}：対応できる医療機関がある{cl.name.split('（')[0]}の数",
                theme,
                f"/{len(keys)}",
                "covered",
                keys,
                base=base,
                condition=item.name,
                names=names,
            )
        )
    return out


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
