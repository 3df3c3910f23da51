"""Orderings a question's form asks for, on the real index of the shipped corpus."""

from __future__ import annotations

import pytest

from facilitator.search.embeddings import load_embedder
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings


@pytest.fixture(scope="module")
def searcher(built: Settings) -> Searcher:
    return Searcher(built, embedder=load_embedder(built.embedding_model))


def _answers(searcher: Searcher, q: str, **filters: str) -> list[str]:
    result = searcher.search(q, k=10, filters=SearchFilters(**filters))
    return [h.text for h in result.hits if h.chunk.metadata.get("respondent")]


def _about_where_or_which_department(text: str) -> bool:
    return any(w in text for w in ("何科", "診療科", "夜間", "休日", "時間外"))


def test_asked_what_is_common_the_answers_most_respondents_give_come_first(
    searcher: Searcher,
) -> None:
    # 37 answers to 「問合せで多い内容」; about half are which department, or where at night
    q = "住民から県や市に寄せられる医療のかかり方の問い合わせでは、どのような内容が多いのか"
    answers = _answers(searcher, q)
    assert len(answers) >= 5
    assert all(_about_where_or_which_department(a) for a in answers[:5])


def test_the_survey_question_asked_is_the_one_its_words_name_not_the_one_found_most(
    searcher: Searcher,
) -> None:
    """Asked what residents ask about 「医療のかかり方」, the answers to ③ (publicity of 「上手な
    医療のかかり方」) outnumbered those to ④ (「…問合せで多い内容」) among the first ten; the
    question's 「問い合わせ…多い」 names ④."""
    q = "県民から医療のかかり方の問い合わせが来るとき、みんなどんなことを聞いてくるのが多いの？"
    result = searcher.search(q, k=10)
    first = [h.chunk.metadata.get("question") for h in result.hits[:5]]
    assert first == [4] * 5, first


def test_a_content_named_is_what_is_asked_not_what_is_common(searcher: Searcher) -> None:
    answers = _answers(searcher, "住民 問合せ セカンドオピニオン 転院 多い内容")
    assert "セカンドオピニオン" in answers[0]


def test_the_common_answers_stay_within_the_filters(searcher: Searcher) -> None:
    q = "住民からの問い合わせでは、どのような内容が多いのか"
    result = searcher.search(q, k=10, filters=SearchFilters(prefecture="静岡県"))
    assert result.hits
    assert {h.chunk.metadata.get("prefecture") for h in result.hits} == {"静岡県"}


def test_asked_what_prefectures_and_cities_hear_most_their_answers_come_before_a_case(
    searcher: Searcher,
) -> None:
    # 事例3's clinic 「住民の窓口として、幅広く相談を受ける」 shares the words, not the asker
    q = "県や市の窓口には、住民からどんな医療のかかり方の相談がよく来ているんですか？"
    hits = searcher.search(q, k=10).hits
    assert hits[0].chunk.metadata.get("respondent")
    assert _about_where_or_which_department(hits[0].text)


def _first_line(searcher: Searcher, q: str) -> str:
    return searcher.search(q, k=10).hits[0].text.split("\n", 1)[0]


def test_asked_what_is_required_of_someone_the_list_headed_by_it_comes_first(
    searcher: Searcher,
) -> None:
    base = "② 在宅医療に必要な連携を担う拠点に求められる事項"
    hub = _first_line(
        searcher, "大阪府の資料では、在宅医療の連携の拠点にはどのような役割が求められていますか。"
    )
    assert hub == base
    active = _first_line(
        searcher,
        "在宅医療で中心的な役割を担う医療機関として位置づけられたら、具体的に何をやらないといけないのか",
    )
    assert active == "② 在宅医療において積極的役割を担う医療機関に求められる事項"
    # a heading sharing only 医療機関 with the question is about someone else
    partner = _first_line(
        searcher, "特養や老健があらかじめ定めておく協力医療機関には、どんな体制が求められるのか"
    )
    assert "求められる事項" not in partner


def test_asked_for_the_steps_of_a_process_the_numbered_steps_come_first(
    searcher: Searcher,
) -> None:
    q = "協議の場って、どういう順番で話を進めるの？原因を出し合ってから対策、みたいな流れ？"
    first = searcher.search(q, k=10).hits[0]
    assert "①" in first.text and "②" in first.text and "③" in first.text
    assert first.chunk.metadata.get("field") is None  # not an example sheet's 原因 or 方策


def test_the_document_a_question_names_comes_before_the_same_text_quoted_elsewhere(
    searcher: Searcher,
) -> None:
    """The 新居浜・西条 paper copies the guideline's example sheets word for word; asked what
    「ガイドライン」 shows, the guideline's own 方策 is the first of the two copies."""
    q = (
        "介護施設とかかりつけ医の連携が進まないとき、かかりつけ医機能報告で分かった情報を"
        "使って施設と医療機関を結び付ける方法はガイドラインでどう示されていますか。"
    )
    hits = searcher.search(q, k=10).hits
    copies = [h.chunk.doc_id for h in hits if "介護施設等のマッチングを行う" in h.text]
    assert copies[0] == "guideline-2025"


def test_the_guideline_is_cited_before_a_local_papers_copy_of_it_unless_its_place_is_asked(
    searcher: Searcher,
) -> None:
    """The 新居浜・西条 paper copies the guideline's example sheets; asked in general, the
    guideline's own passage comes first, asked about 新居浜・西条, the paper's."""

    def first_copy(q: str) -> str:
        hits = searcher.search(q, k=10).hits
        return next(h.chunk.doc_id for h in hits if "空床情報を地域で共有" in h.text)

    q = "在宅療養中の患者が急変したときに受け入れてくれる後方支援の病床が確保しにくい課題に、どんな方策がある？"
    assert first_copy(q) == "guideline-2025"
    assert first_copy("新居浜・西条圏域では、" + q) == "niihama-saijo-council"


def test_a_case_at_a_place_the_question_names_may_fill_more_than_two_places(
    searcher: Searcher,
) -> None:
    """Two passages per case keep other precedents in view; asked about 柏市, its case is what
    is asked about."""

    def kashiwa(q: str) -> int:
        return sum(h.case_id == "事例17" for h in searcher.search(q, k=10).hits)

    q = "在宅医療の仕組みができてる地域だと、夜中に母の具合が急に悪くなったとき、まず誰が家に来てくれるの？"
    assert kashiwa(q) <= 2
    assert kashiwa("柏市みたいに" + q) > 2


def test_asked_of_a_place_its_case_comes_first_even_named_without_its_suffix(
    searcher: Searcher,
) -> None:
    """「柏のやり方だと…」 asks about 柏市's case (事例17): the guideline's example sheets on
    at-home care share more of the question's words, and before, the case was not among the
    first ten at all."""
    q = "柏のやり方だと、家で療養してる人が夜中に具合悪くなったら、まず誰が来てくれることになってるの？"
    hits = searcher.search(q, k=10).hits
    assert "まずは訪問看護師が訪問し" in hits[0].text
    assert "柏" in str(hits[0].chunk.metadata.get("location"))


def test_asked_what_a_prefecture_decided_its_own_words_come_before_the_guidance_it_quotes(
    searcher: Searcher,
) -> None:
    """大阪府's paper quotes the national 指針 (「<在宅医療の体制構築に係る指針※> (抜粋)」) before
    saying what 大阪府 decided (「府の考え方」): asked what 大阪府 did, the quotation is not 大阪府's."""
    q = "大阪では、家で受ける医療の体制を考えるエリアをどのくらいの広さで区切っているの？"
    hits = searcher.search(q, k=10).hits
    ranks = {h.chunk.locator.section: i for i, h in enumerate(hits)}
    assert ranks["府の考え方"] < ranks["2 圏域の設定"]
