"""Helpers the tests and benches share: an example sheet, tiny models, LibreOffice."""
