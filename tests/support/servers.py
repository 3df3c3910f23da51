"""Throwaway local servers for the integration tests (Streamlit, Chroma, PostgreSQL, the
LLM server): a free port, and a process that is waited for until it answers and always
stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A localhost port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str, body: bytes | None = None) -> bool:
    """The URL answers (with ``body``, when given)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return body is None or r.read().strip() == body
    except OSError:
        return False


@contextmanager
def running(
    cmd: list[str],
    log_path: Path,
    ready: Callable[[], bool],
    timeout: float = 60,
    **popen: object,
) -> Iterator[subprocess.Popen]:
    """``cmd`` writing to ``log_path``, yielded once ``ready()``; a process that exits or is
    not ready within ``timeout`` raises with its log. Terminated (killed if need be) at exit."""
    log = log_path.open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **popen)  # type: ignore[call-overload]
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {log_path.read_text()}")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
