"""Hybrid search over the real corpus with the embedded default model.

The index is built once per session (~1 minute on 2 cores) and shared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli.root import cli
from facilitator.errors import FacilitatorError, IndexNotBuiltError, InputError
from facilitator.search import fusion
from facilitator.search import searcher as searcher_module
from facilitator.search.index import IndexStore, build_index, index_is_current
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings
from facilitator.text import normalize_query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def searcher(built: Settings) -> Searcher:
    return Searcher(built)


def test_reingest_of_an_unchanged_corpus_embeds_nothing(built: Settings) -> None:
    report = build_index(built)
    assert report.embedded == 0
    assert report.cached == report.windows
    assert index_is_current(built)


def test_every_hit_is_verbatim_source_text(searcher: Searcher) -> None:
    result = searcher.search("在宅医療の24時間体制を複数の診療所で支える", k=10)
    for hit in result.hits:
        source = searcher.store.document_text(hit.doc_id)
        assert source[hit.location.char_start : hit.location.char_end] == hit.text
        assert all(s in hit.text for s in hit.highlights)


@pytest.mark.parametrize(
    ("query", "case_id"),
    [
        ("柏市の医師会はどのように在宅医療を支えているか", "事例17"),
        ("医者のいない村に都会から医師が交代で来る仕組み", "事例1"),
        ("小児科医が学校医や保育園の園医として健診に関わる", "事例4"),
    ],
)
def test_precedent_questions_find_the_case(searcher: Searcher, query: str, case_id: str) -> None:
    hits = searcher.search(query, k=10).hits
    assert case_id in [h.case_id for h in hits[:5]]


def test_asked_what_others_did_precedents_come_before_the_guideline(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guideline restates the problem in the question's words; the cases answer it."""
    question = "介護施設と医療機関の連携が進まない地域の例は？"
    assert searcher.search(question, k=10).hits[0].case_id is not None
    monkeypatch.setattr(fusion, "OUTSIDE_PRECEDENTS", 1.0)  # without the question's intent
    assert searcher.search(question, k=10).hits[0].case_id is None


def test_asked_when_the_schedule_answers_in_the_materials_words(searcher: Searcher) -> None:
    """「開かれる」 is the schedule's 「開催」; 「いつごろ」 is a question word, not a topic."""
    result = searcher.search("協議の場は毎年いつごろ開かれる？", k=10)
    assert result.confident, (result.confidence, result.missing)
    assert any("7月頃" in h.text for h in result.hits[:3])


def test_asked_what_a_term_means_the_definition_comes_before_cases_using_it(
    searcher: Searcher,
) -> None:
    """Cases mention 在宅療養後方支援病院 in passing; the guideline's footnote defines it."""
    hits = searcher.search("在宅療養後方支援病院って何？", k=10).hits
    assert hits[0].chunk_id == "guideline-2025:footnote:19"


def test_a_footnote_is_found_by_the_word_it_defines(searcher: Searcher) -> None:
    """Footnote 18 says 「24時間体制で往診…を行う病院のこと」 and never names the word."""
    ids = [h.chunk_id for h in searcher.search("在宅療養支援病院ってどういう病院？", k=10).hits]
    assert "guideline-2025:footnote:18" in ids[:3]


def test_asked_what_others_did_views_of_prefectures_do_not_come_first(searcher: Searcher) -> None:
    """「町村部では診療所が少ない」 describes the problem; the cases say what was done. Asked
    about prefectures, their views are the answer."""
    practice = "村の診療所に、街から医師が交代で通う仕組みを作っている例はある？"
    first = searcher.search(practice, k=10).hits[0]
    assert first.case_id is not None, first.locator
    views = "町村部では診療所が少ないという認識の自治体は？"
    first = searcher.search(views, k=10).hits[0]
    assert first.metadata.get("question") == 2, first.locator


def test_a_question_about_what_prefectures_do_is_answered_by_them(searcher: Searcher) -> None:
    hits = searcher.search("訪問診療を始めたい医師向けに研修をやっている県はある？", k=5).hits
    # 大阪府's programme and 埼玉県's survey answer, before any hospital's own training
    assert all(h.case_id is None for h in hits[:2]), [h.locator for h in hits[:2]]
    assert {h.doc_id for h in hits[:2]} >= {"osaka-zaitaku-2023"}
    assert any(h.metadata.get("respondent") == "埼玉県" for h in hits[:2])


def test_asked_about_the_designated_cities_their_answers_come_before_the_prefectures(
    searcher: Searcher,
) -> None:
    q = "医療のかかり方の広報に、いくら使ったかまで答えた政令市はある？"
    answers = [h for h in searcher.search(q, k=10).hits if h.respondent]
    assert answers and answers[0].respondent.endswith("市"), answers[0].locator
    assert any(h.respondent == "名古屋市" for h in answers[:3])


def test_the_survey_s_own_question_ranks_behind_the_answers_to_it(searcher: Searcher) -> None:
    """「② 都道府県内の都市部、町村部でのかかりつけ医機能の違い」 restates the question."""
    hits = searcher.search(
        "町村部では誰が身近な医者の役割を担っていると自治体は見ている？", k=10
    ).hits
    assert hits[0].metadata.get("respondent"), hits[0].text[:60]


def test_asked_about_the_survey_itself_its_overview_answers(searcher: Searcher) -> None:
    """Whom the survey asked and how many answered is in its overview, which is no
    restatement of a question: it keeps its weight."""
    for question in (
        "アンケートはどの部署に送られて、何割くらいが回答したの？",
        "調査に答えた自治体はいくつ？",
    ):
        hits = searcher.search(question, k=10).hits
        assert any("回答率:70%" in h.text for h in hits), question


def test_a_named_place_says_where_and_the_rest_of_the_question_says_what(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """大阪府's short survey answers name it twice; at full weight the place outranked what
    大阪府 itself does for doctors learning by going along on home visits."""
    q = "往診を始めたいお医者さんが、ベテランについて回って実地で学ぶ研修に、大阪府は何か支援をしているの？"

    def rank_of_subsidy() -> int:
        hits = searcher.search(q, k=10).hits
        return next(i for i, h in enumerate(hits) if "同行訪問事業" in h.text)

    weighted = rank_of_subsidy()
    monkeypatch.setattr(searcher_module, "PLACE_WEIGHT", 1.0)
    assert weighted < rank_of_subsidy()


def test_survey_answers_are_searchable_with_their_respondent(searcher: Searcher) -> None:
    hits = searcher.search("栃木県 かかりつけ医を対象とした研修", k=5).hits
    assert any(h.metadata.get("respondent") == "栃木県" for h in hits)


def test_guideline_example_sheet_is_found(searcher: Searcher) -> None:
    hits = searcher.search(
        "在宅医療の協議イメージ 方策", k=10, filters=SearchFilters(doc_kind="guideline")
    ).hits
    assert hits and all(h.doc_kind == "guideline" for h in hits)
    assert any(h.metadata.get("sheet_theme") == "zaitaku" for h in hits)


def test_asked_for_the_measures_of_an_example_the_measures_come_before_the_restated_cause(
    searcher: Searcher,
) -> None:
    """The question restates the sheet's 原因 (「医師全体の高齢化」); it asks for its 方策."""
    q = "開業医の高齢化で夜間休日の当番が回らなくなってきた地域では、協議の場でどんな手を打つ想定？"
    hits = searcher.search(q, k=10).hits
    assert hits[0].metadata.get("field") == "measure", hits[0].text[:60]
    assert hits[0].metadata.get("sheet_theme") == "jikangai"


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (SearchFilters(theme="zaitaku"), lambda h: "zaitaku" in h.metadata["themes"]),
        (
            SearchFilters(tag="休日夜間・24時間対応"),
            lambda h: "休日夜間・24時間対応" in h.metadata["tags"],
        ),
        (SearchFilters(category="病院"), lambda h: h.metadata["category"] == "病院"),
        (SearchFilters(prefecture="千葉県"), lambda h: h.metadata["prefecture"] == "千葉県"),
        (
            SearchFilters(doc_kind="casebook", theme="jikangai"),
            lambda h: h.doc_kind == "casebook" and "jikangai" in h.metadata["themes"],
        ),
    ],
)
def test_filters_restrict_every_hit(searcher: Searcher, filters: SearchFilters, check) -> None:
    hits = searcher.search("地域の医療機関の連携", k=10, filters=filters).hits
    assert hits
    assert all(check(h) for h in hits)


@pytest.mark.parametrize(
    "query",
    [
        "確定申告の期限はいつですか",
        "新幹線の時刻表を教えて",
        "アムロジピンの1日の最大投与量",
        "明日の東京の天気",
    ],
)
def test_questions_the_corpus_cannot_answer_are_not_confident(
    searcher: Searcher, query: str
) -> None:
    assert searcher.search(query).confident is False


@pytest.mark.parametrize(
    "query",
    [
        "夜間の輪番が組めない地域で何をしている？",
        "退院前に病院と診療所の医師が一緒にカンファレンスをする",
        "都道府県民からの問い合わせで多い内容",
    ],
)
def test_answerable_questions_are_confident(searcher: Searcher, query: str) -> None:
    assert searcher.search(query).confident is True


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_empty_query_is_rejected_in_japanese(searcher: Searcher, query: str) -> None:
    with pytest.raises(InputError, match="検索語が空です"):
        searcher.search(query)


def test_unknown_theme_is_rejected(searcher: Searcher) -> None:
    with pytest.raises(InputError, match="テーマ"):
        searcher.search("在宅", filters=SearchFilters(theme="dental"))


def test_search_before_ingest_says_what_to_do(settings: Settings) -> None:
    with pytest.raises(IndexNotBuiltError, match="facilitator ingest"):
        IndexStore(settings)


def test_cli_search_json_shape(built: Settings) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(built.data_dir), "search", "夜間の輪番", "--k", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"query", "mode", "confident", "hits"} <= set(data)
    assert len(data["hits"]) == 3
    for hit in data["hits"]:
        assert {"chunk_id", "doc_title", "locator", "case_id", "text", "score"} <= set(hit)
        assert not hit["doc_title"].endswith(".txt")


def test_cli_search_text_shows_titles_and_places_not_ids_or_scores(built: Settings) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(built.data_dir), "search", "往診の深夜加算は何点？", "--k", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "資料に見当たらないもの" in result.output and "深夜加算" in result.output
    assert "casebook-2022:" not in result.output and "guideline-2025:" not in result.output
    assert "[0." not in result.output


def test_cli_queries_file_prints_one_json_line_per_query_in_order(
    built: Settings, tmp_path: Path
) -> None:
    qfile = tmp_path / "q.txt"
    qfile.write_text('在宅医療\n\n学校保健\n{"query": "看取り"}\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(built.data_dir), "search", "--queries", str(qfile), "--k", "2"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["query"] for d in lines] == ["在宅医療", "学校保健", "看取り"]


def test_cli_chunk_shows_text_and_locator(built: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(built.data_dir), "chunk", "casebook-2022:jirei-17:overview", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case_id"] == "事例17"
    assert "柏" in data["locator"]
    assert data["text"].startswith("1. 概要")


def test_rrf_fusion_option_gives_rank_based_scores(built: Settings) -> None:
    convex = Searcher(built).search("夜間の輪番を医師会で組む", k=10)
    ranked = Searcher(built.model_copy(update={"fusion": "rrf"})).search(
        "夜間の輪番を医師会で組む", k=10
    )
    assert all(h.score <= 2 / 61 + 1e-9 for h in ranked.hits)  # two lists, k = 60
    assert max(h.score for h in convex.hits) > 2 / 61  # convex scores are 0–1
    assert {h.case_id for h in ranked.hits} & {h.case_id for h in convex.hits} - {None}


def test_a_configured_cross_encoder_reorders_the_head(built: Settings, tmp_path: Path) -> None:
    from facilitator.search.rerank import RERANK_DEPTH, Reranker
    from tests.support.tiny_models import build_tiny_cross_encoder

    store = IndexStore(built)
    folder = build_tiny_cross_encoder(tmp_path, "".join(c.text for c in store.chunks))
    query = "在宅医療の24時間体制を複数の診療所で支える"
    plain = Searcher(built).search(query, k=RERANK_DEPTH)
    reranked = Searcher(built.model_copy(update={"reranker_model": str(folder)})).search(
        query, k=10
    )
    assert reranked.reranker == "ce/ce"
    assert {h.chunk_id for h in reranked.hits} <= {h.chunk_id for h in plain.hits}
    expected = Reranker(str(folder)).scores(normalize_query(query), [h.text for h in reranked.hits])
    assert [h.score for h in reranked.hits] == pytest.approx([float(s) for s in expected], abs=1e-4)


def test_an_unreachable_reranker_is_a_japanese_error(built: Settings) -> None:
    from facilitator.search.rerank import Reranker

    with pytest.raises(FacilitatorError, match="再ランクのモデル「no-such/model」を読み込めません"):
        Reranker("no-such/model")


def test_similar_cases_exclude_the_case_and_explain_themselves(searcher: Searcher) -> None:
    from facilitator.search.similar import similar_cases

    similar = similar_cases(searcher, "事例17", k=5)
    assert len(similar) == 5
    assert all(s.case.case_id != "事例17" for s in similar)
    assert [s.score for s in similar] == sorted((s.score for s in similar), reverse=True)
    own_tags = set(searcher.store.case("事例17").tags)
    for s in similar:
        assert set(s.shared_tags) <= own_tags & set(s.case.tags)
        assert s.hit is None or s.hit.case_id == s.case.case_id
    assert any(s.shared_tags for s in similar)


def test_publicity_answers_rank_with_cases_only_when_asked_about_telling_residents(
    searcher: Searcher,
) -> None:
    """The survey's ③ answers (普及啓発) are what prefectures do, but not what built a system:
    「救急隊が服薬情報を確認できる仕組み」 wants the cases, 「住民への周知」 wants those answers."""

    def publicity(hit: object) -> bool:
        return "普及啓発" in str(hit.metadata.get("question_text") or "")  # type: ignore[attr-defined]

    system = searcher.search(
        "救急車の隊員が患者の服薬情報を確認できる仕組みを作っている地域は？", k=10
    )
    assert system.hits[0].case_id and not any(publicity(h) for h in system.hits[:5])
    telling = searcher.search("住民にかかりつけ医を持つよう周知している例は？", k=5)
    assert publicity(telling.hits[0]) and publicity(telling.hits[1])
    # the guideline's own 方策 (「…住民向けに周知する・かかりつけ医を持つことを推奨する」) and
    # 三重県's 取組 (「住民向け普及啓発資料を作成」) may stand among them; no case does
    assert not any(h.case_id for h in telling.hits)
