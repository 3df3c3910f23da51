"""Japanese lexical search: SudachiPy normalised forms indexed with bm25s.

Whitespace tokenisation silently fails on Japanese, so every text (chunk or query)
goes through the same morphological analyser, keeping content words only.
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import bm25s
import numpy as np
import yaml
from sudachipy import Dictionary, SplitMode

from facilitator.settings import PACKAGE_DATA

logging.getLogger("bm25s").setLevel(
    logging.WARNING
)  # it sets DEBUG on import; keep CLI output clean

log = logging.getLogger(__name__)

_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"}
_DROP_POS2 = {"非自立可能"}
_STOPWORDS = {
    "為る",
    "居る",
    "有る",
    "成る",
    "言う",
    "出来る",
    "事",
    "物",
    "等",
    "こと",
    "もの",
    "ため",
    "よう",
    "的",
    "化",
    "性",
    "いつ頃",  # a question word (「いつごろ」), read as a noun
    "御",  # honorifics say nothing of the subject: 「お医者さん」 is 医者, 「ご家族」 家族
    "さん",
    "様",
    "ちゃん",
}
_MAX_CALL = 16_000  # characters per Sudachi call; it refuses inputs above ~49 KB


@lru_cache(maxsize=1)
def short_units():  # type: ignore[no-untyped-def]
    """Sudachi in its shortest units (「夜間電話相談」 → 夜間/電話/相談), loaded once:
    the index's words, and the parts answerability compares compounds by."""
    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


def tokenize(text: str) -> list[str]:
    """Content-word normalised forms, e.g. 「夜間の輪番が組めない」→ [夜間, 輪番, 組む]."""
    tok = short_units()
    out: list[str] = []
    for piece in _pieces(text):
        for m in tok.tokenize(piece):
            pos = m.part_of_speech()
            if pos[0] not in _KEEP_POS or pos[1] in _DROP_POS2:
                continue
            form = m.normalized_form()
            if form in _STOPWORDS or not form.strip():
                continue
            out.append(form.lower())
    return out


_WRITTEN = {"てる": "ている", "でる": "でいる", "てた": "ていた", "でた": "でいた"}


@lru_cache(maxsize=256)
def written_form(text: str) -> str:
    """A spoken contraction as written (「作ってるところ」→「作っているところ」): Sudachi tells the
    auxiliary てる from a verb that ends so (育てる, 立てる), which a pattern cannot. Cached: every
    intent check of one question reads it."""
    if not any(c in text for c in _WRITTEN):
        return text
    return "".join(
        _WRITTEN.get(m.surface(), m.surface()) if m.part_of_speech()[0] == "助動詞" else m.surface()
        for piece in _pieces(text)
        for m in short_units().tokenize(piece)
    )


LAY_TERMS_FILE = PACKAGE_DATA / "lay_terms.yaml"


class _LayTerms(NamedTuple):
    words: dict[str, list[str]]
    """Everyday token → the term's tokens (ドクター → 医師)."""
    phrases: list[tuple[str, list[str]]]
    """(everyday phrase, the term's tokens): 「声をかけ」 → 参加."""
    as_written: dict[str, list[str]]
    """Everyday token → the terms as written (メンバー → 参加者, where ``words`` has only 参加)."""


@lru_cache(maxsize=1)
def _lay_terms() -> _LayTerms:
    """lay_terms.yaml, read and tokenised once."""
    lay_terms = _LayTerms({}, [], {})
    for term, lay in yaml.safe_load(LAY_TERMS_FILE.read_text(encoding="utf-8")).items():
        term_tokens = [t for t in tokenize(str(term)) if len(t) >= 2]
        for word in lay:
            tokens = tokenize(word)
            if len(tokens) == 1:
                lay_terms.words.setdefault(tokens[0], []).extend(term_tokens)
                lay_terms.as_written.setdefault(tokens[0], []).append(str(term))
            else:
                lay_terms.phrases.append((word, term_tokens))
    return lay_terms


def material_words(word: str) -> list[str]:
    """The material's terms for an everyday word, whole: 「参加者」 for メンバー, where
    :func:`with_material_terms` gives only its content token 参加 (the compound
    「参加メンバー」 already has that)."""
    return list(_lay_terms().as_written.get(word, []))


def with_material_terms(query_tokens: list[str], query: str) -> list[str]:
    """The query's tokens plus the material's terms for its everyday words (lay_terms.yaml):
    「夜や休みの日に先生が…」 also looks for 夜間・休日・医師. Matching is by token, so 「家族」
    does not bring in 在宅 as 「家」 does. Precedent nDCG@10 0.741 → 0.766 on the dev set, 0.761
    → 0.784 and 0.731 → 0.801 on two held-aside sets of paraphrased precedent questions (the
    second written before this list); guideline passages 0.642 → 0.626."""
    words, phrases, _ = _lay_terms()
    extra = [t for tok in query_tokens for t in words.get(tok, [])]
    extra += [t for phrase, terms in phrases if phrase in query for t in terms]
    return query_tokens + [t for t in dict.fromkeys(extra) if t not in query_tokens]


WeightedWords = Mapping[str, float]
"""A question's words and the material's terms for them (:func:`with_material_terms`), each
weighted by its idf: a meeting answer's sentence sharing 「部署同士」 with the question says more
than one sharing 「かかりつけ医機能」, which most passages use."""


def weighted_share(words: WeightedWords, tokens: Iterable[str]) -> float:
    """The weighted share of ``words`` that ``tokens`` use (0 when there are none)."""
    used, total = set(tokens), sum(words.values())
    return sum(w for t, w in words.items() if t in used) / total if total else 0.0


@lru_cache(maxsize=1024)
def word_forms(word: str) -> frozenset[str]:
    """A word and the material's terms for it (「開く」: 開催): either says it."""
    return frozenset(with_material_terms([word], word))


class Vocabulary:
    """The index's words: whether one is used, and whether one starts with a given beginning
    (「プレイ」 of プレイング). That second test bisects the words sorted once, on first use: a
    scan took 15 ms per question at 81,000 words."""

    def __init__(self, words: Collection[str]) -> None:
        self._words = words

    def __contains__(self, word: object) -> bool:
        return word in self._words

    @cached_property
    def _sorted(self) -> list[str]:
        return sorted(self._words)

    def has_word_starting(self, start: str) -> bool:
        i = bisect_left(self._sorted, start)
        return i < len(self._sorted) and self._sorted[i].startswith(start)


REPETITION_MIN_TOKENS = 30
REPETITION_DISTINCT = 0.2
REPETITION_TOP_SHARE = 0.35


def repetitive(tokens: list[str]) -> bool:
    """Text that repeats a few words (keyword stuffing) rather than saying something.

    In the shipped corpus the least varied passage of 30+ words still has 28% distinct
    words and no word above 20% of them; a stuffed upload falls far below or above.
    """
    if len(tokens) < REPETITION_MIN_TOKENS:
        return False
    counts: dict[str, int] = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    return (
        len(counts) / len(tokens) < REPETITION_DISTINCT
        or max(counts.values()) / len(tokens) > REPETITION_TOP_SHARE
    )


def _pieces(text: str) -> list[str]:
    """Split long text at line ends so each Sudachi call stays small."""
    if len(text) <= _MAX_CALL:
        return [text]
    pieces: list[str] = []
    buf = ""
    for line in re.split(r"(?<=\n)", text):
        if len(buf) + len(line) > _MAX_CALL and buf:
            pieces.append(buf)
            buf = ""
        buf += line[:_MAX_CALL]
    if buf:
        pieces.append(buf)
    return pieces


class LexicalIndex:
    """BM25 over pre-tokenised chunks; positions align with the chunk list."""

    def __init__(self, retriever: bm25s.BM25, ids: list[str], idf: dict[str, float]) -> None:
        self.retriever = retriever
        self.ids = ids
        self.idf = idf

    @classmethod
    def build(cls, ids: list[str], token_lists: list[list[str]]) -> LexicalIndex:
        retriever = bm25s.BM25()
        retriever.index([t or [""] for t in token_lists], show_progress=False)
        n = len(token_lists)
        df: dict[str, int] = {}
        for toks in token_lists:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        idf = {t: float(np.log(1 + (n - c + 0.5) / (c + 0.5))) for t, c in df.items()}
        return cls(retriever, ids, idf)

    def common_words(self, share: float) -> frozenset[str]:
        """Words used by more than ``share`` of the chunks: the idf of :meth:`build` at that
        document frequency is about log(1/share)."""
        limit = float(np.log(1 / share))
        return frozenset(t for t, v in self.idf.items() if v < limit)

    def weighted(self, words: Iterable[str]) -> WeightedWords:
        """``words`` weighted by their idf; a word the index does not know weighs 1."""
        return {t: self.idf.get(t, 1.0) for t in words}

    def chunks_with(self, word: str) -> int:
        """How many chunks use ``word``: the document frequency the idf of :meth:`build` was
        computed from (0: a word the index does not know)."""
        if word not in self.idf:
            return 0
        return round((len(self.ids) + 1) / float(np.exp(self.idf[word])) - 0.5)

    def scores(self, query_tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk (0 where masked out)."""
        known = [t for t in query_tokens if t in self.idf]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.retriever.get_scores(known, weight_mask=mask)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(folder / "bm25"))
        (folder / "lexical.json").write_text(
            json.dumps({"ids": self.ids, "idf": self.idf}, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(folder / "bm25"))
        meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        return cls(retriever, meta["ids"], meta["idf"])
