"""The data version of the report tables (``report_meta.data_version``): replaced in the same
transaction as every change of the data, so caches keyed by it never outlive the data."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, delete, insert

from facilitator.storage.tables import report_meta as m


def new_data_version(conn: Connection) -> None:
    """Mark the data as changed (call inside the transaction that changes it)."""
    conn.execute(delete(m).where(m.c.key == "data_version"))
    conn.execute(insert(m).values(key="data_version", value=uuid.uuid4().hex))
