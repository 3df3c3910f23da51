"""The README is the user's manual: it must document every setting and command."""

from pathlib import Path

import pytest

from facilitator.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README


def test_readme_commands_exist() -> None:
    for script in ("scripts/start", "scripts/test"):
        assert f"./{script}" in README
        assert (PROJECT_ROOT / script).exists()


def test_ci_runs_the_readme_test_command() -> None:
    assert "./scripts/test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_cli_help_lists_the_public_commands() -> None:
    from click.testing import CliRunner

    from facilitator.cli.root import cli

    out = CliRunner().invoke(cli, ["--help"]).output
    for command in (
        "ingest",
        "search",
        "chunk",
        "reports",
        "draft",
        "ask",
        "sheets",
        "export",
        "agenda",
        "bootstrap",
    ):
        assert f"  {command} " in out, command
    sheets_out = CliRunner().invoke(cli, ["sheets", "--help"]).output
    for command in ("list", "show", "history", "import-xlsx"):
        assert f"  {command} " in sheets_out, command
    assert Path(PROJECT_ROOT / "corpus" / "manifest.json").exists()


def test_every_cli_command_appears_in_the_readme() -> None:
    from facilitator.cli.root import cli

    for name, command in cli.commands.items():
        if name == "bootstrap":  # run by ./scripts/start
            continue
        subcommands = getattr(command, "commands", {})
        if subcommands and name != "reports":  # reports' subcommands live in docs/REPORTS.md
            for sub in subcommands:
                assert f"facilitator {name} {sub}" in README, f"{name} {sub}"
        else:
            assert f"facilitator {name}" in README, name
