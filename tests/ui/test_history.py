"""最近の検索 keeps settled queries, not every keystroke of search-as-you-type."""

from __future__ import annotations

from facilitator.ui.components.history import remember


def typed(*states: str) -> list[str]:
    history: list[str] = []
    for state in states:
        history = remember(history, state)
    return history


def test_typing_on_keeps_only_the_query_one_settled_on() -> None:
    assert typed("柏", "柏市", "柏市の医師会") == ["柏市の医師会"]


def test_deleting_back_to_ask_something_else_keeps_both_questions() -> None:
    assert typed("柏市の医師会", "柏市の", "柏市の病", "柏市の病院") == [
        "柏市の病院",
        "柏市の医師会",
    ]


def test_asking_again_moves_a_query_to_the_front_once() -> None:
    assert typed("柏市の医師会", "当番", "柏市の医師会") == ["柏市の医師会", "当番"]
    assert typed("a", "  ", "") == ["a"]


def test_the_history_is_bounded() -> None:
    assert remember([f"質問{i}" for i in range(8)], "新しい質問", limit=8)[-1] == "質問6"
