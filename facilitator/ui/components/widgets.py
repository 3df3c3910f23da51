"""Small building blocks shared by the pages: highlighting, hit groups, the full case view."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from facilitator.search.hits import SearchHit, SearchResult, group_key, group_label
from facilitator.search.index import IndexStore
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.search.similar import similar_cases
from facilitator.text import md_escape
from facilitator.themes import COUNCIL_THEMES, FOCUS_TAGS, THEME_LABELS

CATEGORIES = ["診療所", "病院", "地域の連携", "参考事例"]
CASE_VIEW = "case_view"
SIMILAR = "similar_to"
EXCERPT_CHARS = 420


def html_text(text: str) -> str:
    """Document or user text inside an HTML block of Markdown: escaped, never a Markdown link
    or image, and on one line (a blank line would end the block and let Markdown read the
    rest)."""
    out = html.escape(text).replace("[", "&#91;").replace("]", "&#93;")
    return re.sub(r"[\r\n]+", "<br>", out.strip())


def highlight(text: str, sentences: list[str]) -> str:
    """HTML-escaped text with the given sentences (or quotes) marked, as one HTML block.

    The block is a single line inside a <div>, so Markdown never reads 「1. 概要」 as a list.
    """
    out = html_text(text)
    for s in sorted({s for s in sentences if s.strip()}, key=len, reverse=True):
        esc = html_text(s)
        out = out.replace(esc, f"<mark>{esc}</mark>")
    return "<div class='passage'>" + out + "</div>"


def note(text: str) -> str:
    """A small grey line (as st.caption draws it) inside a group's Markdown block."""
    return f"<div class='hit-note'>{html_text(text)}</div>"


def excerpt(text: str, marks: list[str], width: int = EXCERPT_CHARS) -> str:
    """The part of a long passage around its first marked sentence (whole text if short)."""
    if len(text) <= width:
        return text
    positions = [text.find(m) for m in marks if m and m in text]
    first = min(positions) if positions else 0
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def group_by_case(hits: list[SearchHit]) -> list[tuple[str, list[SearchHit]]]:
    """Keep rank order; hits of the same precedent (case, survey answer) or document go
    together, by the same rule as meeting answers and drafting."""
    groups: dict[str, list[SearchHit]] = {}
    for h in hits:
        groups.setdefault(group_key(h), []).append(h)
    return list(groups.items())


def choose(
    label: str,
    options: list,
    key: str,
    labels: dict | None = None,
    all_label: str = "すべて",
    container=st,
    help: str | None = None,
):
    """A selectbox whose first choice (None) means 'no filter' (「すべて」「指定なし」…).

    A None value shows the placeholder rather than the option, so ``all_label`` is both:
    otherwise Streamlit's English 「Choose an option」 would appear.
    """
    return container.selectbox(
        label,
        [None, *options],
        key=key,
        format_func=lambda v: all_label if v is None else (labels or {}).get(v, v),
        placeholder=all_label,
        help=help,
    )


def cached_search(searcher: Searcher, query: str, filters: dict) -> SearchResult:
    """Search, reusing the last result when only a button was clicked (same query, filters)."""
    key = (searcher.store.version, query, tuple(sorted(filters.items(), key=str)))
    memo = st.session_state.get("search_memo")
    if memo is None or memo[0] != key:
        memo = (key, searcher.search(query, k=10, filters=SearchFilters(**filters)))
        st.session_state["search_memo"] = memo
    return memo[1]


def filter_row(prefix: str, prefectures: list[str]) -> dict[str, str | None]:
    """Theme / focus tag / category / prefecture selectors; returns SearchFilters fields."""
    cols = st.columns(4)
    return {
        "theme": choose(
            "テーマ", COUNCIL_THEMES, f"{prefix}_theme", THEME_LABELS, container=cols[0]
        ),
        "tag": choose("注目タグ", list(FOCUS_TAGS), f"{prefix}_tag", container=cols[1]),
        "category": choose("分類", CATEGORIES, f"{prefix}_category", container=cols[2]),
        "prefecture": choose("都道府県", prefectures, f"{prefix}_prefecture", container=cols[3]),
    }


def group_title(hits: list[SearchHit]) -> str:
    first = hits[0]
    if first.case_id:
        return f"{first.case_id} {first.case_name or ''}".strip()
    return group_label(first)[0]


def passage(
    hit: SearchHit, marks: list[str] | None = None, repeats: list[SearchHit] | None = None
) -> str:
    """One passage as Markdown: locator, document and the text with the matching sentences
    marked (its id and score are for the page's 詳細, not for the reader)."""
    marks = marks or hit.highlights
    parts = [
        f":material/location_on: **{md_escape(hit.locator, inline=True)}** "
        f"<small>（{md_escape(hit.doc_title, inline=True)}）</small>",
        highlight(excerpt(hit.text, marks), marks),
    ]
    if repeats:
        parts.append(note("同じ内容: " + "、".join(f"{r.doc_title} {r.locator}" for r in repeats)))
    return "\n\n".join(parts)


def group_markdown(hits: list[SearchHit], repeats: dict[str, list[SearchHit]] | None = None) -> str:
    """A case (or document) with its passages as one Markdown block: the browser draws one
    element instead of a title, a caption and two or three per passage, and each element
    costs it time (事例検索 has to show its results within 0.5 s)."""
    first = hits[0]
    parts = [f"#### {md_escape(group_title(hits), inline=True)}"]
    if first.case_id:
        md = first.metadata
        parts.append(
            note(
                f"{md.get('category', '')}・{md.get('location', '') or md.get('prefecture', '')}"
                f"・{'、'.join(md.get('tags', []))}"
            )
        )
    parts += [passage(h, repeats=(repeats or {}).get(h.chunk_id)) for h in hits]
    return "\n\n".join(parts)


def hit_group(
    hits: list[SearchHit],
    key: str,
    with_similar: bool = True,
    repeats: dict[str, list[SearchHit]] | None = None,
) -> None:
    """A bordered box for one case (or document) with its passages and actions."""
    first = hits[0]
    with st.container(border=True):
        st.markdown(group_markdown(hits, repeats), unsafe_allow_html=True)
        if first.case_id:
            row = st.container(horizontal=True)
            row.button(
                "事例の全文",
                key=f"{key}_full",
                icon=":material/menu_book:",
                on_click=open_case,
                args=(first.case_id, {h.chunk_id: h.highlights for h in hits}),
            )
            if with_similar:
                row.button(
                    "類似事例",
                    key=f"{key}_similar",
                    icon=":material/link:",
                    on_click=show_similar,
                    args=(first.case_id,),
                )


def open_case(case_id: str, marks: dict[str, list[str]] | None = None) -> None:
    """Callback: show the full case in the side panel."""
    st.session_state[CASE_VIEW] = {"case_id": case_id, "marks": marks or {}}


PANEL_OWNER = "side_panel_owner"


def panels_belong_to(owner: str) -> None:
    """Close the full case and similar cases opened elsewhere: on another page, or for an
    earlier search (``owner`` names the page, and for 事例検索 the query)."""
    if st.session_state.get(PANEL_OWNER) != owner:
        st.session_state.pop(CASE_VIEW, None)
        st.session_state.pop(SIMILAR, None)
        st.session_state[PANEL_OWNER] = owner


def close_case() -> None:
    st.session_state.pop(CASE_VIEW, None)


def close_panels() -> None:
    st.session_state.pop(CASE_VIEW, None)
    st.session_state.pop(SIMILAR, None)


PHONE_MARKERS = ("Mobi", "iPhone", "Android")


def on_phone() -> bool:
    """A phone's browser (by its User-Agent): a side column would fall below every result."""
    headers = st.context.headers
    agent = (headers.get("User-Agent") or "") if headers else ""
    return any(m in agent for m in PHONE_MARKERS)


@st.dialog("事例の詳細", width="large", on_dismiss=close_panels)
def _panel_dialog(panel: Callable[[], None]) -> None:
    if not (st.session_state.get(CASE_VIEW) or st.session_state.get(SIMILAR)):
        st.rerun()  # 閉じる inside the dialog reruns only the dialog: close it with the page
    panel()


def beside_panel(panel: Callable[[], None], is_open: bool) -> DeltaGenerator:
    """Where the page's main content goes: next to the open panel (3:2 columns), or on a
    phone the whole width with the panel in a dialog over it."""
    if not is_open:
        return st.container()
    if on_phone():
        _panel_dialog(panel)
        return st.container()
    main, side = st.columns([3, 2])
    with side:
        panel()
    return main


def show_similar(case_id: str | None) -> None:
    """Callback: show (or with None, hide) the cases similar to ``case_id``."""
    st.session_state.pop(CASE_VIEW, None)
    st.session_state[SIMILAR] = case_id


def similar_panel(searcher: Searcher) -> None:
    """Cases similar to the one chosen with 「類似事例」 (shared tags and overview text)."""
    case_id = st.session_state.get(SIMILAR)
    if not case_id:
        return
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown(
            f"### :material/link: {md_escape(case_id, inline=True)} に似た事例", width="stretch"
        )
        head.button(
            "閉じる",
            key="similar_close",
            on_click=show_similar,
            args=(None,),
            icon=":material/close:",
        )
        for i, sim in enumerate(similar_cases(searcher, case_id)):
            st.markdown(f"**{md_escape(f'{sim.case.case_id} {sim.case.name}', inline=True)}**")
            shared = "、".join(sim.shared_tags) or "なし"
            st.caption(
                md_escape(f"{sim.case.category}・{sim.case.location}・共通の注目タグ: {shared}")
            )
            if sim.hit is not None:
                text = excerpt(sim.hit.text.replace("\n", " "), sim.hit.highlights, 160)
                st.caption(md_escape(sim.hit.locator))
                st.markdown(highlight(text, sim.hit.highlights), unsafe_allow_html=True)
            st.button(
                "事例の全文",
                key=f"sim{i}_full",
                icon=":material/menu_book:",
                on_click=open_case,
                args=(sim.case.case_id,),
            )


def case_panel(store: IndexStore) -> None:
    """The full case chosen with 「事例の全文」: every section, cited passages marked."""
    view = st.session_state.get(CASE_VIEW)
    if not view:
        return
    case = store.case(view["case_id"])
    with st.container(border=True):
        head = st.container(horizontal=True, vertical_alignment="center")
        head.markdown(
            f"### :material/menu_book: {md_escape(f'{case.case_id} {case.name}', inline=True)}",
            width="stretch",
        )
        head.button("閉じる", key="case_close", on_click=close_case, icon=":material/close:")
        st.caption(md_escape(f"{case.category}・{case.location}・{'、'.join(case.tags)}"))
        for cid in case.chunk_ids:
            chunk = store.by_id.get(cid)
            if chunk is None:
                continue
            marks = view["marks"].get(cid, [])
            st.markdown(
                f"**{md_escape(chunk.locator.section or '', inline=True)}**"
                + (" :orange-badge[該当箇所]" if marks else "")
            )
            st.markdown(highlight(chunk.text, marks), unsafe_allow_html=True)


def row_errors_frame(errors: list) -> pd.DataFrame:
    """RowErrors as the table users fix their file from."""
    return pd.DataFrame(
        [
            {
                "ファイル": e.file,
                "行": e.row,
                "列": e.column,
                "セル": e.cell or "",
                "値": e.value,
                "理由": e.reason,
            }
            for e in errors
        ]
    )


PAGE_CSS = """
<style>
mark { background: #fff1a8; padding: 0 .1em; }
.passage { line-height: 1.8; font-size: 0.95rem; }
.hit-note { font-size: 0.875rem; opacity: 0.6; margin-bottom: 1rem; }
/* Streamlit's own English texts, said in Japanese (it has no setting for them) */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "ファイルを選ぶ"; font-size: .875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "ここにドラッグするか「ファイルを選ぶ」で指定（1ファイル20MBまで）"; font-size: .8rem; }
[data-testid="stStatusWidget"] { font-size: 0; }
[data-testid="stStatusWidget"] button { display: none; }
[data-testid="stStatusWidget"]::after { content: "処理中…"; font-size: .8rem; }
/* 印刷用: only the content prints, one sheet per page */
.print-break { break-after: page; page-break-after: always; height: 0; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stTabs"] [role="tablist"], [data-testid="stMultiSelect"],
  [data-testid="stButton"], [data-testid="stDownloadButton"], [data-testid="stCaptionContainer"],
  [data-testid="stExpander"], [data-testid="stCheckbox"], [data-testid="stFileUploader"] {
    display: none !important; }
  [data-testid="stVerticalBlockBorderWrapper"] { border: none !important; }
}
</style>
"""
PRINT_BREAK = '<div class="print-break"></div>'
"""Between two sheets of the print view."""


def page_css() -> None:
    """Once per run, from app.py: highlights and Japanese for Streamlit's built-in texts."""
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
