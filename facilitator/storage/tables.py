"""The tables on the shared database (SQLAlchemy Core), as the migrations leave them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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

# --- report data (facilitator.reports.store) ------------------------------------------------
REPORT_FUNCTION_KEYS = ("ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo", "hoka")
"""One state column ``f_<key>`` per function (as ``reports.items.FUNCTION_KEYS``; fixed here
because a migration created them)."""
# Each institution's answers are one JSON array in dictionary order (``vals``, text): an
# import writes one row per institution instead of ~30 long-form rows.

report_meta = Table(
    "report_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
"""``data_version``: replaced in the transaction of every change, so caches never outlive it."""

report_areas = Table(
    "report_areas",
    metadata,
    Column("muni_code", Text, primary_key=True),
    Column("valid_from", Integer, primary_key=True),
    Column("valid_to", Integer),
    Column("muni_name", Text, nullable=False),
    Column("pref_code", Text, nullable=False),
    Column("pref_name", Text, nullable=False),
    Column("sec_code", Text, nullable=False),
    Column("sec_name", Text, nullable=False),
    Column("population", BigInteger, nullable=False),
    Column("pop65", BigInteger, nullable=False),
    Column("pop75", BigInteger, nullable=False),
    Column("area_type", Text, nullable=False),
    Column("synthetic", Integer, nullable=False),
    Column("source_file", Text),
    Index("ix_report_areas_pref", "pref_code"),
)
"""Municipalities with their 二次医療圏 and population, valid from/to a year (the area table)."""

report_datasets = Table(
    "report_datasets",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("pref_code", Text, primary_key=True),
    Column("source_file", Text),
    Column("imported_at", Text),
    Column("n_institutions", Integer),
    Column("n_answers", BigInteger),
    Column("synthetic", Integer, nullable=False),
    Column("dictionary_year", Integer),
)
"""One row per imported year and prefecture."""

report_institutions = Table(
    "report_institutions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("year", Integer, nullable=False),
    Column("inst_code", Text, nullable=False),
    Column("pref_code", Text, nullable=False),
    Column("muni_code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Integer, nullable=False),  # 1 病院, 2 診療所
    *(Column(f"f_{k}", Integer, nullable=False) for k in REPORT_FUNCTION_KEYS),
    Column("vals", Text, nullable=False),
    Index("ix_report_institutions_code", "year", "inst_code", unique=True),
    Index("ix_report_institutions_area", "year", "pref_code", "muni_code"),
)
"""One row per institution and year: its functions' states and its answers (``vals``)."""

report_items = Table(
    "report_items",
    metadata,
    Column("form_year", Integer, primary_key=True),
    Column("item_no", Integer, primary_key=True),
    Column("item_id", Text, nullable=False),
    Column("function", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("answer_type", Text, nullable=False),
)
"""The report items of a form year, in the order of ``vals``."""

report_muni_stats = Table(
    "report_muni_stats",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("pref_code", Text, primary_key=True),
    Column("muni_code", Text, primary_key=True),
    Column("stats", Text, nullable=False),  # JSON, computed at import
)
"""Per-municipality statistics computed at import: what every summary is aggregated from."""

# --- accounts (facilitator.auth) --------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),  # the key: two instances cannot add the same name
    Column("role", Text, nullable=False),  # admin / editor / viewer
    Column("salt", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # scrypt; the password itself is never kept
    Column("created_at", Text, nullable=False),
    Column("disabled", Integer, nullable=False),
    Column("sso", Integer, nullable=False),  # 1: logs in only through the organisation's IdP
)
"""The accounts of the team (facilitator.auth.users)."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),  # as typed (at most 40 characters)
    Column("at", Text, nullable=False),  # ISO 8601 UTC
    Index("ix_login_failures_name", "name"),
)
"""Recent wrong passwords per name (facilitator.auth.throttle); a good login deletes them."""
