"""Questions during a meeting: the best passages grouped by precedent, verbatim.

Offline the answer is the passages themselves plus a one-line template; with an LLM a
short answer that may cite only what was retrieved (its citations are verified again
here, whoever produced them). When nothing in the corpus really answers, the answer says so.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from facilitator.corpus.chunks import Chunk
from facilitator.drafting.chat import (
    LLM_SETUP_HELP,
    model_for,
    run_with_repair,
)
from facilitator.drafting.checks import ProposalChecker
from facilitator.drafting.prompts import build_answer_messages, load_prompt, select_passages
from facilitator.drafting.schema import AnswerDraft
from facilitator.errors import FacilitatorError, InputError
from facilitator.reports.questions import FigureAnswer
from facilitator.search.hits import (
    SearchHit,
    SearchResult,
    collapse_repeats,
    group_key,
    group_label,
)
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings
from facilitator.sheets.citations import MIN_QUOTE_CHARS, keep_verified_citations
from facilitator.sheets.model import Citation
from facilitator.text import normalize_query, sentences

ASK_K = 8
MAX_SENTENCES = 2


class AnswerPassage(BaseModel):
    """One retrieved passage: where it is and the sentences that match (verbatim)."""

    chunk_id: str
    locator: str
    doc_title: str
    sentences: list[str]
    score: float
    also_in: list[str] = Field(
        default_factory=list,
        description="「資料名 所在」 of passages with the same text, not shown",
    )


class AnswerGroup(BaseModel):
    """The passages of one precedent (a case, a survey respondent or a document)."""

    key: str = Field(description="事例n / 参考n, 'survey:<自治体>' or the doc id")
    label: str = Field(description="e.g. 「事例17 一般社団法人柏市医師会(柏モデル)（千葉県柏市）」")
    case_id: str | None = None
    case_name: str | None = None
    location: str = ""
    passages: list[AnswerPassage]


AnswerKind = Literal["figure", "definition", "precedent", "unanswered"]
"""How a question was answered: a figure of the report data, a guideline/local passage
quoted, precedents named with what they did, or a plain statement that the material
does not cover it (then ``groups`` are only nearby material, never the answer)."""


class Answer(BaseModel):
    """What a participant sees for one question."""

    question: str
    answer_text: str
    kind: AnswerKind = "precedent"
    mode: str = Field(description="offline | llm | llm-fallback")
    confident: bool
    figure: FigureAnswer | None = Field(default=None, description="kind=figure: the value")
    groups: list[AnswerGroup] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list, description="verified only")
    messages: list[str] = Field(default_factory=list)
    filters: dict[str, str] = Field(default_factory=dict)
    index_version: str = ""
    embedder: str = ""
    llm_model: str | None = None


def _sentences(hit: SearchHit) -> list[str]:
    """Matching sentences, else the passage's first real sentence; always verbatim."""
    chosen = [s for s in hit.highlights if s in hit.text][:MAX_SENTENCES]
    if chosen:
        return chosen
    for sentence in sentences(hit.text):
        if len(sentence) >= MIN_QUOTE_CHARS:
            return [sentence]
    return [hit.text.strip()]


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


def passage_citations(
    groups: list[AnswerGroup], chunks: dict[str, Chunk], allowed: Collection[str]
) -> list[Citation]:
    """One verified citation per passage (its first matching sentence)."""
    proposed = [
        Citation(chunk_id=p.chunk_id, quote=p.sentences[0]) for g in groups for p in g.passages
    ]
    return keep_verified_citations(proposed, chunks, allowed)[0]


def offline_text(result: SearchResult, groups: list[AnswerGroup]) -> str:
    """The only prose offline: how many precedents were found, or that none was."""
    if not result.confident or not groups:
        return (
            "該当する先行事例は見つかりませんでした（参考として近い資料を示します）。"
            if groups
            else "該当する先行事例は見つかりませんでした。"
        )
    cases = [g for g in groups if g.case_id]
    others = len(groups) - len(cases)
    if cases:
        text = f"関連する先行事例が{len(cases)}件見つかりました（{'、'.join(g.case_id or '' for g in cases)}）。"
        return text + (f"ほかに関連する資料が{others}件あります。" if others else "")
    return f"関連する資料が{others}件見つかりました。"


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
    question: str, result: SearchResult, settings: Settings, searcher: Searcher
) -> tuple[str | None, list[Citation], list[str]]:
    """(text, verified citations, messages) from the LLM; text None when unusable.

    Whatever the answerer returns is verified here against this search's hits.
    """
    try:
        reply = answer_question(question, result.hits, settings, chunks=searcher.store.by_id)
    except FacilitatorError as exc:
        return None, [], [f"LLM での回答に失敗しました（{exc}）。"]
    messages = list(reply.messages)
    allowed = {h.chunk_id for h in result.hits}
    kept, problems = keep_verified_citations(reply.citations, searcher.store.by_id, allowed)
    messages += [f"検証できない引用を除きました: {p}" for p in problems]
    if not kept or not (reply.text or "").strip():
        return None, [], [*messages, "LLM の回答に検証できる引用がありませんでした。"]
    return reply.text.strip(), kept, messages


def ask(
    question: str,
    filters: SearchFilters | None,
    settings: Settings,
    searcher: Searcher | None = None,
    use_llm: bool = False,
    k: int = ASK_K,
) -> Answer:
    """Answer a question with the precedents that speak to it.

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
    searcher = searcher or Searcher(settings)
    result = searcher.search(q, k=k, filters=filters)
    groups = group_hits(result.hits)
    allowed = {h.chunk_id for h in result.hits}
    citations = passage_citations(groups, searcher.store.by_id, allowed)
    text = offline_text(result, groups)
    mode, messages = "offline", []
    if use_llm:
        if not result.confident:
            mode = "llm-fallback"
            messages.append(
                "質問に十分に当てはまる資料がないため、LLM は使わずに検索結果を示します。"
            )
        else:
            llm_text, llm_cites, messages = _llm_answer(q, result, settings, searcher)
            if llm_text is None:
                mode = "llm-fallback"
                messages.append("LLM の回答が使えなかったため、検索結果の本文をそのまま示します。")
            else:
                mode, text, citations = "llm", llm_text, llm_cites
    return Answer(
        question=question,
        answer_text=text,
        mode=mode,
        confident=result.confident,
        groups=groups,
        citations=citations,
        messages=messages,
        filters=result.filters,
        index_version=result.index_version,
        embedder=result.embedder,
        llm_model=settings.llm_model if use_llm else None,
    )
