"""The exports in real office software (LibreOffice): they convert, and a workbook saved by Calc imports back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitator.export import (
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
from facilitator.export.xlsx import COL
from facilitator.sheets.model import (
    IssueSheet,
)
from facilitator.sheets.store import SheetStore
from tests.export.builders import (
    MEETING,
    everything_but,
    make_sheet,
    rows_by_key,
    three_sheets,
)

# --- real office software -------------------------------------------------------------------


def _need_libreoffice() -> None:
    from tests.support.office import libreoffice_binary

    if libreoffice_binary() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI では LibreOffice が必要です（.ci/run で apt-get install libreoffice-calc "
                "libreoffice-writer fonts-noto-cjk）"
            )
        pytest.skip("LibreOffice がありません（CI では必須）")


@pytest.mark.integration
def test_libreoffice_converts_the_exports_to_pdf(tmp_path: Path) -> None:
    from tests.support.office import convert_to_pdf

    _need_libreoffice()
    sheet = make_sheet()
    plan = agenda(three_sheets(), MEETING)
    pages = {  # what a printer gets: the counts a council packet is planned with
        to_xlsx([sheet], tmp_path / "issue.xlsx"): 3,  # the sheet on 2 landscape pages + 出典一覧
        to_docx(sheet, tmp_path / "issue.docx"): 2,
        public_to_docx(public_summary(sheet), tmp_path / "public.docx"): 1,
        public_to_xlsx([public_summary(sheet)], tmp_path / "public.xlsx"): 1,
        agenda_to_xlsx(plan, tmp_path / "agenda.xlsx"): 1,
        agenda_to_docx(plan, tmp_path / "agenda.docx"): 1,
    }
    for path, expected in pages.items():
        pdf, _ = convert_to_pdf(path, tmp_path / "pdf" / path.stem / path.suffix[1:])
        reader = PdfReader(pdf)
        assert len(reader.pages) == expected, path.name
        text = (reader.pages[0].extract_text() or "").replace(" ", "")
        assert "東部" in text, path.name


@pytest.mark.integration
def test_workbook_saved_by_libreoffice_calc_imports_back(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    """A coordinator editing in Calc (not Excel) must not lose the hidden metadata or keys."""
    from tests.support.office import convert

    _need_libreoffice()
    path = to_xlsx([saved], tmp_path / "issue.xlsx")
    resaved, _ = convert(path, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    assert import_xlsx(resaved, store).saved == []  # Calc changed nothing we read
    wb = load_workbook(resaved)
    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["causes[0]"], COL["side"]).value = "病院"
    wb.save(resaved)
    import_xlsx(resaved, store)
    new = store.get(saved.sheet_id)
    assert new.version == 2 and new.causes[0].viewpoint == "病院"
    assert everything_but(new, "causes") == everything_but(saved, "causes")
