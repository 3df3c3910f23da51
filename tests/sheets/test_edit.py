"""The edit rules shared by the app's editor and the Excel import."""

from __future__ import annotations

import pytest

from facilitator.sheets.edit import (
    CITED_TEXT_CHANGED,
    EditError,
    edit_text,
    new_item,
    parse_accepted,
    parse_priority,
    parse_status,
    split_participants,
)
from facilitator.sheets.model import (
    Cause,
    Citation,
    Measure,
    SheetStatus,
    Statement,
    VerificationIndicator,
)


def cited(text: str = "夜間の往診が足りない。") -> Statement:
    return Statement(text=text, citations=[Citation(chunk_id="c:1", quote="夜間の往診")])


def test_changing_cited_text_keeps_the_citation_and_warns() -> None:
    s = cited()
    assert edit_text(s, "夜間と休日の往診が足りない。") == CITED_TEXT_CHANGED
    assert s.text == "夜間と休日の往診が足りない。" and s.citations


@pytest.mark.parametrize(
    ("statement", "text"),
    [
        (cited(), "夜間の往診が足りない。"),  # unchanged
        (cited(), "  夜間の往診が足りない。 "),  # only spaces around it
        (Statement(text="根拠のない文"), "別の文"),  # nothing cited
        (cited(), ""),  # emptied: the item goes away, nothing to check
    ],
)
def test_no_warning_when_no_cited_text_changed(statement: Statement, text: str) -> None:
    assert edit_text(statement, text) is None


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("current_state", Statement),
        ("causes", Cause),
        ("measures", Measure),
        ("effects", Statement),
        ("indicators", VerificationIndicator),
    ],
)
def test_new_items_start_empty_and_unbacked(field: str, kind: type) -> None:
    item = new_item(field)
    assert type(item) is kind
    if isinstance(item, Statement):
        assert item.text == "" and not item.citations and not item.figures
    if isinstance(item, Measure):
        assert item.source == "user"


def test_unknown_field_has_no_new_item() -> None:
    with pytest.raises(KeyError):
        new_item("title")


@pytest.mark.parametrize(
    ("parse", "good", "value", "bad", "message"),
    [
        (parse_priority, "高", "高", "最高", "高・中・低"),
        (parse_accepted, "○", True, "たぶん", "「採用」か「不採用」"),
        (parse_accepted, "不採用", False, "", "「採用」か「不採用」"),
        (parse_status, "公表", SheetStatus.published, "完成", "下書き・事務局確認"),
    ],
)
def test_listed_values_only(parse, good: str, value: object, bad: str, message: str) -> None:
    assert parse(good) == value
    with pytest.raises(EditError, match=message):
        parse(bad)


def test_participants_split_on_japanese_and_latin_commas_and_lines() -> None:
    assert split_participants("県・保健所、市町村,医師会，病院\n訪問看護、 ") == [
        "県・保健所",
        "市町村",
        "医師会",
        "病院",
        "訪問看護",
    ]
