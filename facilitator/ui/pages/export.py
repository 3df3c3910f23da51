"""出力: issue sheets as Excel / Word / Markdown / JSON, the public summary, the agenda, Excel import."""

from __future__ import annotations

import streamlit as st

from facilitator import export as ex
from facilitator.errors import FacilitatorError
from facilitator.ui.components import exports, sheet_state
from facilitator.ui.components.common import (
    current_user,
    sheet_store,
    show_error,
    synthetic_banner,
)
from facilitator.ui.components.widgets import PRINT_BREAK


def print_view(sheets: list) -> None:
    """The chosen sheets as plain pages for the browser's print (one sheet per page); the
    app's menus and controls are left out of the printout by the print style sheet."""
    if not sheets:
        st.info("印刷するシートを上で選んでください。")
        return
    st.caption(
        "ブラウザの印刷（Ctrl+P / ⌘+P）で、選んだシートを1シートずつ改ページして印刷できます。"
        "メニューや操作ボタンは印刷されません。"
    )
    for i, sheet in enumerate(sheets):
        if i:
            st.markdown(PRINT_BREAK, unsafe_allow_html=True)
        with st.container(border=True):
            st.markdown(exports.preview(ex.to_markdown(sheet)))


def render() -> None:
    st.title("出力")
    store = sheet_store()
    summaries = store.list()
    if not summaries:
        st.info("課題シートがまだありません。「課題シート作成・編集」で作成してください。")
    labels = {
        s.sheet_id: f"{s.title or '(無題)'}｜{s.area_name}｜{s.status}｜版{s.version}"
        for s in summaries
    }
    current = sheet_state.work()
    default = [current.sheet_id] if current and current.sheet_id in labels else list(labels)[:1]
    ids = st.multiselect(
        "出力するシート",
        list(labels),
        placeholder="シートを選んでください",
        select_all=False,
        default=default,
        key=sheet_state.picker_key(labels).replace("sheet_pick", "export_ids"),
        format_func=labels.get,
    )
    sheets = [store.get(i) for i in ids]
    if any(ex.common.is_synthetic(s) for s in sheets):
        synthetic_banner()
    tabs = st.tabs(
        ["課題シート", "協議の結果の公表シート", "進行表", "印刷用", "Excelから取り込む"],
        key="export_tabs",
        on_change="rerun",
    )
    with tabs[0]:
        if sheets:
            internal = st.checkbox(
                "Word・Markdown にメモ（非公開）と事務局メモを含める（事務局の内部用）",
                key="dl_internal",
                help="会議資料には含めません。Excel（課題管理シート）は編集用のため常に含みます。",
            )
            exports.download_row(exports.sheet_files(sheets, internal), "dl_sheet")
            with st.expander("Markdown のプレビュー"):
                st.markdown(exports.preview(ex.to_markdown(sheets[0])))
    with tabs[1]:
        exports.public_section(sheets)
    with tabs[2]:
        meeting = exports.meeting_form()
        if sheets:
            try:
                agenda = ex.agenda(sheets, meeting)
            except FacilitatorError as exc:
                show_error(exc)
            else:
                summary = st.checkbox(
                    "1シート1ページの要約を付ける",
                    key="ag_summary",
                    help="進行表（1ページ）の後に、シートごとに①〜⑥を短くまとめたページを付けます。",
                )
                if agenda.review:
                    st.info(
                        "協議会提出・公表の前のシートがあるため、各ページに「確認用・未確定」と印刷されます。"
                    )
                exports.download_row(exports.agenda_files(agenda, summary), "dl_agenda")
                with st.expander("進行表のプレビュー"):
                    st.markdown(exports.preview(ex.agenda_to_markdown(agenda, summary=summary)))
    with tabs[3]:
        print_view(sheets)
    with tabs[4]:
        st.caption(
            "この画面で出力した Excel（課題管理シート）を編集して取り込むと、変更したシートが新しい版になります。"
        )
        with st.form("import_form", clear_on_submit=True):
            upload = st.file_uploader(
                "編集した課題管理シート（.xlsx）", type=["xlsx"], key="import_file"
            )
            user = current_user()
            author = user or st.text_input("取り込む人", key="import_author")
            if st.form_submit_button("取り込む", icon=":material/upload:") and upload is not None:
                exports.import_workbook(store, upload, author.strip())
                st.rerun()


if __name__ == "__main__":
    render()
