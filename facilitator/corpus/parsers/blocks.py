"""Structure guessed from plain text, shared by the parsers that have no fixed layout to lean on.

User documents and most corpus files arrive as extracted text with the layout gone, so their
structure has to be guessed: heading lines (第N章, 第N節, ``1.``, ``(1)``, ■●◆【…】 titles,
markdown ``#``, ``**bold**`` lines, short lines standing alone before a body paragraph) and
paragraphs (runs of lines between blank lines). Chunks are packed from whole paragraphs
(about 200–800 characters), never cross a heading, and an overlong paragraph is split after
「。」, so that every chunk reads as a whole passage under one heading and stays citable.

All spans here are offsets into the normalised document text, never copies of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.places import prefecture_about
from facilitator.themes import themes_for_text

__all__ = [
    "MAX_CHARS",
    "MIN_CHARS",
    "Block",
    "Line",
    "Section",
    "Unit",
    "build_sections",
    "chunk_span",
    "heading_candidate",
    "heading_label",
    "is_heading_generic",
    "number_value",
    "pack_units",
    "paragraph_end",
    "section_units",
    "split_blocks",
    "split_lines",
    "split_long",
]

MIN_CHARS = 200
MAX_CHARS = 800

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
_CLOSERS = "」』)]】"


@dataclass(frozen=True)
class Line:
    """One line, as offsets into the document text, with its text."""

    start: int
    end: int
    text: str


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


# --------------------------------------------------------------------------- lines and blocks


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """The lines of ``text[start:end]`` (a trailing newline gives no empty last line)."""
    end = len(text) if end is None else end
    out: list[Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        out.append(Line(pos, line_end, text[pos:line_end]))
        pos = line_end + 1
    return out


def paragraph_end(text: str, pos: int, limit: int) -> int:
    """End of the blank-line-delimited paragraph starting at ``pos`` (at most ``limit``)."""
    end = text.find("\n\n", pos, limit)
    return limit if end < 0 else end


def number_value(token: str) -> int:
    """1 for 「1」 or 「①」: numbered headings and items use either form."""
    if len(token) == 1 and 0x2460 <= ord(token) <= 0x2473:
        return ord(token) - 0x2460 + 1
    return int(token)


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


# --------------------------------------------------------------------------- headings


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
                    prefecture=prefecture_about(text, group[0].start, group[-1].end, start),
                )
            )
    return chunks, label
