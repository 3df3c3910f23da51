"""Summaries are cached per data version: any import, area table or removal invalidates them."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.reports import (
    NoReportDataError,
    ReportImportError,
    cache,
    import_file,
    open_store,
    remove_data,
    summary,
)
from facilitator.reports import query as q
from facilitator.reports.sample.prefecture import AREAS_FILE
from facilitator.settings import Settings

from .conftest import write_csv


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every (prefecture, year, themes, area) actually computed, not taken from the cache."""
    calls: list[tuple] = []
    real = q._compute

    def spy(store, pref_code, year, themes, only):
        calls.append((pref_code, year, themes, only and only.code))
        return real(store, pref_code, year, themes, only)

    monkeypatch.setattr(q, "_compute", spy)
    return calls


def _version(settings: Settings) -> str:
    with open_store(settings) as store:
        return store.data_version()


def test_repeated_summary_is_computed_once_and_equal(loaded: Settings, computed) -> None:
    first = summary(settings=loaded)
    second = summary(settings=loaded)
    assert len(computed) == 1
    assert first.model_dump() == second.model_dump()


def test_one_area_is_taken_from_the_cached_prefecture(loaded: Settings, computed) -> None:
    whole = {s.area.code: s for s in summary(settings=loaded).areas}
    one = summary("県都市", settings=loaded).areas[0]
    assert len(computed) == 1
    assert one.model_dump() == whole[one.area.code].model_dump()


def test_callers_cannot_change_the_cached_lists(loaded: Settings) -> None:
    first = summary(settings=loaded)
    n = len(first.areas[0].findings)
    first.areas[0].findings.clear()
    first.areas[0].indicators.clear()
    again = summary(settings=loaded)
    assert len(again.areas[0].findings) == n and again.areas[0].indicators


def test_reimport_invalidates(loaded: Settings, report_rows, tmp_path: Path, computed) -> None:
    header, rows = report_rows
    before = summary(settings=loaded)
    version = _version(loaded)
    with open_store(loaded) as store:
        import_file(write_csv(tmp_path / "half.csv", header, rows[:400]), store)
    assert _version(loaded) != version
    after = summary(settings=loaded)
    assert len(computed) == 2
    n = sum(s.n_institutions for s in after.areas if s.area.level == "prefecture")
    assert n == 400 != sum(s.n_institutions for s in before.areas if s.area.level == "prefecture")


def test_area_table_import_invalidates(loaded: Settings, sample_dir: Path, computed) -> None:
    summary(settings=loaded)
    version = _version(loaded)
    with open_store(loaded) as store:
        import_file(sample_dir / AREAS_FILE, store)
    assert _version(loaded) != version
    summary(settings=loaded)
    assert len(computed) == 2


def test_removal_invalidates(loaded: Settings) -> None:
    pref = summary(settings=loaded).areas[0].area.pref_code
    remove_data(pref, settings=loaded)
    with pytest.raises(NoReportDataError):
        summary(settings=loaded)


def test_rejected_import_keeps_the_version(
    loaded: Settings, report_rows, tmp_path: Path, computed
) -> None:
    header, rows = report_rows
    summary(settings=loaded)
    version = _version(loaded)
    bad = [r[:] for r in rows[:10]]
    bad[0][0] = "x"
    with open_store(loaded) as store, pytest.raises(ReportImportError):
        import_file(write_csv(tmp_path / "bad.csv", header, bad), store)
    assert _version(loaded) == version
    summary(settings=loaded)
    assert len(computed) == 1


def test_one_prefecture_only(loaded: Settings) -> None:
    whole = summary(settings=loaded)
    pref = whole.areas[0].area.pref_code
    assert summary(settings=loaded, pref_code=pref).model_dump() == whole.model_dump()
    with pytest.raises(NoReportDataError, match="都道府県コード 01 の"):
        summary(settings=loaded, pref_code="01")


def test_the_cache_is_bounded(loaded: Settings, computed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_OBJECTS", 10)
    summary(settings=loaded)
    summary(settings=loaded)
    assert len(computed) == 2  # too large to keep: computed each time, still correct
