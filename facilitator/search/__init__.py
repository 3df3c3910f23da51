"""Finding passages: the index, lexical and dense retrieval, fusion, and the hit type.

``index`` builds and opens the index (chunk store, BM25, Chroma); ``lexical`` and
``embeddings`` are the two retrievers' building blocks, ``rerank`` the optional
cross-encoder; ``fusion`` combines rankings as pure functions; ``searcher`` answers a
query with filters and says whether anything really answers it, by the checks of
``answerability`` (places, numbers, value kinds) and ``terms`` (the words a question names
that the material must know); ``hits`` is what comes
back (a chunk with how it was found) and which precedent a passage belongs to;
``similar`` finds cases like a given case.
"""
