"""A casebook chunk built in a test: the text is the whole document (offsets 0…len)."""

from __future__ import annotations

from facilitator.corpus.chunks import Chunk, Locator


def case_chunk(
    chunk_id: str,
    case_id: str,
    case_name: str,
    text: str,
    section: str = "3. 取組の詳細 ①",
    doc_id: str = "casebook-2022",
) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=doc_id,
        doc_title="事例集",
        doc_kind="casebook",
        text=text,
        locator=Locator(
            doc_id=doc_id,
            doc_title="事例集",
            section=section,
            case_id=case_id,
            case_name=case_name,
            char_start=0,
            char_end=len(text),
        ),
    )
