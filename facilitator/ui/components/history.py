"""最近の検索: this session's searches, newest first, one click to search again.

Search runs as one types, so the history keeps settled queries, not keystrokes: a query
that extends the newest entry (「柏市」→「柏市の医師会」) replaces it, and one that only
shortens it (deleting back to type something else) is not kept.
"""

from __future__ import annotations

import streamlit as st

from facilitator.text import md_escape

HISTORY = "search_history"
PICK = "search_history_pick"
LIMIT = 8


def remember(history: list[str], query: str, limit: int = LIMIT) -> list[str]:
    """``history`` with ``query`` as its newest entry (see the module docstring)."""
    q = query.strip()
    if not q:
        return history
    if history and history[0].startswith(q):  # the same query, or deleting back from it
        return history
    rest = [h for h in history if h != q]
    if history and q.startswith(history[0]):  # typing on: the shorter query was not settled
        rest = [h for h in rest if h != history[0]]
    return [q, *rest][:limit]


def history_pills(query_key: str) -> None:
    """Earlier searches of this session as pills; picking one puts it in the search box."""
    current = (st.session_state.get(query_key) or "").strip()
    earlier = [h for h in st.session_state.get(HISTORY, []) if h != current]
    if not earlier:
        return

    def pick() -> None:
        chosen = st.session_state.get(PICK)
        if chosen:
            st.session_state[query_key] = chosen
        st.session_state[PICK] = None  # a pill is an action, not a lasting choice

    st.pills(
        "最近の検索",
        earlier,
        format_func=md_escape,
        selection_mode="single",
        key=PICK,
        on_change=pick,
    )


def record_search(query: str) -> None:
    st.session_state[HISTORY] = remember(st.session_state.get(HISTORY, []), query)
