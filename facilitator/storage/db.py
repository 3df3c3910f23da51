"""The shared database: the engine from settings, its migrations, and errors in Japanese.

SQLite in the data folder (``sheets.sqlite``) is the embedded default; a
``database_url`` such as ``postgresql+psycopg://user:pass@host/facilitator`` lets several
app instances share one PostgreSQL. Messages name the database without its password.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import DatabaseError as DriverDatabaseError
from sqlalchemy.pool import NullPool

from facilitator.errors import DatabaseError
from facilitator.settings import Settings

SQLITE_FILE = "sheets.sqlite"
"""The embedded database in the data folder (the name sheets had before there was a URL)."""
BUSY_TIMEOUT_S = 10
"""SQLite: how long a writer waits for another one before giving up."""
CONNECT_TIMEOUT_S = 10
"""PostgreSQL: an unreachable server is reported after this, not after minutes."""
MIGRATIONS = "facilitator.storage:migrations"
FIRST_REVISION = "0001"
"""The revision that creates ``sheet_versions`` exactly as the pre-alembic SQLite file had it."""
MIGRATION_LOCK = 7_110_611
"""PostgreSQL advisory lock key: instances starting together migrate one after the other."""
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

log = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def database_url(settings: Settings) -> URL:
    """The URL from ``database_url``, or the SQLite file in the data folder when it is empty."""
    if not settings.database_url.strip():
        return URL.create("sqlite", database=str(settings.data_dir / SQLITE_FILE))
    try:
        url = make_url(settings.database_url.strip())
    except (ArgumentError, ValueError):  # the message may repeat the URL, password included
        raise DatabaseError(
            "設定 database_url の形が正しくありません"
            "（例: postgresql+psycopg://ユーザー:パスワード@ホスト/facilitator）。"
        ) from None
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise DatabaseError(
            f"設定 database_url のデータベース「{backend}」には対応していません"
            "（postgresql または sqlite を指定してください）。"
        )
    if url.drivername == "postgresql":  # the driver installed with facilitator
        url = url.set(drivername="postgresql+psycopg")
    return url


def describe(url: URL) -> str:
    """The database for a person: kind and place, never the password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite（{url.database}）"
    host = url.host or url.query.get("host") or "localhost"
    return f"PostgreSQL（{host}:{url.port or 5432}/{url.database or ''}）"


def engine_for(url: URL) -> Engine:
    """One engine per URL in this process (its pool is shared by every store)."""
    key = url.render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _create_engine(url)
        return _engines[key]


def dispose_engines() -> None:
    """Close every pooled connection (a test's throwaway server, or a shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,  # a restarted server does not fail the next request
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "facilitator"},
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # no pool: as before, a connection per operation, so the data folder can be copied or removed
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_S})

    # SQLAlchemy's recipe for pysqlite: let SQLAlchemy emit BEGIN, so a write can take the
    # write lock up front (BEGIN IMMEDIATE) and wait for another writer instead of failing
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _alembic_config(conn: Connection | None) -> Config:
    """Alembic's configuration built in code: users need no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = conn
    return config


@cache
def head_revision() -> str | None:
    """The newest revision among the shipped migrations."""
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def take_write_lock(conn: Connection, key: int) -> None:
    """Inside a write transaction: wait for the other writers of ``key``. PostgreSQL takes a
    transaction-scoped advisory lock; on SQLite ``writing()``'s ``BEGIN IMMEDIATE`` already
    holds the one write lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(key)))


class Database:
    """The shared database, migrated to the newest schema when opened."""

    def __init__(self, settings: Settings) -> None:
        self.url = database_url(settings)
        self.name = describe(self.url)
        self.engine = engine_for(self.url)
        with self._japanese_errors():
            self._migrate()

    def _migrate(self) -> None:
        """Bring the schema to the newest revision (cheap when it already is)."""
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head_revision():
                return
        with self.writing() as conn:
            take_write_lock(conn, MIGRATION_LOCK)
            config = _alembic_config(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            if current is None and inspect(conn).has_table("sheet_versions"):
                command.stamp(config, FIRST_REVISION)  # a data folder from before migrations
            command.upgrade(config, "head")

    @contextmanager
    def _japanese_errors(self) -> Iterator[None]:
        """A database that cannot be reached or used becomes a Japanese message, no traceback."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            if self.url.get_backend_name() == "sqlite":
                message = (
                    f"データベース {self.name}を使えません（別の処理が長く使用中か、"
                    "ファイルを読み書きできません）。しばらくしてからもう一度試してください。"
                )
            else:
                message = (
                    f"データベース {self.name}に接続できません。サーバーが動いているか、"
                    "設定 database_url（ホスト・ポート・ユーザー・パスワード）を確かめてください。"
                )
            raise DatabaseError(message) from exc
        except DriverDatabaseError as exc:
            if type(exc) is not DriverDatabaseError:  # a key violation etc.: the caller's to handle
                raise
            raise DatabaseError(  # SQLite: "file is not a database"
                f"データベース {self.name}を開けません（壊れているか、データベースのファイルでは"
                "ありません）。バックアップから戻すか、ファイルを別の場所に移してください。"
            ) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self._japanese_errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction, committed at the end; on SQLite it holds the write lock throughout."""
        with self._japanese_errors(), self.engine.connect() as conn:
            conn.execution_options(sqlite_immediate=True)
            with conn.begin():
                yield conn

    @contextmanager
    def failing_as(self, message: str) -> Iterator[None]:
        """For an operation that must never fail silently (an audit entry, a meeting record):
        any database failure becomes ``message`` followed by the reason in Japanese; the
        original, possibly English, error goes to the log for the administrator."""
        try:
            yield
        except DatabaseError as exc:
            raise DatabaseError(f"{message}{exc}") from exc
        except SQLAlchemyError as exc:
            log.exception("%s", message)
            raise DatabaseError(
                f"{message}データベース {self.name}で処理できませんでした（詳しくはログにあります）。"
            ) from exc
