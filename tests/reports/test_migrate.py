"""A database written by the previous format (3: long-form answers) is upgraded in place
when opened, with the same figures as a fresh import; nothing has to be re-imported."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from facilitator.errors import FacilitatorError
from facilitator.reports import load_sample, summary
from facilitator.reports.store import SCHEMA_VERSION, db_path, open_store
from facilitator.settings import Settings

FORMAT_3 = """
CREATE TABLE answers_v3 AS SELECT year, pref_code, inst_id, item_no, value FROM answers;
DROP VIEW answers_long;
DROP VIEW answers;
CREATE TABLE answers(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, inst_id INTEGER NOT NULL,
    item_no INTEGER NOT NULL, value,
    PRIMARY KEY (year, pref_code, inst_id, item_no)) WITHOUT ROWID;
INSERT INTO answers SELECT * FROM answers_v3;
DROP TABLE answers_v3;
CREATE VIEW answers_long AS
    SELECT a.year, i.inst_code, it.item_id, a.value
    FROM answers a JOIN institutions i ON i.id = a.inst_id
    JOIN datasets d ON d.year = a.year AND d.pref_code = a.pref_code
    JOIN items it ON it.form_year = d.dictionary_year AND it.item_no = a.item_no;
ALTER TABLE institutions DROP COLUMN vals;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
DELETE FROM meta WHERE key = 'data_version';
"""


def _as_format_3(src: Settings, tmp_path: Path) -> Settings:
    """A copy of ``src``'s database rewritten the way format 3 stored it."""
    old = Settings(data_dir=tmp_path / "old", corpus_dir=src.corpus_dir)
    old.data_dir.mkdir()
    shutil.copy(db_path(src), db_path(old))
    conn = sqlite3.connect(db_path(old))
    conn.executescript(FORMAT_3)
    conn.close()
    return old


def _figures(settings: Settings) -> str:
    return summary(None, "zaitaku", settings=settings).model_dump_json()


def test_a_format_3_database_opens_with_the_same_figures(tmp_path: Path) -> None:
    fresh = Settings(data_dir=tmp_path / "fresh", corpus_dir=tmp_path)
    load_sample(fresh)
    old = _as_format_3(fresh, tmp_path)
    n_answers = sqlite3.connect(db_path(old)).execute("SELECT count(*) FROM answers").fetchone()
    with open_store(old) as store:  # upgraded here
        assert store.conn.execute(
            "SELECT value FROM meta WHERE key='schema_version'"
        ).fetchone() == (SCHEMA_VERSION,)
        assert store.conn.execute("SELECT count(*) FROM answers").fetchone() == n_answers
        assert store.data_version()  # caches keyed on the old layout never apply
    assert _figures(old) == _figures(fresh)


def test_an_interrupted_upgrade_leaves_format_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facilitator.reports.migrate as m

    fresh = Settings(data_dir=tmp_path / "fresh", corpus_dir=tmp_path)
    load_sample(fresh)
    old = _as_format_3(fresh, tmp_path)
    monkeypatch.setattr(m, "MIGRATION_3_TO_4", m.MIGRATION_3_TO_4 + ";SELECT no_such_function()")
    with pytest.raises(FacilitatorError, match="開けません"), open_store(old):
        pass
    conn = sqlite3.connect(db_path(old))
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("3",)
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] > 0
