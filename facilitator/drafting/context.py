"""What a draft is made from: the request, the area's figures, the example sheets and the
passages retrieved for the problem, gathered once and handed to a drafter.

This module depends on nothing else in ``facilitator.drafting``; the offline composer,
the LLM drafter and the orchestrator all read a :class:`DraftContext`.
"""

from __future__ import annotations

import weakref
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from facilitator.analysis.catalogue import (
    Match,
    Pattern,
    ThemeCatalogue,
    applies,
    holds,
    load_catalogue,
    match,
    unrenderable,
)
from facilitator.analysis.profile import GapProfile, build_profile
from facilitator.corpus.chunks import Chunk
from facilitator.corpus.parsers.base import ExampleSheet, example_chunk_ids
from facilitator.errors import InputError
from facilitator.reports import NoReportDataError, area_findings
from facilitator.reports.models import Area, Finding
from facilitator.search.fusion import reciprocal_rank, rrf
from facilitator.search.hits import SearchHit, SearchResult, is_survey_key, precedent_key
from facilitator.search.index import IndexStore
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings
from facilitator.sheets.model import AreaRef
from facilitator.text import normalize_query
from facilitator.themes import THEME_LABELS, parse_theme

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

    @field_validator("area", mode="before")
    @classmethod
    def _area(cls, value: object) -> str:
        area = normalize_query(str(value or ""))
        if not area:
            raise InputError(
                "地域（--area）が空です。市町村・二次医療圏・都道府県のコードまたは名称を指定してください。"
            )
        return area

    @field_validator("theme", mode="before")
    @classmethod
    def _theme(cls, value: object) -> str:
        return parse_theme(str(value) if value is not None else None)

    @field_validator("issue_text", mode="before")
    @classmethod
    def _issue(cls, value: object) -> str | None:
        return normalize_query(str(value or "")) or None


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
    catalogue_message: str | None = Field(
        default=None, description="catalogue patterns left out because their texts do not fill"
    )
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
    profile: GapProfile | None = Field(
        default=None, description="where the area stands on the theme (None without data)"
    )
    matches: list[Match] = Field(
        default_factory=list, description="catalogue patterns that hold, strongest first"
    )
    catalogue_theme: ThemeCatalogue | None = None

    @property
    def example(self) -> ExampleSheet | None:
        return self.examples[0] if self.examples else None

    @property
    def retrieved_ids(self) -> list[str]:
        return [h.chunk_id for h in self.hits]

    @property
    def example_chunk_ids(self) -> list[str]:
        return example_chunk_ids(self.examples)

    @property
    def chunks(self) -> dict[str, Chunk]:
        """What a draft may cite, by id: the index when known, else the retrieved hits."""
        if self.store is not None:
            return self.store.by_id
        return {h.chunk_id: h.chunk for h in self.hits}

    @property
    def catalogue_chunk_ids(self) -> list[str]:
        """Chunks the matched catalogue patterns cite (their authors chose these sources)."""
        out: list[str] = []
        for m in self.matches:
            out += [s.chunk for s in m.pattern.all_sources() if s.chunk not in out]
        return out

    @property
    def allowed_ids(self) -> set[str]:
        """Chunks a draft may cite: what was retrieved, the example sheets' fields and the
        sources of the catalogue patterns that hold for the area."""
        return set(self.retrieved_ids) | set(self.example_chunk_ids) | set(self.catalogue_chunk_ids)

    @property
    def issue_text(self) -> str | None:
        return self.request.issue_text


def _resolve_area(
    request: DraftRequest, settings: Settings
) -> tuple[AreaRef, Area | None, list[Finding], int | None, str | None]:
    """Area and findings from the report data; without data, the area as typed and a note."""
    try:
        area, findings, missing = area_findings(
            request.area, request.theme, request.year, settings=settings
        )
    except NoReportDataError:
        return (
            AreaRef(code=request.area, name=request.area),
            None,
            [],
            request.year,
            f"報告データがまだ取り込まれていないため、{request.area}の現状の数値は記載していません"
            "（`facilitator reports import` で取り込むか、`facilitator reports load-sample` で"
            "架空データを読み込んでください）。",
        )
    ref = AreaRef.from_area(area)
    if missing is not None:
        message = f"{area.name}の報告データがないため、現状の数値は記載していません（{missing}）。"
        return ref, area, [], request.year, message
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
    theme: str,
    example: ExampleSheet | None,
    issue_text: str | None,
    matches: list[Match] | None = None,
    profile: GapProfile | None = None,
) -> list[tuple[str, str, str]]:
    """(purpose, pass, query) triples: ``theme`` pass for context, ``casebook`` for precedents.

    With the area's data, precedents are searched with the area's own problems (the
    matched patterns and their measures), not with the guideline's example wording;
    a rural area also asks for what was done where doctors are few. A fallback pattern
    (nothing below the prefecture) is searched by its measures only.
    """
    label = THEME_LABELS.get(theme, theme)
    out: list[tuple[str, str, str]] = []
    if issue_text:
        out += [("user", "theme", issue_text), ("user", "casebook", issue_text)]
    if matches and profile is not None:
        for m in matches[:2]:
            title = m.pattern.title
            out.append(("issue", "theme", f"{label} {title}"[:QUERY_MAX_CHARS]))
            if not m.pattern.fallback:  # "nothing below average" is no problem to search
                out.append(("issue", "casebook", title))
            if profile.rural and not m.pattern.fallback:
                out.append(("area", "casebook", f"{title} 医師の少ない地域・中山間地域"))
            for option in m.pattern.measures:
                if option.precedent_query and all(holds(c, profile) for c in option.requires):
                    out.append((f"measure-{option.id}", "casebook", option.precedent_query))
        return list(dict.fromkeys(out))
    if example is not None:
        if not issue_text:
            causes = " ".join(c.text for c in example.causes)
            out.append(("issue", "theme", f"{label} {example.issue} {causes}"[:QUERY_MAX_CHARS]))
        out.append(("issue", "casebook", example.issue))
        out += [(f"measure-{m.number}", "casebook", m.text) for m in example.measures]
    elif not issue_text:
        out += [("issue", "theme", label), ("issue", "casebook", label)]
    return out


def initiative_key(hit: SearchHit) -> str | None:
    """The precedent a passage is, when it can become a measure: a case, or a prefecture's
    survey answer about an initiative (questions ① and ③, not ② and ④)."""
    key = precedent_key(hit)
    survey = is_survey_key(key)
    if survey and hit.metadata.get("question") not in SURVEY_MEASURE_QUESTIONS:
        return None
    return key


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
            if hit is None or initiative_key(hit) is None:
                continue
            factor = 0.5 if hit.metadata.get("section_kind") == "overview" else 1.0
            score[cid] = score.get(cid, 0.0) + weight * factor * reciprocal_rank(rank)
            found_by.setdefault(cid, []).append(run.purpose)
            seen = matched.setdefault(cid, [])
            seen += [s for s in run.highlights.get(cid, []) if s not in seen]
    best: dict[str, str] = {}
    for cid in sorted(score, key=lambda c: (-score[c], c)):
        best.setdefault(initiative_key(hits[cid]) or "", cid)
    out: list[Precedent] = []
    surveys = 0
    for key, cid in sorted(best.items(), key=lambda kv: (-score[kv[1]], kv[0])):
        if is_survey_key(key):
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


def _unfilled(patterns: list[Pattern], profile: GapProfile) -> str | None:
    """Say which patterns that hold were left out because a text names an unknown figure."""
    bad = [
        f"{p.id}（{key}）"
        for p in patterns
        if applies(p, profile) and (key := unrenderable(p, profile)) is not None
    ]
    if not bad:
        return None
    return (
        f"課題カタログのパターン {'、'.join(bad)} は、この地域の数値で文を埋められないため"
        "使っていません。「facilitator catalogue check」でカタログを確かめてください。"
    )


def gather_context(request: DraftRequest, settings: Settings, searcher: Searcher) -> DraftContext:
    """Resolve the area, read its findings, pick the example sheet and retrieve passages.

    Raises:
        InputError: empty area, unknown theme.
        AreaNotFoundError / AmbiguousAreaError: the area is not in the report data.
    """
    area, record, findings, year, message = _resolve_area(request, settings)
    store = searcher.store
    examples = example_sheets(store, request.theme)
    profile: GapProfile | None = None
    matches: list[Match] = []
    catalogue_message: str | None = None
    catalogue = load_catalogue(settings.catalogue_file)
    if record is not None and findings:
        profile = build_profile(record, request.theme, year, settings=settings)
        matches = match(catalogue, profile)
        catalogue_message = _unfilled(catalogue.theme(request.theme).patterns, profile)
    runs: list[QueryRun] = []
    hits: dict[str, SearchHit] = {}
    rankings: list[list[str]] = []
    weights: list[float] = []
    for purpose, which, query in draft_queries(
        request.theme, examples[0] if examples else None, request.issue_text, matches, profile
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
        rankings.append([h.chunk_id for h in result.hits])
        weights.append(USER_QUERY_WEIGHT if purpose == "user" else 1.0)
        for hit in result.hits:
            hits.setdefault(hit.chunk_id, hit)
    ranked = [cid for cid, _ in rrf(rankings, weights=weights)]
    return DraftContext(
        request=request,
        theme=request.theme,
        area=area,
        area_record=record,
        findings=findings,
        data_year=year,
        data_message=message,
        catalogue_message=catalogue_message,
        examples=examples,
        hits=[hits[cid] for cid in ranked],
        runs=runs,
        precedents=rank_precedents(runs, hits),
        index_version=store.version,
        embedder=searcher.embedder.name,
        store=store,
        profile=profile,
        matches=matches,
        catalogue_theme=catalogue.themes.get(request.theme),
    )
