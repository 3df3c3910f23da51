"""Alembic migrations of the shared database, applied by ``facilitator.storage.db`` at open."""
