"""A random sample of the offline drafts' citations, for a reader to judge support.

Prints, for N citations drawn with a fixed seed from every sample area × theme draft, the
statement, the quoted sentence, its support score and whether it backs the statement or is
shown as 参考. A reader marks each as supporting or not; the share of backing citations
judged supporting is the figure issue 9 asks for (target ≥ 90 %). Judged samples are kept
in bench/reviews/ (see its README for the scale).

    .venv/bin/python bench/sample_citations.py --data-dir DIR [--n 60] [--seed 9] [--tsv OUT]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_draft import prepare
from machine import describe

from facilitator.drafting.context import DraftRequest
from facilitator.drafting.draft import draft_sheet
from facilitator.reports import list_areas
from facilitator.search.searcher import Searcher
from facilitator.themes import COUNCIL_THEMES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--tsv", type=Path)
    args = parser.parse_args()
    settings = prepare(args.data_dir)
    print(describe())
    searcher = Searcher(settings)
    rows = []
    for theme in COUNCIL_THEMES:
        for area in (a.name for a in list_areas(settings=settings)):
            sheet = draft_sheet(
                DraftRequest(area=area, theme=theme), settings, searcher, save=False
            ).sheet
            for path, statement in sheet.statements():
                for c in statement.citations:
                    rows.append(
                        (theme, area, path, statement.text, c.quote, c.support, c.reference)
                    )
    backing = [r for r in rows if not r[6]]
    weak = [r for r in rows if r[6]]
    print(f"{len(rows)} citations: {len(backing)} backing, {len(weak)} shown as 参考")
    rng = random.Random(args.seed)
    sample = rng.sample(backing, min(args.n, len(backing)))
    sample += rng.sample(weak, min(args.n // 3, len(weak)))
    for i, (theme, area, path, text, quote, support, ref) in enumerate(sample, 1):
        kind = "参考" if ref else "根拠"
        print(f"\n[{i}] {theme} {area} {path} {kind} support={support}")
        print(f"  文: {text[:220]}")
        print(f"  引用: {quote[:220]}")
    if args.tsv:
        with args.tsv.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t")
            w.writerow(
                ["no", "theme", "area", "field", "kind", "support", "statement", "quote", "judged"]
            )
            for i, (theme, area, path, text, quote, support, ref) in enumerate(sample, 1):
                w.writerow(
                    [i, theme, area, path, "参考" if ref else "根拠", support, text, quote, ""]
                )


if __name__ == "__main__":
    main()
