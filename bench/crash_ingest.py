"""Crash and concurrency probe for ``facilitator ingest`` (issue 11 "Safe by default").

Kill rounds: copy a small data folder with a built index, start ``facilitator ingest
DOC.txt`` in a subprocess, SIGKILL it at a random moment (fixed seed), then check that
search works (no exception, hits whose text is verbatim in the source), that ``info`` is
consistent with what the index holds (stale exactly when the listed documents differ from
the indexed ones), and that a following ingest recovers (current, leftovers removed).

Concurrent rounds: two ``facilitator ingest`` processes add different documents at the same
time; a document is lost if it is missing from ``manifest.json`` or from the final index.

    .venv/bin/python bench/crash_ingest.py [--rounds 20] [--concurrent 10] [--seed 11]
                                           [--from DATA_DIR]

``--from`` copies an existing data folder that holds a built index (else one is built
once, ~1 minute on 2 cores). Each round re-embeds only the added document.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from facilitator.cli.root import cli  # noqa: E402
from facilitator.corpus.documents import load_manifest  # noqa: E402
from facilitator.search.embeddings import Embedder, load_embedder  # noqa: E402
from facilitator.search.index import VERSIONS, build_index, index_status  # noqa: E402
from facilitator.search.searcher import Searcher  # noqa: E402
from facilitator.settings import PROJECT_ROOT, Settings  # noqa: E402

PLACES = ["汐見島", "北浜町", "鷹取村", "青葉台", "白砂郷", "霧ヶ峰町", "松風村", "柏原島"]
TOPICS = [
    "夜間の相談を本土の病院がオンラインで受けている",
    "休日当番医と訪問看護ステーションが連絡網を共有している",
    "ヘリ搬送の判断を診療所と病院の医師が一緒に行う",
    "看取りの方針を多職種のカンファレンスで確認している",
    "学校医と園医の健診日程を医師会がまとめて調整する",
    "退院前に病院と診療所の医師が服薬情報を確認する",
]


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    out.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return out


def facilitator(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator.cli", "--data-dir", str(data_dir), *args],
        env=env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, corpus_dir=PROJECT_ROOT / "corpus")


def write_document(folder: Path, name: str, rng: random.Random) -> tuple[Path, str]:
    """A small document (a few chunks) with a unique place name to search for."""
    place = f"{rng.choice(PLACES)}{rng.randrange(1000, 9999)}"
    paragraphs = [f"{place}の取組\n"]
    for n in range(4):
        topics = rng.sample(TOPICS, 3)
        paragraphs.append(f"{n + 1}. {place}では" + "。また、".join(topics) + "。\n")
    path = folder / name
    path.write_text("\n".join(paragraphs), encoding="utf-8")
    return path, place


def check(data_dir: Path, embedder: Embedder, place: str, doc_name: str) -> dict[str, object]:
    """Search and info after a kill: what the index holds, and whether anything is broken."""
    settings = settings_for(data_dir)
    out: dict[str, object] = {"broken": None}
    try:
        searcher = Searcher(settings, embedder=embedder)
        store = searcher.store
        for query in ("夜間の輪番を医師会で組む", f"{place}のヘリ搬送"):
            result = searcher.search(query, k=5)
            if not result.hits:
                raise AssertionError(f"no hits for {query}")
            for hit in result.hits:
                text = store.document_text(hit.doc_id)
                if text[hit.location.char_start : hit.location.char_end] != hit.text:
                    raise AssertionError(f"hit {hit.chunk_id} is not verbatim")
        if store.collection.count() != store.n_windows:
            raise AssertionError("Chroma and chunk store disagree")
        listed = {d.path: d.doc_id for d in load_manifest(settings.uploads_dir)}
        listed_ids = set(listed.values())
        indexed = {c.doc_id for c in store.chunks}
        info = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "info", "--json"])
        if info.exit_code != 0:
            raise AssertionError(f"info failed: {info.output}")
        status = json.loads(info.output)["index_status"]
        should_be_current = listed_ids <= indexed
        if status["state"] != ("current" if should_be_current else "stale"):
            raise AssertionError(f"info says {status['state']}, listed={listed_ids}")
        if status["build"] != json.loads(info.output)["index"]["build"]:
            raise AssertionError("info names another build than the index it opened")
        out["listed"] = doc_name in listed
        out["indexed"] = listed.get(doc_name) in indexed
    except Exception as exc:
        out["broken"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    return out


def recover(data_dir: Path, embedder: Embedder) -> tuple[str | None, int]:
    """A plain ingest after the kill must succeed and leave one or two builds, no temp files;
    every listed document must then be in the index. Returns (problem, lost documents)."""
    settings = settings_for(data_dir)
    try:
        build_index(settings, embedder=embedder)
        status = index_status(settings)
        builds = list((settings.index_dir / VERSIONS).iterdir())
        temps = list(settings.index_dir.glob(".*.tmp"))
        if status["state"] != "current" or len(builds) > 2 or temps:
            problem = f"{status['state']}, {len(builds)} builds, {len(temps)} temps"
            return problem, 0
        indexed = {c.doc_id for c in Searcher(settings, embedder=embedder).store.chunks}
        listed = {d.doc_id for d in load_manifest(settings.uploads_dir)}
        return None, len(listed - indexed)
    except Exception as exc:
        traceback.print_exc()
        return f"{type(exc).__name__}: {exc}", 0


def kill_rounds(template: Path, work: Path, args: argparse.Namespace, embedder: Embedder) -> dict:
    rng = random.Random(args.seed)
    # how long an uncontested ingest of one small document takes: the window to kill in
    data = work / "calibrate" / "data"
    shutil.copytree(template, data)
    doc, _ = write_document(work / "calibrate", "calibrate.txt", rng)
    t0 = time.perf_counter()
    proc = facilitator(data, "ingest", str(doc))
    _, err = proc.communicate()
    full = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"calibration ingest failed: {err.decode()}")
    print(f"uncontested ingest of one document: {full:.2f} s (kills land in 0.2–{full:.1f} s)")
    stats = {"rounds": 0, "broken": 0, "not_recovered": 0, "lost": 0, "phase": {}}
    for r in range(args.rounds):
        folder = work / f"kill-{r:02d}"
        data = folder / "data"
        shutil.copytree(template, data)
        doc, place = write_document(folder, f"round{r:02d}.txt", rng)
        delay = rng.uniform(0.2, full)
        proc = facilitator(data, "ingest", str(doc))
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        result = check(data, embedder, place, doc.name)
        phase = (
            "finished"
            if finished
            else "after switch"
            if result.get("indexed")
            else "listed, not indexed"
            if result.get("listed")
            else "before listing"
        )
        stats["phase"][phase] = stats["phase"].get(phase, 0) + 1
        stats["rounds"] += 1
        problem = result["broken"]
        if problem:
            stats["broken"] += 1
        recovered, lost = recover(data, embedder)
        stats["not_recovered"] += bool(recovered)
        stats["lost"] += lost
        print(
            f"kill {r + 1:2d}/{args.rounds}: at {delay:4.2f} s ({phase}): "
            f"{'BROKEN ' + str(problem) if problem else 'search + info ok'}"
            f"{'; RECOVERY FAILED ' + recovered if recovered else '; recovered'}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return stats


def concurrent_rounds(
    template: Path, work: Path, args: argparse.Namespace, embedder: Embedder
) -> dict:
    rng = random.Random(args.seed + 1)
    stats = {"rounds": 0, "documents": 0, "lost": 0, "failed_processes": 0, "broken": 0}
    for r in range(args.concurrent):
        folder = work / f"pair-{r:02d}"
        data = folder / "data"
        shutil.copytree(template, data)
        docs = [write_document(folder, f"pair{r:02d}-{side}.txt", rng) for side in "ab"]
        procs = [facilitator(data, "ingest", str(path), "--json") for path, _ in docs]
        outputs = [p.communicate() for p in procs]
        failed = [
            err.decode()[-300:] for p, (_, err) in zip(procs, outputs, strict=True) if p.returncode
        ]
        settings = settings_for(data)
        listed = {d.path: d.doc_id for d in load_manifest(settings.uploads_dir)}
        lost = 0
        try:
            searcher = Searcher(settings, embedder=embedder)
            indexed = {c.doc_id for c in searcher.store.chunks}
            state = index_status(settings)["state"]
            if state != "current":
                stats["broken"] += 1
        except Exception as exc:
            indexed, state = set(), f"broken: {exc}"
            stats["broken"] += 1
        for path, _ in docs:
            if path.name not in listed or listed[path.name] not in indexed:
                lost += 1
        stats["rounds"] += 1
        stats["documents"] += len(docs)
        stats["lost"] += lost
        stats["failed_processes"] += len(failed)
        print(
            f"pair {r + 1:2d}/{args.concurrent}: {len(listed)} listed, lost {lost}, "
            f"index {state}" + (f", failed: {failed}" if failed else ""),
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return stats


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + (" (+ uncommitted changes)" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="kill rounds (default 20)")
    parser.add_argument("--concurrent", type=int, default=10, help="concurrent-add rounds")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--from", dest="source", type=Path, help="data folder with an index")
    parser.add_argument("--keep", action="store_true", help="keep the round folders")
    args = parser.parse_args()

    t_start = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    print(f"commit: {git_commit()}")
    print(f"rounds: {args.rounds} kills, {args.concurrent} concurrent pairs, seed {args.seed}")
    work = Path(tempfile.mkdtemp(prefix="crash-ingest-"))
    template = work / "template"
    if args.source:
        shutil.copytree(args.source, template)
    else:
        print("building the template index (once)…", flush=True)
        proc = facilitator(template, "ingest")
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(err.decode())
    embedder = load_embedder(settings_for(template).embedding_model)
    try:
        kills = kill_rounds(template, work, args, embedder)
        pairs = concurrent_rounds(template, work, args, embedder)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()}")
    print(f"commit: {git_commit()}")
    print(
        f"kill rounds: {kills['rounds']}, broken indexes: {kills['broken']}, "
        f"not recovered by the next ingest: {kills['not_recovered']}, "
        f"listed documents lost: {kills['lost']}"
    )
    print(f"  where the kill landed: {kills['phase']}")
    print(
        f"concurrent rounds: {pairs['rounds']}, documents added: {pairs['documents']}, "
        f"lost documents: {pairs['lost']}, failed ingests: {pairs['failed_processes']}, "
        f"indexes not current: {pairs['broken']}"
    )
    print(f"total: {time.perf_counter() - t_start:.0f} s")
    sys.exit(1 if kills["broken"] or kills["not_recovered"] or pairs["lost"] else 0)


if __name__ == "__main__":
    main()
