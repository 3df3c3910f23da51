"""The tables on the shared database (SQLAlchemy Core), as the migrations leave them."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text

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
