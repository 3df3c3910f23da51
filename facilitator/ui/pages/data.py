"""資料・データ管理: documents in the index, report data files, the 架空 sample, re-indexing."""

from __future__ import annotations

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.reports import load_sample
from facilitator.search.index import index_status
from facilitator.settings import Settings
from facilitator.ui.components import uploads
from facilitator.ui.components.accounts import accounts_panel
from facilitator.ui.components.common import (
    current_index_version,
    flash,
    get_settings,
    index_builder,
    mode_caption,
    show_error,
)


def render() -> None:
    st.title("資料・データ管理")
    mode_caption()
    s = get_settings()
    labels = ["資料と検索インデックス", "報告データ（かかりつけ医機能報告）"]
    tabs = st.tabs(labels + (["利用者"] if s.auth else []), key="data_tabs", on_change="rerun")
    docs_tab, data_tab = tabs[0], tabs[1]
    if s.auth:
        with tabs[2]:
            accounts_panel()
    with docs_tab:
        version = current_index_version(s)
        state = index_status(s)["state"] if version is not None else "missing"
        documents = uploads.documents_frame(s)
        if version is None:
            st.warning("検索インデックスがまだありません。")
            index_builder(key="data_reindex", label="索引を作成する")
        elif state == "outdated":
            st.warning(
                "この版では検索インデックスの作り方が新しくなりました（資料は変わっていません）。"
                "作り直してください。"
            )
            index_builder(key="data_reindex", label="索引を作り直す")
        elif state != "current":
            st.warning("検索インデックスが資料の現在の内容と一致しません。作り直してください。")
            index_builder(key="data_reindex", label="索引を作り直す")
        else:
            st.success(f"検索インデックスは最新です（資料{len(documents)}件）。")
        st.dataframe(documents.drop(columns=["ID"]), hide_index=True)
        user_docs = documents.query("区分 == '追加'")
        if not user_docs.empty:
            cols = st.columns([3, 1])
            titles = dict(zip(user_docs["ID"], user_docs["題名"], strict=True))
            doc_id = cols[0].selectbox(
                "削除する資料（利用者が追加したもののみ）",
                list(titles),
                key="data_remove_id",
                format_func=lambda d: (
                    f"{titles[d]}（{user_docs.set_index('ID').at[d, 'ファイル']}）"
                ),
            )
            if cols[1].button("削除して索引を更新", key="data_remove", icon=":material/delete:"):
                uploads.remove_and_reindex(s, doc_id)
                st.rerun()
        with st.form("data_add_form", clear_on_submit=True):
            files = st.file_uploader(
                "資料を追加（PDF / TXT / MD）",
                type=["pdf", "txt", "md"],
                accept_multiple_files=True,
                key="data_doc_files",
            )
            title = st.text_input(
                "題名（1ファイルのとき。空欄ならファイル名）", key="data_doc_title"
            )
            if st.form_submit_button("追加して索引を更新", icon=":material/add:") and files:
                uploads.add_documents(s, files, title)
                st.rerun()
        if state == "current":
            with st.expander("詳細: 検索インデックスの作り直し（通常は不要）"):
                st.caption(
                    f"索引の識別子: {version}。資料の追加・削除では自動で更新されます。"
                    "検索結果がおかしいときだけ作り直してください（数分かかります）。"
                )
                index_builder(key="data_reindex", label="索引を作り直す", primary=False)
    with data_tab:
        try:
            st.dataframe(uploads.datasets_frame(s), hide_index=True)
        except FacilitatorError as exc:
            show_error(exc)
        if st.button(
            "架空データを読み込む（架空県のサンプル）",
            key="data_load_sample",
            icon=":material/science:",
        ):
            flash(
                "success",
                "架空データを読み込みました。"
                if load_sample(s)
                else "架空データは取り込み済みです。",
            )
            st.rerun()
        with st.form("data_report_form", clear_on_submit=True):
            files = st.file_uploader(
                "報告データ・市町村表を取り込む（CSV / Excel）",
                type=["csv", "xlsx"],
                accept_multiple_files=True,
                key="data_report_files",
            )
            if st.form_submit_button("検証して取り込む", icon=":material/upload:") and files:
                uploads.import_reports(s, files)
                st.rerun()
    audit_log(s)


def audit_log(s: Settings) -> None:
    """Who did what (logins, saves, imports, documents, accounts), newest first."""
    from facilitator.auth.audit import read, to_csv
    from facilitator.text import japanese_time

    entries = read(s, 200)
    with st.expander(f"操作の記録（新しい順・{len(entries)}件）", icon=":material/history:"):
        if not entries:
            st.caption("まだ記録はありません。")
            return
        st.dataframe(
            [
                {
                    "日時": japanese_time(e.at),
                    "操作した人": e.actor,
                    "操作": e.label,
                    "対象": e.target,
                }
                for e in entries
            ],
            hide_index=True,
        )
        st.download_button(
            "CSV で保存（Excel で開けます）",
            to_csv(entries),
            file_name="操作の記録.csv",
            mime="text/csv",
            key="audit_csv",
            icon=":material/download:",
        )


if __name__ == "__main__":
    render()
