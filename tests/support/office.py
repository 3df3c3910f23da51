"""Convert exported Office files to PDF with LibreOffice (headless).

The exports must open in real office software, not just in openpyxl/python-docx; the
validity check (``bench/check_exports.py``) and the export tests use this.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from facilitator.errors import FacilitatorError

CANDIDATES = ("libreoffice", "soffice")


def libreoffice_binary() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_pdf(
    path: str | Path, outdir: str | Path, timeout: float = 180
) -> tuple[Path, float]:
    """Convert one .xlsx/.docx to PDF; returns (pdf path, seconds)."""
    return convert(path, outdir, "pdf", timeout=timeout)


def convert(
    path: str | Path, outdir: str | Path, target: str, timeout: float = 180
) -> tuple[Path, float]:
    """Convert with ``soffice --convert-to TARGET`` (e.g. ``pdf`` or ``xlsx:Calc MS Excel 2007 XML``,
    the latter re-saving a workbook as Calc would); returns (output path, seconds).

    A private user profile per call keeps parallel runs (and a desktop LibreOffice the
    user has open) from blocking each other.
    """
    binary = libreoffice_binary()
    if binary is None:
        raise FacilitatorError(
            "LibreOffice が見つかりません（apt-get install libreoffice-calc "
            "libreoffice-writer fonts-noto-cjk）。"
        )
    path, outdir = Path(path), Path(outdir)
    ext = target.split(":", 1)[0]
    if outdir.resolve() == path.parent.resolve() and path.suffix == f".{ext}":
        raise FacilitatorError(
            f"{path.name} を同じ場所に上書きすることになります。別の出力先を指定してください。"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / f"{path.stem}.{ext}"
    out.unlink(missing_ok=True)  # never mistake an old output for this run's
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise FacilitatorError(
            f"LibreOffice で {path.name} を {ext} に変換できませんでした（終了コード {proc.returncode}）。\n"
            f"{proc.stdout.strip()}\n{proc.stderr.strip()}".strip()
        )
    return out, seconds
