"""Build and open the index: chunk store, Chroma vectors and the BM25 lexical index.

Layout under ``settings.index_dir``::

    current              pointer: the name of the visible build, replaced by one os.replace
    versions/BUILD/      one complete, never-modified index (BUILD = time-version-random)
        chunks.jsonl     every Chunk (the source of truth for text and locators)
        texts/DOC.txt    each document's normalised text (citations are checked against it)
        cases.json       casebook CaseRecords;  sheets.json  the guideline example sheets
        lexical/         bm25s index + idf;     tokens.json  content tokens per chunk
        sentence*.npy    each chunk's sentences: vectors and words (search/sentence_store.py)
        chroma/          this build's Chroma (PersistentClient; with a Chroma server the
                         collection ``chunks-MODEL-BUILD`` lives there instead)
        collection.json  the Chroma collection name (written first, to clean up a crash)
        meta.json        index version, embedder, counts, build time, corpus fingerprints

A build holds the ingest lock, writes a new folder and then replaces ``current``: a crash
at any moment leaves the previous index whole. Then all builds but the new one and the one it
replaced (kept for readers that opened it a moment before) are removed. The flat layout of
earlier releases (files directly in ``index/``) is still read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.errors import NotFoundError as ChromaNotFoundError
from pydantic import BaseModel

from facilitator.corpus import documents
from facilitator.corpus.chunks import Chunk
from facilitator.corpus.parsers.base import CaseRecord, ExampleSheet, ParsedDocument
from facilitator.errors import (
    FacilitatorError,
    IndexNotBuiltError,
    NotFoundError,
)
from facilitator.search.chroma import chroma_client, server_errors
from facilitator.search.embeddings import (
    Embedder,
    EmbeddingCache,
    calibrate,
    embed_passages_cached,
    load_embedder,
)
from facilitator.search.indexed_text import (
    embedding_windows,
    evidence_sentences,
    footnote_contexts,
    lexical_text,
    search_contexts,
)
from facilitator.search.lexical import LexicalIndex, WeightedWords, repetitive, tokenize
from facilitator.search.sentence_store import SentenceStore, save_sentences
from facilitator.settings import Settings
from facilitator.themes import FOCUS_TAGS

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
POINTER = "current"
VERSIONS = "versions"
INDEX_FORMAT = 6
"""How the same documents are indexed: raise it when parsing, chunks, search contexts, tokens
or windows change. An index of another format is not current, so ``bootstrap`` and the data
page rebuild it (the vector cache keeps that to seconds). Format 2: footnotes' words as search
context; 3: each chunk's sentences' vectors (until rebuilt, an older index searches by windows
only); 4: a sentence the layout broke over lines is one; 5: passages' prefecture (places);
6: each sentence's words (a passage's closest sentence is weighed by the question's words)."""
LEGACY = ("chunks.jsonl", "texts", "cases.json", "sheets.json", "tokens.json", "lexical")
LEGACY += ("meta.json", "chroma", "staging")  # the flat layout of earlier releases


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


def collection_name(embedder_name: str, build: str = "") -> str:
    """Chroma names allow only [a-zA-Z0-9._-], 3–512 chars; the build keeps old ones readable."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_name).strip("-.")
    return f"chunks-{slug}"[:200] + (f"-{build}" if build else "")


def current_build(settings: Settings) -> str | None:
    """The build the ``current`` pointer names (None: no versioned index yet)."""
    try:
        name = (settings.index_dir / POINTER).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and "/" not in name and name not in (".", "..") else None


def current_folder(settings: Settings) -> Path | None:
    """Folder of the visible index: ``versions/BUILD``, an earlier flat index, or None."""
    build = current_build(settings)
    folder = settings.index_dir / VERSIONS / build if build else settings.index_dir
    return folder if (folder / "meta.json").exists() else None


def read_meta(settings: Settings) -> dict[str, Any] | None:
    """``meta.json`` of the visible index (None when there is none)."""
    folder = current_folder(settings)
    try:
        return json.loads((folder / "meta.json").read_text("utf-8")) if folder else None
    except FileNotFoundError:  # replaced by a build since current_folder looked
        return read_meta(settings)


def index_version(
    chunks: list[Chunk], embedder_name: str, contexts: dict[str, str] | None = None
) -> str:
    """What was indexed: the passages and the context each is searched with."""
    h = hashlib.sha256(f"{embedder_name}\0{INDEX_FORMAT}".encode())
    for c in chunks:
        h.update(c.chunk_id.encode())
        h.update(c.text.encode())
        h.update((contexts or {}).get(c.chunk_id, "").encode())
    return h.hexdigest()[:16]


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    parsed: list[ParsedDocument] | None = None,
) -> IndexBuildReport:
    """Parse the corpus and build a complete new index, then make it the visible one.

    Unchanged passages come from the vector cache, so re-ingest takes seconds. Holds the
    ingest lock (a second build waits), writes ``versions/BUILD/`` and switches ``current``
    last: a failure or a kill at any moment leaves the previous index whole and usable.
    """
    embedder = embedder or load_embedder(settings.embedding_model)
    with documents.ingest_lock(settings):
        return _build(settings, embedder, progress, parsed)


def _build(settings: Settings, embedder: Embedder, progress: Any, parsed: Any) -> IndexBuildReport:
    t0 = time.perf_counter()
    # the documents' state before parsing: a change during the build shows as stale
    fingerprint, hashes = documents.corpus_state(settings)
    if parsed is None:
        parsed = documents.parse_corpus(settings)
    chunks = [c for p in parsed for c in p.chunks]
    ids = [c.chunk_id for c in chunks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"duplicate chunk ids: {dup}")
    if progress:
        progress("parse", len(parsed), len(parsed))

    cache = EmbeddingCache(settings.vector_cache_file)
    contexts = search_contexts(chunks)
    defined = footnote_contexts(chunks)  # a sentence of a sheet is not about its 課題
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
    per_chunk = [evidence_sentences(c) for c in chunks]
    sentence_vectors = embed_passages_cached(
        embedder,
        [t for ts in per_chunk for t in ts],
        cache,
        progress=(lambda i, n: progress("sentences", i, n)) if progress else None,
    )
    cache.close()

    token_lists = [tokenize(lexical_text(c, contexts.get(c.chunk_id, ""))) for c in chunks]
    lexical = LexicalIndex.build(ids, token_lists)
    version = index_version(chunks, embedder.name, contexts)
    build = f"{time.strftime('%Y%m%dT%H%M%S')}-{version}-{secrets.token_hex(3)}"
    folder = settings.index_dir / VERSIONS / build
    collection = collection_name(embedder.name, build)
    previous = current_build(settings)
    try:
        (folder / "texts").mkdir(parents=True)
        _dump(folder / "collection.json", {"collection": collection})
        with (folder / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(c.model_dump_json() + "\n")
        for p in parsed:
            (folder / "texts" / f"{p.document.doc_id}.txt").write_text(p.text, encoding="utf-8")
        _dump(folder / "cases.json", [c.model_dump() for p in parsed for c in p.cases])
        _dump(folder / "sheets.json", [s.model_dump() for p in parsed for s in p.sheets])
        _dump(folder / "tokens.json", token_lists)
        lexical.save(folder / "lexical")
        _write_vectors(settings, folder, collection, windows, vectors)
        save_sentences(
            folder, sentence_vectors, per_chunk, [defined.get(c.chunk_id, "") for c in chunks]
        )
        report = IndexBuildReport(
            index_version=version,
            embedder=embedder.name,
            documents=len(parsed),
            chunks=len(chunks),
            windows=len(windows),
            embedded=len(set(texts)) - len(known),
            cached=len(known),
            seconds=round(time.perf_counter() - t0, 2),
        )
        meta = {
            **report.model_dump(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build": build,
            "previous": previous,
            "collection": collection,
            "fingerprint": fingerprint,
            "format": INDEX_FORMAT,
            "document_hashes": hashes,
            "calibration": calibrate(embedder, vectors),
            "repetitive": [
                c.chunk_id for c, t in zip(chunks, token_lists, strict=True) if repetitive(t)
            ],
        }
        _dump(folder / "meta.json", meta)
        _fsync(*folder.rglob("*"), folder, folder.parent)
        _switch(settings.index_dir, build)
    except BaseException:
        _drop_build(settings, folder)
        raise
    _fsync(settings.index_dir)
    _remove_old_builds(settings, keep={build, previous})
    if progress:
        progress("done", 1, 1)
    return report


def _write_vectors(
    settings: Settings, folder: Path, name: str, windows: list[Any], vectors: np.ndarray
) -> None:
    """Every window into a new collection of this build (closed again, so it is on disk)."""
    with chroma_client(settings, folder) as client, server_errors(settings):
        col = client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        metadata = {c.chunk_id: chroma_metadata(c) for c, j, _ in windows if j == 0}
        for i in range(0, len(windows), 2000):
            part = windows[i : i + 2000]
            col.add(
                ids=[f"{c.chunk_id}#{j}" for c, j, _ in part],
                embeddings=vectors[i : i + len(part)],
                metadatas=[{**metadata[c.chunk_id], "chunk_id": c.chunk_id} for c, _, _ in part],
            )


def _fsync(*paths: Path) -> None:
    """Flush files and folders to disk (a finished build before the pointer names it)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except (IsADirectoryError, PermissionError):  # a folder, on systems that cannot open one
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _switch(index_dir: Path, build: str) -> None:
    """The one atomic step: ``current`` is replaced by a file that names the new build."""
    documents.replace_atomically(index_dir / POINTER, lambda fh: fh.write(f"{build}\n".encode()))


def _drop_build(settings: Settings, folder: Path) -> None:
    """Remove a build that is not visible (its server collection too); errors are logged."""
    try:
        if settings.chroma_host and (folder / "collection.json").exists():
            name = json.loads((folder / "collection.json").read_text("utf-8"))["collection"]
            with chroma_client(settings, folder) as client:
                client.delete_collection(name)
    except ChromaNotFoundError:  # killed before the collection was created
        pass
    except Exception as exc:  # an unreachable server: the collection stays behind
        log.warning("could not delete the Chroma collection of %s: %s", folder.name, exc)
    shutil.rmtree(folder, ignore_errors=True)


def _remove_old_builds(settings: Settings, keep: set[str | None]) -> None:
    """After a switch: every build but ``keep`` (interrupted ones too) and stray temp files."""
    root = settings.index_dir
    for folder in sorted((root / VERSIONS).iterdir()):
        if folder.name not in keep:
            _drop_build(settings, folder)
    for tmp in root.glob(f".{POINTER}.*.tmp"):
        tmp.unlink(missing_ok=True)
    if None not in keep:  # no reader can still be using the flat layout of earlier releases
        for name in LEGACY:
            shutil.rmtree(root / name, ignore_errors=True)  # a folder
            (root / name).unlink(missing_ok=True)  # or a file


def index_status(settings: Settings) -> dict[str, Any]:
    """For ``info``: the visible build; ``state`` missing / current / stale (documents changed
    since the build: ``changes``) / outdated (built by an earlier release's way of indexing);
    ``interrupted`` builds that never became visible."""
    meta = read_meta(settings) or {}
    fingerprint, hashes = documents.corpus_state(settings)
    old = meta.get("document_hashes")
    versions = settings.index_dir / VERSIONS
    builds = {p.name for p in versions.iterdir()} if versions.is_dir() else set()
    fresh = meta.get("fingerprint") == fingerprint
    state = ("current" if fresh else "stale") if meta else "missing"
    if state == "current" and meta.get("format") != INDEX_FORMAT:
        state = "outdated"  # the documents are the same; this release indexes them better
    return {
        "state": state,
        **{k: meta.get(k) for k in ("build", "index_version", "built_at", "documents", "chunks")},
        "documents_now": len(hashes),
        "changes": None if old is None else documents.document_changes(old, hashes),
        "interrupted": len(builds - {meta.get("build"), meta.get("previous")}),
    }


def index_is_current(settings: Settings) -> bool:
    """True when an index exists and was built from the documents as they are now, the way
    this release builds it."""
    meta = read_meta(settings)
    return (
        meta is not None
        and meta.get("format") == INDEX_FORMAT
        and meta.get("fingerprint") == documents.corpus_fingerprint(settings)
    )


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


class IndexStore:
    """The built index opened for reading: chunks, texts, cases, sheets, lexical, Chroma."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        for attempt in range(3):  # a build may switch the visible index while it is read
            folder = current_folder(settings)
            if folder is None:
                raise IndexNotBuiltError()
            try:
                self._open(folder)
                break
            except FileNotFoundError as exc:
                if attempt == 2 or current_folder(settings) == folder:
                    raise FacilitatorError(
                        f"索引の一部（{exc.filename}）がありません。"
                        "`facilitator ingest` で作り直してください。"
                    ) from exc
        self.n_windows = int(self.meta.get("windows", len(self.chunks)))
        self._texts: dict[str, str] = {}
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._sheets: dict[str, list[str]] | None = None

    def _open(self, folder: Path) -> None:
        self.folder = folder
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
        self.repetitive: set[str] = set(self.meta.get("repetitive", []))
        self._sentences = SentenceStore.open(folder)
        if not self.settings.chroma_host and not (folder / "chroma").is_dir():
            raise FileNotFoundError(2, "no Chroma folder", str(folder / "chroma"))
        client = chroma_client(self.settings, folder)
        with server_errors(self.settings):
            self.collection = client.get_collection(self.meta["collection"])

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
            path = self.folder / "texts" / f"{doc_id}.txt"
            if not path.exists():
                raise NotFoundError(f"資料「{doc_id}」は索引にありません")
            self._texts[doc_id] = path.read_text("utf-8")
        return self._texts[doc_id]

    def case(self, case_id: str) -> CaseRecord:
        for c in self.cases:
            if c.case_id == case_id:
                return c
        raise NotFoundError(f"事例「{case_id}」は事例集にありません")

    def sheet_members(self, chunk_id: str) -> list[str]:
        """The chunks of the example sheet ``chunk_id`` is a field of (empty: not a sheet's)."""
        if self._sheets is None:
            self._sheets = {}
            for c in self.chunks:
                if c.metadata.get("section_kind") == "sheet":
                    key = f"{c.doc_id}:{c.metadata.get('sheet_theme')}"
                    self._sheets.setdefault(key, []).append(c.chunk_id)
        c = self.by_id[chunk_id]
        if c.metadata.get("section_kind") != "sheet":
            return []
        return self._sheets.get(f"{c.doc_id}:{c.metadata.get('sheet_theme')}", [])

    def _sentence_rows(self, chunk_id: str) -> np.ndarray | None:
        """The stored vectors of the chunk's sentences (None: not recorded)."""
        if self._sentences is None or chunk_id not in self.position:
            return None
        return self._sentences.rows(self.position[chunk_id])

    def best_sentence(
        self, chunk_id: str, query_vector: np.ndarray, words: WeightedWords | None = None
    ) -> float | None:
        """How close the chunk's closest sentence is to the query (None: not recorded); see
        :meth:`SentenceStore.best`."""
        if self._sentences is None or chunk_id not in self.position:
            return None
        return self._sentences.best(self.position[chunk_id], query_vector, words)

    def sentence_vectors(self, chunk_id: str) -> dict[str, np.ndarray]:
        """The chunk's sentences with their stored vectors (empty: not recorded), so a meeting
        answer weighs the sentences of its passages without embedding them again."""
        rows = self._sentence_rows(chunk_id)
        texts = evidence_sentences(self.by_id[chunk_id]) if rows is not None else []
        if rows is None or len(rows) != len(texts):  # not recorded, or the chunk changed
            return {}
        return dict(zip(texts, rows, strict=True))

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
