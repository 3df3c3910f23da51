"""Upgrading a report database file written by an earlier version, all or nothing (used on
the old ``reports.sqlite`` before it is copied into the shared database, ``reports.legacy``).

Format 3 kept answers long-form (one ``answers`` row per institution and item); format 4
keeps each institution's answers as one JSON array in dictionary order
(``institutions.vals``) and unpivots them in a view. A prefecture's imported data is never
something to re-import by hand after an update.
"""

from __future__ import annotations

import sqlite3

MIGRATION_3_TO_4 = """
ALTER TABLE institutions ADD COLUMN vals TEXT NOT NULL DEFAULT '[]';
UPDATE institutions SET vals = (
    SELECT json_group_array(v) FROM (
        SELECT a.value AS v
        FROM datasets d
        JOIN items it ON it.form_year = d.dictionary_year
        LEFT JOIN answers a
            ON a.year = institutions.year AND a.pref_code = institutions.pref_code
            AND a.inst_id = institutions.id AND a.item_no = it.item_no
        WHERE d.year = institutions.year AND d.pref_code = institutions.pref_code
        ORDER BY it.item_no));
DROP VIEW IF EXISTS answers_long;
DROP TABLE answers;
UPDATE meta SET value = '4' WHERE key = 'schema_version';
INSERT OR REPLACE INTO meta VALUES ('data_version', lower(hex(randomblob(16))));
"""


def migrate(conn: sqlite3.Connection, found: str) -> bool:
    """Bring a database of format ``found`` to the current one; False if there is no way.

    Runs in one transaction: an interruption leaves the database as it was (format 3).
    """
    if found != "3":
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in MIGRATION_3_TO_4.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("COMMIT")
    except sqlite3.Error:
        conn.execute("ROLLBACK")
        raise
    return True
