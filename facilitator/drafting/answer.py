"""Questions during a meeting: the best passages grouped by precedent, verbatim.

Offline the answer is the passages themselves plus a one-line template; with an LLM a
short answer that may cite only what was retrieved (its citations are verified again
here). When nothing in the corpus really answers, the answer says so.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from facilitator.errors import FacilitatorError, InputError
from facilitator.search.searcher import (
    Searcher,
    SearchFilters,
    SearchHit,
    SearchResult,
    collapse_repeats,
)
from facilitator.settings import Settings
from facilitator.sheets.citations import MIN_QUOTE_CHARS, verify_citation
from facilitator.sheets.model import Citation
from facilitator.text import normalize_query

ASK_K = 8
MAX_SENTENCES = 2
_SENTENCE_RE = re.compile(r"[^。！？\n]+[。！？]?")
LLM_SETUP_HELP = (
    "LLM が設定されていません。環境変数 FACILITATOR_LLM_MODEL（例: openai:gpt-4o-mini）と、"
    "OpenAI 互換サーバーを使う場合は FACILITATOR_LLM_BASE_URL を設定してください。"
    "LLM なしでも --llm を付けずに質問できます。"
)


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


class Answer(BaseModel):
    """What a participant sees for one question."""

    question: str
    answer_text: str
    mode: str = Field(description="offline | llm | llm-fallback")
    confident: bool
    groups: list[AnswerGroup] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list, description="verified only")
    messages: list[str] = Field(default_factory=list)
    filters: dict[str, str] = Field(default_factory=dict)
    index_version: str = ""
    embedder: str = ""
    llm_model: str | None = None


def _group_key(hit: SearchHit) -> str:
    if hit.case_id:
        return hit.case_id
    respondent = hit.metadata.get("respondent")
    return f"survey:{respondent}" if respondent else hit.doc_id


def _label(hit: SearchHit) -> tuple[str, str]:
    """(group label, place): 「事例17 …（千葉県柏市）」, 「熊本県（衛生部長会調査の回答）」 or the title."""
    from facilitator.drafting.offline import precedent_label

    md = hit.metadata
    if hit.case_id or md.get("respondent"):
        return precedent_label(hit), str(md.get("location") or md.get("prefecture") or "")
    return hit.doc_title, ""


def _sentences(hit: SearchHit) -> list[str]:
    """Matching sentences, else the passage's first real sentence; always verbatim."""
    chosen = [s for s in hit.highlights if s in hit.text][:MAX_SENTENCES]
    if chosen:
        return chosen
    for m in _SENTENCE_RE.finditer(hit.text):
        sentence = m.group(0).strip()
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
        key = _group_key(hit)
        if key not in groups:
            label, place = _label(hit)
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
    groups: list[AnswerGroup], searcher: Searcher, allowed: set[str]
) -> list[Citation]:
    """One verified citation per passage (its first matching sentence)."""
    out = []
    for group in groups:
        for p in group.passages:
            c = verify_citation(
                Citation(chunk_id=p.chunk_id, quote=p.sentences[0]), searcher.store, allowed
            )
            if c.verified:
                out.append(c)
    return out


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


def _llm_answer(
    question: str, result: SearchResult, settings: Settings, searcher: Searcher
) -> tuple[str | None, list[Citation], list[str]]:
    """(text, verified citations, messages) from the LLM; text None when unusable."""
    try:
        from facilitator.drafting import llm
    except ImportError as exc:
        return None, [], [f"LLM 回答機能を読み込めませんでした（{exc}）。"]
    try:
        reply = llm.answer_question(question, result.hits, settings, store=searcher.store)
    except FacilitatorError as exc:
        return None, [], [f"LLM での回答に失敗しました（{exc}）。"]
    messages = list(getattr(reply, "messages", []))
    allowed = {h.chunk_id for h in result.hits}
    checked = [verify_citation(c, searcher.store, allowed) for c in reply.citations]
    kept = [c for c in checked if c.verified]
    messages += [
        f"検証できない引用を除きました: {c.chunk_id}: {c.problem}"
        for c in checked
        if not c.verified
    ]
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
    citations = passage_citations(groups, searcher, allowed)
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
