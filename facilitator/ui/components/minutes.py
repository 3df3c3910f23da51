"""議事メモ on the 協議中の質問 page: which meeting the questions are recorded in, a form to
create one, and the minutes to download.

The chosen meeting is kept outside the widget's key, so it survives a page switch (Streamlit
drops the state of widgets that are not drawn). People see titles and dates, never ids.
"""

from __future__ import annotations

import re

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.meetings import Meeting, MeetingStore
from facilitator.meetings.model import MAX_TITLE_CHARS, japanese_date, today_tokyo
from facilitator.ui.components.common import current_user, flash, get_settings
from facilitator.ui.components.widgets import choose

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHOSEN = "meeting_record"
"""The meeting questions are recorded in (not a widget key: it outlives the page)."""
SELECT = "chat_meeting"
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def meeting_store() -> MeetingStore:
    return MeetingStore(get_settings())


def chosen_meeting() -> str | None:
    return st.session_state.get(CHOSEN)


def _create(area: str | None) -> None:
    """Callback of 「会議を作成」: create, then select it (widget state may change only here)."""
    title = st.session_state.get("chat_meeting_title", "")
    held_on = st.session_state.get("chat_meeting_date") or today_tokyo()
    try:
        m = meeting_store().create(title, held_on, area=area, by=current_user())
    except FacilitatorError as exc:
        flash("error", exc)
        return
    st.session_state[CHOSEN] = st.session_state[SELECT] = m.meeting_id
    st.session_state["chat_meeting_title"] = ""
    flash(
        "success",
        f"会議「{m.title}」（{japanese_date(m.held_on)}）を作成しました。以降の質問を記録します。",
    )


def record_controls(area: str | None) -> str | None:
    """Choose the meeting to record in (or none), or create one; returns the chosen id."""
    try:
        meetings = {m.meeting_id: m for m in meeting_store().list()}
    except FacilitatorError as exc:
        st.warning(f"議事メモの一覧を読めません: {exc}")
        meetings = {}
    if st.session_state.get(CHOSEN) not in meetings:
        st.session_state.pop(CHOSEN, None)
    picked = st.session_state.get(SELECT)
    if SELECT not in st.session_state or (picked is not None and picked not in meetings):
        st.session_state[SELECT] = st.session_state.get(CHOSEN)  # back from another page
    c = st.columns([3, 1], vertical_alignment="bottom")
    chosen = choose(
        "議事メモに記録する会議",
        list(meetings),
        SELECT,
        labels={i: m.label for i, m in meetings.items()},
        all_label="記録しない",
        container=c[0],
        help="会議を選ぶと、以降の質問と回答が時刻とともに記録され、議事メモとして出力できます。",
    )
    st.session_state[CHOSEN] = chosen
    with c[1].popover("新しい会議", icon=":material/event:", width="stretch"):
        st.text_input(
            "会議名",
            key="chat_meeting_title",
            max_chars=MAX_TITLE_CHARS,
            placeholder="例: 令和8年度 第1回 北部圏域 協議の場",
        )
        st.date_input("開催日", value=today_tokyo(), key="chat_meeting_date", format="YYYY/MM/DD")
        st.button(
            "会議を作成",
            key="chat_meeting_create",
            type="primary",
            on_click=_create,
            args=(area,),
        )
    return chosen


def file_stem(m: Meeting) -> str:
    """議事メモ_20260715_第1回北部圏域協議の場: a name any file system accepts."""
    return f"議事メモ_{m.held_on:%Y%m%d}_{_UNSAFE_FILE_CHARS.sub('', m.title)[:40]}"


def record_status(meeting_id: str | None) -> None:
    """「記録中: 会議名（n件）」 and the minutes to download, above the conversation."""
    if not meeting_id:
        return
    from facilitator.export.minutes import minutes_docx, minutes_markdown

    try:
        m = meeting_store().get(meeting_id)
    except FacilitatorError as exc:
        st.warning(str(exc))
        return
    c = st.columns([3, 1, 1], vertical_alignment="center")
    c[0].markdown(
        f":material/radio_button_checked: 記録中: **{_plain(m.title)}**（{len(m.entries)}件）"
        f"　{japanese_date(m.held_on)}"
    )
    stem = file_stem(m)
    c[1].download_button(
        "議事メモ（Word）",
        lambda: minutes_docx(meeting_store().get(meeting_id)),
        file_name=f"{stem}.docx",
        mime=DOCX,
        key="chat_minutes_docx",
        icon=":material/download:",
        on_click="ignore",
    )
    c[2].download_button(
        "議事メモ（Markdown）",
        lambda: minutes_markdown(meeting_store().get(meeting_id)),
        file_name=f"{stem}.md",
        mime="text/markdown",
        key="chat_minutes_md",
        icon=":material/download:",
        on_click="ignore",
    )


def _plain(text: str) -> str:
    """A title shown literally inside st.markdown."""
    from facilitator.text import md_escape

    return md_escape(text)
