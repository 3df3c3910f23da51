"""`facilitator meeting new|list|show|export`: a record made, listed, shown and exported as
議事メモ; a wrong id or date is a Japanese message and exit code 2."""

from __future__ import annotations

import io
import json
import time
from datetime import date, datetime

import pytest
from click.testing import CliRunner, Result
from docx import Document

from facilitator.cli import cli
from facilitator.drafting.answer import Answer
from facilitator.meetings import MeetingStore
from facilitator.meetings.model import TOKYO
from facilitator.settings import Settings
from facilitator.sheets.model import Citation
from tests.export.builders import CASEBOOK


@pytest.fixture
def run(settings: Settings):
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args])

    return invoke


def recorded(settings: Settings) -> str:
    """A meeting with one answered question; returns its id."""
    store = MeetingStore(settings)
    m = store.create("第1回 北部圏域 協議の場", date(2026, 7, 15), area="北部医療圏")
    answer = Answer(
        question="夜間の輪番が組めない地域で何をしている？",
        answer_text="関連する先行事例が1件見つかりました（事例17）。",
        mode="offline",
        confident=True,
        citations=[
            Citation(
                chunk_id="casebook-2022:jirei-17:detail-3",
                quote="在宅当番医の輪番を地区ごとに組み直した。",
                locator="事例17 3. 取組の詳細 ③",
                doc_title=CASEBOOK,
                verified=True,
            )
        ],
    )
    store.add(m.meeting_id, answer.question, answer, {"theme": "jikangai"}, asked_by="山田")
    return m.meeting_id


def test_new_then_list_and_show(run, settings: Settings) -> None:
    made = run("meeting", "new", "第1回 協議の場", "--date", "2026-07-15", "--area", "北部医療圏")
    assert made.exit_code == 0, made.output
    assert "会議の記録を作りました" in made.output and "2026年7月15日 第1回 協議の場" in made.output
    (m,) = MeetingStore(settings).list()
    assert (m.title, m.held_on, m.area) == ("第1回 協議の場", date(2026, 7, 15), "北部医療圏")

    listed = run("meeting", "list")
    assert listed.exit_code == 0
    assert m.meeting_id in listed.output and "質問 0件" in listed.output
    rows = [json.loads(line) for line in run("meeting", "list", "--json").output.splitlines()]
    assert rows == [
        {
            "meeting_id": m.meeting_id,
            "title": "第1回 協議の場",
            "held_on": "2026-07-15",
            "area": "北部医療圏",
            "entries": 0,
            "created_at": m.created_at.isoformat(),
            "created_by": None,
        }
    ]
    shown = run("meeting", "show", m.meeting_id)
    assert shown.exit_code == 0 and "# 議事メモ　第1回 協議の場" in shown.output
    assert "記録された質問はありません" in shown.output


def test_new_without_a_date_is_held_today_in_japan(
    run, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server clock in another zone (here UTC-12) does not move the meeting to another day."""
    monkeypatch.setenv("TZ", "Etc/GMT+12")
    time.tzset()
    try:
        assert run("meeting", "new", "臨時の協議").exit_code == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    assert MeetingStore(settings).list()[0].held_on == datetime.now(TOKYO).date()


def test_list_says_when_there_is_nothing(run) -> None:
    result = run("meeting", "list")
    assert result.exit_code == 0 and "会議の記録はまだありません" in result.output


def test_show_json_has_every_entry_with_its_answer(run, settings: Settings) -> None:
    meeting_id = recorded(settings)
    data = json.loads(run("meeting", "show", meeting_id, "--json").output)
    assert data["meeting_id"] == meeting_id
    (entry,) = data["entries"]
    assert entry["entry_no"] == 1 and entry["asked_by"] == "山田"
    assert entry["asked_at"].endswith("+09:00")
    assert entry["answer"]["answer_text"] == "関連する先行事例が1件見つかりました（事例17）。"


@pytest.mark.parametrize("suffix", ["md", "docx"])
def test_export_writes_the_minutes(run, settings: Settings, tmp_path, suffix: str) -> None:
    meeting_id = recorded(settings)
    out = tmp_path / "出力" / f"議事メモ.{suffix}"
    result = run("meeting", "export", meeting_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"議事メモを出力しました: {out}" in result.output
    if suffix == "md":
        text = out.read_text(encoding="utf-8")
    else:
        text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "質問1（" in text and "、山田）" in text
    assert "夜間の輪番が組めない地域で何をしている？" in text
    assert (
        f"{CASEBOOK} 事例17 3. 取組の詳細 ③：「在宅当番医の輪番を地区ごとに組み直した。」" in text
    )
    assert "casebook-2022" not in text
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_export_markdown_to_stdout_with_format(run, settings: Settings) -> None:
    result = run("meeting", "export", recorded(settings), "--format", "md", "--out", "-")
    assert result.exit_code == 0 and result.output.startswith("# 議事メモ　")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "mt-0000000000"], "会議「mt-0000000000」の記録はありません"),
        (["export", "mt-0000000000", "--out", "x.md"], "会議「mt-0000000000」の記録はありません"),
        (["new", "会議", "--date", "2026/07/15"], "--date「2026/07/15」は日付として読めません"),
        (["new", "会議", "--date", "2026-02-30"], "--date「2026-02-30」は日付として読めません"),
        (["new", ""], "会議名を入力してください"),
        (["export", "{id}", "--out", "議事メモ.pdf"], "--format（md / docx）を指定するか"),
        (["export", "{id}", "--format", "docx", "--out", "-"], "Word は標準出力に書けません"),
    ],
)
def test_bad_input_exits_2_with_a_japanese_message(
    run, settings: Settings, args: list[str], message: str
) -> None:
    meeting_id = recorded(settings)
    result = run("meeting", *[a.replace("{id}", meeting_id) for a in args])
    assert result.exit_code == 2, result.output
    assert f"エラー: {message}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
