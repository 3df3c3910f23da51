"""A prefecture's own issue catalogue: checked before use, and a faulty pattern never
breaks a draft (it is left out, and the draft says so)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.analysis.catalogue import read_catalogue
from facilitator.cli import cli
from facilitator.drafting.catalogue_check import check_catalogue
from facilitator.drafting.context import DraftRequest
from facilitator.drafting.draft import draft_sheet
from facilitator.errors import InputError
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings

pytestmark = pytest.mark.slow

GOOD = """
version: "県-1"
themes:
  zaitaku:
    example_topic: 在宅医療を担う医療機関が足りない
    patterns:
      - id: ken-zaitaku-kango
        title: 訪問看護の実施件数が少ない
        when:
          - {fact: item.g2ha_kango.sum.per75, is: below}
        issue: "{area}の訪問看護の実施件数は{item.g2ha_kango.sum.per75|vs}で、県平均を下回る。"
        causes:
          - text: 訪問看護ステーションが少ない。
            check: 介護サービス情報公表システムで事業所数を確かめる。
        measures:
          - id: ken-zaitaku-kango-station
            text: 県が訪問看護ステーションの開設を支援する。
            actors: ["県・保健所：開設の費用の支援", "訪問看護：開設"]
            progress: [item.g2ha_kango.sum.per75]
            sources:
              - chunk: "guideline-2025:sheet:zaitaku:measure-2"
"""

BAD = (
    GOOD.replace("{item.g2ha_kango.sum.per75|vs}", "{item.g2ha_kango.total|vs}")
    .replace('"訪問看護：開設"', '"病院：開設の支援", "保健センター：周知"')
    .replace(
        'chunk: "guideline-2025:sheet:zaitaku:measure-2"',
        'chunk: "guideline-2025:sheet:zaitaku:measure-9"\n                quote: "ない文"',
    )
)


def write(tmp_path: Path, text: str, name: str = "県の課題カタログ.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sound_file_has_no_problems_and_says_where_it_holds(
    drafting_data: Settings, tmp_path: Path
) -> None:
    report = check_catalogue(write(tmp_path, GOOD), drafting_data)
    assert report.ok, [str(p) for p in report.problems]
    assert report.patterns == {"zaitaku": 1} and report.sources_checked
    assert 0 < report.holds_in["ken-zaitaku-kango"] < report.areas


def test_every_problem_is_named_with_its_pattern_and_field(
    drafting_data: Settings, tmp_path: Path
) -> None:
    report = check_catalogue(write(tmp_path, BAD), drafting_data)
    found = {(p.where, p.message) for p in report.problems}
    assert all(p.pattern == "ken-zaitaku-kango" for p in report.problems)
    assert (
        "本文の {…}",
        "「{item.g2ha_kango.total}」を地域の数値で埋められません（名前の誤り）。",
    ) in found
    messages = " ".join(m for _, m in found)
    assert "「保健センター」は担い手の一覧" in messages
    assert "actors.病院 の min: 1" in messages
    assert "出典「guideline-2025:sheet:zaitaku:measure-9」は索引にありません" in messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nthemes: [", "YAML の書き方に誤りがあります（2行目）"),
        (
            "version: '1'\nthemes:\n  zaitaku:\n    patterns: []\n",
            "example_topic: 必須の項目がありません",
        ),
        (GOOD.replace("    patterns:", "    patern:"), "patern: この項目は使えません"),
    ],
)
def test_a_file_of_the_wrong_form_is_a_located_japanese_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_catalogue(write(tmp_path, text))


def test_cli_check_exits_2_and_lists_the_problems(drafting_data: Settings, tmp_path: Path) -> None:
    path = write(tmp_path, BAD, "誤りのあるカタログ.yaml")
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--data-dir", str(drafting_data.data_dir), "catalogue", "check", str(path)]
    )
    assert result.exit_code == 2
    assert "問題: zaitaku / ken-zaitaku-kango" in result.output
    good = runner.invoke(
        cli,
        [
            "--data-dir",
            str(drafting_data.data_dir),
            "catalogue",
            "check",
            str(write(tmp_path, GOOD)),
        ],
    )
    assert good.exit_code == 0 and "問題は見つかりませんでした" in good.output


def test_a_faulty_pattern_is_left_out_of_the_draft_and_the_draft_says_so(
    drafting_data: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(drafting_data.data_dir, data)
    settings = Settings(
        data_dir=data,
        corpus_dir=drafting_data.corpus_dir,
        catalogue_file=write(tmp_path, BAD, "誤りのあるカタログ.yaml"),
    )
    # an area where the (sound) pattern holds: the faulty one must be skipped there
    from facilitator.analysis.catalogue import applies, load_catalogue
    from facilitator.analysis.profile import build_profile
    from facilitator.reports import list_areas

    pattern = load_catalogue(write(tmp_path, GOOD)).theme("zaitaku").patterns[0]
    area = next(
        a
        for a in list_areas(settings=settings)
        if applies(pattern, build_profile(a, "zaitaku", settings=settings))
    )
    result = draft_sheet(
        DraftRequest(area=area.name, theme="zaitaku"), settings, Searcher(settings), save=False
    )
    assert result.sheet.is_complete()
    assert "ken-zaitaku-kango" not in result.sheet.provenance.patterns
    assert any("ken-zaitaku-kango（item.g2ha_kango.total）" in m for m in result.messages)


def test_the_example_in_the_guide_passes_the_check(drafting_data: Settings, tmp_path: Path) -> None:
    import re

    from facilitator.settings import PROJECT_ROOT

    guide = (PROJECT_ROOT / "docs" / "CATALOGUE.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", guide, flags=re.DOTALL)
    assert example is not None
    report = check_catalogue(write(tmp_path, example.group(1)), drafting_data)
    assert report.ok, [str(p) for p in report.problems]
    assert report.holds_in["ken-zaitaku-kango"] > 0
