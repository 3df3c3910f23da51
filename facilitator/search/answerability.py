"""Does the material answer the question? What a top passage must state, beyond similarity.

Similarity says a passage is on the topic. A near-domain question (「往診料の深夜加算は何点？」,
「高知県の事例は？」) is on the topic and still unanswered unless a passage names what it
asks for: its places, numbers and years, its terms of art and the kind of value it wants.
Each of those is a constraint; one that no top passage meets makes a search not confident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from facilitator.corpus.chunks import Chunk
from facilitator.search.constraints import (
    Constraint,
    named_places,
    place_variants,
    question_constraints,
    unmet,
)
from facilitator.search.hits import SearchHit
from facilitator.search.lexical import Vocabulary
from facilitator.search.terms import norm, unheard_words, unknown_terms, unstated_things

TOP_CONSTRAINED = 5
TOP_TERMS = 10
_CLAUSE = re.compile(r"[、,。?？!！]")


def origin(chunk: Chunk) -> str:
    """Where a passage is from: its case's place, the survey's respondent, the document."""
    md = chunk.metadata
    where = (md.get("location"), md.get("prefecture"), chunk.respondent, chunk.locator.case_name)
    return "\n".join([chunk.doc_title, *(str(w) for w in where if w)])


def _context(hit: SearchHit) -> str:
    """What a passage states, with where it is from (a case's place is in its metadata) and,
    for a survey answer, the question it answers (「…問合せで多い内容」: 「症状に応じた
    診療科を紹介してほしい」 states what is asked most, without saying so), and for a footnote the
    word it defines (「在宅療養後方支援病院」: its text says only 「…受け入れる病院のこと」)."""
    question = hit.metadata.get("question_text") if hit.respondent else None
    defines = hit.metadata.get("defines") or ""
    return "\n".join([hit.text, origin(hit.chunk), question or "", defines])


def _topic(hit: SearchHit) -> str:
    """What a passage's sentences are about though none says it: a survey answer's question,
    a case's own name and place (「…これまでに364名が本システムに登録している」 is なぎ辻病院's)."""
    if hit.respondent:
        return norm(hit.metadata.get("question_text") or "")
    where = (hit.case_name, hit.metadata.get("location"))
    return norm("\n".join(str(w) for w in where if w))


def states_asked_values(
    question: str, hit: SearchHit, common: frozenset[str] = frozenset()
) -> bool | None:
    """Whether a passage states every value the question asks for (「いくらかけてる？」: an
    amount in 円); None when it asks for none. A meeting answer leads with such a passage:
    名古屋市's 「WEB広告（966,900円）」, not 宮城県's poster with no sum."""
    values = [c for c in question_constraints(question, common) if c.kind == "value"]
    if not values:
        return None
    text = norm(_context(hit))
    return all(c.met_by(text, _topic(hit)) for c in values)


def at_places(question: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The hits from or about every place the question asks about, and none from a place it
    excludes (all of them when it names none): 「大阪府では…」 is answered by 大阪府's
    material, 「松本市以外で…」 by anyone's but 松本市's."""
    asked, excluded = named_places(question)
    places = [Constraint("place", p) for p in asked]
    out = [h for h in hits if not unmet(places, [_context(h)])]
    if excluded:
        gone = {v for e in excluded for v in place_variants(e)}
        out = [h for h in out if not any(v in norm(origin(h.chunk)) for v in gone)]
    return out


def missing(
    question: str,
    hits: Sequence[SearchHit],
    common: frozenset[str] = frozenset(),
    vocabulary: Vocabulary | None = None,
    said: Callable[[str], bool] | None = None,
    specific: frozenset[str] = frozenset(),
) -> list[str]:
    """What the question names that the top passages do not state (empty: nothing missing).

    Places, numbers, terms of art and the kind of value asked are checked against the first
    passages; unknown compounds against a few more, as the answer may sit a little lower.
    ``common``: the material's everyday words (see :func:`question_constraints`);
    ``vocabulary``: every word of the index (see :func:`unheard_words`; None: not checked);
    ``said``: whether the material states a compound anywhere (see :func:`stated_in`): one it
    does (「体調急変時」「人工呼吸器」) is the search's to find lower, not a thing it lacks;
    ``specific``: the question's words that few passages use (see :func:`of_its_thing`).
    """
    if not hits:
        return []
    top = hits[:TOP_CONSTRAINED]
    near = [norm(_context(h)) for h in top]
    topics = {t: _topic(h) for t, h in zip(near, top, strict=True)}
    constraints = question_constraints(question, common)
    places = [c for c in constraints if c.kind == "place"]
    # a value, a year or a term asked of a place is stated by that place's passages: 秋田県's
    # 4.2件/日 does not say how many calls 沖縄県's #8000 takes, nor 福岡市's 2040年 新居浜's
    # projection, nor 奈良県's 紹介基準 by what 基準 燕市 picks out residents
    # (of any place named: 「名古屋市の…熊本県の…とあわせて比べたい」 asks of each)
    placed = [t for t in near if not places or any(c.met_by(t) for c in places)]
    # a table of contents' numbers are pages (「第3節 報告を求めるかかりつけ医機能..... 14」)
    contents = {
        t for t, h in zip(near, top, strict=True) if h.metadata.get("section_kind") == "toc"
    }
    counting = [t for t in placed if t not in contents]
    one_value = sum(c.kind == "value" for c in constraints) == 1
    out = []
    for c in constraints:
        bound = c.kind in ("value", "number", "term")
        stating = (placed if c.kind == "term" else counting) if bound else near
        if c.kind == "value" and one_value:
            stating = of_its_thing(c, question, stating, specific)
        if any(c.met_by(t, topics[t]) for t in stating):
            continue
        # stated, but of another place: say whose is missing (「新居浜」の「#7119」の記述)
        elsewhere = bound and places and any(c.met_by(t, topics[t]) for t in near)
        where = "・".join(p.text for p in places)
        out.append(f"「{where}」の{c.label.removeprefix('質問の')}" if elsewhere else c.label)
    wider = [_context(h) for h in hits[:TOP_TERMS]]
    unknown = [t for t in unknown_terms(question, wider) if said is None or not said(t)]
    out += [f"「{t}」の記述" for t in unknown]
    out += [f"「{t}」の記述" for t in unstated_things(question, wider, common)]
    if vocabulary is not None:
        out += [f"「{t}」の記述" for t in unheard_words(question, vocabulary)]
    return list(dict.fromkeys(out))


def of_its_thing(
    value: Constraint, question: str, texts: list[str], specific: frozenset[str]
) -> list[str]:
    """The passages that name what a value is asked of, when the question names it by a word
    few passages use: 「石仏カードの発行費用」 is 石仏カード's cost, and 北海道's 「…負担軽減…講演会
    等について補助する」, sharing 住民 and 負担 with the question, does not state it. Only the
    words of the value's own clause count (「救急搬送がどれほど増え、在院日数をどこまで短縮」:
    在院日数 is not what grew), and not its own words (発行, 費用 say what is asked, not of
    what); a word no passage here names is the question's wording, not a name to find."""
    clause = next((p for p in _CLAUSE.split(norm(question)) if value.text in p), "")
    own = {
        w
        for w in specific & value.about
        if w in clause and w not in value.text and any(w in t for t in texts)
    }
    return [t for t in texts if any(w in t for w in own)] if own else texts
