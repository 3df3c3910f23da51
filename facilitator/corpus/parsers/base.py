"""What every parser returns, and the structured records some documents carry."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from facilitator.corpus.chunks import Chunk, Document


class CaseRecord(BaseModel):
    """One case of the casebook (事例n or 参考n)."""

    case_id: str = Field(description="事例1 … 事例19, 参考1 … 参考6")
    slug: str = Field(description="jirei-1 … jirei-19, sanko-1 … sanko-6")
    name: str
    location: str = Field(default="", description="所在地 as written")
    prefecture: str = Field(default="", description="都道府県 (from the overview table)")
    category: str = Field(description="診療所 | 病院 | 地域の連携 | 参考事例")
    tags: list[str] = Field(default_factory=list, description="focus tags marked ● (labels)")
    themes: list[str] = Field(default_factory=list)
    chunk_ids: list[str] = Field(default_factory=list)
    char_start: int = 0
    char_end: int = 0


class SheetItem(BaseModel):
    """A numbered 原因 or 方策 of an example sheet."""

    number: int
    text: str
    points: list[str] = Field(default_factory=list, description="✓ sub-points")
    external_refs: list[str] = Field(
        default_factory=list,
        description="「事例集 P.n …」 references to the 2025 case volume (not in corpus; unresolved)",
    )
    chunk_id: str | None = None


class ExampleSheet(BaseModel):
    """One of the guideline's five example issue sheets, parsed into fields."""

    doc_id: str
    theme: str = Field(description="ichigo | jikangai | nyutaiin | zaitaku | kaigo")
    title: str = ""
    area: str = Field(default="", description="圏域")
    participants: str = Field(default="", description="参加者")
    issue: str = Field(default="", description="課題")
    goal: str = Field(default="", description="目指す姿")
    causes: list[SheetItem] = Field(default_factory=list)
    measures: list[SheetItem] = Field(default_factory=list)
    effect: str = Field(default="", description="効果")
    chunk_ids: dict[str, str] = Field(
        default_factory=dict, description="field name (issue/goal/effect/area/...) -> chunk id"
    )


def example_chunk_ids(examples: Sequence[ExampleSheet]) -> list[str]:
    """Chunk ids of the example sheets' fields, in sheet order (each once)."""
    out: list[str] = []
    for ex in examples:
        ids = [*ex.chunk_ids.values(), *(i.chunk_id for i in (*ex.causes, *ex.measures))]
        out += [i for i in ids if i and i not in out]
    return out


class ParsedDocument(BaseModel):
    """A parsed document: its normalised text, its chunks and any structured records."""

    document: Document
    text: str = Field(description="the normalised full text that chunk offsets refer to")
    chunks: list[Chunk]
    cases: list[CaseRecord] = Field(default_factory=list)
    sheets: list[ExampleSheet] = Field(default_factory=list)
