"""The ``facilitator`` command group: one settings context, one error → exit-code mapping.

Command modules (:mod:`~facilitator.cli.search`, :mod:`~facilitator.cli.sheets`,
:mod:`~facilitator.cli.export`, :mod:`~facilitator.cli.reports`) define plain click
commands; ``facilitator/cli/__init__.py`` adds them to :data:`cli`.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import IO, Any

import click

from facilitator.cli import japanese
from facilitator.errors import FacilitatorError
from facilitator.settings import Settings, load_settings

japanese.install()  # click's usage, --help and option errors in Japanese


class CliError(click.ClickException):
    """A library error as the person at the terminal sees it: 「エラー: …」 and its exit code."""

    def __init__(self, error: FacilitatorError) -> None:
        super().__init__(str(error))
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"エラー: {self.format_message()}", err=True, file=file)


class FacilitatorGroup(click.Group):
    """A command group whose commands' library errors become :class:`CliError`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FacilitatorError as exc:
            raise CliError(exc) from exc


def settings() -> Settings:
    """The settings of this invocation (read once by the group), or the environment's."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Settings) if ctx is not None else None
    return obj if obj is not None else load_settings()


def echo_json(data: Any) -> None:
    """Machine output: one JSON object per line, Japanese kept as written."""
    click.echo(json.dumps(data, ensure_ascii=False))


@click.group(cls=FacilitatorGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    """Entry point: Japanese messages and the documented exit codes, never a traceback."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("中断しました。", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FacilitatorError as exc:  # raised outside a command (e.g. while reading options)
        CliError(exc).show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
