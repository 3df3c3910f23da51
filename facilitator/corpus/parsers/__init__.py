"""Structure-aware parsers: one per kind of source document.

Each parser takes a :class:`~facilitator.chunks.Document` and its raw text (or a PDF
path) and returns a :class:`ParsedDocument` whose chunks are spans of the normalised
text.
"""
