"""The visible index survives interrupted and concurrent builds; stale vectors never crash search.

Every test works on ``built_copy`` (the session's real index, copied), and adds at most a
one-paragraph document, so a rebuild embeds a window or two and takes about a second.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from facilitator.cli.root import cli
from facilitator.corpus.documents import add_document
from facilitator.search import index
from facilitator.search.index import (
    build_index,
    current_build,
    index_is_current,
    index_status,
)
from facilitator.search.indexed_text import evidence_sentences
from facilitator.search.lexical import tokenize, with_material_terms
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.search.sentence_store import SENTENCE_VECTORS, SENTENCE_WORDS
from facilitator.settings import Settings

pytestmark = pytest.mark.slow

NOTE = "汐見島の夜間救急\n\n汐見島では島内の診療所と本土の病院がヘリ搬送の判断を共有している。\n"


def _add_note(settings: Settings, tmp_path: Path, name: str = "汐見島.txt") -> str:
    path = tmp_path / name
    path.write_text(NOTE, encoding="utf-8")
    return add_document(settings, path).document.doc_id


def _builds(settings: Settings) -> list[str]:
    return sorted(p.name for p in (settings.index_dir / index.VERSIONS).iterdir())


def _assert_usable(settings: Settings, query: str = "夜間の輪番を医師会で組む") -> Searcher:
    searcher = Searcher(settings)
    result = searcher.search(query, k=5)
    assert result.hits
    for hit in result.hits:
        source = searcher.store.document_text(hit.doc_id)
        assert source[hit.location.char_start : hit.location.char_end] == hit.text
    assert searcher.store.collection.count() == searcher.store.n_windows
    return searcher


def _crash_in_vectors(*args: object, **kwargs: object) -> None:
    real_write_vectors(*args, **kwargs)  # the new collection is complete…
    raise RuntimeError("killed")  # …but the build never gets further


real_write_vectors = index._write_vectors


@pytest.mark.parametrize("where", ["_write_vectors", "calibrate", "_switch"])
def test_a_build_interrupted_before_the_switch_leaves_the_old_index_whole(
    built_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = current_build(built_copy)
    doc_id = _add_note(built_copy, tmp_path)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(index, where, _crash_in_vectors if where == "_write_vectors" else crash)
    monkeypatch.setattr(index, "_drop_build", lambda *a: None)  # a kill cleans nothing up
    with pytest.raises(RuntimeError, match="killed"):
        build_index(built_copy)
    assert current_build(built_copy) == before
    assert len(_builds(built_copy)) == 2  # the old one and the half-written one
    searcher = _assert_usable(built_copy)
    assert doc_id not in {c.doc_id for c in searcher.store.chunks}
    status = index_status(built_copy)
    assert status["state"] == "stale"
    assert status["changes"]["added"] == [doc_id]
    assert status["interrupted"] == 1

    monkeypatch.undo()
    build_index(built_copy)  # the next build finishes and removes the leftover
    assert _builds(built_copy) == sorted([before, current_build(built_copy)])
    hits = _assert_usable(built_copy, "汐見島のヘリ搬送").search("汐見島のヘリ搬送", k=3).hits
    assert hits[0].doc_id == doc_id
    assert index_is_current(built_copy)


def test_a_failed_build_removes_its_own_folder(
    built_copy: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _builds(built_copy)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(index, "_switch", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(built_copy)
    assert _builds(built_copy) == before
    _assert_usable(built_copy)


def test_old_builds_are_removed_after_the_switch(built_copy: Settings) -> None:
    first = current_build(built_copy)
    build_index(built_copy)
    second = current_build(built_copy)
    assert second != first
    assert _builds(built_copy) == sorted([first, second])  # the replaced one stays once
    build_index(built_copy)
    assert _builds(built_copy) == sorted([second, current_build(built_copy)])
    assert not list(built_copy.index_dir.glob(".current.*.tmp"))


def test_a_searcher_opened_before_a_rebuild_keeps_working(built_copy: Settings) -> None:
    old = Searcher(built_copy)
    build_index(built_copy, embedder=old.embedder)
    hits = old.search("在宅医療の24時間体制", k=5).hits
    assert hits
    assert old.store.document_text(hits[0].doc_id)


def test_concurrent_builds_are_serialized(
    built_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = Searcher(built_copy).embedder
    active: list[int] = []
    most: list[int] = [0]
    real = index._build

    def counting(*args: object, **kwargs: object) -> object:
        active.append(1)
        most[0] = max(most[0], len(active))
        try:
            return real(*args, **kwargs)
        finally:
            active.pop()

    monkeypatch.setattr(index, "_build", counting)
    doc_id = _add_note(built_copy, tmp_path)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build_index(built_copy, embedder=embedder)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert most[0] == 1
    assert index_is_current(built_copy)
    searcher = _assert_usable(built_copy, "汐見島のヘリ搬送")
    assert doc_id in {c.doc_id for c in searcher.store.chunks}


def test_search_skips_a_vector_whose_chunk_the_index_does_not_know(built_copy: Settings) -> None:
    searcher = Searcher(built_copy)
    query = "夜間の輪番を医師会で組む"
    qv = searcher.embedder.embed_query(query)
    searcher.store.collection.add(
        ids=["ghost:chunk#0"],
        embeddings=[np.asarray(qv, dtype=np.float32)],  # the nearest vector there is
        metadatas=[{"doc_id": "ghost", "chunk_id": "ghost:chunk", "doc_kind": "local"}],
    )
    for filters in (None, SearchFilters(doc_kind="casebook"), SearchFilters(case_id="事例17")):
        for mode in ("hybrid", "dense"):
            result = searcher.search(query, k=10, filters=filters, mode=mode)
            assert result.hits, (filters, mode)
            assert "ghost:chunk" not in {h.chunk_id for h in result.hits}


def test_an_index_of_the_earlier_flat_layout_is_read_and_replaced(built_copy: Settings) -> None:
    root = built_copy.index_dir
    flat = root / index.VERSIONS / current_build(built_copy)
    for item in flat.iterdir():
        shutil.move(str(item), root / item.name)
    shutil.rmtree(root / index.VERSIONS)
    (root / index.POINTER).unlink()
    _assert_usable(built_copy)  # the flat layout is still readable
    assert index_is_current(built_copy)

    build_index(built_copy)
    assert (root / "meta.json").exists()  # kept while a reader may still use it
    _assert_usable(built_copy)
    build_index(built_copy)
    assert not (root / "meta.json").exists() and not (root / "chroma").exists()
    assert len(_builds(built_copy)) == 2
    _assert_usable(built_copy)


def test_info_says_whether_the_index_is_current(built_copy: Settings, tmp_path: Path) -> None:
    args = ["--data-dir", str(built_copy.data_dir), "info"]
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    status = data["index_status"]
    assert status["state"] == "current"
    assert status["build"] == current_build(built_copy)
    assert status["ingest_running"] is False
    assert data["index"]["windows"] > 0 and "index_message" not in data

    doc_id = _add_note(built_copy, tmp_path)
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    assert data["index_status"]["state"] == "stale"
    assert data["index_status"]["changes"]["added"] == [doc_id]
    text = CliRunner().invoke(cli, args).output
    assert "資料が変わっています" in text and doc_id in text
    assert "facilitator ingest" in text


def test_info_before_any_ingest(settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "info", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["index"] is None
    assert data["index_status"]["state"] == "missing"


def test_two_builds_of_the_same_documents_rank_the_same(built_copy: Settings) -> None:
    """A small index compares vectors exactly: Chroma's HNSW graph differs between builds and
    lost a different few nearest passages each time."""
    queries = ["夜間の輪番を医師会で組む", "退院した患者の情報を病院と診療所で共有する仕組み"]
    first = Searcher(built_copy)
    before = [
        [(h.chunk_id, round(h.score, 6)) for h in first.search(q, k=10).hits] for q in queries
    ]
    build_index(built_copy)  # a new build: a new Chroma collection from the same vectors
    again = Searcher(built_copy)
    after = [[(h.chunk_id, round(h.score, 6)) for h in again.search(q, k=10).hits] for q in queries]
    assert first.store.version == again.store.version
    assert after == before


def test_an_index_built_the_old_way_is_reported_and_rebuilt(built_copy: Settings) -> None:
    """Same documents, but indexed by an earlier release (no ``format``, or another one): not
    current, ``info`` says so in Japanese, and ``bootstrap`` rebuilds it."""
    meta_path = index.current_folder(built_copy) / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    assert meta["format"] == index.INDEX_FORMAT
    del meta["format"]
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    assert not index_is_current(built_copy)
    assert index_status(built_copy)["state"] == "outdated"
    args = ["--data-dir", str(built_copy.data_dir)]
    text = CliRunner().invoke(cli, [*args, "info"]).output
    assert "索引の作り方が新しく" in text and "資料は変わっていません" in text

    result = CliRunner().invoke(cli, [*args, "bootstrap"])
    assert result.exit_code == 0, result.output
    assert "索引を作成しています" in result.output
    assert index_is_current(built_copy) and index_status(built_copy)["state"] == "current"
    _assert_usable(built_copy)


def test_a_sentence_using_the_questions_words_comes_closer(built_copy: Settings) -> None:
    # 参考2 says it: 「…地元開業医が基幹病院の当直を支援する」; the small model alone puts other
    # passages' sentences closer to the question in everyday words
    searcher = Searcher(built_copy)
    store = searcher.store
    chunk = next(c for c in store.chunks if "基幹病院の当直を支援" in c.text)
    question = "大きな病院と町のお医者さんがお互いに夜の当直を手伝い合ってる"
    qv = searcher.embedder.embed_query(question)
    words = store.lexical.weighted(with_material_terms(tokenize(question), question))
    alone = store.best_sentence(chunk.chunk_id, qv)
    weighed = store.best_sentence(chunk.chunk_id, qv, words)
    assert alone is not None and weighed is not None and weighed > alone + 0.02
    # words the passage does not use move nothing
    assert store.best_sentence(chunk.chunk_id, qv, {"確定申告": 5.0}) == pytest.approx(alone)

    folder = built_copy.index_dir / index.VERSIONS / current_build(built_copy)
    (folder / SENTENCE_WORDS).unlink()  # an index built with vectors only: they alone count
    older = Searcher(built_copy)
    assert older.store.best_sentence(chunk.chunk_id, qv, words) == pytest.approx(alone)
    assert older.search(question).hits


def test_each_sentence_has_its_vector_and_an_index_without_them_still_searches(
    built_copy: Settings,
) -> None:
    searcher = Searcher(built_copy)
    store = searcher.store
    chunk = next(c for c in store.chunks if "いのちの授業" in c.text)
    qv = searcher.embedder.embed_query("子どもたちに在宅看取りの話をしている医師")
    own = searcher.embedder.embed_passages([s for s in evidence_sentences(chunk)])
    assert store.best_sentence(chunk.chunk_id, qv) == pytest.approx(
        float((own @ qv).max()),
        abs=2e-3,  # stored as float16
    )
    # a meeting answer reads them from the index instead of embedding them again
    said = [s for s in evidence_sentences(chunk) if "いのちの授業" in s]
    question = "子どもたちに在宅看取りの話をしている医師"
    assert searcher.similarities(question, said, [chunk.chunk_id]) == pytest.approx(
        list(own[[evidence_sentences(chunk).index(s) for s in said]] @ qv), abs=2e-3
    )
    assert searcher._vectors == {}
    folder = built_copy.index_dir / index.VERSIONS / current_build(built_copy)
    (folder / SENTENCE_VECTORS).unlink()  # as an index built before them
    older = Searcher(built_copy)
    assert older.store.best_sentence(chunk.chunk_id, qv) is None
    assert older.store.sentence_vectors(chunk.chunk_id) == {}
    assert older.similarities(question, said, [chunk.chunk_id]) == pytest.approx(
        searcher.similarities(question, said, [chunk.chunk_id]), abs=2e-3
    )  # embedded then
    assert set(older._vectors) == set(said)
    _assert_usable(built_copy)
