from facilitator.retrieval import matching_sentences, rrf


def test_rrf_rewards_items_ranked_well_by_both_retrievers() -> None:
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]])
    assert [item for item, _ in fused][:1] == ["b"]


def test_rrf_keeps_items_found_by_one_retriever_only() -> None:
    fused = dict(rrf([["a"], ["b"]]))
    assert set(fused) == {"a", "b"}


def test_rrf_is_deterministic_on_ties() -> None:
    assert rrf([["x"], ["y"]]) == rrf([["x"], ["y"]])
    assert [i for i, _ in rrf([["y"], ["x"]])] == ["x", "y"]


def test_rrf_weights_change_the_order() -> None:
    fused = rrf([["a"], ["b"]], weights=[1.0, 2.0])
    assert fused[0][0] == "b"


def test_matching_sentences_are_verbatim_and_ranked_by_overlap() -> None:
    text = "地域の特徴を述べる。夜間の輪番制を医師会が組んだ。在宅医療も行う。"
    found = matching_sentences(text, {"夜間", "輪番", "医師"})
    assert found[0] == "夜間の輪番制を医師会が組んだ。"
    assert all(s in text for s in found)
