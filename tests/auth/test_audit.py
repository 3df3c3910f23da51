"""The operations log: appended, read newest first, written by the commands that change data —
on SQLite and on a real PostgreSQL; an old ``audit.jsonl`` is imported exactly once."""

from __future__ import annotations

import json
import shutil
import threading
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from facilitator.auth import audit
from facilitator.auth.audit import AuditEntry, read, record
from facilitator.cli.root import cli
from facilitator.errors import FacilitatorError
from facilitator.settings import Settings
from facilitator.storage.db import Database


def test_entries_are_appended_and_read_newest_first(backend: Settings) -> None:
    record(backend, "login", "山田", actor="山田")
    record(backend, "sheet_save", "北部医療圏 在宅医療（版2）", actor="山田")
    record(backend, "login", "佐藤")
    entries = read(backend)
    assert [e.action for e in entries] == ["login", "sheet_save", "login"]
    assert entries[1].label == "シートを保存" and entries[1].actor == "山田"
    assert entries[0].actor == "（ログインなし）"
    assert [e.target for e in read(backend, limit=2)] == ["佐藤", "北部医療圏 在宅医療（版2）"]


def test_the_api_only_appends() -> None:
    public = {n for n in vars(audit) if not n.startswith("_") and callable(vars(audit)[n])}
    assert not {n for n in public if n.startswith(("update", "delete", "remove", "clear"))}


def test_a_failed_write_is_a_japanese_error_not_a_silence(backend: Settings) -> None:
    engine = Database(backend).engine

    def disk_full(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO audit_log"):
            raise OperationalError(statement, {}, OSError(28, "No space left on device"))

    event.listen(engine, "before_cursor_execute", disk_full)
    try:
        with pytest.raises(FacilitatorError, match="操作の記録に書き込めません") as error:
            record(backend, "login", "山田", actor="山田")
    finally:
        event.remove(engine, "before_cursor_execute", disk_full)
    assert "No space" not in str(error.value) and "データベース" in str(error.value)
    assert read(backend) == []


def test_concurrent_entries_are_all_kept(backend: Settings) -> None:
    n, each = 6, 10
    barrier = threading.Barrier(n)

    def write(i: int) -> None:
        barrier.wait()
        for k in range(each):
            record(backend, "sheet_save", f"{i}-{k}", actor=f"職員{i}")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    entries = read(backend, limit=1000)
    assert sorted(e.target for e in entries) == sorted(
        f"{i}-{k}" for i in range(n) for k in range(each)
    )
    for i in range(n):  # each writer's entries newest first
        mine = [e.target for e in entries if e.actor == f"職員{i}"]
        assert mine == [f"{i}-{k}" for k in reversed(range(each))]


def _old_log(settings: Settings) -> bytes:
    """``audit.jsonl`` as the file log left it, a damaged line included."""
    lines = [
        AuditEntry(at="2025-04-01T00:00:00+00:00", actor="山田", action="login", target="山田"),
        "{not json",
        AuditEntry(at="2025-04-01T00:05:00+00:00", actor="山田", action="sheet_save", target="版2"),
    ]
    body = "".join((x if isinstance(x, str) else x.model_dump_json()) + "\n" for x in lines)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "audit.jsonl").write_text(body, encoding="utf-8")
    return body.encode()


def test_an_old_log_is_imported_once_and_kept(backend: Settings) -> None:
    body = _old_log(backend)
    record(backend, "login", "佐藤", actor="佐藤")
    assert [e.target for e in read(backend)] == ["佐藤", "版2", "山田"]  # the damaged line skipped
    assert not (backend.data_dir / "audit.jsonl").exists()
    assert (backend.data_dir / "audit.jsonl.imported").read_bytes() == body

    shutil.copy(backend.data_dir / "audit.jsonl.imported", backend.data_dir / "audit.jsonl")
    assert len(read(backend)) == 3  # the same file put back is not imported again
    assert (backend.data_dir / "audit.jsonl.imported-2").read_bytes() == body


def test_instances_starting_together_import_the_old_log_once(backend: Settings) -> None:
    _old_log(backend)
    n = 6
    barrier, results = threading.Barrier(n), [None] * n

    def start(i: int) -> None:
        barrier.wait()
        try:
            record(backend, "login", f"人{i}")
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=start, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [None] * n
    targets = [e.target for e in read(backend)]
    assert sorted(targets) == sorted(["版2", "山田", *(f"人{i}" for i in range(n))])
    assert [p.name for p in backend.data_dir.iterdir() if p.name.startswith("audit")] == [
        "audit.jsonl.imported"
    ]


def test_account_commands_are_recorded_and_listed(settings: Settings) -> None:
    def run(*args: str, stdin: str | None = None):
        return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], input=stdin)

    assert run("users", "add", "山田", "--role", "editor", "--password-stdin",
               stdin="a long password!\n").exit_code == 0  # fmt: skip
    listed = json.loads(run("audit", "--json").output)["entries"]
    assert listed[0]["action"] == "user_add" and listed[0]["target"] == "山田"
    assert listed[0]["actor"].startswith("コマンド")
    assert "利用者を追加" in run("audit").output


def test_the_log_exports_as_csv_a_spreadsheet_reads_safely(settings: Settings, tmp_path) -> None:
    import csv

    record(settings, "login", "山田", actor="山田")
    record(settings, "sheet_save", '=HYPERLINK("http://x")', actor="@佐藤")
    out = tmp_path / "記録.csv"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), "audit", "--csv", str(out)]
    )
    assert result.exit_code == 0 and "2件" in result.output
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel opens the Japanese correctly
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["日時", "操作した人", "操作", "対象", "詳細"]
    assert rows[1][1:4] == ["'@佐藤", "シートを保存", '\'=HYPERLINK("http://x")']  # never a formula
    assert rows[2][1:3] == ["山田", "ログイン"] and "年" in rows[2][0]
    bad = CliRunner().invoke(
        cli,
        ["--data-dir", str(settings.data_dir), "audit", "--csv", str(tmp_path / "no" / "x.csv")],
    )
    assert bad.exit_code != 0 and "書き出せません" in bad.output
