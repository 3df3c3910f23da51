"""Parser for what users bring (.txt / .md / .pdf) and for the corpus files with no fixed layout.

Users' files come in whatever encoding their word processor chose and PDFs may be
encrypted or scanned, so this module decodes and extracts text, and refuses what it cannot
read with a Japanese message that says what to do, before anything is saved. The structure
itself is guessed by :mod:`facilitator.corpus.parsers.blocks`. PDFs are chunked page by page,
so a chunk never crosses a page and its locator carries the page number.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from facilitator.corpus.chunks import Chunk, Document
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.corpus.parsers.blocks import chunk_span
from facilitator.errors import DocumentError
from facilitator.text import normalize_text

__all__ = ["parse_file", "parse_pdf", "parse_text", "read_text_file"]

PAGE_SEPARATOR = "\n\n"

_ENCODING_REASON = "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"
_EMPTY_REASON = "本文が空です"
_ENCRYPTED_REASON = (
    "暗号化（パスワード保護）されたPDFは読み込めません。パスワードを解除したPDFを使用してください"
)
_IMAGE_ONLY_REASON = (
    "PDFから文字を抽出できません（画像のみのPDFの可能性があります。OCR済みのPDFを使用してください）"
)
_UNSUPPORTED_REASON = "対応していない形式です（.txt / .md / .pdf）"

# What CP932 yields for bytes that are not really CP932 text (NUL, C0 controls, the
# single-byte PUA / C1 mappings of 0x80, 0xA0, 0xFD-0xFF): the file is in another encoding.
_IMPLAUSIBLE_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x80\uf8f0-\uf8f3]")


# --------------------------------------------------------------------------- reading


def read_text_file(path: Path) -> str:
    """Decode a text file as UTF-8 (BOM or not), else CP932, the two encodings users have."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(str(path), f"ファイルを読み込めません: {err}") from err
    text: str | None = None
    for encoding in ("utf-8-sig", "cp932", "shift_jis"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or _IMPLAUSIBLE_RE.search(text):
        raise DocumentError(str(path), _ENCODING_REASON)
    if not text.strip():
        raise DocumentError(str(path), _EMPTY_REASON)
    return text


# --------------------------------------------------------------------------- parsers


def parse_text(doc: Document, raw: str) -> ParsedDocument:
    """Generic structure for plain text: headings, paragraphs, 200–800 character chunks."""
    text = normalize_text(raw)
    if not text.strip():
        raise DocumentError(doc.path, _EMPTY_REASON)
    chunks, _ = chunk_span(doc, text, 0, len(text))
    return ParsedDocument(document=doc, text=text, chunks=chunks)


log = logging.getLogger(__name__)

_DAMAGED_REASON = (
    "PDFを読み込めません。ファイルが壊れているか、PDF ではない可能性があります"
    "（PDF として保存し直すか、テキスト（.txt）にして追加してください）"
)


def _pdf_pages(path: Path) -> list[str]:
    """Extracted text of each page, or a DocumentError that says why there is none."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as err:
                raise DocumentError(str(path), _ENCRYPTED_REASON) from err
            if not opened:
                raise DocumentError(str(path), _ENCRYPTED_REASON)
        if len(reader.pages) == 0:
            raise DocumentError(str(path), "PDFを読み込めません: ページがありません")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except FileNotDecryptedError as err:
        raise DocumentError(str(path), _ENCRYPTED_REASON) from err
    except Exception as err:  # pypdf raises many kinds of error on damaged files
        log.info("pypdf could not read %s: %s: %s", path, type(err).__name__, err)
        raise DocumentError(str(path), _DAMAGED_REASON) from err
    return pages


def parse_pdf(doc: Document, path: Path) -> ParsedDocument:
    """Text of each page, normalised and joined; chunks stay within a page."""
    pages = [normalize_text(page).strip() for page in _pdf_pages(path)]
    if not any(pages):
        raise DocumentError(str(path), _IMAGE_ONLY_REASON)
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []  # (page number, start, end)
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        if not page_text:
            continue
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        parts.append(page_text)
        spans.append((number, offset, offset + len(page_text)))
        offset += len(page_text)
    text = "".join(parts) + "\n"
    chunks: list[Chunk] = []
    label: str | None = None
    for number, start, end in spans:
        page_chunks, label = chunk_span(
            doc, text, start, end, page=number, path_prefix=f"page:{number}:", carry_label=label
        )
        chunks.extend(page_chunks)
    return ParsedDocument(document=doc, text=text, chunks=chunks)


def parse_file(doc: Document, path: Path) -> ParsedDocument:
    """Parse a user file by its suffix."""
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return parse_text(doc, read_text_file(path))
    if suffix == ".pdf":
        if not path.exists():
            raise DocumentError(str(path), "ファイルが見つかりません")
        return parse_pdf(doc, path)
    raise DocumentError(str(path), _UNSUPPORTED_REASON)
