"""課題シート作成・編集: draft, edit every field, precedents beside, versions, conflicts."""

from __future__ import annotations

import streamlit as st

from facilitator.sheets.model import MODE_LABELS
from facilitator.ui.components import sheet_state
from facilitator.ui.components.common import (
    flash,
    get_searcher,
    get_settings,
    mode_caption,
    sheet_store,
)
from facilitator.ui.components.sheet_editor import edit_form, status_steps
from facilitator.ui.components.sheet_panels import (
    conflict_view,
    draft_form,
    history_view,
    precedent_panel,
)
from facilitator.ui.components.widgets import panels_belong_to


def render() -> None:
    st.title("課題シート作成・編集")
    mode_caption()
    panels_belong_to("sheet")
    settings, store = get_settings(), sheet_store()
    searcher = get_searcher()
    sheets = store.list()
    sheet_state.draft_panel_open(bool(sheets))
    with st.expander(
        "新しい課題シートを作成",
        key=sheet_state.DRAFT_OPEN,
        on_change="rerun",
        icon=":material/auto_awesome:",
    ):
        draft_form(settings, searcher, store)
    if not sheets:
        return
    labels = {
        s.sheet_id: f"{s.title or '(無題)'}｜{s.area_name}｜{s.status}｜版{s.version}"
        for s in sheets
    }
    picked = st.selectbox(
        "編集するシート",
        list(labels),
        key=sheet_state.picker_key(labels),
        index=sheet_state.picker_index(list(labels)),
        format_func=labels.get,
    )
    sheet = sheet_state.ensure_loaded(store, picked)
    if sheet is None:
        return
    conflict_view(store)
    st.markdown(
        f"状態: {status_steps(sheet.status)}　／　編集元: 版{sheet.version}"
        f"　／　作成: {MODE_LABELS.get(sheet.provenance.mode, sheet.provenance.mode)}"
    )
    main, side = st.columns([3, 2])
    with main:
        edit_tab, history_tab = st.tabs(
            [":material/edit: 編集", ":material/history: 版の履歴"],
            key="sheet_tabs",
            on_change="rerun",
        )
        with edit_tab:
            edit = edit_form(sheet, key=f"ed{sheet_state.nonce()}")
            if edit is not None:
                if sheet_state.save(store, edit.sheet, edit.author, edit.message):
                    for warning in edit.warnings:
                        flash("warning", warning)
                st.rerun()
        with history_tab:
            history_view(store, sheet)
    with side:
        precedent_panel(searcher, sheet)


if __name__ == "__main__":
    render()
