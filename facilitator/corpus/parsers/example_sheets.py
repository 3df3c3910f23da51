"""The guideline's five example issue sheets (協議イメージ例), read into their fields.

The sheets are the model a council's own issue sheet is drafted from, so they are kept as
structured :class:`ExampleSheet` records and not only as text: every field (圏域, 参加者,
課題, each numbered 原因/方策, 目指す姿, 効果) is its own chunk, so a draft can cite exactly
the item it borrows from. The two documents that carry the sheets mark them differently
(see :mod:`.guideline`); both layouts are read here.

The 「事例集 P.n」 references point to the guideline's separate 2025 case volume, which
is not in the corpus: they are kept as strings in ``SheetItem.external_refs`` and never
resolved to 事例n of the 2022 casebook.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.base import ExampleSheet, SheetItem
from facilitator.corpus.parsers.blocks import Block, Line, heading_label, number_value, split_lines
from facilitator.themes import COUNCIL_THEMES, THEME_SHORT, Theme

__all__ = [
    "FIELD_LABELS",
    "SHEET_TITLE_RE",
    "assumed_area",
    "common_field",
    "parse_sheet",
    "sheet_theme",
]

_CIRCLED = "[\u2460-\u2473]"
_NUM = rf"(?:\d{{1,2}}|{_CIRCLED})"
SHEET_TITLE_RE = re.compile(r"^(?:\(\d\)\s*協議イメージ例|《協議のイメージ》).*$", re.M)
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
_ASSUMED_AREA_RE = re.compile(r"^【想定】(.*(?:医療圏|圏域)[\s\S]*)$")
_TITLE_PAREN_RE = re.compile(r"\(([^()]{1,12})\)$")

# Sheet title keywords, checked in this order (介護 before 在宅: 「在宅医療・介護連携」).
_THEME_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Theme.kaigo, ("介護", "医介")),
    (Theme.nyutaiin, ("入退院",)),
    (Theme.jikangai, ("時間外",)),
    (Theme.zaitaku, ("在宅",)),
    (Theme.ichigo, ("1号機能",)),
)
FIELD_LABELS = {
    "title": "見出し",
    "area": "圏域",
    "participants": "参加者",
    "issue": "課題",
    "goal": "目指す姿",
    "cause": "原因",
    "measure": "方策",
    "effect": "効果",
}


def sheet_theme(title: str) -> str | None:
    """The theme a sheet title is about (None: not one of the five sheets)."""
    for theme, words in _THEME_MARKERS:
        if any(word in title for word in words):
            return theme.value
    return None


def _area_field(line: str) -> tuple[str, str] | None:
    """("area" | "participants", value) of a 「圏域 …」 / 「参加者 …」 line."""
    match = _AREA_RE.match(line)
    if not match:
        return None
    return ("area" if match.group(1) == "圏域" else "participants"), match.group(2).strip()


def _external_refs(span_text: str) -> list[str]:
    """「(事例集 P.5 福井県、P.36 新潟県医師会の事例参照)」 → one string per page reference."""
    refs: list[str] = []
    for match in _REF_RE.finditer(span_text):
        for part in _REF_PART_RE.finditer(match.group(1).strip()):
            ref = f"事例集 P.{part.group(1)} {part.group(2).strip()}の事例"
            if ref not in refs:
                refs.append(ref)
    return refs


# --------------------------------------------------------------------------- shared fields


def common_field(doc: Document, text: str, line: Line) -> tuple[str, str, Chunk] | None:
    """A 「圏域 …」 / 「参加者 …」 line stated once for all sheets: (field, value, chunk)."""
    area = _area_field(line.text)
    if area is None:
        return None
    name, value = area
    chunk = make_chunk(
        doc,
        text,
        f"sheet:common:{name}",
        line.start,
        line.end,
        section=FIELD_LABELS[name],
        section_kind="sheet",
        sheet_theme="common",
        field=name,
        themes=COUNCIL_THEMES,
    )
    return name, value, chunk


def assumed_area(
    doc: Document, text: str, blocks: Sequence[Block], before: int
) -> tuple[tuple[int, int], Chunk, str] | None:
    """The material's own statement of the area (「【想定】…一次医療圏…」), shared by all
    sheets, with the slide title just before it: (its span, its chunk, the area)."""
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
        return (start, block.end), chunk, match.group(1).strip()
    return None


# --------------------------------------------------------------------------- one sheet


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
    field_label = FIELD_LABELS[field] + (str(number) if number is not None else "")
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
    lines = split_lines(ctx.text, start, end)
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
        number = number_value(match.group("n1") or match.group("n2"))
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


def parse_sheet(
    doc: Document,
    text: str,
    start: int,
    end: int,
    theme: str,
    common: dict[str, tuple[str, str]],
) -> tuple[ExampleSheet, list[Chunk]]:
    """One example sheet ``text[start:end]``: 圏域/参加者, (1) 課題 … (5) 効果, and a trailing
    ※ note. ``common`` gives (value, chunk id) of the fields stated once for all sheets."""
    lines = split_lines(text, start, end)
    title = lines[0].text.strip()
    if title.startswith("《"):
        prefix = "協議のイメージ"
        paren = _TITLE_PAREN_RE.search(title)
        label = paren.group(1) if paren else THEME_SHORT[theme]
    else:
        prefix = "具体的な協議イメージ(例)"
        label = THEME_SHORT[theme]
    ctx = _SheetContext(doc, text, theme, prefix, label)
    sheet = ExampleSheet(doc_id=doc.doc_id, theme=theme, title=title)
    # the title is where the guideline names the function a sheet is about
    # (「…（日常的な診療を総合的かつ継続的に行う機能（1号機能））」): it is the material's
    # only statement of what 「1号機能」 is, so it is a passage of its own
    chunks: list[Chunk] = [_sheet_chunk(ctx, "title", lines[0].start, lines[0].end, "title")]

    fields: dict[str, list[int]] = {}  # field -> [body start, body end]
    current: str | None = None
    note_start: int | None = None
    for line in lines[1:]:
        area = _area_field(line.text)
        field = _FIELD_RE.match(line.text)
        if area and current is None:
            name, value = area
            chunk = _sheet_chunk(ctx, name, line.start, line.end, name)
            chunks.append(chunk)
            setattr(sheet, name, value)
            sheet.chunk_ids[name] = chunk.chunk_id
        elif field:
            if current:
                fields[current][1] = line.start
            current = _FIELD_NAMES[field.group(2)]
            fields[current] = [line.end, end]
        elif current == "effect" and line.text.startswith("※") and note_start is None:
            fields[current][1] = line.start
            note_start = line.start
            current = None

    for name in ("area", "participants"):
        if name not in sheet.chunk_ids and name in common:
            setattr(sheet, name, common[name][0])
            sheet.chunk_ids[name] = common[name][1]
    for name, (body_start, body_end) in fields.items():
        if name in ("cause", "measure"):
            items = _items(ctx, name, body_start, body_end, chunks)
            setattr(sheet, "causes" if name == "cause" else "measures", items)
            for item in items:
                if item.chunk_id:
                    sheet.chunk_ids[f"{name}-{item.number}"] = item.chunk_id
        elif text[body_start:body_end].strip():
            chunk = _sheet_chunk(ctx, name, body_start, body_end, name)
            chunks.append(chunk)
            setattr(sheet, name, chunk.text)
            sheet.chunk_ids[name] = chunk.chunk_id
    if note_start is not None and text[note_start:end].strip():
        chunks.append(
            make_chunk(
                doc,
                text,
                f"sheet:{theme}:note",
                note_start,
                end,
                section=f"{prefix} {label} 注記",
                # the sheet's own disclaimer: it shares the sheet's title and ranks with it
                # (「1号機能とは？」 found it first, weighted as a section)
                section_kind="sheet",
                sheet_theme=theme,
                field="note",
                themes=[theme],
            )
        )
    chunks.sort(key=lambda c: c.locator.char_start)
    return sheet, chunks
