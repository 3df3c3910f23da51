"""Kill probe for ``facilitator reports import`` on both backends (issue 11: "report imports
were all-or-nothing in 19 of 19 kills — keep those properties").

A database holds the 架空データ sample (920 institutions). Each round starts ``facilitator
reports import`` of a larger national-style file (default 20,000 institutions of other
prefectures) in a subprocess, SIGKILLs it at a random moment (fixed seed) and checks that
the database holds exactly the data before the import or exactly the data after it —
never a part — and that it still opens and summarises. Then the next round starts from
what is there. SQLite in a data folder; PostgreSQL on a throwaway local server (fsync on)
or ``--database-url``.

    .venv/bin/python bench/crash_reports.py [--rounds 20] [--institutions 20000]
        [--backends sqlite,postgresql] [--database-url URL] [--seed 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import ROOT, describe

sys.path.insert(0, str(ROOT))

from bench_reports import build

from facilitator.reports import load_sample, open_store, summary
from facilitator.reports.store import DATA_TABLES
from facilitator.settings import Settings
from facilitator.storage.db import dispose_engines


def digest(settings: Settings) -> str:
    """The whole report data (without import times), as one hash."""
    h = hashlib.sha256()
    with open_store(settings) as store:
        for table in DATA_TABLES:
            rows = store.rows(table)
            if table == "datasets":
                rows = [r[:3] + r[4:] for r in rows]
            h.update(repr(rows).encode())
    return h.hexdigest()


def env(settings: Settings) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    out["FACILITATOR_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        out["FACILITATOR_DATABASE_URL"] = settings.database_url
    return out


def importing(settings: Settings, files: list[Path]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "facilitator.cli", "reports", "import", *map(str, files)]
    return subprocess.Popen(
        cmd, env=env(settings), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def rounds(settings: Settings, files: list[Path], n: int, rng: random.Random) -> dict:
    load_sample(settings)
    t0 = time.perf_counter()
    p = importing(settings, files)
    p.wait()
    full = time.perf_counter() - t0
    after = digest(settings)
    if p.returncode:
        raise SystemExit(f"the uncontested import failed (exit {p.returncode})")
    print(f"uncontested import: {full:.2f} s (kills land in 0.3–{full:.1f} s)")
    # back to the sample only: the state before
    with open_store(settings) as store:
        for pref in {d["pref_code"] for d in store.datasets()} - {"99"}:
            store.remove(pref, areas=True)
    before = digest(settings)
    out = {"rounds": n, "before": 0, "after": 0, "broken": 0, "unreadable": 0}
    for r in range(n):
        state = digest(settings)
        delay = rng.uniform(0.3, full)
        p = importing(settings, files)
        time.sleep(delay)
        killed = p.poll() is None
        if killed:
            p.send_signal(signal.SIGKILL)
        p.wait()
        dispose_engines()
        try:
            now = digest(settings)
            summary("99", "zaitaku", settings=settings)
        except Exception as exc:  # reported as a failure of the property
            out["unreadable"] += 1
            print(f"round {r + 1}: database unreadable after the kill: {exc}")
            continue
        which = "before" if now == state else "after" if now == after else "PART"
        if which == "PART":
            out["broken"] += 1
        else:
            out[which] += 1
        print(
            f"round {r + 1:2d}/{n}: {'killed' if killed else 'finished'} at {delay:4.2f} s → "
            f"{which}"
        )
        if which == "after":  # start the next round from the sample only again
            with open_store(settings) as store:
                for pref in {d["pref_code"] for d in store.datasets()} - {"99"}:
                    store.remove(pref, areas=True)
            if digest(settings) != before:
                out["broken"] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--institutions", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    print(describe())
    work = Path(tempfile.mkdtemp(prefix="crash_reports_"))
    areas, big, _rest, n_big, _ = build(work, round(args.institutions * 1.2), args.seed)
    print(f"file: {n_big:,} institutions of 40 fictional prefectures + their area table")
    failed = False
    for backend in args.backends.split(","):
        rng = random.Random(args.seed)
        print(f"\n== {backend} ==")
        if backend == "sqlite":
            settings = Settings(data_dir=work / "sqlite")
            res = rounds(settings, [areas, big], args.rounds, rng)
        else:
            from bench_reports import _postgres

            url, stop = _postgres(args.database_url)
            try:
                settings = Settings(data_dir=work / "pg", database_url=url)
                res = rounds(settings, [areas, big], args.rounds, rng)
            finally:
                dispose_engines()
                stop()
        print(
            f"{backend}: {res['rounds']} kills → before {res['before']}, after {res['after']}, "
            f"partial {res['broken']}, unreadable {res['unreadable']}"
        )
        failed |= bool(res["broken"] or res["unreadable"])
    print(f"load average at the end: {os.getloadavg()}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
