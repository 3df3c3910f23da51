"""Office validity check: do the exports open and print in real office software?

Exports the example sheet (架空データ) as the 課題管理シート workbook, Word, the public
summary (Word/Excel) and a two-sheet agenda (Excel/Word, with and without the per-sheet
summary pages), converts each to PDF with LibreOffice headless, prints conversion time
and page count, and renders page 1 of each to PNG in bench/out/exports/ for a look at the
Japanese layout. Exits non-zero when any conversion fails, a PDF lacks the expected
Japanese text, or the agenda is not one page (plus one per sheet with the summary).

    apt-get install -y --no-install-recommends libreoffice-calc libreoffice-writer \
        fonts-noto-cjk poppler-utils
    .venv/bin/python bench/check_exports.py [--out bench/out/exports] [--dpi 70]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from facilitator.errors import FacilitatorError
from facilitator.export import (
    MeetingInfo,
    agenda,
    agenda_to_docx,
    agenda_to_xlsx,
    public_summary,
    public_to_docx,
    public_to_xlsx,
    to_docx,
    to_xlsx,
)
from facilitator.sheets.model import SheetStatus
from tests.support.example_sheet import example_sheet
from tests.support.office import convert_to_pdf, libreoffice_binary

ROOT = Path(__file__).resolve().parent


PAGES = {"agenda": 1, "agenda_summary": 3}
"""The 進行表 of two sheets is one A4 page; the summary adds one page per sheet."""


def exports(out: Path) -> list[tuple[Path, str]]:
    """Write every Office export; returns (file, text page 1 must contain)."""
    sheet = example_sheet(SheetStatus.submitted).model_copy(update={"version": 3})
    second = example_sheet(SheetStatus.submitted).model_copy(
        update={"sheet_id": "sh-example02", "theme": "kaigo", "version": 1}
    )
    meeting = MeetingInfo(
        name="令和8年度 第1回 北部圏域 かかりつけ医機能の確保に関する協議の場",
        date="2026年7月15日（水）",
        place="北部保健所 大会議室",
        chair="北部郡市医師会長",
        presenters={"zaitaku": "北部郡市医師会 在宅医療担当理事"},
    )
    summary = public_summary(sheet)
    plan = agenda([sheet, second], meeting)
    jobs: list[tuple[str, Callable[[Path], object], str]] = [
        ("issue_sheet.xlsx", lambda p: to_xlsx([sheet, second], p), "課題管理シート"),
        ("issue_sheet.docx", lambda p: to_docx(sheet, p), "目指す姿"),
        ("public_summary.docx", lambda p: public_to_docx(summary, p), "協議の結果の公表シート"),
        ("public_summary.xlsx", lambda p: public_to_xlsx([summary], p), "協議の結果"),
        ("agenda.xlsx", lambda p: agenda_to_xlsx(plan, p), "進行表"),
        ("agenda.docx", lambda p: agenda_to_docx(plan, p), "進行表"),
        ("agenda_summary.xlsx", lambda p: agenda_to_xlsx(plan, p, summary=True), "進行表"),
        ("agenda_summary.docx", lambda p: agenda_to_docx(plan, p, summary=True), "進行表"),
    ]
    files = []
    for name, write, must in jobs:
        path = out / name
        write(path)
        files.append((path, must))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "exports")
    parser.add_argument("--dpi", type=int, default=70, help="PNG resolution of page 1")
    args = parser.parse_args()
    if libreoffice_binary() is None:
        print(
            "FAIL: LibreOffice がありません（apt-get install libreoffice-calc libreoffice-writer "
            "fonts-noto-cjk poppler-utils）",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    print(f"{'file':<22} {'seconds':>8} {'pages':>5}  page-1 PNG")
    for path, must in exports(args.out):
        try:
            pdf, seconds = convert_to_pdf(path, args.out / "pdf" / path.suffix[1:])
        except (FacilitatorError, subprocess.TimeoutExpired) as exc:
            print(f"FAIL {path.name}: {exc}", file=sys.stderr)
            failures += 1
            continue
        reader = PdfReader(pdf)
        text = reader.pages[0].extract_text() or ""
        problem = "" if must in text.replace(" ", "") else f"  FAIL: page 1 lacks 「{must}」"
        pages = PAGES.get(path.stem)
        if pages is not None and len(reader.pages) != pages:
            problem += f"  FAIL: {pages} page(s) expected"
        failures += bool(problem)
        png = ""
        if shutil.which("pdftoppm"):
            stem = args.out / f"{path.stem}-{path.suffix[1:]}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(args.dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(stem),
                ],
                check=True,
            )
            png = str(stem.with_suffix(".png").relative_to(ROOT.parent))
        print(f"{path.name:<22} {seconds:>8.2f} {len(reader.pages):>5}  {png}{problem}")
    if failures:
        print(f"{failures} 件の変換・確認に失敗しました", file=sys.stderr)
        return 1
    print("all exports converted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
