"""事例検索: search-as-you-type with filters, results grouped by case."""

from __future__ import annotations

import html
import re

import streamlit as st

from ..errors import FacilitatorError
from ..retrieval import SearchFilters, SearchHit
from ..themes import FOCUS_TAGS, THEME_LABELS
from .common import mode_caption, searcher_or_error

CATEGORIES = ["診療所", "病院", "地域の連携", "参考事例"]


def highlight(text: str, sentences: list[str]) -> str:
    """HTML-escaped text with the matching sentences marked."""
    out = html.escape(text)
    for s in sentences:
        out = out.replace(html.escape(s), f"<mark>{html.escape(s)}</mark>")
    return re.sub(r"\n", "<br>", out)


def group_by_case(hits: list[SearchHit]) -> list[tuple[str, list[SearchHit]]]:
    """Keep rank order; hits of the same case (or document) go together."""
    groups: dict[str, list[SearchHit]] = {}
    for h in hits:
        key = h.case_id or h.doc_title
        groups.setdefault(key, []).append(h)
    return list(groups.items())


def render() -> None:
    st.title("事例検索")
    mode_caption()
    searcher = searcher_or_error()
    if searcher is None:
        return
    query = st.text_input("質問や語句", key="search_query",
                          placeholder="例: 夜間の輪番が組めない地域で何をしている？")
    cols = st.columns(4)
    theme = cols[0].selectbox("テーマ", [None, *[k for k in THEME_LABELS if k != "free"]],
                              format_func=lambda k: "すべて" if k is None else THEME_LABELS[k],
                              key="search_theme")
    tag = cols[1].selectbox("注目タグ", [None, *FOCUS_TAGS],
                            format_func=lambda t: "すべて" if t is None else t, key="search_tag")
    category = cols[2].selectbox("分類", [None, *CATEGORIES],
                                 format_func=lambda c: "すべて" if c is None else c,
                                 key="search_category")
    prefectures = sorted({c.prefecture for c in searcher.store.cases if c.prefecture})
    prefecture = cols[3].selectbox("都道府県", [None, *prefectures],
                                   format_func=lambda p: "すべて" if p is None else p,
                                   key="search_prefecture")
    if not (query or "").strip():
        st.info("質問を入力すると、事例集・ガイドラインから該当箇所を探します。")
        return
    try:
        result = searcher.search(query, k=10, filters=SearchFilters(
            theme=theme, tag=tag, category=category, prefecture=prefecture))
    except FacilitatorError as exc:
        st.error(str(exc))
        return
    st.caption(f"{len(result.hits)} 件・{result.took_ms:.0f} ms・索引 {result.index_version}")
    if not result.hits:
        st.warning("条件に合う資料はありません。")
        return
    if not result.confident:
        st.warning("質問に十分に当てはまる先行事例は見つかりませんでした。近い箇所を参考として示します。")
    for _key, hits in group_by_case(result.hits):
        first = hits[0]
        title = f"{first.case_id} {first.case_name}" if first.case_id else first.doc_title
        with st.container(border=True):
            st.markdown(f"**{html.escape(title)}**")
            if first.case_id:
                md = first.metadata
                st.caption(f"{md.get('category', '')}・{md.get('prefecture', '')}・"
                           f"{'、'.join(md.get('tags', []))}")
            for h in hits:
                st.markdown(f"📍 {html.escape(h.doc_title)} ／ {html.escape(h.locator)} "
                            f"<small>（{h.chunk_id}・スコア {h.score:.4f}）</small>",
                            unsafe_allow_html=True)
                st.markdown(highlight(h.text, h.highlights), unsafe_allow_html=True)
