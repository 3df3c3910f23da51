"""Fixtures for the app tests: a data folder with the real index and the 架空 sample loaded.

Registered by tests/conftest.py. ``app_data`` is prepared once per
session from conftest's ``built`` index; ``app_env`` gives each test its own copy and
points FACILITATOR_DATA_DIR at it, so tests that save sheets or import files stay apart.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from facilitator.settings import PROJECT_ROOT, Settings

APP = str(PROJECT_ROOT / "app.py")
PAGES = {
    "start": "facilitator/ui/pages/start.py",
    "area": "facilitator/ui/pages/area.py",
    "sheet": "facilitator/ui/pages/sheet.py",
    "export": "facilitator/ui/pages/export.py",
    "search": "facilitator/ui/pages/search.py",
    "meeting": "facilitator/ui/pages/meeting.py",
    "data": "facilitator/ui/pages/data.py",
}
TIMEOUT = 90


@pytest.fixture(scope="session")
def app_data(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The session's index plus the 架空 sample report data (prepared once)."""
    from facilitator.reports import load_sample

    target = tmp_path_factory.mktemp("app") / "data"
    shutil.copytree(built.data_dir, target)
    settings = Settings(data_dir=target, corpus_dir=PROJECT_ROOT / "corpus")
    load_sample(settings)
    return settings


def point_app_at(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("FACILITATOR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FACILITATOR_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("FACILITATOR_AUTH", "false")  # login has its own tests (test_login.py)
    for name in ("LLM_MODEL", "LLM_BASE_URL", "CHROMA_HOST", "RERANKER_MODEL"):
        monkeypatch.delenv(f"FACILITATOR_{name}", raising=False)


@pytest.fixture
def app_env(app_data: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A private copy of ``app_data`` that the app under test uses."""
    target = tmp_path / "data"
    shutil.copytree(app_data.data_dir, target)
    settings = Settings(data_dir=target, corpus_dir=app_data.corpus_dir)
    point_app_at(monkeypatch, settings)
    return settings


def open_page(page: str | None = None) -> AppTest:
    """Run app.py (its default page), then switch to ``page`` (a key of PAGES) and run it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.switch_page(PAGES[page]).run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote as text (markdown, captions, alerts, titles), one string."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "code",
        "text",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.fixture
def clean_streamlit_cache() -> Iterator[None]:
    """Drop cached searchers so a test with a fresh data folder builds its own."""
    import streamlit as st

    yield
    st.cache_resource.clear()
