"""Optional cross-encoder reranking of the fused candidates (an upgrade, never required).

A cross-encoder reads query and passage together and judges relevance better than
either retriever, at ~10–50 ms per passage on 2 cores, so only the head of the fused
list is reranked. The embedded default runs without one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import FacilitatorError

RERANK_DEPTH = 30
"""How many fused candidates the cross-encoder rescores."""


class Reranker:
    """A sentence-transformers CrossEncoder from a hub id (needs the hub) or a local folder."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(model, device=device, max_length=512)
        except Exception as exc:  # the library raises many types (OSError, HTTP, ValueError)
            raise FacilitatorError(
                f"再ランクのモデル「{model}」を読み込めません: {exc}。"
                "ネットワークに接続できない環境では、モデルのフォルダを指定してください。"
            ) from exc
        self.name = f"ce/{Path(model).name if Path(model).exists() else model}"

    def scores(self, query: str, passages: list[str]) -> np.ndarray:
        """Relevance of each passage to the query (higher is better; scale is the model's)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        out = self._model.predict([(query, p) for p in passages], convert_to_numpy=True,
                                  show_progress_bar=False)
        return np.asarray(out, dtype=np.float32).reshape(len(passages), -1)[:, 0]


@lru_cache(maxsize=2)
def load_reranker(model: str) -> Reranker:
    """One loaded model per name for the process (the app reruns scripts often)."""
    return Reranker(model)
