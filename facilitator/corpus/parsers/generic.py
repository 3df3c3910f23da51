"""Generic parser for user documents (.txt / .md / .pdf) and the unstructured corpus files.

The structure is guessed from the text: heading lines (第N章, 第N節, ``1.``, ``(1)``,
■●◆【…】 titles, markdown ``#``, ``**bold**`` lines, short lines standing alone before a
body paragraph) and paragraphs (runs of lines between blank lines). Chunks are packed
from whole paragraphs (about 200–800 characters), never cross a heading, and an
overlong paragraph is split after 「。」. PDFs are chunked page by page with the same
function, so a chunk never crosses a page and its locator carries the page number.

The block, heading and packing helpers are shared with the guideline parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.errors import DocumentError
from facilitator.text import normalize_text
from facilitator.themes import themes_for_text

__all__ = [
    "Block",
    "Section",
    "Unit",
    "build_sections",
    "chunk_span",
    "heading_candidate",
    "heading_label",
    "is_heading_generic",
    "pack_units",
    "parse_file",
    "parse_pdf",
    "parse_text",
    "read_text_file",
    "split_blocks",
    "split_long",
]

MIN_CHARS = 200
MAX_CHARS = 800
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

# Headings that may open a line inside a paragraph block (split the block there).
_STRONG_HEADING_RE = re.compile(
    r"^(?:#{1,6}\s+\S|第[0-9一二三四五六七八九十百]+[章節部編]\s*\S|[■●◆]\s*\S)"
)
# Headings recognised when they stand as a one-line block.
_EXPLICIT_HEADING_RE = re.compile(
    r"^(?:#{1,6}\s+\S"
    r"|第[0-9一二三四五六七八九十百]+(?:[章節款項部編]|\s)\s*\S"
    r"|\(\d{1,2}\)\s*\S"
    r"|\d{1,2}[.．]\s*\S"
    r"|[■●◆◇□▼▶◎]\s*\S"
    r"|【[^】]{1,20}】"
    r"|\*\*[^*]+\*\*$"
    r"|<[^<>]{1,40}>"
    r"|\(参考\)"
    r"|\d{1,2}\s?(?![年月日時分回人件名歳割%])[\u3040-\u30ff\u4e00-\u9fff])"
)
_NOT_HEADING_START = ("- ", "・", "※", "出典", "図", "(例)", "注", "✓", "<http")
_SENTENCE_END = "。"
# What CP932 yields for bytes that are not really CP932 text (NUL, C0 controls, the
# single-byte PUA / C1 mappings of 0x80, 0xA0, 0xFD-0xFF): the file is in another encoding.
_IMPLAUSIBLE_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x80\uf8f0-\uf8f3]")
_CLOSERS = "」』)]】"


@dataclass(frozen=True)
class Block:
    """A paragraph: a run of non-blank lines, as offsets into the document text."""

    start: int
    end: int

    def text(self, doc_text: str) -> str:
        return doc_text[self.start : self.end]


@dataclass
class Section:
    """Heading block(s) plus the body blocks up to the next heading."""

    headings: list[Block] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    label: str | None = None

    @property
    def start(self) -> int:
        return (self.headings or self.body)[0].start


@dataclass(frozen=True)
class Unit:
    """A packable span: a paragraph or a piece of one; ``solo`` units get their own chunk."""

    start: int
    end: int
    paragraph: int
    solo: bool = False
    break_before: bool = False
    extra: tuple[tuple[str, str], ...] = ()


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


# --------------------------------------------------------------------------- blocks


def split_blocks(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """Paragraph blocks of ``text[start:end]``; strong heading lines become their own block."""
    end = len(text) if end is None else end
    blocks: list[Block] = []
    for match in re.finditer(r"[^\n](?:.|\n(?!\n))*", text[start:end]):
        b_start = start + match.start()
        b_end = start + match.end()
        # Split before / after strong heading lines inside a multi-line block.
        cuts = [b_start]
        pos = b_start
        for line in text[b_start:b_end].split("\n"):
            line_end = pos + len(line)
            if pos != b_start and _STRONG_HEADING_RE.match(line) and len(line) <= 60:
                cuts.append(pos)
            if _STRONG_HEADING_RE.match(line) and len(line) <= 60 and line_end < b_end:
                cuts.append(line_end + 1)
            pos = line_end + 1
        for a, b in pairwise([*sorted(set(cuts)), b_end]):
            while b > a and text[b - 1] == "\n":
                b -= 1
            if b > a and text[a:b].strip():
                blocks.append(Block(a, b))
    return blocks


def _is_noise(text: str) -> bool:
    """Diagram debris: page numbers, single characters, vertical text one glyph a line."""
    stripped = re.sub(r"\s", "", text)
    if len(stripped) < 3:
        return True
    lines = text.split("\n")
    return len(lines) >= 3 and all(len(line.strip()) <= 2 for line in lines)


def heading_candidate(line: str) -> bool:
    """A one-line block short enough, and shaped enough, to be a title."""
    line = line.strip()
    return (
        2 <= len(line) <= 40
        and not line.endswith(("。", "、", ",", "。)"))
        and not line.startswith(_NOT_HEADING_START)
        and not re.fullmatch(r"[\d\s.~\-]+", line)
    )


def _body_like(text: str) -> bool:
    """A block that reads as running text (so a short line before it is its title)."""
    if "\n" not in text and heading_candidate(text):
        return False
    return len(text) >= 30 or _SENTENCE_END in text


def is_heading_generic(text: str, blocks: Sequence[Block], i: int) -> bool:
    """Heading rule for unknown documents (see the module docstring)."""
    block_text = blocks[i].text(text)
    if "\n" in block_text or len(block_text) > 60 or block_text.endswith("。"):
        return False
    if _STRONG_HEADING_RE.match(block_text):
        return True
    if _EXPLICIT_HEADING_RE.match(block_text) and not block_text.startswith(_NOT_HEADING_START):
        return True
    if not heading_candidate(block_text) or i + 1 >= len(blocks):
        return False
    return _body_like(blocks[i + 1].text(text))


def heading_label(text: str) -> str:
    """A heading as shown in a locator: markup and bullet glyphs stripped, one line."""
    label = re.sub(r"^#{1,6}\s+", "", text.strip())
    label = label.replace("**", "")
    label = re.sub(r"^[■●◆◇□▼▶◎]\s*", "", label)
    return re.sub(r"\s+", " ", label).strip()


def build_sections(
    text: str,
    blocks: Sequence[Block],
    is_heading: Callable[[str, Sequence[Block], int], bool],
) -> list[Section]:
    """Group blocks under headings; consecutive headings share one section."""
    sections: list[Section] = []
    current = Section()
    for i, block in enumerate(blocks):
        if is_heading(text, blocks, i):
            if current.body:  # a heading right after a heading joins its section
                sections.append(current)
                current = Section()
            current.headings.append(block)
            current.label = heading_label(block.text(text))
        else:
            current.body.append(block)
    if current.headings or current.body:
        sections.append(current)
    return sections


# --------------------------------------------------------------------------- packing


def split_long(text: str, start: int, end: int, max_len: int) -> list[tuple[int, int]]:
    """Split an overlong span after 「。」 (else a line break, else hard) into ≤ max_len,
    in pieces of about equal length."""
    pieces: list[tuple[int, int]] = []
    s = start
    while end - s > max_len:
        window = text[s : s + max_len]
        # Aim at equal pieces so the last one is not a scrap.
        target = -(-(end - s) // -(-(end - s) // max_len))
        cut = window.rfind(_SENTENCE_END, 0, target)
        if cut < max_len // 4:
            cut = window.rfind(_SENTENCE_END)
        if cut < max_len // 4:
            cut = window.rfind("\n")
        if cut < max_len // 4:
            cut = max_len - 1
        cut += 1
        while cut < len(window) and window[cut] in _CLOSERS:
            cut += 1
        pieces.append((s, s + cut))
        s += cut
        while s < end and text[s].isspace():
            s += 1
    if s < end:
        pieces.append((s, end))
    return pieces


def section_units(
    text: str, section: Section, max_len: int, *, include_heading: bool = True
) -> list[Unit]:
    """The packable units of a section; the heading is glued onto the first unit.

    Noise blocks (diagram debris) are not units: a chunk never starts or ends with one,
    and a chunk that is long enough ends before one.
    """
    units: list[Unit] = []
    paragraph = 0
    gap = False
    for block in section.body:
        if _is_noise(block.text(text)):
            gap = True
            continue
        paragraph += 1
        for a, b in split_long(text, block.start, block.end, max_len):
            units.append(Unit(a, b, paragraph, break_before=gap))
            gap = False
    if include_heading and section.headings:
        head = Unit(section.headings[0].start, section.headings[-1].end, 0)
        if units and not units[0].solo and not units[0].break_before:
            first = units[0]
            units[0] = Unit(head.start, first.end, first.paragraph)
        else:
            units.insert(0, head)
    return units


def pack_units(units: Sequence[Unit], max_len: int, min_len: int = 0) -> list[list[Unit]]:
    """Greedy packing of consecutive units into groups whose span stays ≤ max_len.

    A unit after a noise gap starts a new group once the current one has min_len.
    """
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in units:
        if unit.solo:
            if current:
                groups.append(current)
                current = []
            groups.append([unit])
            continue
        size = current[-1].end - current[0].start if current else 0
        too_long = unit.end - current[0].start > max_len if current else False
        if current and (too_long or (unit.break_before and size >= min_len)):
            groups.append(current)
            current = []
        current.append(unit)
    if current:
        groups.append(current)
    # A short tail joins the group before it when the two still fit.
    if (
        len(groups) >= 2
        and not groups[-1][0].solo
        and not groups[-2][-1].solo
        and groups[-1][-1].end - groups[-1][0].start < min_len
        and groups[-1][-1].end - groups[-2][0].start <= max_len
    ):
        groups[-2].extend(groups.pop())
    return groups


def chunk_span(
    doc: Document,
    text: str,
    start: int,
    end: int,
    *,
    page: int | None = None,
    path_prefix: str = "",
    carry_label: str | None = None,
    max_len: int = MAX_CHARS,
    min_len: int = MIN_CHARS,
) -> tuple[list[Chunk], str | None]:
    """Chunk ``text[start:end]`` (a whole text document or one PDF page).

    Returns the chunks and the label of the last heading, which a following page
    inherits for the text before its first heading.
    """
    blocks = split_blocks(text, start, end)
    sections = build_sections(text, blocks, is_heading_generic)
    chunks: list[Chunk] = []
    label = carry_label
    for k, section in enumerate(sections):
        if section.headings:
            label = section.label
        units = section_units(text, section, max_len)
        for j, group in enumerate(pack_units(units, max_len, min_len), start=1):
            chunk_text = text[group[0].start : group[-1].end]
            chunks.append(
                make_chunk(
                    doc,
                    text,
                    f"{path_prefix}sec:{k}:p{j}",
                    group[0].start,
                    group[-1].end,
                    section=label,
                    paragraph=max(group[0].paragraph, 1),
                    page=page,
                    section_kind="section",
                    themes=themes_for_text(chunk_text),
                )
            )
    return chunks, label


# --------------------------------------------------------------------------- parsers


def parse_text(doc: Document, raw: str) -> ParsedDocument:
    """Generic structure for plain text: headings, paragraphs, 200–800 character chunks."""
    text = normalize_text(raw)
    if not text.strip():
        raise DocumentError(doc.path, _EMPTY_REASON)
    chunks, _ = chunk_span(doc, text, 0, len(text))
    return ParsedDocument(document=doc, text=text, chunks=chunks)


def _pdf_pages(path: Path) -> list[str]:
    """Extracted text of each page, or a DocumentError that says why there is none."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

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
    except PdfReadError as err:
        raise DocumentError(str(path), f"PDFを読み込めません: {err}") from err
    except Exception as err:  # pypdf raises many kinds of error on damaged files
        raise DocumentError(str(path), f"PDFを読み込めません: {type(err).__name__}: {err}") from err
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
