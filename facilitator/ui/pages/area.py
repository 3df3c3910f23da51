"""地域の現状: an area's report indicators next to the prefecture's, with findings and provenance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilitator.drafting.context import DraftRequest
from facilitator.errors import FacilitatorError
from facilitator.reports import summary
from facilitator.reports.models import Area
from facilitator.settings import Settings
from facilitator.text import md_escape
from facilitator.ui.components import charts, sheet_state
from facilitator.ui.components.areas import area_picker, no_report_data, theme_picker
from facilitator.ui.components.common import (
    get_searcher,
    get_settings,
    sheet_store,
    show_error,
    synthetic_banner,
)
from facilitator.ui.components.login import may_open
from facilitator.ui.components.sheet_panels import create_draft

SHEET_PAGE = "facilitator/ui/pages/sheet.py"


def sheet_buttons(settings: Settings, area: Area, theme: str) -> None:
    """One click to a draft of this area and theme (or to the sheet already made for it)."""
    store = sheet_store()
    made = [s for s in store.list() if s.area_name == area.name and s.theme == theme]
    row = st.container(horizontal=True)  # buttons as wide as their labels, never cut off
    if made and row.button(
        f"作成済みのシートを開く（{made[0].status}・版{made[0].version}）",
        key="area_open_sheet",
        type="primary",
        icon=":material/edit_note:",
    ):
        sheet_state.load(store.get(made[0].sheet_id), pick=True)
        st.session_state[sheet_state.DRAFTED] = True
        st.switch_page(SHEET_PAGE)
    label = "新しい下書きを作成" if made else "この地域・テーマで課題シートの下書きを作成"
    if not row.button(
        label,
        key="area_to_sheet",
        type="secondary" if made else "primary",
        icon=":material/auto_awesome:",
        help="報告データと先行事例から下書きを作り、「課題シート作成・編集」で開きます。",
    ):
        return
    searcher = get_searcher()
    if searcher is None:  # the sheet page offers to build the index first
        st.switch_page(SHEET_PAGE)
    request = DraftRequest(area=area.code, theme=theme)
    if create_draft(request, settings, searcher, store):
        st.session_state[sheet_state.DRAFTED] = True
        st.switch_page(SHEET_PAGE)


def chart(
    df: pd.DataFrame, theme: str, highlight: set[str] | None = None, what: str = "市町村"
) -> None:
    """The 有り / 意向有り / 無し bars, with the 参考値 note when an area's N is small."""
    if df.empty:
        st.info("この地域・テーマの報告データがありません。")
        return
    st.altair_chart(charts.stacked_states(df, theme, highlight=highlight))
    note = charts.small_n_caption(df, what)
    if note:
        st.caption(note)


def render() -> None:
    st.title("地域の現状")
    settings = get_settings()
    try:
        area = area_picker("area", settings)
    except FacilitatorError as exc:
        show_error(exc)
        return
    if area is None:
        no_report_data(settings, key="area_load_sample")
        return
    theme = theme_picker("area_theme")
    try:
        result = summary(area, theme, settings=settings)
        munis = summary(None, theme, settings=settings, pref_code=area.pref_code).areas
    except FacilitatorError as exc:
        show_error(exc)
        return
    if result.synthetic:
        synthetic_banner()
    s = result.areas[0]
    st.caption(f"出典: {result.source}")
    for col, (label, value) in zip(st.columns(4), charts.headline(s), strict=True):
        col.metric(label, f"{value:,}")
    if may_open("sheet"):
        sheet_buttons(settings, area, theme)
    left, right = st.columns(2)
    sub = area.level != "prefecture"
    pref = next((m for m in munis if m.area.level == "prefecture"), None) if sub else None
    with left:
        st.subheader(f"{area.name}と{area.pref_name}全体" if sub else area.name)
        chart(charts.state_frame(s, theme, pref), theme, what="地域")
        rates = charts.rate_frame(s.indicators, area.name, pref.indicators if pref else None)
        if not rates.empty:
            st.altair_chart(charts.grouped_rates(rates))
    with right:
        st.subheader("市町村別")
        pref_munis = [m for m in munis if m.area.pref_code == area.pref_code]
        chart(charts.muni_state_frame(pref_munis, theme), theme, highlight=set(area.municipalities))
    st.subheader("所見（課題シートの「現状」に使えます）")
    for f in s.findings:
        st.markdown(f"- {md_escape(f.sentence)}")
        st.caption(md_escape(charts.provenance(f)))
    with st.expander("指標の一覧（値・県全体・N・条件）"):
        st.dataframe(charts.indicator_table(s.indicators), hide_index=True)


if __name__ == "__main__":
    render()
