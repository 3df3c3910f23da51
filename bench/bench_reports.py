"""Benchmark of the report data (架空データ at national scale).

Measures import + validation throughput on a ~100,000-institution CSV and summary latency
for one area and for all areas on a ~120,000-institution national dataset (47 fictional
prefectures, codes 50–96), on SQLite and on PostgreSQL (a throwaway local server with
fsync on, or ``--database-url``), side by side. Targets (issue 11 "National scale"): import ≥ 50,000
rows/s; one area ≤ 200 ms; all areas ≤ 1 s. Summaries are cached per data version, so the
all-area figure is given cold (first call after an import) and warm (cached).

    .venv/bin/python bench/bench_reports.py [--institutions 120000] [--keep DIR]
        [--backends sqlite,postgresql] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from machine import ROOT, describe

from facilitator.reports import cache, import_file, open_store, summary
from facilitator.reports.areas import areas_for_year
from facilitator.reports.compute.indicators import Frame, evaluate_theme
from facilitator.reports.items import load_dictionary
from facilitator.reports.sample.synth import (
    AREA_HEADER,
    area_rows,
    header,
    institution_rows,
    national_munis,
    write_csv,
)
from facilitator.settings import Settings
from facilitator.storage.db import SQLITE_FILE, dispose_engines
from facilitator.themes import COUNCIL_THEMES

sys.path.insert(0, str(ROOT))  # tests.support: the throwaway PostgreSQL server

YEAR = 2026


def _timed(fn, repeat: int = 1) -> tuple[float, float, object]:
    """Median wall time, median CPU time of this process, last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def build(out: Path, n_total: int, seed: int) -> tuple[Path, Path, Path, int, int]:
    """Areas CSV for 47 prefectures and two report CSVs (~100k and the rest)."""
    d = load_dictionary(YEAR)
    n_big = round(n_total * 100 / 120)
    big = national_munis(n_big, [str(c) for c in range(50, 90)], seed)
    rest = national_munis(n_total - n_big, [str(c) for c in range(90, 97)], seed + 1)
    areas = out / "bench_架空データ_市町村表.csv"
    rows = [r for pc, ms in {**big, **rest}.items() for r in area_rows(ms, f"架空{pc}県")]
    write_csv(areas, AREA_HEADER, rows)
    files = []
    counts = []
    for name, group in (("100k", big), ("rest", rest)):
        path = out / f"bench_架空データ_報告_{name}.csv"
        gen = (
            row
            for pc, ms in group.items()
            for row in institution_rows(d, ms, YEAR, seed + int(pc), pc)
        )
        counts.append(write_csv(path, header(d), gen))
        files.append(path)
    return areas, files[0], files[1], counts[0], counts[1]


def aggregate_only(settings: Settings) -> int:
    """The columnar part of ``summary()``: every indicator value of every area (from the
    stored per-municipality statistics), without building Indicator/Finding objects."""
    n = 0
    with open_store(settings) as store:
        for pref in sorted({d["pref_code"] for d in store.datasets()}):
            year = store.latest_year(pref)
            frame = Frame(areas_for_year(store, year, [pref]), store.muni_stats(year, [pref]), year)
            form_year = load_dictionary(year).form_year
            for theme in COUNCIL_THEMES:
                evaluate_theme(frame, form_year, theme)
            n += len(frame.areas)
    return n


def run(settings: Settings, files: tuple[Path, Path, Path, int, int], label: str) -> dict:
    """Every figure on one backend (printed as it comes, returned for the comparison)."""
    areas, big, rest, n_big, n_rest = files
    f: dict[str, float] = {}
    cache.clear()
    print(f"\n== {label} ==")
    with open_store(settings) as store:
        t_areas, _, _ = _timed(lambda: import_file(areas, store))
        print(f"import areas ({store.count('areas'):,} municipalities): {t_areas * 1000:.0f} ms")
        t_big, c_big, res = _timed(lambda: import_file(big, store))
        f["import rows/s"] = n_big / t_big
        print(
            f"import + validation {n_big:,} institutions ({res.answers:,} answers): "
            f"wall {t_big:.2f} s = {n_big / t_big:,.0f} rows/s, "
            f"CPU of this process {c_big:.2f} s  (target ≥ 50,000 rows/s)"
        )
        t_rest, _, _ = _timed(lambda: import_file(rest, store))
        print(
            f"import {n_rest:,} more institutions: "
            f"wall {t_rest:.2f} s = {n_rest / t_rest:,.0f} rows/s"
        )
        t_re, _, res2 = _timed(lambda: import_file(big, store))
        f["re-import rows/s"] = n_big / t_re
        print(
            f"re-import (atomic replace) {n_big:,}: wall {t_re:.2f} s = {n_big / t_re:,.0f} rows/s "
            f"(replaced={res2.replaced})"
        )
        total = store.count("institutions")
        answers = store.count("answers")
    print(f"stored: {total:,} institutions, {answers:,} long-form answers")

    for query in ("50201", "5003", "50"):
        cache.clear()
        cold, _, _ = _timed(lambda q=query: summary(q, settings=settings))
        warm, cpu, res = _timed(lambda q=query: summary(q, settings=settings), repeat=5)
        a = res.areas[0]
        f[f"one area ({a.area.level}) ms"] = warm * 1000
        print(
            f"summary one area {a.area.name} ({a.area.level}, {a.n_institutions:,} inst., "
            f"{len(a.indicators)} indicators, {len(a.findings)} findings): "
            f"cold {cold * 1000:.0f} ms, "
            f"median wall {warm * 1000:.0f} ms, CPU {cpu * 1000:.0f} ms  (target ≤ 200 ms)"
        )

    def cold_all() -> object:
        cache.clear()
        return summary(settings=settings)

    t_cold, c_cold, res = _timed(cold_all, repeat=3)
    f["all areas cold s"] = t_cold
    n_ind = sum(len(s.indicators) for s in res.areas)
    n_find = sum(len(s.findings) for s in res.areas)
    print(
        f"summary all areas ({len(res.areas):,} areas, {n_ind:,} indicators, {n_find:,} findings), "
        f"cold (after an import): median wall {t_cold:.2f} s, CPU {c_cold:.2f} s"
    )
    t_agg, _, n_areas = _timed(lambda: aggregate_only(settings), repeat=3)
    f["aggregation s"] = t_agg
    print(
        f"aggregation only (indicator values of all {n_areas:,} areas and themes, numpy, "
        f"no objects or sentences): median wall {t_agg:.2f} s"
    )
    t_all, c_all, _ = _timed(lambda: summary(settings=settings), repeat=3)
    f["all areas warm s"] = t_all
    print(
        f"summary all areas, warm (same data version): median wall {t_all:.2f} s, "
        f"CPU {c_all:.2f} s  (target ≤ 1 s)"
    )
    return f


def _postgres(url: str | None) -> tuple[str, Callable[[], None]]:
    """The URL of the PostgreSQL to measure: the one given, or a throwaway local server
    (Debian's binaries, as the tests start it, but with fsync on)."""
    if url:
        return url, lambda: None
    from tests.support.postgres import missing_postgres, start_postgres

    missing = missing_postgres()
    if missing:
        raise SystemExit(f"PostgreSQL: missing {', '.join(missing)} (or pass --database-url)")
    server = start_postgres(durable=True)
    return next(server).new_database(), server.close


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--institutions", type=int, default=120_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated files here")
    ap.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    ap.add_argument("--database-url", default=None, help="an existing PostgreSQL to measure")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_reports_"))
    work.mkdir(parents=True, exist_ok=True)
    print(describe())
    print(f"work dir: {work}")

    t0 = time.perf_counter()
    files = build(work, args.institutions, args.seed)
    print(
        f"generated 架空データ: {files[3]:,} + {files[4]:,} institutions, "
        f"{files[1].stat().st_size / 1e6:.1f} MB CSV, in {time.perf_counter() - t0:.1f} s"
    )
    figures: dict[str, dict] = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            settings = Settings(data_dir=work / "data-sqlite")
            figures["SQLite"] = run(settings, files, "SQLite (data folder)")
            size = (settings.data_dir / SQLITE_FILE).stat().st_size / 1e6
            print(f"database file: {size:.0f} MB")
        elif backend == "postgresql":
            url, stop = _postgres(args.database_url)
            try:
                settings = Settings(data_dir=work / "data-pg", database_url=url)
                figures["PostgreSQL"] = run(settings, files, "PostgreSQL (server on this machine)")
            finally:
                dispose_engines()
                stop()
        else:
            raise SystemExit(f"unknown backend {backend!r}")
    if len(figures) == 2:
        print("\n== side by side ==")
        sq, pg = figures["SQLite"], figures["PostgreSQL"]
        for key in sq:
            ratio = sq[key] / pg[key] if "rows/s" in key else pg[key] / sq[key]
            print(f"{key:<28} SQLite {sq[key]:>10,.2f}  PostgreSQL {pg[key]:>10,.2f}  ×{ratio:.2f}")
        print("(×: how many times slower PostgreSQL is; target ≤ 2)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (summaries cached): {rss:,.0f} MB")
    print(f"load average during the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
