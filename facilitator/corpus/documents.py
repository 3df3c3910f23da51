"""The corpus: the shipped manifest, documents users add, and parsing them all.

Citations show titles from the manifest, never file names.

Adding or removing a document and rebuilding the index happen under one lock per data
folder (:func:`ingest_lock`), so two processes (two ``ingest`` commands, or the app and the
command line) never change the uploads folder or build the index at the same time.
``manifest.json`` is the commit point of an add or a removal: it is replaced in one
``os.replace`` of a uniquely named temporary file, after every file of the batch is checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from facilitator.corpus.chunks import DocKind, Document
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.errors import DocumentError, FacilitatorError, IndexBusyError, InputError
from facilitator.settings import Settings

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".pdf"}

# Limits for documents users add (the shipped corpus is not limited). Embedding runs at
# roughly 10 windows of 300 characters a second on 2 cores, so 2,000,000 characters
# (≈ 6,700 windows) take about 12 minutes; a file over 20 MB is refused before it is read.
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_DOCUMENT_CHARS = 2_000_000

LOCK_FILE = "ingest.lock"
LOCK_TIMEOUT = 30 * 60.0
"""Seconds an ``ingest`` waits for another one to finish before giving up."""


@contextmanager
def ingest_lock(
    settings: Settings,
    timeout: float = LOCK_TIMEOUT,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the data folder's ingest lock (re-entrant in one thread; other threads and
    processes wait up to ``timeout`` seconds, then :class:`IndexBusyError`).

    ``on_wait`` is called once when the lock is busy, before waiting (to say so).
    The lock is an OS file lock (``filelock``): a killed holder releases it.
    """
    lock = FileLock(settings.data_dir / LOCK_FILE, is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None and timeout > 0:
            on_wait()
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexBusyError(timeout) from None
    try:
        yield
    finally:
        lock.release()


def ingest_running(settings: Settings) -> bool:
    """True while another process or thread holds the ingest lock."""
    try:
        with ingest_lock(settings, timeout=0):
            return False
    except IndexBusyError:
        return True


def load_manifest(folder: Path) -> list[Document]:
    """Documents listed in ``folder/manifest.json`` (missing manifest → none)."""
    path = folder / "manifest.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Document.model_validate(d) for d in data["documents"]]
    except (ValueError, KeyError) as exc:
        raise InputError(f"{path}: 目録（manifest.json）を読み込めません: {exc}") from exc


def replace_atomically(target: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write ``target`` through ``fill`` into a uniquely named file beside it, then swap it in."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(lock_path: Path, busy: str, timeout: float = 10.0) -> Iterator[None]:
    """Hold ``lock_path`` for one read–change–write of a small store; ``busy`` is the Japanese
    error when another process keeps it longer than ``timeout`` seconds."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise FacilitatorError(busy) from None
    try:
        yield
    finally:
        lock.release()


def _save_manifest(folder: Path, docs: list[Document]) -> None:
    """Replace ``manifest.json`` in one step (callers hold :func:`ingest_lock`)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(
        {"documents": [d.model_dump(mode="json") for d in docs]}, ensure_ascii=False, indent=2
    ).encode("utf-8")
    replace_atomically(folder / "manifest.json", lambda fh: fh.write(data))


def all_documents(settings: Settings) -> list[tuple[Document, Path]]:
    """Shipped corpus first, then user-added documents, each with its folder."""
    shipped = [(d, settings.corpus_dir) for d in load_manifest(settings.corpus_dir)]
    added = [(d, settings.uploads_dir) for d in load_manifest(settings.uploads_dir)]
    return shipped + added


def parse_document(doc: Document, folder: Path) -> ParsedDocument:
    """Parse one document with the parser its manifest entry names."""
    from facilitator.corpus.parsers import casebook, generic, guideline

    path = folder / doc.path
    if not path.exists():
        raise DocumentError(doc.path, "ファイルが見つかりません")
    if path.suffix.lower() == ".pdf":
        return generic.parse_pdf(doc, path)
    raw = generic.read_text_file(path)
    if doc.parser == "casebook":
        return casebook.parse_casebook(doc, raw)
    if doc.parser == "guideline":
        return guideline.parse_guideline(doc, raw)
    return generic.parse_text(doc, raw)


def parse_corpus(settings: Settings) -> list[ParsedDocument]:
    return [parse_document(doc, folder) for doc, folder in all_documents(settings)]


def corpus_state(settings: Settings) -> tuple[str, dict[str, str]]:
    """(hash of every listed document's entry and bytes plus the embedder, hash per doc_id)."""
    h = hashlib.sha256(settings.embedding_model.encode())
    hashes: dict[str, str] = {}
    for doc, folder in all_documents(settings):
        entry = doc.model_dump_json().encode()
        path = folder / doc.path
        data = path.read_bytes() if path.exists() else b""
        h.update(entry)
        h.update(data)
        hashes[doc.doc_id] = hashlib.sha256(entry + b"\0" + data).hexdigest()[:16]
    return h.hexdigest()[:16], hashes


def corpus_fingerprint(settings: Settings) -> str:
    """Hash of every listed document's bytes and manifest entry, plus the embedder."""
    return corpus_state(settings)[0]


def document_changes(before: dict[str, str], now: dict[str, str]) -> dict[str, list[str]]:
    """Document ids added, removed and changed between two :func:`corpus_state` hash maps."""
    return {
        "added": sorted(now.keys() - before.keys()),
        "removed": sorted(before.keys() - now.keys()),
        "changed": sorted(d for d in now.keys() & before.keys() if now[d] != before[d]),
    }


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "doc"
    base = f"user-{base}"[:60]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_file(path: Path) -> None:
    """Refuse what cannot be added before reading it: other formats, missing, too large."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(path.name, "対応していない形式です（.txt / .md / .pdf）")
    if not path.is_file():
        raise DocumentError(str(path), "ファイルが見つかりません")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            path.name,
            f"ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB。上限は {MAX_FILE_MB} MB です）。"
            "分割してから追加してください",
        )


def _check_length(path: Path, n: int) -> None:
    if n > MAX_DOCUMENT_CHARS:
        raise DocumentError(
            path.name,
            f"本文が長すぎます（{n:,} 文字。上限は {MAX_DOCUMENT_CHARS:,} 文字です）。"
            "分割してから追加してください",
        )


def _parse_upload(doc: Document, path: Path) -> ParsedDocument:
    """Parse a user's file; a text over :data:`MAX_DOCUMENT_CHARS` is refused before chunking."""
    from facilitator.corpus.parsers import generic

    if path.suffix.lower() == ".pdf":
        parsed = generic.parse_pdf(doc, path)
        _check_length(path, len(parsed.text))
        return parsed
    raw = generic.read_text_file(path)
    _check_length(path, len(raw))
    return generic.parse_text(doc, raw)


def _copy_in(folder: Path, paths: list[Path]) -> None:
    """Copy files into ``folder``, each through a unique temporary name; on failure the
    copies that did not exist before are removed again."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.tmp"):  # left behind by a killed add
        stale.unlink(missing_ok=True)
    new: list[Path] = []
    try:
        for path in paths:
            target = folder / path.name
            if path.resolve() == target.resolve():
                continue
            if not target.exists():
                new.append(target)
            with path.open("rb") as src:
                replace_atomically(target, lambda fh, src=src: shutil.copyfileobj(src, fh))
    except BaseException:
        for target in new:
            target.unlink(missing_ok=True)
        raise


def add_documents(
    settings: Settings,
    paths: list[Path],
    title: str | None = None,
    kind: DocKind = DocKind.local,
    publisher: str = "",
    date: str = "",
) -> list[ParsedDocument]:
    """Copy users' .txt/.md/.pdf files into the uploads folder and list them: all or none.

    Every file is checked (format, :data:`MAX_FILE_BYTES`, :data:`MAX_DOCUMENT_CHARS`) and
    parsed first; if any cannot be added, the Japanese error names each such file and
    nothing already saved changes. Then the files are copied and ``manifest.json`` is
    replaced once, under :func:`ingest_lock`. A file with the name of a listed one replaces it.
    """
    if title and len(paths) != 1:
        raise InputError("題名はファイルを1つだけ追加するときに指定できます。")
    names = [p.name for p in paths]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"同じ名前のファイルが複数あります: {'、'.join(twice)}")
    with ingest_lock(settings):
        existing = load_manifest(settings.uploads_dir)
        replaced = {d.path: d for d in existing if d.path in names}
        taken = {d.doc_id for d in load_manifest(settings.corpus_dir)}
        taken |= {d.doc_id for d in existing if d.path not in replaced}
        parsed: list[ParsedDocument] = []
        errors: list[DocumentError] = []
        for path in paths:
            same = replaced.get(path.name)
            doc = Document(
                doc_id=same.doc_id if same else _slug(path.stem, taken),
                title=title or (same.title if same else path.stem),
                publisher=publisher,
                date=date,
                kind=kind,
                path=path.name,
                parser="generic",
                attribution=f"利用者が追加した資料: {title or path.stem}",
            )
            taken.add(doc.doc_id)
            try:
                _check_file(path)
                parsed.append(_parse_upload(doc, path))
            except DocumentError as exc:
                errors.append(exc)
        if errors and len(paths) == 1:
            raise errors[0]
        if errors:
            raise InputError(
                "\n".join(str(e) for e in errors)
                + f"\n（{len(errors)} 件を追加できないため、{len(paths)} 件のどれも追加していません）"
            )
        _copy_in(settings.uploads_dir, paths)
        kept = [d for d in existing if d.path not in replaced]
        _save_manifest(settings.uploads_dir, kept + [p.document for p in parsed])
    for p in parsed:
        log.info("added %s as %s", p.document.path, p.document.doc_id)
    return parsed


def add_document(
    settings: Settings,
    path: Path,
    title: str | None = None,
    kind: DocKind = DocKind.local,
    publisher: str = "",
    date: str = "",
) -> ParsedDocument:
    """Add one file (see :func:`add_documents`): a file that cannot be read changes nothing."""
    return add_documents(settings, [path], title, kind, publisher, date)[0]


def remove_document(settings: Settings, doc_id: str) -> None:
    """Remove a user-added document (shipped documents stay): unlisted first, then deleted."""
    with ingest_lock(settings):
        existing = load_manifest(settings.uploads_dir)
        gone = [d for d in existing if d.doc_id == doc_id]
        if not gone:
            raise InputError(f"利用者が追加した資料に「{doc_id}」はありません")
        _save_manifest(settings.uploads_dir, [d for d in existing if d.doc_id != doc_id])
        for d in gone:
            (settings.uploads_dir / d.path).unlink(missing_ok=True)
