"""Drafting an issue sheet: gather the evidence once, compose offline or with an LLM,
verify every citation once, store.

:func:`~facilitator.drafting.context.gather_context` resolves the area, reads the report
findings, picks the guideline's example sheet for the theme and retrieves passages for
the problem; :func:`draft_sheet` turns that context into a sheet (offline composer by
default, LLM when asked and configured, falling back to the composer when the LLM output
is unusable), checks every citation against that evidence and stores it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from facilitator.analysis.claims import Flag, check_claims
from facilitator.drafting import llm
from facilitator.drafting.chat import LLM_SETUP_HELP
from facilitator.drafting.context import DraftContext, DraftRequest, gather_context
from facilitator.drafting.offline import compose_sheet, fill_missing
from facilitator.drafting.support import mark_support
from facilitator.errors import FacilitatorError, InputError
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings
from facilitator.sheets.citations import keep_verified
from facilitator.sheets.model import MODE_LABELS, IssueSheet, field_label
from facilitator.sheets.store import SheetStore

log = logging.getLogger(__name__)

FALLBACK_NOTE = (
    "LLM の下書きが使えなかったため、オフラインの下書き機能（定型の組み立て）で作成しました。"
)


class DraftResult(BaseModel):
    """The drafted (and, when asked, stored) sheet with what happened on the way."""

    sheet: IssueSheet
    messages: list[str] = Field(default_factory=list)
    flagged: list[Flag] = Field(
        default_factory=list, description="statements the area's figures contradict (要確認)"
    )
    saved: bool = False


def finalize(sheet: IssueSheet, context: DraftContext) -> tuple[IssueSheet, list[str], list[Flag]]:
    """The one check of a draft, whoever wrote it.

    Each citation must be a retrieved (or example-sheet) chunk quoted verbatim (the others
    are dropped and named); each is scored for how far it supports its statement (weak
    ones become 参考); each statement's claims about the area are checked against its
    figures (contradicted ones are marked 要確認).
    """
    checked, problems = keep_verified(sheet, context.chunks, context.allowed_ids)
    checked = mark_support(checked)
    checked, flags = check_claims(checked, context.profile)
    notes = [f"検証できない引用を除きました: {p}" for p in problems]
    notes += [f"報告データと食い違うため要確認: {field_label(f.path)}（{f.reason}）" for f in flags]
    checked.provenance.messages = [*checked.provenance.messages, *notes]
    checked.provenance.retrieved_chunk_ids = context.retrieved_ids
    return checked, notes, flags


def _llm_draft(context: DraftContext, settings: Settings) -> tuple[IssueSheet | None, list[str]]:
    """The LLM's sheet, or None and why (never raises for an unusable output)."""
    try:
        outcome = llm.draft_with_llm(context, settings)
    except FacilitatorError as exc:
        return None, [f"LLM での下書きに失敗しました（{exc}）。"]
    return outcome.sheet, list(outcome.messages)


def draft_sheet(
    request: DraftRequest,
    settings: Settings,
    searcher: Searcher | None = None,
    store: SheetStore | None = None,
    save: bool = True,
    progress: Callable[[str], object] | None = None,
) -> DraftResult:
    """Draft an issue sheet for an area and theme, verify its citations, and store it.

    Offline (default) the composer writes a deterministic draft. With ``use_llm`` the
    configured LLM drafts; if it fails or its output is unusable, the composer's draft
    is used and ``provenance.mode`` is ``llm-fallback``.

    Raises:
        InputError: ``use_llm`` without an LLM configured (bad area or theme are refused
            when the :class:`DraftRequest` is made).
        AreaNotFoundError: the area is not in the report data.
        IndexNotBuiltError: no index yet.

    ``progress`` is told each step in Japanese, so a person waiting sees what happens.
    """
    step = progress or (lambda _message: None)
    if request.use_llm and not settings.llm_model:
        raise InputError(LLM_SETUP_HELP)
    searcher = searcher or Searcher(settings)
    step("報告データを集計し、地域の課題に近い先行事例とガイドラインの記述を探しています…")
    context = gather_context(request, settings, searcher)
    sheet: IssueSheet | None = None
    mode: Literal["offline", "llm", "llm-fallback"] = "offline"
    before: list[str] = []
    if request.use_llm:
        step("LLM が下書きを書いています…")
        sheet, llm_messages = _llm_draft(context, settings)
        if sheet is None:
            mode = "llm-fallback"
            before = [*llm_messages, FALLBACK_NOTE]
        else:
            mode = "llm"
            sheet = fill_missing(sheet, context)
            before = [m for m in llm_messages if m not in sheet.provenance.messages]
    if sheet is None:
        step("現状・課題・原因・方策・効果を組み立てています…")
        sheet = compose_sheet(context)
    sheet.provenance.mode = mode
    if mode == "llm-fallback":
        sheet.provenance.llm_model = settings.llm_model
    sheet.provenance.messages = [*before, *sheet.provenance.messages]
    for note in (context.data_message, context.catalogue_message):
        if note and note not in sheet.provenance.messages:
            sheet.provenance.messages.append(note)
    step("引用を資料の原文と照合し、記述を地域の数値と突き合わせています…")
    sheet, _, flags = finalize(sheet, context)
    messages = list(dict.fromkeys(sheet.provenance.messages))
    if save:
        step("保存しています…")
        store = store or SheetStore(settings)
        sheet = store.save(sheet, message=f"下書き（{MODE_LABELS[mode]}）")
    return DraftResult(sheet=sheet, messages=messages, flagged=flags, saved=save)
