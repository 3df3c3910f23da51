"""地域の現状: an area's report indicators next to the prefecture's, with findings and provenance."""

from __future__ import annotations

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.reports import summary
from facilitator.text import md_escape
from facilitator.ui.components import charts
from facilitator.ui.components.areas import area_picker, no_report_data, theme_picker
from facilitator.ui.components.common import get_settings, show_error, synthetic_banner
from facilitator.ui.components.login import may_open

SHEET_PAGE = "facilitator/ui/pages/sheet.py"


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
    if may_open("sheet") and st.button(
        "この地域・テーマで課題シートを作成", key="area_to_sheet", icon=":material/edit_note:"
    ):
        st.switch_page(SHEET_PAGE)
    left, right = st.columns(2)
    sub = area.level != "prefecture"
    with left:
        st.subheader(f"{area.name}と{area.pref_name}全体" if sub else area.name)
        st.altair_chart(
            charts.stacked_states(charts.state_frame(s.indicators, theme, area.name, with_pref=sub))
        )
        rates = charts.rate_frame(s.indicators, area.name, with_pref=sub)
        if not rates.empty:
            st.markdown("**65歳以上人口1万人当たり**")
            st.altair_chart(charts.grouped_rates(rates, "65歳以上人口1万人当たり"))
    with right:
        st.subheader("市町村別")
        pref_munis = [m for m in munis if m.area.pref_code == area.pref_code]
        st.altair_chart(
            charts.stacked_states(
                charts.muni_state_frame(pref_munis, theme), highlight=set(area.municipalities)
            )
        )
    st.subheader("所見（課題シートの「現状」に使えます）")
    for f in s.findings:
        st.markdown(f"- {md_escape(f.sentence)}")
        st.caption(md_escape(charts.provenance(f)))
    with st.expander("指標の一覧（値・県全体・N・条件）"):
        st.dataframe(charts.indicator_table(s.indicators), hide_index=True)


if __name__ == "__main__":
    render()
