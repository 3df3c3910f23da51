"""Shared state on one database: SQLite in the data folder by default, PostgreSQL via a URL.

``db.py`` opens the engine and applies the migrations (``migrations/``, alembic);
``tables.py`` holds the table definitions (SQLAlchemy Core).
"""
