"""The gap profiles of every sample area, shared by the analysis tests."""

from __future__ import annotations

import pytest

from facilitator.analysis.profile import GapProfile, build_profile
from facilitator.settings import Settings
from facilitator.themes import COUNCIL_THEMES


@pytest.fixture(scope="module")
def profiles(drafting_data: Settings) -> dict[str, list[GapProfile]]:
    """The gap profile of every sample area (prefecture, 二次医療圏, 市町村) per theme."""
    from facilitator.reports import list_areas

    areas = list_areas(settings=drafting_data)
    assert len(areas) > 10
    return {
        theme: [build_profile(area, theme, settings=drafting_data) for area in areas]
        for theme in COUNCIL_THEMES
    }
