"""``facilitator reports …``: generate the synthetic sample, import files, show indicators.

Each command is a shell over a library function of :mod:`facilitator.reports`.
"""

from __future__ import annotations

from pathlib import Path

import click

from facilitator.cli.root import FacilitatorGroup, echo_json, settings
from facilitator.reports import query as api
from facilitator.reports.ingest.importer import import_files
from facilitator.reports.models import SYNTHETIC_LABEL, AreaSummary, ImportResult
from facilitator.reports.sample.prefecture import SAMPLE_SEED, generate_sample, load_sample
from facilitator.themes import COUNCIL_THEMES, FUNCTION_NAMES


@click.group("reports", cls=FacilitatorGroup)
def reports() -> None:
    """かかりつけ医機能報告のデータ: 架空データの生成、取り込み（検証つき）、地域の指標と所見。"""


@reports.command("generate-sample")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダ（なければ作成）",
)
@click.option(
    "--seed", default=SAMPLE_SEED, show_default=True, help="乱数の種（同じ種なら同じファイル）"
)
@click.option("--no-xlsx", is_flag=True, help=".xlsx 版を出力しない")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def generate_sample_cmd(out: Path, seed: int, no_xlsx: bool, as_json: bool) -> None:
    """架空県（都道府県コード99）の架空データ（市町村表・報告データ）を書き出す。"""
    files = generate_sample(out, seed=seed, xlsx=not no_xlsx)
    if as_json:
        echo_json(files.model_dump(mode="json"))
        return
    click.echo(
        f"【{SYNTHETIC_LABEL}】{files.prefecture_name}: 市町村 {files.n_municipalities}・"
        f"医療機関 {files.n_institutions}（{files.year}年報告、種 {files.seed}）"
    )
    for f in files.files:
        click.echo(f"  {f.path}（{f.kind}, {f.encoding}）")


def _result_line(r: ImportResult) -> str:
    label = f"【{SYNTHETIC_LABEL}】" if r.synthetic else ""
    what = (
        f"{r.year}年報告・医療機関 {r.institutions:,}件・回答 {r.answers:,}件"
        if r.kind == "reports"
        else f"市町村表・市町村 {r.municipalities}件"
    )
    verb = "置き換えました" if r.replaced else "取り込みました"
    prefs = "、".join(r.prefectures)
    return f"{label}{r.file}: {what}（都道府県 {prefs}）を{verb}（{r.seconds:.2f}秒）"


@reports.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON で出力（誤りは全件）")
def import_cmd(files: tuple[Path, ...], as_json: bool) -> None:
    """報告データ・市町村表（CSV: UTF-8/CP932、.xlsx）を検証して取り込む。

    複数のファイルはまとめて1つの単位で取り込み、1つでも誤りがあればどのファイルも保存せず、
    誤り（ファイル・行・列・値・理由）を一覧にして終了コード2で終わる。同じ報告年・都道府県の
    データは置き換える。市町村表は先に取り込まれる。
    """
    batch = import_files(settings(), list(files))
    from facilitator.auth.audit import command_actor, record

    for r in batch.results:
        record(settings(), "reports_import", r.file, command_actor(), f"{r.kind} {r.year or ''}")
    if as_json:
        entries = [{"ok": True, **r.model_dump(mode="json"), "errors": []} for r in batch.results]
        entries += [
            {
                "ok": False,
                "file": f.file,
                "errors": [e.model_dump() for e in f.errors],
                "truncated": f.truncated,
            }
            for f in batch.failures
        ]
        echo_json(
            {
                "ok": batch.ok,
                "files": entries,
                "errors": [e.model_dump() for f in batch.failures for e in f.errors],
            }
        )
    else:
        for r in batch.results:
            click.echo(_result_line(r))
            for w in r.warnings:
                click.echo(f"  注意: {w}")
        for f in batch.failures:
            click.echo(str(f), err=True)
    if not batch.ok:
        raise click.exceptions.Exit(2)


@reports.command("load-sample")
@click.option("--force", is_flag=True, help="取り込み済みでも作り直して取り込む")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def load_sample_cmd(force: bool, as_json: bool) -> None:
    """架空データを data_dir に生成して取り込む（報告データが既にあれば何もしない）。"""
    results = load_sample(settings(), force=force)
    if as_json:
        echo_json(
            {
                "loaded": bool(results),
                "synthetic": True,
                "label": SYNTHETIC_LABEL,
                "files": [r.model_dump(mode="json") for r in results],
            }
        )
        return
    if not results:
        click.echo(
            f"【{SYNTHETIC_LABEL}】架空県のデータは取り込み済みです（作り直すには --force）。"
        )
    for r in results:
        click.echo(_result_line(r))


def _print_area(s: AreaSummary, themes: tuple[str, ...]) -> None:
    a = s.area
    label = f"【{SYNTHETIC_LABEL}】" if s.synthetic else ""
    click.echo(
        f"\n■ {label}{a.name}（{a.code}・{a.level_label}）{s.year}年報告  "
        f"報告医療機関 {s.n_institutions:,}（病院 {s.n_hospitals}・診療所 {s.n_clinics}）"
        f"／1号機能 {s.n_ichigo:,}  人口 {a.population:,}・65歳以上 {a.pop65:,}"
        f"・75歳以上 {a.pop75:,}"
    )
    by_metric = {i.metric: i for i in s.indicators}
    for t in themes:
        yes, willing, no = (by_metric.get(f"{t}.{k}") for k in ("yes", "willing", "no"))
        counts = " / ".join(
            f"{lab} {int(x.numerator or 0)}"
            for lab, x in (("有り", yes), ("意向有り", willing), ("無し", no))
            if x is not None
        )
        click.echo(f"  [{FUNCTION_NAMES[t]}] {counts}")
        for f in s.findings:
            if f.theme == t:
                click.echo(f"   ・{f.sentence}")  # ids are in --json, not for people


@reports.command("summary")
@click.option(
    "--area", default=None, help="市町村・二次医療圏・都道府県のコードまたは名称（省略時はすべて）"
)
@click.option(
    "--theme",
    type=click.Choice(list(COUNCIL_THEMES)),
    default=None,
    help="テーマ（省略時は5つすべて）",
)
@click.option("--year", type=int, default=None, help="報告年（省略時は最新）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力（指標・所見・出典）")
def summary_cmd(area: str | None, theme: str | None, year: int | None, as_json: bool) -> None:
    """地域の指標（件数・65歳以上/75歳以上人口1万人当たり・有り/意向有り/無しの割合）と所見。"""
    result = api.summary(area, theme, year, settings=settings())
    if as_json:
        echo_json(result.model_dump(mode="json"))
        return
    click.echo(("【" + result.label + "】" if result.label else "") + result.source)
    themes = (theme,) if theme else COUNCIL_THEMES
    for s in result.areas:
        _print_area(s, themes)


@reports.command("remove")
@click.option("--prefecture", "pref_code", required=True, help="都道府県コード（架空データは 99）")
@click.option("--year", type=int, default=None, help="報告年（省略時はすべての年）")
@click.option("--with-areas", is_flag=True, help="報告データが残らなければ市町村表も消す")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def remove_cmd(pref_code: str, year: int | None, with_areas: bool, as_json: bool) -> None:
    """ある都道府県の報告データを消す（例: 実データを入れたあと架空データを消す）。"""
    n = api.remove_data(pref_code, year, areas=with_areas, settings=settings())
    if as_json:
        echo_json({"prefecture": pref_code, "year": year, "removed_institutions": n})
        return
    click.echo(f"都道府県 {pref_code} の報告データ {n:,}件（医療機関×報告年）を削除しました。")


@reports.command("areas")
@click.option(
    "--level", type=click.Choice(["prefecture", "secondary", "municipality"]), default=None
)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def areas_cmd(level: str | None, as_json: bool) -> None:
    """取り込み済みの地域（都道府県・二次医療圏・市町村）を一覧にする。"""
    areas = api.list_areas(level=level, settings=settings())
    if as_json:
        echo_json([a.model_dump(mode="json") for a in areas])
        return
    for a in areas:
        tag = f"【{SYNTHETIC_LABEL}】" if a.synthetic else ""
        indent = {"prefecture": "", "secondary": "  ", "municipality": "    "}[a.level]
        click.echo(f"{indent}{tag}{a.code} {a.name}（{a.level_label}）人口 {a.population:,}")


@reports.command("institutions")
@click.option("--area", required=True, help="市町村・二次医療圏・都道府県のコードまたは名称")
@click.option("--theme", type=click.Choice(list(COUNCIL_THEMES)), required=True)
@click.option(
    "--state",
    type=click.Choice(["有り", "意向有り", "無し", "対象外"]),
    default="意向有り",
    show_default=True,
)
@click.option("--year", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力")
def institutions_cmd(area: str, theme: str, state: str, year: int | None, as_json: bool) -> None:
    """ある機能が「意向有り」（など）の医療機関の一覧（方策の出発点）。"""
    rows = api.institutions_for(area, theme, state, year, settings=settings())
    if as_json:
        echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        tag = f"【{SYNTHETIC_LABEL}】" if r.synthetic else ""
        click.echo(f"{tag}{r.code} {r.name}（{r.kind}・{r.muni_code}）")
    click.echo(f"計 {len(rows)}施設（{FUNCTION_NAMES[theme]}＝{state}）")
