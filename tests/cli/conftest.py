"""Fixtures of the CLI tests."""

from tests.export.builders import saved, store  # noqa: F401
