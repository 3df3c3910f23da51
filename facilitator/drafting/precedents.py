"""方策 from retrieved precedents: a case (or a prefecture's survey answer) that did something
about the area's problem, named with its place and quoted verbatim."""

from __future__ import annotations

import re
from collections.abc import Mapping

from facilitator.corpus.chunks import Chunk
from facilitator.drafting.context import DraftContext
from facilitator.drafting.roles import (
    DEFAULT_ACTIONS,
    MAX_ROLES,
    THEME_LEAD,
    infer_actors,
    local_roles,
)
from facilitator.drafting.support import clean
from facilitator.search.hits import SearchHit, precedent_label
from facilitator.sheets.citations import MIN_QUOTE_CHARS
from facilitator.sheets.model import Citation, Measure, Role
from facilitator.text import sentences

MIN_PRECEDENT_QUOTE = 15
_HEADING_RE = re.compile(r"^[\u2460-\u2473]\s*")


def _heading(hit: SearchHit) -> str | None:
    """The 取組 title line of a detail section (「① 主治医・副主治医制による…」)."""
    first = hit.text.split("\n", 1)[0].strip()
    if _HEADING_RE.match(first) and MIN_QUOTE_CHARS <= len(first) <= 90:
        return first
    return None


def _best_sentence(hit: SearchHit, matched: list[str], heading: str | None) -> str | None:
    for s in [*matched, *sentences(hit.text)]:
        s = clean(s)
        if len(s) >= MIN_PRECEDENT_QUOTE and s != heading and s in hit.text:
            return s
    return None


def precedent_measure(
    hit: SearchHit,
    matched: list[str],
    n_queries: int,
    by_user: bool,
    context: DraftContext,
    chunks: Mapping[str, Chunk],
) -> Measure | None:
    """方策 from a retrieved precedent, citing its passage verbatim and naming case and place.

    Priority: 中 when the passage answered several of the draft's queries or the user's
    own problem, else 低 (the guideline's measures come first).
    """
    kind = hit.metadata.get("section_kind")
    if kind not in ("detail", "points", "survey"):
        return None  # an overview or a description of the area is not something done
    heading = _heading(hit)
    quote = _best_sentence(hit, matched, heading)
    if quote is None and heading is None:
        return None
    label = precedent_label(hit)
    summary = _HEADING_RE.sub("", heading) if heading else quote
    text = f"{label}の取組: {summary}（{context.area.name}での実施を検討）"
    citations = [Citation(chunk_id=hit.chunk_id, quote=q) for q in (heading, quote) if q]
    roles_src = " ".join(q for q in (heading, quote) if q)
    actors = ["県・保健所"] if hit.respondent else []  # a prefecture's answer
    actors += [a for a in infer_actors(roles_src) if a not in actors]
    actors += [a for a in infer_actors(hit.text) if a not in actors]
    if not actors:
        actors = [THEME_LEAD.get(context.theme, "郡市区医師会")]
    roles = [Role(actor=a, action=DEFAULT_ACTIONS[a]) for a in actors[:MAX_ROLES]]
    return Measure(
        text=text,
        roles=local_roles(roles, context.profile),
        priority="中" if n_queries >= 2 or by_user else "低",
        source="precedent",
        citations=citations,
        basis=f"先行事例から: {hit.doc_title} {hit.locator}",
    )
