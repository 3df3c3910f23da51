"""Convert exported Office files to PDF with LibreOffice (headless).

The exports must open in real office software, not just in openpyxl/python-docx; the
validity check (``bench/check_exports.py``) and the integration test use this, and it
doubles as a PDF export where LibreOffice is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import FacilitatorError

CANDIDATES = ("libreoffice", "soffice")


def libreoffice_binary() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_pdf(path: str | Path, outdir: str | Path, timeout: float = 180) -> tuple[Path, float]:
    """Convert one .xlsx/.docx to PDF; returns (pdf path, seconds).

    A private user profile per call keeps parallel runs (and a desktop LibreOffice the
    user has open) from blocking each other.
    """
    binary = libreoffice_binary()
    if binary is None:
        raise FacilitatorError("LibreOffice が見つかりません（apt-get install libreoffice-calc "
                               "libreoffice-writer fonts-noto-cjk）。")
    path, outdir = Path(path), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=timeout, check=False)
        seconds = time.perf_counter() - t0
    pdf = outdir / (path.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise FacilitatorError(
            f"LibreOffice で {path.name} を PDF に変換できませんでした（終了コード {proc.returncode}）。\n"
            f"{proc.stdout.strip()}\n{proc.stderr.strip()}".strip())
    return pdf, seconds
