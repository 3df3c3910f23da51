"""LLM drafting and answers through LangChain, with every citation verified.

The model only proposes. Retrieved text goes into the prompt as delimited, escaped
DATA (``<passage id="…">…</passage>``) that the prompt says never to obey; whatever
the model returns is parsed into a small draft schema, checked (cited chunk among the
retrieved ones, quote verbatim in that chunk, figure id among the given findings),
repaired once by sending the errors back, and what is still wrong is dropped. A
statement left without backing stays in the sheet as *unbacked*. When the output is
unusable the caller falls back to the offline composer.

Prompt files and the framing of outside text as data are in ``prompting.py``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from facilitator.corpus.chunks import Chunk, DocKind
from facilitator.corpus.parsers.base import ExampleSheet
from facilitator.drafting.prompts import (
    Prompt,
    escape_data,
    example_chunk_ids,
    load_prompt,
    render_examples,
    render_findings,
    render_passages,
    select_passages,
)
from facilitator.errors import InputError
from facilitator.reports.models import Area, Finding
from facilitator.search.index import IndexStore
from facilitator.search.searcher import SearchHit
from facilitator.settings import Settings
from facilitator.sheets.citations import verify_citation
from facilitator.sheets.model import (
    AreaRef,
    Cause,
    Citation,
    FigureRef,
    IssueSheet,
    Measure,
    Provenance,
    Role,
    Statement,
    statement_paths,
)
from facilitator.text import normalize_query
from facilitator.themes import THEME_LABELS

if TYPE_CHECKING:
    from facilitator.drafting.draft import DraftContext, DraftRequest

log = logging.getLogger(__name__)

MAX_EXAMPLES = 1
"""Example sheets shown (the preferred one): a second one doubles that part of the prompt."""
NO_SYSTEM_ROLE = ("gemma",)
"""Model names whose chat templates drop the system turn (llama.cpp's ``gemma`` format
does so silently): the instructions are folded into the first user turn instead."""
MAX_REPAIR_ERRORS = 30
LLM_TIMEOUT_S = 180.0
OPENAI_LIKE = ("openai", "azure_openai")
NOT_RETRIEVED = "この下書きのために検索された資料ではありません（今回渡された passage の id だけを引用できます）"


# ------------------------------------------------------------------------------ models


def _provider(model: str) -> str | None:
    head, colon, _ = model.partition(":")
    return head if colon else None


def describe_model(settings: Settings) -> str:
    """Which chat model is active, for logs, the UI and sheet provenance."""
    if not settings.llm_model:
        return "LLM なし（オフライン作成）"
    where = f" @ {settings.llm_base_url}" if settings.llm_base_url else ""
    return f"{settings.llm_model}{where}"


def chat_model(settings: Settings) -> BaseChatModel:
    """Build the configured chat model with ``init_chat_model`` (no network call).

    OpenAI-compatible servers (llama.cpp, vLLM, Ollama) get ``extra_body.max_tokens``
    too, because langchain-openai sends ``max_completion_tokens``, which llama.cpp
    ignores. Other providers (``azure_openai:``, ``anthropic:`` …) work through
    init_chat_model's prefixes and their own environment variables.
    """
    from langchain.chat_models import init_chat_model

    if not settings.llm_model:
        raise InputError(
            "LLM が設定されていません。FACILITATOR_LLM_MODEL（例 'openai:モデル名'）を設定してください。"
        )
    provider = _provider(settings.llm_model)
    kwargs: dict[str, Any] = {"max_tokens": settings.llm_max_tokens}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key
    if provider in OPENAI_LIKE or (provider is None and settings.llm_base_url):
        kwargs["timeout"] = LLM_TIMEOUT_S
        kwargs["max_retries"] = 1
    if settings.llm_base_url and provider in ("openai", None):
        kwargs["extra_body"] = {"max_tokens": settings.llm_max_tokens}
        if not settings.llm_api_key and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "not-needed"  # local servers ignore it; the client requires one
    try:
        model = init_chat_model(settings.llm_model, **kwargs)
    except (ValueError, ImportError) as err:
        raise InputError(f"LLM「{settings.llm_model}」を準備できません: {err}") from err
    log.info("LLM: %s (max_tokens=%d)", describe_model(settings), settings.llm_max_tokens)
    return model


def _model_label(settings: Settings, model: BaseChatModel) -> str:
    if settings.llm_model:
        return describe_model(settings)
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    return str(name) if isinstance(name, str) and name else type(model).__name__


# ------------------------------------------------------------------ draft output schema


class DraftCitation(BaseModel):
    """A proposed citation: a retrieved chunk id and a verbatim quote from it."""

    chunk_id: str
    quote: str


class DraftStatement(BaseModel):
    text: str
    citations: list[DraftCitation] = Field(default_factory=list)
    figure_ids: list[str] = Field(default_factory=list)


class DraftCause(DraftStatement):
    viewpoint: str = ""


class DraftRole(BaseModel):
    actor: str
    action: str


class DraftMeasure(DraftStatement):
    roles: list[DraftRole] = Field(default_factory=list)
    priority: Literal["高", "中", "低"] = "中"


class SheetDraft(BaseModel):
    """What the model fills: a compact issue sheet (converted to IssueSheet after checks)."""

    title: str = ""
    participants: list[str] = Field(default_factory=list)
    current_state: list[DraftStatement] = Field(default_factory=list)
    goal: DraftStatement = Field(default_factory=lambda: DraftStatement(text=""))
    issue: DraftStatement = Field(default_factory=lambda: DraftStatement(text=""))
    causes: list[DraftCause] = Field(default_factory=list)
    measures: list[DraftMeasure] = Field(default_factory=list)
    effects: list[DraftStatement] = Field(default_factory=list)

    def statements(self) -> list[tuple[str, DraftStatement]]:
        """Same paths as ``IssueSheet.statements`` so messages point at the same fields."""
        return statement_paths(
            self.current_state, self.goal, self.issue, self.causes, self.measures, self.effects
        )


class AnswerDraft(BaseModel):
    """What the model fills for a question: a short answer and its citations."""

    answer: str
    citations: list[DraftCitation] = Field(default_factory=list)


# ---------------------------------------------------------------------- result types


@dataclass
class LLMDraftOutcome:
    """A verified LLM draft, or ``sheet=None`` and why (the caller falls back)."""

    sheet: IssueSheet | None
    messages: list[str]
    raw: str | None = None
    llm_model: str = ""
    prompt_version: str = ""


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


# ------------------------------------------------------------------------ messages


def _schema_text(schema: type[BaseModel]) -> str:
    return json.dumps(schema.model_json_schema(), ensure_ascii=False, separators=(",", ":"))


def build_draft_messages(
    *,
    area: AreaRef,
    theme: str,
    findings: Sequence[Finding],
    examples: Sequence[ExampleSheet],
    hits: Sequence[SearchHit],
    issue_text: str | None,
    prompt: Prompt,
    citable_examples: set[str] | None = None,
    system_role: bool = True,
) -> list[BaseMessage]:
    """System + user messages for a sheet draft; every piece of outside text is DATA."""
    user = prompt.render(
        "user",
        area=escape_data(f"{area.name}（{area.code}）"),
        theme=escape_data(THEME_LABELS.get(theme, theme)),
        issue_text=(
            f"<issue_text>{escape_data(issue_text)}</issue_text>"
            if issue_text
            else prompt.render("no_issue_text")
        ),
        findings=render_findings(findings, prompt.render("no_findings")),
        example=render_examples(examples, citable_examples, prompt.render("no_examples")),
        passages=render_passages(hits, prompt.render("no_passages")),
        schema=_schema_text(SheetDraft),
    )
    return _messages(prompt.render("system"), user, system_role)


def build_answer_messages(
    question: str, hits: Sequence[SearchHit], prompt: Prompt, system_role: bool = True
) -> list[BaseMessage]:
    """System + user messages for a question; the question is DATA too."""
    user = prompt.render(
        "user",
        question=f"<question>{escape_data(question)}</question>",
        passages=render_passages(hits, prompt.render("no_passages")),
        schema=_schema_text(AnswerDraft),
    )
    return _messages(prompt.render("system"), user, system_role)


def _messages(system: str, user: str, system_role: bool) -> list[BaseMessage]:
    if system_role:
        return [SystemMessage(system), HumanMessage(user)]
    return [HumanMessage(f"{system}\n\n{user}")]


def accepts_system_role(label: str) -> bool:
    """False for models whose chat template drops system turns (see ``NO_SYSTEM_ROLE``)."""
    return not any(name in label.lower() for name in NO_SYSTEM_ROLE)


# ----------------------------------------------------------------------- verification


class _HitStore:
    """Just enough of IndexStore for verify_citation: the retrieved chunks by id."""

    def __init__(self, hits: Sequence[SearchHit]) -> None:
        self.by_id: dict[str, Chunk] = {
            h.chunk_id: Chunk(
                chunk_id=h.chunk_id,
                doc_id=h.doc_id,
                doc_title=h.doc_title,
                doc_kind=DocKind(h.doc_kind),
                text=h.text,
                locator=h.location,
                metadata=h.metadata,
            )
            for h in hits
        }


class _Verifier:
    """Checks proposed citations and figure ids against this request's evidence."""

    def __init__(
        self,
        hits: Sequence[SearchHit],
        store: IndexStore | None,
        findings: Sequence[Finding] = (),
        extra: set[str] | None = None,
    ) -> None:
        self.allowed = {h.chunk_id for h in hits} | (extra or set())
        self.store = store if store is not None else cast(IndexStore, _HitStore(hits))
        self.findings = {f.id: f for f in findings}
        self.cases = {h.case_id for h in hits if h.case_id}

    def unknown_cases(self, text: str) -> list[str]:
        """事例n / 参考n named in the text but not among the retrieved passages."""
        found = (m.group(1) + m.group(2) for m in _CASE_RE.finditer(normalize_query(text)))
        return [c for c in dict.fromkeys(found) if c not in self.cases]

    def case_errors(self, path: str, text: str) -> list[str]:
        return [
            f"{path}.text: 「{c}」は今回渡された資料にない事例です（本文で触れないでください）"
            for c in self.unknown_cases(text)
        ]

    def citation(self, proposed: DraftCitation) -> Citation:
        cite = Citation(chunk_id=proposed.chunk_id, quote=proposed.quote)
        if proposed.chunk_id not in self.allowed:  # same words whether or not it is indexed
            return cite.model_copy(update={"verified": False, "problem": NOT_RETRIEVED})
        return verify_citation(cite, self.store, self.allowed)

    def citation_errors(self, path: str, cites: Sequence[DraftCitation]) -> list[str]:
        out = []
        for i, c in enumerate(cites):
            checked = self.citation(c)
            if not checked.verified:
                out.append(
                    f"{path}.citations[{i}]: chunk_id「{c.chunk_id}」quote「{_short(c.quote)}」"
                    f": {checked.problem}"
                )
        return out

    def figure_errors(self, path: str, ids: Sequence[str]) -> list[str]:
        return [
            f"{path}.figure_ids[{i}]: 「{fid}」は今回渡された所見にありません"
            for i, fid in enumerate(ids)
            if fid not in self.findings
        ]

    def keep_citations(
        self, path: str, cites: Sequence[DraftCitation], dropped: list[str]
    ) -> list[Citation]:
        kept: list[Citation] = []
        for c in cites:
            checked = self.citation(c)
            if checked.verified:
                if all(k.chunk_id != checked.chunk_id or k.quote != checked.quote for k in kept):
                    kept.append(checked)
            else:
                dropped.append(
                    f"検証できない引用を削除しました: {path}: {c.chunk_id}"
                    f"「{_short(c.quote)}」: {checked.problem}"
                )
        return kept

    def keep_figures(self, path: str, ids: Sequence[str], dropped: list[str]) -> list[FigureRef]:
        out: list[FigureRef] = []
        for fid in dict.fromkeys(ids):
            finding = self.findings.get(fid)
            if finding is None:
                dropped.append(f"不明な所見IDを削除しました: {path}: {fid}")
                continue
            out.append(
                FigureRef(
                    finding_id=finding.id,
                    sentence=finding.sentence,
                    metric=finding.metric,
                    value=finding.value,
                    unit=finding.unit,
                    area_code=finding.area_code,
                    area_name=finding.area_name,
                    year=finding.year,
                    n=finding.n,
                    filter=finding.filter,
                    synthetic=finding.synthetic,
                )
            )
        return out


_CASE_RE = re.compile(r"(事例|参考)\s*(\d+)")


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _draft_errors(draft: SheetDraft, verifier: _Verifier) -> list[str]:
    if not any(s.text.strip() for _, s in draft.statements()):
        return ["すべての欄が空です。各欄に文を書いてください。"]
    errors: list[str] = []
    for path, s in draft.statements():
        errors += verifier.citation_errors(path, s.citations)
        errors += verifier.figure_errors(path, s.figure_ids)
        errors += verifier.case_errors(path, s.text)
    return errors


def _answer_errors(answer: AnswerDraft, verifier: _Verifier) -> list[str]:
    if not answer.answer.strip():
        return ["answer が空です。"]
    errors = verifier.citation_errors("answer", answer.citations)
    errors += verifier.case_errors("answer", answer.answer)
    if not answer.citations:
        errors.append("citations が空です。回答の根拠となる passage を引用してください。")
    return errors


# ------------------------------------------------------------- asking and repairing


@dataclass
class _Attempt:
    parsed: BaseModel | None
    raw: str
    errors: list[str]


@dataclass
class _Run:
    """The outcome of ask → check → (repair once)."""

    parsed: BaseModel | None
    raw: str | None
    messages: list[str]
    failure: str | None = None


def parse_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in free text (code fences and chatter around it ignored)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    raise ValueError("出力に JSON オブジェクトが見つかりません")


def _validation_messages(err: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc']) or '(全体)'}: {e['msg']}" for e in err.errors()[:20]
    ]


class _Caller:
    """Calls the model with structured output when it supports it, else JSON-in-text.

    ``with_structured_output`` (the provider's default method) is tried first; a model
    without it (NotImplementedError, e.g. the fakes) or a server that rejects the request
    switches this caller to the plain path, where the JSON schema in the prompt and
    ``parse_json_object`` do the work. llama-cpp-python's server rejects ``json_schema``
    at once and lands here; its ``json_object`` grammar mode is deliberately not used:
    with Gemma's 262k vocabulary it ran ~25× slower than plain text (335 s vs 14 s).
    """

    def __init__(self, model: BaseChatModel, schema: type[BaseModel]) -> None:
        self.model = model
        self.schema = schema
        self.structured: Any = None
        try:
            self.structured = model.with_structured_output(schema, include_raw=True)
        except (NotImplementedError, ValueError, TypeError):
            self.structured = None

    def ask(self, messages: list[BaseMessage]) -> _Attempt:
        if self.structured is not None:
            try:
                out = self.structured.invoke(messages)
            except Exception as err:  # provider errors vary by backend; fall back
                log.info("structured output unavailable (%s); using JSON-in-text", err)
                self.structured = None
            else:
                parsed = out.get("parsed") if isinstance(out, dict) else None
                raw_msg = out.get("raw") if isinstance(out, dict) else None
                if isinstance(parsed, self.schema):
                    return _Attempt(parsed, parsed.model_dump_json(), [])
                return self._from_text(_message_text(raw_msg))
        reply = self.model.invoke(messages)
        return self._from_text(_message_text(reply))

    def _from_text(self, text: str) -> _Attempt:
        if not text.strip():
            return _Attempt(None, text, ["出力が空です。"])
        try:
            obj = parse_json_object(text)
        except ValueError as err:
            return _Attempt(None, text, [f"JSON として読み取れません: {err}"])
        try:
            return _Attempt(self.schema.model_validate(obj), text, [])
        except ValidationError as err:
            return _Attempt(
                None, text, ["スキーマに合いません: " + m for m in _validation_messages(err)]
            )


def _message_text(message: object) -> str:
    if message is None:
        return ""
    if isinstance(message, BaseMessage):
        tool_calls = getattr(message, "tool_calls", None) or []
        text = str(message.text)
        if not text.strip() and tool_calls:
            return json.dumps(tool_calls[0].get("args", {}), ensure_ascii=False)
        return text
    return str(message)


def _run(
    model: BaseChatModel,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    prompt: Prompt,
    check: Callable[[Any], list[str]],
) -> _Run:
    """Ask, check, and when anything is wrong send the errors back exactly once."""
    caller = _Caller(model, schema)
    notes: list[str] = []
    try:
        first = caller.ask(messages)
    except Exception as err:  # network/provider failures come in many types
        return _Run(
            None, None, notes, f"LLM の呼び出しに失敗しました（{type(err).__name__}: {err}）"
        )
    if first.parsed is not None:
        first.errors = check(first.parsed)
    if not first.errors:
        return _Run(first.parsed, first.raw, notes)

    notes.append(f"LLM の出力に問題が{len(first.errors)}件あったため、修正を1回依頼しました。")
    listed = "\n".join(f"- {escape_data(e)}" for e in first.errors[:MAX_REPAIR_ERRORS])
    repair = prompt.render("repair", errors=f"<errors>\n{listed}\n</errors>")
    retry = [*messages, AIMessage(first.raw or "（出力なし）"), HumanMessage(repair)]
    try:
        second = caller.ask(retry)
    except Exception as err:  # as above: any failure of the repair call
        second = _Attempt(None, "", [f"{type(err).__name__}: {err}"])
    if second.parsed is not None:
        second.errors = check(second.parsed)
        return _Run(second.parsed, second.raw, notes)
    if first.parsed is not None:
        notes.append(
            "修正後の出力が読み取れなかったため、最初の出力のうち検証できた部分だけを使いました。"
        )
        return _Run(first.parsed, first.raw, notes)
    reason = "; ".join((second.errors or first.errors)[:3])
    return _Run(
        None, second.raw or first.raw, notes, f"LLM の出力を読み取れませんでした（{reason}）"
    )


# ---------------------------------------------------------------------------- drafting


def _area_ref(area: AreaRef | Area) -> AreaRef:
    if isinstance(area, AreaRef):
        return area
    return AreaRef(
        code=area.code,
        name=area.name,
        level=area.level,
        pref_name=area.pref_name,
        synthetic=area.synthetic,
    )


def draft_sheet_with_llm(
    *,
    area: AreaRef | Area,
    theme: str,
    findings: Sequence[Finding],
    hits: Sequence[SearchHit],
    settings: Settings,
    examples: Sequence[ExampleSheet] = (),
    issue_text: str | None = None,
    store: IndexStore | None = None,
    model: BaseChatModel | None = None,
    embedder: str = "",
    index_version: str = "",
    data_year: int | None = None,
) -> LLMDraftOutcome:
    """Draft an issue sheet with the LLM; only verified citations and known figures survive.

    ``hits`` are the passages retrieved for this draft, best first; those that fit the
    prompt (``select_passages``) are the only citable chunks, plus the example sheets'
    field chunks when ``store`` (the index, which also confirms each cited chunk exists)
    has them. Indicators are left empty for the caller (drafting's ``fill_missing``).
    Returns ``sheet=None`` with a Japanese reason when the output is unusable.
    """
    prompt = load_prompt("draft_sheet")
    area_ref = _area_ref(area)
    hits = select_passages(list(hits))
    examples = list(examples)[:MAX_EXAMPLES]
    try:
        model = model or chat_model(settings)
    except InputError as err:
        return LLMDraftOutcome(
            None, [f"{err} オフラインの下書き機能に切り替えます。"], prompt_version=prompt.version
        )
    label = _model_label(settings, model)
    citable = (
        {i for i in example_chunk_ids(examples) if i in store.by_id} if store is not None else set()
    )
    verifier = _Verifier(hits, store, findings, citable)
    messages = build_draft_messages(
        area=area_ref,
        theme=theme,
        findings=findings,
        examples=examples,
        hits=hits,
        issue_text=issue_text,
        prompt=prompt,
        citable_examples=citable,
        system_role=accepts_system_role(label),
    )
    run = _run(
        model, SheetDraft, messages, prompt, lambda d: _draft_errors(cast(SheetDraft, d), verifier)
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

    def statement(path: str, d: DraftStatement) -> dict[str, Any]:
        citations = verifier.keep_citations(path, d.citations, dropped)
        unknown = verifier.unknown_cases(d.text)
        if unknown:  # a sentence about a case nobody retrieved must not look backed
            dropped.append(
                f"検索されていない事例（{'、'.join(unknown)}）に触れているため、"
                f"{path} の引用を外しました"
            )
            citations = []
        return {
            "text": d.text.strip(),
            "citations": citations,
            "figures": verifier.keep_figures(path, d.figure_ids, dropped),
            "note": f"未確認の事例参照: {'、'.join(unknown)}" if unknown else "",
        }

    sheet = IssueSheet(
        title=draft.title.strip() or f"{area_ref.name} {THEME_LABELS.get(theme, theme)}",
        area=area_ref,
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
    unbacked = sheet.unbacked_fields()
    notes += dropped
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


def draft_with_llm(
    request: DraftRequest,
    context: DraftContext,
    settings: Settings,
    model: BaseChatModel | None = None,
) -> LLMDraftOutcome:
    """drafting.py's entry point: everything citable comes from the gathered context."""
    return draft_sheet_with_llm(
        area=context.area,
        theme=context.theme,
        findings=context.findings,
        hits=context.hits,
        settings=settings,
        examples=context.examples,
        issue_text=request.issue_text,
        store=context.store,
        model=model,
        embedder=context.embedder,
        index_version=context.index_version,
        data_year=context.data_year,
    )


# ----------------------------------------------------------------------------- answers


def answer_question(
    question: str,
    hits: Sequence[SearchHit],
    settings: Settings,
    model: BaseChatModel | None = None,
    store: IndexStore | None = None,
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
    model = model or chat_model(settings)
    label = _model_label(settings, model)
    verifier = _Verifier(hits, store)
    messages = build_answer_messages(question, hits, prompt, accepts_system_role(label))
    run = _run(
        model,
        AnswerDraft,
        messages,
        prompt,
        lambda a: _answer_errors(cast(AnswerDraft, a), verifier),
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
    dropped: list[str] = []
    citations = verifier.keep_citations("answer", draft.citations, dropped)
    notes += dropped
    unknown = verifier.unknown_cases(draft.answer)
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


__all__ = [
    "AnswerDraft",
    "DraftCitation",
    "LLMAnswer",
    "LLMDraftOutcome",
    "SheetDraft",
    "answer_question",
    "build_answer_messages",
    "build_draft_messages",
    "chat_model",
    "describe_model",
    "draft_sheet_with_llm",
    "draft_with_llm",
    "parse_json_object",
]
