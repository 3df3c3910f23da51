"""The vector side's client: the embedded Chroma of one index build, or the Chroma server
that several app instances share (``chroma_host``), with its outages said in Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError as ChromaNotFoundError

from facilitator.errors import FacilitatorError, ServerUnavailableError
from facilitator.settings import Settings


@contextmanager
def server_errors(settings: Settings) -> Iterator[None]:
    """A Chroma server that is down or unreachable is a Japanese message naming its address,
    not a traceback (the embedded client's own errors pass unchanged)."""
    try:
        yield
    except (FacilitatorError, ChromaNotFoundError):
        raise
    except Exception as exc:
        if not settings.chroma_host:
            raise
        address = f"{settings.chroma_host}:{settings.chroma_port}"
        raise ServerUnavailableError("ベクトル検索サーバー Chroma", address) from exc


def chroma_client(settings: Settings, folder: Path) -> chromadb.ClientAPI:
    """The Chroma server when configured, else the PersistentClient of one build's folder."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        with server_errors(settings):
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
    return chromadb.PersistentClient(path=str(folder / "chroma"), settings=chroma_settings)
