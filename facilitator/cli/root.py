"""Command line: a thin shell over the library. ``facilitator --help`` is the reference."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from facilitator.errors import FacilitatorError, InputError
from facilitator.settings import Settings, load_settings


def _settings() -> Settings:
    obj = click.get_current_context().obj
    return obj if isinstance(obj, Settings) else load_settings()


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="FACILITATOR_DATA_DIR",
    help="データの保存先（既定: ./data、環境変数 FACILITATOR_DATA_DIR）",
)
@click.option("-v", "--verbose", is_flag=True, help="詳しいログを表示")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: bool) -> None:
    """facilitator — かかりつけ医機能の協議の場のための事例検索・課題シート作成ツール.

    設定は環境変数 FACILITATOR_* で変更できます（`facilitator info` で確認）。
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = load_settings(data_dir=data_dir)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def info(as_json: bool) -> None:
    """有効な設定（データの場所・埋め込みモデル・LLM）と索引の状態を表示."""
    from facilitator.search.index import IndexStore

    s = _settings()
    data: dict[str, Any] = {
        "data_dir": str(s.data_dir),
        "corpus_dir": str(s.corpus_dir),
        "embedding_model": s.embedding_model,
        "reranker_model": s.reranker_model,
        "llm_model": s.llm_model,
        "llm_base_url": s.llm_base_url,
        "chroma": f"{s.chroma_host}:{s.chroma_port}" if s.chroma_host else "embedded",
    }
    try:
        data["index"] = IndexStore(s).meta
    except FacilitatorError as exc:
        data["index"] = None
        data["index_message"] = str(exc)
    if as_json:
        _echo_json(data)
    else:
        for key, value in data.items():
            click.echo(f"{key}: {value}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--title", help="追加する資料の題名（1ファイルのときのみ）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def ingest(paths: tuple[Path, ...], title: str | None, as_json: bool) -> None:
    """索引を作成・更新する。PATHS を渡すとその .txt / .pdf を資料として追加してから作り直す.

    変更のない文書のベクトルはキャッシュから再利用されます。
    """
    from facilitator.corpus.documents import add_document
    from facilitator.search.index import build_index

    s = _settings()
    if title and len(paths) != 1:
        raise InputError("--title はファイルを1つだけ指定したときに使えます。")
    added = []
    for path in paths:
        parsed = add_document(s, path, title=title)
        added.append(
            {
                "doc_id": parsed.document.doc_id,
                "title": parsed.document.title,
                "chunks": len(parsed.chunks),
            }
        )

    def progress(stage: str, i: int, n: int) -> None:
        if not as_json and stage == "embed":
            click.echo(f"\rベクトル化 {i}/{n}", nl=False, err=True)

    report = build_index(s, progress=progress)
    if as_json:
        _echo_json({**report.model_dump(), "added": added})
    else:
        click.echo("", err=True)
        for a in added:
            click.echo(f"追加: {a['title']}（{a['doc_id']}、{a['chunks']} チャンク）")
        click.echo(
            f"索引 {report.index_version}: {report.documents} 文書, {report.chunks} チャンク, "
            f"新規ベクトル化 {report.embedded}, キャッシュ {report.cached}, {report.seconds} 秒"
            f"（{report.embedder}）"
        )


@cli.command()
def bootstrap() -> None:
    """初回起動の準備: 索引がなければ作成し、報告データがなければ架空のサンプルを読み込む."""
    from facilitator.search.index import index_is_current

    s = _settings()
    if index_is_current(s):
        click.echo("索引: 最新です。")
    else:
        click.echo("索引を作成しています（初回は1〜2分かかります）…")
        from facilitator.search.index import build_index

        report = build_index(s)
        click.echo(f"索引: {report.chunks} チャンク（{report.seconds} 秒）")
    from facilitator.reports import SYNTHETIC_LABEL, load_sample

    if load_sample(s):
        click.echo(f"報告データ: 【{SYNTHETIC_LABEL}】架空県のサンプルを読み込みました。")
    else:
        click.echo("報告データ: 取り込み済みです。")


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


@cli.command()
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
    searcher = Searcher(_settings())
    if queries is not None:
        lines = _read_queries(queries)
        for line in lines:
            _echo_json(searcher.search(line, k=k, filters=filters, mode=mode).model_dump())
        return
    result = searcher.search(query or "", k=k, filters=filters, mode=mode)
    if as_json:
        _echo_json(result.model_dump())
        return
    if not result.confident:
        click.echo(
            "※ 質問に十分に当てはまる資料は見つかりませんでした（参考として近いものを表示）。"
        )
    for i, hit in enumerate(result.hits, 1):
        click.echo(f"{i}. [{hit.score:.4f}] {hit.doc_title} / {hit.locator}  ({hit.chunk_id})")
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


@cli.command()
@click.argument("chunk_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def chunk(chunk_id: str, as_json: bool) -> None:
    """チャンクの本文・所在・メタデータを表示する."""
    from facilitator.search.index import IndexStore

    c = IndexStore(_settings()).chunk(chunk_id)
    if as_json:
        _echo_json(
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


def _sheet_json(sheet: Any, messages: list[str] | None = None) -> dict[str, Any]:
    """Stable JSON of a sheet: id, version, the full model, per-field citations, unbacked."""
    return {
        "sheet_id": sheet.sheet_id,
        "version": sheet.version,
        "title": sheet.title,
        "mode": sheet.provenance.mode,
        "sheet": sheet.model_dump(mode="json"),
        "citations": {
            path: [
                {
                    "chunk_id": c.chunk_id,
                    "quote": c.quote,
                    "locator": c.locator,
                    "verified": c.verified,
                    "doc_title": c.doc_title,
                    "case_id": c.case_id,
                }
                for c in cites
            ]
            for path, cites in sheet.citations_by_field().items()
        },
        "unbacked": sheet.unbacked_fields(),
        "messages": list(messages if messages is not None else sheet.provenance.messages),
    }


def _echo_statement(statement: Any, head: str = "- ") -> None:
    click.echo(f"{head}{statement.text}")
    for c in statement.citations:
        click.echo(f"    〔引用〕{c.locator}: 「{c.quote}」" + ("" if c.verified else "（未検証）"))
    for f in statement.figures:
        click.echo(f"    〔数値〕{f.filter}")
    if statement.unbacked and statement.text.strip():
        click.echo("    ※ 根拠が確認できていません")


def _echo_sheet(sheet: Any) -> None:
    """A plain-text view of a sheet for the terminal (exports are `facilitator export`)."""
    click.echo(f"{sheet.title}（{sheet.sheet_id} 版{sheet.version}・{sheet.provenance.mode}）")
    click.echo(f"圏域: {sheet.area.name}　テーマ: {sheet.theme_label}　状態: {sheet.status}")
    click.echo("参加者: " + "、".join(sheet.participants))
    click.echo("■ 現状")
    for s in sheet.current_state:
        _echo_statement(s)
    click.echo("■ 目指す姿")
    _echo_statement(sheet.goal)
    click.echo("■ 課題")
    _echo_statement(sheet.issue)
    click.echo("■ 原因")
    for c in sheet.causes:
        _echo_statement(c, f"- [{c.viewpoint}] " if c.viewpoint else "- ")
    click.echo("■ 方策（役割分担）")
    for m in sheet.measures:
        _echo_statement(m, f"- [優先度 {m.priority}] ")
        for r in m.roles:
            click.echo(f"    役割: {r.actor} — {r.action}")
    click.echo("■ 期待される効果")
    for e in sheet.effects:
        _echo_statement(e)
    click.echo("■ 検証指標")
    for i in sheet.indicators:
        base = f" 現状 {i.baseline_text}" if i.baseline_text else ""
        click.echo(f"- {i.name}:{base} → 目標 {i.target}（報告項目: {', '.join(i.item_ids)}）")


@cli.command()
@click.option("--area", required=True, help="市町村・二次医療圏・都道府県のコードまたは名称")
@click.option(
    "--theme", required=True, help="テーマ: ichigo / jikangai / nyutaiin / zaitaku / kaigo"
)
@click.option("--issue", "issue_text", help="地域で感じている課題（任意。先行事例の検索に使う）")
@click.option("--year", type=int, help="報告年（省略時は最新）")
@click.option(
    "--llm", "use_llm", is_flag=True, help="設定した LLM で下書きする（失敗時はオフライン）"
)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def draft(
    area: str, theme: str, issue_text: str | None, year: int | None, use_llm: bool, as_json: bool
) -> None:
    """課題シートを下書きして保存する（引用はすべて検証済み）.

    JSON: {sheet_id, version, mode, sheet: {…全項目…}, citations: {"measures[0]": [{chunk_id,
    quote, locator, verified}]}, unbacked: [...], messages: [...]}
    """
    from facilitator.drafting.context import DraftRequest
    from facilitator.drafting.draft import draft_sheet

    result = draft_sheet(
        DraftRequest(area=area, theme=theme, issue_text=issue_text, year=year, use_llm=use_llm),
        _settings(),
    )
    if as_json:
        _echo_json(_sheet_json(result.sheet, result.messages))
        return
    _echo_sheet(result.sheet)
    for m in result.messages:
        click.echo(f"※ {m}")
    click.echo(f"保存しました: {result.sheet.sheet_id}（版{result.sheet.version}）")


@cli.command()
@click.argument("question", required=False)
@click.option("--theme", help="テーマ: ichigo / jikangai / nyutaiin / zaitaku / kaigo")
@click.option("--tag", help="注目タグ（例: 在宅医療、休日夜間・24時間対応）")
@click.option("--k", default=8, show_default=True, help="検索する資料の数")
@click.option("--llm", "use_llm", is_flag=True, help="設定した LLM で短い回答を作る（引用は検証）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def ask(
    question: str | None, theme: str | None, tag: str | None, k: int, use_llm: bool, as_json: bool
) -> None:
    """質問に答える先行事例を、該当する文（原文のまま）と所在つきで示す.

    JSON: {question, answer_text, mode, confident, groups: [{label, case_id, passages:
    [{chunk_id, locator, sentences}]}], citations: [...], messages: [...]}
    """
    from facilitator.drafting.answer import ask as ask_question
    from facilitator.search.searcher import SearchFilters

    answer = ask_question(
        question or "", SearchFilters(theme=theme, tag=tag), _settings(), use_llm=use_llm, k=k
    )
    if as_json:
        _echo_json(answer.model_dump(mode="json"))
        return
    click.echo(answer.answer_text)
    for group in answer.groups:
        click.echo(f"■ {group.label}")
        for p in group.passages:
            click.echo(f"  {p.locator}（{p.chunk_id}）")
            for sentence in p.sentences:
                click.echo(f"    「{sentence}」")
            if p.also_in:
                click.echo(f"    （同じ内容: {'、'.join(p.also_in)}）")
    for m in answer.messages:
        click.echo(f"※ {m}")


@cli.group()
def sheets() -> None:
    """保存した課題シート（版の履歴つき）を一覧・表示する."""


@sheets.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_list(as_json: bool) -> None:
    """保存したシートの一覧（最新版）。JSON: {sheets: [{sheet_id, version, title, …}]}."""
    from facilitator.sheets.store import SheetStore

    rows = SheetStore(_settings()).list()
    if as_json:
        _echo_json({"sheets": [r.model_dump() for r in rows]})
        return
    if not rows:
        click.echo("保存されたシートはまだありません（`facilitator draft` で作成できます）。")
    for r in rows:
        click.echo(f"{r.sheet_id}  版{r.version}  {r.status}  {r.saved_at}  {r.title}")


@sheets.command("show")
@click.argument("sheet_id")
@click.option("--version", type=int, help="表示する版（省略時は最新）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_show(sheet_id: str, version: int | None, as_json: bool) -> None:
    """シートを表示する。JSON は draft --json と同じ形."""
    from facilitator.sheets.store import SheetStore

    if version is not None and version < 1:
        raise InputError("版（--version）は 1 以上で指定してください。")
    sheet = SheetStore(_settings()).get(sheet_id, version)
    if as_json:
        _echo_json(_sheet_json(sheet))
        return
    _echo_sheet(sheet)


@sheets.command("history")
@click.argument("sheet_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_history(sheet_id: str, as_json: bool) -> None:
    """シートの版の履歴。JSON: {sheet_id, versions: [{version, saved_at, author, message, status}]}."""
    from facilitator.sheets.store import SheetStore

    versions = SheetStore(_settings()).history(sheet_id)
    if as_json:
        _echo_json({"sheet_id": sheet_id, "versions": [v.model_dump() for v in versions]})
        return
    for v in versions:
        click.echo(f"版{v.version}  {v.saved_at}  {v.status}  {v.author or '-'}  {v.message}")


def _register_subcommands() -> None:
    """Commands that live next to their concern (reports, export) join the one CLI here."""
    from facilitator.cli.export import agenda_command, export_command, import_xlsx_command
    from facilitator.cli.reports import reports

    cli.add_command(reports)
    cli.add_command(export_command)
    cli.add_command(agenda_command)
    sheets.add_command(import_xlsx_command)


_register_subcommands()


def main() -> None:
    """Entry point: turns library errors into a Japanese message and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("中断しました。", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FacilitatorError as exc:
        click.echo(f"エラー: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
