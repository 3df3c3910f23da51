"""Cases like a given case: by the text of its overview and by the focus tags they share."""

from __future__ import annotations

from pydantic import BaseModel, Field

from facilitator.corpus.parsers.base import CaseRecord
from facilitator.search.fusion import rrf
from facilitator.search.hits import SearchHit
from facilitator.search.index import IndexStore
from facilitator.search.searcher import Searcher, SearchFilters

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
