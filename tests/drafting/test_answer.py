"""Questions during a meeting: passages grouped by precedent, verbatim, and honest misses."""

from __future__ import annotations

import re

import pytest

from facilitator.drafting.answer import Answer, ask
from facilitator.errors import FacilitatorError, InputError
from facilitator.search.searcher import Searcher, SearchFilters
from facilitator.settings import Settings
from facilitator.sheets.model import Citation

pytestmark = pytest.mark.slow

NIGHT = "夜間の輪番が組めない地域で何をしている？"
OFF_TOPIC = "確定申告の期限はいつですか"


@pytest.fixture(scope="module")
def night(drafting_data: Settings, drafting_searcher: Searcher) -> Answer:
    return ask(NIGHT, None, drafting_data, drafting_searcher)


def test_offline_answer_groups_passages_by_case(night: Answer, drafting_searcher: Searcher) -> None:
    store = drafting_searcher.store
    assert night.mode == "offline" and night.confident
    keys = [g.key for g in night.groups]
    assert len(keys) == len(set(keys))
    for group in night.groups:
        for p in group.passages:
            chunk = store.by_id[p.chunk_id]
            assert chunk.locator.case_id == group.case_id
            assert p.locator == chunk.locator.label()
            assert p.sentences and all(s in chunk.text for s in p.sentences)
    cases = [g for g in night.groups if g.case_id]
    assert cases and cases[0].label.startswith(cases[0].case_id or "")


def test_a_practice_question_names_the_cases_and_quotes_what_each_did(
    night: Answer, drafting_searcher: Searcher
) -> None:
    assert night.kind == "precedent" and 1 <= len(night.points) <= 3
    named = [p.group for p in night.points]
    assert [g.key for g in night.groups][: len(named)] == named  # the answer's cases first
    for p in night.points:
        assert p.quote in drafting_searcher.store.by_id[p.chunk_id].text  # verbatim
        assert f"{p.label}：「{p.quote}」" in night.answer_text
    # the headline names exactly the cases of the answer, and no other retrieved case
    for g in night.groups:
        if g.case_id:
            assert (f"{g.case_id}、" in night.headline or f"{g.case_id}）" in night.headline) == (
                g.key in named
            )
    assert {c.quote for c in night.citations} == {p.quote for p in night.points}


def test_a_figure_question_is_answered_from_the_report_data(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    from facilitator.reports import indicators_for, list_areas

    area = next(a for a in list_areas(settings=drafting_data) if a.name == "北部医療圏")
    h24 = next(
        i
        for i in indicators_for(area, "zaitaku", settings=drafting_data)
        if i.metric == "zaitaku.h24"
    )
    answer = ask(
        "北部医療圏で24時間体制の在宅医療は何施設？", None, drafting_data, drafting_searcher
    )
    assert answer.kind == "figure" and answer.confident and answer.figure is not None
    assert f"{int(h24.value)}施設" in answer.headline
    assert "2026年報告" in answer.headline and "架空データ" in answer.headline
    assert area.code not in answer.headline  # the area by its name only
    assert not answer.groups  # nothing from the documents is shown as if it answered


@pytest.mark.parametrize(
    ("question", "case", "words"),
    [
        ("常陸大宮市の高齢化率は何%くらい？", "事例10", ["高齢化率", "37%"]),  # not a report item
        ("柏市の在宅医療には何人くらいの医師が参加している？", "事例17", ["在宅医", "30"]),
    ],
)
def test_a_figure_the_report_data_lacks_is_quoted_from_the_material_that_states_it(
    drafting_data: Settings, drafting_searcher: Searcher, question: str, case: str, words: list
) -> None:
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.confident
    assert (
        answer.headline.endswith("ため、資料の記述を示します。") and "報告データ" in answer.headline
    )
    [point] = answer.points
    assert point.group == case and all(w in point.quote for w in words)
    assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text
    assert answer.answer_text.startswith(answer.headline)  # the CLI and the minutes say it too


def test_a_figure_neither_the_report_data_nor_the_material_has_is_not_answered(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask("東京都の在宅医療は何施設？", None, drafting_data, drafting_searcher)
    assert answer.kind == "unanswered" and not answer.confident and not answer.points
    assert "東京都" in answer.headline and "読み込まれた地域にありません" in answer.headline


@pytest.mark.parametrize(
    ("question", "hint"),
    [
        ("連携の拠点には職員を何人配置しなければならない？", "報告データで数を尋ねられるのは"),
        ("新居浜市医師会の会員数は何人？", "報告データで数を尋ねられるのは"),
    ],
)
def test_a_count_neither_source_has_says_so_before_what_the_data_could_give(
    drafting_data: Settings, drafting_searcher: Searcher, question: str, hint: str
) -> None:
    """Told only 「地域が分かりませんでした」, a coordinator would think the data holds it."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "unanswered" and not answer.confident and not answer.points
    assert answer.headline.startswith("事例集・ガイドライン・地域の資料にも報告データにも")
    assert hint in answer.headline


def test_a_term_is_defined_by_the_footnote_quoted_without_its_number(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask("在宅療養後方支援病院って何？", None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    point = answer.points[0]
    assert point.quote.startswith("在宅において療養を行っている患者を緊急時に受け入れる病院")
    assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text
    assert answer.citations and answer.citations[0].verified


def test_a_definition_under_its_heading_is_quoted_not_the_heading(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「●「かかりつけ医」とは(定義)」 repeats the question; the line under it answers."""
    answer = ask(
        "医師会は「かかりつけ医」をどう定義してる？", None, drafting_data, drafting_searcher
    )
    assert answer.kind == "definition" and answer.points
    assert answer.points[0].quote.startswith("なんでも相談できる上")
    # the slides' heading has no mark (「「かかりつけ医」とは（ 定義）」): still a heading
    answer = ask("かかりつけ医 定義", None, drafting_data, drafting_searcher)
    assert answer.points[0].quote.startswith("なんでも相談できる上")
    # the slide breaks the sentence after 「身近で頼りになる」: quoted whole, read as one line
    assert answer.points[0].quote.endswith(
        "頼りになる\n地域医療、保健、福祉を担う総合的な能力を有する医師。"
    )
    assert answer.citations and answer.citations[0].quote == answer.points[0].quote
    assert "身近で頼りになる地域医療、保健、福祉を担う" in answer.answer_text


def test_a_figures_credit_line_is_not_quoted() -> None:
    from facilitator.text import CREDIT

    assert CREDIT.match("出典:福岡市医師会提供資料")
    assert not CREDIT.match("福岡市医師会では、在宅医療の資源を調べた。")


def test_a_slide_line_cut_mid_phrase_is_not_quoted(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    # the slide's 「圏域内に複数の「在宅医療の連携の拠点」と」 goes on on the next line
    answer = ask(
        "大阪だと、在宅医療の地域割りってどのくらいの広さで決めてるの？市町村ごと？",
        None,
        drafting_data,
        drafting_searcher,
    )
    first = answer.points[0].quote
    assert not first.endswith("と"), first
    assert "二次医療圏" in first


def test_asked_how_a_cases_own_scheme_works_the_case_answers(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    # 「運用手順」 asks how it is done, but only 参考5 has a がん地域連携パス: the documents
    # found score far below it and say nothing of it
    answer = ask(
        "がん地域連携パスで、退院後に連携医を受診した患者の診療データを拠点病院へどのように"
        "返しているのか、運用手順を確認したい。",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.kind == "precedent"
    assert "拠点病院" in answer.points[0].quote


def test_a_charts_title_over_its_labels_is_a_title() -> None:
    from facilitator.drafting.quotes import _is_title

    chart = "支援 支援\n福井県の在宅医療・介護連携推進事業 現在の体制\n地域\n\n医療課\n"
    assert _is_title(chart, "福井県の在宅医療・介護連携推進事業 現在の体制")
    prose = "福井県の体制\n医療系課から介護系課へ事業移管した。\n"
    assert not _is_title(prose, "福井県の体制")
    # the layout may start a slide's line with a space: still the title over its labels
    slide = "調整\n 福井県の在宅医療・介護連携推進事業所管と分掌の経過\n\n在宅医療\n"
    assert _is_title(slide, "福井県の在宅医療・介護連携推進事業所管と分掌の経過")


def test_a_table_of_contents_line_is_not_quoted() -> None:
    from facilitator.drafting.quotes import _CONTENTS

    assert _CONTENTS.search("第2節 かかりつけ医機能報告制度のスケジュール.....\t9")
    assert not _CONTENTS.search("医療機関からの報告期間は1月から3月です。")


def test_a_slides_heading_run_into_its_first_bullet_is_not_quoted() -> None:
    from facilitator.drafting.quotes import trim

    line = "協議に向けた枠組みの整理 ・ 「協議の場」の圏域は、都道府県が市町村と調整して決定する。"
    assert trim(line) == "「協議の場」の圏域は、都道府県が市町村と調整して決定する。"
    # a middle dot between words is not a bullet
    assert trim("新居浜・西条圏域で協議する。") == "新居浜・西条圏域で協議する。"


def test_asked_for_the_name_the_footnote_quoted_is_labelled_with_the_term_it_defines(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """The footnote's text describes the hospital; only its label can say what it is called."""
    question = "家で療養してる人が急に悪くなったとき受け入れる病院は、制度上何て呼ぶんだっけ？"
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    assert answer.points[0].label.startswith("「在宅療養後方支援病院」")
    assert "「在宅療養後方支援病院」" in answer.answer_text


def test_a_quote_does_not_start_with_the_sheets_check_mark(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """The example sheets list measures as 「✓ 健康状態…」; the mark is not what they say."""
    question = "健康状態の分からない高齢者をかかりつけ医につなぐ方策は、協議の例に出てくる？"
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    for point in answer.points:
        assert not point.quote.startswith(("✓", "-", "・")), point.quote
        assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text


def test_a_question_about_what_is_required_quotes_the_document_not_a_case(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "協力医療機関はどんな体制を持つことになっている？", None, drafting_data, drafting_searcher
    )
    assert answer.kind == "definition" and answer.points
    assert not drafting_searcher.store.by_id[answer.points[0].chunk_id].locator.case_id


def test_the_meetings_area_answers_a_figure_question_that_names_none(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask("在宅看取りは何件？", None, drafting_data, drafting_searcher, area="南部医療圏")
    assert answer.kind == "figure" and answer.headline.startswith("南部医療圏で")


def test_asked_for_an_example_sheets_causes_and_measures_it_quotes_each_in_order(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "持病で通っている人に別の症状が出ても、どこに相談すればいいか分からず手遅れになる。"
        "国の例示ではどんな原因と対策が挙がっている？",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.kind == "definition"
    chunks = [drafting_searcher.store.by_id[p.chunk_id] for p in answer.points]
    # not the sheet's 課題, which says again what the question says
    fields = [c.metadata.get("field") for c in chunks]
    assert fields == sorted(fields) and set(fields) == {"cause", "measure"}  # 原因 first
    assert len({(c.doc_id, c.metadata.get("sheet_theme")) for c in chunks}) == 1
    assert {c.chunk_id for c in chunks} <= {c.chunk_id for c in answer.citations}
    sheet = drafting_searcher.store.chunks
    theme, doc = chunks[0].metadata.get("sheet_theme"), chunks[0].doc_id
    every = [
        c.chunk_id
        for c in sorted(sheet, key=lambda c: c.locator.char_start)
        if c.doc_id == doc
        and c.metadata.get("sheet_theme") == theme
        and c.metadata.get("field") in ("cause", "measure")
    ]
    assert [c.chunk_id for c in chunks] == every  # every 原因 and 方策, in the sheet's order
    # the document is named once, each quote followed by its place
    assert answer.answer_text.count(answer.points[0].source) == 1
    assert f"「{answer.points[1].quote}」（{answer.points[1].locator}）" in answer.answer_text


def test_asked_whether_one_measure_is_in_the_examples_the_closest_is_quoted(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "入院ベッドの空き状況を地域で共有して受け入れ先を探す、といった対策は話し合いの例に入ってる？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and len(answer.points) == 1
    assert "空床情報" in answer.points[0].quote


def test_what_a_function_number_means_is_answered_by_every_sheet_title(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask("1号機能とか2号機能って何のこと？", None, drafting_data, drafting_searcher)
    assert answer.kind == "definition"
    quotes = [p.quote for p in answer.points]
    # the guideline names each function in its example sheet's title, (1) to (5)
    assert len(quotes) == 5 and all("号機能" in q for q in quotes), quotes
    assert quotes == sorted(quotes, key=lambda q: q[:3])
    assert {p.chunk_id for p in answer.points} <= {c.chunk_id for c in answer.citations}


@pytest.mark.parametrize(
    "question",
    [
        "在宅療養支援病院と在宅療養後方支援病院って、何が違うの？",
        # what each refers to asks what each means (it named 事例14 as a precedent)
        "在宅療養支援病院と在宅療養後方支援病院は、それぞれどのような病院を指すのか。",
    ],
)
def test_how_two_terms_differ_is_answered_by_the_footnotes_that_define_them(
    question: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition"
    assert [p.chunk_id for p in answer.points] == [
        "guideline-2025:footnote:18",
        "guideline-2025:footnote:19",
    ]
    assert answer.points[0].quote.startswith("24時間体制で往診")
    assert "「在宅療養支援病院」" in answer.points[0].label  # the quote alone does not say which
    assert {p.chunk_id for p in answer.points} <= {c.chunk_id for c in answer.citations}


def test_a_count_naming_no_area_says_so_and_quotes_the_definition(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    question = (
        "管内に在宅療養支援病院がいくつあるか調べたい。そもそも、どういう病院がそう呼ばれるの？"
    )
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.headline.startswith("質問に地域の名前がないため")  # not 「報告データにない地域」
    assert [p.chunk_id for p in answer.points] == ["guideline-2025:footnote:18"]


def test_a_procedure_question_quotes_the_guideline(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "かかりつけ医機能報告の年間スケジュールは？", None, drafting_data, drafting_searcher
    )
    assert answer.kind == "definition" and answer.points
    for point in answer.points:  # the sentence closest to it, then the year item by item
        assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text
        assert not drafting_searcher.store.by_id[point.chunk_id].locator.case_id


def test_a_question_asking_when_quotes_the_sentence_that_states_the_time(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "医療機関がかかりつけ医機能を県に報告するのは何月ごろ？",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.kind == "definition" and answer.points
    point = answer.points[0]
    assert "月" in point.quote and point.quote in drafting_searcher.store.by_id[point.chunk_id].text
    assert not drafting_searcher.store.by_id[point.chunk_id].locator.case_id


@pytest.mark.parametrize(
    ("question", "when"),
    [
        ("かかりつけ医機能報告を受けた協議の場は毎年いつごろ開かれる？", "7月"),
        ("県が医療機関に報告を依頼するのはいつ？", "11月"),
        ("協議の場はいつ開くの？", "7月"),  # the schedule ranked ninth before WHEN_BOOST
        # the casebook's introduction shares more words, and states no time
        ("うちの診療所、かかりつけ医機能の報告っていつ出せばいいの？", "1月から3月"),
    ],
)
def test_asked_when_the_schedule_line_of_the_event_asked_about_is_quoted(
    question: str, when: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """Every line of the schedule states a time; the question's words say which one."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    assert when in answer.points[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "協議の場では、どういう順序で話を進めればいい？",
        "協議ってどういうステップで進めていけばいいの？毎回の流れが知りたい",
    ],
)
def test_asked_for_the_steps_each_numbered_step_is_quoted_in_order(
    question: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """One sentence quoted either one step or the opener that lists none of them."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition"
    quotes = [p.quote for p in answer.points]
    assert "以下の①" in quotes[0]  # the opener says the steps repeat for each issue
    assert [q[0] for q in quotes[1:]] == list("①②③④⑤⑥")
    # a step runs to the next: ⑤'s second sentence is part of it
    assert quotes[5].endswith("取組の優先順位等を検討。")
    for p in answer.points:
        assert p.quote in drafting_searcher.store.by_id[p.chunk_id].text
    assert {c.quote for c in answer.citations} == set(quotes)
    # the document is named once over its quotes (in the minutes and the CLI)
    assert answer.answer_text.count(answer.points[0].label) == 1
    assert all(f"・「{q}」" in answer.answer_text for q in quotes)


@pytest.mark.parametrize(
    ("question", "items", "last"),
    [
        ("在宅医療の連携の拠点の要件は？", 5, "普及啓発を実施すること"),
        ("連携の拠点が果たす役割を全部教えて", 5, "普及啓発を実施すること"),
        ("積極的役割を担う医療機関に求められることは？", 6, "急変した際の受入れを行うこと"),
    ],
)
def test_asked_what_is_required_the_list_under_its_heading_is_quoted_item_by_item(
    question: str, items: int, last: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """One sentence quoted 「拠点を医療計画に位置付ける際には…重要である。」, which lists none."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and len(answer.points) == items
    assert len({p.chunk_id for p in answer.points}) == 1  # one list, in its order
    text = drafting_searcher.store.by_id[answer.points[0].chunk_id].text
    assert [text.index(p.quote) for p in answer.points] == sorted(
        text.index(p.quote) for p in answer.points
    )
    assert answer.points[-1].quote.endswith(last)


def test_a_question_about_one_requirement_is_not_answered_with_the_whole_list(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "積極的役割を担う医療機関は、家族の負担を軽くすることも求められているの？",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.kind == "definition" and len(answer.points) == 1


def test_asked_about_one_item_of_a_list_only_that_item_is_quoted(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "在宅医療で中心的な役割を担う医療機関は、災害への備えとして何を求められているか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert [p.quote[:5] for p in answer.points] == ["災害時等に"]


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # 「取組」 asks for precedents, 「としているか」 what a document says: the best passage
        # (大阪府's own paper) decides; a survey answer of 大阪府 was quoted as a precedent
        (
            "大阪府では在宅医療の圏域をどの広さで設定していて、身近な取組はどの単位で進めるとしているか",
            "二次医療圏単位",
        ),
        # 「挙げられている」 asks what the guideline's example sheet lists: its 方策, not its 課題
        # (the guideline's own, 「方策1:…」, not the 新居浜・西条 paper's copy, 「【方策①】…」)
        (
            "家で療養中の高齢者が急変したときに入院先がすぐ見つからない問題について、協議の場で取れる対策としてどんなものが挙げられているか",
            "方策1:",
        ),
        # 「医療機関は」 names whom the rule binds; a survey answer of 奈良県 was quoted
        ("かかりつけ医機能報告って、医療機関は何月に出すんだっけ？", "1月から3月"),
    ],
)
def test_a_question_about_what_a_document_says_is_answered_by_it(
    question: str, said: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and said in answer.points[0].quote


def test_an_example_sheets_cross_reference_is_not_quoted_as_a_measure(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "自宅療養中の高齢者が急に悪くなったときの入院先を確保し、退院の調整もスムーズにするために、どのような対策が協議の例として示されていますか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert len(answer.points) >= 3
    assert not [p.quote for p in answer.points if "参照" in p.quote]  # 「(事例集 P.16 …参照)」


def test_keywords_naming_an_example_sheets_field_are_answered_by_the_sheet(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(
        "入退院支援 後方支援病床 空床情報 共有 方策", None, drafting_data, drafting_searcher
    )
    assert answer.kind == "definition"
    assert any("空床情報" in p.quote and "方策" in p.quote for p in answer.points)


def test_asked_what_a_prefectures_offices_did_its_own_paper_answers(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """福井県's reorganisation is told by a slide; its survey answer (on publicity) is not what
    its offices did, and was named as the precedent."""
    question = "福井県では、医療を担当する課と介護を担当する課が協力しやすくなるよう、県庁の中でどんな工夫をしたの？"
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    assert {p.group for p in answer.points} == {"zaitaku-renkei-slides"}
    assert "回答" not in answer.headline


@pytest.mark.parametrize(
    "question",
    [
        "福井県は医療部門と介護部門の連携を物理的にも近づけるために組織上どのような工夫をしたか。",
        "医療担当の課と介護担当の課がうまく連携できるよう、福井県は組織や事業の所管をどう見直したのか",
    ],
)
def test_asked_what_a_named_prefecture_did_its_own_paper_answers_before_a_case_there(
    question: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「福井県は…」 names a place, not 自治体 in general; 福井県's slides found first answer,
    not 事例12 (a 福井県 clinic's training) found next to them."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    assert {p.group for p in answer.points} == {"zaitaku-renkei-slides"}
    assert "事例12" not in answer.headline
    # not the slide's title (「福井県の…所管と分掌の経過」) but what it says was done
    assert "。" in answer.points[0].quote, answer.points[0].quote


def test_a_case_is_quoted_by_the_sentence_under_a_section_title_not_the_title(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """A section title (「① 急性期病院からの退院時支援として…取組実施」) repeats the question's
    words; the sentences under it say what was done."""
    q = "急性期病院での治療を終えた高齢患者を地域の中小病院が引き受け、在宅復帰までつないでいる取組事例"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    store = drafting_searcher.store
    for p in answer.points:
        text = store.by_id[p.chunk_id].text
        assert f"\n\n{p.quote}\n\n" not in f"\n\n{text}\n\n" or "。" in p.quote, p.quote


def test_a_survey_answer_is_quoted_whole_with_its_reason(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """宮城県 says it ended the programme, then why: asked why, the answer shows both."""
    q = "在宅医療をするかかりつけ医への補助金をやめた自治体はある？やめた理由は？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.points
    first = answer.points[0]
    assert first.label.startswith("宮城県")
    assert "既に終了している。" in first.quote and "検証が困難であった" in first.quote
    assert first.quote in drafting_searcher.store.by_id[first.chunk_id].text
    assert {c.quote for c in answer.citations} >= {first.quote}


def test_asked_what_governments_answered_their_answers_are_named_not_the_surveys_outline(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """The survey's outline lists its own questions (「②…違いがあると認識していますか。」):
    a question is no answer, and the respondents' answers say who takes the role."""
    q = "診療所の少ない町村部やへき地では、誰がかかりつけ医の役割を担っていると自治体は認識しているか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    assert all("（衛生部長会調査の回答）" in p.label for p in answer.points)
    assert not [p.quote for p in answer.points if p.quote.endswith("か。")]


def test_asked_how_named_prefectures_explain_something_their_answers_are_named(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「位置づけ」 asks what a document says, but 北海道 and 奈良県 said it in their answers;
    both are named."""
    q = "都市部と町村部でかかりつけ医の役割に差があるかについて、北海道と奈良県は病院の位置づけをどう説明しているのか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    assert {p.label for p in answer.points} == {  # each place compared, though 北海道 scored less
        "北海道（衛生部長会調査の回答）",
        "奈良県（衛生部長会調査の回答）",
    }


def test_a_place_doing_something_is_asked_as_a_precedent(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "患者の自宅に紙の記録を置いている地域では、その記録を誰がどの部分を記入する決まりになっているか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent"
    assert any("在宅カルテ" in p.quote for p in answer.points)


def test_a_sentence_pointing_ahead_to_a_list_is_not_the_answer(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「協議課題ごとに、以下の①~⑥を繰り返しながら…」 says nothing without the list under it;
    asked who decides the area, the council paper's sentence saying so is quoted."""
    q = "かかりつけ医機能の話し合いをする範囲（エリア）は、誰がどうやって決めるの？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "definition" and answer.points
    assert "以下の" not in answer.points[0].quote
    assert "圏域" in answer.points[0].quote and "決定" in answer.points[0].quote


def test_a_sentence_announcing_a_list_is_answered_by_the_item_that_answers(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """事例18's 「具体的な支援業務は以下の通りであり…」 announces the list; the item under it
    says what the 医師会 does for its members."""
    q = "医師会の相談窓口は、在宅をやっている会員医師の代わりにどんな事務を引き受けている？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    first = answer.points[0]
    assert first.label.startswith("事例18") and "以下の" not in first.quote
    assert first.quote.endswith("を実施。"), first.quote
    assert first.quote in drafting_searcher.store.by_id[first.chunk_id].text


def test_an_answer_listing_items_on_one_line_is_quoted_by_the_item_asked_about(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """名古屋市's survey answer lists its spending as 「○…(603,328円):… ○…」 on one line with
    no 。: too long to quote whole, each item is quoted alone."""
    q = "名古屋市は地下鉄の駅にポスターを貼るのにいくら使った？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    first = answer.points[0]
    assert first.quote.startswith("地下鉄駅でポスターを掲示") and "円" in first.quote
    assert "○" not in first.quote
    assert first.quote in drafting_searcher.store.by_id[first.chunk_id].text


def test_a_precedent_is_quoted_by_what_it_did_not_by_the_situation_before(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "急性期病院を退院して自宅に戻った直後の高齢者を、病院が支えている取組"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and answer.points
    assert not [p.quote for p in answer.points if p.quote.endswith("根強くあった。")]


def test_numbered_lines_that_are_not_steps_in_order_are_not_a_list() -> None:
    from facilitator.text import step_lines

    caption = [
        "①在宅医療の圏域 (二次医療圏)",
        "②在宅医療の連携の拠点 (例) 市町村単位",
        "③積極的役割を",
    ]
    assert step_lines(caption) == []  # 「③積極的役割を」 is a caption, too short to be a step
    steps = [
        "以下の①~③を行う。",
        "① 現状を把握して共有する",
        "② 課題を議論する",
        "③ 方策と役割分担を決める",
    ]
    assert step_lines(steps) == [1, 2, 3]
    assert step_lines([steps[1], steps[3], steps[2]]) == []  # out of order
    questionnaire = [  # the survey's questions (「一年の流れで教えて」 is no call for them)
        "質問紙には以下質問項目の記入欄を設定:",
        "①かかりつけ医機能の強化について具体的な取組をこれまで行ったことはありますか？",
        "②都市部、町村部でかかりつけ医機能について違いがあると認識していますか？",
        "③上手な医療のかかり方の普及啓発をどのように行っていますか？",
    ]
    assert step_lines(questionnaire) == []


def test_asked_at_what_hours_a_precedent_is_quoted_by_its_sentence_stating_them(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    q = "秋田県の夜間の子ども向け電話相談は、何時から何時まで、誰に任せて運営しているか"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.kind == "precedent" and "19:00" in answer.points[0].quote


def test_a_problem_stated_is_answered_with_precedents_a_question_by_the_document(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """Both find the guideline's example sheet first; only the stated problem asks what others
    did (a question with no precedent word asks what the document says)."""
    stated = ask("医師の高齢化で当番が組めない", None, drafting_data, drafting_searcher)
    assert stated.kind == "precedent"
    assert any(drafting_searcher.store.by_id[p.chunk_id].locator.case_id for p in stated.points)
    asked = ask(
        "協議の場で検討した結果は、いつ公表するの？", None, drafting_data, drafting_searcher
    )
    assert asked.kind == "definition" and asked.points
    assert not drafting_searcher.store.by_id[asked.points[0].chunk_id].locator.case_id
    # the council paper found first says only that results are published; the guideline's
    # schedule, found lower, says when
    assert "12月" in asked.points[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "かかりつけ医機能報告の年間スケジュールは？医療機関はいつ報告して、協議の場はいつ開く？",
        "在宅で急変した人の受け入れ先が見つからない。ガイドラインの例ではどんな原因が挙がっている？",
    ],
)
def test_a_procedure_asked_with_precedent_words_is_quoted_when_no_case_is_found(
    question: str, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「医療機関は」「例では」 read as asking what others did; the passages found are the
    guideline's, so they are quoted instead of claiming nothing was found."""
    answer = ask(question, None, drafting_data, drafting_searcher)
    assert answer.confident and answer.kind == "definition" and answer.points
    assert "見つかりませんでした" not in answer.headline
    for point in answer.points:
        assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text


def test_a_near_domain_question_says_what_the_material_lacks_and_answers_nothing(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask("往診の深夜加算は何点？", None, drafting_data, drafting_searcher)
    assert answer.kind == "unanswered" and not answer.confident
    assert answer.missing and not answer.points and not answer.citations
    assert "見つかりませんでした" in answer.headline


def test_citations_are_verified_passages_that_were_retrieved(
    night: Answer, drafting_searcher: Searcher
) -> None:
    retrieved = {p.chunk_id for g in night.groups for p in g.passages}
    assert night.citations
    for c in night.citations:
        assert c.verified and c.chunk_id in retrieved
        assert c.quote in drafting_searcher.store.by_id[c.chunk_id].text


def test_unanswerable_question_says_nothing_was_found(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    answer = ask(OFF_TOPIC, None, drafting_data, drafting_searcher)
    assert not answer.confident and answer.kind == "unanswered"
    assert "この質問に答える記述が見つかりませんでした" in answer.answer_text
    assert not answer.points and not answer.citations


def test_filters_apply(drafting_data: Settings, drafting_searcher: Searcher) -> None:
    answer = ask(
        "在宅での看取りを支える取組",
        SearchFilters(theme="zaitaku"),
        drafting_data,
        drafting_searcher,
    )
    store = drafting_searcher.store
    assert answer.filters == {"themes": "zaitaku"}
    assert all(
        "zaitaku" in store.by_id[p.chunk_id].metadata["themes"]
        for g in answer.groups
        for p in g.passages
    )


@pytest.mark.parametrize("question", ["", "   ", "\u3000"])
def test_empty_question_is_refused_in_japanese(
    drafting_data: Settings, drafting_searcher: Searcher, question: str
) -> None:
    with pytest.raises(InputError, match="質問が空です"):
        ask(question, None, drafting_data, drafting_searcher)


def test_llm_without_a_model_tells_how_to_configure(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    with pytest.raises(InputError, match="FACILITATOR_LLM_MODEL"):
        ask(NIGHT, None, drafting_data, drafting_searcher, use_llm=True)


# ------------------------------------------------------------------------ LLM answers


def _llm(settings: Settings) -> Settings:
    return settings.model_copy(update={"llm_model": "fake:model"})


def test_llm_answer_keeps_only_verified_citations(
    monkeypatch: pytest.MonkeyPatch, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    from facilitator.drafting import answer as answering

    def fake(question, hits, settings, model=None, chunks=None):
        good = Citation(chunk_id=hits[0].chunk_id, quote=hits[0].highlights[0], verified=True)
        bad = Citation(chunk_id=hits[1].chunk_id, quote="この文は資料にありません。", verified=True)
        return answering.LLMAnswer(
            text="輪番制の当番診療所で対応しています。", citations=[good, bad], messages=[]
        )

    monkeypatch.setattr(answering, "answer_question", fake)
    answer = ask(NIGHT, None, _llm(drafting_data), drafting_searcher, use_llm=True)
    assert answer.mode == "llm" and answer.answer_text.startswith("輪番制")
    assert len(answer.citations) == 1 and answer.citations[0].verified
    assert any("検証できない引用" in m for m in answer.messages)
    assert answer.groups  # the passages are still shown


@pytest.mark.parametrize("failure", ["error", "no-citation"])
def test_unusable_llm_answer_falls_back_to_the_passages(
    monkeypatch: pytest.MonkeyPatch,
    drafting_data: Settings,
    drafting_searcher: Searcher,
    failure: str,
) -> None:
    from facilitator.drafting import answer as answering

    def fake(question, hits, settings, model=None, chunks=None):
        if failure == "error":
            raise FacilitatorError("LLM サーバーに接続できません")
        return answering.LLMAnswer(text="根拠のない回答", citations=[], messages=[])

    monkeypatch.setattr(answering, "answer_question", fake)
    answer = ask(NIGHT, None, _llm(drafting_data), drafting_searcher, use_llm=True)
    assert answer.mode == "llm-fallback"
    assert answer.answer_text.startswith("近い取組が")
    assert any("そのまま示します" in m for m in answer.messages)


def test_llm_is_not_asked_when_nothing_answers(
    monkeypatch: pytest.MonkeyPatch, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    from facilitator.drafting import answer as answering

    def fake(*args, **kwargs):
        raise AssertionError("the LLM must not be called")

    monkeypatch.setattr(answering, "answer_question", fake)
    answer = ask(OFF_TOPIC, None, _llm(drafting_data), drafting_searcher, use_llm=True)
    assert answer.mode == "llm-fallback" and not answer.confident
    assert "見つかりませんでした" in answer.answer_text


def test_a_passage_repeated_in_another_document_is_shown_once(
    night: Answer, drafting_searcher: Searcher
) -> None:
    """The 新居浜・西条 material repeats the guideline's example sheets; show each once."""
    store = drafting_searcher.store
    shown = [p for g in night.groups for p in g.passages]
    repeated = [p for p in shown if p.also_in]
    assert repeated, "the night-duty question retrieves both copies of the 時間外 example sheet"
    for p in repeated:
        for where in p.also_in:
            twin = next(c for c in store.chunks if f"{c.doc_title} {c.locator.label()}" == where)
            assert twin.chunk_id not in {q.chunk_id for q in shown}
            assert twin.doc_id != store.by_id[p.chunk_id].doc_id


def test_copies_count_as_the_same_text_and_different_passages_do_not() -> None:
    from facilitator.text import same_text

    assert same_text(
        "【方策①】時間外診療を行うための連携体制を見える化し、検討の機会を設ける。",
        "方策1:時間外診療を行うための連携体制を見る化し、検討の機会を設ける。",
    )
    assert same_text("在宅医療の実地研修を実施する。", "在宅医療の実地研修を実施する。\n✓ 同行訪問")
    assert not same_text(
        "在宅医療の実地研修を実施する", "在宅医療を担う医療機関同士の連携体制を構築する"
    )


def test_an_llm_answer_naming_a_case_it_does_not_cite_is_not_shown(
    monkeypatch: pytest.MonkeyPatch, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    from facilitator.drafting import answer as answering

    def fake(question, hits, settings, model=None, chunks=None):
        cited = next(h for h in hits if h.case_id and h.highlights)
        cases = [c.case_id for c in drafting_searcher.store.cases]
        other = next(c for c in cases if c != cited.case_id)  # a case it does not cite
        quote = Citation(chunk_id=cited.chunk_id, quote=cited.highlights[0], verified=True)
        return answering.LLMAnswer(
            text=f"{other}では輪番制で対応しています。", citations=[quote], messages=[]
        )

    monkeypatch.setattr(answering, "answer_question", fake)
    answer = ask(NIGHT, None, _llm(drafting_data), drafting_searcher, use_llm=True)
    assert answer.mode == "llm-fallback"
    assert any("引用のない事例" in m for m in answer.messages)
    assert answer.answer_text.startswith("近い取組が")  # the extractive answer instead


def test_a_question_about_a_place_is_answered_from_that_places_material(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    everywhere = drafting_searcher.search("大阪府ではどんな取組をしている？", k=8)
    assert any("大阪" not in h.text + h.doc_title for h in everywhere.hits)  # others come up
    answer = ask("大阪府ではどんな取組をしている？", None, drafting_data, drafting_searcher)
    assert answer.confident and answer.groups
    for group in answer.groups:
        for p in group.passages:
            chunk = drafting_searcher.store.by_id[p.chunk_id]
            # 堺市's survey answer is 大阪府's material too: its prefecture is in its metadata
            where = chunk.text + p.doc_title + group.label + chunk.metadata.get("prefecture", "")
            assert "大阪" in where
    assert "大阪府" in answer.headline


def test_a_heading_is_not_quoted_as_what_a_passage_says(
    night: Answer, drafting_searcher: Searcher
) -> None:
    from facilitator.sheets.citations import MIN_QUOTE_CHARS
    from facilitator.text import sentences

    for group in night.groups:
        for p in group.passages:
            headings = [s for s in p.sentences if s in p.locator]
            if headings:  # only for a passage that says nothing else
                text = drafting_searcher.store.by_id[p.chunk_id].text
                said = [s for s in sentences(text) if s not in p.locator]
                assert not [s for s in said if len(s) >= MIN_QUOTE_CHARS], headings


def test_what_residents_ask_is_answered_by_the_survey_answers_as_answers(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """「県や市に…問い合わせてくるのは」 asks what prefectures and cities are asked: their survey
    answers to ④ answer it, and nobody 「取り組んでいます」 an inquiry."""
    answer = ask(
        "住民が県や市に病院のかかり方について問い合わせてくるのは、どんな内容が多いの？",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.kind == "precedent" and answer.points
    assert all(p.group.startswith("survey:") for p in answer.points)
    assert (
        answer.headline.startswith("多くの回答に共通する内容を")
        and "取り組んで" not in answer.headline
    )
    assert "何科" in answer.points[0].quote or "夜間" in answer.points[0].quote  # common ones
    said = " ".join(p.quote for p in answer.points)
    assert ("何科" in said or "診療科" in said) and "夜間" in said  # both common themes
    answer = ask(
        "住民からの問い合わせでセカンドオピニオンの相談を受けた自治体は？",
        None,
        drafting_data,
        drafting_searcher,
    )
    assert answer.headline.startswith("自治体の回答から")  # some of many answers, not "there are 2"
    answer = ask("かかりつけ医の研修をやっている県はある？", None, drafting_data, drafting_searcher)
    assert "取り組んでいます" in answer.headline  # a prefecture's programme is what it does


def test_asked_for_a_sum_the_answer_names_only_those_who_state_one(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """宮城県 and 北海道 answered what they do to spread 上手な医療のかかり方 without a sum;
    名古屋市 listed what each medium cost (「新聞広告の掲載（271,700円）」)."""
    q = "「上手な医療のかかり方」の宣伝って、実際いくらぐらいお金かけてるの？具体的な金額を出してる市ってある？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.confident
    assert [p.group for p in answer.points] == ["survey:名古屋市"]
    assert re.search(r"[\d,]+円", answer.points[0].quote)


def test_a_precedent_asked_of_a_place_is_quoted_by_what_answers_not_by_the_place(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    """Every sentence of 柏's case is 柏's: the place named does not choose among them (the
    sentence naming 柏地域医療連携センター was quoted for who comes first at night)."""
    q = "柏市みたいに在宅医療の仕組みができてる地域だと、夜中に母の具合が急に悪くなったとき、まず誰が家に来てくれるの？"
    answer = ask(q, None, drafting_data, drafting_searcher)
    assert answer.points[0].group == "事例17"
    assert "まずは訪問看護師が訪問し" in answer.points[0].quote


def test_asked_for_the_year_as_a_whole_the_schedule_is_quoted_item_by_item(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    question = "報告の提出から協議の場の開催、結果の公表まで、1年の流れはどうなっていますか。"
    answer = ask(question, None, drafting_data, drafting_searcher)
    quotes = [p.quote for p in answer.points]
    assert answer.kind == "definition"
    assert any(q.startswith("11月頃") for q in quotes), quotes  # from request to publication
    assert any("協議の場の開催" in q for q in quotes) and any("結果の公表" in q for q in quotes)
    for point in answer.points:
        assert point.quote in drafting_searcher.store.by_id[point.chunk_id].text
    # one time asked of the year: that line, not the whole year
    one = "協議の場の結果は、年間スケジュールのどの時期に公表することになっているか"
    answer = ask(one, None, drafting_data, drafting_searcher)
    assert not any(p.quote.startswith("11月頃") for p in answer.points)


def test_a_schedules_items_are_each_a_time_and_what_happens_then() -> None:
    from facilitator.text import schedule_items, sentences

    table = "年間サイクルのイメージ\n11月頃~ 定期報告依頼\n1月~3月 定期報告\n翌年度\n4~6月頃 集計・分析等\n"
    assert schedule_items(table, sentences(table)) == [
        "11月頃~ 定期報告依頼",
        "1月~3月 定期報告",
        "4~6月頃 集計・分析等",
    ]
    slide = "- 11月頃~\n定期報告依頼\n- 1~3月\n定期報告\n- 7月頃~\n協議の場の開催\n"
    assert schedule_items(slide, sentences(slide)) == [
        "- 11月頃~\n定期報告依頼",
        "- 1~3月\n定期報告",
        "- 7月頃~\n協議の場の開催",
    ]
    assert schedule_items("4月 公表\n", ["4月 公表"]) == []  # one date is no schedule
