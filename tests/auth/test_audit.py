"""The operations log: appended, read newest first, written by the commands that change data."""

from __future__ import annotations

import json

from click.testing import CliRunner

from facilitator.auth.audit import read, record
from facilitator.cli.root import cli
from facilitator.settings import Settings


def test_entries_are_appended_and_read_newest_first(settings: Settings) -> None:
    record(settings, "login", "山田", actor="山田")
    record(settings, "sheet_save", "北部医療圏 在宅医療（版2）", actor="山田")
    entries = read(settings)
    assert [e.action for e in entries] == ["sheet_save", "login"]
    assert entries[0].label == "シートを保存" and entries[0].actor == "山田"


def test_a_damaged_line_is_skipped_not_fatal(settings: Settings) -> None:
    record(settings, "login", "山田", actor="山田")
    with (settings.data_dir / "audit.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    record(settings, "login", "佐藤", actor="佐藤")
    assert [e.target for e in read(settings)] == ["佐藤", "山田"]


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
