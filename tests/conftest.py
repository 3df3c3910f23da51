"""Every test runs offline, without the user's ``FACILITATOR_*`` settings, in its own data folder.

The real index (embedded default model) is built once per session and shared
read-only through ``built``; tests that change data use ``built_copy``. Fixtures for
the drafting and app tests live in ``tests/support`` and are registered here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.settings import PROJECT_ROOT, Settings

pytest_plugins = [
    "tests.support.drafting_fixtures",
    "tests.support.app_fixtures",
    "tests.support.postgres",
]
pytest.register_assert_rewrite("tests.support")

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


@pytest.fixture(autouse=True, scope="session")
def _no_user_settings() -> Iterator[None]:
    """Session fixtures (the shared index) are built without the user's settings too."""
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("FACILITATOR_")]:
            mp.delenv(name)
        for name, value in OFFLINE.items():
            mp.setenv(name, value)
        yield


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the user's data folder, whatever it sets up."""
    for name in [n for n in os.environ if n.startswith("FACILITATOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FACILITATOR_DATA_DIR", str(tmp_path / "data"))
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh, empty data folder and the shipped corpus."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=PROJECT_ROOT / "corpus")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data folder with the real index of the shipped corpus, built once per session:
    about 3 minutes of embedding on 2 cores, seconds when the vectors kept from an earlier
    run are still this model's (tests/support/kept.py)."""
    from facilitator.search.embeddings import load_embedder
    from facilitator.search.index import build_index
    from tests.support.kept import keep_vectors, seed_vectors

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("built") / "data", corpus_dir=PROJECT_ROOT / "corpus"
    )
    embedder = load_embedder(settings.embedding_model)
    seed_vectors(settings, embedder)
    build_index(settings, embedder=embedder)
    keep_vectors(settings, embedder)
    return settings


@pytest.fixture
def built_copy(built: Settings, tmp_path: Path) -> Settings:
    """A private copy of ``built`` that a test may change (vector cache included)."""
    target = tmp_path / "data"
    shutil.copytree(built.data_dir, target)
    return Settings(data_dir=target, corpus_dir=PROJECT_ROOT / "corpus")
