"""What a meeting answer says first: the headline, in one place for every route.

The headline is what people read in a meeting. It names exactly the precedents quoted,
says where a number comes from when the report data could not give it, and says plainly
when neither the material nor the report data answers.
"""

from __future__ import annotations

from facilitator.corpus.parsers.survey import ANSWER_SECTION, answer_section
from facilitator.drafting.answer_models import AnswerGroup, AnswerKind, AnswerPoint
from facilitator.reports.questions import FigureMiss
from facilitator.search.hits import SURVEY_PREFIX
from facilitator.text import one_line

UNANSWERED = "事例集・ガイドライン・地域の資料には、この質問に答える記述が見つかりませんでした。"
UNANSWERED_ANYWHERE = "事例集・ガイドライン・地域の資料にも報告データにも、この質問に答える記述が見つかりませんでした。"
PASSAGES_ONLY = "答えを一文で引用できる箇所がありませんでした。該当する資料の箇所を下に示します。"
"""A confident search whose passages hold no quotable sentence (only table cells or
headings): the passages answer, so the headline must not say that nothing was found."""
NOT_IN_REPORTS = {
    "item": "報告データの項目にない数値の",
    "area": "報告データにない地域の",
    "year": "その年の報告データが読み込まれていない",
    "data": "報告データが読み込まれていない",
}
"""Why a figure question was answered from the material instead (FigureMiss.reason)."""
NO_AREA_NAMED = "質問に地域の名前がないため、報告データの数ではなく資料の記述を示します。"
"""A count question naming no area (「管内に在宅療養支援病院がいくつあるか…そもそも何？」): it
said 「報告データにない地域のため」, as if the question had named one the data lacks."""


def _short_label(group: AnswerGroup) -> str:
    """「事例13」, 「参考2」 or 「愛知県の回答」: how the headline names a precedent."""
    if group.case_id:
        return group.case_id
    return f"{group.key.removeprefix(SURVEY_PREFIX)}の回答"


def headline_for(
    kind: AnswerKind,
    points: list[AnswerPoint],
    groups: list[AnswerGroup],
    missed: FigureMiss | None = None,
    views: bool = False,
    common: bool = False,
) -> str:
    """The first line: names exactly the precedents of ``points``, nothing else; for a
    figure the report data could not give (``missed``), says the quote is the material's.
    ``views``: the points are survey answers on what a prefecture sees or is asked
    (「問合せで多い内容」), which nobody "取り組んで" — they are answers, some of many:
    「自治体の回答が2件あります」 read as if only two had answered. ``common``: asked what
    most answers say, the answers shown are those sharing most with the others."""
    if missed and points:
        if missed.reason == "area" and not missed.unknown_area:
            return NO_AREA_NAMED
        return f"{NOT_IN_REPORTS[missed.reason]}ため、資料の記述を示します。"
    if kind == "precedent" and points:
        by_key = {g.key: g for g in groups}
        names = "、".join(_short_label(by_key[p.group]) for p in points)
        if views and common:
            return f"多くの回答に共通する内容を、{len(points)}件の回答で示します（{names}）。"
        if views:
            return f"自治体の回答から{len(points)}件を示します（{names}）。"
        how = "それぞれ次のように" if len(points) > 1 else "次のように"
        return f"近い取組が{len(points)}件あります（{names}）。{how}取り組んでいます。"
    if kind == "definition" and points:
        return "資料には次のように書かれています。"
    return PASSAGES_ONLY if groups else UNANSWERED


def unanswered_headline(missed: FigureMiss | None) -> str:
    """Neither source answers. A count question that is not about the report data
    (「連携の拠点には職員を何人置く？」) was told only to name an area, as if the data held it;
    it now says first that the material has nothing either, then what the data could give."""
    if missed is None:
        return UNANSWERED
    if missed.reason == "item":
        hint = f"報告データで数を尋ねられるのは、{'、'.join(missed.suggestions)}などの項目です。"
    elif missed.reason == "area" and not missed.unknown_area:
        hint = f"報告データの数を尋ねる場合は、地域の名前を含めてください（例: {'、'.join(missed.suggestions)}）。"  # fmt: skip
    else:
        hint = missed.message
    return f"{UNANSWERED_ANYWHERE}{hint}"


def by_source(points: list[AnswerPoint]) -> list[tuple[str, list[tuple[AnswerPoint, str]]]]:
    """Consecutive points of one document together, under its label when they share it (the
    seven steps of 「協議の場はどういう順番で進める？」) or else under its title, each with its
    place (the three 方策 of one example sheet): a document is named once, not seven times."""
    runs: list[tuple[str, list[AnswerPoint]]] = []
    for p in points:
        key = p.source or p.label
        if runs and runs[-1][0] == key:
            runs[-1][1].append(p)
        else:
            runs.append((key, [p]))
    out = []
    for key, run in runs:
        same = len({p.label for p in run}) == 1
        out.append((run[0].label if same else key, [(p, "" if same else p.locator) for p in run]))
    return out


def answer_text(headline: str, points: list[AnswerPoint]) -> str:
    lines = [headline]
    for label, run in by_source(points):
        if len(run) == 1:
            lines.append(f"{label}：「{one_line(run[0][0].quote)}」")
        else:
            lines += [
                f"{label}：",
                *(f"・「{one_line(p.quote)}」{f'（{at}）' if at else ''}" for p, at in run),
            ]
    return "\n".join(lines)


def cited_places(locators: list[str]) -> list[str]:
    """Each place once, and a survey question once with its answer numbers: three answers
    to ④ repeated the question's 30-character label three times in 「引用:」."""
    places: dict[str, list[int]] = {}
    for loc in locators:
        m = ANSWER_SECTION.match(loc)
        nos = places.setdefault(m["question"] if m else loc, [])
        if m and int(m["no"]) not in nos:
            nos.append(int(m["no"]))
    return [answer_section(base, *sorted(nos)) if nos else base for base, nos in places.items()]
