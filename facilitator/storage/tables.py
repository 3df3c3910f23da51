"""The tables on the shared database (SQLAlchemy Core), as the migrations leave them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

metadata = MetaData()

sheet_versions = Table(
    "sheet_versions",
    metadata,
    Column("sheet_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),  # the key makes a concurrent save conflict
    Column("saved_at", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("body", Text, nullable=False),  # the IssueSheet as JSON
)
"""Every saved version of every issue sheet; the latest version is the current sheet."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the order entries arrived
    Column("at", Text, nullable=False),  # ISO 8601 UTC, seconds: sorts as text
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_audit_log_at", "at"),
)
"""Who did what and when; only ever inserted into (facilitator.auth.audit)."""

legacy_imports = Table(
    "legacy_imports",
    metadata,
    Column("source", Text, primary_key=True),  # name and content hash: the key makes it once
    Column("imported_at", Text, nullable=False),
    Column("items", Integer, nullable=False),
)
"""Files of a data folder already copied into the database (audit.jsonl, meetings/)."""

meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("area", Text),
    Column("held_on", Date, nullable=False),
    Column("created_at", Text, nullable=False),  # ISO 8601 with the JST offset
    Column("created_by", Text),
)
"""One row per council meeting record (facilitator.meetings)."""

meeting_entries = Table(
    "meeting_entries",
    metadata,
    Column("meeting_id", Text, ForeignKey("meetings.meeting_id"), primary_key=True),
    Column("entry_no", Integer, primary_key=True),  # 1..n per meeting, in the order asked
    Column("asked_at", Text, nullable=False),
    Column("asked_by", Text),
    Column("question", Text, nullable=False),
    Column("context", JSON, nullable=False),
    Column("answer", JSON, nullable=False),  # Answer.model_dump(mode="json")
)
"""The questions asked in a meeting and their answers; rows are only ever added."""
