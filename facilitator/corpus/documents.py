"""The corpus: the shipped manifest, documents users add, and parsing them all.

Citations show titles from the manifest, never file names.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

from facilitator.corpus.chunks import DocKind, Document
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.errors import DocumentError, InputError
from facilitator.settings import Settings

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".pdf"}


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


def _save_manifest(folder: Path, docs: list[Document]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(
        json.dumps(
            {"documents": [d.model_dump(mode="json") for d in docs]}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    tmp.replace(folder / "manifest.json")


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


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "doc"
    base = f"user-{base}"[:60]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_document(
    settings: Settings,
    path: Path,
    title: str | None = None,
    kind: DocKind = DocKind.local,
    publisher: str = "",
    date: str = "",
) -> ParsedDocument:
    """Copy a user's .txt/.pdf into the uploads folder and list it, after it parses.

    The file is parsed first: a document that cannot be read is rejected with a
    Japanese message and nothing already saved changes.
    """
    from facilitator.corpus.parsers import generic

    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(path.name, "対応していない形式です（.txt / .md / .pdf）")
    if not path.exists():
        raise DocumentError(str(path), "ファイルが見つかりません")
    existing = load_manifest(settings.uploads_dir)
    same = [d for d in existing if d.path == path.name]
    taken = {d.doc_id for d in existing if d not in same}
    taken |= {d.doc_id for d in load_manifest(settings.corpus_dir)}
    doc = Document(
        doc_id=same[0].doc_id if same else _slug(path.stem, taken),
        title=title or (same[0].title if same else path.stem),
        publisher=publisher,
        date=date,
        kind=kind,
        path=path.name,
        parser="generic",
        attribution=f"利用者が追加した資料: {title or path.stem}",
    )
    parsed = generic.parse_file(doc, path)  # raises DocumentError before anything is saved
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    target = settings.uploads_dir / path.name
    if path.resolve() != target.resolve():
        tmp = target.with_suffix(target.suffix + ".tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    _save_manifest(settings.uploads_dir, [d for d in existing if d not in same] + [doc])
    log.info("added %s as %s", path.name, doc.doc_id)
    return parsed


def remove_document(settings: Settings, doc_id: str) -> None:
    """Remove a user-added document (shipped documents stay)."""
    existing = load_manifest(settings.uploads_dir)
    keep = [d for d in existing if d.doc_id != doc_id]
    if len(keep) == len(existing):
        raise InputError(f"利用者が追加した資料に「{doc_id}」はありません")
    for d in existing:
        if d.doc_id == doc_id:
            (settings.uploads_dir / d.path).unlink(missing_ok=True)
    _save_manifest(settings.uploads_dir, keep)
