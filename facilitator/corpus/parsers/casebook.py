"""Parser for 「かかりつけ医機能に関する事例集」 (厚生労働省, 令和4年3月).

The casebook has a fixed structure that the PDF extraction partly destroyed, so the
parser leans on the landmarks that survived:

* 事例1–19 start at a line 「事例 N」, followed by the case name and the block of
  icon labels (診療所の取組 … その他) that every case repeats; those labels say nothing
  about the case, so chunks start at 「1. 概要」 and the block is left out.
* 参考1–6 have no heading of their own: each starts at 「特に注目すべきポイント」 and
  they appear in the order of the table of contents, which gives their names.
* Focus tags come from the overview table (tab-separated in the raw text; the column
  alignment is lost once tabs are normalised, so the table is read from ``raw``).
* The survey (衛生部長会調査結果) that closes the book is parsed by :mod:`.survey`.

``normalize_text`` keeps circled numbers, so the ``① 見出し`` lines of 3. 取組の詳細 keep
their ①②③; plain digits are accepted too.

Every chunk is a span of the normalised text built with :func:`make_chunk`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.base import CaseRecord, ParsedDocument
from facilitator.corpus.parsers.blocks import number_value, paragraph_end
from facilitator.corpus.parsers.survey import survey_chunks, survey_questions
from facilitator.corpus.places import PREFECTURE_RE
from facilitator.errors import DocumentError
from facilitator.text import circled, normalize_query, normalize_text
from facilitator.themes import FOCUS_TAGS, themes_for_tags, themes_for_text

__all__ = ["parse_casebook"]

# Front-matter headings, as they appear in the body (the TOC spells one differently:
# 「かかりつけ医療機能について」). Headings mapped to False are not chunked.
_INTRO_HEADINGS: dict[str, bool] = {
    "巻頭のご挨拶": True,
    "検討委員会について": True,
    "検討委員会委員名簿(敬称略・五十音順)": False,
    "目次": False,
    "本事例集について": True,
    "かかりつけ医機能について": True,
    "本事例集の活用方法": True,
}
_TABLE_HEAD = "分類 No 事例名"
_REFERENCE_LIST_LABEL = "本事例集の活用方法(参考事例)"

_CASE_RE = re.compile(r"^事例 ?(\d{1,2})$", re.M)
_POINTS_RE = re.compile(r"^特に注目すべきポイント$", re.M)
_SURVEY_RE = re.compile(r"^衛生部長会調査結果$", re.M)
_SECTION_RE = re.compile(r"^([123])\. ?(概要|地域の特徴を踏まえた取組|取組の詳細)$", re.M)
_NUMBERED_RE = re.compile(r"^([\u2460-\u2473]|\d{1,2}) (\S.*)$", re.M)
_TOC_CASE_RE = re.compile(r"^- (事例|参考)(\d{1,2}) (.+)$", re.M)
_TOC_CATEGORY_RE = re.compile(r"^- <(.+)>$", re.M)

_DETAIL_HEADING_MAX = 80
_LABEL_MAX = 40
_TRIVIAL_CHARS = 20

# Used only when a reference case's 所在地 gives no prefecture.
_REFERENCE_PREFECTURE_FALLBACK: dict[str, str] = {
    "名寄市": "北海道",
    "日本海ヘルスケアネット": "山形県",
    "相澤病院": "長野県",
    "尾三会": "愛知県",
    "中京病院": "愛知県",
    "うすき": "大分県",
}


@dataclass
class _TableRow:
    """One row of the overview table (事例1–19)."""

    category: str
    name: str
    prefecture: str
    tags: list[str]


@dataclass
class _CaseInfo:
    """What is known about a case before its chunks are built."""

    case_id: str
    slug: str
    name: str
    category: str
    prefecture: str
    tags: list[str]
    start: int
    end: int
    location: str = ""
    chunks: list[Chunk] = field(default_factory=list)


def _short(label: str) -> str:
    """Keep locator section labels short enough for a citation line."""
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1] + "…"


def _is_trivial(text: str) -> bool:
    """A span with almost nothing in it (only a stray line or two)."""
    return len(re.sub(r"\s", "", text)) < _TRIVIAL_CHARS


def _error(doc: Document, reason: str) -> DocumentError:
    return DocumentError(doc.path, f"事例集の構造を認識できません: {reason}")


# --------------------------------------------------------------------------- metadata


def _read_overview_table(raw: str) -> dict[int, _TableRow]:
    """Rows of the overview table, with the focus tags marked ●.

    The header spans several tab-separated lines; each focus label sits in one of them
    at its column. Rows 4–19 put the その他 mark one column right of its header (the
    table's last column lost its alignment), so a ● beyond the last labelled column is
    その他 too.
    """
    lines = raw.replace("\r\n", "\n").split("\n")
    columns: dict[int, str] = {}
    rows: dict[int, _TableRow] = {}
    category = ""
    in_table = False
    for line in lines:
        cells = [normalize_query(c) if c.strip() else "" for c in line.split("\t")]
        if not in_table:
            if len(cells) > 3 and cells[:3] == ["分類", "No", "事例名"]:
                in_table = True
            continue
        if len(cells) < 5:
            if rows:
                break
            continue
        if not cells[1].isdigit():
            for index, cell in enumerate(cells):
                if cell in FOCUS_TAGS:
                    columns[index] = cell
            continue
        if cells[0]:
            category = cells[0]
        last = max(columns) if columns else 0
        tags: list[str] = []
        for index, cell in enumerate(cells[4:], start=4):
            if cell != "●":
                continue
            label = columns.get(index) or ("その他" if index > last else None)
            if label is None:
                raise ValueError(f"● in unlabelled column {index} of row {cells[1]}")
            if label not in tags:
                tags.append(label)
        order = list(FOCUS_TAGS)
        rows[int(cells[1])] = _TableRow(
            category=category,
            name=cells[2],
            prefecture=cells[3],
            tags=sorted(tags, key=order.index),
        )
    if len(columns) != len(FOCUS_TAGS):
        raise ValueError(f"overview table header: found {sorted(columns.values())}")
    return rows


def _read_toc(text: str) -> tuple[dict[str, tuple[str, str]], dict[int, str]]:
    """Case names and categories, and the survey question titles, from 目次."""
    start = text.find("\n目次\n")
    end = text.find("\n本事例集について\n", start)
    if start < 0 or end < 0:
        return {}, {}
    cases: dict[str, tuple[str, str]] = {}
    category = ""
    for line in text[start:end].split("\n"):
        if m := _TOC_CATEGORY_RE.match(line):
            category = m.group(1)
        elif m := _TOC_CASE_RE.match(line):
            cases[f"{m.group(1)}{int(m.group(2))}"] = (m.group(3).strip(), category)
    return cases, survey_questions(text, start, end)


def _location(text: str, start: int, end: int) -> str:
    """The 所在地 value of a 1. 概要 section (the value may be on the next line)."""
    m = re.compile(r"^所在地(?: (.+))?$", re.M).search(text, start, end)
    if not m:
        return ""
    if m.group(1):
        return m.group(1).strip()
    for line in text[m.end() : end].split("\n"):
        if line.strip():
            return line.strip()
    return ""


def _prefecture_of(location: str, name: str) -> str:
    """都道府県 from a 所在地 value, else from the organisation name."""
    if m := PREFECTURE_RE.match(location):
        return m.group(0)
    for key, prefecture in _REFERENCE_PREFECTURE_FALLBACK.items():
        if key in name:
            return prefecture
    return ""


# --------------------------------------------------------------------------- chunks


def _numbered_headings(
    text: str, start: int, end: int, *, first: int = 1
) -> Iterator[tuple[int, re.Match[str]]]:
    """``N 見出し`` lines numbered first, first+1, … (body lines like 「1「…」は…」 skip)."""
    expected = first
    for m in _NUMBERED_RE.finditer(text, start, end):
        heading = m.group(2).strip()
        if (
            number_value(m.group(1)) == expected
            and len(heading) <= _DETAIL_HEADING_MAX
            and not heading.endswith("。")
        ):
            yield expected, m
            expected += 1


def _case_chunks(doc: Document, text: str, case: _CaseInfo, *, reference: bool) -> None:
    """Chunk one case: (points,) overview, features, detail-K."""
    sections = list(_SECTION_RE.finditer(text, case.start, case.end))
    numbers = [m.group(1) for m in sections]
    if numbers != ["1", "2", "3"]:
        raise ValueError(f"{case.case_id}: sections {numbers}")
    overview, features, details = sections
    case.location = _location(text, overview.end(), features.start())
    if reference:
        case.prefecture = _prefecture_of(case.location, case.name)

    case_themes = themes_for_tags(case.tags)

    def add(path: str, start: int, end: int, section: str, kind: str) -> None:
        span = text[start:end]
        if not span.strip():
            return
        chunk = make_chunk(
            doc,
            text,
            f"{case.slug}:{path}",
            start,
            end,
            section=_short(section),
            case_id=case.case_id,
            case_name=case.name,
            category=case.category,
            prefecture=case.prefecture,
            location=case.location,
            tags=list(case.tags),
            themes=sorted(set(case_themes) | set(themes_for_text(span))),
            section_kind=kind,
        )
        # make_chunk files case_id/case_name under the locator; filters need them here too.
        chunk.metadata.update(case_id=case.case_id, case_name=case.name)
        case.chunks.append(chunk)

    if reference:
        add("points", case.start, overview.start(), "特に注目すべきポイント", "points")
    add("overview", overview.start(), features.start(), "1. 概要", "overview")
    add("features", features.start(), details.start(), "2. 地域の特徴を踏まえた取組", "features")

    heads = list(_numbered_headings(text, details.end(), case.end))
    if not heads:
        add("detail-0", details.start(), case.end, "3. 取組の詳細", "detail")
        return
    lead_end = heads[0][1].start()
    if not _is_trivial(text[details.end() : lead_end]):
        add("detail-0", details.start(), lead_end, "3. 取組の詳細", "detail")
    for i, (number, m) in enumerate(heads):
        end = heads[i + 1][1].start() if i + 1 < len(heads) else case.end
        label = f"3. 取組の詳細 {circled(number)} {m.group(2).strip()}"
        add(f"detail-{number}", m.start(), end, label, "detail")


def _intro_chunks(doc: Document, text: str, end: int) -> list[Chunk]:
    """Front matter by heading; the TOC, the committee list and the table are skipped."""
    heads = [m for m in re.finditer(r"^(.+)$", text[:end], re.M) if m.group(1) in _INTRO_HEADINGS]
    table = text.find("\n" + _TABLE_HEAD, 0, end)
    spans: list[tuple[int, int, str]] = []
    for i, m in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        if not _INTRO_HEADINGS[m.group(1)]:
            continue
        if table >= 0 and m.start() < table < stop:
            spans.append((m.start(), table, m.group(1)))
            after = paragraph_end(text, table + 1, stop)
            if not _is_trivial(text[after:stop]):
                spans.append((after, stop, _REFERENCE_LIST_LABEL))
        else:
            spans.append((m.start(), stop, m.group(1)))
    return [
        make_chunk(
            doc,
            text,
            f"intro:{k}",
            start,
            stop,
            section=label,
            section_kind="intro",
            themes=themes_for_text(text[start:stop]),
        )
        for k, (start, stop, label) in enumerate(spans, start=1)
    ]


# --------------------------------------------------------------------------- entry


def parse_casebook(doc: Document, raw: str) -> ParsedDocument:
    """Parse the casebook into citable chunks and 25 case records (事例1–19, 参考1–6)."""
    text = normalize_text(raw)
    try:
        table = _read_overview_table(raw)
        toc_cases, questions = _read_toc(text)

        case_marks = list(_CASE_RE.finditer(text))
        if [int(m.group(1)) for m in case_marks] != list(range(1, 20)):
            raise ValueError(f"事例 headings {[m.group(1) for m in case_marks]}")
        last_case = case_marks[-1].start()
        reference_marks = list(_POINTS_RE.finditer(text, last_case))
        if len(reference_marks) != 6:
            raise ValueError(f"{len(reference_marks)} 特に注目すべきポイント blocks, expected 6")
        survey = _SURVEY_RE.search(text, reference_marks[-1].end())
        if survey is None:
            raise ValueError("衛生部長会調査結果 not found")

        starts = [m.start() for m in case_marks] + [m.start() for m in reference_marks]
        ends = [*starts[1:], survey.start()]
        infos: list[_CaseInfo] = []
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            reference = i >= len(case_marks)
            n = i + 1 - len(case_marks) if reference else i + 1
            case_id = f"参考{n}" if reference else f"事例{n}"
            toc_name, toc_category = toc_cases.get(case_id, ("", ""))
            row = None if reference else table.get(n)
            if not reference and row is None:
                raise ValueError(f"{case_id} missing from the overview table")
            # The table spells 事例 names most completely (事例7's header drops a word);
            # 参考 cases are only named in the TOC.
            name = (row.name if row else "") or toc_name or case_id
            info = _CaseInfo(
                case_id=case_id,
                slug=f"sanko-{n}" if reference else f"jirei-{n}",
                name=name,
                category="参考事例" if reference else (row.category if row else toc_category),
                prefecture=row.prefecture if row else "",
                tags=list(row.tags) if row else [],
                start=start,
                end=end,
            )
            _case_chunks(doc, text, info, reference=reference)
            infos.append(info)

        chunks = _intro_chunks(doc, text, case_marks[0].start())
        for info in infos:
            chunks.extend(info.chunks)
        chunks.extend(survey_chunks(doc, text, survey.start(), questions))
    except ValueError as err:
        raise _error(doc, str(err)) from err

    cases = [
        CaseRecord(
            case_id=info.case_id,
            slug=info.slug,
            name=info.name,
            location=info.location,
            prefecture=info.prefecture,
            category=info.category,
            tags=info.tags,
            themes=themes_for_tags(info.tags),
            chunk_ids=[c.chunk_id for c in info.chunks],
            char_start=info.start,
            char_end=info.start + len(text[info.start : info.end].rstrip()),
        )
        for info in infos
    ]
    return ParsedDocument(document=doc, text=text, chunks=chunks, cases=cases)
