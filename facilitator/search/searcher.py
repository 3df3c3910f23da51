"""Hybrid precedent search: BM25 (Sudachi) + dense (Chroma), fused by a convex combination.

Chroma's own hybrid search is not available locally, so fusion happens here with the
pure functions of :mod:`facilitator.search.fusion`. ``confident`` says whether anything
really answers the query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from facilitator.corpus.chunks import Chunk
from facilitator.errors import InputError
from facilitator.search.answerability import missing
from facilitator.search.chroma import server_errors
from facilitator.search.constraints import named_places
from facilitator.search.embeddings import Embedder, load_embedder
from facilitator.search.fusion import (
    apply_prior,
    convex_fusion,
    demote,
    diversify,
    lift_by_sentence,
    rerank,
    rrf,
)
from facilitator.search.hits import (
    SearchHit,
    SearchResult,
    matching_sentences,
)
from facilitator.search.index import IndexStore
from facilitator.search.lexical import Vocabulary, tokenize, with_material_terms, word_forms
from facilitator.search.ordering import capped_case, named_first, what_is_asked_first
from facilitator.search.rerank import Reranker, load_reranker
from facilitator.search.terms import NOUN_RUN, stated_in
from facilitator.search.wanted import prior_kind, wanted_test
from facilitator.settings import Settings
from facilitator.text import normalize_query
from facilitator.themes import parse_theme, tag_code

log = logging.getLogger(__name__)

CANDIDATES = 50
MAX_PER_CASE = 2
# Confidence thresholds (see _confidence); chosen on bench/devset.jsonl, model-independent
# because dense evidence is measured against the corpus's own off-topic noise floor.
DENSE_Z = 3.0
COVERAGE = 0.6
DENSE_Z_MIXED = 2.0
COVERAGE_MIXED = 0.4
SENTENCE_CACHE = 20_000
STATED_READ = 50  # passages sharing most of a term's words, read for terms.stated_in
OVERFETCH_MAX = 4000
FILTER_CACHE = 32
EXACT_MAX = 5000
"""Filtered dense search (Chroma's own took 240 ms at 100k chunks for tag + prefecture):
up to this many allowed chunks their vectors are compared exactly, fetched once per filter
(:meth:`Searcher._allowed_vectors`, ≤ ~8 MB each); above, HNSW results are over-fetched
(≤ OVERFETCH_MAX) and filtered here."""
PLACE_WEIGHT = 0.5
"""A place the question names weighs this much of its word score: it says where to look, and
the rest of the question says which of that place's passages. At full weight 大阪府's short
survey answers, which name it twice, outranked 大阪府's own 同行訪問 subsidy for 「ベテランについて
回って学ぶ研修に、大阪府は何か支援をしているの？」. Over 86 judged questions naming a place,
nDCG@10 0.721 → 0.730 (9 gain, 1 loses); at 0 (the place left to the dense search) 0.733, but
a question naming only a place would have no word score at all."""
COMMON_SHARE = 0.3
"""A word used by this share of passages or more (「医療」「地域」「連携」) is the material's
everyday language: it does not tie a number in a sentence to what a question asks."""
SPECIFIC_CHUNKS = 2
"""A noun of the question used by this many passages or fewer names one thing (「石仏カード」):
a value asked of it must be stated where it is named (answerability.of_its_thing)."""
REPETITIVE_WEIGHT = 0.3
"""Score weight of a passage that repeats a few words (lexical.repetitive); such a passage
never counts as evidence that the material answers a question."""


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
            out.append(("themes", parse_theme(self.theme)))
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
        self.common = self.store.lexical.common_words(COMMON_SHARE)
        self.vocabulary = Vocabulary(self.store.lexical.idf)  # sorted only when first needed
        self._vectors: dict[str, np.ndarray] = {}
        self._filtered: dict[tuple, tuple[list[str], np.ndarray]] = {}
        self._last_query: tuple[str, np.ndarray] | None = None
        self.reranker: Reranker | None = (
            load_reranker(settings.reranker_model) if settings.reranker_model else None
        )

    def _stated(self, term: str) -> bool:
        """Whether the material states ``term``: one word search at any index size."""
        scores = self.store.lexical.scores(with_material_terms(tokenize(term), term))
        top = np.argpartition(-scores, min(STATED_READ, len(scores)) - 1)[:STATED_READ]
        chunks = [self.store.chunks[i] for i in top if scores[i] > 0]
        return stated_in(c.text for c in chunks if c.chunk_id not in self.store.repetitive)(term)

    def similarities(
        self, query: str, texts: list[str], chunk_ids: Sequence[str] = ()
    ) -> np.ndarray:
        """Cosine of ``query`` to each text (sentences of an answer). A sentence of
        ``chunk_ids[i]`` that the index stores is read from there; others are embedded once and
        kept in memory: a meeting asks around the same passages."""
        stored: dict[str, np.ndarray] = {}
        for cid in dict.fromkeys(chunk_ids):
            stored.update(self.store.sentence_vectors(cid))
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors and t not in stored]
        if todo:
            if len(self._vectors) > SENTENCE_CACHE:
                self._vectors.clear()
            self._vectors.update(zip(todo, self.embedder.embed_passages(todo), strict=True))
        if not texts:
            return np.zeros(0, dtype=np.float32)
        rows = [stored[t] if t in stored else self._vectors[t] for t in texts]
        return _dot(np.stack(rows), self._query_vector(query))

    def _query_vector(self, query: str) -> np.ndarray:
        """The question's vector, kept for the next call: ``ask`` searches, then compares
        the question with candidate sentences, and need not encode it twice."""
        q = normalize_query(query)
        last = self._last_query  # one read: the app shares a searcher between sessions
        if last is None or last[0] != q:
            last = self._last_query = (q, self.embedder.embed_query(q))
        return last[1]

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
        terms = with_material_terms(q_tokens, q)
        places = [t for p in named_places(q)[0] for t in tokenize(p) if t in terms]

        mask = None
        if conds:
            mask = np.ones(len(store.chunks), dtype=bool)
            for field, value in conds:
                mask &= store.mask(field, value)
        n_allowed = int(mask.sum()) if mask is not None else len(store.chunks)

        lex_ids: list[str] = []
        lex_scores: dict[str, float] = {}
        if mode in ("hybrid", "lexical") and n_allowed:
            weights = mask.astype(np.float32) if mask is not None else None
            scores = store.lexical.scores(terms, weights)
            if places:  # BM25 adds up per word: this takes back part of the place's share
                scores -= (1 - PLACE_WEIGHT) * store.lexical.scores(
                    list(dict.fromkeys(places)), weights
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
            qv = self._query_vector(q)
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
        if mode == "hybrid":  # before a reranker: the prior chooses the head it reorders
            fused = apply_prior(
                fused,
                lambda cid: prior_kind(store.by_id[cid]),
                wanted_test(q, store),
            )
            fused = named_first(fused, q, store)
            if dense_all:  # before the asked fields are lifted: they stay first
                # the place asked is named_first's to weigh
                words = store.lexical.weighted(t for t in terms if t not in places)
                fused = lift_by_sentence(fused, lambda c: store.best_sentence(c, qv, words))
            fused = what_is_asked_first(fused, q, store, self.common)
        if store.repetitive:  # keyword stuffing cannot buy a place at the top
            fused = demote(fused, store.repetitive.__contains__, REPETITIVE_WEIGHT)
        if reranker is not None:
            fused = rerank(fused, q, reranker, lambda cid: store.by_id[cid].text)
        fused = diversify(fused, capped_case(q, store), MAX_PER_CASE)[:k]
        lex_rank = {cid: i + 1 for i, cid in enumerate(lex_ids)}
        dense_rank = {cid: i + 1 for i, cid in enumerate(dense_ids)}
        qset = set(q_tokens)
        hits = [
            _hit(store.chunk(cid), score, lex_rank.get(cid), dense_rank.get(cid), qset)
            for cid, score in fused
        ]
        honest = [h for h in hits if h.chunk_id not in store.repetitive]
        sims = [s for c, s in zip(dense_ids, dense_sims, strict=True) if c not in store.repetitive]
        confidence, dense_z, coverage = self._confidence(q_tokens, honest, sims)
        lex = store.lexical
        specific = frozenset(
            t
            for t in q_tokens
            if NOUN_RUN.fullmatch(t) and 0 < lex.chunks_with(t) <= SPECIFIC_CHUNKS
        )
        lacking = missing(q, honest, self.common, self.vocabulary, self._stated, specific)
        if lacking:  # on the topic, but the passages do not state what is asked
            confidence = min(confidence, 0.49)
        return SearchResult(
            query=query,
            mode=mode,
            confident=confidence >= 0.5,
            confidence=round(confidence, 3),
            missing=lacking,
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

        A filter allowing few chunks (≤ EXACT_MAX), or an index that small, compares their
        vectors exactly; a broad one over-fetches from the unfiltered HNSW index and filters
        here. Both are much faster than Chroma's filtered search on large collections, the
        fallback.
        """
        store = self.store
        want = 3 * CANDIDATES
        if mask is not None and n_allowed > EXACT_MAX:
            share = n_allowed / max(1, len(store.chunks))
            n = int(min(want / share * 1.5, OVERFETCH_MAX))
            best = self._nearest(qv, n, mask)
            if len(best) >= CANDIDATES // 2:
                return best
            return self._nearest(qv, want, None, where=_where(conds))
        if mask is None and store.n_windows > EXACT_MAX:
            return self._nearest(qv, want, None)
        # few allowed chunks (or a small index): exact similarity over their vectors, fetched
        # once per filter. Chroma's HNSW graph differs from build to build, and on the 443
        # windows of the bundled corpus it missed one of a query's 20 nearest for 0–3 of 418
        # judged questions, a different few each build: exact search ranks the same every time.
        ids, vectors = self._allowed_vectors(conds)
        if not ids:
            return {}
        return self._best_per_chunk(ids, _dot(vectors, qv / np.linalg.norm(qv)), None)

    def _allowed_vectors(self, conds: list[tuple[str, str]]) -> tuple[list[str], np.ndarray]:
        """Window ids and unit vectors of the chunks a narrow filter allows (cached): Chroma's
        filtered nearest-neighbour search took 110–180 ms at 100k chunks, a dot product ~1."""
        key = tuple(conds)
        if key not in self._filtered:
            with server_errors(self.settings):
                got = self.store.collection.get(where=_where(conds), include=["embeddings"])
            vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            if len(self._filtered) >= FILTER_CACHE:
                self._filtered.clear()
            self._filtered[key] = (list(got["ids"]), vectors / np.maximum(norms, 1e-12))
        return self._filtered[key]

    def _nearest(
        self,
        qv: np.ndarray,
        n: int,
        mask: np.ndarray | None,
        where: dict[str, Any] | None = None,
    ) -> dict[str, float]:
        store = self.store
        with server_errors(self.settings):
            res = store.collection.query(
                query_embeddings=[qv],
                n_results=min(n, store.n_windows),
                include=["distances"],
                **({"where": where} if where else {}),
            )
        sims = [1.0 - d for d in res["distances"][0]]
        return self._best_per_chunk(res["ids"][0], sims, mask)

    def _best_per_chunk(
        self, window_ids: list[str], sims: Any, mask: np.ndarray | None
    ) -> dict[str, float]:
        """Best similarity per allowed chunk from its windows' ("{chunk_id}#{n}")."""
        store = self.store
        best: dict[str, float] = {}
        for wid, sim in zip(window_ids, sims, strict=True):
            cid = wid.rsplit("#", 1)[0]
            pos = store.position.get(cid)
            if pos is None:  # a vector whose chunk this index does not have: never a hit
                log.debug("skipping %s: not in the chunks of index %s", wid, store.version)
                continue
            if mask is not None and not mask[pos]:
                continue
            best[cid] = max(best.get(cid, -1.0), float(sim))
        return best

    def _confidence(
        self, q_tokens: list[str], hits: list[SearchHit], dense_sims: list[float]
    ) -> tuple[float, float, float]:
        """(confidence 0–1, dense evidence, lexical coverage) for the best hits.

        Dense evidence: the best similarity in standard deviations above the noise
        floor of off-topic probe questions measured at ingest (raw cosine is bunched
        and model-specific). Lexical coverage: the share of the query's content words,
        weighted by rarity, found in one of the top hits (or the material's term for it:
        「開く」 by 「開催」); words the corpus never uses weigh most, so 「確定申告の期限」
        stays uncovered even if 「期限」 matches.
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
                coverage = max(
                    coverage, sum(w for t, w in weights.items() if word_forms(t) & toks) / total
                )
        # Either signal alone can carry a match (paraphrase → dense, rare literal
        # words → lexical); 0.5 is the decision boundary.
        evidence = max(dense / DENSE_Z, coverage / COVERAGE) if dense_sims else coverage / COVERAGE
        mixed = (dense / DENSE_Z_MIXED) * (coverage / COVERAGE_MIXED) if dense_sims else 0.0
        score = max(evidence, mixed)
        return float(min(1.0, 0.5 * score)), round(dense, 2), round(coverage, 3)


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Row-wise dot product without BLAS: a BLAS call leaves its threads spinning, and the
    next query encoding on 2 cores then took 76 ms instead of 15 (bench_search_scale)."""
    return (matrix * vector).sum(axis=1)


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
        chunk=chunk,
        score=round(score, 6),
        lexical_rank=lex,
        dense_rank=dense,
        highlights=matching_sentences(chunk.text, qset),
    )
