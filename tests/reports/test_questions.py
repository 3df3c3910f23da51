"""Figure questions in a meeting, answered from the 架空県 sample: each test is one question.

Expected numbers are read from the store's own indicators and findings, never copied from an
answer, so the answer must agree with what the sheets and the 「地域の現状」 page say.
"""

from __future__ import annotations

import re

import pytest

from facilitator.errors import InputError
from facilitator.reports import findings_for, indicators_for, list_areas, load_dictionary
from facilitator.reports.items import header_key
from facilitator.reports.models import SYNTHETIC_LABEL, Indicator, format_value
from facilitator.reports.questions import (
    FigureAnswer,
    FigureMiss,
    answer_figure_question,
    parse_figure_question,
    targets,
    words,
)
from facilitator.settings import Settings

HOKUBU = "北部医療圏"


def ask(settings: Settings, question: str, **kw: object) -> FigureAnswer:
    answer = answer_figure_question(question, settings=settings, **kw)  # type: ignore[arg-type]
    assert isinstance(answer, FigureAnswer), answer
    return answer


def miss(settings: Settings, question: str, **kw: object) -> FigureMiss:
    answer = answer_figure_question(question, settings=settings, **kw)  # type: ignore[arg-type]
    assert isinstance(answer, FigureMiss), answer
    return answer


def indicator(settings: Settings, area: str, theme: str, metric: str) -> Indicator:
    (found,) = [i for i in indicators_for(area, theme, settings=settings) if i.metric == metric]
    return found


def test_24h_home_care_count_of_hokubu_is_the_findings_count(loaded: Settings) -> None:
    (finding,) = [
        f
        for f in findings_for(HOKUBU, "zaitaku", settings=loaded)
        if f.metric == "zaitaku.h24.per65"
    ]
    answer = ask(loaded, "北部医療圏で24時間体制の在宅医療を提供する医療機関は何施設？")
    assert answer.value_text == format_value(finding.count, "施設")
    assert answer.text.startswith(
        f"北部医療圏で在宅医療（24時間体制）を有する医療機関は{answer.value_text}"
    )
    assert (answer.area_name, answer.year) == (HOKUBU, finding.year)
    # the sentence names the area, so its provenance does not repeat it
    assert f"{HOKUBU}（二次医療圏）" in finding.provenance
    expected = finding.provenance.replace(f"・{HOKUBU}（二次医療圏）", "")
    assert answer.provenance == f"{expected}・{SYNTHETIC_LABEL}"
    assert f"（{answer.provenance}）" in answer.text
    assert f"N={finding.n}" in answer.text and "2026年報告" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "夜間も対応できる在宅の診療所はいくつ？",
        "24時間対応の在宅医療をしている医療機関は何か所？",
        "在宅で２４時間みてくれる医療機関の数は？",
    ],
)
def test_paraphrases_of_24h_home_care_use_the_meeting_area(loaded: Settings, question: str) -> None:
    count = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.h24")
    answer = ask(loaded, question, default_area=HOKUBU)
    assert answer.area_name == HOKUBU
    assert answer.value_text == format_value(count.value, "施設")
    assert "在宅医療（24時間体制）" in answer.item_label


def test_an_open_question_gives_the_count_and_adds_the_share(loaded: Settings) -> None:
    share = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.h24.share")
    answer = ask(loaded, "北部の24時間在宅はどのくらい？")
    assert answer.value_text == format_value(share.numerator, "施設")
    assert (
        f"1号機能を有する医療機関{share.denominator:.0f}施設の{format_value(share.value, '%')}"
        in answer.text
    )
    assert answer.comparison == f"県平均{format_value(share.prefecture_value, '%')}"


def test_a_share_question_names_its_denominator(loaded: Settings) -> None:
    share = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.h24.share")
    answer = ask(loaded, "北部医療圏で24時間体制の在宅医療を提供する医療機関の割合は？")
    assert answer.value_text == format_value(share.value, "%")
    assert answer.item_label.endswith("の割合")
    assert f"{share.denominator_label}{share.denominator:.0f}施設のうち" in answer.text
    assert answer.comparison == f"県平均{format_value(share.prefecture_value, '%')}"


def test_a_rate_per_population_names_the_population(loaded: Settings) -> None:
    rate = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.h24.per65")
    answer = ask(loaded, "北部医療圏の24時間在宅医療は65歳以上人口当たりどのくらい？")
    assert answer.value_text == format_value(rate.value, rate.unit)
    assert answer.value_text.endswith("（65歳以上人口1万人当たり）")
    assert f"65歳以上人口{rate.denominator:,.0f}人に対し" in answer.text


def test_a_municipality_and_a_full_width_percent(loaded: Settings) -> None:
    (finding,) = [
        f
        for f in findings_for("県都市", "jikangai", settings=loaded)
        if f.metric == "jikangai.yes.share"
    ]
    answer = ask(loaded, "県都市で時間外診療をしている医療機関の割合は何％？", default_area=HOKUBU)
    assert (answer.area_code, answer.area_name) == ("99201", "県都市")
    assert answer.value_text == format_value(finding.value, "%")
    assert finding.comparison and finding.comparison.relation_label in answer.text


def test_the_prefecture_as_a_whole(loaded: Settings) -> None:
    total = indicator(loaded, "架空県", "zaitaku", "item.g2ha_houmon.sum")
    answer = ask(loaded, "県全体で訪問診療の件数は？")
    assert answer.area_name == "架空県"
    assert answer.value_text == format_value(total.value, "件")
    assert answer.comparison is None  # the prefecture is its own reference


def test_counts_of_acts_and_institutions_doing_them_are_told_apart(loaded: Settings) -> None:
    acts = indicator(loaded, HOKUBU, "zaitaku", "item.g2ha_houmon.sum")
    doing = indicator(loaded, HOKUBU, "zaitaku", "item.g2ha_houmon.inst")
    assert ask(loaded, "北部医療圏の訪問診療は何件？").value_text == format_value(acts.value, "件")
    answer = ask(loaded, "北部医療圏で訪問診療をしている医療機関はいくつ？")
    assert answer.value_text == format_value(doing.value, "施設")


@pytest.mark.parametrize(
    ("question", "theme", "metric"),
    [
        (
            "北部医療圏で地域ケア会議に参加している医療機関は何施設？",
            "kaigo",
            "item.g2ni_care_kaigi.yes",
        ),
        ("北部医療圏でACPを実施している医療機関は何施設？", "kaigo", "item.g2ni_acp.yes"),
        ("北部医療圏の協力医療機関は何施設？", "kaigo", "item.g2ni_kyoryoku.yes"),
        ("北部医療圏で情報共有システムを使っている医療機関の数は？", "kaigo", "item.g2ni_ict.yes"),
        ("北部医療圏で研修修了者がいる医療機関は何施設？", "ichigo", "item.g1_kenshu.yes"),
        ("北部医療圏の総合診療専門医がいる医療機関は何施設？", "ichigo", "item.g1_sogo.yes"),
        ("北部医療圏の1号機能を有する医療機関は何施設？", "ichigo", "ichigo.yes"),
        ("北部医療圏で休日夜間に対応する医療機関は何施設？", "jikangai", "jikangai.yes"),
        ("北部医療圏の入退院支援をしている医療機関数は？", "nyutaiin", "nyutaiin.yes"),
        (
            "北部医療圏の後方支援病床を確保している医療機関は何か所？",
            "nyutaiin",
            "item.g2ro_koho.yes",
        ),
        ("北部医療圏で往診は何件？", "zaitaku", "item.g2ha_oushin.sum"),
        ("北部医療圏の在宅看取りの件数は？", "zaitaku", "item.g2ha_mitori.sum"),
        ("北部医療圏の訪問看護の件数は？", "zaitaku", "item.g2ha_kango.sum"),
    ],
)
def test_report_items_by_their_everyday_names(
    loaded: Settings, question: str, theme: str, metric: str
) -> None:
    expected = indicator(loaded, HOKUBU, theme, metric)
    answer = ask(loaded, question)
    assert answer.details["metrics"][0] == metric
    assert answer.value_text == format_value(expected.value, expected.unit)


def test_municipalities_without_24h_home_care_are_named(loaded: Settings) -> None:
    none = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.h24.none_areas")
    answer = ask(loaded, "北部医療圏で24時間の在宅医療がない市町村はいくつ？")
    assert answer.value_text == format_value(none.value, "市町村")
    assert none.detail and all(name in answer.text for name in none.detail)


def test_institutions_willing_to_start(loaded: Settings) -> None:
    willing = indicator(loaded, HOKUBU, "zaitaku", "zaitaku.willing")
    answer = ask(loaded, "北部医療圏で在宅医療の意向がある医療機関は何施設？")
    assert answer.value_text == format_value(willing.value, "施設")
    assert "「意向有り」" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "夜間の輪番が組めない地域で何をしている？",  # a precedent question
        "かかりつけ医機能報告の対象は？",  # a definition question
        "1号機能とは何ですか？",
        "訪問診療の件数はどう数える？",
        "24時間の在宅医療を増やした事例はいくつある？",
        "退院調整のルールづくりはどこで進んでいる？",
        "北部医療圏の課題はいくつ？",  # a count, but of nothing in the report
        "北部医療圏の在宅医療について教えて",
        "いくつかの病院がまとまって薬をまとめ買いしている例は？",  # 「いくつか」: some, not how many
        "在宅医療の病院が何施設も集まっている例はある？",
        "大阪府では在宅医療の体制をどのくらいの広さの地域単位で考えている？",  # an extent
    ],
)
def test_questions_for_search_are_not_figure_questions(loaded: Settings, question: str) -> None:
    assert answer_figure_question(question, settings=loaded, default_area=HOKUBU) is None


def test_an_unknown_area_is_named_with_the_areas_that_exist(loaded: Settings) -> None:
    answer = miss(loaded, "西部医療圏の24時間在宅は何施設？", default_area=HOKUBU)
    assert answer.reason == "area"
    assert "「西部医療圏」は読み込まれた地域にありません" in answer.message
    assert HOKUBU in answer.suggestions and HOKUBU in answer.message


def test_no_area_in_the_question_nor_the_meeting(loaded: Settings) -> None:
    answer = miss(loaded, "24時間在宅の医療機関はいくつ？")
    assert answer.reason == "area" and "地域が分かりませんでした" in answer.message


@pytest.mark.parametrize(
    ("question", "year"),
    [("2030年の北部医療圏の訪問診療の件数は？", None), ("北部医療圏の訪問診療の件数は？", 2025)],
)
def test_a_year_without_data(loaded: Settings, question: str, year: int | None) -> None:
    answer = miss(loaded, question, year=year)
    assert answer.reason == "year"
    assert f"{year or 2030}年の報告データは読み込まれていません" in answer.message
    assert "2026年" in answer.message and answer.suggestions == ["2026年"]


def test_nothing_loaded_yet(settings: Settings) -> None:
    answer = miss(settings, "北部医療圏の24時間在宅は何施設？")
    assert answer.reason == "data"
    # loading the report data would not answer an item it does not hold
    eye = miss(settings, "北部医療圏で眼科のある診療所はいくつ？")
    assert eye.reason == "item" and "読み込まれていません" not in eye.message
    assert (
        answer_figure_question("夜間の輪番が組めない地域で何をしている？", settings=settings)
        is None
    )


def test_a_sum_of_money_is_not_a_report_figure() -> None:
    """The report counts institutions and cases; a budget is for the material to state."""
    q = "大阪府の在宅医療体制強化事業について、予算額と1医療機関あたりの補助上限額はいくらか。"
    assert parse_figure_question(q, []) is None
    assert parse_figure_question("北部医療圏で24時間体制の在宅医療は何施設？", []) is not None


def test_an_unknown_item_names_items_that_can_be_asked(loaded: Settings) -> None:
    answer = miss(loaded, "北部医療圏で眼科のある診療所はいくつ？")
    assert answer.reason == "item"
    assert "在宅医療（24時間体制）" in answer.suggestions
    assert all(s in answer.message for s in answer.suggestions)


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_an_empty_question_is_an_input_error(loaded: Settings, question: str) -> None:
    with pytest.raises(InputError):
        answer_figure_question(question, settings=loaded)


def test_parse_recognises_area_and_item_without_the_store(loaded: Settings) -> None:
    areas = list_areas(settings=loaded)
    query = parse_figure_question("架空県北部医療圏の訪問診療は何件？", areas)
    assert query and query.area and query.target
    assert (query.area.name, query.target.key) == (HOKUBU, "訪問診療の実施件数")
    assert parse_figure_question("かかりつけ医機能報告の対象は？", areas) is None


def test_every_alias_and_example_names_an_item_of_the_form() -> None:
    """A typo in data/figure_words.yaml would silently drop a word; here it fails."""
    keys = {t.key for t in targets(load_dictionary().form_year)}
    assert set(words()["aliases"]) <= keys
    assert set(words()["examples"]) <= {header_key(k) for k in keys}


INTERNAL = re.compile(
    r"[a-z]+\.[a-z_0-9.]+|\b(ichigo|jikangai|nyutaiin|zaitaku|kaigo)\b|\d\.\d{2,}"
)


def test_nothing_internal_in_any_text(loaded: Settings) -> None:
    questions = [
        "北部医療圏の24時間在宅はどのくらい？",
        "北部医療圏の訪問診療はどのくらい？",
        "北部医療圏の往診は75歳以上人口当たり何件？",
        "県都市の時間外加算の件数は？",
        "奥沢村のACPの割合は？",
        "汐島村の後方支援病床を確保している医療機関は何か所？",
        "北部医療圏の総合診療専門医は何人？",
        "北部医療圏で地域ケア会議の意向有りは何施設？",
        "西部医療圏の在宅看取りの件数は？",
        "北部医療圏で眼科のある診療所はいくつ？",
        "2030年の北部医療圏の訪問診療の件数は？",
    ]
    item_ids = [it.id for it in load_dictionary().items]
    for question in questions:
        answer = answer_figure_question(question, settings=loaded)
        assert answer is not None, question
        if isinstance(answer, FigureAnswer):
            texts = [answer.text, answer.item_label, answer.value_text, answer.provenance]
            texts.append(answer.comparison or "")
        else:
            texts = [answer.message, *answer.suggestions]
        for text in texts:
            assert not INTERNAL.search(text), (question, text)
            assert not any(i in text for i in item_ids), (question, text)
