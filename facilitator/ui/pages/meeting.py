"""協議中の質問: a meeting chat; follow-ups keep the conversation's area, theme and filters,
and when a meeting is chosen every question and answer goes into its record (議事メモ)."""

from __future__ import annotations

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.reports import list_areas
from facilitator.ui.components import chat, minutes
from facilitator.ui.components.areas import CONTEXT_AREA
from facilitator.ui.components.common import (
    get_settings,
    llm_configured,
    mode_caption,
    searcher_or_setup,
)
from facilitator.ui.components.widgets import (
    CASE_VIEW,
    beside_panel,
    case_panel,
    choose,
    panels_belong_to,
)


def area_choice() -> str | None:
    """The council's area, for the record of the conversation (searches are not limited by it)."""
    try:
        areas = list_areas(settings=get_settings())
    except FacilitatorError:
        areas = []
    names = {a.code: a.name for a in areas}
    if "chat_area" not in st.session_state and st.session_state.get(CONTEXT_AREA) in names:
        st.session_state["chat_area"] = st.session_state[CONTEXT_AREA]
    code = choose("協議の場の地域", list(names), "chat_area", labels=names, all_label="指定なし")
    return names.get(code) if code else None


def render() -> None:
    st.title("協議中の質問")
    mode_caption()
    panels_belong_to("meeting")
    searcher = searcher_or_setup()
    if searcher is None:
        return
    conv = chat.conversation()
    with st.expander(
        f"会話の条件：{chat.context_caption(conv['context'])}",
        icon=":material/tune:",
        expanded=not conv["turns"],
    ):
        c = st.columns([2, 1, 1])
        with c[0]:
            area = area_choice()
        c[1].toggle(
            "LLMで回答",
            key="chat_llm",
            disabled=not llm_configured(),
            help="LLM が設定されていないときは、検索した箇所そのものを示します。",
        )
        c[2].button(
            "新しい会話",
            key="chat_new",
            icon=":material/add_comment:",
            on_click=chat.new_conversation,
        )
        filters = chat.context_controls(searcher, area)
        st.caption(
            "条件は会話の間ずっと引き継がれます。追加の質問にも同じ地域・テーマ・絞り込みを使います。"
        )
        record = minutes.record_controls(area)
    main = beside_panel(lambda: case_panel(searcher.store), bool(st.session_state.get(CASE_VIEW)))
    question = st.chat_input(
        "質問を入力（例: 夜間の輪番が組めない地域で何をしている？）", key="chat_question"
    )
    if question:
        chat.ask_and_store(searcher, question, filters, record)
    with main:
        minutes.record_status(record)
        if not conv["turns"]:
            st.info(
                "協議の中で出た疑問を、そのまま日本語で入力してください。"
                "事例集・ガイドライン・地域の資料から該当する箇所を示します。"
            )
        for i, turn in enumerate(chat.conversation()["turns"]):
            chat.show_turn(i, turn)


if __name__ == "__main__":
    render()
