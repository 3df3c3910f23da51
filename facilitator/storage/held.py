"""One connection held for a series of reads and writes (a store opened for an import or a
summary), with the transactions those need on both backends.

- ``transaction()``: a write transaction that takes the write lock first (SQLite ``BEGIN
  IMMEDIATE``, PostgreSQL an advisory lock per store kind), so writers of every instance run
  one after the other; nested, a savepoint.
- ``snapshot()``: a read transaction in which every query sees the same data.
- Plain reads never leave a transaction open between calls (no idle-in-transaction
  connection on PostgreSQL, no WAL kept from checkpointing on SQLite).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from facilitator.errors import DatabaseError
from facilitator.storage.db import Database, take_write_lock

log = logging.getLogger(__name__)


class HeldConnection:
    """A connection to ``db`` until ``close()``; ``what`` names it in messages
    (「報告データベース」), ``write_lock`` is its PostgreSQL advisory lock key."""

    def __init__(self, db: Database, what: str, write_lock: int) -> None:
        self.db, self.what, self.write_lock = db, what, write_lock
        self.dialect = db.engine.dialect.name
        self._explicit = 0
        with self._errors():
            self.conn: Connection = db.engine.connect()

    def close(self) -> None:
        self.conn.close()

    def _errors(self) -> AbstractContextManager[None]:
        """A database failure becomes a Japanese message naming the database (logged)."""
        return self.db.failing_as(f"{self.what}を使えません。")

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction holding the write lock; any exception (also
        KeyboardInterrupt) rolls back.

        Nested inside another transaction it is a savepoint: an exception undoes only
        what was done inside it; what it did is committed (or not) with the outer one.
        """
        if self._explicit:
            with self._errors():
                savepoint = self.conn.begin_nested()
            self._explicit += 1
            try:
                yield self.conn
            except BaseException:
                if savepoint.is_active:
                    savepoint.rollback()
                raise
            finally:
                self._explicit -= 1
            with self._errors():
                savepoint.commit()
            return
        self._end_read()
        try:
            self.conn.execution_options(sqlite_immediate=True)
            tx = self.conn.begin()
            take_write_lock(self.conn, self.write_lock)
        except OperationalError as exc:  # another writer held the lock too long, read-only…
            if self.conn.in_transaction():
                self.conn.rollback()
            log.warning("%s %s: %s", self.what, self.db.name, _reason(exc))
            raise DatabaseError(
                f"{self.what} {self.db.name}に書き込めません（別の処理が書き込み中か、"
                "書き込みが許可されていません）。少し待ってから、もう一度実行してください。"
            ) from exc
        self._explicit = 1
        try:
            yield self.conn
        except BaseException:
            if tx.is_active:
                tx.rollback()
            raise
        finally:
            self._explicit = 0
        with self._errors():
            tx.commit()

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction: every query inside sees the same data (and data version),
        whatever other connections commit meanwhile. No-op inside a transaction."""
        if self._explicit:
            yield self.conn
            return
        self._end_read()
        with self._errors():
            self.conn.execution_options(sqlite_immediate=False)
            tx = self.conn.begin()
            if self.dialect == "postgresql":
                self.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        self._explicit = 1
        try:
            yield self.conn
        finally:
            self._explicit = 0
            if tx.is_active:
                tx.rollback()  # read only: nothing to commit

    def _end_read(self) -> None:
        """Close the transaction a plain read began (none is kept open between calls)."""
        if not self._explicit and self.conn.in_transaction():
            self.conn.rollback()

    def _all(self, statement: Any, params: dict | None = None) -> list[Any]:
        """Run a query and fetch every row; outside a transaction, ends the one it began."""
        with self._errors():
            try:
                return list(self.conn.execute(statement, params or {}))
            finally:
                self._end_read()


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own short reason (without SQL or parameters)."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0][:200]
