"""The unit of retrieval and citation: a span of a normalised document with a locator.

Chunk ids are stable across re-ingests: ``{doc_id}:{structural path}``, e.g.
``casebook-2022:jirei-17:detail-3`` or ``guideline-2025:sheet:zaitaku:measure-1``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class DocKind(StrEnum):
    """What a document is; decides how it is parsed and filtered."""

    guideline = "guideline"
    casebook = "casebook"
    local = "local"


class Document(BaseModel):
    """A source document as listed in the corpus manifest (or added by a user)."""

    doc_id: str = Field(description="ASCII slug; the first part of every chunk id")
    title: str
    publisher: str = ""
    date: str = ""
    kind: DocKind
    attribution: str = ""
    path: str = Field(description="file name inside the corpus or uploads folder")
    parser: str = Field(default="generic", description="casebook | guideline | generic")


class Locator(BaseModel):
    """Where a chunk sits in its document, for people and for verification."""

    doc_id: str
    doc_title: str
    section: str | None = Field(default=None, description="e.g. '3. 取組の詳細 ②'")
    case_id: str | None = Field(default=None, description="事例n / 参考n for the casebook")
    case_name: str | None = None
    paragraph: int | None = Field(default=None, description="1-based paragraph within section")
    page: int | None = Field(default=None, description="1-based PDF page, when known")
    char_start: int = Field(description="offset into the normalised document text")
    char_end: int

    def label(self) -> str:
        """Human locator: 「事例17 一般社団法人柏市医師会（柏モデル） 3. 取組の詳細 ③」."""
        parts: list[str] = []
        if self.case_id:
            parts.append(self.case_id + (f" {self.case_name}" if self.case_name else ""))
        if self.section:
            parts.append(self.section)
        if self.page is not None:
            parts.append(f"p.{self.page}")
        if self.paragraph is not None:
            parts.append(f"第{self.paragraph}段落")
        return " ".join(parts) if parts else self.doc_title


class Chunk(BaseModel):
    """A retrievable, citable span.

    ``text`` always equals ``normalised_document[locator.char_start:locator.char_end]``.
    ``metadata`` holds flat, filterable values (case_id, category, prefecture, tags,
    themes, section_kind, question, answer_no, respondent, sheet_theme, field, ...).
    """

    chunk_id: str
    doc_id: str
    doc_title: str
    doc_kind: DocKind
    text: str
    locator: Locator
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def case_id(self) -> str | None:
        return self.locator.case_id

    @property
    def respondent(self) -> str | None:
        """Who answered, when the chunk is one government's answer to the survey at the end of
        the casebook (「愛知県」): search, drafting and the app treat those as precedents apart."""
        return self.metadata.get("respondent") or None


def make_chunk(
    doc: Document,
    doc_text: str,
    path: str,
    start: int,
    end: int,
    *,
    section: str | None = None,
    case_id: str | None = None,
    case_name: str | None = None,
    paragraph: int | None = None,
    page: int | None = None,
    **metadata: Any,
) -> Chunk:
    """Build a chunk from a span of the normalised document, trimming whitespace.

    Parsers use this so the verbatim-text invariant holds by construction.
    """
    while start < end and doc_text[start].isspace():
        start += 1
    while end > start and doc_text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise ValueError(f"empty chunk {doc.doc_id}:{path}")
    return Chunk(
        chunk_id=f"{doc.doc_id}:{path}",
        doc_id=doc.doc_id,
        doc_title=doc.title,
        doc_kind=doc.kind,
        text=doc_text[start:end],
        locator=Locator(
            doc_id=doc.doc_id,
            doc_title=doc.title,
            section=section,
            case_id=case_id,
            case_name=case_name,
            paragraph=paragraph,
            page=page,
            char_start=start,
            char_end=end,
        ),
        metadata={k: v for k, v in metadata.items() if v is not None},
    )
