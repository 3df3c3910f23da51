"""Every test gets its own data folder and runs offline.

The real index (embedded default model) is built once per session and shared
read-only through ``built``; tests that change data use ``built_copy``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.settings import PROJECT_ROOT, Settings


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh, empty data folder and the shipped corpus."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=PROJECT_ROOT / "corpus")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data folder with the real index of the shipped corpus (built once, ~40 s)."""
    from facilitator.search.index import build_index

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("built") / "data", corpus_dir=PROJECT_ROOT / "corpus"
    )
    build_index(settings)
    return settings


@pytest.fixture
def built_copy(built: Settings, tmp_path: Path) -> Settings:
    """A private copy of ``built`` that a test may change (vector cache included)."""
    target = tmp_path / "data"
    shutil.copytree(built.data_dir, target)
    return Settings(data_dir=target, corpus_dir=PROJECT_ROOT / "corpus")
