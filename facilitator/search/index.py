"""Build and open the index: chunk store, Chroma vectors and the BM25 lexical index.

Layout under ``settings.index_dir``::

    chunks.jsonl     every Chunk (the source of truth for text and locators)
    texts/DOC.txt    each document's normalised text (citations are checked against it)
    cases.json       casebook CaseRecords;  sheets.json  the guideline example sheets
    lexical/         bm25s index + idf;     tokens.json  content tokens per chunk
    chroma/          Chroma PersistentClient (or a Chroma server when configured)
    meta.json        index version, embedder, counts, build time
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from facilitator.corpus.chunks import Chunk
from facilitator.corpus.documents import parse_corpus
from facilitator.corpus.parsers.base import CaseRecord, ExampleSheet, ParsedDocument
from facilitator.errors import IndexNotBuiltError, NotFoundError
from facilitator.search.embeddings import (
    Embedder,
    EmbeddingCache,
    embed_passages_cached,
    load_embedder,
)
from facilitator.search.lexical import LexicalIndex, tokenize
from facilitator.settings import PACKAGE_DATA, Settings
from facilitator.themes import FOCUS_TAGS

log = logging.getLogger(__name__)

WINDOW_PREFIX = "first"  # "all" | "first" | "": where the case/section label is prepended
WINDOW_CHARS = 300  # dense windows per chunk: e5-small reads ~512 tokens, slowly on 2 cores
Progress = Callable[[str, int, int], None]


class IndexBuildReport(BaseModel):
    """What an ingest did, for the CLI and the app."""

    index_version: str
    embedder: str
    documents: int
    chunks: int
    windows: int
    embedded: int
    cached: int
    seconds: float


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
        if c.metadata.get("field") not in (None, "issue", "area", "note") and key in issues:
            out[c.chunk_id] = issues[key]
    return out


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


def lexical_text(chunk: Chunk, context: str = "") -> str:
    """Case name and section are searchable words too (「柏市」 finds 事例17)."""
    head = " ".join(
        p
        for p in (
            chunk.locator.case_name,
            chunk.locator.section,
            chunk.metadata.get("location"),
            chunk.metadata.get("respondent"),
            context,
        )
        if p
    )
    return f"{head}\n{chunk.text}"


def chroma_metadata(chunk: Chunk) -> dict[str, Any]:
    """Flat, filterable metadata (Chroma allows str/int/float/bool and lists)."""
    md = chunk.metadata
    out: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "doc_kind": str(chunk.doc_kind),
        "case_id": chunk.locator.case_id or "",
        "category": md.get("category", ""),
        "prefecture": md.get("prefecture", ""),
        "section_kind": md.get("section_kind", ""),
    }
    tags = [FOCUS_TAGS[t] for t in md.get("tags", []) if t in FOCUS_TAGS]
    themes = list(md.get("themes", []))
    if tags:
        out["tags"] = tags
    if themes:
        out["themes"] = themes
    return out


def collection_name(embedder_name: str) -> str:
    """Chroma names allow only [a-zA-Z0-9._-], 3–512 chars."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_name).strip("-.")
    return f"chunks-{slug}"[:200]


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    return chromadb.PersistentClient(
        path=str(settings.index_dir / "chroma"), settings=chroma_settings
    )


def index_version(chunks: list[Chunk], embedder_name: str) -> str:
    h = hashlib.sha256(embedder_name.encode())
    for c in chunks:
        h.update(c.chunk_id.encode())
        h.update(c.text.encode())
    return h.hexdigest()[:16]


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    parsed: list[ParsedDocument] | None = None,
) -> IndexBuildReport:
    """Parse the corpus and (re)build every part of the index.

    Unchanged passages come from the vector cache, so re-ingest takes seconds.
    Files are written to a staging folder first, then swapped in, so a failure
    leaves the previous index usable.
    """
    t0 = time.perf_counter()
    embedder = embedder or load_embedder(settings.embedding_model)
    if parsed is None:
        parsed = parse_corpus(settings)
    chunks = [c for p in parsed for c in p.chunks]
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"duplicate chunk ids: {dup}")
    if progress:
        progress("parse", len(parsed), len(parsed))

    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
    contexts = sheet_contexts(chunks)
    windows = [
        (c, j, w)
        for c in chunks
        for j, w in enumerate(embedding_windows(c, contexts.get(c.chunk_id, "")))
    ]
    texts = [w for _, _, w in windows]
    known = cache.get_many([EmbeddingCache.key(embedder.name, t) for t in texts])
    vectors = embed_passages_cached(
        embedder,
        texts,
        cache,
        progress=(lambda i, n: progress("embed", i, n)) if progress else None,
    )
    cache.close()

    token_lists = [tokenize(lexical_text(c, contexts.get(c.chunk_id, ""))) for c in chunks]
    lexical = LexicalIndex.build(ids, token_lists)
    version = index_version(chunks, embedder.name)

    staging = settings.index_dir / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "texts").mkdir(parents=True)
    with (staging / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(c.model_dump_json() + "\n")
    for p in parsed:
        (staging / "texts" / f"{p.document.doc_id}.txt").write_text(p.text, encoding="utf-8")
    _dump(staging / "cases.json", [c.model_dump() for p in parsed for c in p.cases])
    _dump(staging / "sheets.json", [s.model_dump() for p in parsed for s in p.sheets])
    _dump(staging / "tokens.json", token_lists)
    lexical.save(staging / "lexical")

    client = chroma_client(settings)
    col = client.get_or_create_collection(
        collection_name(embedder.name),
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=None,
    )
    window_ids = [f"{c.chunk_id}#{j}" for c, j, _ in windows]
    old = set(col.get(include=[])["ids"])
    stale = sorted(old - set(window_ids))
    for i in range(0, len(stale), 5000):
        col.delete(ids=stale[i : i + 5000])
    metadata = {c.chunk_id: chroma_metadata(c) for c in chunks}
    for i in range(0, len(windows), 2000):
        part = windows[i : i + 2000]
        col.upsert(
            ids=window_ids[i : i + len(part)],
            embeddings=vectors[i : i + len(part)],
            metadatas=[{**metadata[c.chunk_id], "chunk_id": c.chunk_id} for c, _, _ in part],
        )
    seconds = time.perf_counter() - t0
    report = IndexBuildReport(
        index_version=version,
        embedder=embedder.name,
        documents=len(parsed),
        chunks=len(chunks),
        windows=len(windows),
        embedded=len(set(texts)) - len(known),
        cached=len(known),
        seconds=round(seconds, 2),
    )
    _dump(
        staging / "meta.json",
        {
            **report.model_dump(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "collection": collection_name(embedder.name),
            "fingerprint": corpus_fingerprint(settings),
            "calibration": calibrate(embedder, vectors),
        },
    )
    for name in (
        "chunks.jsonl",
        "texts",
        "cases.json",
        "sheets.json",
        "tokens.json",
        "lexical",
        "meta.json",
    ):
        target = settings.index_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        (staging / name).replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    if progress:
        progress("done", 1, 1)
    return report


def corpus_fingerprint(settings: Settings) -> str:
    """Hash of every listed document's bytes and manifest entry, plus the embedder."""
    from facilitator.corpus.documents import all_documents

    h = hashlib.sha256(settings.embedding_model.encode())
    for doc, folder in all_documents(settings):
        h.update(doc.model_dump_json().encode())
        path = folder / doc.path
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def index_is_current(settings: Settings) -> bool:
    """True when an index exists and was built from the documents as they are now."""
    meta = settings.index_dir / "meta.json"
    if not meta.exists():
        return False
    return json.loads(meta.read_text("utf-8")).get("fingerprint") == corpus_fingerprint(settings)


NULL_PROBES = PACKAGE_DATA / "null_probes.txt"


def calibrate(embedder: Embedder, vectors: np.ndarray) -> dict[str, float]:
    """Best-match similarity of off-topic probe questions: the noise floor of this corpus.

    Raw cosine is model-specific (e5 scores bunch at 0.83–0.90), so confidence is
    measured in standard deviations above this floor rather than on raw scores.
    """
    probes = [
        line.strip()
        for line in NULL_PROBES.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    if len(vectors) == 0:
        return {"null_mean": 1.0, "null_std": 1.0}
    tops = [float((vectors @ embedder.embed_query(p)).max()) for p in probes]
    return {"null_mean": float(np.mean(tops)), "null_std": float(np.std(tops) or 1e-3)}


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


class IndexStore:
    """The built index opened for reading: chunks, texts, cases, sheets, lexical, Chroma."""

    def __init__(self, settings: Settings) -> None:
        folder = settings.index_dir
        if not (folder / "meta.json").exists():
            raise IndexNotBuiltError()
        self.settings = settings
        self.meta: dict[str, Any] = json.loads((folder / "meta.json").read_text("utf-8"))
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            self.chunks: list[Chunk] = [Chunk.model_validate_json(line) for line in fh]
        self.by_id: dict[str, Chunk] = {c.chunk_id: c for c in self.chunks}
        self.position: dict[str, int] = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.cases: list[CaseRecord] = [
            CaseRecord.model_validate(c)
            for c in json.loads((folder / "cases.json").read_text("utf-8"))
        ]
        self.sheets: list[ExampleSheet] = [
            ExampleSheet.model_validate(s)
            for s in json.loads((folder / "sheets.json").read_text("utf-8"))
        ]
        self.tokens: list[set[str]] = [
            set(t) for t in json.loads((folder / "tokens.json").read_text("utf-8"))
        ]
        self.lexical = LexicalIndex.load(folder / "lexical")
        self.collection = chroma_client(settings).get_collection(self.meta["collection"])
        self.n_windows = int(self.meta.get("windows", len(self.chunks)))
        self._texts: dict[str, str] = {}
        self._masks: dict[tuple[str, str], np.ndarray] = {}

    @property
    def version(self) -> str:
        return str(self.meta["index_version"])

    def chunk(self, chunk_id: str) -> Chunk:
        try:
            return self.by_id[chunk_id]
        except KeyError:
            raise NotFoundError(f"チャンク「{chunk_id}」は索引にありません") from None

    def document_text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            path = self.settings.index_dir / "texts" / f"{doc_id}.txt"
            if not path.exists():
                raise NotFoundError(f"資料「{doc_id}」は索引にありません")
            self._texts[doc_id] = path.read_text("utf-8")
        return self._texts[doc_id]

    def case(self, case_id: str) -> CaseRecord:
        for c in self.cases:
            if c.case_id == case_id:
                return c
        raise NotFoundError(f"事例「{case_id}」は事例集にありません")

    def mask(self, field: str, value: str) -> np.ndarray:
        """Boolean array over chunks where Chroma metadata ``field`` has ``value``."""
        key = (field, value)
        if key not in self._masks:
            vals = []
            for c in self.chunks:
                v = chroma_metadata(c).get(field)
                vals.append(value in v if isinstance(v, list) else v == value)
            self._masks[key] = np.asarray(vals, dtype=bool)
        return self._masks[key]
