"""Which passages a question's form wants to see first, and which the section prior may set
back (:func:`facilitator.search.fusion.apply_prior`): a definition wants what a document says,
a question about what others do wants the cases, one about prefectures their own answers.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator.corpus.chunks import Chunk
from facilitator.corpus.places import PREFECTURE_RE
from facilitator.search.hits import precedent_key, reports_practice, reports_publicity
from facilitator.search.index import IndexStore
from facilitator.search.intent import (
    asks_about_cities,
    asks_about_governments,
    asks_about_publicity,
    asks_for_definition,
    asks_for_meaning,
    asks_for_precedents,
    asks_what_is_common,
    wants_precedents_only,
)


def _document_test(q: str, store: IndexStore) -> Callable[[str], bool]:
    """A passage that can say what a document says: not a case or survey answer; asked what a
    term means, not an example issue sheet filed under it either (「1号機能って何？」 found the
    sheets titled 1号機能 before the guideline's definition)."""
    sheets_too = asks_for_meaning(q)

    def test(cid: str) -> bool:
        chunk = store.by_id[cid]
        sheet = chunk.metadata.get("section_kind") == "sheet"
        return precedent_key(chunk) is None and not (sheets_too and sheet)

    return test


def wanted_test(q: str, store: IndexStore) -> Callable[[str], bool] | None:
    """What keeps its weight under the prior (see :func:`_wanted_by_form`); asked about the
    designated cities (「…回答した政令市はどんな広報をしているか」), not a prefecture's answer:
    名古屋市's spending, the answer, ranked fifth under 山形県, 青森県 and 広島県."""
    wanted = _wanted_by_form(q, store)
    if not asks_about_cities(q):
        return wanted
    return lambda cid: (wanted is None or wanted(cid)) and not _said_by_prefecture(store.by_id[cid])


def _said_by_prefecture(chunk: Chunk) -> bool:
    """A survey answer given by a prefecture, not by a designated city."""
    return bool(chunk.respondent and PREFECTURE_RE.fullmatch(chunk.respondent))


def _wanted_by_form(q: str, store: IndexStore) -> Callable[[str], bool] | None:
    """What keeps its weight under the prior (None: the question's form asks for no kind).
    A definition question wants what a document says (:func:`_document_test`); a precedent
    question wants the cases, or the survey answers and local documents when it asks what
    prefectures and cities do; a survey answer about views or inquiries otherwise ranks with
    the guideline (「…している例は？」 was answered first by 「町村部では診療所が少ない」).
    A question of no form sets back only those answers, unless it asks about prefectures and
    cities: 「医者のいない村に都会から医師が交代で来る仕組み」 describes what someone built,
    and five prefectures' views on rural areas ranked before 事例1. Asked what prefectures and
    cities hear most (「県や市の窓口にはどんな相談がよく来ている？」), their own answers say it:
    事例3's clinic, 「住民の窓口として幅広く相談を受ける」, had ranked first."""
    if asks_for_definition(q) and not asks_for_precedents(q):  # what a document says
        return _document_test(q, store)
    if asks_about_governments(q) and (wants_precedents_only(q) or asks_what_is_common(q)):
        # what a prefecture or city does or hears most: not a hospital's case
        return lambda cid: _said_by_government(store.by_id[cid])
    if not wants_precedents_only(q):
        if asks_for_precedents(q) or asks_about_governments(q):
            return None
        return lambda cid: not _a_view(store.by_id[cid])
    if asks_about_publicity(q):
        return lambda cid: reports_practice(store.by_id[cid])
    return lambda cid: reports_practice(c := store.by_id[cid]) and not reports_publicity(c)


def prior_kind(chunk: Chunk) -> str | None:
    """The kind of section a passage is, for :data:`fusion.SECTION_PRIOR`; the survey's own
    questions (which restate what they ask) apart from its answers. Its overview (whom it
    asked, when, how many answered) is the only passage that answers questions about it."""
    kind = chunk.metadata.get("section_kind")
    if kind == "survey" and chunk.metadata.get("question") and not chunk.respondent:
        return "survey-question"
    return kind


def _a_view(chunk: Chunk) -> bool:
    """A survey answer about what a prefecture sees or is asked, not what it does."""
    return bool(chunk.respondent) and not reports_practice(chunk)


def _said_by_government(chunk: Chunk) -> bool:
    """A prefecture's survey answer, or a local document (a prefecture's or a council's)."""
    return bool(chunk.respondent) or chunk.doc_kind == "local"
