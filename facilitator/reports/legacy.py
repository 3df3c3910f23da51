"""The report data's own SQLite file from before the shared database (``reports.sqlite``),
copied into the report tables once and then set aside as ``reports.sqlite.imported``.

The copy goes through ``storage.legacy.import_once`` (one transaction with its marker, so two
instances starting together copy it once). A file of the older format 3 (long-form answers)
is upgraded in memory first, as ``reports.migrate`` did in place.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection

from facilitator.errors import DatabaseError
from facilitator.reports.migrate import migrate
from facilitator.reports.version import new_data_version
from facilitator.settings import Settings
from facilitator.storage.bulk import bulk_insert
from facilitator.storage.db import Database
from facilitator.storage.legacy import import_once
from facilitator.storage.tables import (
    report_areas,
    report_datasets,
    report_institutions,
    report_items,
    report_muni_stats,
)

LEGACY_FILE = "reports.sqlite"
SOURCES = {  # table in the old file → table now (same columns, same order)
    "areas": report_areas,
    "datasets": report_datasets,
    "items": report_items,
    "institutions": report_institutions,
    "muni_stats": report_muni_stats,
}


def import_report_file(db: Database, settings: Settings) -> bool:
    """Copy ``data_dir/reports.sqlite`` into the database if it is there; True if copied."""
    path = Path(settings.data_dir) / LEGACY_FILE
    if not path.is_file():
        return False
    _fold_journal(path)
    return import_once(db, path, _copy)


def _fold_journal(path: Path) -> None:
    """Write the file's WAL back into it, so that its bytes alone are the whole database."""
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"以前の報告データベース {path} を読み込めません（壊れているか、SQLite のファイルでは"
            "ありません）。報告データを取り込み直す場合は、このファイルを別の場所に移してください。"
        ) from exc


def _copy(conn: Connection, contents: dict[str, bytes]) -> int:
    """Every row of the old file into the report tables; returns the institutions copied."""
    old = sqlite3.connect(":memory:", isolation_level=None)
    try:
        old.deserialize(contents[LEGACY_FILE])
        version = old.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        found = version[0] if version else "?"
        if found != "4" and not migrate(old, found):
            raise DatabaseError(
                f"以前の報告データベース {LEGACY_FILE} の形式（{found}）はこの版では読めません。"
                "報告データを取り込み直してください。"
            )
        n = 0
        for name, table in SOURCES.items():
            columns = ", ".join(c.name for c in table.columns)
            rows = old.execute(f"SELECT {columns} FROM {name}").fetchall()
            bulk_insert(conn, table, rows)
            n = len(rows) if name == "institutions" else n
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"以前の報告データベース {LEGACY_FILE} の中身を読めません（壊れています）。"
        ) from exc
    finally:
        old.close()
    new_data_version(conn)
    return n
