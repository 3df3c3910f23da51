"""Meeting records: created, appended to and read back; nothing is lost when two people ask
at once, and a failed write leaves the record as it was."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from datetime import date

import pytest

from facilitator.drafting.answer import Answer
from facilitator.errors import FacilitatorError, InputError
from facilitator.meetings import Meeting, MeetingStore
from facilitator.meetings.model import TOKYO
from facilitator.settings import Settings


def answer(question: str = "夜間の輪番が組めない地域で何をしている？") -> Answer:
    return Answer(
        question=question,
        answer_text="関連する先行事例が1件見つかりました（事例17）。",
        mode="offline",
        confident=True,
    )


def test_create_add_get_and_list(settings: Settings) -> None:
    store = MeetingStore(settings)
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


def test_a_stored_answer_with_unknown_fields_still_loads(settings: Settings) -> None:
    store = MeetingStore(settings)
    m = store.create("会議", date(2026, 7, 15))
    data = {**answer().model_dump(mode="json"), "added_later": {"x": 1}}
    store.add(m.meeting_id, "質問", data, {})
    assert store.get(m.meeting_id).entries[0].answer_model() == answer()


@pytest.mark.parametrize("meeting_id", ["mt-0000000000", "../sheets", "", "mt-../../x"])
def test_an_unknown_meeting_is_a_japanese_input_error_naming_it(
    settings: Settings, meeting_id: str
) -> None:
    store = MeetingStore(settings)
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


def test_a_title_of_100_characters_is_kept(settings: Settings) -> None:
    m = MeetingStore(settings).create(" " + "あ" * 100 + " ", date(2026, 7, 15))
    assert m.title == "あ" * 100


def test_control_characters_are_removed_from_questions(settings: Settings) -> None:
    store = MeetingStore(settings)
    m = store.create("会議", date(2026, 7, 15))
    entry = store.add(m.meeting_id, "夜間の\x07輪番は？\n医師会は？", answer(), {})
    assert entry.question == "夜間の輪番は？\n医師会は？"
    with pytest.raises(InputError, match="質問が空"):
        store.add(m.meeting_id, " \x00 ", answer(), {})


def _add_many(data_dir: str, meeting_id: str, who: str, n: int) -> None:
    store = MeetingStore(Settings(data_dir=data_dir))
    for i in range(n):
        store.add(meeting_id, f"{who}の質問{i}", answer(f"{who}の質問{i}"), {}, asked_by=who)


def _check_nothing_lost(meeting: Meeting, expected: set[str]) -> None:
    assert {e.question for e in meeting.entries} == expected
    assert sorted(e.entry_no for e in meeting.entries) == list(range(1, len(expected) + 1))


def test_concurrent_adds_from_threads_lose_nothing(settings: Settings) -> None:
    store = MeetingStore(settings)
    m = store.create("会議", date(2026, 7, 15))
    threads = [
        threading.Thread(target=_add_many, args=(str(settings.data_dir), m.meeting_id, f"人{t}", 6))
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
        ctx.Process(target=_add_many, args=(str(settings.data_dir), m.meeting_id, f"人{p}", 8))
        for p in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    _check_nothing_lost(
        store.get(m.meeting_id), {f"人{p}の質問{i}" for p in range(3) for i in range(8)}
    )


def test_a_failed_write_leaves_the_record_as_it_was(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MeetingStore(settings)
    m = store.create("会議", date(2026, 7, 15))
    store.add(m.meeting_id, "最初の質問", answer(), {})
    before = (store.folder / f"{m.meeting_id}.json").read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # fails after part of the new file is written
    with pytest.raises(FacilitatorError, match="議事メモを保存できませんでした"):
        store.add(m.meeting_id, "2番目の質問", answer(), {})
    monkeypatch.undo()

    assert (store.folder / f"{m.meeting_id}.json").read_bytes() == before
    assert [e.question for e in store.get(m.meeting_id).entries] == ["最初の質問"]
    assert sorted(p.name for p in store.folder.iterdir()) == [".lock", f"{m.meeting_id}.json"]
    assert store.add(m.meeting_id, "2番目の質問", answer(), {}).entry_no == 2


def test_an_unreadable_record_is_left_out_of_the_list_but_named_by_get(settings: Settings) -> None:
    store = MeetingStore(settings)
    good = store.create("会議", date(2026, 7, 15))
    (store.folder / "mt-abcdef0123.json").write_text("{壊れた", encoding="utf-8")
    assert [m.meeting_id for m in store.list()] == [good.meeting_id]
    with pytest.raises(FacilitatorError, match=r"mt-abcdef0123\.json を読み込めません"):
        store.get("mt-abcdef0123")
