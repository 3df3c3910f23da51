"""協議中の質問: the conversation kept in st.session_state, its context and its answers.

The context (area, theme, filters) belongs to the conversation: every follow-up question
is asked with it, and each turn stores its Answer, so earlier answers keep their citations.
"""

from __future__ import annotations

import html

import streamlit as st

from facilitator.drafting.answer import Answer, ask
from facilitator.drafting.headlines import by_source, cited_places
from facilitator.errors import FacilitatorError
from facilitator.meetings import MeetingStore
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.text import md_escape, md_unlink, one_line
from facilitator.themes import THEME_LABELS
from facilitator.ui.components.common import current_user, llm_configured, show_error
from facilitator.ui.components.widgets import filter_row, open_case

CHAT = "chat"
FILTER_KEYS = ("theme", "tag", "category", "prefecture")
MODE_LABELS = {
    "offline": "資料の該当箇所からの抜き出し（LLMなし）",
    "llm": "LLMの回答（引用は検証済み）",
    "llm-fallback": "検索結果（LLMの回答が使えなかったため）",
}


def conversation() -> dict:
    return st.session_state.setdefault(CHAT, {"context": {}, "turns": []})


def new_conversation() -> None:
    """Callback: forget the turns and the context (the filter widgets start empty)."""
    st.session_state[CHAT] = {"context": {}, "turns": []}
    for k in FILTER_KEYS:
        st.session_state.pop(f"chat_{k}", None)


def context_controls(searcher: Searcher, area_label: str | None) -> dict:
    """The conversation's conditions; kept in the conversation, restored after a page switch."""
    conv = conversation()
    for k in FILTER_KEYS:
        if f"chat_{k}" not in st.session_state and conv["context"].get(k):
            st.session_state[f"chat_{k}"] = conv["context"][k]
    prefectures = sorted({c.prefecture for c in searcher.store.cases if c.prefecture})
    filters = filter_row("chat", prefectures)
    conv["context"] = {**filters, "area": area_label}
    return filters


def context_caption(context: dict) -> str:
    parts = [f"地域: {context['area']}"] if context.get("area") else []
    if context.get("theme"):
        parts.append(f"テーマ: {THEME_LABELS.get(context['theme'], context['theme'])}")
    parts += [
        f"{label}: {context[k]}"
        for k, label in (("tag", "注目タグ"), ("category", "分類"), ("prefecture", "都道府県"))
        if context.get(k)
    ]
    return "・".join(parts) or "条件なし（すべての資料）"


def record_context(context: dict) -> dict:
    """The conversation's conditions as the minutes show them (the theme by its name)."""
    out = {k: v for k, v in context.items() if v}
    if out.get("theme"):
        out["theme"] = THEME_LABELS.get(out["theme"], out["theme"])
    return out


def ask_and_store(
    searcher: Searcher, question: str, filters: dict, meeting_id: str | None = None
) -> None:
    """Ask, keep the turn in the conversation and, when a meeting is chosen, in its record."""
    settings = searcher.settings
    use_llm = bool(st.session_state.get("chat_llm")) and llm_configured()
    try:
        answer = ask(
            question,
            SearchFilters(**filters),
            settings,
            searcher,
            use_llm=use_llm,
            area=conversation()["context"].get("area"),
        )
    except FacilitatorError as exc:
        show_error(exc)
        return
    conv = conversation()
    conv["turns"].append({"question": question, "context": dict(conv["context"]), "answer": answer})
    if meeting_id:
        try:
            MeetingStore(settings).add(
                meeting_id,
                question,
                answer,
                record_context(conv["context"]),
                asked_by=current_user(),
            )
        except FacilitatorError as exc:
            st.error(f"議事メモに記録できませんでした（回答は下に表示しています）: {exc}")


def _passages(i: int, answer: Answer) -> None:
    """The passages behind an answer, grouped by precedent, with a button to read a case."""
    for j, g in enumerate(answer.groups):
        st.markdown(f"**{md_escape(g.label)}**")
        for p in g.passages:
            quotes = "".join(f"<mark>{md_unlink(html.escape(s))}</mark> " for s in p.sentences)
            st.markdown(
                f":material/location_on: {md_unlink(html.escape(p.locator))}<br>{quotes}",
                unsafe_allow_html=True,
            )
            if p.also_in:
                st.caption(md_escape("同じ内容: " + "、".join(p.also_in)))
        if g.case_id:
            st.button(
                "事例の全文",
                key=f"chat{i}_{j}_full",
                icon=":material/menu_book:",
                on_click=open_case,
                args=(g.case_id, {p.chunk_id: p.sentences for p in g.passages}),
            )


def _details(answer: Answer) -> None:
    """How the answer was made, for whoever asks: behind 詳細, never in the answer."""
    with st.expander("詳細", icon=":material/info:"):
        st.caption(MODE_LABELS.get(answer.mode, answer.mode))
        if answer.index_version:
            st.caption(f"索引の版: {answer.index_version}・埋め込みモデル: {answer.embedder}")
        if answer.llm_model:
            st.caption(f"LLM: {answer.llm_model}")
        for m in answer.messages:
            st.caption(m)


def show_turn(i: int, turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(md_escape(turn["question"]))
        st.caption(f"条件: {context_caption(turn['context'])}")
    answer: Answer = turn["answer"]
    with st.chat_message("assistant"):
        if answer.kind == "unanswered" or not answer.confident:
            st.warning(
                md_escape(answer.headline or answer.answer_text), icon=":material/search_off:"
            )
            if answer.missing:
                st.caption(md_escape("資料に見当たらないもの: " + "、".join(answer.missing)))
        elif answer.kind == "figure":
            st.info(md_escape(answer.headline), icon=":material/bar_chart:")
        elif answer.mode == "llm":
            st.markdown(md_escape(answer.answer_text))
        else:
            st.markdown(md_escape(answer.headline))
            for label, run in by_source(answer.points):
                quotes = [
                    f"「{md_escape(one_line(p.quote))}」" + (f"（{md_escape(at)}）" if at else "")
                    for p, at in run
                ]
                if len(run) == 1:
                    st.markdown(f"- **{md_escape(label)}**：{quotes[0]}")
                else:
                    st.markdown(
                        "\n".join([f"- **{md_escape(label)}**", *(f"    - {q}" for q in quotes)])
                    )
        if answer.citations and answer.confident:
            places = cited_places([c.locator for c in answer.citations])
            st.caption(md_escape("引用: " + "／".join(places)))
        if answer.groups:
            title = "根拠となる箇所" if answer.confident else "近い資料（回答ではありません）"
            n = sum(len(g.passages) for g in answer.groups)
            with st.expander(f"{title}（{n}件）", expanded=False):
                _passages(i, answer)
        _details(answer)
