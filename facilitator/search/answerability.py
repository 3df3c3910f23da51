"""Does the material answer the question? What a top passage must state, beyond similarity.

Similarity says a passage is on the topic. A near-domain question (「往診料の深夜加算は何点？」,
「高知県の事例は？」) is on the topic and still unanswered unless a passage names what it
asks for: its places, numbers and years, its terms of art and the kind of value it wants.
Each of those is a constraint; one that no top passage meets makes a search not confident.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import yaml
from sudachipy import Dictionary, SplitMode

from facilitator.corpus.places import PREFECTURE_RE
from facilitator.search.hits import SearchHit
from facilitator.search.lexical import short_units, tokenize, with_material_terms, word_forms
from facilitator.settings import PACKAGE_DATA

RULES_FILE = PACKAGE_DATA / "answer_constraints.yaml"
_NUMBER = re.compile(
    r"((?:令和|平成)?\d+(?:\.\d+)?)(年度|年|点|円|万円|億円|時間|%|割|人|件|単位|床|分|つ)"
)
_SENTENCE = re.compile(r"(?:[^。\n(（]|[(（][^)）\n]*[)）]|[(（])+")
"""A sentence; a 。 inside brackets does not end it (「…体制を確保した協力医療機関(③については
病院に限る。)をあらかじめ定めることが令和6年度から…義務化」 is one sentence)."""
_ORDINAL = re.compile(r"第\d+回")
_SPAN_WORDS = ("のうち", "の中で", "を通じ", "を通し")
NUMBER = r"(?<![\d,.])\d[\d,.]*+\s*+"
VALUE_CONTEXT_WORDS = 2
_PLACE_SUFFIX = ("市", "町", "村", "区", "県", "府", "都")
_SCORED = "化|にし|にす"
"""After a term or value word, it names what is scored (「点数化」「点数にしてる」), not a fee."""
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]{4,}")


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

    @property
    def numeric(self) -> bool:
        return self.pattern.startswith(NUMBER)

    def met_by(self, text: str) -> bool:
        if self.kind == "value":
            value = re.compile(self.pattern)
            need = min(VALUE_CONTEXT_WORDS, len(self.about))
            return any(
                value.search(s)
                and all(any(w in s for w in group) for group in self.needs)
                and _shared(self.about, set(tokenize(s))) >= need
                for s in _SENTENCE.findall(text)
            )
        if self.kind == "place":
            return any(v in text for v in _place_variants(self.text))
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


def _shared(about: frozenset[str], tokens: set[str]) -> int:
    """How many of the question's words a sentence states, in its words or the material's."""
    return sum(1 for w in about if word_forms(w) & tokens)


@cache
def _rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


def _norm_words(question: str) -> str:
    """A question normalised with its spaces kept as breaks: 「救急隊 通報時 持病」 is three
    words typed apart, not the compound 「救急隊通報時持病」 that no passage contains."""
    return "、".join(_norm(w) for w in re.split(r"[\s\u3000]+", question) if w)


def _place_variants(place: str) -> set[str]:
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
    apart stay apart: 「医師会 研修 県補助」 names no 「会研修県」."""
    q = _norm_words(question)
    rules = _rules()
    elsewhere = tuple(rules["elsewhere"])
    asked: list[str] = []
    excluded: list[str] = []

    def note(place: str, end: int) -> None:
        if any(place in p for p in asked + excluded):
            return
        (excluded if q.startswith(elsewhere, end) else asked).append(place)

    for m in PREFECTURE_RE.finditer(q):  # 「都道府県」 is none: the regex 「..県」 took it for one
        note(m.group(), m.end())
    tokens = list(_tokenizer().tokenize(q))
    for i, m in enumerate(tokens):
        pos = m.part_of_speech()
        if pos[0] == "名詞" and pos[2] == "地名" and m.surface() not in rules["not_places"]:
            place, end = m.surface(), m.end()
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt and nxt.surface() in _PLACE_SUFFIX and not place.endswith(_PLACE_SUFFIX):
                place, end = place + nxt.surface(), nxt.end()
            note(place, end)
    return tuple(asked), tuple(excluded)


@lru_cache(maxsize=512)
def question_constraints(
    question: str, common: frozenset[str] = frozenset()
) -> tuple[Constraint, ...]:
    """The places, numbers, terms of art and value kinds a question names, once each.

    ``common``: words most passages of the material use (「医療」「地域」); they say nothing
    about what a value counts, so they do not place a number next to the question's topic.
    """
    q = _norm(question)
    rules = _rules()
    out: dict[tuple[str, str], Constraint] = {}

    def add(c: Constraint) -> None:
        out.setdefault((c.kind, c.text), c)

    for place in named_places(question)[0]:
        add(Constraint("place", place))
    for m in _NUMBER.finditer(q):
        if not q.startswith(_SPAN_WORDS, m.end()):  # 「1年のうち」: in a year, no number asked
            add(Constraint("number", m.group(0)))
    named = [
        t for t in rules["terms"] if re.search(re.escape(t) + f"(?!{_SCORED})", q)
    ]  # 「点数化」: no fee
    for term in named:
        if not any(term != other and term in other for other in named):  # 報酬 in 診療報酬
            add(Constraint("term", term))
    places = [c.text for c in out.values() if c.kind == "place"]
    words = [
        t
        for t in tokenize(q)
        if len(t) >= 2
        and t not in rules["not_context"]
        and not any(t in p for p in places)  # a place is checked on the whole passage
    ]
    about = frozenset(t for t in words if t not in common) or frozenset(words)
    scope = tuple(_norm(w) for w in rules["scope"] if _norm(w) in q)
    needs = (scope,) if scope else ()
    # one event of a series (「第1回はいつ開かれた？」): a yearly schedule does not date it
    needs += tuple((o,) for o in dict.fromkeys(_ORDINAL.findall(q)))
    asked = _asking_part(q)
    for rule in rules["values"]:
        # 「いくつか」「何人か」 mean "some": an indefinite, not a question (「いつから」 is one)
        word = next(
            (
                w
                for w in rule.get("words", ())
                if re.search(re.escape(_norm(w)) + f"(?!か(?!ら))(?!{_SCORED}|も)", asked)
            ),
            None,
        )
        if "phrase" in rule and (m := re.search(rule["phrase"], asked)):
            word = m.group("what")
        if word:
            pattern = rule.get("pattern") or _number(rule.get("unit", ""))
            stated = ((word,),) if rule.get("stated") else ()
            add(Constraint("value", word, pattern, about, needs + stated))
    counters = sorted(rules["counters"], key=len, reverse=True)
    # 「何週間も待たされる」「何人も」: many, not a question
    for m in re.finditer(
        "何(" + "|".join(map(re.escape, counters)) + ")(?!か(?!ら))(?!間?も)", asked
    ):
        unit = "(?:人|名)" if m.group(1) in ("人", "名") else re.escape(m.group(1))
        if not any(c.kind == "value" and m.group(0) in c.text for c in out.values()):
            add(Constraint("value", m.group(0), _number(unit), about, needs))
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


def _asking_part(q: str) -> str:
    """The sentences that ask: 「管内にいくつあるか調べたい。どういう病院がそう呼ばれるの？」
    asks what the hospitals are, not how many (the first sentence says what the asker will
    do). A question of one sentence, or with no question mark, is all asking."""
    parts = [p for p in re.split(r"(?<=[。.!！?？])", q) if p.strip()]
    asking = [p for p in parts if p.rstrip().endswith(("?", "？"))]
    return "".join(asking) if len(parts) > 1 and asking else q


def _without_elsewhere(run: str) -> str:
    """A kanji run without a trailing ``elsewhere`` word (「大阪府以外」 → 「大阪府」) or a word
    naming the material itself (「自治体回答」 → 「自治体」: where to look, not what is asked)."""
    for word in _rules()["elsewhere"] + _rules()["material_words"]:
        run = run.removesuffix(word)
    return run


def _without_adverb(run: str) -> str:
    """A kanji run without a leading word of time or degree: 「将来在宅医療を担う」 says when,
    then names 在宅医療; 「一番不安定」 says how much (neither is a term to find)."""
    for word in _rules()["adverbs"]:
        if run.startswith(word) and len(run) > len(word):
            return run.removeprefix(word)
    return run


def _without_aspect(word: str) -> str:
    """「医療機関側」 is 医療機関: a side of who is named, not another thing or term;
    「テーマ別」 is テーマ: what things are sorted by; 「医師会単位」 is 医師会: the level at
    which something is done."""
    if len(word) <= 2:
        return word
    return word.removesuffix("単位").removesuffix("側").removesuffix("別") or word


_EXAMPLE = re.compile(r"など|等の|のような|のように|みたいな|といった")
"""A compound followed by these is an example of what is meant (「人工呼吸器などが必要な子ども」
「新型コロナや大規模災害のような非常時」): the material may name another example of it."""


def unknown_terms(question: str, known: Iterable[str]) -> list[str]:
    """Compounds of the question that no ``known`` text contains: a long kanji compound
    (5+ characters: 「紹介受診重点医療機関」) or one built on a term of art (「深夜加算」).
    Shorter everyday compounds (「画像検査」「病院同士」) and katakana words (「パソコン」
    「喫茶スペース」: tried, they are paraphrase more often than terms) are left to similarity."""
    text, q = _norm("\n".join(known)), _norm_words(question)
    terms = _rules()["terms"]
    # 「大阪府以外」: no term; 「一番不安定」: an adverb, then an everyday word; 「医療機関側」: a side
    # 「看護師何人で」: a word, then what is asked about it
    runs = [
        _without_aspect(_without_elsewhere(_without_adverb(t)))
        for m in _KANJI_RUN.finditer(q)
        if not _EXAMPLE.match(q, m.end())
        for t in re.split(r"何[\u4e00-\u9fff]?", m.group())
    ]
    found = [t for t in runs if len(t) >= 5 or any(w in t for w in terms)]
    states, lowered = stated_in([text]), text.lower()  # the index's words are lower case
    return [
        t
        for t in dict.fromkeys(found)
        if not states(t)
        # the material's own word for it (lay_terms.yaml: 事業継続計画 is BCP)
        and not any(_norm(alt) in lowered for alt in with_material_terms([], t))
    ]


def stated_in(texts: Iterable[str]) -> Callable[[str], bool]:
    """A test of whether ``texts`` state a compound, as written or shortened (:func:`_shortened`)."""
    text = _norm("\n".join(texts))
    return lambda term: term in text or _shortened(term, text)


ABBREVIATION_GAP = 2


def _shortened(term: str, text: str) -> bool:
    """A compound the text has with a short part left out: 「夜間電話相談」 for 「夜間救急電話
    相談窓口」, 「郡市医師会」 for 「郡市区医師会」, 「在宅支援者」 for 「在宅の支援者」 — the
    question's parts in order inside one kanji run, at most ``ABBREVIATION_GAP`` characters
    (or one 「の」) between two of them."""
    parts = [re.escape(m.surface()) for m in short_units().tokenize(term)]
    if len(parts) < 2:
        return False
    gap = rf"(?:[\u4e00-\u9fff々]{{0,{ABBREVIATION_GAP}}}|の)"
    return re.search(gap.join(parts), text) is not None


_WORD = re.compile(  # 「出資金」「ドローン」, or mixed when longer: 「勤務間インターバル」 (not 「口コミ」)
    r"[\u4e00-\u9fff々]{3,}|[\u30a0-\u30ffー]{3,}|[\u4e00-\u9fff々\u30a0-\u30ffー]{4,}"
)
_NOT_THINGS = ("形状詞可能", "副詞可能", "地名", "人名")  # 「不安定」「最低限」; places elsewhere
_SETTING = re.compile(
    r"が(?:根強|強|弱|大き|高|低|多|少な)(?:い|く)[^、。?？]{0,6}?(?:地域|ところ|所|町|村|市|中|場合)"
)
"""A quality of where the question is set (「住民の抵抗感が強い地域で…」): it says where, not
what the material must name."""


def unheard_words(question: str, vocabulary: Container[str]) -> list[str]:
    """The question's nouns the material never uses (「ドローン」「出資金」「交通費」): a word
    of three or more kanji or katakana, a part of which no passage of the index contains,
    nor the material's term for it (lay_terms.yaml). On the topic but about something the
    material does not know, the question is not answered by it.

    Shorter words and compounds of known parts (「先生」「夜中」「入院先」) are everyday
    paraphrase more often than new things; measured over the judged sets, this rule flags
    9 of the 19 near-domain questions that were still confident, against 3 of 210
    answerable ones (「救急隊」「スマホ」「人件費」)."""
    out: list[str] = []
    q = _norm_words(question)
    material = set(_rules()["material_words"])  # 「スライドではどう言ってる？」: where to look
    for m in _tokenizer().tokenize(q):
        word, pos = m.surface(), m.part_of_speech()
        if pos[0] != "名詞" or pos[1] in ("数詞", "代名詞") or pos[2] in _NOT_THINGS:
            continue
        if _SETTING.match(q, m.end()):  # 「抵抗感が強い地域で」: where, not what is asked
            continue
        if not _WORD.fullmatch(word):
            continue
        if word.startswith("何") or word.endswith(("的", "化")) or word in material:
            continue
        parts = tokenize(word)
        if all(p in vocabulary for p in parts):
            continue
        # the material's term for it, even when that is one of its parts (救急隊 → 救急)
        terms = set(with_material_terms(parts, word)) - set(parts)
        terms |= set(with_material_terms([], word))
        if any(t in vocabulary for t in terms):
            continue
        out.append(word)
    return list(dict.fromkeys(out))


_FOCUS = re.compile(
    r"([\u4e00-\u9fff々\u30a0-\u30ffー]{2,})"
    r"(?:は(?:いつ|どこ|何|なに|どう|ある|あり|いくら|誰|だれ|どちら|どっち|[?？])|が(?:ある|あり|もらえ|出る|つく|[?？])"
    # the question's last predicate: 「傍聴できる？」「訂正してもらえる？」「どんな資格が要る？」
    r"|(?:は|が|を|も)?(?:でき|してもらえ|してくれ|させてもらえ)(?:る|ます)(?:の|か)?[?？]?$"
    r"|が(?:要る|いる|必要)(?:の|か|です)?(?:か)?[?？]?$)"
)
_WHICH = re.compile(r"^(?:どんな|どの|どういう)")
_KIND_OF = re.compile(
    r"(?:どんな|どういう|どのような|どういった|どの)([\u4e00-\u9fff々\u30a0-\u30ffー]{2,})"
    r"(?:や([\u4e00-\u9fff々\u30a0-\u30ffー]{2,}))?"
)


def asked_things(question: str) -> list[str]:
    """What a question asks about, when it is a thing rather than who or an aspect:
    「どんなペナルティがある？」 → ペナルティ, 「報告期限はいつ？」 → 報告期限, and the kind asked
    for: 「どんな資格や経歴の人を充てる？」 → 資格, 経歴 (the material names the coordinator, not
    what qualifies one; measured over the judged sets this flagged 4 more near-domain questions
    and, with 「中身」「仕事」 read as aspects, no answerable one)."""
    generic = set(_rules()["focus_generic"])
    q = _norm(question)
    found = [_WHICH.sub("", m.group(1)) for m in _FOCUS.finditer(q)]
    # 「どの程度増える」: how much, asked of the verb after it
    found += [w for m in _KIND_OF.finditer(q) for w in m.groups() if w and w[:2] != "程度"]
    found = [_without_aspect(w) for w in found]  # 「医療機関側は」: generic, as 医療機関
    return [w for w in dict.fromkeys(found) if len(w) >= 2 and w not in generic]


def unstated_things(question: str, texts: Iterable[str]) -> list[str]:
    """The things the question asks about that none of ``texts`` mentions: by the word, by
    the material's term for an everyday word (lay_terms.yaml), or by the compound's head when
    that is specific (「値段交渉」 is met by 「価格交渉」; 「貸付制度」 is not met by 「制度」)."""
    things = asked_things(question)
    text = _norm("\n".join(texts))
    out = [w for w in things if w not in text]
    if not out:
        return []
    generic = set(_rules()["focus_generic"])
    alternatives: dict[str, set[str]] = {}
    for w in out:
        own = tokenize(w)
        alt = set(with_material_terms(own, w)) - set(own)
        if len(own) >= 2 and len(own[-1]) >= 2 and own[-1] not in generic:
            alt.add(own[-1])
        alternatives[w] = alt
    if not any(alternatives.values()):
        return out
    tokens = set(tokenize(text))  # only when some word has an alternative
    return [w for w in out if not alternatives[w] & tokens]


def unmet(constraints: Iterable[Constraint], texts: Iterable[str]) -> list[Constraint]:
    """The constraints that none of ``texts`` meets."""
    normed = [_norm(t) for t in texts]
    return [c for c in constraints if not any(c.met_by(t) for t in normed)]


TOP_CONSTRAINED = 5
TOP_TERMS = 10


def _origin(hit: SearchHit) -> str:
    """Where a passage is from: its case's place, the survey's respondent, the document."""
    md = hit.metadata
    where = (md.get("location"), md.get("prefecture"), md.get("respondent"), hit.case_name)
    return "\n".join([hit.doc_title, *(str(w) for w in where if w)])


def _context(hit: SearchHit) -> str:
    """What a passage states, with where it is from (a case's place is in its metadata) and,
    for a survey answer, the question it answers (「…問合せで多い内容」: 「症状に応じた
    診療科を紹介してほしい」 states what is asked most, without saying so), and for a footnote the
    word it defines (「在宅療養後方支援病院」: its text says only 「…受け入れる病院のこと」)."""
    question = hit.metadata.get("question_text") if hit.metadata.get("respondent") else None
    defines = hit.metadata.get("defines") or ""
    return "\n".join([hit.text, _origin(hit), question or "", defines])


def at_places(question: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The hits from or about every place the question asks about, and none from a place it
    excludes (all of them when it names none): 「大阪府では…」 is answered by 大阪府's
    material, 「松本市以外で…」 by anyone's but 松本市's."""
    asked, excluded = named_places(question)
    places = [Constraint("place", p) for p in asked]
    out = [h for h in hits if not unmet(places, [_context(h)])]
    if excluded:
        gone = {v for e in excluded for v in _place_variants(e)}
        out = [h for h in out if not any(v in _norm(_origin(h)) for v in gone)]
    return out


def missing(
    question: str,
    hits: Sequence[SearchHit],
    common: frozenset[str] = frozenset(),
    vocabulary: Container[str] | None = None,
    said: Callable[[str], bool] | None = None,
) -> list[str]:
    """What the question names that the top passages do not state (empty: nothing missing).

    Places, numbers, terms of art and the kind of value asked are checked against the first
    passages; unknown compounds against a few more, as the answer may sit a little lower.
    ``common``: the material's everyday words (see :func:`question_constraints`);
    ``vocabulary``: every word of the index (see :func:`unheard_words`; None: not checked);
    ``said``: whether the material states a compound anywhere (see :func:`stated_in`): one it
    does (「体調急変時」「人工呼吸器」) is the search's to find lower, not a thing it lacks.
    """
    if not hits:
        return []
    near = [_norm(_context(h)) for h in hits[:TOP_CONSTRAINED]]
    constraints = question_constraints(question, common)
    places = [c for c in constraints if c.kind == "place"]
    # a value or a year asked of a place is stated by that place's passages: 秋田県's 4.2件/日
    # does not say how many calls 沖縄県's #8000 takes, nor 福岡市's 2040年 新居浜's projection
    placed = [t for t in near if all(c.met_by(t) for c in places)]
    out = [
        c.label
        for c in constraints
        if not any(c.met_by(t) for t in (placed if c.kind in ("value", "number") else near))
    ]
    wider = [_context(h) for h in hits[:TOP_TERMS]]
    unknown = [t for t in unknown_terms(question, wider) if said is None or not said(t)]
    out += [f"「{t}」の記述" for t in unknown]
    out += [f"「{t}」の記述" for t in unstated_things(question, wider)]
    if vocabulary is not None:
        out += [f"「{t}」の記述" for t in unheard_words(question, vocabulary)]
    return list(dict.fromkeys(out))
