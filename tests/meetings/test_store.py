"""Meeting records: created, appended to and read back — on SQLite and on a real PostgreSQL;
nothing is lost when two people ask at once, a failed write leaves the record as it was, and
the JSON files of an older data folder are imported exactly once."""

from __future__ import annotations

import multiprocessing
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.exc import OperationalError

from facilitator.drafting.answer import Answer
from facilitator.errors import FacilitatorError, InputError
from facilitator.meetings import Meeting, MeetingEntry, MeetingStore
from facilitator.meetings.model import TOKYO
from facilitator.settings import Settings
from facilitator.storage.tables import meetings


def answer(question: str = "夜間の輪番が組めない地域で何をしている？") -> Answer:
    return Answer(
        question=question,
        answer_text="関連する先行事例が1件見つかりました（事例17）。",
        mode="offline",
        confident=True,
    )


def test_create_add_get_and_list(backend: Settings) -> None:
    store = MeetingStore(backend)
    first = store.create(
        "第1回 北部圏域 協議の場", date(2026, 7, 15), area="北部医療圏", by="事務局"
    )
    later = store.create("第2回 北部圏域 協議の場", date(2026, 10, 1))
    assert first.meeting_id.startswith("mt-") and first.meeting_id != later.meeting_id

    entry = store.add(
        first.meeting_id, "夜間の輪番は？", answer(), {"theme": "時間外診療"}, asked_by="山田"
    )
    second = store.add(first.meeting_id, "医師会の役割は？", answer("医師会の役割は？"), {})

    got = store.get(first.meeting_id)
    assert [e.entry_no for e in got.entries] == [1, 2]
    assert got.entries[0] == entry and got.entries[1] == second
    assert entry.asked_by == "山田" and second.asked_by is None
    assert entry.asked_at.utcoffset() == TOKYO.utcoffset(entry.asked_at.replace(tzinfo=None))
    assert entry.context == {"theme": "時間外診療"}
    assert Answer.model_validate(got.entries[0].answer) == answer()  # the answer round-trips
    assert (got.title, got.area, got.held_on, got.created_by) == (
        "第1回 北部圏域 協議の場",
        "北部医療圏",
        date(2026, 7, 15),
        "事務局",
    )
    assert [m.meeting_id for m in store.list()] == [later.meeting_id, first.meeting_id]


def test_a_stored_answer_with_unknown_fields_still_loads(backend: Settings) -> None:
    store = MeetingStore(backend)
    m = store.create("会議", date(2026, 7, 15))
    data = {**answer().model_dump(mode="json"), "added_later": {"x": 1}}
    store.add(m.meeting_id, "質問", data, {})
    assert store.get(m.meeting_id).entries[0].answer_model() == answer()


@pytest.mark.parametrize("meeting_id", ["mt-0000000000", "../sheets", "", "mt-../../x"])
def test_an_unknown_meeting_is_a_japanese_input_error_naming_it(
    backend: Settings, meeting_id: str
) -> None:
    store = MeetingStore(backend)
    with pytest.raises(InputError, match=re.escape(f"会議「{meeting_id}」の記録はありません")):
        store.get(meeting_id)
    with pytest.raises(InputError, match="記録はありません"):
        store.add(meeting_id, "質問", answer(), {})


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "会議名を入力してください"),
        ("   ", "会議名を入力してください"),
        ("あ" * 101, "100文字以内"),
        ("第1回\n協議の場", "制御文字"),
        ("第1回\x00", "制御文字"),
    ],
)
def test_bad_titles_are_refused(settings: Settings, title: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        MeetingStore(settings).create(title, date(2026, 7, 15))
    assert MeetingStore(settings).list() == []


def test_a_title_of_100_characters_is_kept(backend: Settings) -> None:
    m = MeetingStore(backend).create(" " + "あ" * 100 + " ", date(2026, 7, 15))
    assert m.title == "あ" * 100


def test_control_characters_are_removed_from_questions(backend: Settings) -> None:
    store = MeetingStore(backend)
    m = store.create("会議", date(2026, 7, 15))
    entry = store.add(m.meeting_id, "夜間の\x07輪番は？\n医師会は？", answer(), {})
    assert entry.question == "夜間の輪番は？\n医師会は？"
    with pytest.raises(InputError, match="質問が空"):
        store.add(m.meeting_id, " \x00 ", answer(), {})


def _add_many(settings: Settings, meeting_id: str, who: str, n: int) -> None:
    store = MeetingStore(settings)
    for i in range(n):
        store.add(meeting_id, f"{who}の質問{i}", answer(f"{who}の質問{i}"), {}, asked_by=who)


def _check_nothing_lost(meeting: Meeting, expected: set[str]) -> None:
    assert {e.question for e in meeting.entries} == expected
    assert sorted(e.entry_no for e in meeting.entries) == list(range(1, len(expected) + 1))


def test_concurrent_adds_from_threads_lose_nothing(backend: Settings) -> None:
    store = MeetingStore(backend)
    m = store.create("会議", date(2026, 7, 15))
    threads = [
        threading.Thread(target=_add_many, args=(backend, m.meeting_id, f"人{t}", 6))
        for t in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_nothing_lost(
        store.get(m.meeting_id), {f"人{t}の質問{i}" for t in range(6) for i in range(6)}
    )


def test_concurrent_adds_from_processes_lose_nothing(settings: Settings) -> None:
    store = MeetingStore(settings)
    m = store.create("会議", date(2026, 7, 15))
    ctx = multiprocessing.get_context("fork")
    procs = [
        ctx.Process(target=_add_many, args=(settings, m.meeting_id, f"人{p}", 8)) for p in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    _check_nothing_lost(
        store.get(m.meeting_id), {f"人{p}の質問{i}" for p in range(3) for i in range(8)}
    )


def test_a_failed_write_leaves_the_record_as_it_was(backend: Settings) -> None:
    store = MeetingStore(backend)
    m = store.create("会議", date(2026, 7, 15))
    store.add(m.meeting_id, "最初の質問", answer(), {})

    def disk_full(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO meeting_entries"):
            raise OperationalError(statement, {}, OSError(28, "No space left on device"))

    event.listen(store.db.engine, "before_cursor_execute", disk_full)
    try:
        with pytest.raises(FacilitatorError, match="議事メモを保存できませんでした") as error:
            store.add(m.meeting_id, "2番目の質問", answer(), {})
    finally:
        event.remove(store.db.engine, "before_cursor_execute", disk_full)
    assert "それまでの記録はそのままです" in str(error.value)
    assert "No space" not in str(error.value)  # the reason in Japanese, the original in the log

    assert [e.question for e in store.get(m.meeting_id).entries] == ["最初の質問"]
    assert store.add(m.meeting_id, "2番目の質問", answer(), {}).entry_no == 2


def test_an_unreadable_record_is_left_out_of_the_list_but_named_by_get(backend: Settings) -> None:
    store = MeetingStore(backend)
    good = store.create("会議", date(2026, 7, 15))
    with store.db.writing() as conn:
        conn.execute(
            insert(meetings).values(
                meeting_id="mt-abcdef0123", title="壊れた", held_on=date(2026, 7, 1), created_at="?"
            )
        )
    assert [m.meeting_id for m in store.list()] == [good.meeting_id]
    with pytest.raises(FacilitatorError, match=r"議事メモ mt-abcdef0123 を読み込めません"):
        store.get("mt-abcdef0123")


def _old_folder(data_dir: Path) -> dict[str, Meeting]:
    """A data folder as the file store left it: one JSON file per meeting, a lock, a broken file."""
    folder = data_dir / "meetings"
    folder.mkdir(parents=True)
    first = Meeting(
        meeting_id="mt-00000000a1",
        title="第1回 協議の場",
        area="北部医療圏",
        held_on=date(2025, 7, 15),
        created_at="2025-07-01T10:00:00+09:00",
        created_by="事務局",
        entries=[
            MeetingEntry(
                entry_no=n,
                asked_at=f"2025-07-15T14:0{n}:00+09:00",
                asked_by="山田",
                question=f"質問{n}",
                context={"theme": "在宅医療"},
                answer=answer(f"質問{n}").model_dump(mode="json"),
            )
            for n in (1, 2)
        ],
    )
    second = Meeting(
        meeting_id="mt-00000000b2",
        title="第2回 協議の場",
        held_on=date(2025, 10, 1),
        created_at="2025-09-01T10:00:00+09:00",
    )
    for meeting in (first, second):
        (folder / f"{meeting.meeting_id}.json").write_text(
            meeting.model_dump_json(indent=2), encoding="utf-8"
        )
    (folder / "mt-abcdef0123.json").write_text("{壊れた", encoding="utf-8")
    (folder / ".lock").touch()
    return {m.meeting_id: m for m in (first, second)}


def test_old_meeting_files_are_imported_once_and_kept(backend: Settings) -> None:
    old = _old_folder(backend.data_dir)
    before = {p.name: p.read_bytes() for p in (backend.data_dir / "meetings").iterdir()}

    store = MeetingStore(backend)
    assert [m.meeting_id for m in store.list()] == ["mt-00000000b2", "mt-00000000a1"]
    assert store.get("mt-00000000a1") == old["mt-00000000a1"]  # every field and answer intact
    assert not (backend.data_dir / "meetings").exists()
    kept = backend.data_dir / "meetings.imported"
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == before  # the broken file too

    assert store.add("mt-00000000a1", "質問3", answer(), {}).entry_no == 3
    shutil.copytree(kept, backend.data_dir / "meetings")  # the same files put back: not again
    again = MeetingStore(backend)
    assert len(again.list()) == 2 and len(again.get("mt-00000000a1").entries) == 3
    assert (backend.data_dir / "meetings.imported-2").is_dir()  # nothing overwritten


def test_instances_starting_together_import_the_old_files_once(backend: Settings) -> None:
    _old_folder(backend.data_dir)
    barrier, errors = threading.Barrier(6), []

    def start() -> None:
        barrier.wait()
        try:
            MeetingStore(backend)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    store = MeetingStore(backend)
    assert sorted(m.meeting_id for m in store.list()) == ["mt-00000000a1", "mt-00000000b2"]
    assert len(store.get("mt-00000000a1").entries) == 2
    assert sorted(p.name for p in backend.data_dir.iterdir() if "meetings" in p.name) == [
        "meetings.imported"
    ]
