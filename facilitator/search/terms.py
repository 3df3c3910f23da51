"""The words a question names that the material must know: compounds and terms of art
(「紹介受診重点医療機関」), nouns it never uses (「ドローン」「G-MIS」) and the thing asked about
(「どんなペナルティがある？」). :mod:`~facilitator.search.answerability` checks them, with the
question's places, numbers and value kinds, against the top passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from functools import cache, lru_cache

import yaml
from sudachipy import Dictionary, SplitMode

from facilitator.search.lexical import (
    Vocabulary,
    material_words,
    short_units,
    tokenize,
    with_material_terms,
)
from facilitator.settings import PACKAGE_DATA
from facilitator.text import nfkc

RULES_FILE = PACKAGE_DATA / "answer_constraints.yaml"
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]{4,}")


@cache
def constraint_rules() -> dict:
    """The rules of answer_constraints.yaml (terms, value kinds, everyday words)."""
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def long_units():  # type: ignore[no-untyped-def]
    """Sudachi in its longest units: compounds and place names whole."""
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def norm(text: str) -> str:
    """NFKC without spaces: how a question and a passage are compared. Circled numbers stay
    as written (as in the index, see facilitator.text): 「②在宅医療において…」 labels a
    section and 「①~④の機能」 lists functions; read as 2 and 1~4 they were counts."""
    return nfkc(text).replace(" ", "").replace("\u3000", "")


def norm_words(question: str) -> str:
    """A question normalised with its spaces kept as breaks: 「救急隊 通報時 持病」 is three
    words typed apart, not the compound 「救急隊通報時持病」 that no passage contains."""
    return "、".join(norm(w) for w in re.split(r"[\s\u3000]+", question) if w)


def _without_elsewhere(run: str) -> str:
    """A kanji run without a trailing ``elsewhere`` word (「大阪府以外」 → 「大阪府」) or a word
    naming the material itself (「自治体回答」 → 「自治体」: where to look, not what is asked)."""
    for word in constraint_rules()["elsewhere"] + constraint_rules()["material_words"]:
        run = run.removesuffix(word)
    return run


def _without_adverb(run: str) -> str:
    """A kanji run without a leading word of time or degree: 「将来在宅医療を担う」 says when,
    then names 在宅医療; 「一番不安定」 says how much (neither is a term to find)."""
    for word in constraint_rules()["adverbs"]:
        if run.startswith(word) and len(run) > len(word):
            return run.removeprefix(word)
    return run


_BETWEEN = re.compile(
    r"(法人|機関|病院|施設|職種|事業所|団体|市町村|地域|診療所|部局|部署|部門)(?:間|同士|どうし)$"
)


def _without_aspect(word: str) -> str:
    """「医療機関側」 is 医療機関: a side of who is named, not another thing or term;
    「テーマ別」 is テーマ: what things are sorted by; 「医師会単位」 is 医師会: the level at
    which something is done; 「参加法人間」「参加法人同士」 are 参加法人: what lies between
    those named; 「自宅療養中」 is 自宅療養 and 「医療崩壊寸前」 医療崩壊: when, not another thing; 「疾病管理面」
    is 疾病管理: an aspect of it; 「研修上」 is 研修, in that respect; 「方策例」 is 方策: an example
    of it."""
    if len(word) <= 2:
        return word
    word = _BETWEEN.sub(r"\1", word)
    if word.endswith("中") and word[-2:] not in _NOT_DURING:  # 「自宅療養中」 is 自宅療養
        word = word[:-1]
    # 「医療崩壊寸前」: 医療崩壊; 「四日市周辺」: 四日市
    # 「症状悪化時」: 症状悪化; 「国保加入者向け」: 国保加入者
    for suffix in (
        "単位",
        "側",
        "別",
        "時",
        "向",
        "寸前",
        "直前",
        "直後",
        "周辺",
        "近辺",
        "付近",
        "一帯",
    ):
        word = word.removesuffix(suffix) or word
    rules = constraint_rules()
    # 「疾病管理面」「研修上」「方策例」, but not the words of their own each list names
    # (「書面」「以上」「記入例」) nor an aspect asked as such (「先行例」 asks for precedents)
    for suffix, own_words, shortest in _ASPECT_SUFFIXES:
        if (
            len(word) >= shortest
            and word.endswith(suffix)
            and not word.endswith(tuple(rules[own_words]))
            and word not in rules["focus_generic"]
        ):
            word = word[:-1]
    return word


_ASPECT_SUFFIXES = (("面", "faces", 3), ("上", "above", 3), ("例", "examples", 3))
"""A one-character suffix saying an aspect of the word before it, the list in
answer_constraints.yaml of words that end so but are things of their own, and the shortest
word it is taken from."""


_NOT_DURING = ("日中", "途中", "集中", "最中", "市中", "年中", "空中", "水中", "背中")


_EXAMPLE = re.compile(r"など|等の|のような|のように|みたいな|といった")
"""A compound followed by these is an example of what is meant (「人工呼吸器などが必要な子ども」
「新型コロナや大規模災害のような非常時」): the material may name another example of it."""


def unknown_terms(question: str, known: Iterable[str]) -> list[str]:
    """Compounds of the question that no ``known`` text contains: a long kanji compound
    (5+ characters: 「紹介受診重点医療機関」) or one built on a term of art (「深夜加算」).
    Shorter everyday compounds (「画像検査」「病院同士」) and katakana words (「パソコン」
    「喫茶スペース」: tried, they are paraphrase more often than terms) are left to similarity."""
    text, q = norm("\n".join(known)), norm_words(question)
    terms = constraint_rules()["terms"]
    # 「大阪府以外」: no term; 「一番不安定」: an adverb, then an everyday word; 「医療機関側」: a side
    # 「看護師何人で」: a word, then what is asked about it; 「事務的支援」: 〜的 qualifies 支援 (measured:
    # 2 answerable rows confident, and 「具体的要件」 of one near-domain row no longer unknown)
    verbs = _verb_starts(q)
    runs = [
        _without_aspect(_without_elsewhere(_without_adverb(t)))
        for m in _KANJI_RUN.finditer(q)
        if not _EXAMPLE.match(q, m.end())
        for t in re.split(r"何[\u4e00-\u9fff]?|的", q[m.start() : _noun_end(m, verbs)])
    ]
    found = [t for t in runs if len(t) >= 5 or any(w in t for w in terms)]
    found += named_documents(q)
    states = stated_in([text])
    # 「臨床研修医」: a doctor in the 臨床研修 the material names
    return [
        t
        for t in dict.fromkeys(found)
        if not states(t) and not (len(t) >= 5 and t.endswith("医") and states(t[:-1]))
    ]


def _verb_starts(q: str) -> set[int]:
    """Where a verb or adjective written with a kanji begins (「求められる」「難しい」)."""
    return {
        m.begin()
        for m in long_units().tokenize(q)
        if m.part_of_speech()[0] in ("動詞", "形容詞") and "\u4e00" <= m.surface()[:1] <= "\u9fff"
    }


def _noun_end(run: re.Match[str], verbs: set[int]) -> int:
    """Where a run of kanji stops being a compound: 「医療計画上求められる」 is 医療計画上, then
    a verb (「医療計画上求」 was taken for a term the material lacks)."""
    return min((b for b in verbs if run.start() < b < run.end()), default=run.end())


_NOUN_RUN = r"[\u4e00-\u9fff々\u30a0-\u30ffー]{2,}"
NOUN_RUN = re.compile(_NOUN_RUN)
"""A run of kanji and katakana: a noun (a verb's dictionary form ends in kana: 開く, 増える)."""
_AS_SOURCE = r"(?=では|で[定決示規]|によ|に基づ|に[書記]|上[はのでも]|の中で)"
"""Cited as a source (「指針では」「指針に基づく」), not used (「手引きで情報を引き継ぐ例」)."""


def named_documents(question: str) -> list[str]:
    """Documents a question cites by their subject, as one compound: 「オンライン診療の指針では」
    → オンライン診療指針 (stated by 「オンライン診療の指針」 too, see :func:`_shortened`). The
    material having オンライン診療 and some 指針 does not make it have that 指針. Only a
    document cited as a source (では, によると, に基づく…): one a case made (「対応マニュアルを
    作成した例」) is the casebook's, in its own words."""
    issuers = set(constraint_rules()["issuers"])
    return [
        subject + kind
        for subject, kind in _citation().findall(norm(question))
        if subject not in issuers
    ]


@cache
def _citation() -> re.Pattern[str]:
    """A subject, then a kind of document (answer_constraints.yaml), cited as a source."""
    kinds = sorted(constraint_rules()["documents"], key=len, reverse=True)
    return re.compile(rf"({_NOUN_RUN})の?({'|'.join(map(re.escape, kinds))}){_AS_SOURCE}")


def stated_in(texts: Iterable[str]) -> Callable[[str], bool]:
    """A test of whether ``texts`` state a compound, as written, shortened (:func:`_shortened`)
    or in the material's own word for it (lay_terms.yaml: 事業継続計画 is BCP)."""
    text = norm("\n".join(texts))
    lowered = text.lower()  # the index's words are lower case

    def states(term: str) -> bool:
        own = (norm(alt) for alt in with_material_terms([], term))
        return (
            term in text
            or _shortened(term, text)
            or _overlapped(term, text)
            or any(w in lowered for w in own)
            or any(other in text for other in _same_kind(term))
            or any(v in text or _shortened(v, text) for v in _in_material_words(term))
            or any(short in text for short in _short_head(term))
            or any(states(stem) for stem in _loose_stem(term))
        )

    return states


def _in_material_words(term: str) -> list[str]:
    """The compound with an everyday part said in the material's word (lay_terms.yaml:
    「担当部署同士」 is the slides' 「担当部局同士」)."""
    return [
        term.replace(part, word)
        for part in dict.fromkeys(tokenize(term))
        if part in term
        for word in material_words(part)
    ]


def _same_kind(term: str) -> list[str]:
    """The compound with its head said in another word for the same kind of facility
    (answer_constraints.yaml: 「小児科診療所」 is 「小児科医院」) or in the wider word covering it
    (「参加診療所」 is among the 「参加医療機関」); none for the bare word."""
    rules = constraint_rules()
    out: list[str] = []
    for words in rules["same_kind"]:
        out += [term[: -len(h)] + w for h in words if _headed(term, h) for w in words if w != h]
    for wider, kinds in rules["broader"].items():
        out += [term[: -len(h)] + wider for h in kinds if _headed(term, h)]
    return out


def _short_head(term: str) -> list[str]:
    """The compound with its head written short (answer_constraints.yaml: 「当番医体制」 is
    「当番医制」); none when fewer than two characters come before the head."""
    return [
        stem + short
        for head, short in constraint_rules()["short_heads"].items()
        if (stem := _before_head(term, head))
    ]


def _loose_stem(term: str) -> list[str]:
    """The compound without a head that only says "the work of" it (answer_constraints.yaml:
    「補助金事業」 is 補助金's); none when fewer than two characters come before the head."""
    return [
        stem for head in constraint_rules()["loose_heads"] if (stem := _before_head(term, head))
    ]


def _before_head(term: str, head: str) -> str:
    """What comes before ``head`` in the compound, when it ends so and at least two characters
    come before it (「当番医」 of 「当番医体制」); empty otherwise."""
    return term[: -len(head)] if term.endswith(head) and len(term) - len(head) >= 2 else ""


def _headed(term: str, head: str) -> bool:
    return term.endswith(head) and len(term) > len(head)


OVERLAP_CHARS = 2


def _overlapped(term: str, text: str) -> bool:
    """Two of the text's words run together on the part they share: 「在宅医療法人」 is
    在宅医療 and 医療法人 (sharing 医療), a medical corporation doing home care. Words merely
    set side by side (「歯科診療所」: 歯科, 診療所) share nothing and are a new term."""
    n = len(term)
    for i in range(1, n - OVERLAP_CHARS):
        for j in range(i + OVERLAP_CHARS, n):
            head, tail = term[:j], term[i:]
            if len(head) >= 3 and len(tail) >= 3 and head in text and tail in text:
                return True
    return False


ABBREVIATION_GAP = 2


_BY = "をもって|による|によって|に基づく|に基づいた"
"""Between a compound's parts, says how the second is done (「書面連携」 is 「書面をもって連携」)."""


def _shortened(term: str, text: str) -> bool:
    """A compound the text has with a short part left out: 「夜間電話相談」 for 「夜間救急電話
    相談窓口」, 「郡市医師会」 for 「郡市区医師会」, 「在宅支援者」 for 「在宅の支援者」, 「在宅高齢者」
    for 「在宅療養中の高齢者」, 「現場滞在時間」 for 「現場での滞在時間」 — the question's parts in
    order, at most ``ABBREVIATION_GAP`` kanji between two of them, or one more and a 「の」,
    「での」 or 「における」, or a word of means (「書面連携」: 「書面をもって連携」, :data:`_BY`)."""
    parts = [re.escape(m.surface()) for m in short_units().tokenize(term)]
    if len(parts) < 2:
        return False
    kanji = r"[\u4e00-\u9fff々]"
    gap = rf"(?:{kanji}{{0,{ABBREVIATION_GAP}}}|{kanji}{{0,{ABBREVIATION_GAP + 1}}}(?:の|での|における)|{_BY})"
    return re.search(gap.join(parts), text) is not None


_WORD = re.compile(  # 「出資金」「ドローン」, or mixed when longer: 「勤務間インターバル」 (not 「口コミ」)
    r"[\u4e00-\u9fff々]{3,}|[\u30a0-\u30ffー]{3,}|[\u4e00-\u9fff々\u30a0-\u30ffー]{4,}"
)
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9](?![A-Za-z0-9])")
_NOT_THINGS = ("形状詞可能", "副詞可能", "地名", "人名")  # 「不安定」「最低限」; places elsewhere
LACKING = re.compile(
    r"(?:の(?:当て|あて|目処|めど))?(?:が|も)(?:ない|無い|なく|足りな|不足|つかな|取れな)"
)
"""After a thing, says the asker lacks it (「予算がない」「人件費の当てがない」): their situation,
not what the answer must name."""
_SETTING = re.compile(  # 「住民の抵抗感が強い地域で…」: says where, not what must be named
    r"が(?:根強|強|弱|大き|高|低|多|少な)(?:い|く)[^、。?？]{0,6}?(?:地域|ところ|所|町|村|市|中|場合)"
)


def unheard_words(question: str, vocabulary: Vocabulary | Collection[str]) -> list[str]:
    """The question's nouns the material never uses (「ドローン」「出資金」「G-MIS」): a word of
    three or more kanji or katakana, or in Latin letters, that the material does not know
    (:func:`_known`). On the topic but about something else, the question is not answered.
    Shorter words and compounds of known parts (「先生」「夜中」「入院先」) are paraphrase
    more often than new things (when added, this rule flagged 9 of the 19 near-domain
    questions still confident, against 3 of 210 answerable ones)."""
    out: list[str] = []
    if not isinstance(vocabulary, Vocabulary):  # a plain set of words
        vocabulary = Vocabulary(vocabulary)
    q = norm_words(question)
    rules = constraint_rules()
    # 「スライドではどう言ってる？」: where to look; 「補助メニュー」: the things listed, not a thing
    not_things = set(rules["material_words"]) | set(rules["listing"])
    units = list(long_units().tokenize(q))
    for m, after in zip(units, [*units[1:], None], strict=True):
        word, pos = m.surface(), m.part_of_speech()
        if pos[0] != "名詞" or pos[1] in ("数詞", "代名詞") or pos[2] in _NOT_THINGS:
            continue
        # 「一段落した」: a state said with する; an action noun (「ログインする」) stays a thing
        if after is not None and after.dictionary_form() == "する" and pos[2] != "サ変可能":
            continue
        if _SETTING.match(q, m.end()) or LACKING.match(q, m.end()):  # where; what is lacking
            continue
        if not _WORD.fullmatch(word):
            continue
        if word.startswith("何") or word.endswith(("的", "化")) or word in not_things:
            continue
        if not _known(word, tokenize(word), vocabulary):
            out.append(word)
    for m in _LATIN.finditer(q):
        if not _known(m.group(), [p for p in tokenize(m.group()) if len(p) >= 2], vocabulary):
            out.append(m.group())  # (tokenize: FAX is ファックス)
    return list(dict.fromkeys(out))


_KATAKANA = re.compile(r"[\u30a0-\u30ffー]{3,}")


def _known(word: str, parts: list[str], vocabulary: Vocabulary) -> bool:
    """Whether the material uses every part of ``word`` (a katakana part also as the start of
    a longer word: 「ロールプレイ」 is said 「ロールプレイング」), or its own term for the word,
    even when that is one of its parts (lay_terms.yaml: 救急隊 → 救急)."""
    if all(p in vocabulary or _cut_short(p, vocabulary) for p in parts):
        return True
    terms = set(with_material_terms(parts, word)) - set(parts)
    terms |= set(with_material_terms([], word))  # may be a part: 救急隊 → 救急
    return any(t.lower() in vocabulary for t in terms)


def _cut_short(part: str, vocabulary: Vocabulary) -> bool:
    """A katakana word said by its start (「プレイ」 of プレイング): Japanese shortens them so."""
    return bool(_KATAKANA.fullmatch(part)) and vocabulary.has_word_starting(part)


_FOCUS = re.compile(
    r"([\u4e00-\u9fff々\u30a0-\u30ffー]{2,})"
    r"(?:(?:は(?:いつ|どこ|何|なに|どう|ある|あり|いくら|誰|だれ|どちら|どっち|[?？])"
    r"|が(?:ある|あり|もらえ|出る|つく|[?？]))"
    # 「関心はあるものの…」「不安がある医師を…」: a clause, or what qualifies a noun
    r"(?!ものの|もの[がの]|けど|けれど|のに|ので|ながら|つつ|[\u4e00-\u9fff々])"
    # the question's last predicate: 「傍聴できる？」「訂正してもらえる？」「どんな資格が要る？」
    r"|(?:は|が|を|も)?(?:でき|してもらえ|してくれ|させてもらえ)(?:る|ます)(?:の|か)?[?？]?$"
    r"|が(?:要る|いる|必要)(?:の|か|です)?(?:か)?[?？]?$)"
)
_WHICH = re.compile(r"^(?:どんな|どの|どういう)")
_ROLE = re.compile(r"(?:誰|だれ|どなた)が([\u4e00-\u9fff々]{2,})を(?:務め|つとめ|担当|担)")
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
    rules = constraint_rules()
    # 「…支援しているという回答はありますか」: where to look (material_words), not a thing
    generic = set(rules["focus_generic"]) | set(rules["material_words"])
    q = norm(question)
    found = [_WHICH.sub("", m.group(1)) for m in _FOCUS.finditer(q)]
    found += _ROLE.findall(q)  # 「誰が座長を務める？」: the 座長
    # 「どの程度増える」: how much, asked of the verb after it
    found += [w for m in _KIND_OF.finditer(q) for w in m.groups() if w and w[:2] != "程度"]
    found = [_without_aspect(w) for w in found]  # 「医療機関側は」: generic, as 医療機関
    # 「どんな実利的なメリット」: 〜的 qualifies the thing asked (here generic), it is none
    return [
        w for w in dict.fromkeys(found) if len(w) >= 2 and w not in generic and not w.endswith("的")
    ]


_HOW = ("方法", "仕方", "やり方")
"""A head asking how (「支給方法」), not for a thing of its own (「報告システム」 is one)."""


def unstated_things(
    question: str, texts: Iterable[str], common: frozenset[str] = frozenset()
) -> list[str]:
    """The things the question asks about that none of ``texts`` mentions: by the word, by
    the material's term for an everyday word (lay_terms.yaml), or by the compound's head when
    that is specific (「値段交渉」 is met by 「価格交渉」; 「貸付制度」 is not met by 「制度」)."""
    things = asked_things(question)
    text = norm("\n".join(texts))
    # 「届出先はどこ？」: where to is told by 「地方厚生局に届出」
    out = [w for w in things if w not in text and not (w.endswith("先") and f"に{w[:-1]}" in text)]
    if not out:
        return []
    generic = set(constraint_rules()["focus_generic"])
    loose = constraint_rules()["loose_heads"]
    alternatives: dict[str, set[str]] = {}
    for w in out:
        own = tokenize(w)
        alt = set(with_material_terms(own, w)) - set(own) | set(material_words(own[-1]))
        if len(own) >= 2 and len(own[-1]) >= 2 and own[-1] not in generic:
            alt.add(own[-1])
        # 「どういう支給方法で」: the 方法 of 支給, told where a passage says how it is 支給;
        # 「終了理由」 where it says why it ended (「…が困難であったことから終了した」); and
        # asked 「どのような支援体制」, where it says how it supports (asked for, 体制 is an
        # aspect, as the loose_heads are)
        if len(own) == 2 and len(own[0]) >= 2 and own[-1] in (*_HOW, "理由", "体制", *loose):
            alt.add(own[0])
        alternatives[w] = alt
    stated_as = constraint_rules()["stated_as"]

    def laid_down(w: str) -> bool:
        """A condition stated as one (「…地域設定にあたっては、必ず1つ以上の「積極的医療機関」を
        含むものとする」) in a sentence on the question's own subject, not anywhere."""
        if w not in stated_as:
            return False
        subject = {t for t in tokenize(question) if len(t) >= 2 and t not in common} - {w}
        return any(
            any(f in s for f in stated_as[w]) and subject & set(tokenize(s))
            for s in re.split(r"[。\n]", text)
        )

    if not any(alternatives.values()):
        return [w for w in out if not laid_down(w)]
    tokens = set(tokenize(text))  # only when some word has an alternative
    several = {a for alts in alternatives.values() for a in alts if len(tokenize(a)) > 1}

    def met(alt: str) -> bool:  # a term of several words (「参加者」 for メンバー) as written
        return alt in tokens or (alt in several and norm(alt) in text)

    return [w for w in out if not any(met(a) for a in alternatives[w]) and not laid_down(w)]
