"""Word, Markdown and JSON exports of a sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from facilitator.export import (
    to_docx,
    to_json,
    to_markdown,
)
from facilitator.sheets.model import (
    IssueSheet,
)
from tests.export.builders import (
    GUIDELINE,
    INTERNAL_NOTE,
    UNBACKED_TEXT,
    docx_text,
    make_sheet,
)

# --- Word, Markdown, JSON ----------------------------------------------------------------


def test_docx_has_a_heading_per_field_tables_and_numbered_notes(tmp_path: Path) -> None:
    path = to_docx(make_sheet(), tmp_path / "sheet.docx")
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings == [
        "① 現状",
        "② 目指す姿",
        "③ 課題",
        "④ 原因",
        "⑤ 方策（役割分担・優先度）",
        "⑥ 期待される効果",
        "⑥ 検証指標",
        "出典",
    ]  # the meeting copy: no 事務局メモ
    text = docx_text(path)
    assert "原因①（医師会の視点）" in text and "東部市医師会" in text and "輪番表の作成" in text
    assert "[1] 目指す姿: " + GUIDELINE in text
    assert UNBACKED_TEXT in text and "（根拠なし）" in text
    assert "N=96" in text and "架空データ" in text
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=1)


def test_markdown_has_fields_markers_provenance_and_sources() -> None:
    md = to_markdown(make_sheet())
    for needle in (
        "# 《課題管理シート》東部市におけるかかりつけ医機能の課題について（時間外診療）",
        "## ① 現状",
        "## ④ 原因",
        "### 方策①（優先度: 高）",
        "| 東部市医師会 | 輪番表の作成 |",
        "時間外診療体制を確保する。[1]",
        UNBACKED_TEXT + "（根拠なし）",
        "N=96",
        "### 方策③（優先度: 低）（不採用）",
        "## 出典",
        "未確認（引用文が資料の本文にありません）",
        "架空のサンプルデータ",
    ):
        assert needle in md, needle
    assert "gl-4-4-2-goal" not in md  # chunk ids stay in the JSON export


def test_private_memos_only_in_the_internal_copy(tmp_path: Path) -> None:
    sheet = make_sheet()
    memo = next(s.note for _, s in sheet.statements() if s.note)
    for internal in (False, True):
        md = to_markdown(sheet, internal=internal)
        doc = docx_text(to_docx(sheet, tmp_path / f"{internal}.docx", internal=internal))
        for text in (md, doc):
            assert (memo in text) is internal
            assert (INTERNAL_NOTE in text) is internal
            assert ("内部用" in text) is internal


def test_json_loads_back_into_the_same_sheet() -> None:
    sheet = make_sheet()
    text = to_json(sheet)
    assert "東部市" in text  # Japanese left readable
    assert IssueSheet.model_validate_json(text) == sheet
