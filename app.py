"""facilitator — Streamlit app (a thin shell over the library)."""

from __future__ import annotations

import streamlit as st

from facilitator.ui import search_page

st.set_page_config(page_title="facilitator かかりつけ医機能 協議支援", layout="wide")

pages = [
    st.Page(search_page.render, title="事例検索", icon="🔎", url_path="search", default=True),
]
st.navigation(pages).run()
