"""Orderings a question's form asks for, applied to the fused ranking: the document it names,
a time of year when asked when, the example sheets' fields asked for, the answers most
respondents give when asked what is common among a survey question's answers, the list of
what is required of someone when asked for it, and a process's numbered steps when asked how
it proceeds. Also the guideline before a local copy of it, and no cap on the passages of a
case at a place the question names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from weakref import WeakKeyDictionary

from facilitator.corpus.chunks import Chunk
from facilitator.search.answerability import origin
from facilitator.search.constraints import named_places, place_variants
from facilitator.search.fusion import lift_asked_fields, reweight
from facilitator.search.index import IndexStore
from facilitator.search.intent import (
    ACTING,
    TIME,
    asked_sheet_fields,
    asks_for_a_list,
    asks_for_steps,
    asks_what_is_common,
    asks_when,
    named_document_words,
    wants_precedents_only,
)
from facilitator.search.lexical import tokenize
from facilitator.text import EXCERPT, sentences, step_lines

WHEN_BOOST = 1.3
"""Asked when (「協議の場はいつ開くの？」), a passage stating a time of year weighs this much more:
the schedule ranked ninth under passages about the 協議の場 itself, so no answer could quote it
and the question was flagged. At 1.15 the schedule passage reached the top five but below the
council paper's other passages."""
NAMED_DOCUMENT_BOOST = 1.2
"""Asked what 「ガイドライン」 says, its passages weigh this much more than the same text
quoted in a local document (the 新居浜・西条 paper copies the guideline's example sheets word
for word, and its copy ranked first)."""
LIFT_TOP = 10
"""How deep a passage of the form asked for (a list of what is required, numbered steps) is
looked for before it takes the first place: the candidates a person sees on one page."""
COMMON_TOP = 10
"""The places reordered when asked what is common, and where the survey question asked
about is recognised: it has at least :data:`COMMON_SHOWN` answers there."""
COMMON_SHOWN = 3
SPECIFIC_SHARE = 0.25
"""A word of the question that fewer than this share of the answers use, and that the rest
of the material hardly uses (「セカンドオピニオン」), names which answers are meant: then
the question asks about those, not about what is common."""


def what_is_asked_first(
    fused: list[tuple[str, float]], q: str, store: IndexStore, common: frozenset[str]
) -> list[tuple[str, float]]:
    """Asking what a document says: a time of year when asked when (:data:`WHEN_BOOST`), the
    example sheets' fields asked for (「どんな方策が…」) before the fields that restate it, the
    common answers of a survey question (:func:`common_answers_first`), the list of what is
    required of someone (:func:`required_list_first`). ``common``: the material's everyday
    words. Then, whatever is asked, the guideline before a local copy of it
    (:func:`originals_first`)."""
    return originals_first(_document_orderings(fused, q, store, common), q, store)


def _document_orderings(
    fused: list[tuple[str, float]], q: str, store: IndexStore, common: frozenset[str]
) -> list[tuple[str, float]]:
    if wants_precedents_only(q):
        return fused
    when = asks_when(q)
    if when:
        fused = reweight(fused, lambda c: WHEN_BOOST if TIME.search(store.by_id[c].text) else 1.0)
    fields = asked_sheet_fields(q)
    if fields:
        fused = lift_asked_fields(
            fused, store.sheet_members, lambda c: store.by_id[c].metadata.get("field") in fields
        )
    if asks_what_is_common(q):
        fused = common_answers_first(fused, q, store)
    if asks_for_a_list(q):
        fused = required_list_first(fused, q, store, common)
    if asks_for_steps(q) and not when:  # 「いつ頃公表する段取り？」: the schedule's times
        fused = steps_first(fused, store)
    return fused


NAMED_PLACE_BOOST = 1.5
"""Asked of a place (「柏のやり方だと…まず誰が来てくれるの？」), passages from there (a case
located there, a survey answer of that prefecture, a document titled with it) weigh this much
more. The place's word itself counts at :data:`~facilitator.search.searcher.PLACE_WEIGHT` in
the lexical score, so it does not buy a passage that merely mentions it. Over the 2,898 judged
rows, 1.2 lifted 20 rows and lowered none, 1.5 lifted 22 and lowered 3 (nDCG summed +2.3),
2.0 lowered 5."""


def _asked_places(q: str) -> list[str]:
    """Every way a place the question asks about is written (「松本市」, 「松本」)."""
    return [v for p in named_places(q)[0] for v in place_variants(p)]


def _of_place(chunk: Chunk, places: list[str], acting: list[str]) -> bool:
    """A passage of the place: a survey answer or a paper of that prefecture, a document titled
    with it, a case located there. A case in a city of a prefecture that the question names
    as acting is not the prefecture's: 「福井県は組織上どんな工夫をした？」 asks what the
    prefecture did (the slides), not a 福井県越前市 hospital (事例12); 「佐賀県の病院で…」 asks
    about a hospital there."""
    if chunk.locator.case_id is not None:
        where = str(chunk.metadata.get("location") or "")
        return any(
            p in where and not (p in acting and where.split(p, 1)[1][:1] not in ("", "全", "("))
            for p in places
        )
    if EXCERPT.match(chunk.text):
        return False
    return any(p in origin(chunk) for p in places)


def named_first(
    fused: list[tuple[str, float]], q: str, store: IndexStore
) -> list[tuple[str, float]]:
    """The document a question names (「ガイドラインではどう示されている？」:
    :data:`NAMED_DOCUMENT_BOOST`) and the place it asks about (:data:`NAMED_PLACE_BOOST`)
    first. Re-sorting, so before the orderings that do not sort by score."""
    documents = named_document_words(q)
    places = _asked_places(q)
    if not documents and not places:
        return fused
    acting = [
        v
        for p in named_places(q)[0]
        if re.search(re.escape(p) + ACTING, q)
        for v in place_variants(p)
    ]

    def weight(cid: str) -> float:
        chunk = store.by_id[cid]
        document = NAMED_DOCUMENT_BOOST if any(w in chunk.doc_title for w in documents) else 1.0
        return document * (NAMED_PLACE_BOOST if _of_place(chunk, places, acting) else 1.0)

    return reweight(fused, weight)


COPY_SHARE = 0.8
"""Share of a passage's character pairs found in a guideline passage for it to be a copy:
the 新居浜・西条 paper's 「【方策②】…」 against the guideline's 「方策2:…協力医療機関20の…」
(numbering and footnote marks differ)."""
_NUMBERING = re.compile(r"[【】\[\]()（）:：\s\d①-⑳]")


def _pairs(text: str) -> set[str]:
    bare = _NUMBERING.sub("", text)
    return {bare[i : i + 2] for i in range(len(bare) - 1)}


def originals_first(
    fused: list[tuple[str, float]], q: str, store: IndexStore
) -> list[tuple[str, float]]:
    """A local paper quoting the guideline word for word (the 新居浜・西条 paper copies its
    example sheets) is cited by the source: the guideline passage takes the copy's place among
    the first :data:`LIFT_TOP` and score, the copy the guideline's. Not when the question
    names a place in the local paper's title (「新居浜・西条圏域の協議の場では…」). Last: the
    guideline's copy, with its footnote marks, is a little less like the question sentence by
    sentence, and swapped before :func:`~facilitator.search.fusion.lift_by_sentence` it fell
    below a case for 「入退院支援 後方支援病床 空床情報 共有 方策」."""
    places = named_places(q)[0]
    local = [
        i
        for i, (cid, _) in enumerate(fused[:LIFT_TOP])
        if store.by_id[cid].doc_kind == "local"
        and not any(place in store.by_id[cid].doc_title for place in places)
    ]
    if not local:
        return fused
    guideline = [
        (i, _pairs(store.by_id[cid].text))
        for i, (cid, _) in enumerate(fused[: 5 * LIFT_TOP])
        if store.by_id[cid].doc_kind == "guideline"
    ]
    order = [cid for cid, _ in fused]
    scores = [s for _, s in fused]
    for i in local:
        own = _pairs(store.by_id[order[i]].text)
        for j, theirs in guideline:
            shared = len(own & theirs) / max(1, min(len(own), len(theirs)))
            if j > i and shared >= COPY_SHARE:
                order[i], order[j] = order[j], order[i]
                guideline = [(k, p) for k, p in guideline if k != j]
                break
    return list(zip(order, scores, strict=True))


def steps_first(fused: list[tuple[str, float]], store: IndexStore) -> list[tuple[str, float]]:
    """「協議の場って、どういう順番で話を進めるの？」: the first passage among the candidates
    that numbers the steps of a process (①②③…, :func:`~facilitator.text.step_lines`) takes the
    first place. Four judged questions gain (k110 0.14 → 0.44: its 原因 and 対策 had lifted
    an example sheet's fields), none loses; asked when as well (「いつ頃公表する段取り？」) it
    is the schedule's times that answer."""
    return _first_place(fused, lambda cid: bool(step_lines(sentences(store.by_id[cid].text))))


def _first_place(
    fused: list[tuple[str, float]], fits: Callable[[str], bool]
) -> list[tuple[str, float]]:
    """The first of the :data:`LIFT_TOP` candidates that ``fits`` moves to the first place,
    taking the first score (a meeting answer reads scores as shares of the first); the rest
    keep their order."""
    for i, (cid, _) in enumerate(fused[:LIFT_TOP]):
        if fits(cid):
            return [(cid, fused[0][1]), *fused[:i], *fused[i + 1 :]] if i else fused
    return fused


_REQUIRED_HEADING = re.compile(r"^[^。\n]{0,60}(?:求められる(?:事項|こと)|の要件)$")
REQUIRED_SHARED = 2
"""Words (2+ characters, not the material's everyday ones) a heading of requirements shares
with the question, to be about its subject: 「連携を担う拠点に求められる事項」 is about 連携 and
拠点, not about 在宅 and 医療, which its neighbour 「積極的役割を担う医療機関に求められる事項」
also has. At 1, questions on the 協力医療機関 (sharing 医療機関 and 求める) got that neighbour."""


def required_list_first(
    fused: list[tuple[str, float]], q: str, store: IndexStore, common: frozenset[str]
) -> list[tuple[str, float]]:
    """「連携の拠点って何をするところ？」: the passage headed by what is required of the subject
    asked (「② 在宅医療に必要な連携を担う拠点に求められる事項」) lists it; it ranked eighth,
    under the 指針's paragraph placing the 拠点 and the overview slides. It takes the first
    place. Over the judged guideline questions nDCG@10 0.684 → 0.689 (9 gain; af12 and al28,
    asking also who may be one, which the 指針's paragraph says, lose)."""
    words = {t for t in tokenize(q) if len(t) >= 2 and t not in common}

    def headed_by_it(cid: str) -> bool:
        head = store.by_id[cid].text.split("\n", 1)[0].strip()
        return bool(_REQUIRED_HEADING.match(head)) and (
            len(words & set(tokenize(head))) >= REQUIRED_SHARED
        )

    return _first_place(fused, headed_by_it)


def common_answers_first(
    fused: list[tuple[str, float]], q: str, store: IndexStore
) -> list[tuple[str, float]]:
    """「住民からの問い合わせで多いのはどんな内容？」: every answer of that survey question shares
    the question's words, so similarity orders them at random; the answers whose words most
    other answers also use (何科を受診すればよいか, 休日・夜間に受診できる医療機関) take their
    places, each place keeping its score. Only answers among the candidates: a filter holds.
    The survey question asked is the one whose own words the question uses most (「問い合わせ
    …多い」 is ④ 「…問合せで多い内容」, though ③'s answers on 「医療のかかり方」 came up more),
    among those with :data:`COMMON_SHOWN` answers in the first places."""
    head = [(cid, score, _survey_question(store.by_id[cid])) for cid, score in fused[:COMMON_TOP]]
    counts = Counter(a for _, _, a in head if a)
    shown = [g for g, n in counts.items() if n >= COMMON_SHOWN]
    if not shown:
        return fused
    words = set(tokenize(q))
    texts = {a: store.by_id[cid].metadata.get("question_text", "") for cid, _, a in head if a}

    def named(group: tuple[str, int]) -> float:  # the question's words its survey question uses
        return sum(store.lexical.idf.get(w, 0.0) for w in words & set(tokenize(texts[group])))

    group = max(shown, key=lambda g: (named(g), counts[g]))
    shares, used_by = _commonness(store, group)
    if _names_some_answers(q, used_by, len(shares), store):
        return fused
    found = {cid for cid, _ in fused}  # the candidates: within the search's filters
    common = sorted(found & shares.keys(), key=lambda cid: (-shares[cid], cid))
    # the survey answers' places: that question's answers first, then the other questions'
    fill = iter(common + [cid for cid, _, a in head if a and a != group])
    out = [(next(fill) if a else cid, score) for cid, score, a in head]
    placed = {cid for cid, _ in out}
    return out + [(cid, score) for cid, score in fused if cid not in placed]


def _survey_question(chunk: Chunk) -> tuple[str, int] | None:
    """The survey question a respondent's answer answers (None: not an answer)."""
    question = chunk.metadata.get("question")
    if chunk.respondent and question:
        return chunk.doc_id, int(question)
    return None


_Commonness = tuple[dict[str, float], Counter[str]]
_COMMONNESS: WeakKeyDictionary[IndexStore, dict[tuple[str, int], _Commonness]] = WeakKeyDictionary()
"""Per open index (an entry goes with its store, so a long-running app that rebuilds does not
keep every old index's counts) and survey question."""


def _commonness(store: IndexStore, group: tuple[str, int]) -> _Commonness:
    """Each answer's commonness, the mean over its words of (share of the other answers using
    the word × its idf), and how many answers use each word. Once per index and question."""
    cached = _COMMONNESS.setdefault(store, {})
    if group not in cached:
        answers = [c for c in store.chunks if _survey_question(c) == group]
        words = {c.chunk_id: set(tokenize(_answer_text(c))) for c in answers}
        used_by = Counter(w for ws in words.values() for w in ws)
        idf = store.lexical.idf
        n = max(1, len(answers))
        shares = {
            cid: sum((used_by[w] - 1) / n * idf.get(w, 0.0) for w in ws) / max(1, len(ws))
            for cid, ws in words.items()
        }
        cached[group] = (shares, used_by)
    return cached[group]


def _answer_text(chunk: Chunk) -> str:
    """The answer without its number and respondent (「22 静岡市 ▶…」): they are not content."""
    who = re.escape(chunk.respondent or "")
    return re.sub(rf"^\s*\d*\s*{who}\s*", "", chunk.text)


def _names_some_answers(q: str, used_by: Counter[str], n: int, store: IndexStore) -> bool:
    """Whether the question names a content only some answers have (:data:`SPECIFIC_SHARE`)."""
    return any(
        len(w) >= 2
        and 0 < used_by[w] < SPECIFIC_SHARE * n
        and store.lexical.chunks_with(w) <= 2 * used_by[w]
        for w in set(tokenize(q))
    )


def capped_case(q: str, store: IndexStore) -> Callable[[str], str | None]:
    """The case a passage counts against for the per-case cap (see
    :func:`~facilitator.search.fusion.diversify`); none for a case at a place the question
    names: 「柏市みたいに…夜中に母の具合が急に悪くなったとき、まず誰が家に来てくれるの？」 asks
    about 柏's case, whose third passage (who comes first at night) was pushed below the other
    cases' (bj01 nDCG@10 0.61 → 0.88)."""
    places = _asked_places(q)

    def case_of(cid: str) -> str | None:
        chunk = store.by_id[cid]
        where = str(chunk.metadata.get("location") or "")
        if places and any(p in where for p in places):
            return None
        return chunk.locator.case_id

    return case_of
