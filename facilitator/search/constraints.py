"""What a question names that an answer must state: its places, numbers and years, its terms
of art and the kind of value it asks for (「何か所」「いくら」), each a :class:`Constraint`.

Read from the question alone; :mod:`facilitator.search.answerability` checks them against
the passages a search found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from facilitator.corpus.places import PREFECTURE_RE
from facilitator.search.lexical import tokenize, with_material_terms, word_forms
from facilitator.search.terms import LACKING, constraint_rules, long_units, norm, norm_words
from facilitator.text import CREDIT

_NUMBER = re.compile(
    r"((?:令和|平成)?\d+(?:\.\d+)?)(年度|年|点|円|万円|億円|時間|%|割|人|件|単位|床|分|つ|回|度|℃)"
)
"""A number the question names with its unit: a passage must state it. A temperature
(「熱が38度」) describes someone's own case, which the material never does."""
_SENTENCE = re.compile(r"(?:[^。\n(（]|[(（][^)）\n]*[)）]|[(（])+")
"""A sentence; a 。 inside brackets does not end it (「…体制を確保した協力医療機関(③については
病院に限る。)をあらかじめ定めることが令和6年度から…義務化」 is one sentence)."""
_LABEL_LINE = re.compile(r"^([-・●]?[\d~〜～\-,年月日度頃上中下旬]{1,14})\n", re.M)
"""A line that is only a date or number labels the next (a schedule slide's 「-1~3月」 over
「医療機関による報告及び都道府県による…確認」): the two read as one sentence."""
_ORDINAL = re.compile(r"第\d+回")
_FISCAL_YEAR = re.compile(r"(?:令和|平成)\d+年度")
_DIGITS = re.compile(r"\d[\d,.]*")
_NOT_AT_LEAST_ONE = (
    r"(?!1\s*(?:つ|か所|カ所|箇所|ヶ所|施設|機関|医療機関)?以上)(?<!少なくとも)(?<!最低)"
)
"""「圏域に1つ以上…位置づける」「少なくとも1つは設定」 lay down a minimum: they do not say
how many there are, unless the minimum is asked (「最低いくつ入れることにしている？」)."""
_MINIMUM = re.compile(r"最低|少なくとも|最小")
_SERVICE_NUMBER = re.compile(r"#\d{3,5}")
"""A short-dial service (#7119, #8000) is a programme of its own: asked of 新居浜, a passage on
山口県's #7119 does not say whether 新居浜 has it."""
_QUOTED_QUESTION = re.compile(
    r"[「『][^「」『』]{0,40}(?:[?？]|の|か|かな|どこ|いつ|誰|だれ|いくら)[」』]"
)
_SPAN_WORDS = ("のうち", "の中で", "を通じ", "を通し", "の流れ", "のスケジュール")
_ROUGHLY = ("ほど", "くらい", "ぐらい", "程度", "前後")
"""「30床ほどの小さな病院」 says what kind of hospital, roughly: no figure the passage must state."""
NUMBER = (
    r"(?<![\d,.第])(?<!方策)(?<!原因)(?<!課題)(?<!事例)(?<!参考)(?<!脚注)(?<![Pp図表])"
    r"(?:(?<![(（])|(?!\d+[)）]))\d[\d,.]*+\s*+"
)
"""A number, not one of a label (「方策3:…」「事例集 P.32」「図3」「(1)」) nor an ordinal
(「第5回…分科会」): it counts nothing. 「（966,900円）」 is a value in brackets."""
VALUE_CONTEXT_WORDS = 2
_PLACE_SUFFIX = ("市", "町", "村", "区", "県", "府", "都")
_PLACES_COUNTED = ("か所", "カ所", "箇所", "ヶ所", "施設", "機関")
_FACILITIES = "(?:か所|カ所|箇所|ヶ所|施設|機関|医療機関|病院|診療所|事業所|薬局|拠点)"
"""「何か所？」 is answered by 「10医療機関で…」: places are counted by what they are."""
_SCORED = "化|にし|にす"
"""After a term or value word, it names what is scored (「点数化」「点数にしてる」), not a fee."""


@dataclass(frozen=True)
class Constraint:
    """Something the question names that an answer must state."""

    kind: Literal["place", "number", "term", "value"]
    text: str
    pattern: str = ""
    """For a value: the regular expression its statement matches (a number and its unit)."""
    about: frozenset[str] = frozenset()
    """For a value: the question's specific content words; the value must stand in a sentence
    that shares two of them (one if the question has only one), not anywhere in the passage."""
    needs: tuple[tuple[str, ...], ...] = ()
    """For a value: words the sentence must also state, one of each group (「平均」 for an
    average, 「全国」 for a national figure): a number next to the topic is not yet the answer."""
    marks: tuple[str, ...] = ()
    """For a value: words saying a sentence gives a value of that kind (「報告期間は1月から3月」
    gives a time): one counts as one of the question's words the sentence shares."""
    given: tuple[str, ...] = ()
    """For a value: the numbers the question itself states (「約300の事業所のうち、薬局は何か所？」):
    a passage repeating them does not state the value asked."""

    @property
    def numeric(self) -> bool:
        return self.pattern.removeprefix(_NOT_AT_LEAST_ONE).startswith(NUMBER)

    def met_by(self, text: str, topic: str = "") -> bool:
        """``topic``: what every sentence of ``text`` is about though none says it (a survey
        answer's question: 名古屋市's 「WEB広告（966,900円）」 answers what it spends on
        上手な医療のかかり方の普及啓発)."""
        if self.kind == "value":
            value = re.compile(self.pattern)
            need = min(VALUE_CONTEXT_WORDS, len(self.about))
            about = set(tokenize(topic)) if topic else set()
            return any(
                any(_digits(m.group()) not in self.given for m in value.finditer(s))
                and all(any(w in s for w in group) for group in self.needs)
                and _shared(self.about, about | set(tokenize(s))) + any(m in s for m in self.marks)
                >= need
                for s in _SENTENCE.findall(_LABEL_LINE.sub(r"\1 ", text))
                if not CREDIT.match(s.strip())
            )
        if self.kind == "place":
            return any(v in text for v in place_variants(self.text))
        if self.kind == "number":  # 「2回」 is not met by 「第2回」 (an ordinal) nor by 「12回」
            return any(
                re.search(r"(?<![\d,.第])" + re.escape(v), text) for v in _era_variants(self.text)
            )
        return self.text in text

    @property
    def label(self) -> str:
        """How a person is told what the material lacks."""
        return {
            "place": f"「{self.text}」の記述",
            "number": f"「{self.text}」の記述",
            "term": f"「{self.text}」の記述",
            "value": f"質問の「{self.text}」に当たる{'数値' if self.numeric else '記載'}",
        }[self.kind]


_ERA = {"令和": "R", "平成": "H"}


def _era_variants(number: str) -> set[str]:
    """「令和2年度」 is also written 「R2年度」 (名古屋市's 「R2年度実績」)."""
    return {number} | {
        number.replace(era, short, 1) for era, short in _ERA.items() if era in number
    }


def _shared(about: frozenset[str], tokens: set[str]) -> int:
    """How many of the question's words a sentence states, in its words or the material's.
    Two words of the question for one thing count once: 子ども and 小児 (「さとう小児科の…
    子どもを預かって」) are both met by a sentence on 小児科医 and こども."""
    used: set[str] = set()
    count = 0
    for w in sorted(about):
        met = word_forms(w) & tokens
        if met and not met & used:
            count += 1
        used |= met
    return count


def place_variants(place: str) -> set[str]:
    """「松本市」 is met by 「松本」; a 2-character name keeps its suffix (「津市」)."""
    out = {place}
    if place.endswith(_PLACE_SUFFIX) and len(place) >= 3:
        out.add(place[:-1])
    return out


def _number(unit: str) -> str:
    """A whole number (not a piece of a longer one) followed by ``unit``."""
    return NUMBER + unit


@lru_cache(maxsize=512)
def named_places(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(places asked about, places excluded): 「大阪府以外で…」「松本市のほかに…」 name a
    place only to ask about the others (``elsewhere`` words right after it). Words typed
    apart stay apart: 「医師会 研修 県補助」 names no 「会研修県」. Cached: search, its
    orderings, answerability and the meeting answer each ask it of the same question."""
    q = norm_words(question)
    rules = constraint_rules()
    elsewhere = tuple(rules["elsewhere"])
    asked: list[str] = []
    excluded: list[str] = []

    def note(place: str, end: int) -> None:
        if any(place in p for p in asked + excluded):
            return
        (excluded if q.startswith(elsewhere, end) else asked).append(place)

    for m in PREFECTURE_RE.finditer(q):  # 「都道府県」 is none: the regex 「..県」 took it for one
        note(m.group(), m.end())
    for place in rules["places"]:  # not inside another name: 柏原, 酒田谷
        for m in re.finditer(re.escape(place) + _NOT_LONGER_NAME, q):
            note(place + ("市" if q.startswith("市", m.end()) else ""), m.end())
    tokens = list(long_units().tokenize(q))
    for i, m in enumerate(tokens):
        pos = m.part_of_speech()
        if pos[0] == "名詞" and pos[2] == "地名" and m.surface() not in rules["not_places"]:
            place, end = m.surface(), m.end()
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt and nxt.surface() in _PLACE_SUFFIX and not place.endswith(_PLACE_SUFFIX):
                place, end = place + nxt.surface(), nxt.end()
            note(place, end)
    return tuple(asked), tuple(excluded)


_KANJI = re.compile(r"[\u4e00-\u9fff々]+")
_NOT_LONGER_NAME = r"(?=[市周近付一地医加]|[^\u4e00-\u9fff々]|$)"
"""After a city named without 市: 市, 周辺/付近/一帯, 地域/地区, 医師会, or a second place (豊田加茂),
not the rest of another name (柏原, 酒田谷)."""


def _as_words(term: list[str], words: list[str]) -> bool:
    """Whether the words of a term come one after another among the question's words."""
    n = len(term)
    return any(words[i : i + n] == term for i in range(len(words) - n + 1))


@lru_cache(maxsize=512)
def question_constraints(
    question: str, common: frozenset[str] = frozenset()
) -> tuple[Constraint, ...]:
    """The places, numbers, terms of art and value kinds a question names, once each.

    ``common``: words most passages of the material use (「医療」「地域」); they say nothing
    about what a value counts, so they do not place a number next to the question's topic.
    """
    q = norm(question)
    rules = constraint_rules()
    out: dict[tuple[str, str], Constraint] = {}

    def add(c: Constraint) -> None:
        out.setdefault((c.kind, c.text), c)

    for place in named_places(question)[0]:
        add(Constraint("place", place))
    for m in _NUMBER.finditer(q):
        if not q.startswith(_SPAN_WORDS + _ROUGHLY, m.end()):  # 「1年のうち」: in a year
            add(Constraint("number", m.group(0)))
    tokens = tokenize(q)
    named = [
        t
        for t in rules["terms"]
        if any(not LACKING.match(q, m.end()) for m in re.finditer(re.escape(t), q))
        and re.search(re.escape(t) + f"(?!{_SCORED})", q)
        and _as_words(tokenize(t), tokens)
    ]  # 「点数化」: no fee; 「拠点数」 is 拠点 and 数, no 点数; 「予算がない」: the asker's lack
    for term in named:
        if not any(term != other and term in other for other in named):  # 報酬 in 診療報酬
            add(Constraint("term", term))
    for m in _SERVICE_NUMBER.finditer(q):
        add(Constraint("term", m.group(0)))
    places = [c.text for c in out.values() if c.kind == "place"]
    words = [
        t
        for t in tokens + with_material_terms([], q)  # 「届け出る」 is the material's 報告
        if len(t) >= 2
        and t not in rules["not_context"]
        and not any(t in p for p in places)  # a place is checked on the whole passage
    ]
    about = frozenset(t for t in words if t not in common) or frozenset(words)
    scope = tuple(norm(w) for w in rules["scope"] if norm(w) in q)
    needs = (scope,) if scope else ()
    # one event of a series (「第1回はいつ開かれた？」): a yearly schedule does not date it
    needs += tuple((o,) for o in dict.fromkeys(_ORDINAL.findall(q)))
    # a value of a fiscal year (「令和3年度の1日あたり相談件数は？」): 「令和2年度 4.2件/日」 is another
    # year's, though a sentence of the same answer says 「令和3年2月から」
    needs += tuple(tuple(_era_variants(y)) for y in dict.fromkeys(_FISCAL_YEAR.findall(q)))
    asked = _asking_part(q)
    given = tuple(dict.fromkeys(_digits(n) for n in _DIGITS.findall(q)))
    typed_apart = _asking_part(norm_words(question))  # 「…拠点数 全国」: 拠点数 is a word
    minimum = bool(_MINIMUM.search(q))

    def counted(pattern: str) -> str:
        return pattern if minimum or not pattern.startswith(NUMBER) else _NOT_AT_LEAST_ONE + pattern

    def next_to(kind: str, pattern: str) -> str:  # a minimum next to them counts none either
        return _next_to(kind, counted(pattern), counted(NUMBER))

    for rule in rules["values"]:
        # 「いくつか」「何人か」 mean "some", 「いつでも」 "at any time": indefinites, not
        # questions (「いつから」「いくらかかる」 are)
        word = next(
            (
                w
                for w in rule.get("words", ())
                if re.search(re.escape(norm(w)) + f"(?!か(?!ら|か))(?!{_SCORED}|も|でも)", asked)
                and (not _KANJI.fullmatch(w) or _as_words(tokenize(w), tokens))  # 拠点数
            ),
            None,
        )
        if "phrase" in rule and (
            m := re.search(rule["phrase"], typed_apart) or re.search(rule["phrase"], asked)
        ):
            word = m.group("what")
        if word:
            pattern = rule.get("pattern") or _number(rule.get("unit", ""))
            if isinstance(pattern, list):  # a shared pattern and what this rule adds to it
                pattern = "|".join(pattern)
            stated = ((word,),) if rule.get("stated") else ()
            # a minimum asked (「最低いくつ置く？」) is laid down as one: 「圏域に1つ以上…位置づける」
            marks = (*rule.get("marks", ()), *(("以上",) if minimum else ()))
            before = asked[: asked.find(word)]  # a minimum is laid down of the area, not them
            if rule.get("counts_named") and not minimum and (kind := _counted_kind(before)):
                pattern = next_to(kind, pattern)
            pattern = counted(pattern)
            add(Constraint("value", word, pattern, about, needs + stated, marks, given))
    counters = sorted(rules["counters"], key=len, reverse=True)
    # 「何週間も待たされる」「何人も」: many, not a question
    for m in re.finditer(
        "何(" + "|".join(map(re.escape, counters)) + ")(?!か(?!ら))(?!間?も)", asked
    ):
        unit = (
            "(?:人|名)"
            if m.group(1) in ("人", "名")
            else _FACILITIES
            if m.group(1) in _PLACES_COUNTED
            else re.escape(m.group(1))
        )
        pattern = _number(unit)
        if m.group(1) in _PLACES_COUNTED and (kind := _counted_kind(asked[: m.start()])):
            pattern = next_to(kind, pattern)
        # 「何か所増えましたか」: by how many, so the sentence must say it grew (or fell)
        change = _CHANGE.match(asked, m.end())
        grew = ((_GREW if change.group(1) == "増" else _FELL),) if change else ()
        if not any(c.kind == "value" and m.group(0) in c.text for c in out.values()):
            add(Constraint("value", m.group(0), counted(pattern), about, needs + grew, given=given))
    # one value asked, read by several rules (「補助の額を教えて」: 額を, 補助の額, 額): the
    # longest reading names it
    values = [c for c in out.values() if c.kind == "value"]
    return tuple(
        c
        for c in out.values()
        if not any(
            o.pattern == c.pattern and c.text != o.text and c.text.strip("をは") in o.text
            for o in values
        )
        or c.kind != "value"
    )


_CHANGE = re.compile(r"\s*(?:も|ほど|くらい|ぐらい)?(増|減)")
_GREW = ("増", "伸び", "倍", "拡大")
_FELL = ("減", "縮小", "少な")


_COUNTED_KIND = re.compile(
    r"([\u4e00-\u9fff\u30a1-\u30fa々ー]+)(?:は|が|って)?(?:全部で|全体で|合計で|いま|今)?$"
)


def _counted_kind(before: str) -> str | None:
    """What 「…は何か所？」 counts, by the last word of the compound before it (「歯科医院」 of
    「加わっている歯科医院は何か所」), or None (「…は、現在何か所」 names none)."""
    m = _COUNTED_KIND.search(before)
    words = tokenize(m.group(1)) if m else []
    if not words or words[-1] in constraint_rules()["adverbs"]:
        return None
    return "".join(words[-2:]) if len(words[-1]) < 2 else words[-1]


def _next_to(kind: str, count: str, number: str) -> str:
    """A count of ``kind``: the kind just before it in the same phrase (「登録病院は52病院」
    「医療機関27施設」) or after it (「85機関」「12の歯科医院」). 「医療機関27施設のほか、
    歯科医院、調剤薬局…計85機関が参加」 does not say how many 歯科医院 take part."""
    kind = re.escape(kind)
    return f"(?:{kind}[^、。,]{{0,10}}?{count}|{number}[\u4e00-\u9fffか所カヶ]{{0,6}}?の?{kind})"


def _digits(value: str) -> str:
    """The number a value states, as written (「300」 of 「約300の事業所」, 「1,200」 of 「1,200人」)."""
    m = _DIGITS.search(value)
    return m.group().rstrip(",.") if m else ""


def _asking_part(q: str) -> str:
    """The sentences that ask: 「管内にいくつあるか調べたい。どういう病院がそう呼ばれるの？」
    asks what the hospitals are, not how many (the first sentence says what the asker will
    do). A question of one sentence, or with no question mark, is all asking. What someone
    else asks, quoted (「「どこの病院にかかればいいの」っていう問い合わせ」「『夜に開いてる病院は
    どこ』みたいな話」), is not asked."""
    q = _QUOTED_QUESTION.sub("「」", q)
    parts = [p for p in re.split(r"(?<=[。.!！?？])", q) if p.strip()]
    asking = [p for p in parts if p.rstrip().endswith(("?", "？"))]
    return "".join(asking) if len(parts) > 1 and asking else q


def unmet(constraints: Iterable[Constraint], texts: Iterable[str]) -> list[Constraint]:
    """The constraints that none of ``texts`` meets."""
    normed = [norm(t) for t in texts]
    return [c for c in constraints if not any(c.met_by(t) for t in normed)]
