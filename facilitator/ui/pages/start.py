"""はじめに: the council workflow in five steps and where each area and theme stands.

A coordinator opening the app should see what to do next, not a chart: the steps link to
the pages the person's role may open, and the table shows which area × theme already has
a sheet and in what state.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.reports import list_areas
from facilitator.sheets.store import SheetSummary
from facilitator.themes import COUNCIL_THEMES, THEME_SHORT
from facilitator.ui.components.common import get_settings, sheet_store, show_error
from facilitator.ui.components.login import may_open

STEPS = [  # (page, title, what the person does there)
    ("area", "① 地域の現状を見る", "報告データの集計を県全体と比べ、課題になりそうな点をつかむ"),
    (
        "sheet",
        "② 下書きを作る",
        "地域とテーマを選ぶと、数値と先行事例から課題シートの下書きができる",
    ),
    ("sheet", "③ 編集する", "現状・課題・原因・方策・効果を書き直し、引用の採否を決めて保存する"),
    ("meeting", "④ 協議の場で使う", "会議中の質問に、先行事例・ガイドライン・報告データで答える"),
    ("export", "⑤ 出力する", "課題シート・進行表・公表用の要約を Word / Excel で出力する"),
]
NOT_MADE = "—"


def state_table(area_names: list[str], sheets: list[SheetSummary]) -> pd.DataFrame:
    """Rows: areas; columns: themes; cells: the latest sheet's 「状態・版」 or —."""
    latest: dict[tuple[str, str], SheetSummary] = {}
    for s in sorted(sheets, key=lambda s: s.saved_at):
        latest[(s.area_name, s.theme)] = s
    rows = []
    for name in area_names:
        row = {"地域": name}
        for t in COUNCIL_THEMES:
            s = latest.get((name, t))
            row[THEME_SHORT[t]] = f"{s.status}・版{s.version}" if s else NOT_MADE
        rows.append(row)
    return pd.DataFrame(rows)


def render() -> None:
    st.title("はじめに")
    st.markdown(
        "かかりつけ医機能の確保に関する協議の場の準備と進行を、次の順に支援します。"
        "課題シートは **現状 → 目指す姿 → 課題 → 原因 → 方策（役割分担）→ 効果（検証）** "
        "の順に整理します。"
    )
    cols = st.columns(len(STEPS))
    for col, (page, title, what) in zip(cols, STEPS, strict=True):
        with col.container(border=True):
            st.markdown(f"**{title}**")
            st.caption(what)
            if may_open(page):
                st.page_link(
                    f"facilitator/ui/pages/{page}.py", label="開く", icon=":material/arrow_forward:"
                )
            else:
                st.caption("（この役割では使えません）")
    settings = get_settings()
    try:
        areas = list_areas(settings=settings)
    except FacilitatorError as exc:
        show_error(exc)
        return
    if not areas:
        st.info(
            "報告データがまだ取り込まれていません。管理者が「資料・データ管理」で取り込むか、"
            "「地域の現状」で架空データ（実在しない「架空県」のサンプル）を読み込んでください。"
        )
        return
    if not may_open("sheet"):
        return
    st.subheader("地域・テーマごとの課題シート")
    st.caption(
        f"状態と版（{NOT_MADE} はまだ作成していないもの）。作成は「地域の現状」からも1クリックです。"
    )
    sheets = sheet_store().list()
    names = [a.name for a in areas if a.level == "secondary"] or [
        a.name for a in areas if a.level == "prefecture"
    ]
    names += sorted({s.area_name for s in sheets} - set(names))  # made for a 市町村 or the 県
    st.dataframe(state_table(names, sheets), hide_index=True)


if __name__ == "__main__":
    render()
