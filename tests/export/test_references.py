"""What a reader sees in exported files names a sheet as people do (圏域・テーマ・版), never
by its id; a review copy of the public summary says so on every page."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from facilitator.export import (
    public_summary,
    public_to_docx,
    public_to_markdown,
    public_to_xlsx,
    to_docx,
    to_markdown,
    to_xlsx,
)
from facilitator.export.common import REVIEW_COPY, sheet_reference
from facilitator.sheets.model import SheetStatus
from tests.export.builders import make_sheet


def docx_all_text(path: Path) -> str:
    """Body, tables, and every section's header and footer."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for s in doc.sections:
        parts += [p.text for p in (*s.header.paragraphs, *s.footer.paragraphs)]
    return "\n".join(parts)


def xlsx_visible_text(path: Path) -> str:
    """Cells a reader can see (visible worksheets, visible columns) and page headers/footers."""
    wb = load_workbook(path)
    parts: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
        for row in ws.iter_rows():
            parts += [
                str(c.value)
                for c in row
                if c.value is not None and get_column_letter(c.column) not in hidden
            ]
        for hf in (ws.oddHeader, ws.oddFooter):
            parts += [p.text or "" for p in (hf.left, hf.center, hf.right)]
    return "\n".join(parts)


def test_issue_sheet_exports_name_the_sheet_by_area_theme_and_version(tmp_path: Path) -> None:
    sheet = make_sheet()
    texts = {
        "docx": docx_all_text(to_docx(sheet, tmp_path / "s.docx")),
        "xlsx": xlsx_visible_text(to_xlsx([sheet], tmp_path / "s.xlsx")),
        "md": to_markdown(sheet),
    }
    for kind, text in texts.items():
        assert sheet.sheet_id not in text, kind
    assert sheet_reference(sheet) in texts["docx"]  # the footer of every page
    assert sheet_reference(sheet) in texts["xlsx"]
    assert sheet_reference(sheet).startswith(f"{sheet.area.name}・")
    assert sheet_reference(sheet).endswith(f"・版{sheet.version}")


def test_a_forced_review_copy_is_marked_on_every_page(tmp_path: Path) -> None:
    draft = public_summary(make_sheet(SheetStatus.review), force=True)
    assert draft.review_copy
    md = public_to_markdown(draft)
    assert REVIEW_COPY in md.splitlines()[0]
    assert "公表しないでください" in md
    doc = Document(str(public_to_docx(draft, tmp_path / "p.docx")))
    for section in doc.sections:
        assert REVIEW_COPY in "".join(p.text for p in section.header.paragraphs)
    wb = load_workbook(public_to_xlsx([draft], tmp_path / "p.xlsx"))
    for ws in wb.worksheets:
        assert REVIEW_COPY in ws.oddHeader.center.text
        assert REVIEW_COPY in str(ws["A1"].value) and "公表しないでください" in str(ws["A2"].value)


def test_a_submitted_sheet_s_summary_carries_no_review_mark(tmp_path: Path) -> None:
    final = public_summary(make_sheet(SheetStatus.submitted))
    assert not final.review_copy
    assert REVIEW_COPY not in public_to_markdown(final)
    doc = Document(str(public_to_docx(final, tmp_path / "p.docx")))
    assert REVIEW_COPY not in "".join(p.text for p in doc.sections[0].header.paragraphs)
    assert final.sheet_id not in xlsx_visible_text(public_to_xlsx([final], tmp_path / "p.xlsx"))
