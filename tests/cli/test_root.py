"""The entry point itself: a rejected input is a Japanese message and a non-zero exit code,
whichever command it reaches (scripts rely on the code, people on the message)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli import cli
from facilitator.settings import PROJECT_ROOT


def run_main(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FACILITATOR_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "facilitator.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["reports", "import", "存在しない.csv"], 2, "ファイルが見つかりません"),
        (["search", ""], 2, "エラー: 検索語が空です"),
        (["draft", "--area", "北部医療圏", "--theme", "dental"], 2, "エラー: テーマ「dental」"),
        (["sheets", "show", "sh-nothere"], 3, "エラー: シート「sh-nothere」はありません"),
        (
            ["catalogue", "check", "存在しない.yaml"],
            2,
            "エラー: 存在しない.yaml: 課題カタログを読めません",
        ),
    ],
)
def test_rejected_input_exits_non_zero_with_a_japanese_message(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    proc = run_main(tmp_path, *args)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_reports_import_json_says_not_ok_and_exits_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "報告.csv"
    bad.write_text("医療機関コード,名称\n", encoding="utf-8")
    proc = run_main(tmp_path, "reports", "import", str(bad), "--json")
    assert proc.returncode == 2
    assert '"ok": false' in proc.stdout


def test_click_s_own_texts_are_japanese_whatever_the_locale() -> None:
    runner = CliRunner(env={"LANG": "C", "LC_ALL": "C"})
    typo = runner.invoke(cli, ["export", "--forma", "xlsx"])
    assert typo.exit_code == 2
    assert "使い方: cli export" in typo.output  # the program name as CliRunner calls it
    assert "オプション '--forma' はありません" in typo.output and "'--format'" in typo.output
    choice = runner.invoke(cli, ["export", "x", "--format", "pdf", "--out", "x.pdf"])
    assert choice.exit_code == 2 and "'pdf' は指定できません" in choice.output
    number = runner.invoke(cli, ["sheets", "show", "x", "--version", "abc"])
    assert number.exit_code == 2 and "数値として読めません" in number.output
    help_text = runner.invoke(cli, ["export", "--help"]).output
    assert "オプション:" in help_text and "この説明を表示して終了する" in help_text
    for english in ("Usage:", "Error:", "Options:", "No such", "Show this message"):
        assert english not in typo.output + choice.output + number.output + help_text
