"""Retrieval quality and speed, side by side with a naive baseline.

Prints nDCG@10, recall@10 and no-answer accuracy on the judged dev set
(bench/devset.jsonl) for our hybrid search and for a baseline of 500-character
windows searched with dense vectors only, per query kind; then index build time
and warm query latency (p50/p95) at corpus size.

    .venv/bin/python bench/eval_search.py [--devset bench/devset.jsonl] [--data-dir DIR]

Relevance is judged on source spans, not on chunk ids, so both systems are scored
the same way: a hit is relevant to {"case": "事例17"} when it lies in that case, and
to {"doc": ..., "quote": ...} when it overlaps where the quote occurs.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.corpus.documents import parse_corpus  # noqa: E402
from facilitator.corpus.parsers.base import ParsedDocument  # noqa: E402
from facilitator.search.embeddings import (  # noqa: E402
    EmbeddingCache,
    embed_passages_cached,
    load_embedder,
)
from facilitator.search.index import build_index  # noqa: E402
from facilitator.search.searcher import Searcher  # noqa: E402
from facilitator.settings import Settings  # noqa: E402
from facilitator.text import normalize_query  # noqa: E402

K = 10
WINDOW = 500


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.doc_id == other.doc_id and self.start < other.end and other.start < self.end


@dataclass
class Unit:
    """One relevance judgment resolved to source spans."""

    key: str
    grade: int
    spans: list[Span]


def resolve(query: dict, parsed: list[ParsedDocument]) -> list[Unit]:
    texts = {p.document.doc_id: p.text for p in parsed}
    cases = {c.case_id: c for p in parsed for c in p.cases}
    case_doc = {c.case_id: p.document.doc_id for p in parsed for c in p.cases}
    units: list[Unit] = []
    for rel in query["relevant"]:
        grade = int(rel.get("grade", 1))
        if "case" in rel:
            case = cases[rel["case"]]
            spans = [Span(case_doc[case.case_id], case.char_start, case.char_end)]
            units.append(Unit(rel["case"], grade, spans))
        else:
            doc, quote = rel["doc"], normalize_query(rel["quote"])
            text = texts[doc]
            spans, at = [], text.find(quote)
            while at >= 0:
                spans.append(Span(doc, at, at + len(quote)))
                at = text.find(quote, at + 1)
            if not spans:
                raise SystemExit(f"{query['id']}: quote not in {doc}: {quote}")
            units.append(Unit(f"{doc}:{quote}", grade, spans))
    return units


def score(ranked: list[Span], units: list[Unit]) -> tuple[float, float]:
    """nDCG@K and recall@K; each judged unit earns its gain once (first covering hit)."""
    seen: set[str] = set()
    dcg = 0.0
    for rank, span in enumerate(ranked[:K]):
        gain = 0
        for unit in units:
            if unit.key not in seen and any(span.overlaps(s) for s in unit.spans):
                seen.add(unit.key)
                gain = max(gain, unit.grade)
        if gain:
            dcg += (2**gain - 1) / math.log2(rank + 2)
    ideal = sorted((u.grade for u in units), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return (dcg / idcg if idcg else 0.0), (len(seen) / len(units) if units else 0.0)


class Baseline:
    """500-character windows, dense only: what a first RAG prototype would do."""

    def __init__(self, parsed: list[ParsedDocument], settings: Settings, embedder) -> None:
        self.spans: list[Span] = []
        texts: list[str] = []
        for p in parsed:
            for start in range(0, len(p.text), WINDOW):
                self.spans.append(Span(p.document.doc_id, start, start + WINDOW))
                texts.append(p.text[start : start + WINDOW])
        cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
        self.vectors = embed_passages_cached(embedder, texts, cache)
        cache.close()
        self.embedder = embedder

    def search(self, query: str) -> tuple[list[Span], float]:
        sims = self.vectors @ self.embedder.embed_query(query)
        order = np.argsort(-sims)[:K]
        return [self.spans[i] for i in order], float(sims[order[0]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=ROOT / "bench" / "devset.jsonl")
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "eval-data")
    ap.add_argument("--cold", action="store_true", help="delete the vector cache first")
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir)
    if args.cold:
        shutil.rmtree(args.data_dir, ignore_errors=True)
    queries = [
        json.loads(line) for line in args.devset.read_text("utf-8").splitlines() if line.strip()
    ]

    t0 = time.perf_counter()
    embedder = load_embedder(settings.embedding_model)
    parsed = parse_corpus(settings)
    report = build_index(settings, embedder=embedder, parsed=parsed)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_index(settings, embedder=embedder)
    rebuild_s = time.perf_counter() - t0

    searcher = Searcher(settings, embedder=embedder)
    baseline = Baseline(parsed, settings, embedder)
    chunk_span = {
        c.chunk_id: Span(c.doc_id, c.locator.char_start, c.locator.char_end)
        for p in parsed
        for c in p.chunks
    }

    rows: list[dict] = []
    for q in queries:
        units = resolve(q, parsed)
        ours = searcher.search(q["query"], k=K)
        base_spans, base_top = baseline.search(q["query"])
        o_ndcg, o_rec = score([chunk_span[h.chunk_id] for h in ours.hits], units)
        b_ndcg, b_rec = score(base_spans, units)
        rows.append(
            {
                "id": q["id"],
                "kind": q["kind"],
                "style": q.get("style", ""),
                "ours": (o_ndcg, o_rec),
                "base": (b_ndcg, b_rec),
                "confident": ours.confident,
                "confidence": ours.confidence,
                "base_top": base_top,
            }
        )

    # Baseline no-answer rule: flag when the top cosine is below the median top cosine.
    base_cut = statistics.median(r["base_top"] for r in rows)

    def line(label: str, sel: list[dict]) -> None:
        ans = [r for r in sel if r["kind"] != "none"]
        none = [r for r in sel if r["kind"] == "none"]

        def avg(xs: list[float]) -> float:
            return sum(xs) / len(xs) if xs else float("nan")

        parts = [f"{label:<22} n={len(sel):>3}"]
        if ans:
            parts.append(
                f"nDCG@10 {avg([r['ours'][0] for r in ans]):.3f} vs {avg([r['base'][0] for r in ans]):.3f}"
                f"  recall@10 {avg([r['ours'][1] for r in ans]):.3f} vs {avg([r['base'][1] for r in ans]):.3f}"
                f"  confident-on-answerable {avg([float(r['confident']) for r in ans]):.2f}"
                f" vs {avg([float(r['base_top'] >= base_cut) for r in ans]):.2f}"
            )
        if none:
            parts.append(
                f"no-answer flagged {avg([float(not r['confident']) for r in none]):.2f}"
                f" vs {avg([float(r['base_top'] < base_cut) for r in none]):.2f}"
            )
        print("  ".join(parts))

    print(
        f"dev set: {len(rows)} queries ({args.devset.name}); ours vs baseline "
        f"({WINDOW}-char windows, dense only)"
    )
    line("all", rows)
    for kind in ("precedent", "survey", "guideline", "none"):
        line(f"kind={kind}", [r for r in rows if r["kind"] == kind])
    for style in ("literal", "paraphrase"):
        line(f"style={style}", [r for r in rows if r["style"] == style and r["kind"] != "none"])
    acc = sum((r["kind"] == "none") != r["confident"] for r in rows) / len(rows)
    print(f"confident flag accuracy over all queries: {acc:.3f}")
    worst = sorted((r for r in rows if r["kind"] != "none"), key=lambda r: r["ours"][0])[:5]
    print("weakest queries (ours nDCG):", ", ".join(f"{r['id']}={r['ours'][0]:.2f}" for r in worst))
    wrong = [
        f"{r['id']}({r['confidence']})" for r in rows if (r["kind"] == "none") == r["confident"]
    ]
    print("confident flag wrong on:", ", ".join(wrong) or "none")

    print(
        f"\nindex: {report.chunks} chunks from {report.documents} documents; "
        f"build {build_s:.1f} s ({report.embedded} passages embedded, {report.cached} cached); "
        f"re-ingest unchanged {rebuild_s:.1f} s"
    )
    lat = []
    for _ in range(3):
        for q in queries:
            t = time.perf_counter()
            searcher.search(q["query"], k=K)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print(
        f"warm query latency at corpus size: p50 {statistics.median(lat):.1f} ms, "
        f"p95 {lat[int(len(lat) * 0.95)]:.1f} ms over {len(lat)} queries"
    )


if __name__ == "__main__":
    main()
