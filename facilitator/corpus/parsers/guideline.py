"""Parser for the guideline extract and for local council material that quotes it.

Both documents are prose and slides around the five example issue sheets, with a table of
contents, footnotes and (in the council material) a flattened table, all of which ordinary
sectioning would tear apart or mix with their neighbours. So they are carved out first as
regions of their own: the TOC, each footnote, each example sheet (read into fields by
:mod:`.example_sheets`) and the area stated once for all sheets; what is left is ordinary
sections, with table cells chunked one by one.

Two documents use it, and they lay the five example issue sheets out differently:

* 「かかりつけ医機能の確保に関するガイドライン（第1版）」 (guideline-2025): each sheet
  starts 「(n) 協議イメージ例（…）」, has its own 「圏域 …」/「参加者 …」 lines, numbers
  its fields (1)–(5), marks items 「原因1:」/「方策1:」 with ✓ sub-points and
  「(事例集 P.n ○○の事例参照)」 lines, and footnotes 18–20 sit between and after sheets.
* the 新居浜・西条 council material (niihama-saijo-council): each sheet starts
  「《協議のイメージ》XXX地域における…（在宅医療）」, has no 圏域/参加者 of its own (the
  material states the area once, in its 【想定】 block), marks items 【原因①】/【方策①】
  and ends with a 「※…例示としての内容…」 note. It also carries an HTML table (協議前 /
  協議 / 協議後) that normalisation flattens into one line; its cells are located from
  the raw text and chunked one by one.

Every chunk is a span of the normalised text built with :func:`make_chunk`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.base import ExampleSheet, ParsedDocument
from facilitator.corpus.parsers.blocks import (
    Block,
    Section,
    Unit,
    build_sections,
    heading_candidate,
    is_heading_generic,
    pack_units,
    split_blocks,
    split_lines,
    split_long,
)
from facilitator.corpus.parsers.example_sheets import (
    SHEET_TITLE_RE,
    assumed_area,
    common_field,
    parse_sheet,
    sheet_theme,
)
from facilitator.text import normalize_text
from facilitator.themes import themes_for_text

__all__ = ["parse_guideline"]

SECTION_MAX_CHARS = 1200
_TINY_SECTION = 250  # a section this short absorbs a following minor (unnumbered) heading

_FOOTNOTE_RE = re.compile(r"^(\d{1,3}) (\S.{14,})$", re.M)
_URL_BLOCK_RE = re.compile(r"^<?https?://\S+>?$")
_TOC_RE = re.compile(r"^目次$", re.M)
_CHAPTER_RE = re.compile(r"^第\d+[章節]\s*\S", re.M)
_TOC_ENTRY_RE = re.compile(r"(?:\.{2,}\s*|\s)\d+$")
_SOURCE_LINE_RE = re.compile(r"^(?:令和|平成)\d+年.*(?:資料|\))$")
_EXPLICIT_RE = re.compile(r"^(?:第\d+[章節]|\(\d{1,2}\)|[●■◆]|【[^】]+】)")


@dataclass(frozen=True)
class _Cell:
    """A cell of the council material's table, located in the normalised text."""

    start: int
    end: int
    column: str


@dataclass
class _Region:
    """A span handled outside the section parser (TOC, sheet, footnote, common area)."""

    start: int
    end: int
    kind: str
    key: str = ""


# --------------------------------------------------------------------------- table


def _table_cells(raw: str, text: str) -> list[_Cell]:
    """Cells of the HTML-ish table rows (tab-separated in ``raw``), located in ``text``."""
    cells: list[_Cell] = []
    header: list[str] = []
    cursor = 0
    for raw_line in raw.replace("\r\n", "\n").split("\n"):
        if "\t" not in raw_line:
            continue
        parts = raw_line.split("\t")
        if "<p>" not in raw_line and "<ul" not in raw_line:
            header = [normalize_text(p).strip() for p in parts]
            continue
        for c, part in enumerate(parts):
            cell = normalize_text(part).strip()
            if not cell:
                continue
            pos = text.find(cell, cursor)
            if pos < 0:
                continue
            column = header[c] if c < len(header) and header[c] else f"列{c + 1}"
            cells.append(_Cell(pos, pos + len(cell), column))
            cursor = pos + len(cell)
    return cells


# --------------------------------------------------------------------------- regions


def _toc_region(text: str) -> _Region | None:
    """Cover and table of contents: from the top to the first real 第N章/第N節 heading."""
    toc = _TOC_RE.search(text)
    if not toc:
        return None
    for match in _CHAPTER_RE.finditer(text, toc.end()):
        line = text[match.start() : text.find("\n", match.start())]
        if not _TOC_ENTRY_RE.search(line):
            return _Region(0, match.start(), "toc")
    return None


def _footnote_regions(text: str, blocks: Sequence[Block], after: int) -> list[_Region]:
    """Footnote blocks 「18 …」 (plus URL blocks after them) whose marker appears earlier."""
    regions: list[_Region] = []
    for i, block in enumerate(blocks):
        if block.start < after:
            continue
        match = _FOOTNOTE_RE.match(block.text(text))
        if not match:
            continue
        n = match.group(1)
        marker = re.compile(rf"(?<=[\u3040-\u30ff\u4e00-\u9fff]){n}(?!\d)")
        if not marker.search(text, 0, block.start):
            continue
        end = block.end
        for nxt in blocks[i + 1 :]:
            if not _URL_BLOCK_RE.match(nxt.text(text)):
                break
            end = nxt.end
        regions.append(_Region(block.start, end, "footnote", n))
    return regions


_TERM_BEFORE = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fff々ー]{2,}$")  # the word a marker follows


def _footnote_markers(text: str, footnotes: Sequence[_Region]) -> dict[int, int]:
    """Offset of each footnote's in-text marker (「在宅療養支援病院18、」)."""
    markers: dict[int, int] = {}
    for region in footnotes:
        n = region.key
        pattern = rf"(?<=[\u3040-\u30ff\u4e00-\u9fff]){n}(?!\d)"
        found = list(re.finditer(pattern, text[: region.start]))
        if found:  # the last marker before the footnote
            markers[found[-1].start()] = int(n)
    return markers


# --------------------------------------------------------------------------- sections


def _is_heading(text: str, blocks: Sequence[Block], i: int) -> bool:
    """Generic heading rule, plus: a title followed by a heading, and a 「令和…資料」 source
    line standing just before a slide title (it belongs to that slide)."""
    if is_heading_generic(text, blocks, i):
        return True
    block_text = blocks[i].text(text)
    if i + 1 >= len(blocks) or "\n" in block_text:
        return False
    nxt_is_heading = is_heading_generic(text, blocks, i + 1)
    if _SOURCE_LINE_RE.match(block_text) and nxt_is_heading:
        return True
    return (
        heading_candidate(block_text)
        and nxt_is_heading
        and bool(_EXPLICIT_RE.match(blocks[i + 1].text(text)))
    )


def _merge_tiny(text: str, sections: list[Section]) -> list[Section]:
    """A very short section absorbs a following section whose heading is only a short title
    (「年間サイクルのイメージ」 is part of the schedule, not a section of its own)."""
    merged: list[Section] = []
    for section in sections:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.body
            and section.headings
            and not any(_EXPLICIT_RE.match(h.text(text)) for h in section.headings)
            and not any(_SOURCE_LINE_RE.match(h.text(text)) for h in section.headings)
            and prev.body[-1].end - prev.start < _TINY_SECTION
        ):
            prev.body.extend(section.headings + section.body)
        else:
            merged.append(section)
    return merged


def _section_units(text: str, section: Section, cells: Sequence[_Cell]) -> list[Unit]:
    units: list[Unit] = []
    for paragraph, block in enumerate(section.body, start=1):
        inside = [c for c in cells if block.start <= c.start < block.end]
        if inside:
            units.extend(
                Unit(c.start, c.end, paragraph, solo=True, extra=(("table_column", c.column),))
                for c in inside
            )
        else:
            units.extend(
                Unit(a, b, paragraph)
                for a, b in split_long(text, block.start, block.end, SECTION_MAX_CHARS)
            )
    if section.headings:
        if units and not units[0].solo:
            units[0] = Unit(section.headings[0].start, units[0].end, units[0].paragraph)
        elif not units:
            units = [Unit(section.headings[0].start, section.headings[-1].end, 0)]
    return units


def _section_chunks(
    doc: Document, text: str, start: int, end: int, first_k: int, cells: Sequence[_Cell]
) -> tuple[list[Chunk], int]:
    """Chunks of a stretch of ordinary sections; returns them and the next section number."""
    blocks = split_blocks(text, start, end)
    sections = _merge_tiny(text, build_sections(text, blocks, _is_heading))
    chunks: list[Chunk] = []
    k = first_k
    for section in sections:
        groups = pack_units(_section_units(text, section, cells), SECTION_MAX_CHARS)
        for j, group in enumerate(groups, start=1):
            a, b = group[0].start, group[-1].end
            extra = dict(group[0].extra) if group[0].solo else {}
            label = section.label
            if "table_column" in extra:
                label = f"{label} {extra['table_column']}" if label else extra["table_column"]
            chunks.append(
                make_chunk(
                    doc,
                    text,
                    f"sec:{k}" if len(groups) == 1 else f"sec:{k}:p{j}",
                    a,
                    b,
                    section=label,
                    paragraph=(group[0].paragraph or None) if len(groups) > 1 else None,
                    section_kind="section",
                    themes=themes_for_text(text[a:b]),
                    **extra,
                )
            )
        k += 1
    return chunks, k


# --------------------------------------------------------------------------- entry point


def parse_guideline(doc: Document, raw: str) -> ParsedDocument:
    """Sections, TOC, footnotes and the five example sheets of a guideline-style document."""
    text = normalize_text(raw)
    blocks = split_blocks(text)
    regions: list[_Region] = []
    chunks: list[Chunk] = []

    toc = _toc_region(text)
    if toc:
        regions.append(toc)
        chunks.append(
            make_chunk(
                doc,
                text,
                "toc",
                toc.start,
                toc.end,
                section="目次",
                section_kind="toc",
                themes=themes_for_text(text[toc.start : toc.end]),
            )
        )
    body_start = toc.end if toc else 0

    footnotes = _footnote_regions(text, blocks, body_start)
    for note in footnotes:
        chunks.append(
            make_chunk(
                doc,
                text,
                f"footnote:{note.key}",
                note.start,
                note.end,
                section=f"脚注{note.key}",
                section_kind="footnote",
                footnote=int(note.key),
                themes=themes_for_text(text[note.start : note.end]),
            )
        )
    regions.extend(footnotes)

    titles = [m for m in SHEET_TITLE_RE.finditer(text) if m.start() >= body_start]
    stops = sorted(
        [m.start() for m in titles]
        + [r.start for r in footnotes]
        + [m.start() for m in _CHAPTER_RE.finditer(text, body_start)]
        + [len(text)]
    )
    sheet_regions: list[_Region] = []
    for m in titles:
        theme = sheet_theme(m.group(0))
        if theme is None:
            continue
        end = min(s for s in stops if s > m.start())
        sheet_regions.append(_Region(m.start(), end, "sheet", theme))
    regions.extend(sheet_regions)

    common: dict[str, tuple[str, str]] = {}
    first_sheet = sheet_regions[0].start if sheet_regions else len(text)
    for line in split_lines(text, body_start, first_sheet):
        if any(r.start <= line.start < r.end for r in regions):
            continue
        if found := common_field(doc, text, line):
            name, value, chunk = found
            chunks.append(chunk)
            regions.append(_Region(line.start, line.end + 1, "common"))
            common[name] = (value, chunk.chunk_id)
    if sheet_regions and "area" not in common:
        assumed = assumed_area(doc, text, blocks, first_sheet)
        if assumed:
            (area_start, area_end), chunk, value = assumed
            regions.append(_Region(area_start, area_end, "common"))
            chunks.append(chunk)
            common["area"] = (value, chunk.chunk_id)

    sheets: list[ExampleSheet] = []
    for region in sheet_regions:
        sheet, sheet_chunks = parse_sheet(doc, text, region.start, region.end, region.key, common)
        sheets.append(sheet)
        chunks.extend(sheet_chunks)

    # Everything not claimed above is ordinary sections.
    cells = _table_cells(raw, text)
    regions.sort(key=lambda r: r.start)
    k = 1
    cursor = body_start
    for region in [*regions, _Region(len(text), len(text), "end")]:
        if region.start > cursor and text[cursor : region.start].strip():
            part, k = _section_chunks(doc, text, cursor, region.start, k, cells)
            chunks.extend(part)
        cursor = max(cursor, region.end)

    markers = _footnote_markers(text, footnotes)
    terms = {n: _TERM_BEFORE.search(text[:off]) for off, n in markers.items()}
    for chunk in chunks:
        if chunk.metadata.get("section_kind") == "footnote":
            term = terms.get(chunk.metadata["footnote"])
            if term:  # 「24時間体制で往診…を行う病院のこと」 defines 在宅療養支援病院
                chunk.metadata["defines"] = term.group()
            continue
        refs = [
            n
            for off, n in markers.items()
            if chunk.locator.char_start <= off < chunk.locator.char_end
        ]
        if refs:
            chunk.metadata["footnote_refs"] = sorted(refs)

    chunks.sort(key=lambda c: c.locator.char_start)
    return ParsedDocument(document=doc, text=text, chunks=chunks, sheets=sheets)
