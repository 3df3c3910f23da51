"""A real Chroma server (``chroma run``, shipped with the chromadb package) on a free
localhost port, for the tests of the multi-instance set-up."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.servers import answers, free_port, running


def chroma_binary() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def require_chroma() -> str:
    binary = chroma_binary()
    if binary is None:
        message = "the Chroma server test needs the 'chroma' command of the chromadb package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextmanager
def chroma_server(folder: Path) -> Iterator[tuple[str, int]]:
    """``chroma run`` storing into ``folder``; yields (host, port) once it answers."""
    binary = require_chroma()
    port = free_port()
    cmd = [binary, "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)]
    with running(
        cmd,
        folder / "chroma.log",
        lambda: answers(f"http://127.0.0.1:{port}/api/v2/heartbeat"),
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    ):
        yield "127.0.0.1", port
