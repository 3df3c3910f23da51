"""Shared session fixtures for the drafting tests: the real index plus the 架空データ sample.

Imported by the drafting test modules (``from tests.support.drafting_fixtures import …``). The
data folder is a copy of the session index ``built`` with the sample report data loaded,
so the shared index stays untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.drafting.context import DraftContext, DraftRequest
from facilitator.drafting.draft import DraftResult
from facilitator.reports.sample.prefecture import SAMPLE_MUNICIPALITIES
from facilitator.search.searcher import Searcher
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.themes import COUNCIL_THEMES

THEMES = list(COUNCIL_THEMES)
AREA_NAMES = list(dict.fromkeys(m.sec_name for m in SAMPLE_MUNICIPALITIES))  # the 二次医療圏


def copy_data(source: Settings, target: Path) -> Settings:
    shutil.copytree(source.data_dir, target)
    return Settings(data_dir=target, corpus_dir=PROJECT_ROOT / "corpus")


@pytest.fixture(scope="session")
def drafting_data(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real index and the synthetic sample report data (read-only for tests)."""
    from facilitator.reports import load_sample

    settings = copy_data(built, tmp_path_factory.mktemp("drafting") / "data")
    load_sample(settings)
    return settings


@pytest.fixture(scope="session")
def drafting_searcher(drafting_data: Settings) -> Searcher:
    return Searcher(drafting_data)


@pytest.fixture(scope="session")
def drafts(
    drafting_data: Settings, drafting_searcher: Searcher
) -> dict[tuple[str, str], tuple[DraftResult, DraftContext]]:
    """One offline draft (not saved) and its context for every theme × 二次医療圏."""
    from facilitator.drafting.context import gather_context
    from facilitator.drafting.draft import draft_sheet

    out = {}
    for theme in THEMES:
        for area in AREA_NAMES:
            request = DraftRequest(area=area, theme=theme)
            context = gather_context(request, drafting_data, drafting_searcher)
            result = draft_sheet(request, drafting_data, drafting_searcher, save=False)
            out[(theme, area)] = (result, context)
    return out
