"""What every benchmark prints first: the machine, its load and the commit measured.

Figures are only comparable between runs on the same kind of machine and an idle one,
so each bench says which it ran on.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git_commit() -> str:
    """``git rev-parse --short HEAD``, marked when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    except OSError:
        return "unknown"
    return (head or "unknown") + (" (+ uncommitted changes)" if dirty else "")


def describe() -> str:
    """One line: cores, load average (1/5/15 min), Python, commit."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, load average {load}, "
        f"Python {platform.python_version()}, commit {git_commit()}"
    )
