"""With ``chroma_host`` set, the vectors live on a Chroma server (``chroma run``) that
several app instances share: checked against a real server, not a mock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from facilitator.errors import ServerUnavailableError
from facilitator.search.index import build_index
from facilitator.search.searcher import Searcher
from facilitator.settings import PROJECT_ROOT, Settings
from tests.support.chroma_server import chroma_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]
QUERY = "医師の高齢化で夜間の当番が組めない"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with chroma_server(tmp_path_factory.mktemp("chroma")) as address:
        yield address


def instance(built: Settings, folder: Path, server: tuple[str, int]) -> Settings:
    """An app instance's data folder (its vector cache copied, so nothing is re-encoded)
    pointed at the shared server."""
    shutil.copytree(built.data_dir, folder)
    host, port = server
    return Settings(
        data_dir=folder, corpus_dir=PROJECT_ROOT / "corpus", chroma_host=host, chroma_port=port
    )


def collections(server: tuple[str, int]) -> set[str]:
    client = chromadb.HttpClient(host=server[0], port=server[1])
    return {c.name for c in client.list_collections()}


def test_an_index_on_the_server_finds_what_the_embedded_one_finds(
    built: Settings, tmp_path: Path, server: tuple[str, int]
) -> None:
    s = instance(built, tmp_path / "a", server)
    build_index(s)
    searcher = Searcher(s)
    assert searcher.store.meta["collection"] in collections(server)
    assert not (searcher.store.folder / "chroma").exists()  # nothing embedded on this side
    embedded = [h.chunk_id for h in Searcher(built).search(QUERY, k=10).hits]
    assert [h.chunk_id for h in searcher.search(QUERY, k=10).hits] == embedded


def test_a_rebuild_switches_collections_without_breaking_an_open_reader(
    built: Settings, tmp_path: Path, server: tuple[str, int]
) -> None:
    s = instance(built, tmp_path / "b", server)
    build_index(s)
    reader = Searcher(s)
    first = reader.store.meta["collection"]
    build_index(s, embedder=reader.embedder)
    assert first in collections(server)  # kept for the reader that opened it a moment ago
    assert reader.search(QUERY, k=5).hits
    second = Searcher(s).store.meta["collection"]
    build_index(s, embedder=reader.embedder)
    third = Searcher(s).store.meta["collection"]
    mine = {first, second, third} & collections(server)
    assert mine == {second, third}  # the one no reader can hold any more is dropped


def test_an_unreachable_server_is_a_japanese_message_naming_its_address(
    built: Settings, tmp_path: Path
) -> None:
    from tests.support.servers import free_port

    port = free_port()  # nothing listens there
    s = instance(built, tmp_path / "c", ("127.0.0.1", port))
    with pytest.raises(ServerUnavailableError, match=f"127.0.0.1:{port}.*接続できません"):
        Searcher(s)
    with pytest.raises(ServerUnavailableError):
        build_index(s)
    assert Searcher(built).search(QUERY, k=3).hits  # the embedded index is untouched


def test_info_says_the_server_is_down_not_that_the_index_is_broken(
    built: Settings, tmp_path: Path
) -> None:
    import json

    from click.testing import CliRunner

    from facilitator.cli.root import cli
    from tests.support.servers import free_port

    port = free_port()
    s = instance(built, tmp_path / "d", ("127.0.0.1", port))
    env = {"FACILITATOR_CHROMA_HOST": "127.0.0.1", "FACILITATOR_CHROMA_PORT": str(port)}
    out = CliRunner().invoke(cli, ["--data-dir", str(s.data_dir), "info", "--json"], env=env)
    status = json.loads(out.output)["index_status"]
    assert status["state"] == "unreachable" and "作り直さずに" in status["message"]
