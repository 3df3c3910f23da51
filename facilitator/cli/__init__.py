"""Command line: ``facilitator …``, a thin shell over the library."""

from facilitator.cli.root import cli, main

__all__ = ["cli", "main"]
