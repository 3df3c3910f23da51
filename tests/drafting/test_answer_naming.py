"""Which precedents a meeting answer names: the search's first, then only those that both
retrieval and their own sentences put as close to the question (no index needed)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from facilitator.corpus.chunks import Chunk, Locator
from facilitator.drafting.answer import group_hits
from facilitator.drafting.headlines import UNANSWERED, cited_places, headline_for
from facilitator.drafting.points import extract_points
from facilitator.search.hits import SearchHit
from facilitator.search.lexical import tokenize
from tests.support.chunks import case_chunk

SENTENCE = {
    "事例1": "当該医療機関では、医師が交代で地域の診療所に通っている。",
    "事例2": "当該医療機関では、近隣の診療所と夜間の当番を分担している。",
    "事例3": "当該医療機関では、地域の住民向けに健康講座を開いている。",
}


def hit(case_id: str, score: float) -> SearchHit:
    chunk = case_chunk(
        f"casebook:{case_id}:detail-1", case_id, f"{case_id}の医療機関", SENTENCE[case_id]
    )
    return SearchHit(chunk=chunk, score=score)


def named(hits: list[SearchHit], closeness: dict[str, float]) -> list[str]:
    """The cases named, given how close each case's sentence is to the question."""
    by_text = {SENTENCE[c]: v for c, v in closeness.items()}

    def similarity(texts: list[str], chunk_ids: list[str]) -> Sequence[float]:
        return [by_text[t] for t in texts]

    points = extract_points("precedent", group_hits(hits), hits, similarity, {})
    return [p.group for p in points]


def test_the_first_case_is_the_search_s_first_even_if_another_sentence_is_closer() -> None:
    hits = [hit("事例1", 1.0), hit("事例2", 0.95), hit("事例3", 0.9)]
    assert named(hits, {"事例1": 0.80, "事例2": 0.85, "事例3": 0.70}) == ["事例1", "事例2"]


def test_a_further_case_needs_a_sentence_as_close_as_the_first_s() -> None:
    hits = [hit("事例1", 1.0), hit("事例2", 0.95), hit("事例3", 0.9)]
    assert named(hits, {"事例1": 0.90, "事例2": 0.85, "事例3": 0.80}) == ["事例1"]
    assert named(hits, {"事例1": 0.80, "事例2": 0.85, "事例3": 0.82}) == [
        "事例1",
        "事例2",
        "事例3",
    ]


def test_a_case_far_below_the_first_in_retrieval_is_not_named() -> None:
    hits = [hit("事例1", 1.0), hit("事例2", 0.7)]
    assert named(hits, {"事例1": 0.80, "事例2": 0.95}) == ["事例1"]


def test_a_confident_answer_without_a_quotable_sentence_does_not_say_nothing_was_found() -> None:
    groups = group_hits([hit("事例1", 1.0)])
    assert headline_for("precedent", [], groups) != UNANSWERED
    assert "下に示します" in headline_for("definition", [], groups)
    assert headline_for("definition", [], []) == UNANSWERED


def test_a_quoted_definition_prefers_the_sentence_using_the_question_s_words() -> None:
    """Similarity alone picked the topical sentence; the requirement uses the question's words."""
    topical = "拠点を医療計画に位置付ける際には、市町村の取組との連携を図ることが重要である。"
    answer = "拠点には、関係者による会議を定期的に開催することが要件として求められる。"
    text = topical + answer
    chunk = Chunk(
        chunk_id="osaka:sec:1",
        doc_id="osaka",
        doc_title="大阪府資料",
        doc_kind="local",
        text=text,
        locator=Locator(
            doc_id="osaka",
            doc_title="大阪府資料",
            section="(6) 拠点",
            char_start=0,
            char_end=len(text),
        ),
    )
    hits = [SearchHit(chunk=chunk, score=1.0)]
    question = "拠点にはどんな要件が求められている？"

    def similarity(texts: list[str], chunk_ids: list[str]) -> Sequence[float]:
        return [0.86 if t == topical else 0.84 for t in texts]

    points = extract_points(
        "definition", group_hits(hits), hits, similarity, dict.fromkeys(tokenize(question), 1.0)
    )
    assert [p.quote for p in points] == [answer]


@pytest.mark.parametrize(
    ("closer", "done"),
    [
        # 「これにより、…」 read alone in a meeting refers to nothing
        (
            "これにより、在宅医療への切れ目ない対応を可能としている。",
            "主治医が訪問できない時は副主治医が訪問する仕組みを採用している。",
        ),
        # what the situation was or is: why a case acted, not what it did
        *(
            (situation, "医師会が病診・診診連携の取組を進め、地域の医療ニーズに対応している。")
            for situation in (
                "山間部では少数の診療所に大きな負担がかかっている状況である。",
                "住民の間では在宅看取りへの抵抗感が根強くあった。",
                "医師の高齢化により当番の維持が課題となっている。",
            )
        ),
    ],
)
def test_a_case_is_quoted_by_what_it_did(closer: str, done: str) -> None:
    """The sentence closer in meaning to the question loses to the one saying what was done
    when it points back or tells the situation."""
    chunk = case_chunk("casebook:事例17:detail-1", "事例17", "柏市医師会", done + closer)
    hits = [SearchHit(chunk=chunk, score=1.0)]

    def similarity(texts: list[str], chunk_ids: list[str]) -> Sequence[float]:
        return [0.86 if t == closer else 0.84 for t in texts]

    points = extract_points("precedent", group_hits(hits), hits, similarity, {})
    assert [p.quote for p in points] == [done]


def test_a_quoted_definition_weighs_the_question_s_rare_words_above_its_common_ones() -> None:
    """Both sentences share as many of the question's words; only one shares the telling ones
    (「部署同士」「基本」), the other the words most passages use (「在宅医療」「介護」「連携」)."""
    common = "在宅医療介護連携事業の推進は、市町村と県の介護保険部局の責任である。"
    answer = "都道府県と市町村の連携のルートは、担当部署同士での一元化が基本である。"
    chunk = Chunk(
        chunk_id="slides:sec:1",
        doc_id="slides",
        doc_title="講演スライド",
        doc_kind="local",
        text=common + answer,
        locator=Locator(
            doc_id="slides", doc_title="講演スライド", char_start=0, char_end=len(common + answer)
        ),
    )
    hits = [SearchHit(chunk=chunk, score=1.0)]
    question = "在宅医療と介護の連携で、県と市町村の窓口はどの部署同士が基本？"
    rare = {"部署", "同士", "基本", "窓口"}
    words = {t: (4.0 if t in rare else 0.2) for t in tokenize(question)}

    def similarity(texts: list[str], chunk_ids: list[str]) -> Sequence[float]:
        return [0.86 if t == common else 0.85 for t in texts]

    points = extract_points("definition", group_hits(hits), hits, similarity, words)
    assert [p.quote for p in points] == [answer]
    # counted alike, the common words win
    alike = dict.fromkeys(words, 1.0)
    points = extract_points("definition", group_hits(hits), hits, similarity, alike)
    assert [p.quote for p in points] == [common]


def test_asked_about_a_named_place_its_own_words_come_before_an_excerpt_it_quotes() -> None:
    excerpt = "<在宅医療の体制構築に係る指針※> (抜粋)\n圏域内に拠点を少なくとも1つは設定すること。"
    own = "府の考え方\n在宅医療の圏域は二次医療圏単位として整備する。"

    def passage(n: int, text: str) -> SearchHit:
        locator = Locator(doc_id="osaka", doc_title="大阪府資料", char_start=0, char_end=len(text))
        chunk = Chunk(
            chunk_id=f"osaka:sec:{n}",
            doc_id="osaka",
            doc_title="大阪府資料",
            doc_kind="local",
            text=text,
            locator=locator,
        )
        return SearchHit(chunk=chunk, score=1.0)

    hits = [passage(1, excerpt), passage(2, own)]

    def similarity(texts: list[str], chunk_ids: list[str]) -> Sequence[float]:
        return [0.88 if "少なくとも" in t else 0.85 for t in texts]

    def quoted(question: str) -> str:
        words = dict.fromkeys(tokenize(question), 1.0)
        (point,) = extract_points(
            "definition", group_hits(hits), hits, similarity, words, question=question
        )
        return point.quote

    assert quoted("大阪府は在宅医療の圏域をどう設定している？").startswith("在宅医療の圏域は")
    # asked without a place, the national guidance it quotes may answer
    assert quoted("在宅医療の圏域はどう設定する？").startswith("圏域内に拠点を")


def test_a_survey_question_is_cited_once_with_its_answer_numbers() -> None:
    question = "衛生部長会調査 ④ 都道府県民からの医療のかかり方に関する問合せで多い内容"
    places = cited_places(
        [f"{question} No.24", f"{question} No.9", "事例3 取組の概要", f"{question} No.9"]
    )
    assert places == [f"{question} No.9・No.24", "事例3 取組の概要"]
