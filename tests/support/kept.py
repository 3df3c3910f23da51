"""What the test suite keeps between runs, outside the repository: work that is the same on
every run and slow on 2 cores (the GGUF the LLM test serves, the shipped corpus's vectors).

A fresh machine has none of it and builds it; nothing here changes what a test checks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from facilitator.search.embeddings import Embedder, EmbeddingCache, embed_passages_cached
from facilitator.settings import Settings

# read at import: the session fixtures clear FACILITATOR_* before the tests run
_ROOT = os.environ.get("FACILITATOR_TEST_CACHE") or str(Path.home() / ".cache" / "facilitator-test")

PROBE = "かかりつけ医機能の確保に関する協議の場"
"""Embedded afresh on every run and compared with the kept vector: a model that now embeds
differently under the same name (another build of the package) makes the kept vectors stale."""


def kept_dir() -> Path:
    path = Path(_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_vectors() -> Path:
    return kept_dir() / "embeddings.sqlite"


def seed_vectors(settings: Settings, embedder: Embedder) -> bool:
    """Copy the kept passage vectors into ``settings``'s vector cache when they are this
    model's (see :data:`PROBE`), so the index build embeds only what is new. Embedding the
    corpus takes about 3 minutes here; the product's own cache does the same on a rebuild."""
    kept = _kept_vectors()
    if not kept.exists():
        return False
    key = EmbeddingCache.key(embedder.name, PROBE)
    cache = EmbeddingCache(kept)
    try:
        found = cache.get_many([key]).get(key)
    finally:
        cache.close()
    fresh = embedder.embed_passages([PROBE])[0]
    if found is None or not np.allclose(found, fresh, atol=1e-5):
        return False
    target = settings.vector_cache_file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, target)
    return True


def keep_vectors(settings: Settings, embedder: Embedder) -> None:
    """Keep the vectors of a finished build for the next run (replaced whole, never half)."""
    part = kept_dir() / f"embeddings.sqlite.{os.getpid()}.part"  # two sessions at once
    shutil.copyfile(settings.vector_cache_file, part)
    cache = EmbeddingCache(part)
    try:  # already there when the build was seeded; embedded once otherwise
        embed_passages_cached(embedder, [PROBE], cache)
    finally:
        cache.close()
    part.replace(_kept_vectors())
