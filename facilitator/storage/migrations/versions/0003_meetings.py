"""meetings and meeting_entries: the council meeting records (議事メモ).

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("meeting_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_table(
        "meeting_entries",
        sa.Column("meeting_id", sa.Text(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.meeting_id"]),
        sa.PrimaryKeyConstraint("meeting_id", "entry_no"),
    )


def downgrade() -> None:
    op.drop_table("meeting_entries")
    op.drop_table("meetings")
