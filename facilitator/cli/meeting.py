"""Meeting-record commands: ``meeting new|list|show|export``, shells over :mod:`facilitator.meetings`.

Questions are added to a record from the app's 協議中の質問 page; here a record is
created, read and exported as 議事メモ.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from facilitator.cli.root import FacilitatorGroup, echo_json, settings
from facilitator.corpus.documents import replace_atomically
from facilitator.errors import InputError
from facilitator.meetings import Meeting, MeetingStore
from facilitator.meetings.model import japanese_date, today_tokyo

MINUTES_FORMATS = ("md", "docx")
FORMAT_LABELS = {"md": "Markdown", "docx": "Word"}


def _held_on(text: str | None) -> date:
    if not text:
        return today_tokyo()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--date「{text}」は日付として読めません。YYYY-MM-DD の形で指定してください（例: 2026-07-15）。"
        ) from None


def _summary(m: Meeting) -> dict[str, object]:
    return {
        "meeting_id": m.meeting_id,
        "title": m.title,
        "held_on": m.held_on.isoformat(),
        "area": m.area,
        "entries": len(m.entries),
        "created_at": m.created_at.isoformat(),
        "created_by": m.created_by,
    }


@click.group("meeting", cls=FacilitatorGroup)
def meeting() -> None:
    """協議の場の議事メモ（会議ごとの質問と回答の記録）を作る・見る・出力する."""


@meeting.command("new")
@click.argument("title")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="開催日（既定: 今日）")
@click.option("--area", help="協議の場の地域（例: 北部医療圏）")
@click.option("--by", "by", help="記録を作る人の名前")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def new(title: str, date_: str | None, area: str | None, by: str | None, as_json: bool) -> None:
    """会議の記録を作る（質問はアプリの「協議中の質問」でこの会議を選ぶと記録されます）."""
    m = MeetingStore(settings()).create(title, _held_on(date_), area=area, by=by)
    if as_json:
        echo_json(_summary(m))
        return
    click.echo(f"会議の記録を作りました: {m.meeting_id}（{japanese_date(m.held_on)} {m.title}）")


@meeting.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力（1行に1件）")
def list_command(as_json: bool) -> None:
    """会議の記録の一覧（開催日の新しい順）."""
    meetings = MeetingStore(settings()).list()
    if as_json:
        for m in meetings:
            echo_json(_summary(m))
        return
    if not meetings:
        click.echo("会議の記録はまだありません（`facilitator meeting new 会議名` で作れます）。")
    for m in meetings:
        area = f"　地域: {m.area}" if m.area else ""
        click.echo(
            f"{m.meeting_id}　{japanese_date(m.held_on)}　{m.title}{area}　質問 {len(m.entries)}件"
        )


@meeting.command("show")
@click.argument("meeting_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力（回答をすべて含む）")
def show(meeting_id: str, as_json: bool) -> None:
    """会議の記録を表示する（質問・時刻・質問者・回答・出典）."""
    from facilitator.export.minutes import minutes_markdown

    m = MeetingStore(settings()).get(meeting_id)
    if as_json:
        echo_json(m.model_dump(mode="json"))
        return
    click.echo(minutes_markdown(m), nl=False)


@meeting.command("export")
@click.argument("meeting_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(MINUTES_FORMATS),
    help="出力形式（省略時は --out の拡張子から）",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="出力先のファイル（md は - で標準出力）",
)
def export(meeting_id: str, fmt: str | None, out: Path) -> None:
    """議事メモを Word（docx）または Markdown（md）で出力する（出典つき）."""
    from facilitator.export.minutes import minutes_docx, minutes_markdown

    if fmt is None:
        fmt = {".md": "md", ".markdown": "md", ".docx": "docx"}.get(out.suffix.lower())
        if fmt is None:
            raise InputError(
                "--format（md / docx）を指定するか、--out を .md か .docx にしてください。"
            )
    m = MeetingStore(settings()).get(meeting_id)
    if str(out) == "-":
        if fmt == "docx":
            raise InputError("Word は標準出力に書けません。--out にファイル名を指定してください。")
        click.echo(minutes_markdown(m), nl=False)
        return
    data = minutes_docx(m) if fmt == "docx" else minutes_markdown(m).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(out, lambda fh: fh.write(data))
    except OSError as exc:
        raise InputError(f"{out} に書き込めません: {exc.strerror or exc}") from exc
    click.echo(f"議事メモを出力しました: {out}（{FORMAT_LABELS[fmt]}、質問 {len(m.entries)}件）")
