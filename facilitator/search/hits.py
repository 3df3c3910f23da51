"""What a search returns: a chunk with how it was found, and the result around the hits.

``SearchHit`` wraps the :class:`~facilitator.corpus.chunks.Chunk` itself, so everything
after retrieval (citations, drafting, answers, the app) works on the chunk and its
locator, never on a copy. Serialised, a hit is the flat object of ``search --json``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_serializer, model_validator

from facilitator.corpus.chunks import Chunk, Locator
from facilitator.search.lexical import tokenize
from facilitator.text import comparable, same_comparable, sentences

SURVEY_PREFIX = "survey:"
"""Key prefix of a prefecture's answer in the 衛生部長会調査 (``survey:<自治体>``)."""


def is_survey_key(key: str | None) -> bool:
    """Whether a precedent or group key names a survey answer, not a case or a document."""
    return key is not None and key.startswith(SURVEY_PREFIX)


class SearchHit(BaseModel):
    """One retrieved chunk; ``text`` is verbatim normalised source text."""

    chunk: Chunk
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    highlights: list[str] = Field(default_factory=list, description="sentences matching the query")

    @model_validator(mode="before")
    @classmethod
    def _from_flat(cls, data: Any) -> Any:
        """Accept the flat ``search --json`` shape too (it carries the whole chunk)."""
        if isinstance(data, dict) and "chunk" not in data and "chunk_id" in data:
            data = dict(data)
            chunk = Chunk(
                chunk_id=data.pop("chunk_id"),
                doc_id=data.pop("doc_id"),
                doc_title=data.pop("doc_title"),
                doc_kind=data.pop("doc_kind"),
                text=data.pop("text"),
                locator=data.pop("location"),
                metadata=data.pop("metadata", {}),
            )
            for derived in ("locator", "case_id", "case_name"):
                data.pop(derived, None)
            data["chunk"] = chunk
        return data

    @model_serializer(mode="wrap")
    def _flat(self, handler: Any) -> dict[str, Any]:
        """The stable ``search --json`` hit: chunk fields first, then how it was found."""
        out = handler(self)
        chunk = out.pop("chunk")
        location = chunk["locator"]
        return {
            "chunk_id": chunk["chunk_id"],
            "doc_title": chunk["doc_title"],
            "locator": self.locator,
            "case_id": location["case_id"],
            "text": chunk["text"],
            "score": out["score"],
            "doc_id": chunk["doc_id"],
            "doc_kind": chunk["doc_kind"],
            "case_name": location["case_name"],
            "location": location,
            "lexical_rank": out["lexical_rank"],
            "dense_rank": out["dense_rank"],
            "highlights": out["highlights"],
            "metadata": chunk["metadata"],
        }

    @property
    def chunk_id(self) -> str:
        return self.chunk.chunk_id

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def doc_title(self) -> str:
        return self.chunk.doc_title

    @property
    def doc_kind(self) -> str:
        return str(self.chunk.doc_kind)

    @property
    def case_id(self) -> str | None:
        return self.chunk.locator.case_id

    @property
    def case_name(self) -> str | None:
        return self.chunk.locator.case_name

    @property
    def respondent(self) -> str | None:
        return self.chunk.respondent

    @property
    def location(self) -> Locator:
        return self.chunk.locator

    @property
    def locator(self) -> str:
        """Human locator, e.g. 「事例17 … 3. 取組の詳細 ③」."""
        return self.chunk.locator.label()

    @property
    def metadata(self) -> dict[str, Any]:
        return self.chunk.metadata


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
    missing: list[str] = Field(
        default_factory=list,
        description="what the question names that the top passages do not state "
        "(「『高知県』の記述」); any makes the result not confident",
    )
    filters: dict[str, str] = Field(default_factory=dict)
    hits: list[SearchHit]
    index_version: str
    embedder: str
    reranker: str | None = None
    took_ms: float


def matching_sentences(text: str, query_tokens: set[str], limit: int = 2) -> list[str]:
    """Sentences of ``text`` sharing the most content words with the query (verbatim)."""
    scored: list[tuple[int, int, str]] = []
    for i, sentence in enumerate(sentences(text)):
        if len(sentence) < 4:
            continue
        overlap = len(query_tokens & set(tokenize(sentence)))
        if overlap:
            scored.append((-overlap, i, sentence))
    scored.sort()
    return [s for _, _, s in scored[:limit]]


def precedent_key(chunk: Chunk | SearchHit) -> str | None:
    """Which precedent a passage belongs to: its case (事例n / 参考n) or a prefecture's
    survey answer (``survey:<自治体>``); None for guideline and local passages and the
    casebook's introduction. Drafting, meeting answers and the app all group by this.
    """
    if chunk.metadata.get("section_kind") == "intro":
        return None
    if chunk.case_id:
        return chunk.case_id
    return f"{SURVEY_PREFIX}{chunk.respondent}" if chunk.respondent else None


SURVEY_PUBLICITY = "普及啓発"
SURVEY_PRACTICE = ("取組", SURVEY_PUBLICITY)
"""Words of a survey question that asks what a prefecture does (①「具体的な取組」, ③「普及啓発」);
its other questions ask what it sees or is asked (②「都市部と町村部の違い」, ④「問合せで多い内容」)."""


def reports_practice(chunk: Chunk | SearchHit) -> bool:
    """A precedent that tells what someone did: a case, or a survey answer about an
    initiative (not one about views or residents' inquiries)."""
    if precedent_key(chunk) is None:
        return False
    question = str(chunk.metadata.get("question_text") or "")
    return not chunk.respondent or any(w in question for w in SURVEY_PRACTICE)


def reports_publicity(chunk: Chunk | SearchHit) -> bool:
    """A survey answer about telling residents how to use care (③「普及啓発」): what a
    prefecture does, but an answer to 「…仕組みを作っているところは？」 only when the question
    is about telling residents (「住民への周知」)."""
    return SURVEY_PUBLICITY in str(chunk.metadata.get("question_text") or "")


def group_key(hit: SearchHit) -> str:
    """The precedent of a hit, else its document: how results are shown together."""
    return precedent_key(hit) or hit.doc_id


def precedent_label(hit: SearchHit) -> str:
    """「事例17 一般社団法人柏市医師会(柏モデル)（千葉県柏市）」 or 「愛知県（衛生部長会調査の回答）」."""
    md = hit.metadata
    if hit.case_id:
        place = md.get("location") or ""
        if not place or len(place) > 12:
            place = md.get("prefecture") or place
        name = f"{hit.case_id} {hit.case_name}" if hit.case_name else hit.case_id
        return f"{name}（{place}）" if place else name
    return f"{hit.respondent or hit.doc_title}（衛生部長会調査の回答）"


def group_label(hit: SearchHit) -> tuple[str, str]:
    """(label, place) of a hit's group: a precedent's label, else the document title."""
    md = hit.metadata
    if hit.case_id or hit.respondent:
        return precedent_label(hit), str(md.get("location") or md.get("prefecture") or "")
    return hit.doc_title, ""


def collapse_repeats(
    hits: list[SearchHit],
) -> tuple[list[SearchHit], dict[str, list[SearchHit]]]:
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
