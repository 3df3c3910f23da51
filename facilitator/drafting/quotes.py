"""Which sentence of a passage a meeting answer quotes: the one closest in meaning to the
question, not a heading, a title, a credit line or a sentence pointing back, and a survey
answer's whole item. Every quote is a verbatim part of its passage, so its citation checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import NamedTuple

from facilitator.search.constraints import named_places
from facilitator.search.hits import SearchHit
from facilitator.search.intent import TIME as _TIME
from facilitator.search.intent import time_words
from facilitator.search.lexical import WeightedWords, tokenize, weighted_share
from facilitator.text import CREDIT, EXCERPT, sentences

ANSWER_CHARS = (12, 220)
SENTENCE_END_PENALTY = 0.02
SENTENCES_EMBEDDED = 5
LIST_ITEMS = 5
"""A sentence pointing ahead to a list (「具体的な支援業務は以下の通りであり、…」) brings the
items under it as candidates too, this many at most: they say what it only announces, but share
few of the question's words, so the cut above would leave them out."""
DEFINITION_OVERLAP = 0.1
"""A quoted definition or procedure uses the question's own words: sentence similarity alone
picked a topical sentence of the right passage (「拠点を医療計画に位置付ける際には…重要である」
for 「拠点の要件は？」). With this bonus per share of the question's words, the first quote of
41 judged guideline questions lay in a judged span 14 → 17 times (dev unchanged, 3/16). Not
used to name precedents: there it lowered the share of named cases judged relevant."""
POINTING_PENALTY = 0.03
"""A sentence that opens by pointing back (「これにより、…」「このため…」「その結果…」) or points
ahead (「協議課題ごとに、以下の①~⑥を繰り返しながら…」) does not stand alone as a quote: read in a
meeting, 「これ」 and 「以下の」 refer to nothing."""
_AHEAD = re.compile(r"以下の(?:とおり|通り|[①-⑳]|項目|事項)|以下に示|下記の|次の(?:とおり|通り)")
_POINTING = re.compile(
    r"^(?:これ|それ|この|その|こうした|そうした|こうして|このよう|そのよう)|" + _AHEAD.pattern
)
BACKGROUND_PENALTY = 0.03
"""A sentence saying what the situation was or is (「…との訴えが根強くあった。」「…負担がかかっ
ている状況である。」「…が課題となっている。」) is why a case acted, not what it did: asked what
others do, 事例13 was quoted by its complaint ten times over the judged precedent questions."""
_BACKGROUND = re.compile(
    r"(?:があった|が根強くあった|状況(?:であ|にあ)(?:った|る)|課題(?:であった|である|となっている))。$"
)
EXCERPT_PENALTY = 0.06
"""A passage opening with 「(抜粋)」 quotes another document (the 指針 in 大阪府's paper): asked
about a named place (「大阪府は圏域をどの単位で設定？」), its own words (「府の考え方」) come first.
Over 239 judged guideline questions, first quote judged 171 → 175 (none lose; at 0.03, 174)."""
FRAGMENT_PENALTY = 0.05
"""A slide line the layout cut mid-phrase (「圏域内に複数の「在宅医療の連携の拠点」と」, its next
line 「「積極的役割を担う医療機関」があるイメージ」): ending on a particle, it does not say
anything alone."""
_FRAGMENT = re.compile(r"(?:(?<![こも])[とのをにがや]|[は、])$")  # not 「…を行うこと」「…するもの」
WHEN_SHARE = 0.5
"""A question asking when (「毎年何月ごろ出すの？」) is answered by a sentence that states a time
(「報告期間は1月から3月です。」): such a sentence counts as sharing this much more of the
question's words. Similarity alone could not tell it from its neighbours (0.913 vs 0.910), and
the word filter dropped it for the longer sentences repeating 「かかりつけ医機能報告」."""
WHEN_OVERLAP = 0.5
"""Asked when, the schedule's lines all state a time; the question's own words say which event
(「協議の場は毎年いつごろ開かれる？」 is 「7月頃~ 協議の場の開催」, not the 1–3月 line that similarity
chose). With the definition bonus (0.1) 3 of 8 schedule questions quoted another event's line;
with 0.5 none of 10 does (0.3 picked the 1–3月 line once each group offered only its time
sentences)."""
_LEAD = re.compile(r"^(?:\d+\s+\S+?\s*▶|[-・●○■▶✓✔◆◇]\s*)+")
_FOOTNOTE_NUMBER = re.compile(r"^\d{1,3}\s+")
_HEADING = re.compile(r"^[●■◆□◇【].*[^。]$|^[^。]{0,30}とは\s*(?:[(（]\s*定義\s*[)）])?$")
"""A heading inside a passage (「●「かかりつけ医」とは(定義)」, or without its mark in the slides'
「「かかりつけ医」とは（ 定義）」): it repeats the question's words and says nothing; the definition
is the line under it."""

DEFINED_SHARE = 3.0
"""The line under a heading that defines a term of the question (「●「かかりつけ医」とは(定義)」)
is the material's definition of it: counted as sharing this much more of the question. At 1.0
the slides' next lines (「かかりつけ医は、日常行う診療においては…」) were closer in meaning to
「かかりつけ医 定義」 than the definition itself; at 3.0 two judged questions' quotes change, both
to the definition (of 546 compared)."""
_CONTENTS = re.compile(r"(?:\.{3,}|…{2,}|・{3,})\s*\d+$")
"""A line of a table of contents (「第2節 かかりつけ医機能報告制度のスケジュール.....\t9」): a
title and its page, not what the section says."""
_ASKS = re.compile(r"(?:か|ですか|ますか)[。？?]?$|[？?]$")
"""A question of the material's own (the survey's 「②…違いがあると認識していますか。」) does not
answer one; a survey answer quoting what residents ask (「何科を受診したらよいか。」) does."""
_DEFINES = re.compile(r"「([^「」]+)」\s*とは")


def _defines_asked(line: str, question: str) -> bool:
    """A heading 「X」とは… whose term X is a whole word of the question (「かかりつけ医」 is not
    asked by 「かかりつけ医機能って何？」)."""
    m = _DEFINES.search(line) if _HEADING.match(line) else None
    word = re.escape(m.group(1)) + r"(?![\u4e00-\u9fff々\u30a0-\u30ffー])" if m else ""
    return bool(m) and re.search(word, question) is not None


class _Candidate(NamedTuple):
    hit: SearchHit
    text: str
    share: float
    """Of the question's words (see :func:`_candidates`)."""
    listed: bool
    """Only there as an item of a list a kept sentence opens (LIST_ITEMS)."""


_ITEM_START = re.compile(r"\s+(?=[○●◆■▶]|・\s)")


def _items(sentence: str) -> list[str]:
    """A sentence too long to quote, split at the list marks a layout ran onto one line
    (名古屋市's 「▶普及啓発内容(…決算額) ○小児救急ガイドブック…(603,328円):… ○WEB広告
    (966,900円):…」, no 。 in 600 characters): each item can then be quoted alone."""
    if len(sentence) <= ANSWER_CHARS[1]:
        return [sentence]
    return [p for p in _ITEM_START.split(sentence) if p]


def _candidates(
    hits: list[SearchHit], q_tokens: WeightedWords, when: bool = False, question: str = ""
) -> list[_Candidate]:
    """Sentences of ``hits`` that could answer, each with the share of the question's words it
    uses (more for one stating a time, asked ``when``): not headings (they repeat the question's
    words without answering it) nor the material's own questions, of a readable length, the
    ones sharing most words with the question first (only these are embedded, which keeps an
    answer under a second); last, whether it is only there as an item of a list that one of
    those opens (LIST_ITEMS)."""
    found = []
    # asked when, a stated time earns WHEN_SHARE once, not again for sharing 「毎年」「頃」
    words = {t: w for t, w in q_tokens.items() if t not in time_words()} if when else q_tokens
    for hit in hits:
        lines = [item for s in sentences(hit.text) for item in _items(s)]
        for i, s in enumerate(lines):
            if s in hit.locator or _HEADING.match(s) or CREDIT.match(s) or _CONTENTS.search(s):
                continue
            if _ASKS.search(s) and not hit.respondent:
                continue
            t = trim(s, hit)
            if not ANSWER_CHARS[0] <= len(t) <= ANSWER_CHARS[1]:
                continue
            share = weighted_share(words, tokenize(t))
            if when and _TIME.search(t):
                share += WHEN_SHARE
            if i and question and _defines_asked(lines[i - 1], question):
                share += DEFINED_SHARE
            found.append((hit, t, share))
    if len(found) <= SENTENCES_EMBEDDED:
        return [_Candidate(*f, listed=False) for f in found]
    keep = set(sorted(range(len(found)), key=lambda i: (-found[i][2], i))[:SENTENCES_EMBEDDED])
    listed = {
        j
        for i in keep
        if _AHEAD.search(found[i][1])
        for j in range(i + 1, len(found))[:LIST_ITEMS]
        if found[j][0] is found[i][0]
    } - keep
    return [_Candidate(*found[i], listed=i in listed) for i in sorted(keep | listed)]


TITLE_PENALTY = 0.03
"""Taken from a sentence's closeness when it is a title: a line with no 、 or 。 that a blank
line follows (a case section's 「① 急性期病院からの退院時支援として…取組実施」, a slide's
「福井県の在宅医療・介護連携推進事業所管と分掌の経過」). It names the topic in the question's
words; the lines under it say what was done (「医療系課から介護系課へ事業移管。」). Over the
judged questions asked, 9 guideline and 1 precedent answers gained a judged first quote and
none lost one."""


FIGURE_LABEL_CHARS = 4


def _is_title(text: str, line: str) -> bool:
    """Whether ``line`` stands alone in ``text`` as a title (see TITLE_PENALTY): a blank line
    follows it, or a figure's labels do (「福井県の在宅医療・介護連携推進事業 現在の体制」 over
    「地域」「医療課」「長寿」: a chart's title says what it shows, not what was done)."""
    if "、" in line or "。" in line:
        return False
    lines = [x.strip() for x in text.split("\n")]  # a slide's line may start with a space
    return any(
        x == line.strip() and len(below) <= FIGURE_LABEL_CHARS for x, below in pairwise(lines)
    )


_JOINED_HEADING = re.compile(r"^[^。、・\s][^。、・]{4,39}?\s+・\s+(?=\S)")
"""A slide's heading that the layout ran into its first bullet on one line
(「協議に向けた枠組みの整理 ・ 「協議の場」の圏域は…」): the heading is not what the bullet says.
A middle dot between words (「新居浜・西条」) has no spaces around it and is kept."""


def trim(sentence: str, hit: SearchHit | None = None) -> str:
    """A sentence without its list mark, survey numbering or a heading run into it
    (「- 」「38 北九州市 ▶」「協議結果の公表 ・ 」) or, in a footnote, its number
    (「19 在宅において…」): still a verbatim part of the source, so its citation checks like any
    other."""
    trimmed = _LEAD.sub("", _JOINED_HEADING.sub("", sentence)).strip()
    if hit is not None and hit.metadata.get("section_kind") == "footnote":
        trimmed = _FOOTNOTE_NUMBER.sub("", trimmed)
    return trimmed


def best_sentences(
    groups: list[list[SearchHit]],
    similarity: Callable[[list[str], list[str]], Sequence[float]],
    q_tokens: WeightedWords,
    overlap_weight: float = 0.0,
    when: bool = False,
    question: str = "",
) -> list[tuple[SearchHit, str, float] | None]:
    """Per group of hits, its sentence closest in meaning to the question, with how close
    (all embedded in one call). A whole sentence (「。」) beats a caption or list line; with
    ``overlap_weight``, a sentence using more of the question's words gains that much per
    share of them."""
    cands = [_candidates(hits, q_tokens, when, question) for hits in groups]
    placed = bool(question) and bool(named_places(question)[0])
    flat = [x.text for c in cands for x in c]
    ids = [x.hit.chunk_id for c in cands for x in c]
    sims = iter(similarity(flat, ids) if flat else [])
    out: list[tuple[SearchHit, str, float] | None] = []
    for c in cands:
        scored = [
            (
                float(next(sims))
                - (0.0 if x.text.endswith("。") else SENTENCE_END_PENALTY)
                - (POINTING_PENALTY if _POINTING.search(x.text) else 0.0)
                - (BACKGROUND_PENALTY if _BACKGROUND.search(x.text) else 0.0)
                - (EXCERPT_PENALTY if placed and EXCERPT.match(x.hit.text) else 0.0)
                - (TITLE_PENALTY if _is_title(x.hit.text, x.text) else 0.0)
                - (FRAGMENT_PENALTY if _FRAGMENT.search(x.text) else 0.0)
                + overlap_weight * x.share,
                x,
            )
            for x in c
        ]
        if when:  # a sentence stating a time, if the group has one
            scored = [sx for sx in scored if _TIME.search(sx[1].text)] or scored
        best = max((sx for sx in scored if not sx[1].listed), key=lambda sx: sx[0], default=None)
        best = best or max(scored, key=lambda sx: sx[0], default=None)
        if best and _AHEAD.search(best[1].text):  # what the list under it says, item by item
            hit, at = best[1].hit, best[1].hit.text.find(best[1].text)
            below = [sx for sx in scored if sx[1].hit is hit and hit.text.find(sx[1].text) > at]
            best = max(below, key=lambda sx: sx[0], default=best)
        out.append((best[1].hit, best[1].text, best[0]) if best else None)
    return out


def whole_answer(hit: SearchHit, sentence: str) -> str:
    """A survey answer's whole item (from its 「▶」 to the next) when ``sentence`` is one of
    its sentences and the item fits an answer: 宮城県's 「…支援事業を過去に行っていたことが
    あるが、既に終了している。」 is followed by why (「事業効果の検証が困難であったことから終了
    した。」), which a question about the programme asks too. Verbatim, like the sentence."""
    if not hit.respondent:
        return sentence
    text = hit.text
    at = text.find(sentence)
    if at < 0:
        return sentence
    start = text.rfind("▶", 0, at) + 1
    end = text.find("▶", at + len(sentence))
    item = text[start : end if end >= 0 else len(text)].strip()
    return item if sentence in item and len(item) <= ANSWER_CHARS[1] else sentence
