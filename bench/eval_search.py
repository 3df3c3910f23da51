"""Retrieval quality and speed, side by side with a naive baseline.

Prints nDCG@10, recall@10 and no-answer accuracy on the judged dev set
(bench/devset.jsonl) for our hybrid search and for a baseline of 500-character
windows searched with dense vectors only, per query kind; then index build time
and warm query latency (p50/p95) at corpus size.

    .venv/bin/python bench/eval_search.py [--devset bench/devset.jsonl] [--data-dir DIR]

Relevance is judged on source spans, not on chunk ids, so both systems are scored
the same way: a hit is relevant to {"case": "事例17"} when it lies in that case, and
to {"doc": ..., "quote": ...} when it overlaps where the quote occurs. A hit earns one
judged unit's gain, so quotes sharing a passage cap what any ranking of our passages can
reach: "ours at best" prints that ceiling next to our nDCG@10.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from collections.abc import Callable
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

sys.path.insert(0, str(ROOT / "bench"))
from machine import describe  # noqa: E402

K = 10
WINDOW = 500
PROBE_SETS = (
    "probe_answerable",
    "probe_none",
    "probe_none_holdout",
    "probe_none_holdout2",
    "probe_none_holdout3",
    "probe_precedent_aside",
    "probe_precedent_aside2",
    "probe_holdout4",
    "probe_holdout5",
    "probe_holdout6",
    "probe_holdout7",
    "probe_holdout8",
    "probe_holdout9",
    "probe_holdout10",
    "probe_holdout11",
    "probe_holdout12",
    "probe_holdout13",
    "probe_holdout14",
    "probe_holdout15",
    "probe_holdout16",
    "probe_holdout17",
    "probe_holdout18",
    "probe_holdout19",
    "probe_holdout20",
    "probe_holdout21",
    "probe_holdout22",
    "probe_holdout23",
    "probe_holdout24",
    "probe_holdout25",
    "probe_holdout26",
    "probe_holdout27",
    "probe_holdout28",
    "probe_holdout29",
    "probe_holdout30",
    "probe_holdout31",
    "probe_holdout32",
    "probe_holdout33",
    "probe_holdout34",
    "probe_holdout35",
    "probe_holdout36",
    "probe_holdout37",
    "probe_holdout38",
    "probe_holdout39",
    "probe_holdout40",
    "probe_holdout41",
    "probe_holdout42",
    "probe_holdout43",
    "probe_holdout44",
    "probe_holdout45",
    "probe_holdout46",
    "probe_holdout47",
    "probe_holdout48",
    "probe_holdout49",
    "probe_holdout50",
    "probe_holdout51",
    "probe_holdout52",
    "probe_holdout53",
    "probe_holdout54",
    "probe_holdout55",
    "probe_holdout56",
    "probe_holdout57",
    "probe_holdout58",
    "probe_holdout59",
    "probe_holdout60",
    "probe_holdout61",
    "probe_holdout62",
    "probe_holdout63",
    "probe_holdout64",
    "probe_holdout65",
    "probe_holdout66",
    "probe_holdout67",
    "probe_holdout68",
    "probe_holdout69",
    "probe_holdout70",
    "probe_holdout71",
    "probe_holdout72",
    "probe_holdout73",
    "probe_holdout74",
    "probe_holdout75",
    "probe_holdout76",
    "probe_holdout77",
    "probe_holdout78",
    "probe_holdout79",
    "probe_holdout80",
    "probe_holdout81",
    "probe_holdout82",
    "probe_holdout83",
    "probe_holdout84",
    "probe_holdout85",
    "probe_holdout86",
    "probe_holdout87",
    "probe_holdout88",
    "probe_holdout89",
    "probe_holdout90",
    "probe_holdout91",
    "probe_holdout92",
    "probe_holdout93",
    "probe_holdout94",
    "probe_holdout95",
    "probe_holdout96",
    "probe_holdout97",
    "probe_holdout98",
    "probe_holdout99",
    "probe_holdout100",
    "probe_holdout101",
    "probe_holdout102",
    "probe_holdout103",
    "probe_holdout104",
    "probe_holdout105",
    "probe_holdout106",
    "probe_holdout107",
    "probe_holdout108",
    "probe_holdout109",
    "probe_holdout110",
    "probe_holdout111",
    "probe_holdout112",
    "probe_holdout113",
    "probe_holdout114",
    "probe_holdout115",
    "probe_holdout116",
    "probe_holdout117",
    "probe_holdout118",
    "probe_holdout119",
)


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


def with_cases_of_quotes(
    units: list[Unit], case_of_span: Callable[[Span], str | None], case_spans: dict[str, Span]
) -> list[Unit]:
    """``units`` plus, for a quote lying in a case, that case (its best grade): a precedent
    judged by the sentences that answer it is also judged by the cases that hold them, so
    case-level figures cover sets written either way."""
    grades: dict[str, int] = {}
    for unit in units:
        if unit.key.startswith(("事例", "参考")):
            continue
        for span in unit.spans:
            case = case_of_span(span)
            if case and not any(u.key == case for u in units):
                grades[case] = max(grades.get(case, 0), unit.grade)
    return units + [Unit(c, g, [case_spans[c]]) for c, g in grades.items()]


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


def ceiling(passages: list[Span], units: list[Unit]) -> float:
    """The nDCG@K the best ranking of ``passages`` could reach (greedy: each next passage
    earns the most of what is left). Below 1 when judged quotes share a passage, as
    :func:`score` credits a passage once: the two quotes of one footnote cap it at 0.61."""
    covers = {p: [u for u in units if any(p.overlaps(s) for s in u.spans)] for p in passages}
    covers = {p: us for p, us in covers.items() if us}
    seen: set[str] = set()
    order: list[Span] = []
    while covers and len(order) < K:
        gain = {
            p: max((u.grade for u in us if u.key not in seen), default=0)
            for p, us in covers.items()
        }
        best = max(gain, key=gain.__getitem__)
        if gain[best] == 0:
            break
        order.append(best)
        seen |= {u.key for u in covers.pop(best)}
    return score(order, units)[0]


def case_ndcg(cases: list[str | None], units: list[Unit]) -> float | None:
    """nDCG@K over the distinct cases in result order, judged by the query's case units.

    What a participant sees when results are grouped by case; None without case judgments.
    """
    grades = {u.key: u.grade for u in units if u.key.startswith(("事例", "参考"))}
    if not grades:
        return None
    order = list(dict.fromkeys(c for c in cases if c))[:K]
    dcg = sum((2 ** grades.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(order))
    ideal = sorted(grades.values(), reverse=True)[:K]
    return dcg / sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))


class Baseline:
    """500-character windows, dense only: what a first RAG prototype would do."""

    def __init__(self, parsed: list[ParsedDocument], settings: Settings, embedder) -> None:
        self.spans: list[Span] = []
        texts: list[str] = []
        for p in parsed:
            for start in range(0, len(p.text), WINDOW):
                self.spans.append(Span(p.document.doc_id, start, start + WINDOW))
                texts.append(p.text[start : start + WINDOW])
        cache = EmbeddingCache(settings.vector_cache_file)
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
    ap.add_argument(
        "--probes",
        type=Path,
        nargs="*",
        default=[ROOT / "bench" / f"{n}.jsonl" for n in PROBE_SETS],
        help="further judged sets, reported apart (the holdout was not used to set rules)",
    )
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "eval-data")
    ap.add_argument("--cold", action="store_true", help="delete the vector cache first")
    ap.add_argument("--rows", type=Path, default=None, help="write every query's figures here")
    ap.add_argument(
        "--ask-set",
        type=Path,
        default=ROOT / "bench" / "ask_set.jsonl",
        help="meeting questions with the kind of answer expected (figures checked against "
        "the sample report data's own indicators)",
    )
    args = ap.parse_args()
    print(describe())
    settings = Settings(data_dir=args.data_dir)
    if args.cold:
        shutil.rmtree(args.data_dir, ignore_errors=True)

    def load(path: Path) -> list[dict]:
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        return [{**r, "set": path.stem} for r in rows]

    queries = load(args.devset)
    probes = [q for p in args.probes if p.exists() for q in load(p)]

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
    case_of = [(p.document.doc_id, c) for p in parsed for c in p.cases]

    def case_of_span(span: Span) -> str | None:
        mid = (span.start + span.end) // 2
        return next(
            (
                c.case_id
                for d, c in case_of
                if d == span.doc_id and c.char_start <= mid < c.char_end
            ),
            None,
        )

    case_at = {span: case_of_span(span) for span in baseline.spans}
    case_spans = {c.case_id: Span(d, c.char_start, c.char_end) for d, c in case_of}
    chunk_span = {
        c.chunk_id: Span(c.doc_id, c.locator.char_start, c.locator.char_end)
        for p in parsed
        for c in p.chunks
    }

    passages = list(chunk_span.values())
    rows: list[dict] = []
    for q in queries + probes:
        units = resolve(q, parsed)
        ours = searcher.search(q["query"], k=K)
        base_spans, base_top = baseline.search(q["query"])
        o_ndcg, o_rec = score([chunk_span[h.chunk_id] for h in ours.hits], units)
        cased = (
            with_cases_of_quotes(units, case_of_span, case_spans)
            if q["kind"] == "precedent"
            else units
        )
        q["judged_cases"] = sorted(u.key for u in cased if u.key in case_spans)
        o_case = case_ndcg([h.case_id for h in ours.hits], cased)
        b_case = case_ndcg([case_at.get(s) for s in base_spans], cased)
        b_ndcg, b_rec = score(base_spans, units)
        top = ceiling(passages, units) if q["kind"] != "none" else None
        rows.append(
            {
                "id": q["id"],
                "set": q["set"],
                "case": (o_case, b_case),
                "missing": ours.missing,
                "kind": q["kind"],
                "style": q.get("style", ""),
                "ours": (o_ndcg, o_rec),
                "base": (b_ndcg, b_rec),
                "ceiling": top,
                "confident": ours.confident,
                "confidence": ours.confidence,
                "base_top": base_top,
            }
        )

    if args.rows:  # every query's figures, for comparing two runs
        args.rows.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    # Baseline no-answer rule: flag when the top cosine is below the median top cosine.
    base_cut = statistics.median(r["base_top"] for r in rows)
    dev = [r for r in rows if r["set"] == args.devset.stem]

    def avg(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    def line(label: str, sel: list[dict]) -> None:
        ans = [r for r in sel if r["kind"] != "none"]
        none = [r for r in sel if r["kind"] == "none"]
        cased = [r for r in ans if r["case"][0] is not None]
        parts = [f"{label:<22} n={len(sel):>3}"]
        if ans:
            parts.append(
                f"nDCG@10 {avg([r['ours'][0] for r in ans]):.3f} vs {avg([r['base'][0] for r in ans]):.3f}"
                f" (ours at best {avg([r['ceiling'] for r in ans]):.3f})"
                f"  recall@10 {avg([r['ours'][1] for r in ans]):.3f} vs {avg([r['base'][1] for r in ans]):.3f}"
            )
        if cased:
            parts.append(
                f"case-nDCG@10 {avg([r['case'][0] for r in cased]):.3f}"
                f" vs {avg([r['case'][1] for r in cased]):.3f} (n={len(cased)})"
            )
        if ans:
            parts.append(
                f"confident-on-answerable {avg([float(r['confident']) for r in ans]):.2f}"
                f" vs {avg([float(r['base_top'] >= base_cut) for r in ans]):.2f}"
            )
        if none:
            parts.append(
                f"no-answer flagged {avg([float(not r['confident']) for r in none]):.2f}"
                f" vs {avg([float(r['base_top'] < base_cut) for r in none]):.2f}"
            )
        print("  ".join(parts))

    print(
        f"dev set: {len(dev)} queries ({args.devset.name}); ours vs baseline "
        f"({WINDOW}-char windows, dense only)"
    )
    line("all", dev)
    for kind in ("precedent", "survey", "guideline", "none"):
        line(f"kind={kind}", [r for r in dev if r["kind"] == kind])
    for style in ("literal", "paraphrase"):
        line(f"style={style}", [r for r in dev if r["style"] == style and r["kind"] != "none"])
    acc = sum((r["kind"] == "none") != r["confident"] for r in dev) / len(dev)
    print(f"confident flag accuracy over the dev set: {acc:.3f}")
    worst = sorted((r for r in dev if r["kind"] != "none"), key=lambda r: r["ours"][0])[:5]
    print("weakest queries (ours nDCG):", ", ".join(f"{r['id']}={r['ours'][0]:.2f}" for r in worst))

    print("\nanswerability, side by side (confident on answerable | near-domain flagged):")
    for name in dict.fromkeys(r["set"] for r in rows):
        line(f"set={name}", [r for r in rows if r["set"] == name])
    ans_all = [r for r in rows if r["kind"] != "none"]
    none_all = [r for r in rows if r["kind"] == "none"]
    print(
        f"{'all sets':<22} confident-on-answerable {avg([float(r['confident']) for r in ans_all]):.2f}"
        f" (n={len(ans_all)})  no-answer flagged {avg([float(not r['confident']) for r in none_all]):.2f}"
        f" (n={len(none_all)})"
    )
    wrong = [
        f"{r['id']}({r['confidence']})" for r in rows if (r["kind"] == "none") == r["confident"]
    ]
    print("confident flag wrong on:", ", ".join(wrong) or "none")

    print(
        f"\nindex: {report.chunks} chunks from {report.documents} documents; "
        f"build {build_s:.1f} s ({report.embedded} passages embedded, {report.cached} cached); "
        f"re-ingest unchanged {rebuild_s:.1f} s"
    )
    lat, enc = [], []
    for _ in range(3):
        for q in queries:
            t = time.perf_counter()
            embedder.embed_query(normalize_query(q["query"]))
            enc.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            searcher.search(q["query"], k=K)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    enc.sort()
    p95 = lat[int(len(lat) * 0.95)]
    print(
        f"warm query latency at corpus size: p50 {statistics.median(lat):.1f} ms, "
        f"p95 {p95:.1f} ms over {len(lat)} queries; query encoding alone p50 "
        f"{statistics.median(enc):.1f} ms (search p95 = {p95 / statistics.median(enc):.1f}× encoding)"
    )

    if args.ask_set.exists():
        eval_ask(args.ask_set, settings, searcher)
    eval_named(queries + probes, settings, searcher)
    eval_quoted(queries + probes, parsed, settings, searcher)


def eval_ask(path: Path, settings: Settings, searcher: Searcher) -> None:
    """Route and content of `ask` answers; figures must carry the store's own number."""
    from facilitator.drafting.answer import ask
    from facilitator.reports import indicators_for, list_areas, load_sample
    from facilitator.reports.models import format_value

    if not list_areas(settings=settings):
        load_sample(settings)
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    results: dict[str, list[bool]] = {}
    failures, first, again = [], [], []
    for row in rows:
        t = time.perf_counter()
        answer = ask(row["query"], None, settings, searcher)
        first.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ask(row["query"], None, settings, searcher)
        again.append((time.perf_counter() - t) * 1000)
        ok = answer.kind == row["expect"]
        if ok and row["expect"] == "figure":
            ind = next(
                i
                for i in indicators_for(row["area"], row["theme"], settings=settings)
                if i.metric == row["metric"]
            )
            ok = (
                format_value(ind.value, ind.unit) in answer.headline and "年報告" in answer.headline
            )
        elif ok and row["expect"] == "precedent":
            ok = any(p.group in row["cases"] for p in answer.points)
        elif ok and row["expect"] == "definition":
            ok = bool(answer.points) and not any(
                searcher.store.by_id[p.chunk_id].locator.case_id for p in answer.points
            )
        elif ok:
            ok = not answer.confident
        results.setdefault(row["expect"], []).append(ok)
        if not ok:
            failures.append(f"{row['id']}→{answer.kind}")
    print(f"\nask set: {len(rows)} questions ({path.name}); right kind and content:")
    for kind, oks in results.items():
        print(f"  {kind:<11} {sum(oks)}/{len(oks)}")
    print("  wrong on:", ", ".join(failures) or "none")
    first.sort()
    again.sort()
    print(
        f"  ask latency, first time p50 {statistics.median(first):.0f} ms, max {first[-1]:.0f} ms;"
        f" asked again p50 {statistics.median(again):.0f} ms, max {again[-1]:.0f} ms"
    )


def per_set_lines(title: str, per_set: dict[str, list], line: Callable[[str, list], None]) -> None:
    """``title``, then one line per judged set and one over all of them."""
    print(title)
    for name, xs in per_set.items():
        line(name, xs)
    line("all sets", [x for xs in per_set.values() for x in xs])


def eval_named(rows: list[dict], settings: Settings, searcher: Searcher) -> None:
    """The cases `ask` names in its headline, for every judged precedent question: how many
    of them the judges marked relevant, and whether the first one is (per set and overall).
    An unanswered question names none (its first is not relevant). Also how long each first
    `ask` took: a new question's candidate sentences are embedded then (the ask set's
    figures and refusals do not embed any)."""
    from facilitator.drafting.answer import ask

    per_set: dict[str, list[tuple[int, int, bool]]] = {}
    took: list[float] = []
    for row in rows:
        cases = set(row["judged_cases"])
        if row["kind"] != "precedent" or not cases:
            continue
        t = time.perf_counter()
        answer = ask(row["query"], None, settings, searcher)
        took.append((time.perf_counter() - t) * 1000)
        named = [p.group for p in answer.points]  # a quoted case counts, whatever the route
        relevant = sum(c in cases for c in named)
        per_set.setdefault(row["set"], []).append(
            (len(named), relevant, bool(named) and named[0] in cases)
        )

    def line(label: str, xs: list[tuple[int, int, bool]]) -> None:
        named, relevant = sum(x[0] for x in xs), sum(x[1] for x in xs)
        print(
            f"  {label:<24} n={len(xs):3}  named per question {named / len(xs):.2f}  "
            f"relevant among named {relevant / max(1, named):.2f}  "
            f"first named relevant {sum(x[2] for x in xs) / len(xs):.2f}"
        )

    per_set_lines("\ncases named in `ask` headlines (judged precedent questions):", per_set, line)
    took.sort()
    print(
        f"  ask latency on these (first time: their sentences embedded): p50 "
        f"{statistics.median(took):.0f} ms, p95 {took[int(0.95 * (len(took) - 1))]:.0f} ms, "
        f"max {took[-1]:.0f} ms"
    )


def eval_quoted(
    rows: list[dict], parsed: list[ParsedDocument], settings: Settings, searcher: Searcher
) -> None:
    """What `ask` quotes for every judged guideline or local-document question: whether it
    answers from a document (not a case), and whether its first quote lies in a judged span."""
    from facilitator.drafting.answer import ask

    per_set: dict[str, list[tuple[bool, bool]]] = {}
    for row in rows:
        if row["kind"] != "guideline" or not row["relevant"]:
            continue
        units = resolve(row, parsed)
        answer = ask(row["query"], None, settings, searcher)
        first = answer.points[0] if answer.points else None
        chunk = searcher.store.by_id[first.chunk_id] if first else None
        from_document = bool(chunk) and not chunk.locator.case_id and answer.kind != "precedent"
        judged = False
        if first and chunk:
            at = chunk.locator.char_start + chunk.text.find(first.quote)
            quoted = Span(chunk.doc_id, at, at + len(first.quote))
            judged = any(quoted.overlaps(s) for u in units for s in u.spans)
        per_set.setdefault(row["set"], []).append((from_document, judged))

    def line(label: str, xs: list[tuple[bool, bool]]) -> None:
        print(
            f"  {label:<24} n={len(xs):3}  quoted from a document {sum(x[0] for x in xs) / len(xs):.2f}"
            f"  first quote judged relevant {sum(x[1] for x in xs) / len(xs):.2f}"
        )

    per_set_lines(
        "\nwhat `ask` quotes (judged guideline and local-document questions):", per_set, line
    )


if __name__ == "__main__":
    main()
