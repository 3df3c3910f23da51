"""The 進行表 as handed out: one A4 page for two sheets, one more page per sheet with the
summary option, no internal code in anything printed, 「確認用・未確定」 on every page of a
review copy."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitator.export import agenda, agenda_to_docx, agenda_to_markdown, agenda_to_xlsx
from facilitator.export.agenda import Agenda
from facilitator.export.agenda_summary import LINE_CHARS, MAX_LINES, shorten
from facilitator.sheets.model import IssueSheet, SheetStatus
from tests.export.builders import MEETING, UNBACKED_TEXT, docx_text, make_sheet

REVIEW = "確認用・未確定"
CODE = re.compile(r"[A-Za-z]+[-_][A-Za-z0-9]+|\d+\.\d{3,}")
"""Something a person should never read: an id like sh-a3b5c336b2 / gl-4-4-2-goal /
rpt-2025-…, or an unrounded number."""


def two_sheets(second: SheetStatus = SheetStatus.submitted) -> list[IssueSheet]:
    first = make_sheet(sheet_id="sh-a3b5c336b2", version=3)
    first.current_state[0].figures[0].value = 31.23456
    return [first, make_sheet(sheet_id="sh-77e0f1c2d9", theme="zaitaku", status=second)]


def internal_codes(sheets: list[IssueSheet]) -> set[str]:
    codes = {s.sheet_id for s in sheets} | {s.theme for s in sheets}
    for s in sheets:
        codes.add(s.area.code)
        codes |= {c.chunk_id for c in s.all_citations()}
        codes |= {f.finding_id for _, st in s.statements() for f in st.figures}
        codes |= {i for ind in s.indicators for i in ind.item_ids}
    return codes


def docx_visible(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for s in doc.sections for p in s.header.paragraphs + s.footer.paragraphs]
    return docx_text(path) + "\n" + "\n".join(parts)


def xlsx_visible(path: Path) -> str:
    wb = load_workbook(path)
    parts = []
    for ws in wb.worksheets:
        parts.append(ws.title)
        parts += [ws.oddHeader.center.text or "", ws.oddFooter.left.text or ""]
        parts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join(parts)


def write(plan: Agenda, kind: str, out: Path, summary: bool) -> Path:
    path = out / f"agenda{'-sum' if summary else ''}.{kind}"
    if kind == "docx":
        return agenda_to_docx(plan, path, summary=summary)
    if kind == "xlsx":
        return agenda_to_xlsx(plan, path, summary=summary)
    path.write_text(agenda_to_markdown(plan, summary=summary), encoding="utf-8")
    return path


def visible(path: Path) -> str:
    return {".docx": docx_visible, ".xlsx": xlsx_visible}.get(
        path.suffix, lambda p: p.read_text(encoding="utf-8")
    )(path)


@pytest.mark.parametrize("summary", [False, True])
@pytest.mark.parametrize("kind", ["md", "docx", "xlsx"])
def test_nothing_printed_shows_an_internal_code(kind: str, summary: bool, tmp_path: Path) -> None:
    sheets = two_sheets()
    text = visible(write(agenda(sheets, MEETING), kind, tmp_path, summary))
    for code in internal_codes(sheets):
        assert code not in text, code
    assert CODE.findall(text) == []
    assert "版3" in text and "資料1" in text and "令和8年7月15日（水）" in text
    assert ("資料2 要約" in text) == summary


@pytest.mark.parametrize("kind", ["md", "docx", "xlsx"])
def test_the_running_order_is_not_the_whole_sheet(kind: str, tmp_path: Path) -> None:
    text = visible(write(agenda(two_sheets(), MEETING), kind, tmp_path, summary=False))
    assert UNBACKED_TEXT not in text  # the second statement of ①
    assert "在宅当番医制等を組んではいるが" not in text  # a cause's text
    assert text.count("原因2件（医師会・行政の立場から）") == 2


def test_the_summary_shows_the_first_statements_shortly_with_human_sources() -> None:
    sheet = make_sheet()
    sheet.causes = sheet.causes * 3  # six causes: three shown, the rest counted
    summary = agenda([sheet], MEETING).summaries[0]
    assert summary.material == "資料1" and summary.title.endswith("・版0）")
    causes = summary.steps[3].lines
    assert len(causes) == MAX_LINES + 1 and causes[-1] == "ほか3件（資料1）"
    assert causes[0].startswith("原因①［医師会］在宅当番医制等")
    assert causes[0].endswith("〔ガイドライン 第4章第4節（2）時間外診療〕")
    assert summary.steps[0].lines[1] == UNBACKED_TEXT + "（根拠なし）"
    for step in summary.steps:
        for line in step.lines:
            body = re.sub(r"〔[^〕]*〕|（根拠なし）|（要確認）| 担い手: .*", "", line)
            assert len(body) <= LINE_CHARS


def test_shorten_keeps_a_first_sentence_or_cuts_with_an_ellipsis() -> None:
    assert shorten("短い文。", 10) == "短い文。"
    assert shorten("最初の文です。次の文はとても長いのです。", 12) == "最初の文です。…"
    assert shorten("区切りのないとても長い一文がここに続いている", 10) == "区切りのないとても…"
    assert shorten("【架空データ】東部市の値", 20) == "東部市の値"


def test_a_review_copy_says_so_in_every_page_header(tmp_path: Path) -> None:
    plan = agenda(two_sheets(SheetStatus.draft), MEETING)
    docx = agenda_to_docx(plan, tmp_path / "a.docx", summary=True)
    for section in Document(str(docx)).sections:
        assert REVIEW in section.header.paragraphs[0].text
    wb = load_workbook(agenda_to_xlsx(plan, tmp_path / "a.xlsx", summary=True))
    assert len(wb.worksheets) == 3
    for ws in wb.worksheets:
        assert REVIEW in (ws.oddHeader.center.text or ""), ws.title
    assert REVIEW in agenda_to_markdown(plan).split("\n| 時刻")[0]
    final = agenda(two_sheets(), MEETING)
    assert REVIEW not in docx_visible(agenda_to_docx(final, tmp_path / "f.docx", summary=True))
    assert REVIEW not in xlsx_visible(agenda_to_xlsx(final, tmp_path / "f.xlsx", summary=True))


def test_the_workbook_prints_each_worksheet_on_one_page(tmp_path: Path) -> None:
    wb = load_workbook(
        agenda_to_xlsx(agenda(two_sheets(), MEETING), tmp_path / "a.xlsx", summary=True)
    )
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
        assert ws.print_area and ws.page_setup.orientation == "portrait"


# --- in LibreOffice: the pages a printer gets -------------------------------------------------


def _pdf(path: Path, out: Path) -> PdfReader:
    from tests.support.office import convert_to_pdf, libreoffice_binary

    if libreoffice_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI では LibreOffice が必要です（進行表のページ数を確かめます）")
        pytest.skip("LibreOffice（soffice）がないため、進行表のページ数を確かめられません")
    pdf, _ = convert_to_pdf(path, out / path.suffix[1:])
    return PdfReader(pdf)


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_two_sheets_print_on_one_a4_page(kind: str, tmp_path: Path) -> None:
    reader = _pdf(write(agenda(two_sheets(), MEETING), kind, tmp_path, False), tmp_path / "pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = re.sub(r"\s", "", reader.pages[0].extract_text() or "")
    assert "東部市在宅医療" in text and "まとめ・閉会" in text and "資料一覧" in text


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_the_summary_adds_one_page_per_sheet_and_a_review_copy_is_marked_on_each(
    kind: str, tmp_path: Path
) -> None:
    plan = agenda(two_sheets(SheetStatus.draft), MEETING)
    reader = _pdf(write(plan, kind, tmp_path, True), tmp_path / "pdf")
    assert len(reader.pages) == 1 + 2
    pages = [re.sub(r"\s", "", p.extract_text() or "") for p in reader.pages]
    assert all(REVIEW in page for page in pages)
    assert "資料1要約" in pages[1] and "資料2要約" in pages[2]
