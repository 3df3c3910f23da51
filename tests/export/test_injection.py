"""Issue 11: user text is never a formula, a live link or a crash in an exported file.

Texts starting with 「=」「+」「-」「@」 must stay literal string cells in every workbook
(課題管理シート, 公表シート, 進行表), and a control character in a 市町村名 must not make
any Excel or Word export of that area fail.
"""

from __future__ import annotations

import csv
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from facilitator.export import (
    MeetingInfo,
    agenda,
    agenda_to_docx,
    agenda_to_xlsx,
    import_xlsx,
    public_summary,
    public_to_docx,
    public_to_xlsx,
    to_docx,
    to_xlsx,
)
from facilitator.export.minutes import md_escape as minutes_md_escape
from facilitator.export.safe import export_text, looks_like_formula
from facilitator.sheets.model import IssueSheet
from facilitator.sheets.store import SheetStore
from facilitator.text import NO_LINK, md_escape, md_unlink
from tests.export.builders import MEETING, docx_text, make_sheet

EVIL = '=HYPERLINK("http://evil","x")'
PAYLOADS = [EVIL, "+1+1", "@SUM(A1)", "-2+3", "=1+1"]
BELL = "\x07"


def evil_sheet(control: str = "") -> IssueSheet:
    """The example sheet with formula-like text in the area name, title, fields, notes and
    roles (each followed by ``control``)."""
    data = make_sheet().model_dump()
    data["area"]["name"] = EVIL + control
    data["title"] = "=1+1" + control
    data["participants"] = ["@SUM(A1)" + control, "東部市"]
    data["goal"]["text"] = "+1+1" + control  # backed by a citation: also in the public sheet
    data["issue"]["text"] = "-2+3" + control
    data["current_state"][1]["note"] = EVIL + control
    data["internal_notes"] = "=1+1" + control
    data["measures"][0]["roles"][0]["actor"] = "@SUM(A1)" + control
    return IssueSheet.model_validate(data)


def evil_meeting(control: str = "") -> MeetingInfo:
    return MEETING.model_copy(update={"name": EVIL + control, "chair": "-2+3" + control})


def write_all(sheet: IssueSheet, meeting: MeetingInfo, out: Path) -> dict[str, Path]:
    summary = public_summary(sheet)
    plan = agenda([sheet], meeting)
    return {
        "issue.xlsx": to_xlsx([sheet], out / "issue.xlsx"),
        "public.xlsx": public_to_xlsx([summary], out / "public.xlsx"),
        "agenda.xlsx": agenda_to_xlsx(plan, out / "agenda.xlsx"),
        "issue.docx": to_docx(sheet, out / "issue.docx"),
        "public.docx": public_to_docx(summary, out / "public.docx"),
        "agenda.docx": agenda_to_docx(plan, out / "agenda.docx"),
    }


def string_cells(path: Path) -> list:
    wb = load_workbook(path)
    return [
        cell
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def test_formula_like_text_is_a_literal_string_in_every_workbook(tmp_path: Path) -> None:
    files = write_all(evil_sheet(), evil_meeting(), tmp_path)
    for name in ("issue.xlsx", "public.xlsx", "agenda.xlsx"):
        path = files[name]
        with zipfile.ZipFile(path) as z:
            for part in z.namelist():
                if part.startswith("xl/worksheets/"):
                    xml = z.read(part).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, (name, part)
        cells = string_cells(path)
        risky = [c for c in cells if looks_like_formula(c.value)]
        assert risky, name
        for c in risky:
            assert c.data_type == "s", (name, c.coordinate, c.value)
            assert c.quotePrefix, (name, c.coordinate, c.value)  # stays text when edited
        values = [c.value for c in cells]
        assert any(EVIL in v for v in values), name
        assert any(v.startswith("+1+1") for v in values), name
        if name == "issue.xlsx":  # the internal sheet also has the notes and the roles
            for text in PAYLOADS:
                assert any(v.startswith(text) for v in values), (name, text)
            assert any(v.startswith("@SUM(A1)") for v in values)


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    files = write_all(evil_sheet(), evil_meeting(), tmp_path)
    ws = load_workbook(files["agenda.xlsx"]).active
    times = [r for r in range(5, ws.max_row + 1) if "〜" in str(ws.cell(r, 1).value)]
    minutes = [ws.cell(r, 2).value for r in times]
    assert len(minutes) == 9  # 開会, the item and its six steps, 閉会
    assert all(isinstance(m, int) for m in minutes)


def test_control_characters_do_not_break_any_export(tmp_path: Path) -> None:
    files = write_all(evil_sheet(BELL + "\x1b\ufffe"), evil_meeting(BELL), tmp_path)
    for name in ("issue.xlsx", "public.xlsx", "agenda.xlsx"):
        cells = string_cells(files[name])
        assert not any(BELL in c.value or "\x1b" in c.value for c in cells), name
        assert any(EVIL in c.value and c.data_type == "s" for c in cells), name
    titles = load_workbook(files["issue.xlsx"]).sheetnames + (
        load_workbook(files["public.xlsx"]).sheetnames
    )
    assert not any(BELL in t for t in titles)
    for name in ("issue.docx", "public.docx", "agenda.docx"):
        text = docx_text(files[name])
        assert EVIL in text, name  # the cleaned text, as typed
        assert BELL not in text and "\x1b" not in text, name
    assert "@SUM(A1)" in docx_text(files["issue.docx"])
    assert "=1+1" in docx_text(files["issue.docx"])  # the title


def test_a_slash_in_the_area_name_does_not_break_the_public_workbook(tmp_path: Path) -> None:
    data = make_sheet().model_dump()
    data["area"]["name"] = "東部市/西部町[*]?:"
    path = public_to_xlsx([public_summary(IssueSheet.model_validate(data))], tmp_path / "p.xlsx")
    assert load_workbook(path).sheetnames[0].startswith("1_東部市西部町")


def test_untouched_workbook_with_formula_like_text_imports_without_changes(
    store: SheetStore, tmp_path: Path
) -> None:
    saved = store.save(evil_sheet(), author="事務局")
    path = to_xlsx([saved], tmp_path / "issue.xlsx")
    report = import_xlsx(path, store)
    assert report.saved == [] and report.sheets[0].new_version is None


def test_export_text_keeps_tab_and_newline_only() -> None:
    assert export_text("a\tb\nc\r\nd\x07e\x00f\ufffeg\x9b") == "a\tb\nc\nd" + "efg"


@pytest.mark.parametrize(
    "text", [EVIL, "+1", "-1", "@A1", "  =1+1", "\t1", "\r=1", "＝1+1", "＋1", "＠A1"]
)
def test_looks_like_formula(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["普通の文", "1+1", "[1] 出典", "", "#N/A"])
def test_not_formula_like(text: str) -> None:
    assert not looks_like_formula(text)


# --- Markdown on screen --------------------------------------------------------------------

LINKS = "![x](http://evil/a.png) と [click](http://evil) と <http://evil> と www.evil.jp"


def _render(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_md_escape_is_one_definition() -> None:
    assert minutes_md_escape is md_escape


AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto):|www\.|[\w.+-]@")
"""What Streamlit's Markdown turns into a live link even when backslash-escaped."""


def test_md_escape_shows_no_image_or_link() -> None:
    escaped = md_escape(LINKS + " と a@b.jp")
    html = _render(escaped)
    assert "<img" not in html and "<a " not in html
    assert "[click](http://evil)" in html.replace(NO_LINK, "")  # shown as typed
    assert not AUTOLINK.search(escaped.replace("\\", ""))


def test_md_unlink_keeps_structure_but_no_link() -> None:
    md = f"# 見出し\n\n| 項目 | 内容 |\n|---|---|\n| a | {LINKS} |\n\n**太字** [1] \\\\[y](http://evil)\n"
    html = _render(md_unlink(md))
    assert "<img" not in html and "<a " not in html
    assert "<h1>" in html and "<table>" in html and "<strong>" in html
    assert "[1]" in html and "evil/a.png" in html  # shown, as text
    assert not AUTOLINK.search(md_unlink(md))  # no autolink (a word joiner splits each)


def test_highlighted_passage_shows_no_image_or_link() -> None:
    pytest.importorskip("streamlit")
    from facilitator.ui.components.widgets import highlight

    html = _render(highlight(LINKS, ["[click](http://evil)"]))
    assert "<img" not in html and "<a " not in html
    assert "<mark>" in html


def test_search_result_group_shows_no_image_or_link() -> None:
    """A case's title, place, tags, passages and repeats: one Markdown block on the search
    page, where a blank line in a document must not end the HTML and let Markdown read on."""
    pytest.importorskip("streamlit")
    from facilitator.corpus.chunks import Chunk, Locator
    from facilitator.search.hits import SearchHit
    from facilitator.ui.components.widgets import group_markdown

    text = f"{LINKS}\n\n[y](http://evil)\n \n\r\n![z](http://evil/b.png)"

    def hit(chunk_id: str) -> SearchHit:
        where = Locator(
            doc_id="u",
            doc_title=LINKS,
            section=LINKS,
            case_id="事例1",
            case_name=LINKS,
            char_start=0,
            char_end=len(text),
        )
        chunk = Chunk(
            chunk_id=chunk_id,
            doc_id="u",
            doc_title=LINKS,
            doc_kind="local",
            text=text,
            locator=where,
            metadata={"category": LINKS, "location": LINKS, "tags": [LINKS]},
        )
        return SearchHit(chunk=chunk, score=1.0, highlights=["[click](http://evil)"])

    out = _render(group_markdown([hit("u:1")], {"u:1": [hit("u:2")]}))
    assert "<img" not in out and "<a " not in out
    assert "<h4>" in out and "<mark>" in out and "同じ内容: " in out
    shown = unescape(out)  # as the browser shows the character references
    assert "[y](http://evil)" in shown and "![z](http://evil/b.png)" in shown  # as text


def test_export_preview_shows_no_image_or_link() -> None:
    pytest.importorskip("streamlit")
    from facilitator.export import to_markdown
    from facilitator.ui.components.exports import preview

    data = make_sheet().model_dump()
    data["goal"]["text"] = LINKS
    html = _render(preview(to_markdown(IssueSheet.model_validate(data))))
    assert "<img" not in html and "<a " not in html
    assert "evil/a.png" in html


# --- real office software ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.integration
def test_libreoffice_shows_the_literal_formula_text(tmp_path: Path) -> None:
    from tests.support.office import convert, libreoffice_binary

    if libreoffice_binary() is None:
        pytest.skip("LibreOffice がありません")
    path = to_xlsx([evil_sheet()], tmp_path / "issue.xlsx")
    out, _ = convert(path, tmp_path / "csv", "csv:Text - txt - csv (StarCalc):44,34,76")
    with out.open(encoding="utf-8", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert any(c.startswith(EVIL) for c in cells)  # not the computed 「x」
    assert any(c.startswith("-2+3") for c in cells)  # not 1
    assert any(c.startswith("+1+1") for c in cells)  # not 2
