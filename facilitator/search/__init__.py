"""Finding passages: the index, lexical and dense retrieval, fusion, and the hit type.

``index`` builds and opens the index (chunk store, BM25, Chroma); ``lexical`` and
``embeddings`` are the two retrievers' building blocks, ``rerank`` the optional
cross-encoder; ``fusion`` combines rankings as pure functions; ``searcher`` answers a
query with filters and says whether anything really answers it: ``constraints`` reads what
a question names (places, numbers, value kinds), ``terms`` the words the material must
know, and ``answerability`` checks both against the top passages; ``hits`` is what comes
back (a chunk with how it was found) and which precedent a passage belongs to;
``similar`` finds cases like a given case.
"""
