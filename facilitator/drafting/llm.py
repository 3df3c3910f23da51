"""Drafting an issue sheet with an LLM, under the same citation rules as the offline composer.

The model only proposes. Retrieved text goes into the prompt as delimited, escaped DATA
(:mod:`facilitator.drafting.prompts`) that the prompt says never to obey; whatever the
model returns is parsed into :class:`~facilitator.drafting.schema.SheetDraft`, checked
(:mod:`facilitator.drafting.checks`), repaired once by sending the errors back, and what is
still wrong is dropped by :func:`~facilitator.sheets.citations.keep_verified`. A statement
left without backing stays in the sheet as *unbacked*. When the output is unusable the
caller falls back to the offline composer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from langchain_core.language_models import BaseChatModel

from facilitator.analysis.catalogue import Match
from facilitator.analysis.profile import GapProfile
from facilitator.corpus.chunks import Chunk
from facilitator.corpus.parsers.base import ExampleSheet, example_chunk_ids
from facilitator.drafting.chat import model_for, run_with_repair
from facilitator.drafting.checks import ProposalChecker
from facilitator.drafting.context import DraftContext
from facilitator.drafting.prompts import (
    build_draft_messages,
    load_prompt,
    render_analysis,
    select_passages,
)
from facilitator.drafting.schema import DraftStatement, SheetDraft
from facilitator.errors import InputError
from facilitator.reports.models import Area, Finding
from facilitator.search.hits import SearchHit
from facilitator.settings import Settings
from facilitator.sheets.citations import keep_verified
from facilitator.sheets.model import (
    AreaRef,
    Cause,
    Citation,
    IssueSheet,
    Measure,
    Provenance,
    Role,
    Statement,
)
from facilitator.themes import THEME_LABELS

log = logging.getLogger(__name__)

MAX_EXAMPLES = 1
"""Example sheets shown (the preferred one): a second one doubles that part of the prompt."""


@dataclass
class LLMDraftOutcome:
    """A verified LLM draft, or ``sheet=None`` and why (the caller falls back)."""

    sheet: IssueSheet | None
    messages: list[str]
    raw: str | None = None
    llm_model: str = ""
    prompt_version: str = ""


def draft_sheet_with_llm(
    *,
    area: AreaRef | Area,
    theme: str,
    findings: Sequence[Finding],
    hits: Sequence[SearchHit],
    settings: Settings,
    examples: Sequence[ExampleSheet] = (),
    issue_text: str | None = None,
    chunks: dict[str, Chunk] | None = None,
    model: BaseChatModel | None = None,
    embedder: str = "",
    index_version: str = "",
    data_year: int | None = None,
    profile: GapProfile | None = None,
    matches: Sequence[Match] = (),
) -> LLMDraftOutcome:
    """Draft an issue sheet with the LLM; only verified citations and known figures survive.

    ``hits`` are the passages retrieved for this draft, best first; those that fit the
    prompt (``select_passages``) are the only citable chunks, plus the example sheets'
    field chunks when ``chunks`` (the index's chunks by id, which also confirms that each
    cited chunk exists) has them. Indicators are left empty for the caller
    (``offline.fill_missing``). Returns ``sheet=None`` with a Japanese reason when the
    output is unusable.
    """
    prompt = load_prompt("draft_sheet")
    area_ref = area if isinstance(area, AreaRef) else AreaRef.from_area(area)
    hits = select_passages(list(hits))
    examples = list(examples)[:MAX_EXAMPLES]
    try:
        target = model_for(settings, model)
        model, label = target.model, target.label
    except InputError as err:
        return LLMDraftOutcome(
            None, [f"{err} オフラインの下書き機能に切り替えます。"], prompt_version=prompt.version
        )
    citable = {i for i in example_chunk_ids(examples) if i in chunks} if chunks else set()
    checker = ProposalChecker(hits, chunks, findings, citable)
    messages = build_draft_messages(
        area=area_ref,
        theme=theme,
        findings=findings,
        examples=examples,
        hits=hits,
        issue_text=issue_text,
        prompt=prompt,
        citable_examples=citable,
        system_role=target.system_role,
        analysis=render_analysis(profile, matches),
    )
    run = run_with_repair(
        model, SheetDraft, messages, prompt, lambda d: checker.draft_errors(cast(SheetDraft, d))
    )
    notes = [f"LLM「{label}」で下書きしました（プロンプト {prompt.version}）。", *run.messages]
    draft = cast(SheetDraft | None, run.parsed)
    if run.failure or draft is None or not any(s.text.strip() for _, s in draft.statements()):
        reason = run.failure or "LLM の出力が空でした"
        notes = [
            *run.messages,
            f"{reason}。LLM「{label}」の下書きは使わず、オフラインの下書き機能に切り替えます。",
        ]
        log.warning("LLM draft unusable: %s", reason)
        return LLMDraftOutcome(None, notes, run.raw, label, prompt.version)

    dropped: list[str] = []
    sheet = _to_sheet(draft, area_ref, theme, checker, dropped)
    sheet, problems = keep_verified(sheet, checker.chunks, checker.allowed)
    notes += dropped + [f"検証できない引用を削除しました: {p}" for p in problems]
    unbacked = sheet.unbacked_fields()
    if unbacked:
        notes.append("根拠を確認できない文があります（根拠なしとして表示）: " + "、".join(unbacked))
    sheet.provenance = Provenance(
        mode="llm",
        llm_model=label,
        prompt_version=prompt.version,
        embedder=embedder,
        index_version=index_version,
        data_year=data_year,
        retrieved_chunk_ids=[h.chunk_id for h in hits],
        issue_text=issue_text,
        messages=notes,
    )
    return LLMDraftOutcome(sheet, notes, run.raw, label, prompt.version)


def _to_sheet(
    draft: SheetDraft, area: AreaRef, theme: str, checker: ProposalChecker, dropped: list[str]
) -> IssueSheet:
    """The model's draft as a sheet; its citations are still proposals (verified next)."""

    def statement(path: str, d: DraftStatement) -> dict[str, Any]:
        citations = [Citation(chunk_id=c.chunk_id, quote=c.quote) for c in d.citations]
        unknown = checker.unknown_cases(d.text)
        if unknown:  # a sentence about a case nobody retrieved must not look backed
            dropped.append(
                f"検索されていない事例（{'、'.join(unknown)}）に触れているため、"
                f"{path} の引用を外しました"
            )
            citations = []
        return {
            "text": d.text.strip(),
            "citations": citations,
            "figures": checker.figures(path, d.figure_ids, dropped),
            "basis": f"未確認の事例参照: {'、'.join(unknown)}" if unknown else "",
        }

    return IssueSheet(
        title=draft.title.strip() or f"{area.name} {THEME_LABELS.get(theme, theme)}",
        area=area,
        theme=theme,
        participants=[p.strip() for p in draft.participants if p.strip()],
        current_state=[
            Statement(**statement(f"current_state[{i}]", s))
            for i, s in enumerate(draft.current_state)
            if s.text.strip()
        ],
        goal=Statement(**statement("goal", draft.goal)),
        issue=Statement(**statement("issue", draft.issue)),
        causes=[
            Cause(**statement(f"causes[{i}]", c), viewpoint=c.viewpoint.strip())
            for i, c in enumerate(draft.causes)
            if c.text.strip()
        ],
        measures=[
            Measure(
                **statement(f"measures[{i}]", m),
                priority=m.priority,
                source="llm",
                roles=[Role(actor=r.actor, action=r.action) for r in m.roles],
            )
            for i, m in enumerate(draft.measures)
            if m.text.strip()
        ],
        effects=[
            Statement(**statement(f"effects[{i}]", s))
            for i, s in enumerate(draft.effects)
            if s.text.strip()
        ],
    )


def draft_with_llm(
    context: DraftContext, settings: Settings, model: BaseChatModel | None = None
) -> LLMDraftOutcome:
    """The orchestrator's entry point: everything citable comes from the gathered context."""
    return draft_sheet_with_llm(
        area=context.area,
        theme=context.theme,
        findings=context.findings,
        hits=context.hits,
        settings=settings,
        examples=context.examples,
        issue_text=context.issue_text,
        chunks=context.store.by_id if context.store is not None else None,
        model=model,
        embedder=context.embedder,
        index_version=context.index_version,
        data_year=context.data_year,
        profile=context.profile,
        matches=context.matches,
    )
