"""Parser for the guideline extract and for local council material that quotes it.

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

The 「事例集 P.n」 references point to the guideline's separate 2025 case volume, which
is not in the corpus: they are kept as strings in ``SheetItem.external_refs`` and never
resolved to 事例n of the 2022 casebook.

Every chunk is a span of the normalised text built with :func:`make_chunk`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.base import ExampleSheet, ParsedDocument, SheetItem
from facilitator.corpus.parsers.generic import (
    Block,
    Section,
    Unit,
    build_sections,
    heading_candidate,
    heading_label,
    is_heading_generic,
    pack_units,
    split_blocks,
    split_long,
)
from facilitator.text import normalize_text
from facilitator.themes import COUNCIL_THEMES, THEME_SHORT, Theme, themes_for_text

__all__ = ["parse_guideline"]

SECTION_MAX_CHARS = 1200
_TINY_SECTION = 250  # a section this short absorbs a following minor (unnumbered) heading

_CIRCLED = "[\u2460-\u2473]"
_NUM = rf"(?:\d{{1,2}}|{_CIRCLED})"
_SHEET_TITLE_RE = re.compile(r"^(?:\(\d\)\s*協議イメージ例|《協議のイメージ》).*$", re.M)
_FIELD_RE = re.compile(
    r"^\(([1-5])\)\s*(地域の具体的な課題|様々な視点から考えられる原因|地域で目指すべき姿"
    r"|方策により期待できる効果|方策)"
)
_FIELD_NAMES = {
    "地域の具体的な課題": "issue",
    "様々な視点から考えられる原因": "cause",
    "地域で目指すべき姿": "goal",
    "方策により期待できる効果": "effect",
    "方策": "measure",
}
_AREA_RE = re.compile(r"^(圏域|参加者)\s+(\S.*)$")
_ITEM_RE = re.compile(
    rf"^(?:-\s*)?(?P<marker>(?:(?P<k1>原因|方策)\s*(?P<n1>{_NUM})\s*[::]"
    rf"|【(?P<k2>原因|方策)\s*(?P<n2>{_NUM})】))\s*"
)
_POINT_RE = re.compile(r"^(?:-\s*)?✓\s*(.*)$")
_REF_LINE_RE = re.compile(r"^\(事例集.*\)$")
_REF_RE = re.compile(r"\(事例集\s*(P\..+?)参照\)")
_REF_PART_RE = re.compile(r"P\.\s*(\d+)\s*(.+?)(?:の事例)?(?=、\s*P\.|$)")
_FOOTNOTE_RE = re.compile(r"^(\d{1,3}) (\S.{14,})$", re.M)
_URL_BLOCK_RE = re.compile(r"^<?https?://\S+>?$")
_TOC_RE = re.compile(r"^目次$", re.M)
_CHAPTER_RE = re.compile(r"^第\d+[章節]\s*\S", re.M)
_TOC_ENTRY_RE = re.compile(r"(?:\.{2,}\s*|\s)\d+$")
_SOURCE_LINE_RE = re.compile(r"^(?:令和|平成)\d+年.*(?:資料|\))$")
_ASSUMED_AREA_RE = re.compile(r"^【想定】(.*(?:医療圏|圏域)[\s\S]*)$")
_TITLE_PAREN_RE = re.compile(r"\(([^()]{1,12})\)$")
_EXPLICIT_RE = re.compile(r"^(?:第\d+[章節]|\(\d{1,2}\)|[●■◆]|【[^】]+】)")

# Sheet title keywords, checked in this order (介護 before 在宅: 「在宅医療・介護連携」).
_THEME_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Theme.kaigo, ("介護", "医介")),
    (Theme.nyutaiin, ("入退院",)),
    (Theme.jikangai, ("時間外",)),
    (Theme.zaitaku, ("在宅",)),
    (Theme.ichigo, ("1号機能",)),
)
_FIELD_LABELS = {
    "area": "圏域",
    "participants": "参加者",
    "issue": "課題",
    "goal": "目指す姿",
    "cause": "原因",
    "measure": "方策",
    "effect": "効果",
}


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Cell:
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


# --------------------------------------------------------------------------- helpers


def _lines(text: str, start: int = 0, end: int | None = None) -> list[_Line]:
    end = len(text) if end is None else end
    out: list[_Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        out.append(_Line(pos, line_end, text[pos:line_end]))
        pos = line_end + 1
    return out


def _number(token: str) -> int:
    """「2」 or 「②」 as an int."""
    return int(token) if token.isdigit() and token.isascii() else int(unicodedata.numeric(token))


def _theme_of(title: str) -> str | None:
    for theme, words in _THEME_MARKERS:
        if any(word in title for word in words):
            return theme.value
    return None


def _external_refs(span_text: str) -> list[str]:
    """「(事例集 P.5 福井県、P.36 新潟県医師会の事例参照)」 → one string per page reference."""
    refs: list[str] = []
    for match in _REF_RE.finditer(span_text):
        for part in _REF_PART_RE.finditer(match.group(1).strip()):
            ref = f"事例集 P.{part.group(1)} {part.group(2).strip()}の事例"
            if ref not in refs:
                refs.append(ref)
    return refs


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


# --------------------------------------------------------------------------- sheets


@dataclass
class _SheetContext:
    doc: Document
    text: str
    theme: str
    prefix: str
    label: str


def _sheet_chunk(
    ctx: _SheetContext,
    key: str,
    start: int,
    end: int,
    field: str,
    number: int | None = None,
    **extra: object,
) -> Chunk:
    field_label = _FIELD_LABELS[field] + (str(number) if number is not None else "")
    return make_chunk(
        ctx.doc,
        ctx.text,
        f"sheet:{ctx.theme}:{key}",
        start,
        end,
        section=f"{ctx.prefix} {ctx.label} {field_label}",
        section_kind="sheet",
        sheet_theme=ctx.theme,
        field=field,
        number=number,
        themes=[ctx.theme],
        **extra,
    )


def _items(
    ctx: _SheetContext, kind: str, start: int, end: int, chunks: list[Chunk]
) -> list[SheetItem]:
    """Numbered 原因/方策 items of a field body, each with its ✓ points and 事例集 refs."""
    lines = _lines(ctx.text, start, end)
    heads = [(i, m) for i, line in enumerate(lines) if (m := _ITEM_RE.match(line.text))]
    if not heads:
        stripped = ctx.text[start:end].strip()
        if not stripped:
            return []
        whole = SheetItem(number=1, text=stripped)
        chunk = _sheet_chunk(ctx, f"{kind}-1", start, end, kind, 1)
        whole.chunk_id = chunk.chunk_id
        chunks.append(chunk)
        return [whole]
    items: list[SheetItem] = []
    used: set[int] = set()
    for h, (i, match) in enumerate(heads):
        last = heads[h + 1][0] if h + 1 < len(heads) else len(lines)
        item_lines = lines[i:last]
        number = _number(match.group("n1") or match.group("n2"))
        while number in used:
            number += 1
        used.add(number)
        item_start = item_lines[0].start + match.start("marker")
        item_end = item_lines[-1].end
        text_start = item_lines[0].start + match.end()
        text_end = item_end
        points: list[str] = []
        for line in item_lines[1:]:
            point = _POINT_RE.match(line.text)
            is_ref = _REF_LINE_RE.match(line.text)
            if (point or is_ref) and text_end == item_end:
                text_end = line.start
            if point and point.group(1).strip():
                points.append(point.group(1).strip())
        refs = _external_refs(ctx.text[item_start:item_end])
        chunk = _sheet_chunk(
            ctx,
            f"{kind}-{number}",
            item_start,
            item_end,
            kind,
            number,
            external_refs=refs or None,
        )
        chunks.append(chunk)
        items.append(
            SheetItem(
                number=number,
                text=ctx.text[text_start:text_end].strip(),
                points=points,
                external_refs=refs,
                chunk_id=chunk.chunk_id,
            )
        )
    return items


def _parse_sheet(
    doc: Document, text: str, region: _Region, common: dict[str, tuple[str, str]]
) -> tuple[ExampleSheet, list[Chunk]]:
    """One example sheet: 圏域/参加者, (1) 課題 … (5) 効果, and a trailing ※ note."""
    lines = _lines(text, region.start, region.end)
    title = lines[0].text.strip()
    if title.startswith("《"):
        prefix = "協議のイメージ"
        paren = _TITLE_PAREN_RE.search(title)
        label = paren.group(1) if paren else THEME_SHORT[region.key]
    else:
        prefix = "具体的な協議イメージ(例)"
        label = THEME_SHORT[region.key]
    ctx = _SheetContext(doc, text, region.key, prefix, label)
    sheet = ExampleSheet(doc_id=doc.doc_id, theme=region.key, title=title)
    chunks: list[Chunk] = []

    fields: dict[str, list[int]] = {}  # field -> [body start, body end]
    current: str | None = None
    note_start: int | None = None
    for line in lines[1:]:
        area = _AREA_RE.match(line.text)
        field = _FIELD_RE.match(line.text)
        if area and current is None:
            name = "area" if area.group(1) == "圏域" else "participants"
            chunk = _sheet_chunk(ctx, name, line.start, line.end, name)
            chunks.append(chunk)
            setattr(sheet, name, area.group(2).strip())
            sheet.chunk_ids[name] = chunk.chunk_id
        elif field:
            if current:
                fields[current][1] = line.start
            current = _FIELD_NAMES[field.group(2)]
            fields[current] = [line.end, region.end]
        elif current == "effect" and line.text.startswith("※") and note_start is None:
            fields[current][1] = line.start
            note_start = line.start
            current = None

    for name in ("area", "participants"):
        if name not in sheet.chunk_ids and name in common:
            setattr(sheet, name, common[name][0])
            sheet.chunk_ids[name] = common[name][1]
    for name, (start, end) in fields.items():
        if name in ("cause", "measure"):
            items = _items(ctx, name, start, end, chunks)
            setattr(sheet, "causes" if name == "cause" else "measures", items)
            for item in items:
                if item.chunk_id:
                    sheet.chunk_ids[f"{name}-{item.number}"] = item.chunk_id
        elif text[start:end].strip():
            chunk = _sheet_chunk(ctx, name, start, end, name)
            chunks.append(chunk)
            setattr(sheet, name, chunk.text)
            sheet.chunk_ids[name] = chunk.chunk_id
    if note_start is not None and text[note_start : region.end].strip():
        chunks.append(
            make_chunk(
                doc,
                text,
                f"sheet:{region.key}:note",
                note_start,
                region.end,
                section=f"{prefix} {label} 注記",
                section_kind="section",
                sheet_theme=region.key,
                field="note",
                themes=[region.key],
            )
        )
    chunks.sort(key=lambda c: c.locator.char_start)
    return sheet, chunks


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


def _assumed_area(
    doc: Document, text: str, blocks: Sequence[Block], before: int
) -> tuple[_Region, Chunk, str] | None:
    """The material's own statement of the area (「【想定】…一次医療圏…」), shared by all
    sheets, with the slide title just before it."""
    for i, block in enumerate(blocks):
        if block.start >= before:
            break
        match = _ASSUMED_AREA_RE.match(block.text(text))
        if not match:
            continue
        start, section = block.start, "圏域"
        if i > 0 and "\n" not in blocks[i - 1].text(text) and len(blocks[i - 1].text(text)) <= 60:
            start = blocks[i - 1].start
            section = f"{heading_label(blocks[i - 1].text(text))} 圏域"
        chunk = make_chunk(
            doc,
            text,
            "sheet:common:area",
            start,
            block.end,
            section=section,
            section_kind="sheet",
            sheet_theme="common",
            field="area",
            themes=COUNCIL_THEMES,
        )
        return _Region(start, block.end, "common"), chunk, match.group(1).strip()
    return None


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

    titles = [m for m in _SHEET_TITLE_RE.finditer(text) if m.start() >= body_start]
    stops = sorted(
        [m.start() for m in titles]
        + [r.start for r in footnotes]
        + [m.start() for m in _CHAPTER_RE.finditer(text, body_start)]
        + [len(text)]
    )
    sheet_regions: list[_Region] = []
    for m in titles:
        theme = _theme_of(m.group(0))
        if theme is None:
            continue
        end = min(s for s in stops if s > m.start())
        sheet_regions.append(_Region(m.start(), end, "sheet", theme))
    regions.extend(sheet_regions)

    common: dict[str, tuple[str, str]] = {}
    first_sheet = sheet_regions[0].start if sheet_regions else len(text)
    for line in _lines(text, body_start, first_sheet):
        area = _AREA_RE.match(line.text)
        if area and not any(r.start <= line.start < r.end for r in regions):
            name = "area" if area.group(1) == "圏域" else "participants"
            chunk = make_chunk(
                doc,
                text,
                f"sheet:common:{name}",
                line.start,
                line.end,
                section=_FIELD_LABELS[name],
                section_kind="sheet",
                sheet_theme="common",
                field=name,
                themes=COUNCIL_THEMES,
            )
            chunks.append(chunk)
            regions.append(_Region(line.start, line.end + 1, "common"))
            common[name] = (area.group(2).strip(), chunk.chunk_id)
    if sheet_regions and "area" not in common:
        assumed = _assumed_area(doc, text, blocks, first_sheet)
        if assumed:
            region, chunk, value = assumed
            regions.append(region)
            chunks.append(chunk)
            common["area"] = (value, chunk.chunk_id)

    sheets: list[ExampleSheet] = []
    for region in sheet_regions:
        sheet, sheet_chunks = _parse_sheet(doc, text, region, common)
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
    for chunk in chunks:
        if chunk.metadata.get("section_kind") == "footnote":
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
