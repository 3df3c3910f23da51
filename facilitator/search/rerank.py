"""Optional cross-encoder reranking of the fused candidates (an upgrade, never required).

A cross-encoder reads query and passage together and judges relevance better than
either retriever, at ~10–50 ms per passage on 2 cores, so only the head of the fused
list is reranked. The embedded default runs without one.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from facilitator.search.embeddings import load_hub_or_local

RERANK_DEPTH = 30
"""How many fused candidates the cross-encoder rescores."""


class Reranker:
    """A sentence-transformers CrossEncoder from a hub id (needs the hub) or a local folder."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        from sentence_transformers import CrossEncoder

        self._model, short = load_hub_or_local(
            lambda m: CrossEncoder(m, device=device, max_length=512), model, "再ランクのモデル"
        )
        self.name = f"ce/{short}"

    def scores(self, query: str, passages: list[str]) -> np.ndarray:
        """Relevance of each passage to the query (higher is better; scale is the model's)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        out = self._model.predict(
            [(query, p) for p in passages], convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32).reshape(len(passages), -1)[:, 0]


@lru_cache(maxsize=2)
def load_reranker(model: str) -> Reranker:
    """One loaded model per name for the process (the app reruns scripts often)."""
    return Reranker(model)
