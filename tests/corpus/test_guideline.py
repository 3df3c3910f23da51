"""Guideline parser on the two real documents that use it (guideline extract, council material)."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from facilitator.corpus.chunks import Chunk, Document
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.corpus.parsers.guideline import parse_guideline
from facilitator.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
THEMES = ["ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo"]
DOC_IDS = ["guideline-2025", "niihama-saijo-council"]
CASE_ID_RE = re.compile(r"^(事例|参考)\s?\d+$")


@cache
def _parsed(doc_id: str) -> ParsedDocument:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["documents"] if d["doc_id"] == doc_id)
    doc = Document(**entry)
    return parse_guideline(doc, (CORPUS / doc.path).read_text(encoding="utf-8"))


def _chunk(parsed: ParsedDocument, path: str) -> Chunk:
    chunk_id = f"{parsed.document.doc_id}:{path}"
    return next(c for c in parsed.chunks if c.chunk_id == chunk_id)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_five_sheets_in_theme_order(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    assert [s.theme for s in parsed.sheets] == THEMES
    for sheet in parsed.sheets:
        assert sheet.issue and sheet.goal and sheet.effect
        assert len(sheet.causes) >= 2
        assert len(sheet.measures) >= 2
        assert [c.number for c in sheet.causes] == list(range(1, len(sheet.causes) + 1))
        assert [m.number for m in sheet.measures] == list(range(1, len(sheet.measures) + 1))


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_chunk_is_verbatim_normalised_text(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    for chunk in parsed.chunks:
        loc = chunk.locator
        assert chunk.text == parsed.text[loc.char_start : loc.char_end]
        assert chunk.text.strip() == chunk.text


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunk_ids_unique_and_stable(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    ids = [c.chunk_id for c in parsed.chunks]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"{doc_id}:") for i in ids)
    again = parse_guideline(parsed.document, (CORPUS / parsed.document.path).read_text("utf-8"))
    assert [c.chunk_id for c in again.chunks] == ids


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_sheet_chunk_ids_resolve(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    by_id = {c.chunk_id: c for c in parsed.chunks}
    for sheet in parsed.sheets:
        assert {"issue", "goal", "effect", "area", "cause-1", "measure-1"} <= set(sheet.chunk_ids)
        for chunk_id in sheet.chunk_ids.values():
            assert chunk_id in by_id
        for item in sheet.causes + sheet.measures:
            assert item.chunk_id in by_id
            # The item's text is quoted verbatim from its chunk.
            assert item.text in by_id[item.chunk_id].text
            for point in item.points:
                assert point in by_id[item.chunk_id].text
        assert by_id[sheet.chunk_ids["issue"]].text == sheet.issue


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_sheet_field_metadata(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    sheet = next(s for s in parsed.sheets if s.theme == "zaitaku")
    chunk = _chunk(parsed, "sheet:zaitaku:measure-2")
    assert sheet.chunk_ids["measure-2"] == chunk.chunk_id
    assert chunk.metadata["section_kind"] == "sheet"
    assert chunk.metadata["sheet_theme"] == "zaitaku"
    assert chunk.metadata["field"] == "measure"
    assert chunk.metadata["number"] == 2
    assert chunk.metadata["themes"] == ["zaitaku"]
    assert chunk.locator.section is not None
    assert chunk.locator.section.endswith("在宅医療 方策2")
    assert _chunk(parsed, "sheet:zaitaku:cause-1").metadata["field"] == "cause"


def test_guideline_zaitaku_sheet_measures_points_and_unresolved_refs() -> None:
    parsed = _parsed("guideline-2025")
    sheet = next(s for s in parsed.sheets if s.theme == "zaitaku")
    assert len(sheet.measures) >= 2
    assert sheet.area == "市町村単位 等"
    assert "訪問看護ステーション" in sheet.participants
    measure2 = sheet.measures[1]
    assert measure2.text == "在宅医療を担う医療機関同士の連携体制を構築する。"
    assert len(measure2.points) == 2
    refs = [r for m in sheet.measures for r in m.external_refs]
    assert refs and all(r.startswith("事例集 P.") for r in refs)
    assert "事例集 P.38 横浜市医師会の事例" in refs
    # Two references in one parenthesis become two strings.
    assert measure2.external_refs == ["事例集 P.16 豊中市の事例", "事例集 P.21 岡山市の事例"]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_external_refs_are_never_linked_to_casebook_cases(doc_id: str) -> None:
    parsed = _parsed(doc_id)
    for chunk in parsed.chunks:
        assert chunk.locator.case_id is None
        for key, value in chunk.metadata.items():
            values = value if isinstance(value, list) else [value]
            assert not any(isinstance(v, str) and CASE_ID_RE.match(v) for v in values), key
    for sheet in parsed.sheets:
        for item in sheet.causes + sheet.measures:
            assert not any(CASE_ID_RE.match(r) for r in item.external_refs)


def test_guideline_each_sheet_has_its_own_area_and_participants() -> None:
    parsed = _parsed("guideline-2025")
    areas = {s.theme: s.area for s in parsed.sheets}
    assert areas["ichigo"] == "市町村・二次医療圏単位 等"
    assert areas["nyutaiin"] == "市町村単位・二次医療圏単位 等"
    for sheet in parsed.sheets:
        assert sheet.chunk_ids["area"].endswith(f"sheet:{sheet.theme}:area")
        assert sheet.chunk_ids["participants"].endswith(f"sheet:{sheet.theme}:participants")


def test_guideline_items_split_inside_one_paragraph() -> None:
    # 入退院支援: 原因1/原因2 and 方策1–3 share paragraphs, refs between them.
    sheet = next(s for s in _parsed("guideline-2025").sheets if s.theme == "nyutaiin")
    assert len(sheet.causes) == 2
    assert len(sheet.measures) == 3
    assert sheet.measures[1].external_refs == [
        "事例集 P.5 福井県の事例",
        "事例集 P.36 新潟県医師会の事例",
    ]


def test_guideline_footnotes_are_chunks_and_linked_from_markers() -> None:
    parsed = _parsed("guideline-2025")
    for n in (18, 19, 20):
        chunk = _chunk(parsed, f"footnote:{n}")
        assert chunk.metadata["section_kind"] == "footnote"
        assert chunk.text.startswith(f"{n} ")
        assert "mhlw.go.jp" in chunk.text
    assert _chunk(parsed, "sheet:nyutaiin:cause-1").metadata["footnote_refs"] == [18, 19]
    assert _chunk(parsed, "sheet:kaigo:measure-2").metadata["footnote_refs"] == [20]
    # A footnote defines the word its marker follows; its own text never names it.
    assert _chunk(parsed, "footnote:18").metadata["defines"] == "在宅療養支援病院"
    assert _chunk(parsed, "footnote:19").metadata["defines"] == "在宅療養後方支援病院"
    assert "在宅療養支援病院" not in _chunk(parsed, "footnote:18").text
    # Footnotes between sheets do not leak into the neighbouring sheet fields.
    assert "24時間体制" not in _chunk(parsed, "sheet:nyutaiin:effect").text


def test_guideline_toc_is_one_down_weightable_chunk() -> None:
    parsed = _parsed("guideline-2025")
    toc = _chunk(parsed, "toc")
    assert toc.metadata["section_kind"] == "toc"
    assert "目次" in toc.text
    others = [c for c in parsed.chunks if c.chunk_id != toc.chunk_id]
    assert not any("..... " in c.text for c in others)


def test_guideline_sections_carry_headings() -> None:
    parsed = _parsed("guideline-2025")
    sections = [c for c in parsed.chunks if c.metadata["section_kind"] == "section"]
    labels = {c.locator.section for c in sections}
    assert "第4節 具体的な協議イメージ(例)" in labels
    assert all(c.chunk_id.split(":", 1)[1].startswith("sec:") for c in sections)
    assert all(len(c.text) <= 1200 for c in sections)


def test_council_sheets_use_circled_markers() -> None:
    parsed = _parsed("niihama-saijo-council")
    sheet = next(s for s in parsed.sheets if s.theme == "zaitaku")
    cause1 = _chunk(parsed, "sheet:zaitaku:cause-1")
    assert cause1.text.startswith("【原因①】")
    assert _chunk(parsed, "sheet:zaitaku:measure-3").text.startswith("【方策③】")
    assert len(sheet.measures) == 3
    assert sheet.measures[1].points[0] == "医療機関同士が連携できる機会(意見交換の場)を設定する。"
    assert all(not m.external_refs for s in parsed.sheets for m in s.measures)


def test_council_sheets_share_the_stated_area() -> None:
    parsed = _parsed("niihama-saijo-council")
    common = _chunk(parsed, "sheet:common:area")
    assert "一次医療圏(新居浜市・西条市)" in common.text
    for sheet in parsed.sheets:
        assert sheet.chunk_ids["area"] == common.chunk_id
        assert "新居浜市・西条市" in sheet.area
        assert sheet.participants == ""  # the material names no participants


def test_council_sheet_notes_are_not_part_of_the_effect() -> None:
    parsed = _parsed("niihama-saijo-council")
    for sheet in parsed.sheets:
        assert "※" not in sheet.effect
        note = _chunk(parsed, f"sheet:{sheet.theme}:note")
        assert note.text.startswith("※")
        assert note.metadata["section_kind"] == "sheet"  # ranks with its sheet


def test_council_table_cells_are_separate_readable_chunks() -> None:
    parsed = _parsed("niihama-saijo-council")
    cells = [c for c in parsed.chunks if "table_column" in c.metadata]
    assert [c.metadata["table_column"] for c in cells] == [
        "協議前",
        "協議",
        "協議後",
        "協議前",
        "協議前",
    ]
    assert cells[1].text.startswith("協議課題ごとに")
    assert "⑥ 方策により期待できる効果と検証" in cells[1].text
    assert all("<p>" not in c.text and "<ul" not in c.text for c in parsed.chunks)
    assert all(c.locator.section and c.metadata["table_column"] in c.locator.section for c in cells)


def test_council_sections_have_slide_titles() -> None:
    parsed = _parsed("niihama-saijo-council")
    labels = {c.locator.section for c in parsed.chunks if c.metadata["section_kind"] == "section"}
    assert "かかりつけ医機能報告制度の年間スケジュール" in labels
    assert "【参考】協議に活用する課題管理シート(例)" in labels
