"""A real, throwaway PostgreSQL from Debian's binaries for the storage tests.

One server per test session (initdb + start take about two seconds), a fresh database per
test. It listens on a free localhost port with password login, keeps its socket in its
own folder, and is stopped at the end of the session. initdb refuses to run as root, so
as root the server runs as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from facilitator.settings import Settings
from tests.support.servers import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"
USER = "facilitator"
PASSWORD = "pw-Zq7-secret"
"""Tests check that this never shows in a message."""
RUN_AS = "postgres"


def pg_bin() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = [
        p
        for p in Path("/").glob(BIN_GLOB.lstrip("/"))
        if (p / "initdb").exists() and (p / "pg_ctl").exists()
    ]
    return max(found, key=lambda p: int(p.parent.name), default=None)


def missing_postgres() -> list[str]:
    """What is missing to start a server here (empty when all is installed)."""
    missing = [] if pg_bin() else [f"{BIN_GLOB}/initdb, pg_ctl (Debian: postgresql)"]
    if os.geteuid() == 0 and not shutil.which("runuser"):
        missing.append("runuser (util-linux)")
    return missing


@dataclass
class PostgresServer:
    port: int
    log: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database on this server; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        dsn = f"host=127.0.0.1 port={self.port} user={USER} password={PASSWORD} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _run(command: list[str], as_user: str | None) -> None:
    if as_user:
        command = ["runuser", "-u", as_user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def start_postgres(*, durable: bool = False) -> Iterator[PostgresServer]:
    """Start a server in a temporary folder; stop and remove it when the generator closes.

    Tests run it without fsync (``-F``); a benchmark asks for ``durable`` writes, as a real
    server makes them."""
    bin_dir = pg_bin()
    assert bin_dir is not None
    as_user = RUN_AS if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="facilitator-pg-"))  # /tmp: the server user can enter
    data, sockets, log = base / "data", base / "sockets", base / "server.log"
    sockets.mkdir()
    (base / "pwfile").write_text(PASSWORD + "\n")
    if as_user:
        shutil.chown(base, as_user)
        for path in (sockets, base / "pwfile"):
            shutil.chown(path, as_user)
    port = free_port()
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                f"--pwfile={base / 'pwfile'}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            as_user,
        )
        options = f"-p {port} -h 127.0.0.1 -k {sockets} -c max_connections=200"
        options += "" if durable else " -F"
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w"]
        try:
            _run([*pg_ctl, "start"], as_user)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log.read_text() if log.exists() else ''}") from None
        started = True
        yield PostgresServer(port=port, log=log)
    finally:
        from facilitator.storage.db import dispose_engines

        dispose_engines()
        if started:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], as_user)
        shutil.rmtree(base, ignore_errors=True)


def require_postgres() -> None:
    """Skip without the server binaries, but fail in CI, where they must be installed."""
    missing = missing_postgres()
    if missing:
        message = f"PostgreSQL tests need: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(
                message + " (CI must install Debian's postgresql: ./scripts/setup --test-deps)"
            )
        pytest.skip(message)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session."""
    require_postgres()
    yield from start_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh, empty database of each backend: the same tests run on both."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "data")
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    yield Settings(data_dir=tmp_path / "data", database_url=server.new_database())
    from facilitator.storage.db import dispose_engines

    dispose_engines()  # this test's pooled connections; the server stays for the next test
