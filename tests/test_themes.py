"""The one theme vocabulary: what a person may type for a theme, and what they are told."""

from __future__ import annotations

import pytest

from facilitator.errors import InputError
from facilitator.reports.items import FUNCTION_KEYS
from facilitator.themes import (
    COUNCIL_THEMES,
    THEME_FUNCTIONS,
    THEME_LABELS,
    THEME_SHORT,
    parse_theme,
)


@pytest.mark.parametrize(
    ("typed", "theme"),
    [
        ("zaitaku", "zaitaku"),
        (" ZAITAKU ", "zaitaku"),
        ("在宅医療", "zaitaku"),
        ("時間外診療（2号機能イ）", "jikangai"),
        ("医療介護連携", "kaigo"),
        ("１号機能", "ichigo"),  # full-width digit, NFKC
    ],
)
def test_keys_and_labels_are_accepted(typed: str, theme: str) -> None:
    assert parse_theme(typed) == theme


@pytest.mark.parametrize("typed", ["dental", "free", "", None])
def test_anything_else_gets_one_japanese_message_listing_the_themes(typed: str | None) -> None:
    with pytest.raises(InputError) as err:
        parse_theme(typed)
    assert "ichigo / jikangai / nyutaiin / zaitaku / kaigo" in str(err.value)
    assert "在宅医療" in str(err.value)


def test_free_theme_only_where_allowed() -> None:
    assert parse_theme("free", allow_free=True) == "free"


def test_every_council_theme_has_labels_and_a_report_function() -> None:
    for theme in COUNCIL_THEMES:
        assert THEME_LABELS[theme] and THEME_SHORT[theme]
        assert FUNCTION_KEYS[THEME_FUNCTIONS[theme]] == theme
