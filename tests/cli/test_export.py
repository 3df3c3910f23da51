"""`facilitator export`, `agenda` and `sheets import-xlsx` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from facilitator.cli import cli
from facilitator.cli.export import agenda_command, export_command, import_xlsx_command
from facilitator.export import (
    NotPublishableError,
)
from facilitator.export.xlsx import COL
from facilitator.settings import Settings
from facilitator.sheets.model import (
    IssueSheet,
    SheetStatus,
)
from facilitator.sheets.store import SheetConflictError, SheetStore
from tests.export.builders import (
    INTERNAL_NOTE,
    export_and_open,
    make_sheet,
    rows_by_key,
    three_sheets,
)

# --- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def run(settings: Settings):
    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = settings

    @root.group()
    def sheets() -> None:
        """課題シート."""

    root.add_command(export_command)
    root.add_command(agenda_command)
    sheets.add_command(import_xlsx_command)

    def invoke(*args: str):
        return CliRunner().invoke(root, list(args))

    return invoke


def test_cli_export_markdown_to_stdout(run, saved: IssueSheet) -> None:
    result = run("export", saved.sheet_id, "--format", "md", "--out", "-")
    assert result.exit_code == 0, result.output
    assert "## ⑤ 方策（役割分担・優先度）" in result.output


def test_cli_export_xlsx_then_import_edited_file(
    run, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "sheet.xlsx"
    result = run("export", saved.sheet_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "出力しました" in result.output and "版1" in result.output
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "会議で確認"
    wb.save(out)
    result = run("sheets", "import-xlsx", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sheets"][0]["new_version"] == 2
    assert store.get(saved.sheet_id).issue.note == "会議で確認"


def test_cli_import_conflict_keeps_the_imported_content(
    run, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "私の編集"
    wb.save(path)
    store.save(saved, author="別の人")
    result = run("sheets", "import-xlsx", str(path))
    assert isinstance(result.exception, SheetConflictError)
    kept = next(tmp_path.glob("sheet.*.取り込み内容.json"))
    assert IssueSheet.model_validate_json(kept.read_text(encoding="utf-8")).issue.note == "私の編集"


def test_cli_public_export_refuses_a_draft(run, store: SheetStore, tmp_path: Path) -> None:
    draft = store.save(make_sheet(SheetStatus.draft))
    result = run("export", draft.sheet_id, "--public", "--out", str(tmp_path / "p.md"))
    assert isinstance(result.exception, NotPublishableError)
    assert not (tmp_path / "p.md").exists()
    result = run("export", draft.sheet_id, "--public", "--force", "--out", str(tmp_path / "p.md"))
    assert result.exit_code == 0, result.output
    assert INTERNAL_NOTE not in (tmp_path / "p.md").read_text(encoding="utf-8")


def test_cli_export_older_version(run, store: SheetStore, saved: IssueSheet) -> None:
    store.save(saved.model_copy(update={"title": "改題"}))
    result = run("export", saved.sheet_id, "--version", "1", "--format", "json", "--out", "-")
    assert json.loads(result.output)["version"] == 1


def test_cli_agenda(run, store: SheetStore, tmp_path: Path) -> None:
    ids = [store.save(s).sheet_id for s in three_sheets()]
    out = tmp_path / "agenda.xlsx"
    result = run(
        "agenda",
        *ids,
        "--name",
        "第1回 協議の場",
        "--date",
        "2026年7月15日",
        "--presenter",
        "zaitaku=在宅医療担当理事",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "3 議題" in result.output and out.exists()


def test_cli_agenda_summary_adds_one_page_per_sheet(run, store: SheetStore) -> None:
    ids = [store.save(s).sheet_id for s in three_sheets()[:2]]
    args = ["agenda", *ids, "--name", "第1回 協議の場", "--date", "2026-07-15", "--out", "-"]
    plain = run(*args, "--format", "md")
    summed = run(*args, "--format", "md", "--summary")
    assert plain.exit_code == 0 and summed.exit_code == 0, summed.output
    assert "令和8年7月15日（水）" in plain.output and "資料1 要約" not in plain.output
    assert summed.output.count(" 要約　課題シート（") == 2
    assert not any(i in summed.output for i in ids)


def test_export_messages_name_sheets_and_statements_as_people_do(
    settings: Settings, tmp_path: Path
) -> None:
    """The CLI tells the coordinator what it wrote and what the public copy left out in the
    editor's words (「北部…・版1」「方策②（根拠なし）」), never ids or field paths."""
    import re

    from tests.export.builders import make_sheet

    sheet = SheetStore(settings).save(make_sheet())
    out = CliRunner().invoke(
        cli,
        ["--data-dir", str(settings.data_dir), "export", sheet.sheet_id, "--public", "--force",
         "--out", str(tmp_path / "public.docx")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "方策②（根拠なし）" in out.output and "・版1" in out.output
    assert not re.search(r"sh-[0-9a-z]{6,}|\w+\[\d+\]", out.output)
