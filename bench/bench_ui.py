"""UI latency: warm render time of every page and search-as-you-type, driven by AppTest.

    .venv/bin/python bench/bench_ui.py --data-dir DIR   # a data folder with index + sample

Targets: warm page render ≤ 2 s, search results ≤ 300 ms. Writes bench/out/bench_ui.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

PAGES = ["start", "area", "sheet", "export", "search", "meeting", "data"]
QUERY = "夜間の輪番が組めない地域で何をしている？"
RUNS = 5


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    os.environ["FACILITATOR_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("FACILITATOR_AUTH", "false")  # render times, not the login form
    from streamlit.testing.v1 import AppTest

    from facilitator.search.searcher import Searcher
    from facilitator.settings import load_settings

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    cold = timed(at.run)
    pages = {}
    for page in PAGES:
        at.switch_page(f"facilitator/ui/pages/{page}.py")
        first = timed(at.run)
        warm = [timed(at.run) for _ in range(RUNS)]
        pages[page] = {
            "first_ms": round(first, 1),
            "warm_median_ms": round(statistics.median(warm), 1),
            "warm_max_ms": round(max(warm), 1),
        }
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("facilitator/ui/pages/search.py").run()
    typing = []
    for n in range(2, len(QUERY) + 1, 2):
        typing.append(timed(lambda n=n: at.text_input(key="search_query").input(QUERY[:n]).run()))
    from facilitator.ui.components.common import get_embedder

    settings = load_settings()  # the app's cached embedder: one engine per process, as in the app
    searcher = Searcher(settings, embedder=get_embedder(settings.embedding_model))
    searcher.search(QUERY)
    search = [searcher.search(QUERY[:n]).took_ms for n in range(2, len(QUERY) + 1)]
    report = {
        "machine": describe(),
        "data_dir": str(args.data_dir),
        "app_cold_start_ms": round(cold, 1),
        "pages": pages,
        "search_as_you_type_rerun_ms": {
            "median": round(statistics.median(typing), 1),
            "max": round(max(typing), 1),
            "n": len(typing),
        },
        "search_library_ms": {
            "median": round(statistics.median(search), 1),
            "max": round(max(search), 1),
            "n": len(search),
        },
        "targets": {"warm_page_ms": 2000, "search_ms": 300},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    out = ROOT / "bench" / "out" / "bench_ui.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
