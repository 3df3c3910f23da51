"""事例検索: search-as-you-type with filters, results grouped by case, similar cases, full case,
the session's recent searches."""

from __future__ import annotations

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.search.hits import SearchResult, collapse_repeats
from facilitator.search.searcher import Searcher
from facilitator.text import md_escape
from facilitator.ui.components.common import mode_caption, searcher_or_setup, show_error
from facilitator.ui.components.history import history_pills, record_search
from facilitator.ui.components.widgets import (
    CASE_VIEW,
    SIMILAR,
    beside_panel,
    cached_search,
    case_panel,
    filter_row,
    group_by_case,
    hit_group,
    panels_belong_to,
    similar_panel,
)


def search_details(result: SearchResult) -> None:
    """Scores, ids and the index version: for whoever checks the search, behind 詳細."""
    with st.expander("詳細", icon=":material/info:"):
        st.caption(
            f"{result.took_ms:.0f} ms・確信度 {result.confidence:.2f}・索引の版 {result.index_version}"
            f"・埋め込みモデル {result.embedder}"
        )
        st.dataframe(
            [
                {"所在": h.locator, "資料": h.doc_title, "チャンク": h.chunk_id, "スコア": h.score}
                for h in result.hits
            ],
            hide_index=True,
        )


def render() -> None:
    st.title("事例検索")
    mode_caption()
    searcher = searcher_or_setup()
    if searcher is not None:
        search_fragment(searcher)


@st.fragment
def search_fragment(searcher: Searcher) -> None:
    query = st.text_input(
        "質問や語句（入力すると検索します）",
        key="search_query",
        live="100ms",
        placeholder="例: 夜間の輪番が組めない地域で何をしている？",
    )
    history_pills("search_query")
    prefectures = sorted({c.prefecture for c in searcher.store.cases if c.prefecture})
    filters = filter_row("search", prefectures)
    panels_belong_to(f"search:{(query or '').strip()}")  # a new search starts without them
    side = bool(st.session_state.get(CASE_VIEW) or st.session_state.get(SIMILAR))

    def panel() -> None:
        if st.session_state.get(CASE_VIEW):
            case_panel(searcher.store)
        else:
            similar_panel(searcher)

    with beside_panel(panel, side):
        if not (query or "").strip():
            st.info(
                "質問や語句を入力すると、事例集・ガイドライン・地域の資料から該当箇所を探します。"
            )
            return
        try:
            result = cached_search(searcher, query, filters)
        except FacilitatorError as exc:
            show_error(exc)
            return
        record_search(query)
        if not result.hits:
            st.warning("条件に合う資料はありません。絞り込みを外してお試しください。")
            return
        shown, repeats = collapse_repeats(result.hits)  # example sheets repeated across documents
        groups = group_by_case(shown)
        if not result.confident:
            st.warning(
                "この質問に当てはまる先行事例は見つかりませんでした。", icon=":material/search_off:"
            )
            if result.missing:
                st.caption(md_escape("資料に見当たらないもの: " + "、".join(result.missing)))
            with st.expander("参考：一致度の低い箇所（質問への答えではありません）"):
                for i, (_key, hits) in enumerate(groups):
                    hit_group(hits, key=f"weak{i}", with_similar=False, repeats=repeats)
            search_details(result)
            return
        st.caption(f"{len(groups)} 件の事例・資料")
        for i, (_key, hits) in enumerate(groups):
            hit_group(hits, key=f"hit{i}", repeats=repeats)
        search_details(result)


if __name__ == "__main__":
    render()
