"""Hybrid precedent search: BM25 (Sudachi) + dense (Chroma), fused by a convex combination.

Chroma's own hybrid search is not available locally, so fusion happens here as a
pure function. ``confident`` says whether anything really answers the query.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from facilitator.corpus.chunks import Chunk, Locator
from facilitator.corpus.parsers.base import CaseRecord
from facilitator.errors import InputError
from facilitator.search.embeddings import Embedder, load_embedder
from facilitator.search.index import IndexStore
from facilitator.search.lexical import tokenize
from facilitator.search.rerank import RERANK_DEPTH, Reranker, load_reranker
from facilitator.settings import Settings
from facilitator.text import comparable, normalize_query, same_comparable
from facilitator.themes import Theme, tag_code

log = logging.getLogger(__name__)

CANDIDATES = 50
RRF_K = 60
DENSE_SHARE = 0.6
"""Weight of the dense score in the convex fusion (the rest is BM25); see convex_fusion.
On bench/devset.jsonl, 0.6–0.7 gave nDCG@10 0.685 and recall@10 0.75–0.77 (RRF, k=60:
0.662 / 0.723); 0.4–0.5 were lower on precedents and guideline passages."""
MAX_PER_CASE = 2
# Confidence thresholds (see _confidence); chosen on bench/devset.jsonl, model-independent
# because dense evidence is measured against the corpus's own off-topic noise floor.
DENSE_Z = 3.0
COVERAGE = 0.6
DENSE_Z_MIXED = 2.0
COVERAGE_MIXED = 0.4


class SearchFilters(BaseModel):
    """Metadata filters; all given filters must hold."""

    theme: str | None = None
    tag: str | None = Field(default=None, description="focus tag label or ASCII code")
    category: str | None = Field(default=None, description="診療所 | 病院 | 地域の連携 | 参考事例")
    prefecture: str | None = None
    doc_kind: str | None = Field(default=None, description="guideline | casebook | local")
    case_id: str | None = None

    def conditions(self) -> list[tuple[str, str]]:
        """(Chroma metadata field, value) pairs, validated."""
        out: list[tuple[str, str]] = []
        if self.theme:
            if self.theme not in Theme.__members__:
                raise InputError(
                    f"テーマ「{self.theme}」は不明です（ichigo / jikangai / nyutaiin / zaitaku / kaigo）"
                )
            out.append(("themes", self.theme))
        if self.tag:
            try:
                out.append(("tags", tag_code(self.tag)))
            except KeyError:
                raise InputError(f"注目タグ「{self.tag}」は不明です") from None
        for field in ("category", "prefecture", "doc_kind", "case_id"):
            value = getattr(self, field)
            if value:
                out.append((field, normalize_query(value)))
        return out


class SearchHit(BaseModel):
    """One retrieved chunk; ``text`` is verbatim normalised source text."""

    chunk_id: str
    doc_title: str
    locator: str = Field(description="human locator, e.g. 「事例17 … 3. 取組の詳細 ③」")
    case_id: str | None
    text: str
    score: float
    doc_id: str
    doc_kind: str
    case_name: str | None = None
    location: Locator
    lexical_rank: int | None = None
    dense_rank: int | None = None
    highlights: list[str] = Field(default_factory=list, description="sentences matching the query")
    metadata: dict[str, Any] = Field(default_factory=dict)


class SearchResult(BaseModel):
    query: str
    mode: str = Field(description="hybrid | lexical | dense")
    confident: bool
    confidence: float = Field(description="0–1; below the threshold nothing really matches")
    dense_evidence: float = Field(
        default=0.0, description="best dense similarity, in SDs above off-topic probes"
    )
    lexical_coverage: float = Field(
        default=0.0, description="rarity-weighted share of query words in a top hit"
    )
    filters: dict[str, str] = Field(default_factory=dict)
    hits: list[SearchHit]
    index_version: str
    embedder: str
    reranker: str | None = None
    took_ms: float


def rrf(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion of ranked id lists (best first).

    Used where only ranks exist (similar cases: text rank and shared-tag rank) and by
    the ``fusion="rrf"`` setting.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + w / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def convex_fusion(
    lexical: dict[str, float],
    dense: dict[str, float],
    dense_floor: float,
    dense_missing: float | None = None,
    dense_share: float = DENSE_SHARE,
) -> list[tuple[str, float]]:
    """Fuse scores, not ranks: ``share·dense' + (1 − share)·bm25'`` over both candidate sets.

    BM25 is scaled by the query's best score. Dense similarity is scaled from
    ``dense_floor`` — what off-topic questions reach (the noise floor measured at
    ingest), i.e. "no relevance" — to the query's best; raw cosines are bunched, so
    scaling from the weakest retrieved one would blow tiny differences up to the full
    range. A candidate the dense side did not retrieve counts as ``dense_missing``
    (default: the weakest given). Unlike reciprocal-rank fusion, a chunk that one side
    finds far better than anything else (a rare literal term: 「救急隊」) keeps its
    lead instead of losing to chunks both sides rank moderately (Bruch et al., "An
    Analysis of Fusion Functions for Hybrid Retrieval", 2023).
    """
    top_lex = max(lexical.values(), default=0.0)
    top_dense = max(dense.values(), default=dense_floor)
    missing = min(dense.values(), default=dense_floor) if dense_missing is None else dense_missing
    span = top_dense - dense_floor
    scores: dict[str, float] = {}
    for cid in lexical.keys() | dense.keys():
        d = max(0.0, (dense.get(cid, missing) - dense_floor) / span) if span > 0 else 0.0
        lex = lexical.get(cid, 0.0) / top_lex if top_lex > 0 else 0.0
        scores[cid] = dense_share * d + (1.0 - dense_share) * lex
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def rerank(
    fused: list[tuple[str, float]],
    query: str,
    reranker: Reranker,
    store: IndexStore,
    depth: int = RERANK_DEPTH,
) -> list[tuple[str, float]]:
    """Reorder the fused head by the cross-encoder's score (which becomes the hit's score)."""
    head, tail = fused[:depth], fused[depth:]
    scores = reranker.scores(query, [store.by_id[cid].text for cid, _ in head])
    order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), head[i][0]))
    return [(head[i][0], float(scores[i])) for i in order] + tail


def collapse_repeats(hits: list[SearchHit]) -> tuple[list[SearchHit], dict[str, list[SearchHit]]]:
    """Hits to show (in order) and, per shown chunk id, the later hits repeating its text.

    Nothing is hidden: the repeats are meant to be named next to the passage they repeat.
    """
    kept: list[tuple[SearchHit, str]] = []  # each shown hit with its comparable text, once
    repeats: dict[str, list[SearchHit]] = {}
    for hit in hits:
        words = comparable(hit.text)
        twin = next((k for k, k_words in kept if same_comparable(k_words, words)), None)
        if twin is None:
            kept.append((hit, words))
        else:
            repeats.setdefault(twin.chunk_id, []).append(hit)
    return [k for k, _ in kept], repeats


def diversify(
    ranked: list[tuple[str, float]], group_of: Callable[[str], str | None], per_group: int
) -> list[tuple[str, float]]:
    """Keep at most ``per_group`` items of one group (case) before the rest.

    Ten sections of one case would hide the other precedents; the extra sections
    are moved after the diversified head rather than dropped.
    """
    head: list[tuple[str, float]] = []
    tail: list[tuple[str, float]] = []
    seen: dict[str, int] = {}
    for item in ranked:
        group = group_of(item[0])
        if group is None:
            head.append(item)
            continue
        seen[group] = seen.get(group, 0) + 1
        (head if seen[group] <= per_group else tail).append(item)
    return head + tail


_SENTENCE_RE = re.compile(r"[^。！？\n]+[。！？]?")


def matching_sentences(text: str, query_tokens: set[str], limit: int = 2) -> list[str]:
    """Sentences of ``text`` sharing the most content words with the query (verbatim)."""
    scored: list[tuple[int, int, str]] = []
    for i, m in enumerate(_SENTENCE_RE.finditer(text)):
        sentence = m.group(0).strip()
        if len(sentence) < 4:
            continue
        overlap = len(query_tokens & set(tokenize(sentence)))
        if overlap:
            scored.append((-overlap, i, sentence))
    scored.sort()
    return [s for _, _, s in scored[:limit]]


class Searcher:
    """Loads the index and the embedder once; answers many queries fast."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = IndexStore(settings)
        self.embedder = embedder or load_embedder(settings.embedding_model)
        if self.embedder.name != self.store.meta["embedder"]:
            raise InputError(
                f"索引は「{self.store.meta['embedder']}」で作成されています。現在の埋め込みモデル"
                f"「{self.embedder.name}」で使うには `facilitator ingest` で作り直してください。"
            )
        self.max_idf = max(self.store.lexical.idf.values(), default=1.0)
        self.reranker: Reranker | None = (
            load_reranker(settings.reranker_model) if settings.reranker_model else None
        )

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: str = "hybrid"
    ) -> SearchResult:
        t0 = time.perf_counter()
        q = normalize_query(query or "")
        if not q:
            raise InputError("検索語が空です。質問や語句を入力してください。")
        if k < 1 or k > 200:
            raise InputError("件数（--k）は 1〜200 で指定してください。")
        filters = filters or SearchFilters()
        conds = filters.conditions()
        store = self.store
        q_tokens = tokenize(q)

        mask = None
        if conds:
            mask = np.ones(len(store.chunks), dtype=bool)
            for field, value in conds:
                mask &= store.mask(field, value)
        n_allowed = int(mask.sum()) if mask is not None else len(store.chunks)

        lex_ids: list[str] = []
        lex_scores: dict[str, float] = {}
        if mode in ("hybrid", "lexical") and n_allowed:
            scores = store.lexical.scores(
                q_tokens, mask.astype(np.float32) if mask is not None else None
            )
            n = min(CANDIDATES, len(scores))
            top = np.argpartition(-scores, n - 1)[:n]
            top = top[np.argsort(-scores[top])]
            lex_scores = {store.chunks[i].chunk_id: float(scores[i]) for i in top if scores[i] > 0}
            lex_ids = list(lex_scores)

        dense_ids: list[str] = []
        dense_sims: list[float] = []
        dense_all: dict[str, float] = {}
        if mode in ("hybrid", "dense") and n_allowed:
            qv = self.embedder.embed_query(q)
            dense_all = self._dense(qv, conds, mask, n_allowed)
            ranked = sorted(dense_all.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]
            dense_ids = [cid for cid, _ in ranked]
            dense_sims = [sim for _, sim in ranked]

        if mode == "hybrid" and self.settings.fusion == "rrf":
            fused = rrf([r for r in (lex_ids, dense_ids) if r])
        elif mode == "hybrid":
            candidates = lex_scores.keys() | set(dense_ids)
            cal = store.meta.get("calibration", {"null_mean": 0.0})
            fused = convex_fusion(
                lex_scores,
                {c: dense_all[c] for c in candidates if c in dense_all},
                dense_floor=cal["null_mean"],
                dense_missing=min(dense_all.values(), default=None),
            )
        elif mode == "lexical":
            fused = list(lex_scores.items())
        else:
            fused = list(zip(dense_ids, dense_sims, strict=True))
        reranker = self.reranker if mode == "hybrid" else None
        if reranker is not None:
            fused = rerank(fused, q, reranker, store)
        fused = diversify(fused, lambda cid: store.by_id[cid].locator.case_id, MAX_PER_CASE)[:k]
        lex_rank = {cid: i + 1 for i, cid in enumerate(lex_ids)}
        dense_rank = {cid: i + 1 for i, cid in enumerate(dense_ids)}
        qset = set(q_tokens)
        hits = [
            _hit(store.chunk(cid), score, lex_rank.get(cid), dense_rank.get(cid), qset)
            for cid, score in fused
        ]
        confidence, dense_z, coverage = self._confidence(q_tokens, hits, dense_sims)
        return SearchResult(
            query=query,
            mode=mode,
            confident=confidence >= 0.5,
            confidence=round(confidence, 3),
            dense_evidence=dense_z,
            lexical_coverage=coverage,
            filters={f: v for f, v in conds},
            hits=hits,
            index_version=store.version,
            embedder=self.embedder.name,
            reranker=reranker.name if reranker is not None else None,
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
        )

    def _dense(
        self, qv: np.ndarray, conds: list[tuple[str, str]], mask: np.ndarray | None, n_allowed: int
    ) -> dict[str, float]:
        """Best window similarity per chunk ("{chunk_id}#{n}" ids in Chroma).

        Broad filters over-fetch from the unfiltered HNSW index and filter here,
        which is much faster than Chroma's filtered search on large collections;
        narrow filters (few allowed chunks) use Chroma's ``where``.
        """
        store = self.store
        want = 3 * CANDIDATES
        share = n_allowed / max(1, len(store.chunks))
        post_filter = mask is not None and share >= 0.2
        if mask is None or post_filter:
            n = want if mask is None else int(min(want / share * 1.5, 2000))
            res = store.collection.query(
                query_embeddings=[qv], n_results=min(n, store.n_windows), include=["distances"]
            )
        else:
            res = store.collection.query(
                query_embeddings=[qv],
                n_results=min(want, store.n_windows),
                where=_where(conds),
                include=["distances"],
            )
        best: dict[str, float] = {}
        for wid, dist in zip(res["ids"][0], res["distances"][0], strict=True):
            cid = wid.rsplit("#", 1)[0]
            if post_filter and not mask[store.position[cid]]:  # type: ignore[index]
                continue
            best[cid] = max(best.get(cid, -1.0), 1.0 - dist)
        return best

    def _confidence(
        self, q_tokens: list[str], hits: list[SearchHit], dense_sims: list[float]
    ) -> tuple[float, float, float]:
        """(confidence 0–1, dense evidence, lexical coverage) for the best hits.

        Dense evidence: the best similarity in standard deviations above the noise
        floor of off-topic probe questions measured at ingest (raw cosine is bunched
        and model-specific). Lexical coverage: the share of the query's content words,
        weighted by rarity, found in one of the top hits; words the corpus never uses
        weigh most, so 「確定申告の期限」 stays uncovered even if 「期限」 matches.
        """
        if not hits:
            return 0.0, 0.0, 0.0
        cal = self.store.meta.get("calibration", {"null_mean": 0.0, "null_std": 1.0})
        dense = ((dense_sims[0] - cal["null_mean"]) / cal["null_std"]) if dense_sims else 0.0
        coverage = 0.0
        if q_tokens:
            idf = self.store.lexical.idf
            weights = {t: idf.get(t, self.max_idf) for t in set(q_tokens)}
            total = sum(weights.values())
            for hit in hits[:3]:
                toks = self.store.tokens[self.store.position[hit.chunk_id]]
                coverage = max(coverage, sum(w for t, w in weights.items() if t in toks) / total)
        # Either signal alone can carry a match (paraphrase → dense, rare literal
        # words → lexical); 0.5 is the decision boundary.
        evidence = max(dense / DENSE_Z, coverage / COVERAGE) if dense_sims else coverage / COVERAGE
        mixed = (dense / DENSE_Z_MIXED) * (coverage / COVERAGE_MIXED) if dense_sims else 0.0
        score = max(evidence, mixed)
        return float(min(1.0, 0.5 * score)), round(dense, 2), round(coverage, 3)


def _where(conds: list[tuple[str, str]]) -> dict[str, Any] | None:
    clauses = [
        {field: {"$contains": value}} if field in ("themes", "tags") else {field: value}
        for field, value in conds
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _hit(
    chunk: Chunk, score: float, lex: int | None, dense: int | None, qset: set[str]
) -> SearchHit:
    return SearchHit(
        chunk_id=chunk.chunk_id,
        doc_title=chunk.doc_title,
        locator=chunk.locator.label(),
        case_id=chunk.locator.case_id,
        text=chunk.text,
        score=round(score, 6),
        doc_id=chunk.doc_id,
        doc_kind=str(chunk.doc_kind),
        case_name=chunk.locator.case_name,
        location=chunk.locator,
        lexical_rank=lex,
        dense_rank=dense,
        highlights=matching_sentences(chunk.text, qset),
        metadata=chunk.metadata,
    )


SIMILAR_QUERY_CHARS = 400
"""How much of a case's overview becomes the query for similar cases."""


class SimilarCase(BaseModel):
    """A case close to another one, with why: its best passage and the tags they share."""

    case: CaseRecord
    score: float
    shared_tags: list[str] = Field(default_factory=list)
    hit: SearchHit | None = None


def case_overview_text(store: IndexStore, case: CaseRecord) -> str:
    """The case's name and overview section (or its first section), cut to a query's size."""
    chunks = [store.by_id[c] for c in case.chunk_ids if c in store.by_id]
    if not chunks:
        return case.name
    overview = next((c for c in chunks if "概要" in (c.locator.section or "")), chunks[0])
    return f"{case.name} {overview.text}"[:SIMILAR_QUERY_CHARS]


def similar_cases(searcher: Searcher, case_id: str, k: int = 5) -> list[SimilarCase]:
    """Other cases: passages similar to this case's overview, fused with shared focus tags.

    Text alone finds cases that describe themselves alike; tags (the casebook's own ●
    marks) find cases that work on the same thing in other words. Tags weigh 0.7.
    """
    store = searcher.store
    case = store.case(case_id)
    result = searcher.search(
        case_overview_text(store, case), k=40, filters=SearchFilters(doc_kind="casebook")
    )
    best: dict[str, SearchHit] = {}
    for h in result.hits:
        if h.case_id and h.case_id != case_id and h.case_id not in best:
            best[h.case_id] = h
    tags = set(case.tags)
    others = {c.case_id: c for c in store.cases if c.case_id != case_id}
    by_tags = sorted(
        (c for c in others.values() if tags & set(c.tags)),
        key=lambda c: (-len(tags & set(c.tags)), c.case_id),
    )
    fused = rrf([list(best), [c.case_id for c in by_tags]], weights=[1.0, 0.7])
    return [
        SimilarCase(
            case=others[cid],
            score=score,
            shared_tags=[t for t in case.tags if t in others[cid].tags],
            hit=best.get(cid),
        )
        for cid, score in fused[:k]
        if cid in others
    ]
