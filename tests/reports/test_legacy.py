"""A data folder from before the shared database: its ``reports.sqlite`` (format 4, or the
older format 3 with long-form answers) is copied into the report tables when the store is
first opened, with the same figures as a fresh import, and then set aside — never deleted,
never copied twice, on either backend."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from facilitator.errors import FacilitatorError
from facilitator.reports import load_sample, summary
from facilitator.reports.legacy import LEGACY_FILE
from facilitator.reports.store import open_store
from facilitator.settings import Settings
from facilitator.storage.db import SQLITE_FILE

FORMAT_4 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE areas(
    muni_code TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER,
    muni_name TEXT NOT NULL, pref_code TEXT NOT NULL, pref_name TEXT NOT NULL,
    sec_code TEXT NOT NULL, sec_name TEXT NOT NULL,
    population INTEGER NOT NULL, pop65 INTEGER NOT NULL, pop75 INTEGER NOT NULL,
    area_type TEXT NOT NULL DEFAULT '', synthetic INTEGER NOT NULL DEFAULT 0, source_file TEXT,
    PRIMARY KEY (muni_code, valid_from));
CREATE TABLE datasets(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, source_file TEXT, imported_at TEXT,
    n_institutions INTEGER, n_answers INTEGER, synthetic INTEGER NOT NULL DEFAULT 0,
    dictionary_year INTEGER, PRIMARY KEY (year, pref_code));
CREATE TABLE institutions(
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL, inst_code TEXT NOT NULL, pref_code TEXT NOT NULL,
    muni_code TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
    f_ichigo INTEGER NOT NULL, f_jikangai INTEGER NOT NULL, f_nyutaiin INTEGER NOT NULL,
    f_zaitaku INTEGER NOT NULL, f_kaigo INTEGER NOT NULL, f_hoka INTEGER NOT NULL,
    vals TEXT NOT NULL);
CREATE TABLE items(
    form_year INTEGER NOT NULL, item_no INTEGER NOT NULL, item_id TEXT NOT NULL,
    function TEXT NOT NULL, name TEXT NOT NULL, answer_type TEXT NOT NULL,
    PRIMARY KEY (form_year, item_no));
CREATE VIEW answers AS
    SELECT i.year, i.pref_code, i.id AS inst_id, j.key AS item_no, j.value
    FROM institutions i, json_each(i.vals) j WHERE j.value IS NOT NULL;
CREATE TABLE muni_stats(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, muni_code TEXT NOT NULL, stats TEXT NOT NULL,
    PRIMARY KEY (year, pref_code, muni_code));
INSERT INTO meta VALUES ('schema_version', '4'), ('data_version', 'old');
"""
"""``reports.sqlite`` as the versions before the shared database created it (format 4)."""

FORMAT_3 = """
CREATE TABLE answers_v3 AS SELECT year, pref_code, inst_id, item_no, value FROM answers;
DROP VIEW answers;
CREATE TABLE answers(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, inst_id INTEGER NOT NULL,
    item_no INTEGER NOT NULL, value,
    PRIMARY KEY (year, pref_code, inst_id, item_no)) WITHOUT ROWID;
INSERT INTO answers SELECT * FROM answers_v3;
DROP TABLE answers_v3;
ALTER TABLE institutions DROP COLUMN vals;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
DELETE FROM meta WHERE key = 'data_version';
"""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample imported the way it is now (the figures to compare with)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("fresh") / "data")
    load_sample(settings)
    return settings


def _old_data_folder(fresh: Settings, folder: Path, form: int = 4) -> Settings:
    """A data folder holding only ``reports.sqlite`` with ``fresh``'s data, in ``form``."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / LEGACY_FILE)
    conn.executescript(FORMAT_4)
    conn.execute("ATTACH DATABASE ? AS new", (str(fresh.data_dir / SQLITE_FILE),))
    for table in ("areas", "datasets", "institutions", "items", "muni_stats"):
        conn.execute(f"INSERT INTO {table} SELECT * FROM new.report_{table}")
    conn.commit()
    conn.execute("DETACH DATABASE new")
    if form == 3:
        conn.executescript(FORMAT_3)
    conn.close()
    return Settings(data_dir=folder)


def _figures(settings: Settings) -> str:
    return summary(None, "zaitaku", settings=settings).model_dump_json()


@pytest.mark.parametrize("form", [4, 3])
def test_an_old_data_folder_opens_with_the_same_figures(
    fresh: Settings, backend: Settings, form: int
) -> None:
    old = _old_data_folder(fresh, backend.data_dir, form)
    old = backend.model_copy(update={"data_dir": old.data_dir})
    with open_store(fresh) as a, open_store(old) as b:  # copied in here
        assert b.count("answers") == a.count("answers") > 0
        assert b.rows("institutions") == a.rows("institutions")
        assert b.data_version() not in ("", "old")  # no cache keyed on the old file applies
    assert _figures(old) == _figures(fresh)
    assert not (old.data_dir / LEGACY_FILE).exists()
    assert (old.data_dir / (LEGACY_FILE + ".imported")).exists()  # kept, not deleted


def test_the_old_file_is_copied_once(fresh: Settings, tmp_path: Path) -> None:
    old = _old_data_folder(fresh, tmp_path / "data")
    kept = (old.data_dir / LEGACY_FILE).read_bytes()
    with open_store(old) as store:
        n = store.count("institutions")
    (old.data_dir / LEGACY_FILE).write_bytes(kept)  # put back, e.g. from a backup
    with open_store(old) as store:
        assert store.count("institutions") == n


def test_a_failed_copy_leaves_the_old_file_and_no_data(
    fresh: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facilitator.reports.migrate as m

    old = _old_data_folder(fresh, tmp_path / "data", form=3)
    before = (old.data_dir / LEGACY_FILE).read_bytes()
    monkeypatch.setattr(m, "MIGRATION_3_TO_4", m.MIGRATION_3_TO_4 + ";SELECT no_such_function()")
    with pytest.raises(FacilitatorError, match="取り込めませんでした"), open_store(old):
        pass
    assert (old.data_dir / LEGACY_FILE).read_bytes() == before
    monkeypatch.undo()
    with open_store(old) as store:  # the next open copies it
        assert store.count("institutions") > 0


def test_an_unreadable_old_file_is_a_japanese_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    (settings.data_dir / LEGACY_FILE).write_bytes(b"not a database" * 100)
    message = r"以前の報告データベース .*reports\.sqlite"
    with pytest.raises(FacilitatorError, match=message), open_store(settings):
        pass
    assert (settings.data_dir / LEGACY_FILE).exists()
