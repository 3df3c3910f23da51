import pytest

from facilitator.search.fusion import (
    SENTENCE_WEIGHT,
    apply_prior,
    convex_fusion,
    demote,
    diversify,
    lift_asked_fields,
    lift_by_sentence,
)
from facilitator.search.hits import matching_sentences


def test_items_good_on_both_sides_come_first() -> None:
    fused = convex_fusion(
        {"a": 9.0, "b": 8.0, "c": 1.0}, {"a": 0.80, "b": 0.90, "c": 0.70}, dense_floor=0.6
    )
    assert [item for item, _ in fused][:2] == ["b", "a"]


def test_a_clear_lexical_winner_is_not_buried_by_moderate_items() -> None:
    # 「救急隊」 appears in one chunk only: best BM25 by far, unseen by the dense side
    lexical = {"rare": 12.0, "x": 3.0, "y": 2.5}
    dense = {"x": 0.850, "y": 0.848, "z": 0.846, "w": 0.845}  # bunched, as cosines are
    fused = [item for item, _ in convex_fusion(lexical, dense, dense_floor=0.825)]
    assert fused[0] == "rare"
    # the same similarities scaled from the weakest retrieved one would bury it
    buried = [item for item, _ in convex_fusion(lexical, dense, dense_floor=0.845)]
    assert buried[0] != "rare"


def test_scores_are_between_zero_and_one_and_ties_are_deterministic() -> None:
    fused = convex_fusion({"x": 1.0, "y": 1.0}, {}, dense_floor=0.5, dense_share=0.5)
    assert fused == [("x", pytest.approx(0.5)), ("y", pytest.approx(0.5))]
    scored = convex_fusion({"a": 3.0}, {"a": 0.9, "b": 0.5}, dense_floor=0.7)
    assert all(0.0 <= s <= 1.0 for _, s in scored)


def test_dense_share_moves_the_balance() -> None:
    lexical, dense = {"lex": 10.0, "den": 5.0}, {"lex": 0.60, "den": 0.90}
    assert convex_fusion(lexical, dense, 0.5, dense_share=0.2)[0][0] == "lex"
    assert convex_fusion(lexical, dense, 0.5, dense_share=0.8)[0][0] == "den"


def test_diversify_moves_a_third_section_of_one_case_behind_other_cases() -> None:
    ranked = [("c1:a", 0.9), ("c1:b", 0.8), ("c1:c", 0.7), ("c2:a", 0.6)]
    out = diversify(ranked, lambda cid: cid.split(":")[0], per_group=2)
    assert [i for i, _ in out] == ["c1:a", "c1:b", "c2:a", "c1:c"]


def test_matching_sentences_are_verbatim_and_ranked_by_overlap() -> None:
    text = "地域の特徴を述べる。夜間の輪番制を医師会が組んだ。在宅医療も行う。"
    found = matching_sentences(text, {"夜間", "輪番", "医師"})
    assert found[0] == "夜間の輪番制を医師会が組んだ。"
    assert all(s in text for s in found)


def test_a_question_about_what_others_did_puts_precedents_before_the_guideline() -> None:
    ranked = [("guideline-sec", 1.0), ("case-sec", 0.8), ("sheet-field", 0.9)]
    kinds = {"guideline-sec": "section", "case-sec": "detail", "sheet-field": "sheet"}
    plain = apply_prior(ranked, kinds.get)
    assert [c for c, _ in plain] == ["guideline-sec", "case-sec", "sheet-field"]
    wanting_cases = apply_prior(ranked, kinds.get, lambda cid: cid == "case-sec")
    assert [c for c, _ in wanting_cases] == ["case-sec", "guideline-sec", "sheet-field"]
    assert dict(wanting_cases)["case-sec"] == 0.8  # a precedent keeps its score


def test_a_sheet_shows_the_asked_fields_first_in_their_own_order() -> None:
    sheet = ["s:issue", "s:cause-1", "s:measure-1", "s:measure-2"]
    ranked = [("s:issue", 0.8), ("case", 0.7), ("s:measure-2", 0.5), ("other:measure-1", 0.4)]
    out = lift_asked_fields(
        ranked,
        lambda cid: sheet if cid.startswith("s:") else [],
        lambda cid: ":measure" in cid,
    )
    order = [cid for cid, _ in out]
    # the sheet's measures take its best place, the one found first; the issue follows
    assert order[:3] == ["s:measure-2", "s:measure-1", "s:issue"]
    # a measure of a sheet not among the top passages is not lifted
    assert order.index("other:measure-1") > order.index("case")


def test_lifting_the_asked_fields_keeps_the_order_of_the_rest() -> None:
    # lift_by_sentence has put "case" above a sheet of higher score: that order stays
    sheet = ["s:issue", "s:measure-1"]
    ranked = [("case", 0.6), ("s:issue", 0.8), ("other", 0.7)]
    out = lift_asked_fields(
        ranked, lambda cid: sheet if cid.startswith("s:") else [], lambda c: ":measure" in c
    )
    assert [cid for cid, _ in out] == ["case", "s:measure-1", "s:issue", "other"]
    assert dict(out)["s:measure-1"] == 0.8  # the sheet's place and score


def test_a_passage_whose_one_sentence_answers_moves_up() -> None:
    ranked = [("features", 0.90), ("detail", 0.85), ("other", 0.80)]
    best = {"features": 0.82, "detail": 0.90, "other": 0.83}
    out = lift_by_sentence(ranked, best.get)
    # ordered by score − weight × the gap to the closest sentence (0.85 against 0.90 − 3 × 0.08)
    assert SENTENCE_WEIGHT == 3.0
    assert [c for c, _ in out] == ["detail", "features", "other"]
    assert dict(out) == dict(ranked)  # each keeps its score: answers read them as shares


def test_without_sentence_vectors_the_order_is_kept() -> None:
    ranked = [("a", 0.9), ("b", 0.8)]
    assert lift_by_sentence(ranked, lambda cid: None) == ranked
    # a passage without a sentence of its own counts as the least close
    out = lift_by_sentence([("tiny", 0.9), ("b", 0.8), ("c", 0.7)], {"b": 0.9, "c": 0.7}.get)
    assert [c for c, _ in out] == ["b", "tiny", "c"]


def test_a_demoted_upload_moves_down_and_the_others_keep_their_order() -> None:
    # the sentence lift had put "lifted" (0.5) first; a re-sort by score would undo that
    ranked = [("lifted", 0.5), ("stuffed", 0.95), ("b", 0.8), ("c", 0.2)]
    out = demote(ranked, {"stuffed"}.__contains__, 0.3)
    assert [c for c, _ in out] == ["lifted", "b", "stuffed", "c"]
    assert dict(out)["stuffed"] == pytest.approx(0.285)
    assert demote(ranked, lambda c: False, 0.3) == ranked
