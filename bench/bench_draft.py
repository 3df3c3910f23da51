"""Benchmark of offline drafting: speed, and whether the drafts are analyses of their area.

For every area of the synthetic sample × theme it drafts a sheet (not saved) and prints
per theme: draft time in a warm process (models loaded) — the first draft of each area,
which runs its searches, and a repeat (target ≤ 1 s on 2 cores for both), statements the area's own figures
contradict (要確認; target 0), the share of 課題・原因・方策・効果 statements with content
of the area (its name or its figures), how many distinct 原因 and 方策 there are across
areas (wording with names and numbers masked), and citations too weak to back their
statement (shown as 参考).

    .venv/bin/python bench/bench_draft.py [--data-dir DIR] [--repeat 2]

Without --data-dir a temporary folder is used: the index is built (~1–2 min) and the
synthetic sample report data is loaded.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from facilitator.drafting.context import DraftRequest
from facilitator.drafting.draft import draft_sheet
from facilitator.reports import list_areas, load_sample
from facilitator.search.index import build_index, index_is_current
from facilitator.search.searcher import Searcher
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.sheets.model import IssueSheet
from facilitator.themes import COUNCIL_THEMES

TARGET_S = 1.0
_NUMBER_RE = re.compile(r"[0-9０-９][0-9０-９,.]*")


def prepare(data_dir: Path) -> Settings:
    settings = Settings(data_dir=data_dir, corpus_dir=PROJECT_ROOT / "corpus")
    if not index_is_current(settings):
        print("building the index …", flush=True)
        build_index(settings)
    load_sample(settings)
    return settings


def masked(text: str, names: list[str]) -> str:
    """Wording without area names and numbers: what stays the same across areas."""
    for name in names:
        text = text.replace(name, "〇〇")
    return _NUMBER_RE.sub("#", text)


def area_specific(sheet: IssueSheet) -> tuple[int, int]:
    """(statements of 課題・原因・方策・効果 naming the area or carrying its figures, all)."""
    items = [sheet.issue, *sheet.causes, *sheet.measures, *sheet.effects]
    own = [
        s
        for s in items
        if sheet.area.name in s.text or s.figures or _NUMBER_RE.search(s.text.replace("2027", ""))
    ]
    return len(own), len(items)


def run(settings: Settings, repeat: int) -> bool:
    print(describe())
    searcher = Searcher(settings)
    searcher.search("在宅医療の連携", k=5)  # warm the embedder
    areas = [a.name for a in list_areas(settings=settings)]
    print(f"{len(areas)} areas × {len(COUNCIL_THEMES)} themes, offline drafts (not saved)")
    print(
        f"{'theme':9} {'first':>7} {'repeat':>8} {'max':>6} {'要確認':>5} {'area-specific':>14} "
        f"{'原因 distinct':>13} {'方策 distinct':>13} {'参考/引用':>9}"
    )
    ok = True
    for theme in COUNCIL_THEMES:
        firsts, times, flagged, own, total = [], [], 0, 0, 0
        causes: set[str] = set()
        measures: set[str] = set()
        weak = cited = 0
        for area in areas:
            request = DraftRequest(area=area, theme=theme)
            t0 = time.perf_counter()
            draft_sheet(request, settings, searcher, save=False)  # runs this area's searches
            firsts.append(time.perf_counter() - t0)
            for _ in range(repeat):
                t0 = time.perf_counter()
                result = draft_sheet(request, settings, searcher, save=False)
                times.append(time.perf_counter() - t0)
            sheet = result.sheet
            flagged += len(result.flagged)
            a, b = area_specific(sheet)
            own, total = own + a, total + b
            causes |= {masked(c.text, areas) for c in sheet.causes}
            measures |= {masked(m.text, areas) for m in sheet.measures}
            for c in sheet.all_citations():
                cited += 1
                weak += c.reference
        p50, worst = statistics.median(times), max(*times, *firsts)
        ok &= worst <= TARGET_S and flagged == 0
        print(
            f"{theme:9} {statistics.median(firsts):6.2f}s {p50:7.2f}s {worst:5.2f}s {flagged:5d} "
            f"{own:6d}/{total:<4d}({own / max(total, 1):4.0%}) "
            f"{len(causes):6d}/{len(areas):<6d} {len(measures):6d}/{len(areas):<6d} "
            f"{weak:4d}/{cited:<4d}"
        )
    print("first/repeat: p50 of each area's first draft and of repeats; max over both")
    print(f"targets: warm draft ≤ {TARGET_S} s, 0 要確認 → {'OK' if ok else 'MISSED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if args.data_dir:
        run(prepare(args.data_dir), args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(prepare(Path(tmp) / "data"), args.repeat)


if __name__ == "__main__":
    main()
