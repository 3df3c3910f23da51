"""Area and theme pickers shared by 地域の現状, 課題シート and 協議中の質問."""

from __future__ import annotations

import streamlit as st

from facilitator.reports import Area, list_areas, load_sample
from facilitator.settings import Settings
from facilitator.themes import COUNCIL_THEMES, THEME_LABELS

CONTEXT_AREA = "ctx_area"  # the area code chosen last, shared between pages
CONTEXT_THEME = "ctx_theme"


def _index(options: list, value) -> int:
    return options.index(value) if value in options else 0


def area_picker(prefix: str, settings: Settings) -> Area | None:
    """都道府県 → 二次医療圏 → 市町村; the narrowest chosen level is the area."""
    areas = list_areas(settings=settings)
    if not areas:
        return None
    last = next((a for a in areas if a.code == st.session_state.get(CONTEXT_AREA)), None)
    prefs = [a for a in areas if a.level == "prefecture"]
    cols = st.columns(3)
    pref = cols[0].selectbox(
        "都道府県",
        prefs,
        key=f"{prefix}_pref",
        format_func=lambda a: a.name,
        index=_index([p.code for p in prefs], last and last.pref_code),
    )
    secs = [None, *[a for a in areas if a.level == "secondary" and a.pref_code == pref.code]]
    sec_codes = [s.code if s else None for s in secs]
    sec = cols[1].selectbox(
        "二次医療圏",
        secs,
        key=f"{prefix}_sec_{pref.code}",
        format_func=lambda a: "（都道府県全体）" if a is None else a.name,
        placeholder="（都道府県全体）",
        index=_index(sec_codes, last and last.sec_code),
    )
    if sec is None:
        chosen = pref
    else:
        munis = [None, *[a for a in areas if a.level == "municipality" and a.sec_code == sec.code]]
        muni_codes = [m.code if m else None for m in munis]
        muni = cols[2].selectbox(
            "市町村",
            munis,
            key=f"{prefix}_muni_{sec.code}",
            format_func=lambda a: "（二次医療圏全体）" if a is None else a.name,
            placeholder="（二次医療圏全体）",
            index=_index(muni_codes, last and last.code),
        )
        chosen = muni or sec
    st.session_state[CONTEXT_AREA] = chosen.code
    return chosen


def theme_picker(key: str, container=st) -> str:
    theme = container.selectbox(
        "テーマ",
        COUNCIL_THEMES,
        key=key,
        format_func=THEME_LABELS.get,
        index=_index(COUNCIL_THEMES, st.session_state.get(CONTEXT_THEME)),
    )
    st.session_state[CONTEXT_THEME] = theme
    return theme


def no_report_data(settings: Settings, key: str) -> None:
    """Say that nothing is imported yet and offer the 架空 sample."""
    st.info(
        "報告データがまだ取り込まれていません。「資料・データ管理」で CSV / Excel を取り込むか、"
        "架空データ（実在しない「架空県」のサンプル）を読み込んでください。"
    )
    if st.button("架空データを読み込む", key=key, icon=":material/science:"):
        with st.spinner("架空データを作成して取り込んでいます…"):
            load_sample(settings)
        st.rerun()
