"""Shared fixtures: the synthetic sample generated once, and a database with it loaded."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from facilitator.reports import import_file, open_store
from facilitator.reports.sample.prefecture import (
    AREAS_FILE,
    REPORTS_CSV,
    REPORTS_XLSX,
    generate_sample,
)
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.storage.db import SQLITE_FILE


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 架空データ sample files (generated once per session; read-only)."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


@pytest.fixture(scope="session")
def loaded_db(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the sample imported (built once; tests get copies)."""
    data = tmp_path_factory.mktemp("loaded") / "data"
    settings = Settings(data_dir=data, corpus_dir=PROJECT_ROOT / "corpus")
    with open_store(settings) as store:
        import_file(sample_dir / AREAS_FILE, store)
        import_file(sample_dir / REPORTS_CSV, store)
    return data


@pytest.fixture
def loaded(settings: Settings, loaded_db: Path) -> Settings:
    """``settings`` whose data folder holds a private copy of the loaded sample."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    shutil.copy(loaded_db / SQLITE_FILE, Path(settings.data_dir) / SQLITE_FILE)
    return settings


@pytest.fixture
def with_areas(settings: Settings, sample_dir: Path) -> Settings:
    """``settings`` with only the sample's area table imported."""
    with open_store(settings) as store:
        import_file(sample_dir / AREAS_FILE, store)
    return settings


@pytest.fixture(scope="session")
def report_rows(sample_dir: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the sample report CSV, read with the csv module (CP932)."""
    with (sample_dir / REPORTS_CSV).open(encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.fixture(scope="session")
def area_rows(sample_dir: Path) -> list[dict[str, str]]:
    with (sample_dir / AREAS_FILE).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def xlsx_path(sample_dir: Path) -> Path:
    return sample_dir / REPORTS_XLSX


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    """Write a variant of a report file for a test."""
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
    return path
