"""Engineered areas for the drafting tests: a fictional 検証県 (code 98) whose areas each
have one known shape, so a draft's 課題 can be checked against what the data must show.

- 充実市: above the prefecture on every theme (most institutions have every function);
- 無病院町: no hospital at all;
- 看取り少町: as well provided as 充実市, but no institution reports a 看取り;
- 極小村: two institutions — too few to compare with the prefecture;
- 平均市・標準町: ordinary areas that make up the prefecture's average.

The rows come from the same seeded generator as the shipped sample (labelled 架空データ).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from facilitator.reports import import_file, open_store
from facilitator.reports.items import load_dictionary
from facilitator.reports.sample.synth import (
    AREA_HEADER,
    PROFILES,
    MuniSpec,
    Profile,
    area_rows,
    header,
    institution_rows,
    write_csv,
)
from facilitator.settings import Settings

YEAR = 2026
PREF_CODE = "98"
PREF_NAME = "検証県"
RICH = Profile(8.0, 0.8, 1.1, (0.95, 0.5), (0.9, 0.5), (0.95, 0.5), 0.95, (0.97, 0.5))
ORDINARY = replace(PROFILES["地方都市"], h24=0.3)
NO_HOSPITAL = replace(PROFILES["農村"], hospitals_per_10k=0.0)

MUNIS = [
    MuniSpec("98201", "充実市", "9801", "第一医療圏", "地方都市", 60_000, 0.30, 0.16, RICH),
    MuniSpec("98202", "平均市", "9801", "第一医療圏", "地方都市", 140_000, 0.28, 0.15, ORDINARY),
    MuniSpec("98301", "無病院町", "9802", "第二医療圏", "農村", 16_000, 0.36, 0.21, NO_HOSPITAL),
    MuniSpec("98302", "看取り少町", "9802", "第二医療圏", "地方都市", 40_000, 0.32, 0.18, RICH),
    MuniSpec(
        "98303", "極小村", "9802", "第二医療圏", "山間", 1_200, 0.45, 0.28, PROFILES["山間"], 2
    ),
    MuniSpec("98304", "標準町", "9802", "第二医療圏", "農村", 30_000, 0.33, 0.19, ORDINARY),
]
NAMES = {m.name: m.code for m in MUNIS}


def write_files(folder: Path, seed: int = 98) -> tuple[Path, Path]:
    """The area table and the report file of 検証県; 看取り少町 reports no 看取り."""
    folder.mkdir(parents=True, exist_ok=True)
    d = load_dictionary(YEAR)
    head = header(d)
    mitori = head.index(d.header("g2ha_mitori"))
    muni = head.index(d.header("muni_code"))
    rows = []
    for row in institution_rows(d, MUNIS, YEAR, seed, PREF_CODE):
        if row[muni] == NAMES["看取り少町"] and row[mitori] != "":
            row[mitori] = 0
        rows.append(row)
    areas = folder / "検証県_市町村表.csv"
    reports = folder / f"検証県_報告_{YEAR}.csv"
    write_csv(areas, AREA_HEADER, area_rows(MUNIS, PREF_NAME))
    write_csv(reports, head, rows, encoding="utf-8")
    return areas, reports


def load(settings: Settings, folder: Path) -> None:
    """Import 検証県 into ``settings``' data folder."""
    areas, reports = write_files(folder)
    with open_store(settings) as store:
        import_file(areas, store)
        import_file(reports, store)
