"""Small python-docx helpers shared by the Word writers: A4, Japanese fonts, tables, notes.

Every text a writer puts into a document goes through :func:`export_text` here (or in the
writer), so a control character in a name never makes lxml refuse the whole document.
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from facilitator.export.common import FONT_NAME, REVIEW_MARK, UNBACKED_MARK
from facilitator.export.safe import export_line, export_text

UNBACKED_COLOR = RGBColor(0xC0, 0x50, 0x00)


def _east_asian(style_element: object, name: str) -> None:
    """python-docx sets only the Latin font; Japanese text needs w:eastAsia too."""
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def new_document(header: str, footer: str, *, landscape: bool = False) -> DocumentType:
    """An A4 document with Japanese fonts, a header line and a footer with page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    section.top_margin = section.bottom_margin = Mm(18)
    for name in (
        "Normal",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Title",
        "List Number",
        "List Bullet",
        "Table Grid",
    ):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        _east_asian(style.element, FONT_NAME)
    doc.styles["Normal"].font.size = Pt(10.5)
    hp = section.header.paragraphs[0]
    hp.text = export_line(header)
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in hp.runs:
        run.font.size = Pt(8)
    fp = section.footer.paragraphs[0]
    fp.text = f"{export_line(footer)}　　"
    _page_field(fp)
    for run in fp.runs:
        run.font.size = Pt(8)
    return doc


def add_heading(doc: DocumentType, text: str, level: int) -> Paragraph:
    return doc.add_heading(export_line(text), level=level)


def add_paragraph(doc: DocumentType, text: str = "", style: str | None = None) -> Paragraph:
    return doc.add_paragraph(export_text(text), style=style)


def _page_field(paragraph: Paragraph) -> None:
    """Append 「p / N」 as Word fields so every printed page is numbered."""
    for i, instr in enumerate(("PAGE", "NUMPAGES")):
        if i:
            paragraph.add_run(" / ")
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instr)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        fld.append(run)
        paragraph._p.append(fld)


def add_statement(
    doc: DocumentType | object,
    text: str,
    numbers: list[int],
    unbacked: bool,
    *,
    prefix: str = "",
    style: str | None = None,
    review: bool = False,
) -> Paragraph:
    """A paragraph: optional bold prefix, the text, superscript note numbers, 「（根拠なし）」
    and 「（要確認）」 marks."""
    p = doc.add_paragraph(style=style) if style else doc.add_paragraph()  # type: ignore[attr-defined]
    if prefix:
        p.add_run(export_text(prefix)).bold = True
    text = export_text(text)
    p.add_run(text)
    if numbers:
        run = p.add_run("".join(f"[{n}]" for n in numbers))
        run.font.superscript = True
    for mark, show in ((UNBACKED_MARK, unbacked), (REVIEW_MARK, review)):
        if show and text.strip():
            run = p.add_run(mark)
            run.font.color.rgb = UNBACKED_COLOR
            run.bold = True
    return p


def add_table(
    doc: DocumentType,
    headers: list[str],
    rows: list[list[str]],
    widths_mm: list[float] | None = None,
) -> Table:
    """A bordered table with a bold, repeated header row."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = export_text(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
        shade(cell, "D9E1F2")
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = export_text(text)
    if widths_mm:
        table.autofit = False  # LibreOffice and Word honour the grid only without autofit
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
    return table


def shade(cell: object, colour: str) -> None:
    """Background colour of a table cell (python-docx has no API for it)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)  # type: ignore[attr-defined]


def add_notes(doc: DocumentType, title: str, notes: list[tuple[int, str]]) -> None:
    """Numbered notes 「[n] 出典…」 at the end, matching the superscript markers."""
    if not notes:
        return
    add_heading(doc, title, level=2)
    for n, text in notes:
        p = doc.add_paragraph()
        p.add_run(f"[{n}] ").bold = True
        p.add_run(export_text(text))
        p.paragraph_format.left_indent = Mm(6)
        p.paragraph_format.first_line_indent = Mm(-6)
        for run in p.runs:
            run.font.size = Pt(9)
