"""report_*: the report data (areas, datasets, institutions, items, statistics, version).

Before this revision the report data had its own SQLite file (``reports.sqlite``); it is
copied in once by ``facilitator.reports.legacy``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FUNCTION_KEYS = ("ichigo", "jikangai", "nyutaiin", "zaitaku", "kaigo", "hoka")


def upgrade() -> None:
    op.create_table(
        "report_meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "report_areas",
        sa.Column("muni_code", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Integer(), nullable=False),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("muni_name", sa.Text(), nullable=False),
        sa.Column("pref_code", sa.Text(), nullable=False),
        sa.Column("pref_name", sa.Text(), nullable=False),
        sa.Column("sec_code", sa.Text(), nullable=False),
        sa.Column("sec_name", sa.Text(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("pop65", sa.BigInteger(), nullable=False),
        sa.Column("pop75", sa.BigInteger(), nullable=False),
        sa.Column("area_type", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("muni_code", "valid_from"),
    )
    op.create_index("ix_report_areas_pref", "report_areas", ["pref_code"])
    op.create_table(
        "report_datasets",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("pref_code", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.Text(), nullable=True),
        sa.Column("n_institutions", sa.Integer(), nullable=True),
        sa.Column("n_answers", sa.BigInteger(), nullable=True),
        sa.Column("synthetic", sa.Integer(), nullable=False),
        sa.Column("dictionary_year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", "pref_code"),
    )
    op.create_table(
        "report_institutions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("inst_code", sa.Text(), nullable=False),
        sa.Column("pref_code", sa.Text(), nullable=False),
        sa.Column("muni_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        *(sa.Column(f"f_{k}", sa.Integer(), nullable=False) for k in FUNCTION_KEYS),
        sa.Column("vals", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_report_institutions_code", "report_institutions", ["year", "inst_code"], unique=True
    )
    op.create_index(
        "ix_report_institutions_area", "report_institutions", ["year", "pref_code", "muni_code"]
    )
    op.create_table(
        "report_items",
        sa.Column("form_year", sa.Integer(), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("function", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("answer_type", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("form_year", "item_no"),
    )
    op.create_table(
        "report_muni_stats",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("pref_code", sa.Text(), nullable=False),
        sa.Column("muni_code", sa.Text(), nullable=False),
        sa.Column("stats", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("year", "pref_code", "muni_code"),
    )


def downgrade() -> None:
    for name in (
        "report_muni_stats",
        "report_items",
        "report_institutions",
        "report_datasets",
        "report_areas",
        "report_meta",
    ):
        op.drop_table(name)
