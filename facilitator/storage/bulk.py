"""Bulk loading for both backends (the report import writes ~100,000 rows at once)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table


def bulk_insert(conn: Connection, table: Table, rows: Sequence[tuple]) -> None:
    """Insert many rows in column order inside ``conn``'s transaction: ``executemany`` on
    SQLite, ``COPY`` on PostgreSQL (several times faster than row-by-row inserts)."""
    if not rows:
        return
    names = ",".join(c.name for c in table.columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        marks = ",".join("?" * len(table.columns))
        raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
