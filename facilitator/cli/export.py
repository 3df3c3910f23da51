"""Export commands: ``export``, ``agenda`` and ``sheets import-xlsx``, shells over
:mod:`facilitator.export`."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.root import echo_json, settings
from facilitator.errors import InputError
from facilitator.export.common import sheet_reference

FORMATS = ("xlsx", "docx", "md", "json")
FORMAT_LABELS = {"xlsx": "Excel", "docx": "Word", "md": "Markdown", "json": "JSON"}


def _format(fmt: str | None, out: Path) -> str:
    """The --format, or the one --out's suffix names."""
    if fmt:
        return fmt
    suffix = out.suffix.lower().lstrip(".")
    suffix = {"markdown": "md", "xlsm": "xlsx"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise InputError(
            "--format（xlsx / docx / md / json）を指定するか、--out を .xlsx などの拡張子にしてください。"
        )
    return suffix


def _write_text(out: Path, text: str) -> None:
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


@click.command("export")
@click.argument("sheet_ids", nargs=-1, required=True, metavar="SHEET_ID...")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="出力形式（省略時は --out の拡張子から）"
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="出力先のファイル（md / json は - で標準出力）",
)
@click.option(
    "--public",
    is_flag=True,
    help="公表用（協議の結果の公表シート）: 事務局メモ・根拠なしの記述・不採用の方策を除く",
)
@click.option(
    "--force",
    is_flag=True,
    help="--public で、状態が「協議会提出」「公表」でなくても出力する（確認用）",
)
@click.option(
    "--internal",
    is_flag=True,
    help="docx / md に各記述のメモ（非公開）と事務局メモを含める（事務局の内部用）",
)
@click.option("--version", "version", type=int, help="出力する版（既定: 最新）")
def export_command(
    sheet_ids: tuple[str, ...],
    fmt: str | None,
    out: Path,
    public: bool,
    force: bool,
    internal: bool,
    version: int | None,
) -> None:
    """課題シートを Excel（課題管理シート）・Word・Markdown・JSON で出力する.

    xlsx は複数のシートIDを指定すると1つのブックにまとめます。編集した Excel は
    `facilitator sheets import-xlsx FILE` で新しい版として取り込めます。
    """
    from facilitator.export import (
        public_summary,
        public_to_docx,
        public_to_markdown,
        public_to_xlsx,
        to_docx,
        to_json,
        to_markdown,
        to_xlsx,
    )
    from facilitator.sheets.store import SheetStore

    fmt = _format(fmt, out)
    if len(sheet_ids) > 1 and (fmt != "xlsx" or version is not None):
        raise InputError(
            "複数のシートをまとめて出力できるのは --format xlsx（--version なし）だけです。"
        )
    if str(out) == "-" and fmt in ("xlsx", "docx"):
        raise InputError(
            f"{FORMAT_LABELS[fmt]} は標準出力に書けません。--out にファイル名を指定してください。"
        )
    store = SheetStore(settings())
    sheets = [store.get(sid, version) for sid in sheet_ids]
    if public:
        summaries = [public_summary(s, force=force) for s in sheets]
        if fmt == "xlsx":
            public_to_xlsx(summaries, out)
        elif fmt == "docx":
            public_to_docx(summaries[0], out)
        elif fmt == "md":
            _write_text(out, public_to_markdown(summaries[0]))
        else:
            _write_text(out, summaries[0].model_dump_json(indent=2) + "\n")
        for sheet, summary in zip(sheets, summaries, strict=True):
            if summary.omitted:
                click.echo(
                    f"公表版から除いた記述（{sheet_reference(sheet)}）: "
                    + "、".join(summary.omitted),
                    err=True,
                )
    elif fmt == "xlsx":
        to_xlsx(sheets, out)
    elif fmt == "docx":
        to_docx(sheets[0], out, internal=internal)
    elif fmt == "md":
        _write_text(out, to_markdown(sheets[0], internal=internal))
    else:
        _write_text(out, to_json(sheets[0]) + "\n")
    if str(out) != "-":
        kind = "公表用" if public else "課題シート"
        versions = "、".join(sheet_reference(s) for s in sheets)
        click.echo(f"出力しました: {out}（{kind}・{FORMAT_LABELS[fmt]}、{versions}）")


@click.command("import-xlsx")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--author", default="", help="保存する版の作成者名")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def import_xlsx_command(file: Path, author: str, as_json: bool) -> None:
    """`facilitator export` で出力し、オフラインで編集した Excel を新しい版として取り込む.

    読めないセルが1つでもあれば何も保存せず、ワークシートとセルを示します。
    出力後に他の人が保存していた場合は競合として止め、取り込もうとした内容を
    FILE と同じフォルダの JSON に残します。
    """
    from facilitator.export import import_xlsx
    from facilitator.sheets.store import SheetConflictError, SheetStore

    try:
        report = import_xlsx(file, SheetStore(settings()), author=author)
        from facilitator.auth.audit import command_actor, record

        for item in report.sheets:
            if item.new_version is not None:
                record(
                    settings(),
                    "sheet_import",
                    f"{item.worksheet}（版{item.new_version}）",
                    command_actor(),
                    file.name,
                )
    except SheetConflictError as exc:
        keep = file.with_name(f"{file.stem}.{exc.mine.sheet_id}.取り込み内容.json")
        keep.write_text(exc.mine.model_dump_json(indent=2), encoding="utf-8")
        click.echo(
            f"取り込もうとした内容は {keep} に保存しました（最新の版{exc.theirs.version}と"
            "見比べて反映してください）。",
            err=True,
        )
        raise
    if as_json:
        echo_json(report.model_dump())
        return
    for item in report.sheets:
        if item.new_version is None:
            click.echo(
                f"{item.sheet_id}（{item.worksheet}）: 変更はありません（保存していません）。"
            )
        else:
            click.echo(
                f"{item.sheet_id}（{item.worksheet}）: 版{item.base_version} を編集した内容を"
                f"版{item.new_version} として保存しました（変更 {len(item.changes)} 件）。"
            )
        for change in item.changes:
            click.echo(f"  変更: {change}")
        for warning in item.warnings:
            click.echo(f"  注意: {warning}")


@click.command("agenda")
@click.argument("sheet_ids", nargs=-1, required=True, metavar="SHEET_ID...")
@click.option("--name", required=True, help="会議名（例: 令和8年度 第1回 北部圏域 協議の場）")
@click.option("--date", "date_", required=True, help="開催日（例: 2026年7月15日（水））")
@click.option("--place", default="", help="場所")
@click.option("--start", default="14:00", show_default=True, help="開始時刻")
@click.option("--minutes", default=90, show_default=True, help="会議全体の時間（分）")
@click.option("--chair", default="", help="議長")
@click.option(
    "--presenter",
    "presenters",
    multiple=True,
    metavar="KEY=NAME",
    help="説明者（KEY はシートID かテーマ。例: zaitaku=在宅医療担当理事）。繰り返し可",
)
@click.option(
    "--summary",
    is_flag=True,
    help="1シート1ページの要約を進行表の後に付ける（Word・Excel・Markdown）",
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="出力形式（省略時は --out の拡張子から）"
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="出力先（md / json は - で標準出力）",
)
def agenda_command(
    sheet_ids: tuple[str, ...],
    name: str,
    date_: str,
    place: str,
    start: str,
    minutes: int,
    chair: str,
    presenters: tuple[str, ...],
    summary: bool,
    fmt: str | None,
    out: Path,
) -> None:
    """複数の課題シートから協議の場の進行表（A4 1枚。①〜⑥の進行と時間配分、資料一覧）を作る."""
    from facilitator.export import (
        MeetingInfo,
        agenda,
        agenda_to_docx,
        agenda_to_markdown,
        agenda_to_xlsx,
    )
    from facilitator.export.common import REVIEW_COPY
    from facilitator.sheets.store import SheetStore

    fmt = _format(fmt, out)
    if str(out) == "-" and fmt in ("xlsx", "docx"):
        raise InputError(
            f"{FORMAT_LABELS[fmt]} は標準出力に書けません。--out にファイル名を指定してください。"
        )
    mapping = {}
    for item in presenters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--presenter「{item}」は KEY=NAME の形で指定してください。")
        mapping[key.strip()] = value.strip()
    store = SheetStore(settings())
    plan = agenda(
        [store.get(sid) for sid in sheet_ids],
        MeetingInfo(
            name=name,
            date=date_,
            place=place,
            start=start,
            minutes=minutes,
            chair=chair,
            presenters=mapping,
        ),
    )
    if fmt == "xlsx":
        agenda_to_xlsx(plan, out, summary=summary)
    elif fmt == "docx":
        agenda_to_docx(plan, out, summary=summary)
    elif fmt == "md":
        _write_text(out, agenda_to_markdown(plan, summary=summary))
    else:
        _write_text(out, plan.model_dump_json(indent=2) + "\n")
    if str(out) != "-":
        click.echo(
            f"進行表を出力しました: {out}（{len(plan.items)} 議題、{plan.opening.start}〜{plan.closing.end}"
            + ("、要約付き" if summary and fmt != "json" else "")
            + (f"、{REVIEW_COPY}" if plan.review else "")
            + "）"
        )
