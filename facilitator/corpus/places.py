"""The prefectures, by name: what a passage of a local document is about.

A slide or a report names its prefecture in a title and then goes on without it: the slide
「福井県の在宅医療・介護連携推進事業 現在の体制」 says 「機構改革の際に、長寿福祉課が地域医療課
の隣に移動し…」 with no 福井 in the passage. The generic parser keeps the prefecture a passage
is about as its metadata, so a question about 福井県 is answered by it.
"""

from __future__ import annotations

import re

__all__ = ["PREFECTURES", "PREFECTURE_RE", "prefecture_about"]

PREFECTURES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]
PREFECTURE_RE = re.compile("|".join(PREFECTURES))
"""Any prefecture by its full name (a case's 所在地, a survey respondent, a passage)."""

LOOKBACK = 400
"""How far before a passage its title may stand (a slide's title and diagram labels)."""


def prefecture_about(text: str, start: int, end: int, floor: int = 0) -> str | None:
    """The one prefecture ``text[start:end]`` names, else (naming none) the last one named in
    the ``LOOKBACK`` characters before it, not before ``floor`` (a PDF page's start); None
    when it names several or none is near."""
    own = set(PREFECTURE_RE.findall(text, start, end))
    if own:
        return own.pop() if len(own) == 1 else None
    before = PREFECTURE_RE.findall(text, max(floor, start - LOOKBACK), start)
    return before[-1] if before else None
