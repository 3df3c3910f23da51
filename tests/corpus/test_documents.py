"""Adding and removing user documents: all-or-nothing batches, size caps, the ingest lock.

No index is built here: these tests exercise the manifest and the uploads folder only.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli.root import cli
from facilitator.corpus import documents
from facilitator.corpus.documents import (
    add_document,
    add_documents,
    ingest_lock,
    ingest_running,
    load_manifest,
    remove_document,
)
from facilitator.errors import DocumentError, IndexBusyError, InputError
from facilitator.settings import PROJECT_ROOT, Settings

TEXT = "第1章 在宅医療\n\n在宅医療を担う医療機関の確保が課題である。{n}\n"


def _write(folder: Path, name: str, n: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(TEXT.format(n=n), encoding="utf-8")
    return path


def _listed(settings: Settings) -> list[str]:
    return [d.path for d in load_manifest(settings.uploads_dir)]


# --------------------------------------------------------------------------- batches


def test_a_batch_with_one_bad_file_adds_nothing(settings: Settings, tmp_path: Path) -> None:
    good = _write(tmp_path / "in", "good.txt")
    bad = tmp_path / "in" / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(InputError) as err:
        add_documents(settings, [good, bad])
    message = str(err.value)
    assert "bad.pdf" in message and "good.txt" not in message
    assert "どれも追加していません" in message
    assert "PDFを読み込めません" in message and "Error" not in message  # no pypdf English
    assert _listed(settings) == []
    assert not (settings.uploads_dir / "good.txt").exists()


def test_a_batch_names_every_bad_file(settings: Settings, tmp_path: Path) -> None:
    good = _write(tmp_path, "good.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    other = tmp_path / "sheet.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(InputError) as err:
        add_documents(settings, [good, empty, other])
    assert "empty.txt" in str(err.value) and "sheet.xlsx" in str(err.value)
    assert _listed(settings) == []


def test_a_good_batch_is_listed_in_one_step(settings: Settings, tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"doc{i}.txt", i) for i in range(3)]
    parsed = add_documents(settings, paths)
    assert _listed(settings) == ["doc0.txt", "doc1.txt", "doc2.txt"]
    assert len({p.document.doc_id for p in parsed}) == 3
    assert not list(settings.uploads_dir.glob(".*.tmp"))


def test_cli_ingest_validates_every_file_before_changing_anything(
    settings: Settings, tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.txt")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), "ingest", str(good), str(bad)]
    )
    assert result.exit_code == 2, result.output
    assert "bad.pdf" in result.output
    assert _listed(settings) == []
    assert not settings.index_dir.exists()  # nothing was built either


def test_same_file_name_twice_in_a_batch_is_refused(settings: Settings, tmp_path: Path) -> None:
    a = _write(tmp_path / "a", "same.txt")
    b = _write(tmp_path / "b", "same.txt")
    with pytest.raises(InputError, match=r"same\.txt"):
        add_documents(settings, [a, b])


def test_re_adding_a_file_keeps_its_id_and_removal_unlists_it(
    settings: Settings, tmp_path: Path
) -> None:
    first = add_document(settings, _write(tmp_path, "memo.txt", 1), title="メモ")
    again = add_document(settings, _write(tmp_path, "memo.txt", 2))
    assert again.document.doc_id == first.document.doc_id
    assert again.document.title == "メモ"
    assert _listed(settings) == ["memo.txt"]
    remove_document(settings, first.document.doc_id)
    assert _listed(settings) == []
    assert not (settings.uploads_dir / "memo.txt").exists()
    with pytest.raises(InputError, match="ありません"):
        remove_document(settings, first.document.doc_id)


# --------------------------------------------------------------------------- size caps


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    settings: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "大きな資料.txt"
    with big.open("wb") as fh:  # sparse: instant, no real 20 MB written
        fh.truncate(documents.MAX_FILE_BYTES + 1)
    with pytest.raises(DocumentError, match="大きすぎます") as err:
        add_document(settings, big)
    assert "大きな資料.txt" in str(err.value)
    assert f"{documents.MAX_FILE_MB} MB" in str(err.value)
    assert _listed(settings) == []


def test_a_text_over_the_character_cap_is_refused(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "MAX_DOCUMENT_CHARS", 30)
    long = _write(tmp_path, "長い資料.txt")
    with pytest.raises(DocumentError, match="本文が長すぎます") as err:
        add_document(settings, long)
    assert "長い資料.txt" in str(err.value) and "上限は 30 文字" in str(err.value)
    assert _listed(settings) == []


def test_caps_are_documented_in_the_ingest_help() -> None:
    out = CliRunner().invoke(cli, ["ingest", "--help"]).output
    assert f"{documents.MAX_FILE_MB} MB" in out
    assert f"{documents.MAX_DOCUMENT_CHARS:,}" in out


# --------------------------------------------------------------------------- the lock


def _add_many(data_dir: str, names: list[str]) -> None:
    """In a child process: add each file (they are already written) one by one."""
    settings = Settings(data_dir=Path(data_dir), corpus_dir=PROJECT_ROOT / "corpus")
    for name in names:
        add_document(settings, Path(data_dir).parent / "in" / name)


def test_concurrent_adds_from_two_processes_lose_no_document(
    settings: Settings, tmp_path: Path
) -> None:
    names = [[f"p{p}-{i}.txt" for i in range(6)] for p in range(2)]
    for n, name in enumerate([n for ns in names for n in ns]):
        _write(tmp_path / "in", name, n)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_many, args=(str(settings.data_dir), ns)) for ns in names]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert sorted(_listed(settings)) == sorted([n for ns in names for n in ns])
    assert not list(settings.uploads_dir.glob(".*.tmp"))


def test_concurrent_adds_from_two_threads_lose_no_document(
    settings: Settings, tmp_path: Path
) -> None:
    names = [[f"t{t}-{i}.txt" for i in range(8)] for t in range(2)]
    for n, name in enumerate([n for ns in names for n in ns]):
        _write(tmp_path / "in", name, n)
    threads = [
        threading.Thread(target=_add_many, args=(str(settings.data_dir), ns)) for ns in names
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(_listed(settings)) == sorted([n for ns in names for n in ns])


def _hold(settings: Settings, seconds: float, held: threading.Event) -> None:
    with ingest_lock(settings):
        held.set()
        time.sleep(seconds)


def test_a_second_ingest_waits_for_the_first(settings: Settings) -> None:
    held = threading.Event()
    holder = threading.Thread(target=_hold, args=(settings, 0.5, held))
    holder.start()
    held.wait(5)
    assert ingest_running(settings)
    waited: list[bool] = []
    t0 = time.perf_counter()
    with ingest_lock(settings, timeout=10, on_wait=lambda: waited.append(True)):
        assert time.perf_counter() - t0 >= 0.3
    holder.join()
    assert waited == [True]
    assert not ingest_running(settings)


def test_a_busy_lock_is_a_clear_japanese_error(settings: Settings, tmp_path: Path) -> None:
    held = threading.Event()
    holder = threading.Thread(target=_hold, args=(settings, 1.5, held))
    holder.start()
    held.wait(5)
    with pytest.raises(IndexBusyError, match="実行中です"), ingest_lock(settings, timeout=0.1):
        pass
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(settings.data_dir),
            "ingest",
            str(_write(tmp_path, "a.txt")),
            "--wait",
            "0",
        ],
    )
    holder.join()
    assert result.exit_code == 1
    assert "実行中です" in result.output
    assert _listed(settings) == []


def test_the_lock_is_reentrant_in_one_thread(settings: Settings, tmp_path: Path) -> None:
    with ingest_lock(settings, timeout=0), ingest_lock(settings, timeout=0):
        add_document(settings, _write(tmp_path, "a.txt"))
    assert _listed(settings) == ["a.txt"]


def test_manifest_is_replaced_through_a_unique_temporary_file(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_document(settings, _write(tmp_path, "a.txt"))
    seen: list[str] = []
    real = documents.os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        real(src, dst)

    monkeypatch.setattr(documents.os, "replace", spy)
    add_document(settings, _write(tmp_path, "b.txt"))
    manifest_tmp = [n for n in seen if n.startswith(".manifest.json.")]
    assert len(manifest_tmp) == 1 and manifest_tmp[0] != "manifest.json.tmp"
    data = json.loads((settings.uploads_dir / "manifest.json").read_text("utf-8"))
    assert [d["path"] for d in data["documents"]] == ["a.txt", "b.txt"]
