"""Drafting an issue sheet: gather the evidence once, then compose offline or with an LLM.

``gather_context`` resolves the area, reads the report findings, picks the guideline's
example sheet for the theme and retrieves passages for the problem; ``draft_sheet`` turns
that context into a verified sheet (offline composer by default, LLM when asked and
configured, falling back to the composer when the LLM output is unusable) and stores it.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from facilitator.corpus.parsers.base import ExampleSheet
from facilitator.errors import FacilitatorError, InputError
from facilitator.reports.models import Area, Finding
from facilitator.search.index import IndexStore
from facilitator.search.searcher import RRF_K, Searcher, SearchFilters, SearchHit, SearchResult
from facilitator.settings import Settings
from facilitator.sheets.citations import verify_sheet
from facilitator.sheets.model import AreaRef, IssueSheet
from facilitator.sheets.store import SheetStore
from facilitator.text import normalize_query
from facilitator.themes import THEME_LABELS

log = logging.getLogger(__name__)

DRAFT_THEMES: tuple[str, ...] = ("ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo")
EXAMPLE_DOC_ORDER: tuple[str, ...] = ("guideline-2025", "niihama-saijo-council")
"""Example sheets are preferred in this order (the guideline's own first)."""
THEME_PASS_K = 8
CASEBOOK_PASS_K = 6
QUERY_MAX_CHARS = 160
"""Embedding a query costs time in proportion to its length (~0.1 s per 50 chars on 2 cores)."""
MAX_PRECEDENTS = 3
MAX_SURVEY_PRECEDENTS = 1
SURVEY_MEASURE_QUESTIONS = (1, 3)
"""Survey questions whose answers are initiatives (①具体的な取組, ③普及啓発); ② and ④ are not."""
USER_QUERY_WEIGHT = 2.0
"""The coordinator's own problem statement counts double when ranking passages."""
LLM_SETUP_HELP = (
    "LLM が設定されていません。環境変数 FACILITATOR_LLM_MODEL（例: openai:gpt-4o-mini）と、"
    "OpenAI 互換サーバーを使う場合は FACILITATOR_LLM_BASE_URL（例: http://localhost:8000/v1）を"
    "設定してください。LLM なしの下書きは --llm を付けずに実行できます。"
)
_CACHE_SIZE = 512
_RESULT_CACHE: weakref.WeakKeyDictionary[Searcher, dict[tuple[Any, ...], SearchResult]] = (
    weakref.WeakKeyDictionary()
)


class DraftRequest(BaseModel):
    """What the coordinator asks for: an area (code or name), a theme and optionally a problem."""

    area: str = Field(description="市町村・二次医療圏・都道府県のコードまたは名称")
    theme: str = Field(description="ichigo | jikangai | nyutaiin | zaitaku | kaigo")
    issue_text: str | None = Field(default=None, description="地域で感じている課題（任意）")
    year: int | None = Field(default=None, description="報告年（省略時は最新）")
    use_llm: bool = False


class QueryRun(BaseModel):
    """One search made for a draft: what was asked, with which filters, what came back."""

    query: str
    purpose: str = Field(description="user | issue | measure-N")
    filters: dict[str, str] = Field(default_factory=dict)
    confident: bool
    chunk_ids: list[str] = Field(description="ranked, best first")
    highlights: dict[str, list[str]] = Field(
        default_factory=dict, description="chunk id -> verbatim sentences matching this query"
    )


class Precedent(BaseModel):
    """A case (or a prefecture's survey answer) that speaks to the problem, with its best passage."""

    key: str = Field(description="事例n / 参考n, or 'survey:<自治体>'")
    chunk_id: str = Field(description="the case's best retrieved passage")
    sentences: list[str] = Field(
        default_factory=list, description="verbatim sentences of it matching the queries"
    )
    found_by: list[str] = Field(default_factory=list, description="purposes of the queries")
    score: float


class DraftContext(BaseModel):
    """Everything a drafter may use; nothing outside it can be cited."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    request: DraftRequest
    theme: str
    area: AreaRef
    area_record: Area | None = Field(default=None, description="the report data's area, if any")
    findings: list[Finding] = Field(default_factory=list)
    data_year: int | None = None
    data_message: str | None = Field(default=None, description="why there are no figures")
    examples: list[ExampleSheet] = Field(
        default_factory=list, description="the theme's example sheets, preferred first"
    )
    hits: list[SearchHit] = Field(
        default_factory=list, description="unique retrieved passages, best first"
    )
    runs: list[QueryRun] = Field(default_factory=list)
    precedents: list[Precedent] = Field(default_factory=list, description="best first")
    index_version: str = ""
    embedder: str = ""
    store: IndexStore | None = Field(default=None, exclude=True, repr=False)

    @property
    def example(self) -> ExampleSheet | None:
        return self.examples[0] if self.examples else None

    @property
    def retrieved_ids(self) -> list[str]:
        return [h.chunk_id for h in self.hits]

    @property
    def example_chunk_ids(self) -> list[str]:
        out: list[str] = []
        for ex in self.examples:
            ids = list(ex.chunk_ids.values())
            ids += [i.chunk_id for i in (*ex.causes, *ex.measures) if i.chunk_id]
            out += [i for i in ids if i not in out]
        return out

    @property
    def allowed_ids(self) -> set[str]:
        """Chunks a draft may cite: what was retrieved plus the example sheets' fields."""
        return set(self.retrieved_ids) | set(self.example_chunk_ids)

    @property
    def issue_text(self) -> str | None:
        return self.request.issue_text


class DraftResult(BaseModel):
    """The drafted (and, when asked, stored) sheet with what happened on the way."""

    sheet: IssueSheet
    messages: list[str] = Field(default_factory=list)
    saved: bool = False


def check_request(request: DraftRequest) -> DraftRequest:
    """Normalise and validate, with Japanese messages (pydantic's would be English)."""
    area = normalize_query(request.area or "")
    theme = (request.theme or "").strip().lower()
    if not area:
        raise InputError(
            "地域（--area）が空です。市町村・二次医療圏・都道府県のコードまたは名称を指定してください。"
        )
    if theme not in DRAFT_THEMES:
        raise InputError(
            f"テーマ「{request.theme}」は不明です（{' / '.join(DRAFT_THEMES)} のいずれか）。"
        )
    issue = normalize_query(request.issue_text or "") or None
    return request.model_copy(update={"area": area, "theme": theme, "issue_text": issue})


def _resolve_area(
    request: DraftRequest, settings: Settings
) -> tuple[AreaRef, Area | None, list[Finding], int | None, str | None]:
    """Area and findings from the report data; without data, the area as typed and a note."""
    from facilitator.reports import NoReportDataError, find_area, findings_for

    try:
        area = find_area(request.area, request.year, settings=settings)
    except NoReportDataError:
        ref = AreaRef(code=request.area, name=request.area)
        return (
            ref,
            None,
            [],
            request.year,
            (
                f"報告データがまだ取り込まれていないため、{request.area}の現状の数値は記載していません"
                "（`facilitator reports import` で取り込むか、`facilitator reports load-sample` で架空データを読み込んでください）。"
            ),
        )
    ref = AreaRef(
        code=area.code,
        name=area.name,
        level=area.level,
        pref_name=area.pref_name,
        synthetic=area.synthetic,
    )
    try:
        findings = findings_for(area, request.theme, request.year, settings=settings)
    except NoReportDataError as exc:
        return (
            ref,
            area,
            [],
            request.year,
            (f"{area.name}の報告データがないため、現状の数値は記載していません（{exc}）。"),
        )
    year = findings[0].year if findings else request.year
    return ref, area, findings, year, None


def example_sheets(store: IndexStore, theme: str) -> list[ExampleSheet]:
    """The theme's example sheets, the guideline's first, then local ones."""
    rank = {doc: i for i, doc in enumerate(EXAMPLE_DOC_ORDER)}
    found = [s for s in store.sheets if s.theme == theme]
    return sorted(found, key=lambda s: (rank.get(s.doc_id, len(rank)), s.doc_id))


def _search(searcher: Searcher, query: str, k: int, filters: SearchFilters) -> SearchResult:
    """Searcher.search with a per-searcher memo: a theme's example-sheet queries repeat."""
    cache = _RESULT_CACHE.setdefault(searcher, {})
    key = (searcher.store.version, query, k, tuple(sorted(filters.model_dump().items())))
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = searcher.search(query, k=k, filters=filters)
    return cache[key]


def draft_queries(
    theme: str, example: ExampleSheet | None, issue_text: str | None
) -> list[tuple[str, str, str]]:
    """(purpose, pass, query) triples: ``theme`` pass for context, ``casebook`` for precedents."""
    label = THEME_LABELS.get(theme, theme)
    out: list[tuple[str, str, str]] = []
    if issue_text:
        out += [("user", "theme", issue_text), ("user", "casebook", issue_text)]
    if example is not None:
        if not issue_text:
            causes = " ".join(c.text for c in example.causes)
            out.append(("issue", "theme", f"{label} {example.issue} {causes}"[:QUERY_MAX_CHARS]))
        out.append(("issue", "casebook", example.issue))
        out += [(f"measure-{m.number}", "casebook", m.text) for m in example.measures]
    elif not issue_text:
        out += [("issue", "theme", label), ("issue", "casebook", label)]
    return out


def precedent_key(hit: SearchHit) -> str | None:
    """Precedents are cases (事例n / 参考n) or prefectures' answers about initiatives."""
    if hit.metadata.get("section_kind") == "intro":
        return None
    if hit.case_id:
        return hit.case_id
    respondent = hit.metadata.get("respondent")
    if respondent and hit.metadata.get("question") in SURVEY_MEASURE_QUESTIONS:
        return f"survey:{respondent}"
    return None


def rank_precedents(runs: list[QueryRun], hits: dict[str, SearchHit]) -> list[Precedent]:
    """The best precedents over the confident casebook searches, one passage per case.

    A passage scores by reciprocal rank summed over the queries that found it (the user's
    own problem counts double, a case's 概要 half); at most one survey answer is kept.
    """
    score: dict[str, float] = {}
    found_by: dict[str, list[str]] = {}
    matched: dict[str, list[str]] = {}
    for run in runs:
        if not run.confident or run.filters.get("doc_kind") != "casebook":
            continue
        weight = USER_QUERY_WEIGHT if run.purpose == "user" else 1.0
        for rank, cid in enumerate(run.chunk_ids):
            hit = hits.get(cid)
            if hit is None or precedent_key(hit) is None:
                continue
            factor = 0.5 if hit.metadata.get("section_kind") == "overview" else 1.0
            score[cid] = score.get(cid, 0.0) + weight * factor / (RRF_K + rank + 1)
            found_by.setdefault(cid, []).append(run.purpose)
            seen = matched.setdefault(cid, [])
            seen += [s for s in run.highlights.get(cid, []) if s not in seen]
    best: dict[str, str] = {}
    for cid in sorted(score, key=lambda c: (-score[c], c)):
        best.setdefault(precedent_key(hits[cid]) or "", cid)
    out: list[Precedent] = []
    surveys = 0
    for key, cid in sorted(best.items(), key=lambda kv: (-score[kv[1]], kv[0])):
        if key.startswith("survey:"):
            if surveys >= MAX_SURVEY_PRECEDENTS:
                continue
            surveys += 1
        out.append(
            Precedent(
                key=key,
                chunk_id=cid,
                sentences=matched[cid],
                found_by=found_by[cid],
                score=round(score[cid], 6),
            )
        )
        if len(out) >= MAX_PRECEDENTS:
            break
    return out


def gather_context(request: DraftRequest, settings: Settings, searcher: Searcher) -> DraftContext:
    """Resolve the area, read its findings, pick the example sheet and retrieve passages.

    Raises:
        InputError: empty area, unknown theme.
        AreaNotFoundError / AmbiguousAreaError: the area is not in the report data.
    """
    request = check_request(request)
    area, record, findings, year, message = _resolve_area(request, settings)
    store = searcher.store
    examples = example_sheets(store, request.theme)
    runs: list[QueryRun] = []
    hits: dict[str, SearchHit] = {}
    scores: dict[str, float] = {}
    for purpose, which, query in draft_queries(
        request.theme, examples[0] if examples else None, request.issue_text
    ):
        filters = SearchFilters(
            theme=request.theme, doc_kind="casebook" if which == "casebook" else None
        )
        k = CASEBOOK_PASS_K if which == "casebook" else THEME_PASS_K
        result = _search(searcher, query, k, filters)
        runs.append(
            QueryRun(
                query=query,
                purpose=purpose,
                filters=result.filters,
                confident=result.confident,
                chunk_ids=[h.chunk_id for h in result.hits],
                highlights={h.chunk_id: h.highlights for h in result.hits},
            )
        )
        weight = USER_QUERY_WEIGHT if purpose == "user" else 1.0
        for rank, hit in enumerate(result.hits):
            hits.setdefault(hit.chunk_id, hit)
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (60 + rank + 1)
    ranked = sorted(hits, key=lambda cid: (-scores[cid], cid))
    return DraftContext(
        request=request,
        theme=request.theme,
        area=area,
        area_record=record,
        findings=findings,
        data_year=year,
        data_message=message,
        examples=examples,
        hits=[hits[cid] for cid in ranked],
        runs=runs,
        precedents=rank_precedents(runs, hits),
        index_version=store.version,
        embedder=searcher.embedder.name,
        store=store,
    )


def finalize(
    sheet: IssueSheet, context: DraftContext, store: IndexStore
) -> tuple[IssueSheet, list[str]]:
    """Verify every citation against this draft's evidence and keep only verified ones."""
    checked, problems = verify_sheet(sheet, store, allowed=context.allowed_ids)
    for _, statement in checked.statements():
        statement.citations = [c for c in statement.citations if c.verified]
    notes = [f"検証できない引用を除きました: {p}" for p in problems]
    checked.provenance.messages = [*checked.provenance.messages, *notes]
    checked.provenance.retrieved_chunk_ids = context.retrieved_ids
    return checked, notes


def _llm_draft(
    request: DraftRequest, context: DraftContext, settings: Settings
) -> tuple[IssueSheet | None, list[str]]:
    """The LLM's verified sheet, or None and why (never raises for an unusable output)."""
    try:
        from facilitator.drafting import llm
    except ImportError as exc:
        log.warning("facilitator.llm unavailable: %s", exc)
        return None, [f"LLM 下書き機能を読み込めませんでした（{exc}）。"]
    try:
        outcome = llm.draft_with_llm(request, context, settings)
    except FacilitatorError as exc:
        return None, [f"LLM での下書きに失敗しました（{exc}）。"]
    return outcome.sheet, list(outcome.messages)


def draft_sheet(
    request: DraftRequest,
    settings: Settings,
    searcher: Searcher | None = None,
    store: SheetStore | None = None,
    save: bool = True,
) -> DraftResult:
    """Draft an issue sheet for an area and theme, verify its citations, and store it.

    Offline (default) the composer writes a deterministic draft. With ``use_llm`` the
    configured LLM drafts; if it fails or its output is unusable, the composer's draft
    is used and ``provenance.mode`` is ``llm-fallback``.

    Raises:
        InputError: bad area/theme, or ``use_llm`` without an LLM configured.
        AreaNotFoundError: the area is not in the report data.
        IndexNotBuiltError: no index yet.
    """
    from facilitator.drafting.offline import compose_sheet, fill_missing

    request = check_request(request)
    if request.use_llm and not settings.llm_model:
        raise InputError(LLM_SETUP_HELP)
    searcher = searcher or Searcher(settings)
    context = gather_context(request, settings, searcher)
    sheet: IssueSheet | None = None
    mode: Literal["offline", "llm", "llm-fallback"] = "offline"
    before: list[str] = []
    if request.use_llm:
        sheet, llm_messages = _llm_draft(request, context, settings)
        if sheet is None:
            mode = "llm-fallback"
            before = [
                *llm_messages,
                "LLM の下書きが使えなかったため、オフラインの下書き機能（定型の組み立て）で作成しました。",
            ]
        else:
            mode = "llm"
            sheet = fill_missing(sheet, context)
            before = [m for m in llm_messages if m not in sheet.provenance.messages]
    if sheet is None:
        sheet = compose_sheet(context, searcher.store)
    sheet.provenance.mode = mode
    if mode == "llm-fallback":
        sheet.provenance.llm_model = settings.llm_model
    sheet.provenance.messages = [*before, *sheet.provenance.messages]
    if context.data_message and context.data_message not in sheet.provenance.messages:
        sheet.provenance.messages.append(context.data_message)
    sheet, _ = finalize(sheet, context, searcher.store)
    messages = list(dict.fromkeys(sheet.provenance.messages))
    if save:
        store = store or SheetStore(settings)
        sheet = store.save(sheet, message=f"下書き（{mode}）")
    return DraftResult(sheet=sheet, messages=messages, saved=save)
