"""Index and search commands: ``info``, ``ingest``, ``bootstrap``, ``search``, ``chunk``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from facilitator.cli.root import echo_json, settings
from facilitator.corpus.documents import (
    LOCK_TIMEOUT,
    MAX_DOCUMENT_CHARS,
    MAX_FILE_MB,
    ingest_lock,
)
from facilitator.errors import FacilitatorError, InputError, ServerUnavailableError


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def info(as_json: bool) -> None:
    """有効な設定（データの場所・シートのデータベース・埋め込みモデル・LLM）と索引の状態（最新か・作成中か）を表示."""
    from facilitator.corpus.documents import ingest_running
    from facilitator.search.index import IndexStore, index_status
    from facilitator.storage.db import database_url, describe

    s = settings()
    try:
        database = describe(database_url(s))  # never the password
    except FacilitatorError as exc:
        database = str(exc)
    data: dict[str, Any] = {
        "data_dir": str(s.data_dir),
        "corpus_dir": str(s.corpus_dir),
        "embedding_model": s.embedding_model,
        "reranker_model": s.reranker_model,
        "llm_model": s.llm_model,
        "llm_base_url": s.llm_base_url,
        "chroma": f"{s.chroma_host}:{s.chroma_port}" if s.chroma_host else "embedded",
        "database": database,
    }
    status = index_status(s)
    status["ingest_running"] = ingest_running(s)
    try:
        store = IndexStore(s)
        data["index"] = store.meta
        if store.collection.count() != store.n_windows:
            raise FacilitatorError(
                f"索引のベクトル数（{store.collection.count()}）が記録（{store.n_windows}）と"
                "一致しません。`facilitator ingest` で作り直してください。"
            )
    except FacilitatorError as exc:
        data.setdefault("index", None)
        data["index_message"] = str(exc)
        if isinstance(exc, ServerUnavailableError):
            status["state"] = "unreachable"
        elif status["state"] != "missing":
            status["state"] = "broken"
    status["message"] = _status_message(status)
    data["index_status"] = status
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        if key not in ("index", "index_status"):
            click.echo(f"{key}: {value}")
    if status.get("build"):
        click.echo(
            f"索引: {status['build']}（{status['built_at']} 作成、{status['documents']} 文書・"
            f"{status['chunks']} チャンク）"
        )
    click.echo(f"索引の状態: {status['message']}")


def _status_message(status: dict[str, Any]) -> str:
    """The index state in one Japanese sentence (or two)."""
    state = status["state"]
    if state == "missing":
        text = "まだ作成されていません。`facilitator ingest` で作成してください。"
    elif state == "broken":
        text = "開けません（index_message を参照）。`facilitator ingest` で作り直してください。"
    elif state == "unreachable":
        text = (
            "ベクトル検索サーバーに接続できないため使えません（index_message を参照）。"
            "サーバーを起動すれば、作り直さずにそのまま使えます。"
        )
    elif state == "current":
        text = "最新です（資料の現在の内容から作成されています）。"
    elif state == "outdated":
        text = (
            "この版の facilitator は索引の作り方が新しくなっています（資料は変わっていません）。"
            "検索は前回の索引で行われます。`facilitator ingest` で作り直してください。"
        )
    else:
        changes = status.get("changes") or {}
        parts = [
            f"{label}: {'、'.join(changes[key])}"
            for key, label in (("added", "追加"), ("removed", "削除"), ("changed", "変更"))
            if changes.get(key)
        ]
        detail = f"（{' ／ '.join(parts)}）" if parts else ""
        text = (
            f"前回の作成の後に資料が変わっています{detail}。検索は前回の索引で行われます。"
            "`facilitator ingest` で作り直してください。"
        )
    if status.get("ingest_running"):
        text += " 現在、別の処理が資料の追加または索引の作成を実行中です。"
    if status.get("interrupted"):
        text += (
            f" 中断された作成が {status['interrupted']} 件残っています（次の作成で削除されます）。"
        )
    return text


INGEST_HELP = f"""索引を作成・更新する。PATHS を渡すとその .txt / .md / .pdf を資料として追加してから作り直す.

変更のない文書のベクトルはキャッシュから再利用されます。複数のファイルは、すべてを確認してから
一度に追加します（1つでも追加できなければ、どれも追加しません）。1ファイルの上限は
{MAX_FILE_MB} MB・本文 {MAX_DOCUMENT_CHARS:,} 文字です。同時に実行した取り込みは順番に行われます。
"""


@click.command(help=INGEST_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--title", help="追加する資料の題名（1ファイルのときのみ）")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=LOCK_TIMEOUT,
    show_default=True,
    help="別の取り込みが実行中のとき待つ秒数（0 なら待たずにエラー）",
)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def ingest(paths: tuple[Path, ...], title: str | None, wait: float, as_json: bool) -> None:
    from facilitator.corpus.documents import add_documents
    from facilitator.search.embeddings import load_embedder
    from facilitator.search.index import build_index

    s = settings()
    if title and len(paths) != 1:
        raise InputError("--title はファイルを1つだけ指定したときに使えます。")
    embedder = load_embedder(s.embedding_model)

    def waiting() -> None:
        click.echo(
            f"別の取り込みが実行中です。終わるまで待っています（最大 {wait:.0f} 秒）…", err=True
        )

    def progress(stage: str, i: int, n: int) -> None:
        if not as_json and stage in ("embed", "sentences"):
            what = "ベクトル化" if stage == "embed" else "文ごとのベクトル化"
            click.echo(f"\r{what} {i}/{n}", nl=False, err=True)

    with ingest_lock(s, timeout=wait, on_wait=waiting):
        parsed = add_documents(s, list(paths), title=title) if paths else []
        from facilitator.auth.audit import command_actor, record

        for p in parsed:
            record(s, "document_add", p.document.title, command_actor(), p.document.path)
        report = build_index(s, embedder=embedder, progress=progress)
    added = [
        {"doc_id": p.document.doc_id, "title": p.document.title, "chunks": len(p.chunks)}
        for p in parsed
    ]
    if as_json:
        echo_json({**report.model_dump(), "added": added})
    else:
        click.echo("", err=True)
        for a in added:
            click.echo(f"追加: {a['title']}（{a['doc_id']}、{a['chunks']} チャンク）")
        click.echo(
            f"索引 {report.index_version}: {report.documents} 文書, {report.chunks} チャンク, "
            f"新規ベクトル化 {report.embedded}, キャッシュ {report.cached}, {report.seconds} 秒"
            f"（{report.embedder}）"
        )


@click.command()
def bootstrap() -> None:
    """初回起動の準備: 索引がなければ作成し、報告データがなければ架空のサンプルを読み込み、
    利用者がいなければ管理者（admin）を作ってパスワードを一度だけ表示する."""
    from facilitator.search.index import build_index, index_is_current

    s = settings()
    with ingest_lock(s, on_wait=lambda: click.echo("別の取り込みの終了を待っています…")):
        if index_is_current(s):
            click.echo("索引: 最新です。")
        else:
            click.echo("索引を作成しています（初回は1〜2分かかります）…")
            report = build_index(s)
            click.echo(f"索引: {report.chunks} チャンク（{report.seconds} 秒）")
    from facilitator.reports import SYNTHETIC_LABEL, load_sample

    if load_sample(s):
        click.echo(f"報告データ: 【{SYNTHETIC_LABEL}】架空県のサンプルを読み込みました。")
    else:
        click.echo("報告データ: 取り込み済みです。")
    from facilitator.auth import UserStore

    password = UserStore(s).ensure_admin() if s.auth else None
    if password:
        click.echo(
            f"ログイン: 管理者アカウントを作成しました。ユーザー名 admin、パスワード {password}\n"
            "  （この表示は一度だけです。`facilitator users passwd admin` で変更し、"
            "`facilitator users add 名前 --role editor` で事務局の職員を追加してください）"
        )


def _filters(
    theme: str | None,
    tag: str | None,
    category: str | None,
    prefecture: str | None,
    kind: str | None,
) -> Any:
    from facilitator.search.searcher import SearchFilters

    return SearchFilters(
        theme=theme, tag=tag, category=category, prefecture=prefecture, doc_kind=kind
    )


@click.command()
@click.argument("query", required=False)
@click.option("--k", default=10, show_default=True, help="表示件数")
@click.option("--theme", help="テーマ: ichigo / jikangai / nyutaiin / zaitaku / kaigo")
@click.option("--tag", help="注目タグ（例: 在宅医療、休日夜間・24時間対応）")
@click.option("--category", help="分類: 診療所 / 病院 / 地域の連携 / 参考事例")
@click.option("--prefecture", help="都道府県（例: 千葉県）")
@click.option("--kind", type=click.Choice(["guideline", "casebook", "local"]), help="資料の種類")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "dense"]),
    default="hybrid",
    show_default=True,
    help="検索方式",
)
@click.option(
    "--queries",
    type=click.Path(exists=True, path_type=Path),
    help="1行1件の質問ファイル（JSON Lines で順に出力）",
)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def search(
    query: str | None,
    k: int,
    theme: str | None,
    tag: str | None,
    category: str | None,
    prefecture: str | None,
    kind: str | None,
    mode: str,
    queries: Path | None,
    as_json: bool,
) -> None:
    """事例・ガイドラインを検索する（語彙検索とベクトル検索の融合）.

    JSON: {query, mode, confident, hits: [{chunk_id, doc_title, locator, case_id, text, score}]}
    """
    from facilitator.search.searcher import Searcher

    if queries is None and not (query and query.strip()):
        raise InputError("検索語が空です。質問や語句を入力してください。")
    filters = _filters(theme, tag, category, prefecture, kind)
    searcher = Searcher(settings())
    if queries is not None:
        lines = _read_queries(queries)
        for line in lines:
            echo_json(searcher.search(line, k=k, filters=filters, mode=mode).model_dump())
        return
    result = searcher.search(query or "", k=k, filters=filters, mode=mode)
    if as_json:
        echo_json(result.model_dump())
        return
    if not result.confident:
        click.echo(
            "※ 質問に十分に当てはまる資料は見つかりませんでした（参考として近いものを表示）。"
        )
        if result.missing:
            click.echo(f"※ 資料に見当たらないもの: {'、'.join(result.missing)}")
    for i, hit in enumerate(result.hits, 1):  # ids and scores are in --json
        click.echo(f"{i}. {hit.doc_title} / {hit.locator}")
        for sentence in hit.highlights or [hit.text[:120]]:
            click.echo(f"    {sentence}")


def _read_queries(path: Path) -> list[str]:
    """One query per line; a line may also be a JSON string or {"query": ...}."""
    out: list[str] = []
    text = path.read_text(encoding="utf-8-sig")
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("{", '"')):
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path} {n}行目: JSON として読めません: {exc.msg}") from exc
            line = value.get("query", "") if isinstance(value, dict) else str(value)
        out.append(line)
    return out


@click.command()
@click.argument("chunk_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def chunk(chunk_id: str, as_json: bool) -> None:
    """チャンクの本文・所在・メタデータを表示する."""
    from facilitator.search.index import IndexStore

    c = IndexStore(settings()).chunk(chunk_id)
    if as_json:
        echo_json(
            {
                "chunk_id": c.chunk_id,
                "doc_id": c.doc_id,
                "doc_title": c.doc_title,
                "doc_kind": str(c.doc_kind),
                "case_id": c.case_id,
                "locator": c.locator.label(),
                "location": c.locator.model_dump(),
                "text": c.text,
                "metadata": c.metadata,
            }
        )
        return
    click.echo(f"{c.doc_title} / {c.locator.label()}\n\n{c.text}")
