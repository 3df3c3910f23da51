"""Shared resources for the pages: settings, searcher, stores, banners and the index builder."""

from __future__ import annotations

import logging

import streamlit as st

from facilitator.errors import FacilitatorError
from facilitator.search.embeddings import Embedder, load_embedder
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings, load_settings
from facilitator.sheets.store import SheetStore
from facilitator.text import md_escape

log = logging.getLogger(__name__)

SYNTHETIC_BANNER = (
    "**架空データ**：表示している報告データは、実在しない「架空県」（都道府県コード99）の"
    "架空データです。実在の地域・医療機関とは関係ありません。"
)


def get_settings() -> Settings:
    """Settings read once per browser session (the environment is read here, not at import)."""
    if "settings" not in st.session_state:
        st.session_state["settings"] = load_settings()
    return st.session_state["settings"]


@st.cache_resource(show_spinner="埋め込みモデルを読み込んでいます…")
def get_embedder(model: str) -> Embedder:
    return load_embedder(model)


WARM_UP_QUERY = "在宅医療の連携"


@st.cache_resource(show_spinner="検索エンジンを読み込んでいます…")
def _searcher(index_dir: str, build: str, model: str, _settings: Settings) -> Searcher:
    """One Searcher per index folder and build: re-indexing gives a new one. One search is
    run while loading, so the first question of a meeting does not pay for the tokenizer's
    and the model's first call (~150 ms)."""
    searcher = Searcher(_settings, embedder=get_embedder(model))
    searcher.search(WARM_UP_QUERY, k=3)
    return searcher


def current_index_version(settings: Settings) -> str | None:
    from facilitator.search.index import read_meta

    meta = read_meta(settings)
    return None if meta is None else str(meta["index_version"])


def get_searcher() -> Searcher | None:
    """The searcher, or None when there is no index yet (no message)."""
    from facilitator.search.index import read_meta

    s = get_settings()
    meta = read_meta(s)
    if meta is None:
        return None
    build = str(meta.get("build") or meta["index_version"])  # every build is a new folder
    return _searcher(str(s.index_dir), build, s.embedding_model, s)


def searcher_or_setup() -> Searcher | None:
    """The searcher; without an index, a clear message and a button that builds it."""
    try:
        searcher = get_searcher()
    except FacilitatorError as exc:
        st.error(str(exc))
        index_builder(key="build_index_error", label="索引を作り直す")
        return None
    if searcher is None:
        st.warning(
            "検索インデックスがまだありません。同梱の資料（ガイドライン・事例集など）から"
            "索引を作成してください（初回は1〜3分かかります）。"
        )
        index_builder(key="build_index_missing")
    return searcher


def index_builder(key: str, label: str = "索引を作成する", primary: bool = True) -> bool:
    """A button that (re)builds the index with a progress bar; True when it was rebuilt."""
    kind = "primary" if primary else "secondary"
    if not st.button(label, key=key, type=kind, icon=":material/build:"):
        return False
    built = build_index_now()
    st.rerun()
    return built


APP_LOCK_TIMEOUT = 60.0
"""Seconds the app waits for another ingest (CLI or another browser) before saying so."""


def build_index_now() -> bool:
    from facilitator.corpus.documents import ingest_lock
    from facilitator.search.index import build_index

    s = get_settings()
    bar = st.progress(0.0, text="資料を読み込んでいます…")

    def progress(stage: str, i: int, n: int) -> None:
        if stage == "embed" and n:
            bar.progress(0.05 + 0.6 * i / n, text=f"ベクトル化 {i}/{n}")
        elif stage == "sentences" and n:
            bar.progress(0.65 + 0.3 * i / n, text=f"文ごとのベクトル化 {i}/{n}")
        elif stage == "parse":
            bar.progress(0.05, text=f"{n} 文書を解析しました。ベクトル化しています…")

    def waiting() -> None:
        bar.progress(0.0, text="別の取り込みが終わるのを待っています…")

    try:
        with ingest_lock(s, timeout=APP_LOCK_TIMEOUT, on_wait=waiting):
            report = build_index(s, embedder=get_embedder(s.embedding_model), progress=progress)
    except (FacilitatorError, OSError, ValueError) as exc:
        bar.empty()
        flash("error", f"索引を作成できませんでした（以前の索引はそのまま使えます）: {exc}")
        return False
    bar.progress(1.0, text="完了")
    flash(
        "success",
        f"索引を作成しました: {report.documents} 文書・{report.chunks} チャンク"
        f"（新規ベクトル化 {report.embedded}・キャッシュ {report.cached}・{report.seconds} 秒）",
    )
    return True


def sheet_store() -> SheetStore:
    return SheetStore(get_settings())


def current_user() -> str | None:
    """Who is logged in (the meeting record's asker); None when login is switched off."""
    return st.session_state.get("user_name")


def audit(action: str, target: str = "", detail: str = "") -> None:
    """Record an operation of the person logged in (facilitator.auth.audit)."""
    from facilitator.auth.audit import record

    record(get_settings(), action, target, actor=current_user(), detail=detail)


def llm_configured() -> bool:
    return bool(get_settings().llm_model)


def mode_caption() -> None:
    """Always show which models are active (PRODUCT.md: the app says which are active)."""
    from facilitator.drafting.chat import describe_model

    s = get_settings()
    llm = (
        describe_model(s)
        if s.llm_model
        else "なし（オフライン作成：LLMを使わず資料から組み立てます）"
    )
    how = "LLMあり（引用は資料と照合）" if s.llm_model else "資料からの抜き出し（LLMなし）"
    cols = st.columns([6, 1])
    cols[0].caption(f"回答・下書きの作り方: {how}")
    with cols[1].popover("詳細", icon=":material/info:"):
        rerank = f"\n\n再ランク: {s.reranker_model}" if s.reranker_model else ""
        st.caption(f"埋め込みモデル: {s.embedding_model}{rerank}\n\nLLM: {llm}")


def synthetic_banner() -> None:
    st.warning(SYNTHETIC_BANNER, icon=":material/warning:")


def show_error(exc: Exception) -> None:
    """A library error as a Japanese message (multi-line messages keep their lines); the names
    and values it quotes from files or people are shown literally, never as a link."""
    st.error(md_escape(str(exc)))


FLASH = "flash_messages"


def flash(kind: str, body: object) -> None:
    """Keep a message for the next run (kind: success | info | warning | error | table)."""
    st.session_state.setdefault(FLASH, []).append((kind, body))


def show_flash() -> None:
    """Show (once) the messages kept by :func:`flash` before a rerun."""
    for kind, body in st.session_state.pop(FLASH, []):
        if kind == "table":
            st.dataframe(body, hide_index=True)
        else:
            getattr(st, kind)(md_escape(str(body)))
