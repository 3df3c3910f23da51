"""Does a cited passage support the statement? A score, the best sentence, and 参考.

"Verified" only says the quote is in the source. Support asks whether it says what the
statement says: the share of content words (Sudachi normalised forms) the statement and
the quote have in common, as the Ochiai coefficient of the two word sets. A citation
below :data:`SUPPORT_MIN` stays visible as 参考 but does not back the statement, so a
statement without real backing shows as 根拠なし.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from facilitator.corpus.chunks import Chunk
from facilitator.search.lexical import tokenize
from facilitator.sheets.citations import MIN_QUOTE_CHARS
from facilitator.sheets.model import Citation, IssueSheet
from facilitator.text import sentences

SUPPORT_MIN = 0.25
"""Below this a citation is 参考 (checked on the offline drafts of the sample, see bench)."""
SUPPORT_DROP = 0.1
"""Below this a catalogue source shares almost nothing with the statement: not cited."""
MAX_QUOTE_CHARS = 160
"""A quote is one sentence; longer sentences are still quoted whole when they are the best."""
_BULLET_RE = re.compile(r"^(?:[-・*]\s*|\d+\s+\S+\s+▶|▶|[\u2460-\u2473]\s*)+")
_NOISE = {"地域", "医療", "医療機関", "実施", "行う", "必要", "場合", "等", "ため"}


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    """Content words of a text, without the ones every passage here shares."""
    return frozenset(t for t in tokenize(text) if len(t) > 1 and t not in _NOISE)


def support(statement: str, quote: str) -> float:
    """0–1: how much of what the statement says the quote says too (Ochiai)."""
    a, b = words(statement), words(quote)
    if not a or not b:
        return 0.0
    return len(a & b) / (len(a) * len(b)) ** 0.5


def clean(sentence: str) -> str:
    """A sentence without list bullets and numbering; still a verbatim substring."""
    return _BULLET_RE.sub("", sentence).strip()


def best_sentence(statement: str, text: str) -> tuple[str, float] | None:
    """The sentence of ``text`` that best supports ``statement`` (verbatim), with its score."""
    best: tuple[str, float] | None = None
    for raw in sentences(text):
        candidate = clean(raw)
        if len(candidate) < MIN_QUOTE_CHARS or candidate not in text:
            continue
        score = support(statement, candidate)
        shorter = best is not None and len(candidate) < len(best[0])
        if best is None or score > best[1] or (score == best[1] and shorter):
            best = (candidate, score)
    return best


def cite_best(
    chunks: Mapping[str, Chunk], chunk_id: str | None, statement: str, quote: str | None = None
) -> Citation | None:
    """A citation of the chunk's sentence that best supports ``statement``.

    A given ``quote`` is kept when it is verbatim: the catalogue's authors chose the sentence
    that says it, and word overlap can prefer a sentence that says something else (「外来
    患者数は大幅に減少した」 over 「24時間365日救急患者を絶対断らない」). It is scored all
    the same, so a weak one shows as 参考. Verification happens later.
    """
    chunk = chunks.get(chunk_id or "")
    if chunk is None:
        return None
    if quote and quote in chunk.text and len(quote) >= MIN_QUOTE_CHARS:
        best: tuple[str, float] | None = (quote, support(statement, quote))
    else:
        best = best_sentence(statement, chunk.text)
    if best is None:
        return None
    return Citation(chunk_id=chunk.chunk_id, quote=best[0], support=round(best[1], 3))


def mark_support(sheet: IssueSheet) -> IssueSheet:
    """Score every citation against its statement; weak ones become 参考 (one the drafter
    already cited as context stays 参考)."""
    out = sheet.model_copy(deep=True)
    for _, statement in out.statements():
        for c in statement.citations:
            c.support = round(support(statement.text, c.quote), 3)
            c.reference = c.reference or c.support < SUPPORT_MIN
    return out
