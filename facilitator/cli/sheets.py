"""Issue-sheet commands: ``draft``, ``ask`` and ``sheets list|show|history``.

The plain-text views here are for the terminal; files for a meeting come from
``facilitator export``.
"""

from __future__ import annotations

from typing import Any

import click

from facilitator.cli.root import FacilitatorGroup, echo_json, settings
from facilitator.errors import InputError
from facilitator.sheets.model import field_label
from facilitator.text import japanese_time, one_line


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
                    "support": c.support,
                    "reference": c.reference,
                }
                for c in cites
            ]
            for path, cites in sheet.citations_by_field().items()
        },
        "unbacked": sheet.unbacked_fields(),
        "flagged": [
            {"path": path, "field": field_label(path), "reason": reason}
            for path, st in sheet.statements()
            for reason in st.review
        ],
        "messages": list(messages if messages is not None else sheet.provenance.messages),
    }


def _echo_statement(statement: Any, head: str = "- ") -> None:
    click.echo(f"{head}{statement.text}")
    for c in statement.citations:
        kind = "参考" if c.reference else "引用"
        click.echo(
            f"    〔{kind}〕{c.locator}: 「{one_line(c.quote)}」"
            + ("" if c.verified else "（未検証）")
        )
    for f in statement.figures:
        click.echo(f"    〔数値〕{f.provenance}")
    if statement.unbacked and statement.text.strip():
        click.echo("    ※ 根拠が確認できていません")
    for reason in statement.review:
        click.echo(f"    ※ 要確認: {reason}")


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


@click.command()
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
        settings(),
    )
    if as_json:
        echo_json(_sheet_json(result.sheet, result.messages))
        return
    _echo_sheet(result.sheet)
    for m in result.messages:
        click.echo(f"※ {m}")
    click.echo(f"保存しました: {result.sheet.sheet_id}（版{result.sheet.version}）")


@click.command()
@click.argument("question", required=False)
@click.option("--theme", help="テーマ: ichigo / jikangai / nyutaiin / zaitaku / kaigo")
@click.option("--tag", help="注目タグ（例: 在宅医療、休日夜間・24時間対応）")
@click.option(
    "--area", help="協議の場の地域（数値の質問で地域を言わないときに使う。例: 北部医療圏）"
)
@click.option("--k", default=8, show_default=True, help="検索する資料の数")
@click.option("--llm", "use_llm", is_flag=True, help="設定した LLM で短い回答を作る（引用は検証）")
@click.option(
    "--meeting", "meeting_id", help="質問と回答をこの会議の議事メモに記録する（meeting new で作成）"
)
@click.option("--by", "asked_by", help="議事メモに残す質問者の名前")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def ask(
    question: str | None,
    theme: str | None,
    tag: str | None,
    area: str | None,
    k: int,
    use_llm: bool,
    meeting_id: str | None,
    asked_by: str | None,
    as_json: bool,
) -> None:
    """協議中の質問に答える: 数値は報告データから、手続きは資料の引用で、取組は事例名とその内容で.

    資料に答えがないときはそう答え、近い資料は「回答ではありません」として示す。

    JSON: {question, kind (figure|definition|precedent|unanswered), headline, points:
    [{label, quote, locator, chunk_id}], answer_text, confident, figure, missing, groups:
    [{label, case_id, passages: [{chunk_id, locator, sentences}]}], citations, messages}
    """
    from facilitator.drafting.answer import ask as ask_question
    from facilitator.meetings import MeetingStore
    from facilitator.search.searcher import SearchFilters

    store = MeetingStore(settings()) if meeting_id else None
    if store and meeting_id:
        store.get(meeting_id)  # an unknown meeting fails before the question is answered
    answer = ask_question(
        question or "",
        SearchFilters(theme=theme, tag=tag),
        settings(),
        use_llm=use_llm,
        k=k,
        area=area,
    )
    if store and meeting_id:
        context = {k: v for k, v in {"area": area, "theme": theme, "tag": tag}.items() if v}
        store.add(meeting_id, answer.question, answer, context, asked_by=asked_by)
    if as_json:
        echo_json(answer.model_dump(mode="json"))
        return
    click.echo(answer.answer_text)
    if answer.groups:
        title = "根拠となる箇所" if answer.confident else "近い資料（回答ではありません）"
        click.echo(f"\n【{title}】")
    for group in answer.groups:
        click.echo(f"■ {group.label}")
        for p in group.passages:
            click.echo(f"  {p.locator}")
            for sentence in p.sentences:
                click.echo(f"    「{sentence}」")
            if p.also_in:
                click.echo(f"    （同じ内容: {'、'.join(p.also_in)}）")
    for m in answer.messages:
        click.echo(f"※ {m}")


@click.group(cls=FacilitatorGroup)
def sheets() -> None:
    """保存した課題シート（版の履歴つき）を一覧・表示する."""


@sheets.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_list(as_json: bool) -> None:
    """保存したシートの一覧（最新版）。JSON: {sheets: [{sheet_id, version, title, …}]}."""
    from facilitator.sheets.store import SheetStore

    rows = SheetStore(settings()).list()
    if as_json:
        echo_json({"sheets": [r.model_dump() for r in rows]})
        return
    if not rows:
        click.echo("保存されたシートはまだありません（`facilitator draft` で作成できます）。")
    for r in rows:
        click.echo(
            f"{r.sheet_id}  版{r.version}  {r.status}  {japanese_time(r.saved_at)}  {r.title}"
        )


@sheets.command("show")
@click.argument("sheet_id")
@click.option("--version", type=int, help="表示する版（省略時は最新）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_show(sheet_id: str, version: int | None, as_json: bool) -> None:
    """シートを表示する。JSON は draft --json と同じ形."""
    from facilitator.sheets.store import SheetStore

    if version is not None and version < 1:
        raise InputError("版（--version）は 1 以上で指定してください。")
    sheet = SheetStore(settings()).get(sheet_id, version)
    if as_json:
        echo_json(_sheet_json(sheet))
        return
    _echo_sheet(sheet)


@sheets.command("history")
@click.argument("sheet_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def sheets_history(sheet_id: str, as_json: bool) -> None:
    """シートの版の履歴。JSON: {sheet_id, versions: [{version, saved_at, author, message, status}]}."""
    from facilitator.sheets.store import SheetStore

    versions = SheetStore(settings()).history(sheet_id)
    if as_json:
        echo_json({"sheet_id": sheet_id, "versions": [v.model_dump() for v in versions]})
        return
    for v in versions:
        click.echo(
            f"版{v.version}  {japanese_time(v.saved_at)}  {v.status}  {v.author or '-'}  {v.message}"
        )
