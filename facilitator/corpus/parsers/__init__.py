"""Structure-aware parsers: one per kind of source document.

Each parser takes a :class:`~facilitator.corpus.chunks.Document` and its raw text (or a PDF
path) and returns a :class:`ParsedDocument` whose chunks are spans of the normalised
text. ``generic`` reads user files and guesses their structure with ``blocks``;
``casebook`` (with ``survey``) and ``guideline`` (with ``example_sheets``) know the layout
of the shipped documents.
"""
