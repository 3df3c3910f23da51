"""What a meeting answer says: the sentences it quotes from the passages found.

A definition quotes the best sentence of the first guideline or local passage; asked for the
steps of a process, a list of requirements or an example sheet's 方策, it quotes each step or
item in order. A precedent answer names up to three cases and what each did.
Every quote is a verbatim part of its passage, so its citation checks like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from facilitator.corpus.chunks import Chunk
from facilitator.drafting.answer_models import AnswerGroup, AnswerKind, AnswerPoint
from facilitator.drafting.quotes import (
    DEFINITION_OVERLAP,
    WHEN_OVERLAP,
    best_sentences,
    trim,
    whole_answer,
)
from facilitator.search.constraints import named_places, place_variants
from facilitator.search.hits import SearchHit, group_key, is_survey_key
from facilitator.search.intent import TIME as _TIME
from facilitator.search.intent import (
    asks_for_a_list,
    asks_for_schedule,
    asks_for_steps,
    asks_what_is_common,
    asks_when,
)
from facilitator.search.lexical import WeightedWords, tokenize
from facilitator.text import (
    list_run,
    schedule_items,
    sentences,
    step_lines,
    step_text,
)

MAX_NAMED = 3
NAMED_SHARE = 0.8
"""After the first precedent, another is named only when its best passage scores at least this
share of the first's and its best sentence is at least as close in meaning to the question
as the first's: both signals must agree. Naming the search's first case and ordering the rest
by search (instead of by sentence similarity alone, up to three within 0.6) raised the share
of named cases that the judges marked relevant from 0.52 to 0.68 on the dev set's precedent
questions (first named relevant 0.65 → 0.76), and from 0.47 to 0.71 on 42 held-aside ones."""
WHEN_GROUPS = (3, 0.6)
"""A question asking when may be answered by a lower document than the first: 「協議結果は
いつ公表する？」 found first the council paper's 「協議結果を公表する。」 (no time), third the
guideline's schedule 「12月頃 協議の場の結果の公表」. Up to this many document groups scoring
at least this share of the first are read, and a sentence stating a time is preferred."""
_WHICH_KIND = re.compile(r"どんな|どういう|どのような|どういった|何が|何を")
MAX_FIELD_ITEMS = 4
"""At most this many items of one asked field of an example sheet are quoted (sheets have 2–3)."""
LIST_HEADING_SHARE = (0.4, 2)
"""Asked what is required of someone (「連携の拠点の要件は？」), a list of at least three items
(「・」「1.」) is quoted item by item when the line above it, with the passage's place, uses
this share of the question's words, and at least this many (「② 在宅医療に必要な連携を担う拠点に求められる事項」).
One sentence quoted 「拠点を医療計画に位置付ける際には…重要である。」, which lists none."""


def is_precedent_group(group: AnswerGroup) -> bool:
    """A case or a survey answer: named in a precedent answer."""
    return bool(group.case_id) or is_survey_key(group.key)


def extract_points(
    kind: AnswerKind,
    groups: list[AnswerGroup],
    hits: list[SearchHit],
    similarity: Callable[[list[str], list[str]], Sequence[float]],
    q_tokens: WeightedWords,
    any_source: bool = False,
    fields: Sequence[str] = (),
    question: str = "",
) -> list[AnswerPoint]:
    """What the answer says: for precedents up to three cases and what each did, for a
    definition the best sentence of the first guideline or local passage (of the first
    passage of any kind with ``any_source``: a figure the report data lacks but a case
    states, 「常陸大宮市の高齢化率は？」). Asked for ``fields`` of an example sheet (「どんな
    原因と対策が…」), one sentence of each field found."""
    by_group: dict[str, list[SearchHit]] = {}
    for hit in hits:
        by_group.setdefault(group_key(hit), []).append(hit)
    whole_year = kind == "definition" and asks_for_schedule(question)
    if kind == "definition" and asks_for_steps(question) and not whole_year:
        steps = _steps(groups, by_group)
        if steps:
            return steps
    if kind == "definition":
        notes = _definitions(hits, question)
        if notes:
            return notes
    if kind == "definition" and asks_for_a_list(question):
        items = _list_items(groups, by_group, q_tokens)
        if items:
            return items
    if kind == "definition" and fields:
        points = _sheet_field_points(groups, by_group, fields, similarity, q_tokens, question)
        if points:
            return points
    if kind == "precedent":
        chosen = [g for g in groups if is_precedent_group(g)]
        top = chosen[0].passages[0].score if chosen else 0.0
        named = [g for g in chosen if g.passages[0].score >= NAMED_SHARE * top][:MAX_NAMED]
        chosen = _each_place_asked(question, chosen, named)
    when = asks_when(question)  # a precedent asked when says it too (「何時から何時まで？」)
    if kind != "precedent":
        chosen = _leading_documents(groups, WHEN_GROUPS if when else (1, 1.0), any_source)
    weight = 0.0 if kind == "precedent" else (WHEN_OVERLAP if when else DEFINITION_OVERLAP)
    best = best_sentences(
        [by_group.get(g.key, []) for g in chosen],
        similarity,
        q_tokens,
        weight,
        when=when,
        question=question,
    )
    found = [(g, b) for g, b in zip(chosen, best, strict=True) if b]
    if when and found and kind != "precedent":  # the one sentence stating a time, or closest
        found = [max(found, key=lambda f: (bool(_TIME.search(f[1][1])), f[1][2]))]
    if kind == "precedent" and asks_what_is_common(question):
        # asked what most answers say, the search's order of commonness (何科, then 休日・夜間):
        # closeness picked a second 何科 answer over the 休日・夜間 one
        ranked = found
    else:  # the search's first precedent, then those whose own words are as close to it
        places = named_places(question)[0]
        compared = places if len(places) > 1 else ()  # each of the places compared
        ranked = found[:1] + [
            (g, b)
            for g, b in found[1:]
            if b[2] >= found[0][1][2] or any(_is_of(g, p) for p in compared)
        ]
    points = []
    for g, (hit, sentence, _) in ranked:
        label = g.label if is_precedent_group(g) else document_label(hit)
        quote = whole_answer(hit, sentence)
        points.append(
            AnswerPoint(
                label=label, quote=quote, locator=hit.locator, chunk_id=hit.chunk_id, group=g.key
            )
        )
    if kind == "definition" and ranked and ranked[0][1][0].metadata.get("field") == "title":
        return _titles(ranked[0][0], by_group)
    if whole_year and points:
        first = points[0].quote
        points += [p for p in _schedule(groups, by_group) if p.quote not in first]
    return points


def _definitions(hits: list[SearchHit], question: str) -> list[AnswerPoint]:
    """The footnotes that define a word of the question, in the question's order: the
    material's own definition (「在宅療養支援病院とは」: 「24時間体制で往診…を行う病院のこと」).
    Sentence similarity alone quoted the neighbouring footnote of 在宅療養後方支援病院."""
    notes = {
        word: hit
        for hit in hits
        if (word := hit.metadata.get("defines")) and word in question and sentences(hit.text)
    }
    ordered = sorted(notes.items(), key=lambda item: question.index(item[0]))
    return [_document_point(h, trim(sentences(h.text)[0], h), group_key(h)) for _, h in ordered]


def _each_place_asked(
    question: str, found: list[AnswerGroup], named: list[AnswerGroup]
) -> list[AnswerGroup]:
    """``named``, and for each place a question compares that none of them is from, its best
    precedent: 「北海道と奈良県は…どう説明しているのか」 names both, though 北海道's
    answer scored under 0.8 of 奈良県's."""
    out = list(named)
    places = named_places(question)[0]
    for place in places if len(places) > 1 else ():
        if not any(_is_of(g, place) for g in out):
            out += [g for g in found if _is_of(g, place)][:1]
    return out[:MAX_NAMED]


def _is_of(group: AnswerGroup, place: str) -> bool:
    """Whether a precedent is of a place (「松本市」 is also said 「松本」)."""
    return any(v in group.label for v in place_variants(place))


def _leading_documents(
    groups: list[AnswerGroup], most: tuple[int, float], any_source: bool = False
) -> list[AnswerGroup]:
    """The first document groups (of any kind with ``any_source``), at most ``most[0]``, each
    scoring at least ``most[1]`` of the first: where a quote, a step list or a requirement
    list is looked for."""
    docs = [g for g in groups if any_source or not is_precedent_group(g)]
    count, share = most
    return [g for g in docs[:count] if g.passages[0].score >= share * docs[0].passages[0].score]


def _steps(groups: list[AnswerGroup], by_group: dict[str, list[SearchHit]]) -> list[AnswerPoint]:
    """The numbered steps of the first documents found (see STEP_MARKS), each a quote, after
    the sentence that introduces them when it says 「以下」 (「協議課題ごとに、以下の①~⑥を
    繰り返しながら…」: the steps repeat for each issue)."""
    for g in _leading_documents(groups, WHEN_GROUPS):
        for hit in by_group.get(g.key, []):
            lines = sentences(hit.text)
            run = step_lines(lines)
            if not run:
                continue
            opener = run[0] - 1
            quotes = [lines[opener]] if opener >= 0 and "以下" in lines[opener] else []
            quotes += [
                step_text(hit.text, lines, i, j) for i, j in zip(run, [*run[1:], 0], strict=True)
            ]
            return [_document_point(hit, trim(q, hit), g.key) for q in quotes]
    return []


def _schedule(groups: list[AnswerGroup], by_group: dict[str, list[SearchHit]]) -> list[AnswerPoint]:
    """The yearly schedule of the first documents found (see :func:`schedule_items`), item by
    item: asked for the year as a whole (「1年の流れは？」), the line closest to the question
    (「12月頃 協議の場の結果の公表」) is followed by the rest of the year."""
    for g in _leading_documents(groups, WHEN_GROUPS):
        for hit in by_group.get(g.key, []):
            items = schedule_items(hit.text, sentences(hit.text))
            if items:
                return [_document_point(hit, trim(q, hit), g.key) for q in items]
    return []


def _list_items(
    groups: list[AnswerGroup], by_group: dict[str, list[SearchHit]], q_tokens: WeightedWords
) -> list[AnswerPoint]:
    """The items of the list in the first documents found whose heading is most about the
    question (see LIST_HEADING_SHARE)."""
    best: tuple[float, SearchHit, list[str], str, set[str]] | None = None
    for g in _leading_documents(groups, WHEN_GROUPS):
        for hit in by_group.get(g.key, []):
            lines = sentences(hit.text)
            above, run = list_run(lines)
            if not run:
                continue
            heading = set(tokenize(lines[above] + " " + hit.locator))
            shared = len(q_tokens.keys() & heading)
            overlap = shared / max(1, len(q_tokens))
            enough = overlap >= LIST_HEADING_SHARE[0] and shared >= LIST_HEADING_SHARE[1]
            if enough and (best is None or overlap > best[0]):
                best = (overlap, hit, [lines[i] for i in run], g.key, heading)
    if best is None:
        return []
    _, hit, items, key, heading = best
    # 「…災害への備えとして何を求められているか」 asks for the items on what it names beyond
    # the heading, when some (not all) name it
    specific = {t for t in q_tokens.keys() - heading if len(t) > 1}  # not 「為」「時」
    named = [item for item in items if specific & set(tokenize(item))]
    items = named if 0 < len(named) < len(items) else items
    return [_document_point(hit, trim(item, hit), key) for item in items]


def _titles(group: AnswerGroup, by_group: dict[str, list[SearchHit]]) -> list[AnswerPoint]:
    """Every example-sheet title of the document, in its order: a title is where the guideline
    says what a function number means, and 「2号機能って何？」 is answered by all four of
    its sheets (イ–ニ), not by the one that scored best."""
    titles = sorted(
        (h for h in by_group.get(group.key, []) if h.metadata.get("field") == "title"),
        key=lambda h: h.chunk.locator.char_start,
    )
    return [_document_point(h, trim(h.text, h), group.key) for h in titles]


def sheet_titles_of(hits: list[SearchHit], chunks: Sequence[Chunk]) -> list[SearchHit]:
    """The other example-sheet titles of the document whose title was found (see
    :func:`_titles`); they rank with it."""
    title = next((h for h in hits if h.metadata.get("field") == "title"), None)
    if title is None:
        return []
    return _siblings(title, hits, chunks, lambda c: c.metadata.get("field") == "title")


def _siblings(
    anchor: SearchHit,
    hits: list[SearchHit],
    chunks: Sequence[Chunk],
    wanted: Callable[[Chunk], bool],
) -> list[SearchHit]:
    """The ``wanted`` chunks of ``anchor``'s document that search did not bring, ranked with it."""
    have = {h.chunk_id for h in hits}
    return [
        SearchHit(chunk=c, score=anchor.score)
        for c in chunks
        if c.doc_id == anchor.doc_id and c.chunk_id not in have and wanted(c)
    ]


def sheet_fields_of(
    hits: list[SearchHit], fields: Sequence[str], chunks: Sequence[Chunk]
) -> list[SearchHit]:
    """Every item of the asked fields of the first example sheet found that search did not
    bring: 「国の例示ではどんな原因と対策が挙がっている？」 found the sheet's 課題 and 原因,
    not its 方策, and 「どんな方策が考えられる？」 found one 方策 of three. They rank with the
    passage of the sheet that was found."""
    sheet = next(
        (h for h in hits if h.metadata.get("sheet_theme") and h.metadata.get("field")), None
    )
    if sheet is None or not fields:
        return []
    theme = sheet.metadata.get("sheet_theme")
    return _siblings(
        sheet,
        hits,
        chunks,
        lambda c: c.metadata.get("sheet_theme") == theme and c.metadata.get("field") in fields,
    )


def _sheet_field_points(
    groups: list[AnswerGroup],
    by_group: dict[str, list[SearchHit]],
    fields: Sequence[str],
    similarity: Callable[[list[str], list[str]], Sequence[float]],
    q_tokens: WeightedWords,
    question: str = "",
) -> list[AnswerPoint]:
    """Each item of each asked field (its best sentence), in the sheet's order, from the first
    document whose found passages include that field: an example sheet's 課題 restates the
    question, its 原因 and 方策 answer it, all of them (one 方策 of three, picked by
    similarity, left out the 実地研修 that 「急変時対応の経験がない医師にどんな方策？」 asks
    for). Asked whether one is there (「空床情報を共有する、といった対策は例に入ってる？」),
    the field's closest sentence. The local council's copy of a sheet serves as well as the
    guideline's."""
    every = bool(_WHICH_KIND.search(question))
    docs = [g for g in groups if not is_precedent_group(g)]
    chosen: list[tuple[AnswerGroup, list[SearchHit]]] = []
    for field in fields:
        for g in docs:
            found = [h for h in by_group.get(g.key, []) if h.metadata.get("field") == field]
            if found:
                chosen.append((g, _sheet_items(found) if every else found))
                break
    if every:  # each item its own group: its best sentence
        chosen = [(g, [h]) for g, items in chosen for h in items]
    best = best_sentences([hs for _, hs in chosen], similarity, q_tokens, DEFINITION_OVERLAP)
    return [_document_point(b[0], b[1], g.key) for (g, _), b in zip(chosen, best, strict=True) if b]


def _sheet_items(found: list[SearchHit]) -> list[SearchHit]:
    """The items of the first found passage's sheet, in the sheet's order (at most
    MAX_FIELD_ITEMS)."""
    theme = found[0].metadata.get("sheet_theme")
    items = [h for h in found if h.metadata.get("sheet_theme") == theme]
    return sorted(items, key=lambda h: h.chunk.locator.char_start)[:MAX_FIELD_ITEMS]


def document_label(hit: SearchHit) -> str:
    """Its document and place; a footnote that defines a term is named by the term: quoted for
    「…受け入れてくれる病院のこと、何て呼ぶんだっけ？」, 「19 在宅において…病院のことで」 does
    not say the name that was asked (「在宅療養後方支援病院」)."""
    word = hit.metadata.get("defines")
    where = f"{hit.doc_title}・{hit.locator}" if word else f"{hit.doc_title}（{hit.locator}）"
    return f"「{word}」（{where}）" if word else where


def _document_point(hit: SearchHit, quote: str, group: str) -> AnswerPoint:
    """A quote of a guideline or local passage, labelled by its document and place."""
    return AnswerPoint(
        label=document_label(hit),
        quote=quote,
        locator=hit.locator,
        chunk_id=hit.chunk_id,
        group=group,
        source=hit.doc_title,
    )


def order_groups(groups: list[AnswerGroup], points: list[AnswerPoint]) -> list[AnswerGroup]:
    """The groups the answer names first, in its order; the rest after."""
    keys = [p.group for p in points]
    return sorted(groups, key=lambda g: keys.index(g.key) if g.key in keys else len(keys))
