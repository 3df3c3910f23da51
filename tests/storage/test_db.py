"""The shared database: settings → engine, migrations, concurrent saves, errors in Japanese."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import insert, inspect

from facilitator.cli.root import cli
from facilitator.errors import DatabaseError
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.sheets.model import AreaRef, IssueSheet, Statement
from facilitator.sheets.store import SheetConflictError, SheetStore
from facilitator.storage.db import Database, database_url, describe, head_revision
from facilitator.storage.tables import metadata, sheet_versions
from tests.support import postgres as pg_support
from tests.support.postgres import PASSWORD, PostgresServer
from tests.support.servers import free_port

OLD_SCHEMA = (  # sheets.sqlite as the store created it before migrations
    "CREATE TABLE IF NOT EXISTS sheet_versions ("
    " sheet_id TEXT NOT NULL, version INTEGER NOT NULL, saved_at TEXT NOT NULL,"
    " author TEXT NOT NULL, message TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY (sheet_id, version))"
)


def _sheet() -> IssueSheet:
    return IssueSheet(
        area=AreaRef(code="99201", name="北市"),
        theme="zaitaku",
        goal=Statement(text="在宅療養を続けられる"),
    )


def _together(n: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``n`` threads released at the same instant; results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = _outcome(lambda: work(i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_default_is_the_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert database_url(settings).database == str(tmp_path / "data" / "sheets.sqlite")
    SheetStore(settings).save(_sheet())
    assert (tmp_path / "data" / "sheets.sqlite").exists()


def test_concurrent_saves_from_one_version_one_wins_the_rest_conflict(backend: Settings) -> None:
    n = 8
    base = SheetStore(backend).save(_sheet(), author="田中")

    def save(i: int) -> IssueSheet:
        mine = base.model_copy(update={"title": f"案{i}"})
        return SheetStore(backend).save(mine, author=f"職員{i}")

    results = _together(n, save)
    won = [r for r in results if isinstance(r, IssueSheet)]
    lost = [r for r in results if isinstance(r, SheetConflictError)]
    assert len(won) == 1 and len(lost) == n - 1, results
    assert all(c.theirs.version == 2 and c.theirs.title == won[0].title for c in lost)
    store = SheetStore(backend)
    assert [v.version for v in store.history(base.sheet_id)] == [1, 2]
    assert store.get(base.sheet_id).title == won[0].title


def test_a_save_racing_an_uncommitted_one_of_the_same_version_is_a_conflict(
    backend: Settings,
) -> None:
    """The other instance's insert is not yet visible when this save checks the version: on
    PostgreSQL the key (sheet_id, version) makes this insert fail once the other commits; on
    SQLite the save waits for the other's write lock and then sees the newer version."""
    store = SheetStore(backend)
    base = store.save(_sheet(), author="田中")
    theirs = base.model_copy(update={"version": 2, "title": "先に保存した案"})
    result: list[object] = []
    with store.db.engine.connect() as other:
        other.execution_options(sqlite_immediate=True)
        with other.begin():
            other.execute(
                insert(sheet_versions).values(
                    sheet_id=base.sheet_id,
                    version=2,
                    saved_at="2026-01-01T00:00:00+00:00",
                    author="佐藤",
                    message="",
                    body=theirs.model_dump_json(),
                )
            )
            racer = threading.Thread(
                target=lambda: result.append(_outcome(lambda: store.save(base, author="鈴木")))
            )
            racer.start()
            time.sleep(0.5)  # the racer has checked the version (PostgreSQL) or is waiting
        racer.join(timeout=30)
    (outcome,) = result
    assert isinstance(outcome, SheetConflictError), outcome
    assert outcome.theirs.title == "先に保存した案" and outcome.mine.version == 1
    assert [v.author for v in store.history(base.sheet_id)] == ["田中", "佐藤"]


def _outcome(work: Callable[[], object]) -> object:
    try:
        return work()
    except Exception as exc:
        return exc


def test_editors_who_reload_after_a_conflict_lose_no_version(backend: Settings) -> None:
    n, edits = 4, 5
    sheet_id = SheetStore(backend).save(_sheet()).sheet_id

    def edit(i: int) -> int:
        store, conflicts = SheetStore(backend), 0
        for k in range(edits):
            while True:
                mine = store.get(sheet_id).model_copy(update={"title": f"{i}-{k}"})
                try:
                    store.save(mine, author=f"職員{i}")
                    break
                except SheetConflictError:
                    conflicts += 1
        return conflicts

    results = _together(n, edit)
    assert all(isinstance(r, int) for r in results), results
    history = SheetStore(backend).history(sheet_id)
    assert [v.version for v in history] == list(range(1, 2 + n * edits))
    assert sorted(v.author for v in history[1:]) == sorted(
        f"職員{i}" for i in range(n) for _ in range(edits)
    )


def test_a_fresh_database_is_at_the_newest_migration(backend: Settings) -> None:
    db = Database(backend)
    with db.reading() as conn:
        columns = [c["name"] for c in inspect(conn).get_columns("sheet_versions")]
        pk = inspect(conn).get_pk_constraint("sheet_versions")["constrained_columns"]
        (revision,) = conn.exec_driver_sql("SELECT version_num FROM alembic_version").one()
    assert columns == ["sheet_id", "version", "saved_at", "author", "message", "body"]
    assert pk == ["sheet_id", "version"]
    assert revision == head_revision()


def test_the_migrations_create_exactly_the_tables_the_code_declares(backend: Settings) -> None:
    """tables.py and migrations/ cannot drift apart (alembic compares them, as autogenerate)."""
    db = Database(backend)
    with db.reading() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert {"audit_log", "legacy_imports", "meetings", "meeting_entries"} <= tables


def test_instances_starting_together_migrate_once(postgres: PostgresServer, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres.new_database())
    results = _together(6, lambda _: SheetStore(settings).list())
    assert results == [[]] * 6


def test_a_data_folder_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    old = _sheet().model_copy(update={"version": 1})
    with sqlite3.connect(data / "sheets.sqlite") as db:
        db.execute(OLD_SCHEMA)
        db.execute(
            "INSERT INTO sheet_versions VALUES (?, 1, '2025-04-01T09:00:00+00:00', '田中', '', ?)",
            (old.sheet_id, old.model_dump_json()),
        )
    store = SheetStore(Settings(data_dir=data))
    assert store.get(old.sheet_id).goal.text == "在宅療養を続けられる"
    assert store.save(store.get(old.sheet_id), author="佐藤").version == 2
    with sqlite3.connect(data / "sheets.sqlite") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert db.execute("SELECT count(*) FROM sheet_versions").fetchone() == (2,)


def test_an_unreachable_server_is_a_japanese_error_naming_the_host(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    url = f"postgresql+psycopg://facilitator:{PASSWORD}@127.0.0.1:{port}/facilitator"
    with pytest.raises(DatabaseError) as error:
        SheetStore(Settings(data_dir=tmp_path, database_url=url))
    message = str(error.value)
    assert f"PostgreSQL（127.0.0.1:{port}/facilitator）に接続できません" in message
    assert PASSWORD not in message


def test_a_wrong_password_is_a_japanese_error_without_the_password(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.url().replace(PASSWORD, "wrong-" + PASSWORD)
    with pytest.raises(DatabaseError, match="に接続できません") as error:
        SheetStore(Settings(data_dir=tmp_path, database_url=url))
    assert PASSWORD not in str(error.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql+psycopg://u:{PASSWORD}@db host:x/f", "形が正しくありません"),
        (f"mysql://u:{PASSWORD}@db/f", "「mysql」には対応していません"),
    ],
)
def test_a_bad_url_is_a_japanese_error_without_the_password(
    url: str, expected: str, tmp_path: Path
) -> None:
    with pytest.raises(DatabaseError, match=expected) as error:
        SheetStore(Settings(data_dir=tmp_path, database_url=url))
    assert PASSWORD not in str(error.value)


def test_a_plain_postgresql_url_uses_the_installed_driver() -> None:
    url = database_url(Settings(database_url=f"postgresql://u:{PASSWORD}@db.example/f"))
    assert url.drivername == "postgresql+psycopg"
    assert describe(url) == "PostgreSQL（db.example:5432/f）"


def test_the_cli_shows_the_database_without_password_and_fails_in_japanese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv(
        "FACILITATOR_DATABASE_URL", f"postgresql://facilitator:{PASSWORD}@127.0.0.1:{port}/f"
    )
    info = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "info"])
    assert f"database: PostgreSQL（127.0.0.1:{port}/f）" in info.output
    listed = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "sheets", "list"])
    assert listed.exit_code == 1
    assert f"エラー: データベース PostgreSQL（127.0.0.1:{port}/f）に接続できません" in listed.output
    assert PASSWORD not in info.output + listed.output and "Traceback" not in listed.output


def test_missing_postgres_binaries_skip_here_but_fail_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg_support, "missing_postgres", lambda: ["initdb"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL tests need: initdb"):
        pg_support.require_postgres()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI must install Debian's postgresql"):
        pg_support.require_postgres()


SAVE_IN_A_PROCESS = """
import sys
from facilitator.settings import Settings
from facilitator.sheets.model import IssueSheet
from facilitator.sheets.store import SheetConflictError, SheetStore
store = SheetStore(Settings(data_dir=sys.argv[1], database_url=sys.argv[2]))
base = IssueSheet.model_validate_json(sys.argv[3])
sys.stdin.readline()  # every process is connected and migrated: save together
try:
    print("saved", store.save(base.model_copy(update={"title": sys.argv[4]})).version)
except SheetConflictError as exc:
    print("conflict", exc.theirs.version)
"""


def test_app_instances_in_separate_processes_share_one_postgresql(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """Several processes (each its own engine) open a fresh database together, migrating it
    once, then save from the same version: one version 2, the others see it as a conflict."""
    url = postgres.new_database()
    base = _sheet().model_copy(update={"version": 0})
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                SAVE_IN_A_PROCESS,
                str(tmp_path),
                url,
                base.model_dump_json(),
                f"案{i}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        for i in range(4)
    ]
    time.sleep(0.1)
    outs = [p.communicate("go\n", timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert sorted(out.strip() for out, _ in outs) == ["conflict 1"] * 3 + ["saved 1"]
    assert [
        v.version
        for v in SheetStore(Settings(data_dir=tmp_path, database_url=url)).history(base.sheet_id)
    ] == [1]
