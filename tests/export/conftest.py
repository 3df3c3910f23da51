"""Fixtures of the export tests: a sheet store and the example sheet saved in it."""

from tests.export.builders import saved, store  # noqa: F401
