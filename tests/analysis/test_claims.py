"""Claim checks: a statement must not say what the area's own figures contradict."""

from __future__ import annotations

import pytest

from facilitator.analysis.claims import check_claims, contradiction, read_claims
from facilitator.analysis.profile import GapProfile, MetricGap
from facilitator.sheets.model import AreaRef, Cause, Claim, FigureRef, IssueSheet, Statement

KOHO = "item.g2ro_koho.yes.share"
RULE = "item.g2ro_taiin_rule.yes.share"


def gap(metric: str, label: str, value: float, pref: float, direction: str, n: int) -> MetricGap:
    return MetricGap(
        metric=metric,
        label=label,
        value=value,
        unit="%",
        n=n,
        prefecture=pref,
        direction=direction,  # type: ignore[arg-type]
    )


@pytest.fixture
def profile() -> GapProfile:
    """北部: more institutions keep 後方支援病床 than in the prefecture; 退院ルール on three."""
    return GapProfile(
        area_code="9901",
        area_name="北部医療圏",
        level="secondary",
        theme="nyutaiin",
        year=2026,
        metrics={
            KOHO: gap(KOHO, "後方支援病床の確保：有りの割合", 22.6, 17.7, "above", 53),
            RULE: gap(RULE, "退院ルールへの参加：有りの割合", 33.3, 20.0, "uncertain", 3),
        },
    )


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("後方支援病床の確保が困難である。", [(KOHO, "below")]),
        ("後方支援病床を確保する医療機関が多い。", [(KOHO, "above")]),
        (
            "退院ルールに参加する医療機関が少なく、後方支援病床は十分にある。",
            [
                (RULE, "below"),
                (KOHO, "above"),
            ],
        ),
        ("後方支援病床が足りないかどうかは、報告データでは確かめられない。", []),
        ("病院の地域連携室が多く、調整が難しい。", []),  # nothing the report measures
    ],
)
def test_claims_are_read_clause_by_clause(text: str, claims: list[tuple[str, str]]) -> None:
    assert [(c.metric, c.direction) for c in read_claims(text, "nyutaiin")] == claims


def test_a_claim_against_the_figures_is_contradicted_and_says_why(profile: GapProfile) -> None:
    reason = contradiction(Claim(metric=KOHO, direction="below"), profile)
    assert reason is not None and "県平均を上回る" in reason and "22.6%" in reason
    assert contradiction(Claim(metric=KOHO, direction="above"), profile) is None


def test_a_claim_on_too_few_institutions_cannot_be_confirmed(profile: GapProfile) -> None:
    reason = contradiction(Claim(metric=RULE, direction="above"), profile)
    assert reason is not None and "3施設と少なく" in reason


def test_an_unknown_metric_is_not_judged(profile: GapProfile) -> None:
    assert contradiction(Claim(metric="item.unknown.share", direction="below"), profile) is None


def sheet(**fields: object) -> IssueSheet:
    return IssueSheet(area=AreaRef(code="9901", name="北部医療圏"), theme="nyutaiin", **fields)


def test_the_example_issue_copied_onto_an_area_that_has_no_such_gap_is_flagged(
    profile: GapProfile,
) -> None:
    draft = sheet(issue=Statement(text="急変時の後方支援病床の確保が困難。"))
    checked, flags = check_claims(draft, profile)
    assert [(f.path, f.metric) for f in flags] == [("issue", KOHO)]
    assert checked.issue.review and not draft.issue.review  # the input is left unchanged


def test_a_statement_with_figures_is_judged_by_its_own_claims_not_its_words(
    profile: GapProfile,
) -> None:
    figure = FigureRef(finding_id="rpt-1", sentence="…", metric=KOHO, value=22.6, unit="%")
    text = "後方支援病床は県平均を上回るが、夜間の受入れは困難との声がある。"
    stated = Statement(text=text, figures=[figure], claims=[Claim(metric=KOHO, direction="above")])
    _, flags = check_claims(sheet(current_state=[stated]), profile)
    assert flags == []


def test_a_cause_on_too_few_institutions_stays_a_hypothesis(profile: GapProfile) -> None:
    cause = Cause(text="退院ルールに参加する医療機関が少ない。")
    _, flags = check_claims(sheet(causes=[cause]), profile)
    assert flags == []  # 3 institutions cannot confirm it, but a cause is there to be checked
    _, flags = check_claims(sheet(issue=Statement(text=cause.text)), profile)
    assert [f.metric for f in flags] == [RULE]


def test_without_report_data_nothing_is_flagged() -> None:
    draft = sheet(issue=Statement(text="後方支援病床の確保が困難。"))
    assert check_claims(draft, None) == (draft, [])
