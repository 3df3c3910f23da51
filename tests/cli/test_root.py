"""The entry point itself: a rejected input is a Japanese message and a non-zero exit code,
whichever command it reaches (scripts rely on the code, people on the message)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
