"""議事メモ in the app: a meeting created on the 協議中の質問 page records the questions asked."""

from __future__ import annotations

from datetime import date

import pytest

from facilitator.meetings import MeetingStore
from facilitator.settings import Settings
from tests.support.app_fixtures import PAGES, open_page, texts

pytestmark = pytest.mark.slow  # uses the real index built by the session fixture


def test_a_created_meeting_records_each_question_with_who_asked(app_env: Settings) -> None:
    at = open_page("meeting")
    at.session_state["user_name"] = "山田"  # what a login will set
    at.text_input(key="chat_meeting_title").input("第1回 北部圏域 協議の場")
    at.date_input(key="chat_meeting_date").set_value(date(2026, 7, 15))
    at.button(key="chat_meeting_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "記録中: **第1回 北部圏域 協議の場**（0件）" in texts(at)

    at.chat_input(key="chat_question").set_value("夜間の輪番が組めない地域で何をしている？").run()
    assert not at.exception, [e.value for e in at.exception]
    (m,) = MeetingStore(app_env).list()
    assert (m.title, m.held_on, m.created_by) == (
        "第1回 北部圏域 協議の場",
        date(2026, 7, 15),
        "山田",
    )
    (entry,) = m.entries
    assert (entry.entry_no, entry.asked_by) == (1, "山田")
    assert entry.question == "夜間の輪番が組めない地域で何をしている？"
    assert entry.answer["answer_text"] == at.session_state["chat"]["turns"][0]["answer"].answer_text
    body = texts(at)
    assert "記録中: **第1回 北部圏域 協議の場**（1件）" in body and m.meeting_id not in body
    assert [b.proto.label for b in at.get("download_button")] == [
        "議事メモ（Word）",
        "議事メモ（Markdown）",
    ]

    at.switch_page(PAGES["search"]).run()
    at.switch_page(PAGES["meeting"]).run()
    assert at.selectbox(key="chat_meeting").value == m.meeting_id  # still recording
    at.selectbox(key="chat_meeting").set_value(None).run()  # 記録しない
    at.chat_input(key="chat_question").set_value("医師会はどう関わっている？").run()
    assert len(MeetingStore(app_env).get(m.meeting_id).entries) == 1
    assert "記録中" not in texts(at)
