"""The report data on both backends (SQLite in the data folder, a real PostgreSQL): the
same imports give the same stored rows and figures, replacements are all or nothing,
writers from several instances run one after the other, and a change made by one instance
is seen by the others' caches."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from facilitator.reports import (
    NoReportDataError,
    ReportStore,
    import_file,
    import_files,
    load_sample,
    open_store,
    remove_data,
    summary,
)
from facilitator.reports.sample.prefecture import AREAS_FILE, REPORTS_CSV
from facilitator.reports.store import DATA_TABLES
from facilitator.settings import Settings

from .conftest import write_csv


def _stored(settings: Settings) -> dict[str, list[tuple]]:
    """Every report table, without the import time (which differs between two imports)."""
    with open_store(settings) as store:
        out = {t: store.rows(t) for t in DATA_TABLES}
    out["datasets"] = [r[:3] + r[4:] for r in out["datasets"]]
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The sample loaded into SQLite: what each backend must store and show."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("reference") / "data")
    load_sample(settings)
    return settings


def test_the_sample_is_stored_and_summarised_the_same(
    backend: Settings, reference: Settings
) -> None:
    load_sample(backend)
    assert _stored(backend) == _stored(reference)
    with open_store(backend) as a, open_store(reference) as b:
        assert a.count("answers") == b.count("answers") > 10_000
        code = a.rows("institutions")[0][2]
        assert a.answers(2026, code) == b.answers(2026, code) != []
    mine = summary(None, settings=backend).model_dump_json()
    assert mine == summary(None, settings=reference).model_dump_json()


def test_reimport_replaces_and_remove_removes(
    backend: Settings, sample_dir: Path, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    with open_store(backend) as store:
        import_file(sample_dir / AREAS_FILE, store)
        import_file(sample_dir / REPORTS_CSV, store)
        first = store.data_version()
        result = import_file(write_csv(tmp_path / "half.csv", header, rows[:400]), store)
        assert result.replaced and store.count("institutions") == 400
        assert store.data_version() != first
    assert remove_data("99", settings=backend) == 400
    with open_store(backend) as store:
        assert store.count("institutions") == 0 and store.datasets() == []
        assert store.count("areas") == 16


def test_a_batch_with_a_bad_file_stores_nothing(
    backend: Settings, sample_dir: Path, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    bad = [r[:] for r in rows]
    bad[3][header.index("医療機関コード")] = ""  # a required value missing
    batch = import_files(
        backend, [sample_dir / AREAS_FILE, write_csv(tmp_path / "bad.csv", header, bad)]
    )
    assert not batch.ok
    with open_store(backend) as store:
        assert all(store.count(t) == 0 for t in ("areas", "institutions", "datasets"))
        assert store.data_version() == ""


def test_an_interrupted_import_leaves_the_previous_data(
    backend: Settings,
    sample_dir: Path,
    report_rows,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_sample(backend)
    before = _stored(backend)
    header, rows = report_rows

    def boom(self: ReportStore) -> None:
        raise KeyboardInterrupt  # after the old rows were deleted and the new ones written

    monkeypatch.setattr(ReportStore, "_new_version", boom)
    with pytest.raises(KeyboardInterrupt), open_store(backend) as store:
        import_file(write_csv(tmp_path / "new.csv", header, rows[:100]), store)
    assert _stored(backend) == before


def test_concurrent_imports_run_one_after_the_other(backend: Settings, sample_dir: Path) -> None:
    """Four instances import the same files at once: each import replaces the previous
    one whole, so the end state is exactly one import, not a mixture or a failure."""
    with open_store(backend) as store:
        import_file(sample_dir / AREAS_FILE, store)
    barrier, errors = threading.Barrier(4), []

    def work() -> None:
        try:
            with open_store(backend) as store:
                barrier.wait()
                import_file(sample_dir / REPORTS_CSV, store)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with open_store(backend) as store:
        assert store.count("institutions") == 920
        assert len({r[2] for r in store.rows("institutions")}) == 920


def test_a_change_by_another_instance_reaches_the_cache(backend: Settings) -> None:
    load_sample(backend)
    assert summary(None, "zaitaku", settings=backend).areas
    with open_store(backend) as store:  # e.g. the CLI of another machine
        store.remove("99")
    with pytest.raises(NoReportDataError):
        summary(None, "zaitaku", settings=backend)
