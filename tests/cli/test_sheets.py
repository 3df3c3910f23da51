"""CLI: draft / ask / sheets — JSON shapes and Japanese errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli.root import cli
from facilitator.errors import InputError, NotFoundError
from facilitator.settings import PROJECT_ROOT, Settings

CITATION_KEYS = {"chunk_id", "quote", "locator", "verified"}


@pytest.fixture(scope="module")
def data_dir(drafting_data: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the drafting data folder (the CLI stores sheets in it)."""
    target = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(drafting_data.data_dir, target)
    return target


@pytest.fixture(scope="module")
def drafted(data_dir: Path) -> dict:
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(data_dir),
            "draft",
            "--area",
            "北部医療圏",
            "--theme",
            "zaitaku",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _run(data_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_draft_json_has_id_version_fields_and_citations(drafted: dict) -> None:
    assert drafted["sheet_id"].startswith("sh-") and drafted["version"] == 1
    assert drafted["mode"] == "offline"
    sheet = drafted["sheet"]
    for field in (
        "area",
        "theme",
        "participants",
        "current_state",
        "goal",
        "issue",
        "causes",
        "measures",
        "effects",
        "indicators",
        "provenance",
    ):
        assert sheet[field], field
    assert sheet["sheet_id"] == drafted["sheet_id"]
    assert "measures[0]" in drafted["citations"] and "goal" in drafted["citations"]
    for cites in drafted["citations"].values():
        for c in cites:
            assert set(c) >= CITATION_KEYS and c["verified"] is True
    assert isinstance(drafted["unbacked"], list) and isinstance(drafted["messages"], list)
    assert sheet["provenance"]["retrieved_chunk_ids"]


@pytest.mark.slow
def test_sheets_show_returns_the_stored_sheet(data_dir: Path, drafted: dict) -> None:
    shown = json.loads(_run(data_dir, "sheets", "show", drafted["sheet_id"], "--json"))
    assert shown["sheet_id"] == drafted["sheet_id"] and shown["version"] == 1
    assert shown["sheet"] == drafted["sheet"] and shown["citations"] == drafted["citations"]
    again = json.loads(
        _run(data_dir, "sheets", "show", drafted["sheet_id"], "--version", "1", "--json")
    )
    assert again["sheet"] == drafted["sheet"]
    text = _run(data_dir, "sheets", "show", drafted["sheet_id"])
    assert "■ 方策（役割分担）" in text and "〔引用〕" in text


@pytest.mark.slow
def test_sheets_list_and_history(data_dir: Path, drafted: dict) -> None:
    listed = json.loads(_run(data_dir, "sheets", "list", "--json"))
    row = next(r for r in listed["sheets"] if r["sheet_id"] == drafted["sheet_id"])
    assert row["version"] == 1 and row["area_name"] == "北部医療圏" and row["theme"] == "zaitaku"
    history = json.loads(_run(data_dir, "sheets", "history", drafted["sheet_id"], "--json"))
    assert [v["version"] for v in history["versions"]] == [1]
    assert "版1" in _run(data_dir, "sheets", "history", drafted["sheet_id"])


@pytest.mark.slow
def test_draft_text_output_names_the_stored_sheet(data_dir: Path) -> None:
    out = _run(
        data_dir,
        "draft",
        "--area",
        "9901",
        "--theme",
        "jikangai",
        "--issue",
        "夜間の当番医が足りない",
    )
    assert "保存しました: sh-" in out and "（版1）" in out
    assert "■ 現状" in out and "架空データ" in out


@pytest.mark.slow
def test_ask_json_shape(data_dir: Path) -> None:
    data = json.loads(_run(data_dir, "ask", "夜間の輪番が組めない地域で何をしている？", "--json"))
    assert {"question", "answer_text", "mode", "confident", "groups", "citations"} <= set(data)
    assert data["mode"] == "offline" and data["confident"] is True
    passage = data["groups"][0]["passages"][0]
    assert {"chunk_id", "locator", "sentences"} <= set(passage)
    assert all(c["verified"] for c in data["citations"])
    assert data["kind"] == "precedent" and data["points"]


@pytest.mark.slow
def test_ask_names_the_cases_without_internal_ids(data_dir: Path) -> None:
    out = _run(data_dir, "ask", "夜間の輪番が組めない地域で何をしている？")
    assert out.startswith("近い取組が")
    assert "【根拠となる箇所】" in out
    assert "casebook-2022:" not in out and "jirei-" not in out  # chunk ids stay in JSON


@pytest.mark.slow
def test_ask_answers_a_figure_of_the_meetings_area(data_dir: Path) -> None:
    out = _run(data_dir, "ask", "在宅看取りは何件？", "--area", "南部医療圏")
    assert out.startswith("南部医療圏で在宅看取りの件数の合計は") and "架空データ" in out


@pytest.mark.slow
def test_ask_says_plainly_when_the_material_does_not_cover_it(data_dir: Path) -> None:
    out = _run(data_dir, "ask", "往診の深夜加算は何点？")
    assert out.startswith(
        "事例集・ガイドライン・地域の資料には、この質問に答える記述が見つかりませんでした"
    )
    assert "【近い資料（回答ではありません）】" in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            ["draft", "--area", "北部医療圏", "--theme", "dental"],
            InputError,
            "テーマ「dental」は不明です",
        ),
        (
            ["draft", "--area", "存在しない市", "--theme", "zaitaku"],
            NotFoundError,
            "見つかりません",
        ),
        (["ask", ""], InputError, "質問が空です"),
        (["sheets", "show", "sh-nothere"], NotFoundError, "シート「sh-nothere」はありません"),
        (["sheets", "show", "sh-nothere", "--version", "0"], InputError, "1 以上"),
    ],
)
def test_bad_input_raises_a_japanese_error(
    data_dir: Path, args: list[str], error: type, message: str
) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    assert result.exit_code == error.exit_code and message in result.stderr
    assert result.stderr.startswith("エラー: ") and "Traceback" not in result.output


def test_main_prints_the_message_and_exits_non_zero(tmp_path: Path) -> None:
    env = {**os.environ, "FACILITATOR_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from facilitator.cli import main; main()",
            "draft",
            "--area",
            "北部医療圏",
            "--theme",
            "dental",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert proc.returncode == InputError.exit_code
    assert "エラー: テーマ「dental」は不明です" in proc.stderr


def test_help_lists_the_new_commands() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    for name in ("draft", "ask", "sheets"):
        assert name in out
    assert "list" in CliRunner().invoke(cli, ["sheets", "--help"]).output


@pytest.mark.slow
def test_ask_records_the_question_in_a_meeting(data_dir: Path) -> None:
    made = json.loads(_run(data_dir, "meeting", "new", "第1回 協議の場", "--json"))
    _run(
        data_dir,
        "ask",
        "在宅看取りは何件？",
        "--area",
        "南部医療圏",
        "--meeting",
        made["meeting_id"],
        "--by",
        "山田",
    )
    shown = json.loads(_run(data_dir, "meeting", "show", made["meeting_id"], "--json"))
    (entry,) = shown["entries"]
    assert entry["asked_by"] == "山田" and entry["answer"]["kind"] == "figure"
    assert entry["context"] == {"area": "南部医療圏"}


@pytest.mark.slow
def test_ask_into_an_unknown_meeting_fails_before_answering(data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "ask", "在宅看取りは何件？", "--meeting", "mt-0000000000"],
    )
    assert result.exit_code == 2 and "mt-0000000000" in result.output
