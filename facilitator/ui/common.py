"""Shared resources for the pages: settings, the searcher, the mode banner."""

from __future__ import annotations

import streamlit as st

from ..errors import FacilitatorError
from ..retrieval import Searcher
from ..settings import Settings, load_settings


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="検索エンジンを読み込んでいます…")
def get_searcher(index_version: str) -> Searcher:
    """One Searcher per index version: re-indexing invalidates it."""
    return Searcher(get_settings())


def current_index_version(settings: Settings) -> str | None:
    import json

    meta = settings.index_dir / "meta.json"
    if not meta.exists():
        return None
    return str(json.loads(meta.read_text("utf-8"))["index_version"])


def searcher_or_error() -> Searcher | None:
    """The searcher, or a Japanese error on the page when there is no index."""
    settings = get_settings()
    version = current_index_version(settings)
    if version is None:
        st.error("検索インデックスがありません。「資料・データ管理」で索引を作成してください。")
        return None
    try:
        return get_searcher(version)
    except FacilitatorError as exc:
        st.error(str(exc))
        return None


def mode_caption() -> None:
    """Always show which models are active (PRODUCT.md: the app says which are active)."""
    s = get_settings()
    llm = s.llm_model or "なし（オフライン作成）"
    st.caption(f"埋め込みモデル: {s.embedding_model} ／ LLM: {llm}")
