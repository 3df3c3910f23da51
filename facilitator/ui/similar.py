"""「類似事例」: cases close to a given case, by its overview text and its focus tags.

Proposed for the library as ``retrieval.similar_cases`` once the API settles.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.parsers.base import CaseRecord
from facilitator.retrieval import Searcher, SearchFilters, SearchHit, rrf

QUERY_CHARS = 400


@dataclass
class SimilarCase:
    case: CaseRecord
    score: float
    shared_tags: list[str]
    hit: SearchHit | None


def overview_text(searcher: Searcher, case: CaseRecord) -> str:
    """The case's overview section (or its first section), cut to what a query can hold."""
    chunks = [searcher.store.by_id[c] for c in case.chunk_ids if c in searcher.store.by_id]
    if not chunks:
        return case.name
    overview = next((c for c in chunks if "概要" in (c.locator.section or "")), chunks[0])
    return f"{case.name} {overview.text}"[:QUERY_CHARS]


def similar_cases(searcher: Searcher, case_id: str, k: int = 5) -> list[SimilarCase]:
    """Other cases ranked by fusing text similarity of passages with shared focus tags."""
    store = searcher.store
    case = store.case(case_id)
    result = searcher.search(overview_text(searcher, case), k=40,
                             filters=SearchFilters(doc_kind="casebook"))
    best: dict[str, SearchHit] = {}
    for h in result.hits:
        if h.case_id and h.case_id != case_id and h.case_id not in best:
            best[h.case_id] = h
    tags = set(case.tags)
    others = [c for c in store.cases if c.case_id != case_id]
    by_tags = sorted((c for c in others if tags & set(c.tags)),
                     key=lambda c: (-len(tags & set(c.tags)), c.case_id))
    fused = rrf([list(best), [c.case_id for c in by_tags]], weights=[1.0, 0.7])
    cases = {c.case_id: c for c in others}
    return [
        SimilarCase(case=cases[cid], score=score,
                    shared_tags=[t for t in case.tags if t in cases[cid].tags], hit=best.get(cid))
        for cid, score in fused[:k] if cid in cases
    ]
