"""What each passage is indexed as: its dense windows and lexical text, each with the searchable
context that is not its own (the problem an example sheet's field answers, the word a footnote
defines). Contexts are never part of the citable text.
"""

from __future__ import annotations

from facilitator.corpus.chunks import Chunk
from facilitator.text import sentences

WINDOW_PREFIX = "first"  # "all" | "first" | "": where the case/section label is prepended
WINDOW_CHARS = 300  # dense windows per chunk: e5-small reads ~512 tokens, slowly on 2 cores


def sheet_contexts(chunks: list[Chunk]) -> dict[str, str]:
    """The problem an example sheet's field answers: its sheet's 課題, by chunk id.

    A cause or measure alone (「在宅医療の実地研修を実施する」) does not say which
    problem it addresses; people ask about the problem. The context is searchable
    (dense and lexical) but never part of the chunk's citable text.
    """
    issues = {
        (c.doc_id, c.metadata.get("sheet_theme")): c.text
        for c in chunks
        if c.metadata.get("field") == "issue" and c.metadata.get("sheet_theme")
    }
    out: dict[str, str] = {}
    for c in chunks:
        key = (c.doc_id, c.metadata.get("sheet_theme"))
        if (
            c.metadata.get("field") not in (None, "title", "issue", "area", "note")
            and key in issues
        ):
            out[c.chunk_id] = issues[key]
    return out


def footnote_contexts(chunks: list[Chunk]) -> dict[str, str]:
    """The word a footnote defines (「在宅療養支援病院とは」), by chunk id.

    The footnote's text (「24時間体制で往診…を行う病院のこと」) never names the word its marker
    follows, so a question about the word would not find its definition.
    """
    return {
        c.chunk_id: f"{c.metadata['defines']}とは"
        for c in chunks
        if c.metadata.get("section_kind") == "footnote" and c.metadata.get("defines")
    }


def search_contexts(chunks: list[Chunk]) -> dict[str, str]:
    """Searchable text that is not the chunk's own and is never cited."""
    return {**sheet_contexts(chunks), **footnote_contexts(chunks)}


def embedding_windows(chunk: Chunk, context: str = "") -> list[str]:
    """What the dense model sees: context + consecutive windows covering the whole chunk.

    A chunk (one case section) is often longer than what embeds well; its dense score
    is the best of its windows, so a passage deep in a section is still found.
    """
    head = " ".join(
        p
        for p in (chunk.locator.case_id, chunk.locator.case_name, chunk.locator.section, context)
        if p
    )
    prefix = f"{head}: " if head and WINDOW_PREFIX else ""
    text = chunk.text
    n = max(1, round(len(text) / WINDOW_CHARS))
    size = -(-len(text) // n)
    return [
        (prefix if i == 0 or WINDOW_PREFIX == "all" else "") + text[i * size : (i + 1) * size]
        for i in range(n)
    ]


EVIDENCE_MIN_CHARS = 8


def evidence_sentences(chunk: Chunk) -> list[str]:
    """The sentences (and headings) of a chunk, each embedded on its own: a question about
    one thing a section says (「いのちの授業」 among a case's other work) matches that sentence
    better than the section's 300-character windows, where the rest dilutes it."""
    return [s for s in sentences(chunk.text) if len(s) >= EVIDENCE_MIN_CHARS]


def lexical_text(chunk: Chunk, context: str = "") -> str:
    """Case name and section are searchable words too (「柏市」 finds 事例17)."""
    head = " ".join(
        p
        for p in (
            chunk.locator.case_name,
            chunk.locator.section,
            chunk.metadata.get("location"),
            chunk.respondent,
            context,
        )
        if p
    )
    return f"{head}\n{chunk.text}"
