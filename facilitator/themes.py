"""The one vocabulary of themes and focus tags: keys, labels, report functions, parsing.

ASCII keys are used in Chroma metadata, CLI options and stored sheets; labels are shown
to users. Every other module takes its theme words from here.
"""

from __future__ import annotations

from enum import StrEnum

from facilitator.errors import InputError
from facilitator.text import normalize_query


class Theme(StrEnum):
    """Council themes (PRODUCT.md), one per reported function, plus free."""

    ichigo = "ichigo"
    jikangai = "jikangai"
    nyutaiin = "nyutaiin"
    zaitaku = "zaitaku"
    kaigo = "kaigo"
    free = "free"


THEME_LABELS: dict[str, str] = {
    "ichigo": "1号機能（日常的な診療を総合的かつ継続的に行う機能）",
    "jikangai": "時間外診療（2号機能イ）",
    "nyutaiin": "入退院時の支援（2号機能ロ）",
    "zaitaku": "在宅医療（2号機能ハ）",
    "kaigo": "介護サービス等と連携した医療提供（2号機能ニ）",
    "free": "自由テーマ",
}
COUNCIL_THEMES: tuple[str, ...] = ("ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo")
"""The five themes a council works through (one per reported function), in report order."""

THEME_SHORT: dict[str, str] = {
    "ichigo": "1号機能",
    "jikangai": "時間外診療",
    "nyutaiin": "入退院支援",
    "zaitaku": "在宅医療",
    "kaigo": "医療介護連携",
    "free": "自由テーマ",
}
"""Short labels for titles, tabs and worksheet names."""

THEME_FUNCTIONS: dict[str, str] = {
    "ichigo": "1号",
    "jikangai": "2号イ",
    "nyutaiin": "2号ロ",
    "zaitaku": "2号ハ",
    "kaigo": "2号ニ",
}
"""The report function (かかりつけ医機能報告の区分) each council theme is about."""

FUNCTION_NAMES: dict[str, str] = {"ichigo": "1号機能"} | {
    t: THEME_LABELS[t] for t in COUNCIL_THEMES if t != "ichigo"
}
"""A function as named inside a sentence (「在宅医療（2号機能ハ）＝有り」)."""


def parse_theme(value: str | None, *, allow_free: bool = False) -> str:
    """A theme key from what a person typed (key or label, any case), or one Japanese error."""
    choices = [*COUNCIL_THEMES, "free"] if allow_free else list(COUNCIL_THEMES)
    text = normalize_query(value or "")
    key = text.lower()
    if key in choices:
        return key
    for theme in choices:
        if text in (normalize_query(THEME_LABELS[theme]), normalize_query(THEME_SHORT[theme])):
            return theme
    listed = (
        f"{' / '.join(choices)} のいずれかを指定してください"
        f"（{' / '.join(THEME_SHORT[t] for t in choices)}）。"
    )
    if not text:
        raise InputError(f"テーマが空です。{listed}")
    raise InputError(f"テーマ「{value}」は不明です。{listed}")


# Focus tags of the casebook overview table, in column order, with ASCII codes.
FOCUS_TAGS: dict[str, str] = {
    "診診連携": "shinshin",
    "病診連携": "byoshin",
    "病病連携": "byobyo",
    "母子保健": "boshi",
    "学校保健": "gakko",
    "産業保健": "sangyo",
    "介護・福祉との連携": "kaigo_fukushi",
    "休日夜間・24時間対応": "kyujitsu_yakan",
    "在宅医療": "zaitaku",
    "看取り": "mitori",
    "多職種連携": "tashokushu",
    "有事対応": "yuji",
    "医師のキャリア支援": "career",
    "その他": "sonota",
}
TAG_CODES_TO_LABELS = {v: k for k, v in FOCUS_TAGS.items()}

# Which focus tags speak to which theme (a case tagged so is a precedent for it).
TAG_THEMES: dict[str, tuple[str, ...]] = {
    "診診連携": ("ichigo", "jikangai"),
    "病診連携": ("nyutaiin", "ichigo"),
    "病病連携": ("nyutaiin",),
    "母子保健": ("ichigo",),
    "学校保健": ("ichigo",),
    "産業保健": ("ichigo",),
    "介護・福祉との連携": ("kaigo",),
    "休日夜間・24時間対応": ("jikangai",),
    "在宅医療": ("zaitaku",),
    "看取り": ("zaitaku",),
    "多職種連携": ("kaigo", "zaitaku"),
    "有事対応": (),
    "医師のキャリア支援": ("ichigo",),
    "その他": (),
}

# Words that mark a passage as being about a theme (matched on normalised text).
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "ichigo": (
        "1号機能",
        "一次診療",
        "総合的かつ継続的",
        "日常的な診療",
        "総合診療",
        "家庭医",
        "かかりつけ医機能",
        "院内掲示",
        "患者からの相談",
    ),
    "jikangai": ("時間外", "休日", "夜間", "24時間", "当番医", "輪番", "急患", "救急"),
    "nyutaiin": (
        "入退院",
        "退院",
        "入院",
        "後方支援",
        "病診連携",
        "病病連携",
        "紹介",
        "逆紹介",
        "地域連携クリティカルパス",
    ),
    "zaitaku": ("在宅医療", "訪問診療", "往診", "看取り", "訪問看護", "在宅療養"),
    "kaigo": (
        "介護",
        "ケアマネ",
        "主治医意見書",
        "地域ケア会議",
        "地域包括",
        "サービス担当者会議",
        "多職種",
        "ACP",
        "人生会議",
    ),
}


def tag_code(label: str) -> str:
    """ASCII code of a focus tag label (accepts the code itself too)."""
    label = normalize_query(label)
    if label in TAG_CODES_TO_LABELS:
        return label
    for known, code in FOCUS_TAGS.items():
        if normalize_query(known) == label:
            return code
    raise KeyError(label)


def themes_for_tags(tags: list[str]) -> list[str]:
    """Themes a case speaks to, from its focus tags."""
    out: list[str] = []
    for tag in tags:
        for theme in TAG_THEMES.get(tag, ()):
            if theme not in out:
                out.append(theme)
    return out


def themes_for_text(text: str) -> list[str]:
    """Themes a passage mentions, by keyword; deterministic and cheap."""
    return [theme for theme, words in THEME_KEYWORDS.items() if any(w in text for w in words)]
