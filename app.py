"""facilitator — Streamlit app (a thin shell over the library). Run: streamlit run app.py."""

from __future__ import annotations

import streamlit as st

from facilitator.ui.components.common import show_flash

st.set_page_config(
    page_title="facilitator かかりつけ医機能 協議支援",
    page_icon=":material/stethoscope:",
    layout="wide",
)

st.set_option("client.toolbarMode", "viewer")  # no "Deploy" button for council staff

UI = "facilitator/ui/pages"
pages = {
    "準備": [
        st.Page(
            f"{UI}/area.py",
            title="地域の現状",
            icon=":material/bar_chart:",
            url_path="area",
            default=True,
        ),
        st.Page(
            f"{UI}/sheet.py",
            title="課題シート作成・編集",
            icon=":material/edit_note:",
            url_path="sheet",
        ),
        st.Page(f"{UI}/export.py", title="出力", icon=":material/download:", url_path="export"),
    ],
    "協議中": [
        st.Page(f"{UI}/search.py", title="事例検索", icon=":material/search:", url_path="search"),
        st.Page(
            f"{UI}/meeting.py",
            title="協議中の質問",
            icon=":material/forum:",
            url_path="meeting",
        ),
    ],
    "管理": [
        st.Page(
            f"{UI}/data.py",
            title="資料・データ管理",
            icon=":material/folder_open:",
            url_path="data",
        ),
    ],
}
page = st.navigation(pages)
with st.sidebar:
    st.caption("かかりつけ医機能の確保に関する協議の場の準備と進行を支援します。")
show_flash()
page.run()
