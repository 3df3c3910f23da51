"""`facilitator reports …` through click's CliRunner: generate → import → summary JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli.reports import reports
from facilitator.reports import open_store
from facilitator.reports.sample.prefecture import AREAS_FILE, REPORTS_CSV
from facilitator.settings import Settings

from .conftest import write_csv


def invoke(settings: Settings, *args: str):
    return CliRunner().invoke(reports, list(args), obj=settings, catch_exceptions=False)


@pytest.fixture
def generated(settings: Settings, tmp_path: Path) -> Path:
    out = tmp_path / "sample"
    result = invoke(settings, "generate-sample", "--out", str(out), "--no-xlsx")
    assert result.exit_code == 0, result.output
    return out


def test_generate_sample_json_lists_the_files(settings: Settings, tmp_path: Path) -> None:
    result = invoke(settings, "generate-sample", "--out", str(tmp_path / "s"), "--json")
    data = json.loads(result.output)
    assert data["synthetic"] is True and data["label"] == "架空データ"
    assert {f["kind"] for f in data["files"]} == {"areas", "reports", "readme"}
    assert all(Path(f["path"]).exists() for f in data["files"])


def test_import_then_summary_json(settings: Settings, generated: Path) -> None:
    imported = invoke(
        settings, "import", str(generated / REPORTS_CSV), str(generated / AREAS_FILE), "--json"
    )
    assert imported.exit_code == 0, imported.output
    data = json.loads(imported.output)
    assert data["ok"] is True and data["errors"] == []
    assert [f["kind"] for f in data["files"]] == ["areas", "reports"]
    summary = json.loads(
        invoke(settings, "summary", "--area", "北部医療圏", "--theme", "zaitaku", "--json").output
    )
    assert set(summary) >= {"theme", "synthetic", "label", "source", "areas"}
    area = summary["areas"][0]
    assert area["area"]["code"] == "9902" and area["year"] == 2026
    ind = area["indicators"][0]
    assert set(ind) >= {
        "metric",
        "label",
        "value",
        "unit",
        "n",
        "year",
        "filter",
        "prefecture_value",
    }
    finding = area["findings"][0]
    assert set(finding) >= {
        "id",
        "metric",
        "value",
        "comparison",
        "area_code",
        "year",
        "n",
        "filter",
        "theme",
        "sentence",
    }


def test_summary_without_area_covers_all_areas(loaded: Settings) -> None:
    data = json.loads(invoke(loaded, "summary", "--json").output)
    assert len(data["areas"]) == 21 and data["label"] == "架空データ"


def test_summary_text_output_is_labelled(loaded: Settings) -> None:
    result = invoke(loaded, "summary", "--area", "汐島村", "--theme", "jikangai")
    assert result.exit_code == 0 and "【架空データ】汐島村" in result.output
    assert "rpt-" not in result.output and ".yes" not in result.output  # ids are for --json


def test_import_errors_exit_non_zero_with_locations(
    loaded: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[0][header.index("市町村コード")] = "12345"
    path = write_csv(tmp_path / "bad.csv", header, rows)
    result = invoke(loaded, "import", str(path), "--json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["ok"] is False
    assert data["errors"][0] == {
        "file": "bad.csv",
        "row": 2,
        "column": "市町村コード",
        "value": "12345",
        "reason": data["errors"][0]["reason"],
        "cell": "E2",
    }


def test_import_errors_in_text_go_to_stderr(loaded: Settings, tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_text("報告年,医療機関コード\n2026,1\n", encoding="utf-16")
    result = CliRunner().invoke(reports, ["import", str(path)], obj=loaded)
    assert result.exit_code == 2 and result.stdout == ""
    assert "u16.csv" in result.stderr and "取り込みませんでした" in result.stderr


def test_a_batch_with_a_bad_file_stores_nothing(
    settings: Settings, generated: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("報告年,医療機関コード\n2026,x\n", encoding="utf-8")
    result = invoke(settings, "import", str(generated / AREAS_FILE), str(bad), "--json")
    data = json.loads(result.output)
    assert result.exit_code == 2 and [f["ok"] for f in data["files"]] == [False, False]
    not_stored = data["files"][0]
    assert not_stored["file"] == AREAS_FILE and "bad.csv" in not_stored["errors"][0]["reason"]
    with open_store(settings) as store:
        assert store.count("areas") == 0


def test_summary_without_data_exits_3(settings: Settings) -> None:
    result = CliRunner().invoke(reports, ["summary"], obj=settings)
    assert result.exit_code == 3 and "報告データがまだ取り込まれていません" in result.output


def test_unknown_area_exits_with_message(loaded: Settings) -> None:
    result = CliRunner().invoke(reports, ["summary", "--area", "火星市"], obj=loaded)
    assert result.exit_code == 3 and "見つかりません" in result.output


def test_load_sample_json(settings: Settings) -> None:
    first = json.loads(invoke(settings, "load-sample", "--json").output)
    second = json.loads(invoke(settings, "load-sample", "--json").output)
    assert (first["loaded"], second["loaded"], first["label"]) == (True, False, "架空データ")


def test_areas_and_institutions_commands(loaded: Settings) -> None:
    areas = json.loads(invoke(loaded, "areas", "--level", "secondary", "--json").output)
    assert [a["code"] for a in areas] == ["9901", "9902", "9903", "9904"]
    inst = json.loads(
        invoke(loaded, "institutions", "--area", "9902", "--theme", "zaitaku", "--json").output
    )
    assert inst and all(i["functions"]["zaitaku"] == "意向有り" for i in inst)


def test_remove_command(loaded: Settings) -> None:
    data = json.loads(invoke(loaded, "remove", "--prefecture", "99", "--json").output)
    assert data["removed_institutions"] == 920
    assert CliRunner().invoke(reports, ["summary"], obj=loaded).exit_code == 3
