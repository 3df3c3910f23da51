"""Generic parser: text decoding, structure-guessing chunker, PDF pages and PDF errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from facilitator.corpus.chunks import DocKind, Document
from facilitator.corpus.parsers.base import ParsedDocument
from facilitator.corpus.parsers.generic import parse_file, parse_pdf, parse_text, read_text_file
from facilitator.errors import DocumentError
from facilitator.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"


def _doc(path: str = "upload.txt", doc_id: str = "upload") -> Document:
    return Document(doc_id=doc_id, title="テスト文書", kind=DocKind.local, path=path)


def _assert_verbatim(parsed: ParsedDocument) -> None:
    for chunk in parsed.chunks:
        loc = chunk.locator
        assert chunk.text == parsed.text[loc.char_start : loc.char_end]
    ids = [c.chunk_id for c in parsed.chunks]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- decoding

SAMPLE = "第1章 在宅医療\n\n在宅医療を担う医療機関の確保が課題である。\n"


def test_shift_jis_file_decodes(tmp_path: Path) -> None:
    path = tmp_path / "sjis.txt"
    path.write_bytes(SAMPLE.encode("cp932"))
    assert read_text_file(path) == SAMPLE


def test_utf8_bom_file_decodes_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    text = read_text_file(path)
    assert text == SAMPLE
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize(
    "data",
    [
        b"\x81\x20\x82\x20\xff\xfe",  # broken CP932 lead bytes, not UTF-8 either
        "在宅医療".encode("utf-16"),  # decodes in CP932 only to NULs and PUA junk
    ],
)
def test_undecodable_file_error_names_the_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match="文字コード") as err:
        read_text_file(path)
    assert "broken.txt" in str(err.value)


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t "])
def test_empty_file_is_an_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match="本文が空です"):
        read_text_file(path)


# --------------------------------------------------------------------------- text chunking


def test_osaka_material_chunks_have_sections_and_bounded_length() -> None:
    raw = (CORPUS / "003_00c58b324add3c35.txt").read_text(encoding="utf-8")
    parsed = parse_text(_doc("003.txt", "osaka"), raw)
    _assert_verbatim(parsed)
    assert len(parsed.chunks) >= 8
    assert all(len(c.text) <= 900 for c in parsed.chunks)
    sections = {c.locator.section for c in parsed.chunks}
    assert "1. 在宅医療体制強化事業(機能強化支援事業)" in sections
    assert "府の考え方" in sections
    assert all(c.metadata["section_kind"] == "section" for c in parsed.chunks)
    assert any("zaitaku" in c.metadata["themes"] for c in parsed.chunks)


def test_slides_chunks_read_as_text_not_debris() -> None:
    raw = (CORPUS / "004_792b03e14efc7e62.txt").read_text(encoding="utf-8")
    parsed = parse_text(_doc("004.txt", "slides"), raw)
    _assert_verbatim(parsed)
    assert all(len(c.text) <= 900 for c in parsed.chunks)
    # Vertical diagram labels (one glyph a line) are not chunks of their own.
    for chunk in parsed.chunks:
        lines = chunk.text.split("\n")
        assert not all(len(line) <= 2 for line in lines)
    assert any("かかりつけ医機能" in c.text for c in parsed.chunks)


def test_a_slide_passage_keeps_the_prefecture_its_title_names() -> None:
    """福井県's reorganisation is told under a diagram label, its slide's title above it: a
    question about 福井県 is answered by the passage, which never names 福井 itself."""
    raw = (CORPUS / "004_792b03e14efc7e62.txt").read_text(encoding="utf-8")
    parsed = parse_text(_doc("004.txt", "slides"), raw)
    reform = next(c for c in parsed.chunks if "機構改革の際に" in c.text)
    assert "福井" not in reform.text
    assert reform.metadata["prefecture"] == "福井県"
    first = parsed.chunks[0]  # 「本日の重点」: no prefecture named in or before it
    assert "prefecture" not in first.metadata


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("福井県の体制\n\n" + "連携を進める。" * 40, "福井県"),  # named in the passage
        ("福井県と新潟県の比較\n\n" + "連携を進める。" * 40, None),  # two: about neither
        ("大阪府\n\n" + "あ" * 500 + "\n\n見出し\n\n" + "連携を進める。" * 40, None),  # too far
    ],
)
def test_a_passage_is_about_the_one_prefecture_it_or_its_title_names(
    raw: str, expected: str | None
) -> None:
    parsed = parse_text(_doc(), raw + "\n")
    assert parsed.chunks[-1].metadata.get("prefecture") == expected


def test_chunks_never_cross_a_heading() -> None:
    body = "在宅医療の体制を整える。" * 20
    raw = f"第1章 総論\n\n{body}\n\n第2章 各論\n\n{body}\n"
    parsed = parse_text(_doc(), raw)
    _assert_verbatim(parsed)
    assert [c.locator.section for c in parsed.chunks] == ["第1章 総論", "第2章 各論"]
    assert not any("第1章" in c.text and "第2章" in c.text for c in parsed.chunks)


def test_overlong_paragraph_is_split_after_sentence_end() -> None:
    sentence = "訪問診療を行う医療機関を地域で確保するための協議を重ねる必要がある。"
    raw = "見出し\n\n" + sentence * 40 + "\n"
    parsed = parse_text(_doc(), raw)
    _assert_verbatim(parsed)
    assert len(parsed.chunks) >= 2
    assert all(len(c.text) <= 900 for c in parsed.chunks)
    assert all(c.text.endswith("。") for c in parsed.chunks)


def test_short_paragraphs_are_packed_together() -> None:
    raw = "\n\n".join(f"段落{i}の本文です。在宅医療と介護の連携を進める。" for i in range(12))
    parsed = parse_text(_doc(), raw + "\n")
    assert 1 <= len(parsed.chunks) <= 2
    assert parsed.chunks[0].locator.paragraph == 1


# --------------------------------------------------------------------------- PDFs


def _make_pdf(path: Path, pages: list[list[str]], encrypt: str | None = None) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    for lines in pages:
        pdf.setFont("HeiseiKakuGo-W5", 11)
        y = 800
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


PAGE1 = ["第1章 在宅医療の推進", "在宅医療を担う医療機関の確保が課題である。"]
PAGE2 = ["第2章 介護との連携", "多職種連携の会議を毎月開催する。"]


def test_two_page_pdf_gives_chunks_with_pages(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "two.pdf", [PAGE1, PAGE2])
    parsed = parse_pdf(_doc("two.pdf"), path)
    _assert_verbatim(parsed)
    pages = {c.locator.page for c in parsed.chunks}
    assert pages == {1, 2}
    by_page = {c.locator.page: c.text for c in parsed.chunks}
    assert "在宅医療を担う医療機関の確保が課題である。" in by_page[1]
    assert "多職種連携の会議を毎月開催する。" in by_page[2]
    assert "多職種" not in by_page[1]
    assert {c.locator.section for c in parsed.chunks} == {
        "第1章 在宅医療の推進",
        "第2章 介護との連携",
    }


def test_pdf_page_without_heading_inherits_previous_heading(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "carry.pdf", [PAGE1, ["続きの本文で、訪問看護との連携を述べる。"]])
    parsed = parse_pdf(_doc("carry.pdf"), path)
    page2 = [c for c in parsed.chunks if c.locator.page == 2]
    assert page2 and page2[0].locator.section == "第1章 在宅医療の推進"


def test_a_pdf_sentence_wrapped_at_the_page_width_is_quoted_whole(tmp_path: Path) -> None:
    from facilitator.text import sentences

    wrapped = [
        "第1章 後方支援の確保",
        "在宅療養中の患者が急変した際に、あらかじめ登録した病院へ円滑に入院で",
        "きるよう、地域の病院と診療所が患者情報を共有する仕組みを整える。",
        "次の段落は一行で終わる。",
    ]
    parsed = parse_pdf(_doc("wrapped.pdf"), _make_pdf(tmp_path / "wrapped.pdf", [wrapped]))
    (chunk,) = parsed.chunks
    said = [s for s in sentences(chunk.text) if s != "第1章 後方支援の確保"]
    assert said[0].startswith("在宅療養中の患者が急変した際に") and said[0].endswith(
        "仕組みを整える。"
    )
    assert said[1:] == ["次の段落は一行で終わる。"] and said[0] in chunk.text


def test_parse_file_dispatches_pdf(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "one.pdf", [PAGE1])
    parsed = parse_file(_doc("one.pdf"), path)
    assert parsed.chunks[0].locator.page == 1


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "secret.pdf", [PAGE1], encrypt="pw")
    with pytest.raises(DocumentError, match="暗号化") as err:
        parse_pdf(_doc("secret.pdf"), path)
    assert "secret.pdf" in str(err.value)


def test_pdf_encrypted_with_pypdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = _make_pdf(tmp_path / "plain.pdf", [PAGE1])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt("pw", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match="暗号化"):
        parse_pdf(_doc("locked.pdf"), path)


def test_image_only_pdf_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 200, 200, fill=1)  # a drawing, no text
    pdf.showPage()
    pdf.showPage()  # and a blank page
    pdf.save()
    with pytest.raises(DocumentError, match="画像"):
        parse_pdf(_doc("scan.pdf"), path)


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(DocumentError, match="PDF") as err:
        parse_file(_doc("corrupt.pdf"), path)
    assert "corrupt.pdf" in str(err.value)


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="対応していない形式"):
        parse_file(_doc("sheet.xlsx"), path)


def test_parse_file_reads_markdown(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# 協議の進め方\n\n地域の課題を整理し、方策を検討する。\n", encoding="utf-8")
    parsed = parse_file(_doc("note.md"), path)
    assert parsed.chunks[0].locator.section == "協議の進め方"
