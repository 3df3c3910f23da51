"""The corpus: documents (the shipped manifest and what users add) parsed into chunks.

``chunks`` defines the unit of retrieval and citation (a verbatim span of a normalised
document with a human locator); ``documents`` lists, adds and parses documents;
``parsers/`` holds one structure-aware parser per kind of document.
"""
