"""facilitator — Streamlit app (a thin shell over the library). Run: streamlit run app.py."""

from __future__ import annotations

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.ui.components.common import show_flash
from facilitator.ui.components.login import may_open, require_login, sidebar_account
from facilitator.ui.components.widgets import page_css

st.set_page_config(
    page_title="facilitator かかりつけ医機能 協議支援",
    page_icon=":material/stethoscope:",
    layout="wide",
)

st.set_option("client.toolbarMode", "viewer")  # no "Deploy" button for council staff
page_css()
require_login()  # on by default: nothing below is drawn for someone not logged in

UI = "facilitator/ui/pages"
PAGES = [  # (group, url path = file name, title, icon)
    ("準備", "start", "はじめに", ":material/flag:"),
    ("準備", "area", "地域の現状", ":material/bar_chart:"),
    ("準備", "sheet", "課題シート作成・編集", ":material/edit_note:"),
    ("準備", "export", "出力", ":material/download:"),
    ("協議中", "search", "事例検索", ":material/search:"),
    ("協議中", "meeting", "協議中の質問", ":material/forum:"),
    ("管理", "data", "資料・データ管理", ":material/folder_open:"),
]
# least privilege: a page the role may not open is not in the navigation at all
pages: dict[str, list] = {}
for group, path, title, icon in PAGES:
    if may_open(path):
        pages.setdefault(group, []).append(
            st.Page(
                f"{UI}/{path}.py", title=title, icon=icon, url_path=path, default=path == "start"
            )
        )
page = st.navigation(pages)
with st.sidebar:
    st.caption("かかりつけ医機能の確保に関する協議の場の準備と進行を支援します。")
    sidebar_account()
show_flash()
try:
    page.run()
except FacilitatorError as exc:  # e.g. the shared database is unreachable: a message, no traceback
    st.error(str(exc))
