"""docs/REPORTS.md documents the mapping files, the CLI, and quotes real sample findings."""

from __future__ import annotations

import re

import pytest

from facilitator.cli.reports import reports
from facilitator.reports import summary
from facilitator.reports.compute.findings import average_label
from facilitator.reports.ingest import limits
from facilitator.reports.items import load_area_columns, load_dictionary
from facilitator.settings import PROJECT_ROOT, Settings

DOC = (PROJECT_ROOT / "docs" / "REPORTS.md").read_text(encoding="utf-8")
D = load_dictionary(2026)


@pytest.mark.parametrize("item_id", [it.id for it in D.items])
def test_every_item_and_its_header_is_documented(item_id: str) -> None:
    assert f"`{item_id}`" in DOC and D.header(item_id) in DOC


@pytest.mark.parametrize("field", sorted(load_area_columns().columns))
def test_every_area_column_is_documented(field: str) -> None:
    assert f"`{field}`" in DOC and load_area_columns().header(field) in DOC


@pytest.mark.parametrize("command", sorted(reports.commands))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"reports {command}" in DOC


def test_quoted_findings_are_what_the_sample_gives(loaded: Settings) -> None:
    quoted = re.findall(r"^> (【架空データ】.+)$", DOC, flags=re.M)
    produced = {f.sentence for s in summary(settings=loaded).areas for f in s.findings}
    assert quoted and all(q in produced for q in quoted)


@pytest.mark.parametrize(
    ("pref", "label"),
    [("架空県", "県平均"), ("東京都", "都平均"), ("北海道", "道平均"), ("大阪府", "府平均")],
)
def test_the_average_is_named_after_the_prefecture(pref: str, label: str) -> None:
    assert average_label(pref) == label


@pytest.mark.parametrize("name", [n for n in vars(limits) if n.startswith("MAX_")])
def test_every_input_limit_is_documented_with_its_value(name: str) -> None:
    line = next((ln for ln in DOC.splitlines() if f"`{name}`" in ln and ln.startswith("|")), "")
    value = getattr(limits, name)
    in_mb = name.endswith(("_BYTES", "_UNCOMPRESSED"))
    shown = f"{value // limits.MB:,} MB" if in_mb else f"{value:,}"
    assert shown in line, (name, shown, line)
