"""Questions during a meeting: the best passages grouped by precedent, verbatim.

Offline the answer is the passages themselves plus a one-line template; with an LLM a
short answer that may cite only what was retrieved (its citations are verified again
here, whoever produced them). When nothing in the corpus really answers, the answer says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import cast

from langchain_core.language_models import BaseChatModel

from facilitator.corpus.chunks import Chunk
from facilitator.drafting.answer_models import (
    Answer,
    AnswerGroup,
    AnswerKind,
    AnswerPassage,
)
from facilitator.drafting.chat import (
    LLM_SETUP_HELP,
    model_for,
    run_with_repair,
)
from facilitator.drafting.checks import ProposalChecker, named_cases
from facilitator.drafting.headlines import (
    answer_text,
    headline_for,
    unanswered_headline,
)
from facilitator.drafting.points import (
    extract_points,
    is_precedent_group,
    order_groups,
    sheet_fields_of,
    sheet_titles_of,
)
from facilitator.drafting.prompts import build_answer_messages, load_prompt, select_passages
from facilitator.drafting.schema import AnswerDraft
from facilitator.errors import FacilitatorError, InputError
from facilitator.reports.questions import FigureAnswer, FigureMiss, answer_figure_question
from facilitator.search.answerability import at_places, states_asked_values
from facilitator.search.constraints import named_places
from facilitator.search.hits import (
    SearchHit,
    collapse_repeats,
    group_key,
    group_label,
    is_survey_key,
    reports_practice,
)
from facilitator.search.intent import (
    asked_sheet_fields,
    asks_about_governments,
    asks_for_definition,
    asks_for_meaning,
    asks_for_precedents,
    asks_what_is_common,
    is_question,
    wants_precedents_only,
)
from facilitator.search.lexical import tokenize, with_material_terms
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings
from facilitator.sheets.citations import MIN_QUOTE_CHARS, keep_verified_citations
from facilitator.sheets.model import Citation
from facilitator.text import normalize_query, sentences

ASK_K = 8
MAX_SENTENCES = 2


def _sentences(hit: SearchHit) -> list[str]:
    """Matching sentences, else the passage's first real sentence; always verbatim. A
    heading (「2. 地域の特徴を踏まえた取組」) repeats the question's words without saying
    anything, so it is shown only when the passage has nothing else."""
    chosen = [s for s in hit.highlights if s in hit.text and s not in hit.locator]
    if chosen:
        return chosen[:MAX_SENTENCES]
    for sentence in sentences(hit.text):
        if len(sentence) >= MIN_QUOTE_CHARS and sentence not in hit.locator:
            return [sentence]
    return [hit.text.strip()]


def _stating_values(
    question: str, groups: list[AnswerGroup], hits: list[SearchHit], common: frozenset[str]
) -> set[str]:
    """The precedents whose passages state the value asked for (「具体的な金額を出してる市って
    ある？」): the answer leads with them and names only them. The search put 宮城県's poster,
    with no sum, before 名古屋市's list of what each medium cost."""
    by_id = {h.chunk_id: h for h in hits}
    return {
        g.key
        for g in groups
        if any(states_asked_values(question, by_id[p.chunk_id], common) for p in g.passages)
    }


def group_hits(hits: list[SearchHit]) -> list[AnswerGroup]:
    """Passages grouped by precedent, groups in the order of their best passage.

    A passage whose text repeats one already shown is not shown again; the shown one
    lists where else it appears (``also_in``), so no source is hidden.
    """
    groups: dict[str, AnswerGroup] = {}
    kept, repeats = collapse_repeats(hits)
    for hit in kept:
        key = group_key(hit)
        if key not in groups:
            label, place = group_label(hit)
            groups[key] = AnswerGroup(
                key=key,
                label=label,
                case_id=hit.case_id,
                case_name=hit.case_name,
                location=place,
                passages=[],
            )
        groups[key].passages.append(
            AnswerPassage(
                chunk_id=hit.chunk_id,
                locator=hit.locator,
                doc_title=hit.doc_title,
                sentences=_sentences(hit),
                score=hit.score,
                also_in=[f"{r.doc_title} {r.locator}" for r in repeats.get(hit.chunk_id, [])],
            )
        )
    return list(groups.values())


CLOSE_SHARE = 0.6
"""A question is answered with precedents when one scores at least this share of the best
passage (see :func:`route`)."""


DOCUMENT_SHARE = 0.75
"""Asked what something is or how it is done, a document answers when its best passage scores
at least this share of the best (see :func:`route`)."""


def route(question: str, groups: list[AnswerGroup], local_docs: Collection[str] = ()) -> AnswerKind:
    """definition (quote a guideline/local passage) or precedent (name the cases).

    A problem stated in a meeting (「医師の高齢化で当番が組めない」) asks what others did:
    precedents answer unless the question asks what something is or how it is done. A question
    (not a stated problem) whose best passage is a guideline or local one, with no word asking
    for precedents, asks what that document says: over 261 judged questions, every such one was
    judged a guideline question (「…って何て呼ぶんだっけ？」「何が原因だと国は見てるの？」), yet
    13 of 68 guideline questions had been answered by naming cases scoring 0.6 of the best.
    Asked what a prefecture or city itself did, its own paper (``local_docs``) found first
    answers: 「福井県では…県庁の中でどんな工夫をしたの？」 named 福井県's survey answer on
    publicity, under the slide on its reorganisation. So does a paper of the place the question
    names (``local_docs`` then holds only such papers): 「福井県は組織や事業の所管をどう
    見直したのか」 named 事例12's training under 福井県's slides on moving the work.
    """
    wants_definition = asks_for_definition(question)
    wants_precedent = asks_for_precedents(question)
    top = groups[0].passages[0].score if groups else 0.0
    close = [
        g for g in groups if is_precedent_group(g) and g.passages[0].score >= CLOSE_SHARE * top
    ]
    # a document far below the best case does not say how it is done: asked for the steps of
    # a case's own scheme (「がん地域連携パスで…どのように返しているのか、運用手順を確認したい」)
    has_docs = any(
        not is_precedent_group(g) and g.passages[0].score >= DOCUMENT_SHARE * top for g in groups
    )
    # 「…誰が担っていると自治体は認識しているか」「北海道と奈良県は病院の位置づけをどう説明して
    # いるのか」: what they answered, not the survey's outline
    asks_governments = asks_about_governments(question) or bool(named_places(question)[0])
    if groups and is_survey_key(groups[0].key) and asks_governments:
        return "precedent"
    if wants_definition and has_docs and not wants_precedent:
        return "definition"
    if (
        groups
        and groups[0].key in local_docs
        and (asks_about_governments(question) or named_places(question)[0])
    ):
        return "definition"
    # both (「…身近な取組はどの単位で進めるとしているか」): the best passage says which
    if wants_definition and groups and not is_precedent_group(groups[0]):
        return "definition"
    if (
        groups
        and not is_precedent_group(groups[0])
        and (is_question(question) or asked_sheet_fields(question))
        and not wants_precedent
    ):
        # a document answers best and nothing asks what others did; typed as keywords too
        # when they name an example sheet's field (「入退院支援 後方支援病床 空床情報 方策」)
        return "definition"
    # 「ガイドラインの例では」「医療機関はいつ報告する？」 read as asking for precedents, but
    # with no case or survey answer found there is none to name: quote the passage instead
    has_precedents = any(is_precedent_group(g) for g in groups)
    return "precedent" if close or (wants_precedent and has_precedents) else "definition"


@dataclass
class LLMAnswer:
    """An answer citing only verified passages of the retrieved hits."""

    text: str
    citations: list[Citation]
    messages: list[str]
    raw: str | None = None
    llm_model: str = ""
    prompt_version: str = ""

    @property
    def backed(self) -> bool:
        return bool(self.citations)


def answer_question(
    question: str,
    hits: Sequence[SearchHit],
    settings: Settings,
    model: BaseChatModel | None = None,
    chunks: dict[str, Chunk] | None = None,
) -> LLMAnswer:
    """A short LLM answer that cites only verified passages of ``hits``.

    Unverifiable citations are dropped; when none remains the model's text is not shown
    (it is kept in ``raw``) and ``text`` says that no backed answer could be given.
    """
    prompt = load_prompt("answer_question")
    hits = select_passages(list(hits))
    if not question.strip():
        raise InputError("質問が空です。")
    if not hits:
        return LLMAnswer(
            "検索された資料がないため、LLM では回答しません。",
            [],
            ["検索結果が0件のため LLM を呼び出しませんでした。"],
            prompt_version=prompt.version,
        )
    target = model_for(settings, model)
    model, label = target.model, target.label
    checker = ProposalChecker(hits, chunks)
    messages = build_answer_messages(question, hits, prompt, target.system_role)
    run = run_with_repair(
        model, AnswerDraft, messages, prompt, lambda a: checker.answer_errors(cast(AnswerDraft, a))
    )
    notes = [f"LLM「{label}」に質問しました（プロンプト {prompt.version}）。", *run.messages]
    draft = cast(AnswerDraft | None, run.parsed)
    if run.failure or draft is None:
        notes.append(run.failure or "LLM の出力を読み取れませんでした")
        return LLMAnswer(
            "LLM の回答を得られませんでした。検索結果の本文をご確認ください。",
            [],
            notes,
            run.raw,
            label,
            prompt.version,
        )
    proposed = [Citation(chunk_id=c.chunk_id, quote=c.quote) for c in draft.citations]
    citations, problems = keep_verified_citations(proposed, checker.chunks, checker.allowed)
    notes += [f"検証できない引用を削除しました: answer: {p}" for p in problems]
    unknown = checker.unknown_cases(draft.answer)
    if unknown:
        notes.append(f"回答が検索されていない事例（{'、'.join(unknown)}）に触れています。")
    if not citations or unknown:
        notes.append("回答の根拠となる引用を検証できなかったため、LLM の回答は表示しません。")
        return LLMAnswer(
            "検索された資料から根拠を確認できる回答を作れませんでした。検索結果の本文をご確認ください。",
            [],
            notes,
            run.raw,
            label,
            prompt.version,
        )
    return LLMAnswer(draft.answer.strip(), citations, notes, run.raw, label, prompt.version)


def _llm_answer(
    question: str, hits: list[SearchHit], settings: Settings, searcher: Searcher
) -> tuple[str | None, list[Citation], list[str]]:
    """(text, verified citations, messages) from the LLM; text None when unusable.

    Whatever the answerer returns is verified here against this search's hits.
    """
    try:
        reply = answer_question(question, hits, settings, chunks=searcher.store.by_id)
    except FacilitatorError as exc:
        return None, [], [f"LLM での回答に失敗しました（{exc}）。"]
    messages = list(reply.messages)
    allowed = {h.chunk_id for h in hits}
    kept, problems = keep_verified_citations(reply.citations, searcher.store.by_id, allowed)
    messages += [f"検証できない引用を除きました: {p}" for p in problems]
    if not kept or not (reply.text or "").strip():
        return None, [], [*messages, "LLM の回答に検証できる引用がありませんでした。"]
    return reply.text.strip(), kept, messages


def _figure(
    question: str, settings: Settings, area: str | None, year: int | None
) -> FigureAnswer | FigureMiss | None:
    """The report data's answer to a figure question; None when it is not one, or when no
    report data can be read (the question is then searched like any other)."""
    try:
        return answer_figure_question(question, settings=settings, year=year, default_area=area)
    except FacilitatorError:
        return None


def ask(
    question: str,
    filters: SearchFilters | None,
    settings: Settings,
    searcher: Searcher | None = None,
    use_llm: bool = False,
    k: int = ASK_K,
    area: str | None = None,
    year: int | None = None,
) -> Answer:
    """Answer a meeting question the way it asks to be answered.

    A figure of an area comes from the report data with its provenance; a definition or
    procedure is quoted from the guideline or a local document; a question about practice
    names up to three precedents and what each did. When the material does not cover the
    question the answer says so, and the passages found are only nearby material.

    ``area`` is the meeting's area (used when a figure question names none).

    Raises:
        InputError: empty question, unknown filter, or ``use_llm`` without an LLM configured.
    """
    q = normalize_query(question or "")
    if not q:
        raise InputError(
            "質問が空です。知りたいことを文章で入力してください（例: 夜間の輪番が組めない地域で何をしている？）。"
        )
    if use_llm and not settings.llm_model:
        raise InputError(LLM_SETUP_HELP)
    figure = _figure(q, settings, area, year)
    if isinstance(figure, FigureAnswer):
        return Answer(
            question=question,
            answer_text=figure.text,
            headline=figure.text,
            kind="figure",
            mode="offline",
            confident=True,
            figure=figure,
        )
    searcher = searcher or Searcher(settings)
    result = searcher.search(q, k=k, filters=filters)
    # a question about a place is answered from that place's material when there is some
    placed = at_places(q, result.hits)
    hits = placed or result.hits
    # 「後方支援病床 確保 方策」 names a field too; a question asking what others did does not
    fields = asked_sheet_fields(q) if not wants_precedents_only(q) else []
    hits = hits + sheet_fields_of(hits, fields, searcher.store.chunks)
    if asks_for_meaning(q):  # 「2号機能って何？」: all the sheet titles that say what each is
        hits = hits + sheet_titles_of(hits, searcher.store.chunks)
    groups = group_hits(hits)
    base = {
        "question": question,
        "filters": result.filters,
        "index_version": result.index_version,
        "embedder": result.embedder,
        "missing": result.missing,
        "llm_model": settings.llm_model if use_llm else None,
    }
    missed = figure if isinstance(figure, FigureMiss) else None
    if not result.confident:
        headline = unanswered_headline(missed)
        messages = [] if not use_llm else ["資料に答えがないため、LLM は使いませんでした。"]
        return Answer(
            **base,
            answer_text=headline,
            headline=headline,
            kind="unanswered",
            mode="llm-fallback" if use_llm else "offline",
            confident=False,
            groups=groups,
            messages=messages,
        )
    # a figure the report data cannot give (「常陸大宮市の高齢化率は？」) but the material states
    # the local papers that may speak for the government asked about: of the place named, if any
    named = bool(named_places(q)[0])
    local_docs = {h.doc_id for h in hits if h.doc_kind == "local" and (placed or not named)}
    kind: AnswerKind = "definition" if missed else route(q, groups, local_docs)
    q_tokens = searcher.store.lexical.weighted(with_material_terms(tokenize(q), q))

    # which sentence of a case's passages answers: the place named says nothing about that
    # (「柏市みたいに…まず誰が家に来てくれるの？」 picked the sentence naming 柏's センター); a
    # document's sentences keep it (大阪府's paper speaks of 府, which the question names)
    q_sentences = _without_places(q) if kind == "precedent" else q

    def similarity(
        texts: list[str], chunk_ids: list[str], found: Searcher = searcher
    ) -> Sequence[float]:
        return found.similarities(q_sentences, texts, chunk_ids)

    stating = _stating_values(q, groups, hits, searcher.common)
    groups = [g for g in groups if g.key in stating] + [g for g in groups if g.key not in stating]
    points = extract_points(
        kind,
        groups,
        hits,
        similarity,
        q_tokens,
        any_source=missed is not None,
        fields=fields,
        question=q,
    )
    if kind == "precedent" and any(p.group in stating for p in points):
        points = [p for p in points if p.group in stating]  # not those saying no sum
    if not points and kind == "precedent":  # the cases found hold no quotable sentence
        kind = "definition"
        points = extract_points(kind, groups, hits, similarity, q_tokens)
    groups = order_groups(groups, points)
    views = bool(points) and not any(
        reports_practice(searcher.store.by_id[p.chunk_id]) for p in points
    )
    headline = headline_for(
        kind, points, groups, missed, views=views, common=asks_what_is_common(q)
    )
    allowed = {h.chunk_id for h in hits}
    proposed = [Citation(chunk_id=p.chunk_id, quote=p.quote) for p in points]
    citations = keep_verified_citations(proposed, searcher.store.by_id, allowed)[0]
    text, mode = answer_text(headline, points), "offline"
    messages: list[str] = []
    if use_llm:
        llm_text, llm_cites, messages = _llm_answer(q, hits, settings, searcher)
        cited = {searcher.store.by_id[c.chunk_id].locator.case_id for c in llm_cites}
        uncited = [c for c in named_cases(llm_text or "") if c not in cited]
        if uncited:  # the answer may name only the cases its checked quotes come from
            messages.append(f"LLM の回答が引用のない事例（{'、'.join(uncited)}）に触れていました。")
            llm_text = None
        if llm_text is None:
            mode = "llm-fallback"
            messages.append("LLM の回答が使えなかったため、資料の該当箇所をそのまま示します。")
        else:
            mode, text, headline, points, citations = "llm", llm_text, llm_text, [], llm_cites
    return Answer(
        **base,
        answer_text=text,
        headline=headline,
        points=points,
        kind=kind,
        mode=mode,
        confident=True,
        groups=groups,
        citations=citations,
        messages=messages,
    )


def _without_places(question: str) -> str:
    """The question without the places it names and the word tying them on (「柏市みたいに」)."""
    out = question
    for place in named_places(question)[0]:
        out = re.sub(
            re.escape(place) + r"[市町村区県府]?(?:みたいに|のように|では|で|の|は|って)?", "", out
        )
    return out.strip() or question
