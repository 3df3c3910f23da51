"""Every test gets its own data folder and runs offline."""

from __future__ import annotations

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
    """Settings pointing at a fresh data folder and the shipped corpus."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=PROJECT_ROOT / "corpus")
