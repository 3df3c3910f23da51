"""Alembic environment: runs on the connection ``facilitator.storage.db`` passes in
(``config.attributes["connection"]``), inside its transaction."""

from __future__ import annotations

from alembic import context

from facilitator.storage.tables import metadata

# render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead
context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
