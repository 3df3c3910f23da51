"""The sheet model: how figures read, field labels, and which statements are unbacked."""

from __future__ import annotations

import pytest

from facilitator.sheets.model import (
    AreaRef,
    Citation,
    FigureRef,
    IssueSheet,
    Statement,
    VerificationIndicator,
    area_label,
    field_label,
)


@pytest.mark.parametrize(
    ("baseline", "unit", "text"),
    [
        (41.5, "%", "41.5%"),
        (17.0, "施設", "17施設"),
        (3.0, "市町村", "3市町村"),
        (1234.0, "施設", "1,234施設"),
        (6.0, "65歳以上人口1万人当たり", "6.0（65歳以上人口1万人当たり）"),
        (0.8, "75歳以上人口1万人当たり", "0.8（75歳以上人口1万人当たり）"),
        (2.5, "", "2.5"),
        (None, "%", ""),
    ],
)
def test_baseline_reads_as_written_never_glued_to_a_digit_unit(
    baseline: float | None, unit: str, text: str
) -> None:
    indicator = VerificationIndicator(name="x", baseline=baseline, unit=unit)
    assert indicator.baseline_text == text


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("goal", "目指す姿"),
        ("issue", "課題"),
        ("current_state[0]", "現状①"),
        ("causes[1]", "原因②"),
        ("measures[0]", "方策①"),
        ("effects[2]", "効果③"),
        ("participants", "参加者"),
        ("not a path", "not a path"),
    ],
)
def test_field_labels_are_the_ones_people_read(path: str, label: str) -> None:
    assert field_label(path) == label


def test_a_statement_is_backed_only_by_a_verified_accepted_citation_or_a_figure() -> None:
    cite = Citation(chunk_id="c:1", quote="夜間の往診を分担", verified=True)
    assert Statement(text="x", citations=[cite]).unbacked is False
    assert Statement(text="x", citations=[cite.model_copy(update={"accepted": False})]).unbacked
    assert Statement(text="x", citations=[cite.model_copy(update={"verified": False})]).unbacked
    figure = FigureRef(finding_id="rpt-1", sentence="在宅医療を提供する医療機関は3施設。")
    assert Statement(text="x", figures=[figure]).unbacked is False
    sheet = IssueSheet(
        area=AreaRef(code="99201", name="架空市"),
        theme="zaitaku",
        goal=Statement(text="根拠のない目標"),
        issue=Statement(text="x", citations=[cite]),
    )
    assert sheet.unbacked_fields() == ["goal"]


def test_figure_provenance_names_year_n_condition_and_the_synthetic_flag() -> None:
    figure = FigureRef(
        finding_id="rpt-1",
        sentence="…",
        year=2026,
        n=53,
        filter="在宅医療（2号機能ハ）＝有り",
        synthetic=True,
    )
    assert figure.provenance == "2026年報告・N=53・在宅医療（2号機能ハ）＝有り・架空データ"
    said = figure.model_copy(update={"filter": "2026年報告・N=53の医療機関", "synthetic": False})
    assert said.provenance == "2026年報告・N=53の医療機関"


def test_an_area_is_labelled_with_its_prefecture_once() -> None:
    assert area_label("北部医療圏", "架空県") == "北部医療圏（架空県）"
    assert area_label("架空県", "架空県") == "架空県"  # not 「架空県（架空県）」
    assert area_label("峰岡町") == "峰岡町"
