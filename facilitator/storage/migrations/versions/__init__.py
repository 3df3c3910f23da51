"""One file per schema revision (``alembic revision`` with ``script_location`` set to
``facilitator/storage/migrations``)."""
