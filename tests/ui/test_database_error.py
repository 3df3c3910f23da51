"""The app with its shared database unreachable: a Japanese message, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from facilitator.settings import PROJECT_ROOT, Settings
from tests.support.app_fixtures import APP, PAGES, TIMEOUT, point_app_at, texts
from tests.support.postgres import PASSWORD
from tests.support.servers import free_port


def test_an_unreachable_database_is_a_japanese_error_on_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_app_at(
        monkeypatch, Settings(data_dir=tmp_path / "data", corpus_dir=PROJECT_ROOT / "corpus")
    )
    port = free_port()
    monkeypatch.setenv(
        "FACILITATOR_DATABASE_URL", f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:{port}/f"
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(PAGES["sheet"]).run()  # opens the sheet store first
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert f"データベース PostgreSQL（127.0.0.1:{port}/f）に接続できません" in shown
    assert PASSWORD not in shown


def test_with_login_on_an_unreachable_database_is_said_on_the_login_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_app_at(
        monkeypatch, Settings(data_dir=tmp_path / "data", corpus_dir=PROJECT_ROOT / "corpus")
    )
    monkeypatch.setenv("FACILITATOR_AUTH", "true")  # the accounts are on the database too
    port = free_port()
    monkeypatch.setenv(
        "FACILITATOR_DATABASE_URL", f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:{port}/f"
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert f"データベース PostgreSQL（127.0.0.1:{port}/f）に接続できません" in shown
    assert PASSWORD not in shown and not at.text_input  # no login form to type into
