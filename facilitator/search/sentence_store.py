"""Each chunk's sentences as the index stores them: their vectors and their words.

A question about one thing a passage says matches that sentence better than the whole
passage (see :func:`~facilitator.search.fusion.lift_by_sentence`); the words are stored at
build too, so weighing a sentence by the question's words costs no tokenising per query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from facilitator.search.lexical import tokenize

SENTENCE_VECTORS = "sentences.npy"
SENTENCE_STARTS = "sentence_starts.npy"
SENTENCE_WORDS = "sentence_words.npy"
"""Word ids of every sentence, one after another (``SENTENCE_WORD_STARTS`` cuts them)."""
SENTENCE_WORD_STARTS = "sentence_word_starts.npy"
SENTENCE_VOCABULARY = "sentence_vocabulary.json"

SENTENCE_WORDS_WEIGHT = 0.1
"""How much the question's words count in a sentence's closeness: its cosine plus this × the
idf-weighted share of the question's words (and the material's terms for them; not the place
asked, which ``named_first`` weighs) it uses. The small embedded model puts 佐賀県's 「医師の
高齢化…」 closer to 「大きな病院と町のお医者さんがお互いに夜の当直を手伝い合ってる」 than 参考2's
「…地元開業医が基幹病院の当直を支援する」, which has the words. Over dev and 119 probe sets (3,178
answerable questions), nDCG@10 0.7211 → 0.7281: precedent 0.721 → 0.728, guideline 0.702 →
0.712, survey 0.753 → 0.755, case-nDCG 0.940 → 0.947; up in each group of 20 probe sets (dev
and the first sets: 0.841 → 0.839). 0.15 gave 0.7308 (before a footnote's word was counted),
but words shared are not what is asked of whom: 事例3's 「住民の窓口として、幅広く相談を受ける」 came
before the prefectures' answers to 「県や市の窓口には、住民からどんな…相談がよく来ている？」, and
the example sheet's 「在宅を希望する方が安心して在宅療養が…」 before 柏's 「まずは訪問看護師が
訪問し…」 (tests in test_ordering.py). Counting the words only for the kind of passage the
question asks for (the prior's) did less: 0.7255."""


def save_sentences(
    folder: Path, vectors: np.ndarray, per_chunk: list[list[str]], contexts: list[str]
) -> None:
    """Vectors (float16) and words of ``per_chunk``'s sentences, in chunk order. Each
    sentence's words include ``contexts``' words for its chunk: the word a footnote defines
    (「24時間体制で往診…を行う病院のこと」 speaks of 在宅療養支援病院 without naming it)."""
    starts = np.cumsum([0] + [len(ts) for ts in per_chunk], dtype=np.int64)
    np.save(folder / SENTENCE_VECTORS, vectors.astype(np.float16))
    np.save(folder / SENTENCE_STARTS, starts)
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    word_starts = [0]
    for sentences, context in zip(per_chunk, contexts, strict=True):
        about = tokenize(context) if context else []
        for sentence in sentences:
            for word in dict.fromkeys(tokenize(sentence) + about):
                ids.append(vocabulary.setdefault(word, len(vocabulary)))
            word_starts.append(len(ids))
    np.save(folder / SENTENCE_WORDS, np.asarray(ids, dtype=np.int32))
    np.save(folder / SENTENCE_WORD_STARTS, np.asarray(word_starts, dtype=np.int64))
    (folder / SENTENCE_VOCABULARY).write_text(
        json.dumps(list(vocabulary), ensure_ascii=False), encoding="utf-8"
    )


class SentenceStore:
    """The stored sentences of an index, read lazily (memory-mapped)."""

    def __init__(self, folder: Path) -> None:
        self.vectors = np.load(folder / SENTENCE_VECTORS, mmap_mode="r")
        self.starts = np.load(folder / SENTENCE_STARTS)
        self._words: tuple[np.ndarray, np.ndarray, dict[str, int]] | None = None
        self._last: tuple[frozenset[tuple[str, float]], np.ndarray] | None = None
        if (folder / SENTENCE_WORDS).exists():  # an index built before them: vectors only
            vocabulary = json.loads((folder / SENTENCE_VOCABULARY).read_text("utf-8"))
            self._words = (
                np.load(folder / SENTENCE_WORDS, mmap_mode="r"),
                np.load(folder / SENTENCE_WORD_STARTS),
                {w: i for i, w in enumerate(vocabulary)},
            )

    @classmethod
    def open(cls, folder: Path) -> SentenceStore | None:
        """None for an index built before sentences were stored (it searches by windows)."""
        return cls(folder) if (folder / SENTENCE_VECTORS).exists() else None

    def rows(self, position: int) -> np.ndarray:
        """The vectors of the sentences of the chunk at ``position``."""
        return np.asarray(
            self.vectors[self.starts[position] : self.starts[position + 1]], dtype=np.float32
        )

    def best(
        self, position: int, query_vector: np.ndarray, words: Mapping[str, float] | None
    ) -> float | None:
        """The closeness of the chunk's closest sentence: cosine, plus the question's words
        by :data:`SENTENCE_WORDS_WEIGHT` when given (None: the chunk has no sentence)."""
        rows = self.rows(position)
        if not len(rows):
            return None
        sims = (rows * query_vector).sum(axis=1)  # no BLAS: see searcher._dot
        shares = self.shares(position, words) if words else None
        if shares is not None:
            sims = sims + SENTENCE_WORDS_WEIGHT * shares
        return float(sims.max())

    def shares(self, position: int, words: Mapping[str, float]) -> np.ndarray | None:
        """Per sentence of the chunk at ``position``, the weighted share of ``words`` it uses
        (None: words not stored)."""
        if self._words is None:
            return None
        ids, word_starts, _ = self._words
        first, last = int(self.starts[position]), int(self.starts[position + 1])
        cuts = word_starts[first : last + 1]
        used = self._weights(words)[ids[cuts[0] : cuts[-1]]]
        summed = np.concatenate(([0.0], np.cumsum(used, dtype=np.float64)))
        return (summed[cuts[1:] - cuts[0]] - summed[cuts[:-1] - cuts[0]]).astype(np.float32)

    def _weights(self, words: Mapping[str, float]) -> np.ndarray:
        """Each stored word's weight as a share of all of ``words``' (0 for the others); kept
        for the last question, as a search asks it of a hundred passages."""
        key = frozenset(words.items())
        last = self._last  # one read: another session's search may replace it
        if last is None or last[0] != key:
            assert self._words is not None
            vocabulary = self._words[2]
            weights = np.zeros(len(vocabulary), dtype=np.float32)
            total = sum(words.values())
            for w, x in words.items():
                if w in vocabulary and total:
                    weights[vocabulary[w]] = x / total
            last = self._last = (key, weights)
        return last[1]
