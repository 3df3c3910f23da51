"""Citation checks: the product's core promise.

A citation is verified only when its chunk exists in the index, was among the chunks
retrieved for this draft (when that set is given), and its quote occurs verbatim
(after normalisation) in the chunk's text. Locator, title and case come from the
index, never from whoever proposed the citation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from facilitator.corpus.chunks import Chunk
from facilitator.sheets.model import Citation, IssueSheet
from facilitator.text import normalize_query

MIN_QUOTE_CHARS = 6


def verify_citation(
    citation: Citation, chunks: Mapping[str, Chunk], allowed: Collection[str] | None = None
) -> Citation:
    """Return a copy with ``verified`` and ``problem`` set and locator fields filled.

    ``chunks`` is what may be cited, by id (the index's ``by_id``, or just the retrieved
    hits' chunks); ``allowed``, when given, narrows it to what was retrieved for this use.
    """
    chunk = chunks.get(citation.chunk_id)
    if chunk is None:
        return citation.model_copy(
            update={
                "verified": False,
                "problem": f"チャンク「{citation.chunk_id}」は索引にありません",
            }
        )
    update: dict[str, object] = {
        "locator": chunk.locator.label(),
        "doc_title": chunk.doc_title,
        "case_id": chunk.locator.case_id,
        "case_name": chunk.locator.case_name,
    }
    quote = normalize_query(citation.quote)
    if allowed is not None and citation.chunk_id not in allowed:
        problem = "この下書きのために検索された資料ではありません"
    elif len(quote) < MIN_QUOTE_CHARS:
        problem = f"引用が短すぎます（{MIN_QUOTE_CHARS}文字以上）"
    elif quote not in chunk.text:
        problem = "引用文が資料の本文にありません"
    else:
        problem = None
        update["quote"] = quote
    return citation.model_copy(update={**update, "verified": problem is None, "problem": problem})


def verify_sheet(
    sheet: IssueSheet, chunks: Mapping[str, Chunk], allowed: Collection[str] | None = None
) -> tuple[IssueSheet, list[str]]:
    """Verify every citation of a sheet; returns the new sheet and the problems found."""
    out = sheet.model_copy(deep=True)
    problems: list[str] = []
    for path, statement in out.statements():
        checked = [verify_citation(c, chunks, allowed) for c in statement.citations]
        for c in checked:
            if not c.verified:
                problems.append(f"{path}: {c.chunk_id}: {c.problem}")
        statement.citations = checked
    return out, problems


def keep_verified_citations(
    citations: Sequence[Citation], chunks: Mapping[str, Chunk], allowed: Collection[str] | None
) -> tuple[list[Citation], list[str]]:
    """The verified citations (each chunk and quote once) and why the others were dropped."""
    kept: list[Citation] = []
    problems: list[str] = []
    for c in citations:
        checked = verify_citation(c, chunks, allowed)
        if not checked.verified:
            problems.append(f"{c.chunk_id}: {checked.problem}")
        elif all((k.chunk_id, k.quote) != (checked.chunk_id, checked.quote) for k in kept):
            kept.append(checked)
    return kept, problems


def keep_verified(
    sheet: IssueSheet, chunks: Mapping[str, Chunk], allowed: Collection[str] | None = None
) -> tuple[IssueSheet, list[str]]:
    """A draft's citations checked once: verified ones kept (locators from the index),
    the rest dropped, each drop named (with its field) in the returned problems."""
    out = sheet.model_copy(deep=True)
    problems: list[str] = []
    for path, statement in out.statements():
        statement.citations, dropped = keep_verified_citations(statement.citations, chunks, allowed)
        problems += [f"{path}: {p}" for p in dropped]
    return out, problems
