"""``facilitator catalogue check``: check an issue catalogue before drafts use it."""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.root import FacilitatorGroup, echo_json, settings
from facilitator.drafting.catalogue_check import check_catalogue
from facilitator.themes import THEME_SHORT


@click.group("catalogue", cls=FacilitatorGroup)
def catalogue() -> None:
    """課題カタログ（課題のパターン・原因の仮説・方策）: 都道府県が足すファイルの確認。"""


@catalogue.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def check_cmd(file: Path | None, as_json: bool) -> None:
    """課題カタログ FILE（省略時は同梱のカタログ）を確かめる。

    形（必須の項目・綴り）、担い手の名前、病院に役割を与える方策の前提、指標の名前、
    本文の {…} が取り込み済みの各地域の数値で埋まるか、出典が索引にあり引用が本文どおりかを
    確かめ、問題があれば一覧にして終了コード2で終わる。各パターンが当てはまる地域の数も示す。
    """
    report = check_catalogue(file, settings())
    if as_json:
        echo_json({"ok": report.ok, **report.model_dump(mode="json")})
    else:
        counts = "、".join(f"{THEME_SHORT.get(t, t)} {n}" for t, n in report.patterns.items())
        click.echo(f"{report.file}: パターン {sum(report.patterns.values())}件（{counts}）")
        if report.areas:
            click.echo(f"報告データのある {report.areas} 地域に当てはめました。")
            for pattern, n in report.holds_in.items():
                click.echo(f"  {pattern}: {n} 地域で当てはまる")
        else:
            click.echo("報告データがないため、地域の数値での確認はしていません。")
        if not report.sources_checked:
            click.echo("索引がないため、出典は確かめていません（facilitator ingest で作成）。")
        for p in report.problems:
            click.echo(f"問題: {p}", err=True)
        if report.ok:
            click.echo("問題は見つかりませんでした。")
    if not report.ok:
        raise click.exceptions.Exit(2)
