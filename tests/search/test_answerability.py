"""Near-domain questions: on the topic, yet the material does not state what they ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.search.answerability import at_places, missing
from facilitator.search.constraints import Constraint, named_places, question_constraints, unmet
from facilitator.search.hits import SearchHit
from facilitator.search.lexical import tokenize
from facilitator.search.searcher import Searcher
from facilitator.search.terms import (
    asked_things,
    stated_in,
    unheard_words,
    unknown_terms,
    unstated_things,
)
from facilitator.settings import Settings
from tests.support.chunks import case_chunk


@pytest.fixture(scope="module")
def searcher(built: Settings) -> Searcher:
    return Searcher(built)


def passages(*texts: str) -> list[SearchHit]:
    """Top passages of a document (not a case) with these texts, in this order."""
    return [
        SearchHit(chunk=case_chunk(f"c{i}", "", "", text, doc_id="guideline"), score=1.0)
        for i, text in enumerate(texts)
    ]


def values(question: str) -> list[Constraint]:
    """The kinds of value the question asks for."""
    return [c for c in question_constraints(question) if c.kind == "value"]


def the_value(question: str) -> Constraint:
    """The one kind of value the question asks for (unpacking fails if it asks none or two)."""
    (value,) = values(question)
    return value


def kinds(question: str) -> set[tuple[str, str]]:
    return {(c.kind, c.text) for c in question_constraints(question)}


def test_a_question_names_places_numbers_terms_and_the_value_it_wants() -> None:
    assert ("place", "高知県") in kinds("高知県の中山間地域で在宅医療を支えている事例は？")
    assert {("term", "加算"), ("value", "何点")} <= kinds("往診料の深夜加算は何点？")
    assert {("number", "2030年度"), ("term", "予算"), ("value", "いくら")} <= kinds(
        "大阪府の2030年度の在宅医療関連の予算額はいくら？"
    )
    # someone's own temperature: the material gives none, so it cannot advise on it
    assert ("number", "38度") in kinds("熱が38度あるけど、明日かかりつけ医に行けばいい？")
    assert ("number", "2024年度") in kinds("2024年度の報告はいつ？")


@pytest.mark.parametrize(
    "question",
    [
        "何週間も待たされないように病院同士で取り決めをしている例",  # many, not how many
        "「いつも同じ先生に来てほしい」と言われたときの工夫",  # always, not when
        "家族の評価をもとに医師の診療を点数化している例",  # scoring, not a fee
    ],
)
def test_everyday_uses_of_value_words_name_no_constraint(question: str) -> None:
    assert kinds(question) == set()


def test_one_meeting_of_a_series_is_not_dated_by_the_yearly_schedule() -> None:
    value = the_value("協議の場の第1回はいつ開かれた？")
    assert unmet([value], ["7月頃~ 協議の場の開催"]) == [value]
    value = the_value("協議の場はいつ開くの？")
    assert unmet([value], ["7月頃~ 協議の場の開催"]) == []  # 開く: the material's 開催


def test_an_adverb_or_a_side_does_not_make_an_unknown_compound() -> None:
    assert unknown_terms("退院直後が一番不安定な患者を支える例", ["退院直後は不安定になる"]) == []
    assert unknown_terms("医療機関側はいつ報告する？", ["医療機関の報告期間"]) == []
    assert asked_things("医療機関側はいつ報告する？") == []  # a side of someone generic
    assert asked_things("看護師の復職を支援している医療機関のグループはある？") == []  # who
    assert asked_things("在宅で診ている医療機関には、どんな取組例がありますか。") == []  # examples
    # who takes part, and what cannot be settled there: aspects, not things to find
    assert asked_things("入退院支援の話し合いには、どんな立場の人たちが参加する？") == []
    assert asked_things("圏域で片付かない問題はどう扱う？") == []
    # what things are sorted by, or what a training is on: an aspect of anything
    assert asked_things("課題管理シートの例は、どのテーマ別に用意されている？") == []
    assert asked_things("自治体はどのようなテーマの研修を実施していると回答していますか。") == []
    assert asked_things("自宅の記録に、誰がどの部分を記入する決まりになっているか") == []
    assert asked_things("退院直後のどの期間を特に重視しているか") == []
    assert asked_things("課題の共有から方策決定までどのような段階を踏むのか") == []  # steps
    assert asked_things("どの自治体がどういう枠組みで実施しているのですか。") == []  # how
    # whose: the place's own 医師会 (the material's 名古屋市医師会), no other kind of one
    assert unknown_terms("地元医師会と共同で広告を出した例", ["名古屋市医師会と共同で広告"]) == []
    # how many, not what kind: 「医師会が市町村域を超える広域の場合」 answers 「複数市町村」
    assert unknown_terms("医師会が複数市町村にまたがる場合", ["医師会が市町村域を超える広域"]) == []
    # 「…事業」「…対応」 are the work of what comes before; 「中山間地域」 is written 「中山間地」
    paid = "本事業は在宅患者の増加人数に応じて補助金を支給するものであった"
    assert unknown_terms("かかりつけ医への補助金事業をやめた県", [paid]) == []
    assert unknown_terms("夜間の在宅患者対応を代わりに担う例", [paid]) == []
    assert unknown_terms("中山間地域に医師を派遣する県", ["旧郡部(中山間地)に医師を派遣"]) == []
    assert unknown_terms("遠隔診療推進事業の予算", [paid]) == [
        "遠隔診療推進事業"
    ]  # no 遠隔診療推進
    assert unknown_terms("結局市町村のどこが責任を持つの？", ["市町村(介護保険部局)の責任"]) == []
    # 支援策 is what is asked for (support of any kind), not a thing to find by that word
    assert asked_things("大阪府はどんな支援策を用意しているか") == []
    # where to look, not a thing: the survey's answers
    assert asked_things("情報共有システムの導入を、県が支援しているという回答はありますか。") == []
    assert asked_things("課題整理をどの単位で行い、解決できない課題はどう扱う想定か") == []
    # 〜的 qualifies what is asked: 「どんな実利的なメリット」 asks for メリット (an aspect)
    assert asked_things("在宅医にとってどんな実利的なメリットを用意しているか") == []
    # the level something is done at: 医師会 is named, 医師会単位 is no term to find
    assert unknown_terms("代診の仕組みを医師会単位で作っている例", ["医師会が代診を調整"]) == []
    # between those named: 参加法人 is named, 参加法人間 is no term to find
    assert unknown_terms("参加法人間で職員を出向させる例", ["参加法人の職員が出向する"]) == []
    # when: 自宅療養 is named, 自宅療養中 is no term to find
    assert unknown_terms("自宅療養中の高齢者が急変した時の入院先", ["自宅療養の高齢者"]) == []
    # on the verge of: 医療崩壊寸前 is 医療崩壊, named by the material
    assert unknown_terms("医療崩壊寸前になった地域", ["医療崩壊の危機にあった地域"]) == []


def test_what_a_clause_says_exists_is_not_what_is_asked() -> None:
    q = "訪問診療に関心はあるものの踏み出せない医師に、どのような後押しが考えられている？"
    assert asked_things(q) == []  # 後押し and 手立て are what any measure is
    assert asked_things("補助金はあるの？") == ["補助金"]
    assert asked_things("研修の機会はあるけど参加できない医師への手立ては？") == []
    assert asked_things("急変への対応に不安がある医師を後押しする手立ては？") == []  # qualifies
    assert asked_things("受診できない背景として、どのような要因が示されている？") == []


def test_a_document_cited_by_its_subject_must_be_in_the_material() -> None:
    q = "オンライン診療の指針では、初診からオンラインで診ることは認められているのか"
    assert unknown_terms(q, ["オンライン診療の実施", "国の指針では"]) == ["オンライン診療指針"]
    assert unknown_terms(q, ["オンライン診療の指針に基づき"]) == []
    # the publisher is no subject; a manual a case made is the casebook's, in its own words
    assert unknown_terms("国の指針では連携の拠点に何を求めている？", ["拠点"]) == []
    assert unknown_terms("市と協働して災害時の医療マニュアルを作った例", ["対応マニュアル"]) == []
    assert unknown_terms("入退院支援の手引きで情報を引き継ぐ例", ["入退院支援ルール"]) == []


def test_a_compound_given_as_an_example_need_not_be_named() -> None:
    passages = ["災害等が発生した際の医療提供体制", "医療的ケア児の在宅医療"]
    assert unknown_terms("大規模災害のような非常時に病院はどう動いた？", passages) == []
    assert unknown_terms("人工呼吸器などが必要な子どもを診る例", passages) == []
    # named as what is asked, it must be stated
    assert unknown_terms("人工呼吸器の貸し出しをしている例", passages) == ["人工呼吸器"]


@pytest.mark.parametrize(
    "question",
    [
        "会議ではどういう順序で議論を進めればいい？",  # an aspect, as 順番
        "他県はどこに委託している？",  # who answers: any respondent
        "在宅医療の需要はどの程度増える見込み？",  # how much: a value, not a thing
        "どの範囲で協議する？",
        "急変時の対応経験がない医師に、ガイドラインはどんな手当てを例示している？",  # a remedy
        "交代制にした診療所は、患者からどんな戸惑いの声を受けた？",  # a reaction, as 反応
        "協議の場では、どのような手順で議論を進める？",  # an aspect, as 進め方
        "協議の例では、どういう場面で歯科との連携が挙がっている？",  # when: any situation told
    ],
)
def test_aspects_and_respondents_are_not_things_asked_about(question: str) -> None:
    assert asked_things(question) == []


def test_an_amount_named_and_asked_how_much_wants_a_sum_of_money() -> None:
    q = "ネットワークの年間の運営費と、参加する医療機関が払う負担金はどれくらい？"
    assert ("value", "負担金") in kinds(q)
    (value,) = question_constraints("ネットワークの運営費を知りたい")
    assert unmet([value], ["ネットワークの運営費は年間300万円。"]) == []
    assert unmet([value], ["ネットワークの運営費は補助金で賄う。"]) == [value]
    assert ("value", "費用") in kinds("ネットワークの維持に年間どのくらい費用がかかる？")
    # whether, not how much: said free or what it costs, no sum needed
    (whether,) = question_constraints("閲覧だけの医療機関は、参加費がかかる？")
    assert unmet([whether], ["閲覧だけの医療機関の参加費は無料。"]) == []


def test_an_ordinary_question_about_practice_names_no_constraint() -> None:
    assert kinds("夜間の輪番が組めない地域で何をしている？") == set()
    assert kinds("複数の医療機関で夜中も往診できる体制の費用を補助する仕組みは？") == set()


def test_a_city_is_met_by_its_name_without_the_suffix() -> None:
    (place,) = [c for c in question_constraints("松本市の病院の取組は？") if c.kind == "place"]
    assert unmet([place], ["長野県松本で病院が輪番を組む"]) == []
    assert unmet([place], ["長野県で病院が輪番を組む"]) == [place]


def test_a_value_is_met_only_by_a_number_of_its_kind() -> None:
    value = the_value("往診料は何点？")
    assert unmet([value], ["往診料は720点である"]) == []
    assert unmet([value], ["往診料の点数が改定された"]) == [value]


def test_a_number_must_stand_next_to_what_the_question_counts() -> None:
    (value,) = question_constraints("介護支援専門員の法定研修は何時間受ける必要がある？")
    assert value.text == "何時間"
    assert unmet([value], ["24時間体制で往診を行う。"]) == [value]  # a number, about else
    assert unmet([value], ["法定研修は合計88時間の研修である。"]) == []


def test_an_average_must_be_stated_as_one() -> None:
    constraints = question_constraints("在宅医療をしている医師の平均年齢はいくつ？")
    assert unmet(constraints, ["在宅医療に参加している医師は62人である。"])
    assert unmet(constraints, ["在宅医療をしている医師の平均年齢は58歳である。"]) == []


def test_a_national_figure_is_not_answered_by_a_local_one() -> None:
    (count,) = question_constraints("訪問看護ステーションは全国にいくつある？")
    assert unmet([count], ["柏市の訪問看護ステーションは12か所ある。"]) == [count]
    assert unmet([count], ["全国の訪問看護ステーションは約15,000か所ある。"]) == []


def test_an_ordinal_or_a_credit_line_is_not_the_count_or_date_asked() -> None:
    question = "協議の場は今年度に何回、いつ頃開かれる予定ですか。"
    count = next(c for c in question_constraints(question) if c.text == "何回")
    when = next(c for c in question_constraints(question) if c.text == "いつ")
    credit = "出典:令和6年5月24日 第5回かかりつけ医機能が発揮される制度の施行に関する分科会資料"
    # the meeting a slide was shown at: neither how often the council meets nor when
    assert unmet([count, when], [credit]) == [count, when]
    assert unmet([count], ["協議の場は今年度に2回開催する予定である。"]) == []


def test_how_many_of_whatever_is_counted_wants_a_number() -> None:
    count = the_value("在宅カルテは、いまどれくらいの数の患者さん宅で使われているのでしょうか。")
    assert unmet([count], ["在宅カルテは患者さん宅に保管される紙媒体で、多職種が記入する。"])
    assert unmet([count], ["在宅カルテは現在約300人の患者さん宅で使われている。"]) == []
    kinds_of = the_value("1号機能では、何種類の疾患について報告するのですか。")
    assert unmet([kinds_of], ["1号機能では、40種類の疾患について報告する。"]) == []


@pytest.mark.parametrize(
    "question",
    [
        "住民から県に来る「どこの病院にかかればいいの」っていう問い合わせって、どんな内容が多いんですか？",
        "住民からよく来る問い合わせって、『夜に開いてる病院はどこ』みたいな話が多いの？",
    ],
)
def test_a_question_someone_else_asks_is_quoted_not_asked(question: str) -> None:
    assert not values(question)


def test_a_condition_laid_down_on_the_subject_asked_states_one() -> None:
    question = "連携の拠点を中心とした地域の設定にはどのような条件を付しているのか"
    laid_down = (
        "「連携の拠点」の地域設定にあたっては、必ず1つ以上の「積極的医療機関」を含むものとする"
    )
    assert unstated_things(question, [laid_down]) == []
    # laid down, but on another subject: no condition of the one asked
    other = "診療所及び病院についても、地域における在宅医療に必要な役割を担うこととする"
    assert unstated_things("近所の薬局がかかりつけ薬局を名乗る条件は？", [other]) == ["条件"]


def test_asked_whether_an_outcome_fell_wants_a_fall_stated() -> None:
    fell = the_value(
        "ガイドブックを配ったあと、夜中に子どもを救急に連れてくる人って実際に減ったの？"
    )
    done = "子どもの救急ガイドブックを作成し、保護者に配布している。"
    assert unmet([fell], [done]) == [fell]
    assert unmet([fell], ["ガイドブックの配布後、夜間の小児救急の受診が減少した。"]) == []


def test_a_minimum_laid_down_or_a_circled_label_is_not_how_many_there_are() -> None:
    how_many = the_value("大阪府では、積極的役割を担う医療機関は今いくつ決められているんですか。")
    rule = "在宅医療の圏域に1つ以上の積極的役割を担う医療機関を位置づける"
    labels = "②在宅医療において積極的役割を担う医療機関に求められる事項"
    assert unmet([how_many], [rule, labels]) == [how_many]
    assert unmet([how_many], ["積極的役割を担う医療機関として府内で120か所を位置づけた"]) == []
    # asked for the minimum, the rule is the answer
    least = the_value("積極的役割を担う医療機関を最低いくつ入れることにしているか")
    assert unmet([least], [rule]) == []


def test_a_time_is_not_a_count() -> None:
    (count,) = question_constraints("訪問看護ステーションはいくつある？")
    assert unmet([count], ["訪問看護ステーションは24時間体制をとっている。"]) == [count]
    assert unmet([count], ["市内の訪問看護ステーションは12か所ある。"]) == []


def test_asked_whether_it_is_free_or_who_pays_wants_a_cost() -> None:
    free = the_value("在宅相談ステーションって、相談はタダ？")
    assert unmet([free], ["在宅相談ステーションで電話相談を受け付けている。"]) == [free]
    assert unmet([free], ["在宅相談ステーションの相談は無料である。"]) == []
    typed = the_value("くらげ方式 豊田加茂医師会 参加医療機関 費用負担")
    assert typed.text == "費用負担"
    assert unmet([typed], ["くらげ方式は参加医療機関の連携を医師会が支援する。"]) == [typed]


def test_a_facility_asked_by_name_wants_one_named() -> None:
    for question in (
        "相澤病院が書面で連携している3か所の慢性期病院は、それぞれ何という病院か？",
        "相澤病院が書面で連携している近隣の慢性期病院3か所は、具体的にどこの病院か。",
    ):
        name = the_value(question)
        # the kind of hospital is no name
        assert unmet([name], ["相澤病院は近隣の慢性期病院3か所と書面で連携している。"]) == [name]
        assert unmet([name], ["相澤病院は慢性期病院の医療法人○○会と書面で連携している。"]) == []


def test_a_name_typed_as_the_last_search_word_wants_one_named() -> None:
    hospital = the_value("新居浜 西条 二次救急 輪番 病院名")
    assert unmet([hospital], ["新居浜・西条で二次救急の輪番を組んでいる。"]) == [hospital]
    site = the_value("かかりつけ医機能報告 公表 住民 閲覧 ウェブサイト名")
    assert unmet([site], ["報告の結果は住民が閲覧できるよう公表する。"]) == [site]
    assert unmet([site], ["報告の結果は医療情報ネット(https://example.jp)で住民に公表する。"]) == []


def test_why_something_ended_is_told_where_it_says_so() -> None:
    question = "補助金で支援した事業を終了した自治体の、その終了理由は何だったか。"
    assert unstated_things(question, ["事業効果の検証が困難であったことから終了した。"]) == []
    assert unstated_things(question, ["補助金で在宅医療を支援している。"]) == ["終了理由"]


def test_a_rate_typed_as_the_last_search_word_wants_a_share() -> None:
    rate = the_value("新居浜市 西条市 かかりつけ医機能報告 報告率")
    assert unmet([rate], ["新居浜市と西条市の医療機関がかかりつけ医機能報告を行う。"]) == [rate]
    assert unmet([rate], ["かかりつけ医機能報告の報告率は92%であった。"]) == []


def test_how_a_count_changed_asks_for_the_change_not_a_count() -> None:
    question = "紹介や検査依頼の件数にどの程度の量的変化が生じたと報告されているか。"
    assert not values(question)


def test_the_care_fee_schedule_is_a_term_of_its_own() -> None:
    assert kinds("協力医療機関 未指定 介護報酬 減算") == {
        ("term", "介護報酬"),
        ("term", "減算"),
    }


def test_some_is_not_a_question() -> None:
    assert kinds("いくつかの病院がまとまって値下げ交渉している例") == set()
    assert kinds("何人かの医師で交代して診療しているクリニック") == set()
    # 「いくらかかる」 asks how much it costs
    assert kinds("夜中に往診してもらったら、料金ってだいたいいくらかかるの？") == {
        ("value", "いくら")
    }


def test_an_address_or_a_form_number_is_asked_for_as_such() -> None:
    (url,) = question_constraints("報告の様式を配っているサイトのURLは？")
    assert url.label == "質問の「URL」に当たる記載"
    assert unmet([url], ["報告の様式は厚生労働省のサイトで配っている。"]) == [url]
    assert unmet([url], ["報告の様式はサイト https://www.mhlw.go.jp/ で配っている。"]) == []
    (number,) = question_constraints("在宅療養支援診療所の届出に必要な様式の番号は？")
    assert unmet([number], ["在宅療養支援診療所の届出が必要である。"]) == [number]
    assert unmet([number], ["在宅療養支援診療所の届出には様式11を用いる。"]) == []


def test_the_materials_everyday_words_do_not_tie_a_number_to_the_question() -> None:
    question = "かかりつけ医機能報告のデータはいつから一般に公開される予定？"
    schedule = ["2025年度からかかりつけ医機能報告が始まった。"]
    (loose,) = question_constraints(question)
    assert unmet([loose], schedule) == []  # 「かかりつけ」「機能」「報告」 in a dated sentence
    (when,) = question_constraints(question, frozenset({"掛かり付け", "機能"}))
    assert unmet([when], schedule) == [when]
    assert unmet([when], ["報告データは2026年4月から一般に公開する予定である。"]) == []


def test_a_value_asked_of_a_thing_few_passages_name_is_stated_where_it_is_named() -> None:
    question = "うすき石仏ねっと 石仏カード 発行費用 住民負担"
    card = "住民は石仏カードを提示して受診する。"
    other = "医療機関・住民交流推進事業:負担軽減に向けた講演会等について補助する。"
    lacking = ["質問の「発行費用」に当たる記載"]
    assert missing(question, passages(card, other)) == []  # 住民, 負担 and 補助: another scheme
    assert missing(question, passages(card, other), specific=frozenset({"カード"})) == lacking
    stated = "石仏カードの発行費用は住民負担なしとし、協議会が補助する。"
    assert missing(question, passages(stated, other), specific=frozenset({"カード"})) == []
    # a rare word no top passage names is the question's own wording, not a name to find
    assert missing(question, passages(other), specific=frozenset({"カード"})) == []
    # asked in two clauses, a rare word of the other clause does not bind the value
    two = "救急搬送はどれほど増え、在院日数はどこまで短縮できたのか"
    grew = passages("85歳以上の救急車搬送数は2.6倍に増加している。")
    assert missing(two, grew, specific=frozenset({"在院"})) == missing(two, grew)


def test_how_far_wants_a_distance() -> None:
    assert (
        the_value("訪問歯科って、診療所から何キロ以内じゃないと行けない決まりある？").text
        == "何キロ"
    )


def test_a_count_of_things_and_a_growth_must_be_stated() -> None:
    assert ("number", "8つ") in kinds("在宅医療・介護連携推進事業の8つの事業項目を全部教えて")
    q = "2040年には全国で在宅医療を受ける人がどのくらい増える見込み？"
    growth = the_value(q)
    local = ["福岡県では2040年に在宅医療を受ける人が2.48倍に増える見込みである。"]
    assert unmet([growth], local) == [growth]  # a prefecture's figure is not the nation's
    assert unmet([growth], ["全国で在宅医療を受ける人は2040年に1.3倍に増える見込みである。"]) == []
    # how much a count grew asks for the growth, not for the count
    for q in (
        "予約を受けるようにした病院では、紹介の件数がどのくらい伸びたのか",
        "予約を受けるようにした病院では、紹介の件数がどれだけ伸びたのか",
    ):
        growth = the_value(q)
        assert growth.text.endswith("伸び")
    assert unmet([growth], ["病院への紹介件数は8年間で1.56倍に伸びた。"]) == []
    assert unmet([growth], ["病院への紹介件数が伸びた。"]) == [growth]


def test_how_many_come_or_are_counted_must_be_stated_as_a_count() -> None:
    value = the_value("#7119って、年間どのくらい相談が来てるんだっけ？")
    assert value.text == "相談"
    assert unmet([value], ["#7119の相談は年間12万件である。"]) == []
    assert unmet([value], ["#7119で夜間の相談を受けている。"]) == [value]
    assert ("value", "相談件数") in kinds("在宅相談ステーション 相談件数 職員体制")
    assert ("value", "人数") in kinds("機能強化型在宅療養支援診療所 常勤医師 人数 要件")
    # few or many is a situation, not a count asked for
    assert kinds("医師の人数が少ない地域で当番を回す工夫は？") == set()
    assert kinds("相談件数が増えた地域の対応は？") == set()
    assert kinds("紹介件数が伸びた病院の取組を知りたい") == set()  # a case told by its outcome
    assert kinds("予約できるようにした結果、依頼件数はどう変わったか") == set()  # what happened
    assert kinds("インターネット予約 検査依頼件数 診察依頼 増加") == set()  # typed apart
    assert ("value", "相談件数") in kinds("相談件数 年間")
    q = "南区あんしん病院ネットワーク ブロック支援病院 病院数"
    value = the_value(q)
    assert value.text == "病院数"
    assert unmet([value], ["ブロック支援病院は区内の8病院である。"]) == []
    assert unmet([value], ["ブロック支援病院が後方支援を担う。"]) == [value]
    assert kinds("診療所数が少ない町村部の工夫は？") == set()
    value = the_value("空床共有の仕組みには何病院が加わった？")
    assert value.text == "何病院"
    assert unmet([value], ["空床共有の仕組みには市内の12病院が加わった。"]) == []
    assert unmet([value], ["空床共有の仕組みに病院が加わった。"]) == [value]
    assert ("value", "箇所数") in kinds("第7次医療計画 訪問診療 数値目標 全国 箇所数")
    assert ("value", "ステーションの数") in kinds("圏域にある訪問看護ステーションの数を知りたい")
    assert ("value", "お金") in kinds("副主治医を引き受けた医師は、お金はどれくらいもらえるの？")
    assert ("value", "修了者数") in kinds("かかりつけ医認知症対応力向上研修の修了者数")
    assert kinds("研修の参加者数が増えた地域の工夫") == set()
    assert ("value", "月額") in kinds("うすき石仏ねっと 参加費 月額")
    assert kinds("圏域ごとの医療機関数をまとめたデータ集は国が用意する？") == set()


def test_a_share_or_an_article_of_a_law_is_asked_for_as_such() -> None:
    share = the_value("時間外対応 診療所 割合")
    assert unmet([share], ["時間外対応をしている診療所の割合は42%である。"]) == []
    assert unmet([share], ["時間外対応をしている診療所は少ない。"]) == [share]
    q = "報告義務の根拠になっている医療法の条文番号を確認したい"
    article = next(c for c in question_constraints(q) if c.text == "条文")
    assert unmet([article], ["報告義務は医療法第30条の18の4に定められている。"]) == []
    assert unmet([article], ["報告義務は医療法に定められている（様式2）。"]) == [article]


def test_when_is_also_told_by_the_next_event() -> None:
    q = "協議の場で決めた方策の効果は、いつ検証することになっている？"
    when = the_value(q)
    assert unmet([when], ["⑤の結果得られた効果について、次回の協議の場で議論・検証"]) == []
    assert unmet([when], ["方策の効果を協議の場で検証する。"]) == [when]


def test_a_span_of_time_is_no_number_asked() -> None:
    assert ("number", "1年") not in kinds("報告するのは、1年のうちどの時期ですか。")
    assert ("number", "1年") not in kinds("報告から公表まで、1年の流れはどうなっていますか。")
    assert ("number", "1年") in kinds("1年で何件の相談があった？")


def test_a_full_stop_inside_brackets_does_not_end_the_sentence_stating_a_value() -> None:
    q = "協力医療機関とはどんな体制を持つところで、いつから義務になったのか"
    when = the_value(q)
    text = "協力医療機関(③については病院に限る。)を定めることが令和6年度から義務化された。"
    assert unmet([when], [text]) == []


def test_a_schedule_line_that_is_only_a_date_labels_the_next_line() -> None:
    q = "医療機関が都道府県に届け出る時期は、毎年いつごろ？"  # 届け出る: the material's 報告
    when = the_value(q)
    schedule = "-11月頃~\n定期報告の依頼\n-1~3月\n医療機関による報告及び都道府県による確認\n"
    assert unmet([when], [schedule]) == []
    assert unmet([when], ["-1~3月\n\n医療機関による報告及び都道府県による確認"]) == [when]


def test_a_sentence_framing_a_time_counts_the_time_as_what_it_shares() -> None:
    q = "病院や診療所が、自分のところの機能を県に届け出るのは、一年のうちいつ頃ですか？"
    when = the_value(q)
    assert unmet([when], ["医療機関からの報告期間は1月から3月です。"]) == []  # 報告 + 期間
    assert unmet([when], ["研修の期間は1月から3月です。"]) == [when]  # a time, of else


def test_a_number_asked_is_not_met_by_an_ordinal_or_a_longer_number() -> None:
    (times,) = question_constraints("飲み忘れた日は次の日に2回分飲んでもいいの？")
    assert (times.kind, times.text) == ("number", "2回")
    assert unmet([times], ["自治体向け説明会資料(第2回)"]) == [times]
    assert unmet([times], ["年12回の研修会を開いた"]) == [times]
    assert unmet([times], ["1日2回の服薬確認を行う"]) == []


def test_who_did_not_answer_is_not_said_by_a_list_of_who_did() -> None:
    (who,) = question_constraints("衛生部長会の調査に回答しなかった都道府県はどこ？")
    assert who.kind == "value"
    respondents = "衛生部長会調査の回答：1 北海道、2 青森県 … 47都道府県・20政令市の回答"
    assert unmet([who], [respondents]) == [who]
    assert unmet([who], ["衛生部長会の調査に回答しなかった都道府県は3県であった。"]) == []
    assert question_constraints("医師会に参加していない診療所を巻き込んだ例は？") == ()


def test_an_amount_asked_how_much_is_paid_needs_a_sum() -> None:
    q = "「OKはまゆりネット」に参加する診療所は、利用料や導入費用をどのくらい負担しているのですか。"
    cost = the_value(q)
    assert "導入費用" in cost.label
    assert unmet([cost], ["参加する診療所は導入費用を負担している。"]) == [cost]
    assert unmet([cost], ["参加する診療所の導入費用の負担は1施設10万円である。"]) == []


def test_where_a_facility_is_needs_a_facility_named() -> None:
    q = "新居浜市に住んでるんだけど、夜中でも往診に来てくれる診療所ってどこにあるの？"
    where = the_value(q)
    assert unmet([where], ["地域の診療所・病院の時間外の対応に関して検討する"]) == [where]
    assert unmet([where], ["新居浜市のひまわりクリニックが夜間の往診に対応している"]) == []
    # who did it, asked of the cases, is answered by them as before
    assert not values("遠隔での見守りを取り入れている医療機関はどこですか。")


def test_how_long_it_takes_needs_a_duration_not_a_year() -> None:
    took = the_value("地域医療連携推進法人の認定を受けるまでにかかる期間は？")
    assert unmet([took], ["2018年に地域医療連携推進法人の認定を受けた。"]) == [took]
    assert unmet([took], ["地域医療連携推進法人の認定を受けるまで約2年を要した。"]) == []


def test_a_count_typed_before_a_word_of_change_asks_what_was_done() -> None:
    q = "病院 インターネット予約 診療所 CT MRI 検査依頼件数 増加"
    assert not values(q)
    assert [c.text for c in values("検査依頼件数 年間")] == ["検査依頼件数"]


def test_an_amount_named_is_asked_once_by_its_longest_reading() -> None:
    assert {c.text for c in values("補助の額を教えて")} == {"補助の額"}
    q = "石仏ねっとの運営費と、参加施設が払う負担金の額"
    assert ("value", "負担金の額") in kinds(q)
    q = "くらげ方式に参加する診療所は、市からどれくらいの補助金を受けている？"
    amount = the_value(q)
    assert amount.text == "補助金"
    assert unmet([amount], ["くらげ方式に参加する診療所には、市が補助金を交付している。"])
    assert not unmet([amount], ["くらげ方式に参加する診療所には、市が1件5万円の補助金を交付。"])


def test_an_amount_typed_as_the_last_search_word_asks_for_one() -> None:
    amount = the_value("確保基金 都道府県別 配分額")
    assert amount.text == "配分額"
    assert unmet([amount], ["確保基金を都道府県別に配分している。"]) == [amount]
    assert not unmet([amount], ["確保基金の都道府県別の配分額は約10億円。"])


def test_whether_something_costs_needs_a_sentence_saying_what_it_costs_or_that_it_is_free() -> None:
    q = "ネットを閲覧するだけの医療機関は、参加費がかかる？"
    cost = the_value(q)
    assert unmet([cost], ["閲覧施設における参加費は無料としており、医療機関の参加を促す。"]) == []
    assert unmet([cost], ["閲覧施設も医療機関としてネットに参加している。"]) == [cost]
    # asked in everyday words: paying money (「お金を払う」), the money one pays (「払うお金」)
    q = "石仏カードって、作るのに住民がお金を払う必要があるの？"
    cost = the_value(q)
    assert unmet([cost], ["石仏カードを作り、住民に配っている。"]) == [cost]
    assert unmet([cost], ["石仏カードの作成に住民の負担はない。"]) == []
    cost = the_value("窓口で払うお金は安くなる？")
    assert unmet([cost], ["かかりつけ医がいると窓口で相談しやすい。"]) == [cost]
    assert unmet([cost], ["窓口で払う金額は変わらず、負担は同じである。"]) == []


def test_scoring_something_is_no_fee() -> None:
    assert kinds("診療の質をアンケートで点数にしているところは？") == set()
    assert ("term", "点数") in kinds("往診料の点数は？")
    assert ("term", "罰") in kinds("報告を出さなかった病院は、何か罰を受けるの？")
    # 拠点数 is 拠点 and 数, no 点数; typed apart from 全国, it asks how many hubs
    assert ("term", "点数") not in kinds("在宅医療連携拠点事業 拠点数 全国")
    assert ("value", "点数") not in kinds("在宅医療連携拠点事業 拠点数 全国")
    assert ("value", "拠点数") in kinds("在宅医療連携拠点事業 拠点数 全国")


def test_the_written_explanation_to_patients_is_a_term_the_passages_must_state() -> None:
    q = "かかりつけ医機能について患者に書面で説明しなければならないのはどんな場合？"
    (term,) = [c for c in question_constraints(q) if c.kind == "term"]
    assert unmet([term], ["かかりつけ医機能について患者に説明する。"]) == [term]
    assert unmet([term], ["近隣の慢性期病院と書面をもって連携している。"]) == []


def test_which_one_ranks_first_must_be_stated_as_a_ranking() -> None:
    q = "在宅看取りの件数が一番多い都道府県はどこ？"
    rank = the_value(q)
    assert unmet([rank], ["在宅看取りの件数は都道府県ごとに集計している。"]) == [rank]
    assert unmet([rank], ["在宅看取りの件数は長野県が都道府県で最も多い。"]) == []


def test_a_value_is_asked_only_by_the_sentence_that_asks() -> None:
    """The first sentence says what the asker will do; the second is the question."""
    q = "管内に在宅療養支援病院がいくつあるか調べたい。そもそも、どういう病院がそう呼ばれるの？"
    assert not values(q)
    assert ("value", "何施設") in kinds("在宅医療の状況を調べたい。北部医療圏では何施設？")
    assert ("value", "いくつ") in kinds("在宅療養支援病院はいくつある")  # no question mark


def test_asking_which_department_is_not_asking_for_a_number() -> None:
    assert kinds("症状に応じて何科を受診すればよいかという相談") == set()
    assert ("value", "何床") in kinds("在宅療養支援病院になるには何床以下？")


def test_long_compounds_and_terms_of_art_must_occur_in_the_passages() -> None:
    q = "紹介受診重点医療機関になるための基準は？"
    assert unknown_terms(q, ["地域の医療機関の役割分担"]) == ["紹介受診重点医療機関"]
    assert unknown_terms(q, ["紹介受診重点医療機関とは外来機能報告で…"]) == []
    assert unknown_terms("深夜加算は？", ["加算の届出"]) == ["深夜加算"]
    # 「看護師何人」: a word, then what is asked about it
    assert unknown_terms("看護師何人で電話相談に対応している？", ["看護師2名が対応"]) == []
    # a word of time typed onto a term: 「将来」 says when
    q = "将来在宅医療を担う医師を増やす支援は？"
    assert unknown_terms(q, ["将来の在宅医確保に向けた在宅医療研修"]) == []
    q = "副主治医が代わりに往診したら、診療報酬はどちらが請求する？"
    assert ("term", "診療報酬") in kinds(q)  # a neighbouring system's term of art
    assert ("term", "報酬") not in kinds(q)  # named once, by the longer term
    assert ("term", "報酬") in kinds("応援した先生には、どのような形で報酬が支払われる？")
    # an enforcement measure, like a penalty: the material says who reports, not what befalls
    # one who does not
    assert ("term", "勧告") in kinds("報告を出さない医療機関に県は勧告できる？")
    assert unknown_terms("画像検査の予約を診療所から", ["CTの予約"]) == []  # everyday words


def test_a_compound_with_a_short_part_left_out_is_the_same_term() -> None:
    q = "秋田県の子ども向け夜間電話相談は誰に委託している？"
    assert unknown_terms(q, ["「秋田県こども救急電話相談」を…委託"]) == ["夜間電話相談"]
    assert unknown_terms(q, ["「福島県夜間救急電話相談窓口」（#7799）"]) == []
    assert unknown_terms("郡市医師会の役割は？", ["郡市区医師会が中心となり"]) == []
    assert unknown_terms("入退院 在宅支援者 引継ぎ", ["在宅の支援者から病院の医療者へ"]) == []
    # a word naming the material says where to look (「自治体回答」: the survey's answers)
    assert unknown_terms("問合せ セカンドオピニオン 自治体回答", ["セカンドオピニオン"]) == []
    # parts far apart, or out of order, are not the compound
    assert unknown_terms("歯科診療所の数", ["歯科医師会と病院・診療所"]) == ["歯科診療所"]
    assert unknown_terms("電話相談夜間窓口", ["夜間救急電話相談窓口"]) == ["電話相談夜間窓口"]
    # two words run together on the part they share: 在宅医療 and 医療法人
    q = "夜間や休日の診療を引き受けている在宅医療法人の例"
    assert unknown_terms(q, ["在宅医療に特化した医療法人で、夜間・休日対応にあたる"]) == []
    assert unknown_terms(q, ["在宅医療に特化した診療所で、夜間・休日対応にあたる"]) == [
        "在宅医療法人"
    ]


@pytest.mark.parametrize(
    ("question", "things"),
    [
        ("報告を出さなかった診療所にはどんなペナルティがある？", ["ペナルティ"]),
        ("外来機能報告の報告期限はいつ？", ["報告期限"]),
        ("出向した看護師の給与はどちらが払う？", ["給与"]),  # which of two
        ("当直手当の相場は？", ["相場"]),
        ("問い合わせが多い自治体はどこ？", []),  # who answers: any respondent
        ("主治医・副主治医制のメリットは？", []),  # an aspect of anything
        ("夜間の輪番を組んでいる例は？", []),
        ("協議の場の会議は住民も傍聴できる？", ["傍聴"]),  # the last predicate
        ("報告を出したあとで間違いに気づいたら、訂正してもらえる？", ["訂正"]),
        ("コーディネーターには、どんな資格が要る？", ["資格"]),
        ("親が電話で相談できる窓口を設けている自治体は？", []),  # not the last predicate
        ("データ集のようなものは国が用意してくれるの？", []),  # a verb any request uses
        # the kind asked for: 「どんな…」「どういう…」, two joined by 「や」
        ("コーディネーターには、どんな資格や経歴の人を充てる？", ["資格", "経歴"]),
        ("初診から使えるのはどういう条件のとき？", ["条件"]),
        ("相談で多いのはどういう中身？", []),  # an aspect, as 内容
        ("どんな取組をしている？", []),
    ],
)
def test_what_a_question_asks_about(question: str, things: list[str]) -> None:
    assert asked_things(question) == things


def test_a_thing_asked_about_must_be_mentioned_by_its_word_or_the_materials_term() -> None:
    q = "遠くの病院から見られるレントゲンがある？"  # lay_terms: レントゲン → 画像
    assert unstated_things(q, ["遠隔画像診断も行える。"]) == []
    assert unstated_things(q, ["参加法人の医師を派遣している。"]) == ["レントゲン"]
    assert unstated_things("どんなペナルティがある？", ["罰則はない。"]) == ["ペナルティ"]
    # lay_terms.yaml: the material says 部局 (「市町村（介護保険部局）の責任」) for a 部署
    q = "連携を進める事業は、市町村のどの部署が責任を持って担う？"
    assert unstated_things(q, ["事業の推進は、市町村（介護保険部局）の責任"]) == []
    assert unstated_things(q, ["事業の推進は、市町村の責任"]) == ["部署"]
    # or names the office (課) it moved to
    q = "福井県では在宅医療・介護連携推進事業の担当をどの部署に移したか"
    assert unstated_things(q, ["医療系課から介護系課へ事業移管。"]) == []
    # the material's word, whole (lay_terms: メンバー → 参加者), for the head of a compound
    q = "参加メンバーは誰が決めるのか"
    assert unstated_things(q, ["協議の場の参加者については、都道府県が決定する。"]) == []
    assert unstated_things(q, ["協議の場の圏域は、都道府県が決定する。"]) == ["参加メンバー"]


def test_a_compound_is_met_by_its_specific_head_but_not_by_a_general_one() -> None:
    assert unstated_things("薬の値段交渉はある？", ["医薬品の一括価格交渉を行う。"]) == []
    assert unstated_things("開業資金の貸付制度はある？", ["府の補助制度がある。"]) == ["貸付制度"]
    q = "報告はどのオンラインシステムに入力する？"  # any システム is not the one asked about
    assert unstated_things(q, ["電子カルテシステムで共有する。"]) == ["オンラインシステム"]


def test_a_noun_the_material_never_uses_is_unheard() -> None:
    vocabulary = {"在宅", "患者", "薬", "届ける", "事例", "地域", "医療", "連携", "推進", "法人"}
    assert unheard_words("在宅の患者さんに薬をドローンで届けている事例はある？", vocabulary) == [
        "ドローン"
    ]
    assert unheard_words("地域医療連携推進法人に入るには出資金が要る？", vocabulary) == ["出資金"]
    assert unheard_words("在宅の患者に薬を届けている事例", vocabulary) == []
    # the material's word for it (lay_terms: 既往歴 → 疾患: 「疾患の状況」)
    assert unheard_words("患者の既往歴を確認できる事例", vocabulary) == ["既往歴"]
    assert unheard_words("患者の既往歴を確認できる事例", vocabulary | {"疾患"}) == []
    # a quality of where the question is set says where, not what must be named
    setting = "住民の抵抗感が強い地域で、在宅医療を推進している事例"
    assert unheard_words(setting, vocabulary | {"住民", "強い"}) == []
    assert unheard_words("住民の抵抗感を和らげる事例", vocabulary | {"住民"}) == ["抵抗感"]
    assert unheard_words("在宅当番にも勤務間インターバルが要る？", {"在宅", "勤務", "間"}) == [
        "勤務間インターバル"
    ]
    # the material's term for it (lay_terms.yaml): 「仲介役」 is a リンクワーカー
    q = "仲介役を通じて患者を地域の活動につなぐ取組"
    assert unheard_words(q, vocabulary | {"活動", "取組"}) == ["仲介役"]
    worker = set(tokenize("リンクワーカー"))
    assert unheard_words(q, vocabulary | {"活動", "取組"} | worker) == []
    q = "在宅医療のエリアをどのくらいの広さで区切っている？"  # the material's 圏域
    assert unheard_words(q, vocabulary | {"広さ", "区切る"}) == ["エリア"]
    assert unheard_words(q, vocabulary | {"広さ", "区切る", "圏域"}) == []
    # a name in Latin letters: the material writes ICT and FAX (as ファックス), never G-MIS
    known = vocabulary | set(tokenize("ICT 電話やFAX 報告 入力"))
    assert unheard_words("G-MIS 報告 入力", known) == ["G-MIS"]
    assert unheard_words("ICTやFAXで連携している事例", known) == []
    q = "市町村が医師会に任せっきりにするのはアリ？スライドではどう言ってる？"
    assert unheard_words(q, vocabulary | set(tokenize("市町村 医師会"))) == []  # where to look
    q = "積極的医療機関が使える大阪府の補助メニューにはどんなものがある？"  # what is listed
    assert unheard_words(q, vocabulary | set(tokenize("積極的医療機関 使う 大阪府 補助"))) == []


def test_short_everyday_words_and_compounds_of_known_parts_are_left_to_similarity() -> None:
    vocabulary = {"入院", "先", "病院", "情報", "医師", "夜間", "往診"}
    assert unheard_words("夜中に往診してくれる先生", vocabulary) == []  # 2 characters
    assert unheard_words("入院先の病院に情報を預ける", vocabulary) == []  # 入院 + 先
    assert unheard_words("往診には何時間くらいかかる？", vocabulary) == []  # a question word
    # a state said with する is no thing to find; an action noun with する is
    known = vocabulary | set(tokenize("がん 治療 患者 経過観察 システム ID"))
    assert unheard_words("がんの治療が一段落した患者の経過観察", known) == []
    assert unheard_words("システムにログインするIDはどこでもらえる？", known) == ["ログイン"]


def test_a_word_the_material_calls_otherwise_is_not_unheard() -> None:
    # lay_terms.yaml: レントゲン → 画像
    assert unheard_words("遠くの病院から見られるレントゲン", {"画像", "病院", "遠く"}) == []
    # everyday words of a spoken question: スマホ → ICT, 連絡帳 → 情報共有, ステップ → 進め方
    vocabulary = {"ict", "情報", "共有", "進める", "方", "医師", "協議", "家"}  # as indexed
    assert unheard_words("スマホで医師と話せる", vocabulary) == []
    assert unheard_words("家に置いた連絡帳で情報を共有", vocabulary) == []
    assert unheard_words("協議はどういうステップで進める？", vocabulary) == []
    assert unheard_words("協議はどういうステップで進める？", {"協議", "医師"}) == ["ステップ"]
    # the term is one of the word's own parts: 救急隊 → 救急 (隊 alone is never used)
    assert unheard_words("救急隊が持病を把握できる？", {"救急", "持病", "把握"}) == []
    # a katakana word said by its start: ロールプレイ(ング)
    vocabulary = set(tokenize("ロールプレイングによる研修"))  # as indexed: プレーイング
    assert unheard_words("ロールプレイで学ぶ研修", vocabulary) == []
    assert unheard_words("ドローンで学ぶ研修", vocabulary) == ["ドローン"]


@pytest.mark.parametrize(
    "query",
    [
        "在宅の患者さんに薬をドローンで届けている事例はある？",
        "報告を怠った診療所には過料が科される？",
        "報告を出さなかった診療所にはどんなペナルティがある？",
        "往診の深夜加算の点数は？",
        "宮崎県の山間部で在宅医療を支える取組は？",
        "在宅時医学総合管理料はいくら？",
        "在宅医療をしている医師の平均年齢は？",
    ],
)
def test_near_domain_questions_are_not_confident_and_say_what_is_missing(
    searcher: Searcher, query: str
) -> None:
    result = searcher.search(query)
    assert result.confident is False
    assert result.confidence < 0.5
    assert result.missing and all("記述" in m or "数値" in m for m in result.missing)


def test_the_same_topic_without_the_constraint_stays_confident(searcher: Searcher) -> None:
    result = searcher.search("かかりつけ医機能報告を出す医療機関はどこ？")
    assert result.confident is True
    assert result.missing == []


def test_a_compound_the_material_states_lower_down_is_not_missing(searcher: Searcher) -> None:
    stated = stated_in(["体調急変時に備えた指導", "郡市区医師会と連携"])
    assert stated("体調急変時") and stated("郡市医師会")  # as written, or shortened
    # a qualifier and its 「の」 left out: 「在宅高齢者」 is 「在宅療養中の高齢者」
    assert stated_in(["在宅療養中の高齢者が体調を崩し"])("在宅高齢者")
    assert stated_in(["現場での滞在時間が短縮される効果が出ている"])("現場滞在時間")
    assert not stated_in(["現場の救急隊の待機時間"])("現場滞在時間")
    assert not stated("紹介受診重点医療機関")
    assert stated_in(["BCPの策定を支援"])("事業継続計画")  # the material's own word for it
    assert stated_in(["退院元のPICUやNICUを有する大病院"])("集中治療室")
    # another word for the same kind of facility: the casebook's 「小児科医院」
    assert stated_in(["地域の小児科医院として"])("小児科診療所")
    assert not stated_in(["地域の小児科医院として"])("歯科診療所")
    # or in the wider word covering it (the clinics are among the 参加医療機関), not the reverse
    assert stated_in(["参加医療機関の中で、実績要件を満たす"])("参加診療所")
    assert not stated_in(["参加診療所の中で"])("参加医療機関")
    assert not stated_in(["参加医療機関の中で"])("参加病棟")
    # an everyday part said in the material's word (lay_terms: 部署 → 部局)
    assert stated_in(["介護保険担当部局同士での一元化"])("担当部署同士")
    # 「…体制」 is shortened to 「…制」 (「在宅当番医制等を組んではいるが」)
    assert stated_in(["在宅当番医制等を組んではいるが"])("当番医体制")
    assert not stated_in(["在宅当番医を組む"])("当番医体制")
    # lay_terms: a 勤務医 is the material's 医師 (「基幹病院の医師が支援」)
    assert stated_in(["医師会の夜間救急を基幹病院の医師が支援"])("病院勤務医")
    # 「体調急変時」 is in the casebook, though not in the ten passages found first
    result = searcher.search(
        "在宅で療養する高齢者の情報を事前に病院へ登録しておき、体調急変時に円滑に入院できる"
        "ようにしている地域の仕組みは？"
    )
    assert "「体調急変時」の記述" not in result.missing
    assert result.confident is True


def test_a_footnote_names_the_word_it_defines(searcher: Searcher) -> None:
    result = searcher.search("在宅療養後方支援病院 定義 緊急時 受け入れ", k=1)
    (hit,) = result.hits
    assert "在宅療養後方支援病院" not in hit.text  # 「…緊急時に受け入れる病院のこと」
    assert hit.metadata["defines"] == "在宅療養後方支援病院"
    assert result.confident and result.missing == []


@pytest.mark.slow
def test_a_keyword_stuffed_upload_neither_ranks_first_nor_makes_a_query_confident(
    built_copy: Settings, tmp_path: Path
) -> None:
    from facilitator.corpus.documents import add_document
    from facilitator.search.index import build_index

    stuffed = tmp_path / "stuffed.txt"
    stuffed.write_text("宇宙旅行 費用 相場 夜間 輪番 当番 医師会。\n" * 60, encoding="utf-8")
    add_document(built_copy, stuffed, title="お知らせ")
    build_index(built_copy)
    searcher = Searcher(built_copy)
    assert searcher.store.repetitive  # flagged at ingest
    nonsense, real = "宇宙旅行の費用と相場について", "夜間の輪番を医師会で組む"

    flagged = set(searcher.store.repetitive)
    searcher.store.repetitive = set()  # as before: the upload wins and answers nonsense
    assert searcher.search(nonsense).confident
    assert searcher.search(real).hits[0].doc_title == "お知らせ"

    searcher.store.repetitive = flagged
    assert searcher.search(nonsense).confident is False
    assert searcher.search(real).hits[0].doc_title != "お知らせ"
    # the other passages keep the order the search gave them (the sentence lift's included)
    demoted = [h.chunk_id for h in searcher.search(real, k=30).hits if h.chunk_id not in flagged]
    searcher.store.repetitive = set()
    kept = [h.chunk_id for h in searcher.search(real, k=30).hits if h.chunk_id not in flagged]
    searcher.store.repetitive = flagged
    assert demoted[:10] == kept[:10]
    assert searcher.search(real).confident  # the real passages still answer


def test_a_value_asked_of_a_place_is_stated_by_that_places_passages(searcher: Searcher) -> None:
    """The survey has 沖縄県's #8000 and 秋田県's 「実績 令和2年度 4.2件/日」: the count
    is 秋田県's, so asked of 沖縄県 the material does not answer."""
    asked = "こども救急電話相談 #8000 の実績は1日に何件？"
    assert searcher.search(f"秋田県の{asked}").confident is True
    result = searcher.search(f"沖縄県の{asked}")
    assert result.confident is False
    assert "「沖縄県」の「何件」に当たる数値" in result.missing  # 秋田県's is found, not 沖縄県's


def test_a_term_asked_of_a_place_is_stated_by_that_places_passages() -> None:
    """The guideline names 燕市 only as a case to see (「健康状態不明者をリストアップし…（事例集P.14
    燕市の事例参照）」), and 奈良県's survey answer says 「紹介基準」: no passage says by what
    基準 燕市 picks out its residents."""
    q = "燕市では健康状態が分からない住民をどのような基準で抽出しているのか"
    hits = passages(
        "健康状態不明者をリストアップし、かかりつけ医へ紹介する。（事例集P.14 燕市の事例参照）",
        "奈良県 糖尿病について、「かかりつけ医から専門医への紹介基準」を明確化している。",
    )
    assert "「燕市」の「基準」の記述" in missing(q, hits)
    assert not [m for m in missing(q.replace("燕市", "奈良県"), hits[::-1]) if "基準" in m]


def test_a_year_asked_of_a_place_is_stated_by_that_places_passages(searcher: Searcher) -> None:
    """新居浜・西条's papers name both cities but no 2040; 福岡市's case says 2040年: the
    material has no projection for 新居浜 and 西条."""
    result = searcher.search("新居浜市 西条市 2040年 高齢化率 推計")
    assert result.confident is False
    assert "「新居浜市・西条市」の「2040年」の記述" in result.missing
    assert not [m for m in searcher.search("福岡市 2040年 人口").missing if "2040年" in m]


def test_a_question_naming_a_place_keeps_the_passages_of_that_place(searcher: Searcher) -> None:
    hits = searcher.search("松本では夜間の救急をどう分担している？", k=10).hits
    kept = at_places("松本では夜間の救急をどう分担している？", hits)
    assert kept and len(kept) < len(hits)
    assert all("松本" in h.text + h.doc_title + (h.case_name or "") for h in kept)
    assert at_places("夜間の救急をどう分担している？", hits) == hits  # no place: all stay


def test_a_place_named_to_exclude_it_is_not_asked_about() -> None:
    assert named_places("大阪府以外で人生会議を広めている県は？") == ((), ("大阪府",))
    assert named_places("松本市のほかに輪番をしている例は？")[0] == ()
    assert named_places("大阪府では人生会議をどう広めている？") == (("大阪府",), ())
    assert not unknown_terms("大阪府以外で人生会議を広めている県は？", ["人生会議"])


def test_passages_from_an_excluded_place_are_left_out(searcher: Searcher) -> None:
    question = "松本市以外で救急の輪番をしている例は？"
    hits = searcher.search("松本市で救急の輪番をしている例は？", k=10).hits

    def from_matsumoto(h) -> bool:  # type: ignore[no-untyped-def]
        return "松本" in str(h.metadata.get("location", ""))

    assert any(from_matsumoto(h) for h in hits)
    kept = at_places(question, hits)
    assert kept and not any(from_matsumoto(h) for h in kept)


def test_words_typed_apart_are_not_read_as_one_compound() -> None:
    """A keyword query (「在宅医療 連携拠点 役割」) names three words; joined, they made a
    compound no passage contains, and an answerable query was flagged."""
    text = ["在宅医療に必要な連携拠点の役割"]
    assert unknown_terms("在宅医療 連携拠点 役割", text) == []
    assert unknown_terms("在宅医療連携拠点役割", text) == ["在宅医療連携拠点役割"]
    vocabulary = {"救急", "通報", "時", "持病", "服薬", "情報", "把握"}
    assert unheard_words("救急 通報時 持病 服薬情報　把握", vocabulary) == []
    # nor as a place: 「研修 県補助」 is no prefecture 「会研修県」
    assert kinds("かかりつけ医 認定 医師会 研修 県補助") == set()


def test_all_prefectures_are_no_place_and_a_spelled_out_term_is_its_abbreviation() -> None:
    # 「都道府県」 ends like a prefecture's name but names none
    assert named_places("研修を修了した医師を認める仕組みを持つ都道府県はどこか") == ((), ())
    assert named_places("神奈川県と大阪府の取組は？") == (("神奈川県", "大阪府"), ())
    # the material writes BCP for 事業継続計画 (lay_terms.yaml)
    passages = ["府HPIにおいてBCPサンプルを掲載。"]
    assert unknown_terms("災害に備えた事業継続計画への支援は？", passages) == []
    assert unknown_terms("災害に備えた事業継続計画への支援は？", ["災害時の支援"]) == [
        "事業継続計画"
    ]
    # 「仕組」 is 仕組み written short: an aspect, not a thing to find
    assert asked_things("補助事業をやめた県があると聞いたが、どんな仕組で、なぜ終了したのか") == []


def test_a_survey_answers_sentences_are_about_the_question_it_answers() -> None:
    """名古屋市's answer lists what it spent (「WEB広告（966,900円）」) without repeating what
    the survey asked, 上手な医療のかかり方の普及啓発: asked how much such publicity costs, it
    answers; the same list given as a case's passage does not say what the money was for."""
    q = "「上手な医療のかかり方」の宣伝って、実際いくらぐらいお金かけてるの？"
    text = "○WEB広告（966,900円）：スマートフォン版に掲載"
    answer = case_chunk("s27", "", "", text, doc_id="casebook-2022")
    answer = answer.model_copy(
        update={
            "metadata": {
                "respondent": "名古屋市",
                "question_text": "都道府県民に対する上手な医療のかかり方の普及啓発",
            }
        }
    )
    assert "質問の「いくら」に当たる数値" not in missing(q, [SearchHit(chunk=answer, score=1.0)])
    plain = SearchHit(chunk=case_chunk("c1", "", "", text), score=1.0)
    assert "質問の「いくら」に当たる数値" in missing(q, [plain])


def test_a_change_in_a_count_of_facilities_is_what_happened_not_a_count() -> None:
    q = "在宅ケア専門のクリニックが訪問診療を広げた結果、訪問看護の事業所数はどう変わったか"
    assert kinds(q) == set()
    assert ("value", "事業所数") in kinds("圏域の訪問看護の事業所数は？")


def test_places_counted_are_met_by_what_they_are() -> None:
    q = "豊田市とみよし市のグループ診療に加わっている医療機関は、それぞれ何か所？"
    value = the_value(q)
    assert unmet([value], ["豊田市では病院を加えた10医療機関でグループ診療をしている"]) == []
    assert unmet([value], ["豊田市では病院を加えてグループ診療をしている"]) == [value]


def test_a_time_of_day_or_a_starting_year_is_asked_for_as_such() -> None:
    q = "#8000の電話相談って何時まで受け付けてくれるの？"
    time = the_value(q)
    assert unmet([time], ["#8000の電話相談は毎日19:00～22:00に受け付けている"]) == []
    assert unmet([time], ["#8000の電話相談を受け付けている（令和2年度 4.2件/日）"]) == [time]
    year = the_value("空床共有 システム 導入年")
    assert year.text == "導入年"
    assert unmet([year], ["空床共有のシステムを2019年に導入した"]) == []
    assert unmet([year], ["空床共有のシステムを導入した"]) == [year]


def test_the_area_around_a_place_and_an_existing_thing_are_no_terms_to_find() -> None:
    assert unknown_terms("四日市周辺で訪問診療を広げた例", ["四日市市で訪問診療"]) == []
    # 既存 qualifies what is asked (the report it goes with), as 〜的 does
    assert asked_things("県への報告は、どの既存の報告と一緒に行うのか") == []
    # a breakdown is an aspect of any count
    assert asked_things("加わっている医療機関はどんな内訳になっているか") == []


def test_two_words_for_one_thing_tie_a_value_to_the_question_once() -> None:
    """さとう小児科's 病児保育 asked how many children it takes: 秋田県's #8000 sentence has
    「看護師2名」, 小児科医 and こども — one thing said twice, not the question's topic."""
    q = "さとう小児科の病児保育って、一日に何人くらいまで子どもを預かってもらえるの？"
    value = the_value(q)
    assert unmet([value], ["こども救急電話相談は看護師2名が対応し、小児科医が後方支援する。"])
    assert not unmet([value], ["病児保育室では子どもを1日6人まで預かる。"])


def test_whether_something_costs_is_told_by_a_sum_or_who_pays() -> None:
    q = "OKはまゆりネットに登録すると、患者のほうで利用料を払わなきゃいけないの？"
    value = the_value(q)
    smooth = "OKはまゆりネットの利用により、患者の情報の登録と共有が円滑になった。"
    assert unmet([value], [smooth]) == [value]  # 円滑 is no sum
    assert unmet([value], ["OKはまゆりネットの利用料は患者の負担なし、登録は無料である。"]) == []
    typed = "ポラリスネットワーク 構築費用 補助金"
    cost = the_value(typed)
    assert cost.text == "構築費用"
    assert unmet([cost], ["ポラリスネットワークの構築費用は基金で賄った。"]) == []
    assert unmet([cost], ["ポラリスネットワークを構築し、画像を共有している。"]) == [cost]


def test_who_did_not_answer_is_asked_for_in_everyday_words_too() -> None:
    q = "衛生部長会のアンケートに答えなかった都道府県や政令市は具体的にどこだったのか"
    assert values(q)


def test_where_to_notify_is_told_by_whom_it_is_notified_to() -> None:
    q = "在宅療養支援病院の届出先はどこ？"
    assert unstated_things(q, ["地方厚生局に届出を行っている病院のこと"]) == []
    assert unstated_things(q, ["在宅療養支援病院は24時間往診する病院"]) == ["届出先"]


def test_designated_cities_and_a_two_part_scheme_are_no_things_to_find() -> None:
    assert asked_things("いくら使ったかまで明らかにしている政令市はどこ？") == []
    assert asked_things("病院側がどのような二本立ての仕組みで医師を支えているのか") == []


def test_a_casebook_city_named_without_its_suffix_is_a_place() -> None:
    """Sudachi reads 柏 as an oak and 豊田 as a surname; asked 「柏の在宅医療の仕組みでは…」,
    the answer is 柏市's case, not a guideline passage on the same topic."""
    assert named_places("柏の在宅医療の仕組みでは、誰が最初に駆けつける？") == (("柏",), ())
    assert named_places("柏市の在宅医療") == (("柏市",), ())
    assert named_places("四日市周辺で訪問診療を広げた例")[0] == ("四日市",)
    assert named_places("柏原市の在宅医療")[0] == ("柏原市",)  # another city, not 柏


def test_which_facility_to_go_to_wants_one_named() -> None:
    q = "新居浜で日曜の夜に子どもが熱を出したら、どこの病院の当番のお医者さんに行けばいいですか。"
    value = the_value(q)
    assert unmet([value], ["新居浜市では休日・夜間の当番医を輪番で決めている。"]) == [value]
    assert unmet([value], ["新居浜市の当番は市立新居浜病院が担っている。"]) == []
    # who works with whom, or what residents ask: no facility to name
    assert kinds("施設はどこの病院と組んで対応することになっているの？") == set()
    on_duty = "新居浜市で休日や夜間に当番で診てくれる医療機関はどこで、その当番はどういう順番で回しているのでしょうか。"
    assert unmet([the_value(on_duty)], ["新居浜市では在宅当番医制等を組んでいる。"]) != []
    assert kinds("いまどこの病院が開いてるのって、県や市に聞いてくる人は多いの？") == set()
    assert asked_things("近くの診療所に対して、具体的にどんな手助けをすることになるのか") == []


def test_who_holds_a_role_asks_about_that_role() -> None:
    q = "協議の場では、誰が座長を務め、委員には誰が任命されているのか"
    assert asked_things(q) == ["座長"]
    assert unstated_things(q, ["協議の場には医師会と病院の代表が参加する。"]) == ["座長"]
    assert asked_things("町村部では誰がかかりつけ医の役割を担っているか") == []  # an aspect
    # how, not a thing called 姿勢
    stance = "地区医師会とはどういう姿勢で付き合うべきなのでしょう。"
    assert asked_things(stance) == []


def test_why_something_is_so_called_wants_where_the_name_comes_from() -> None:
    q = "豊田の医師会がやってる「くらげ方式」って、どうしてくらげっていう名前なんですか？"
    value = the_value(q)
    used = "豊田加茂医師会は「くらげ方式」と呼ばれる病診・診診連携を支援している。"
    assert unmet([value], [used]) == [value]
    told = "「くらげ方式」の名前は、くらげのように医師会が広く支える姿に由来する。"
    assert unmet([value], [told]) == []
    assert kinds("在宅で急変したとき受け入れる病院のこと、何て呼ぶんだっけ？") == set()
    said_so = "豊田加茂の「くらげ方式」って変わった名前ですけど、どうしてそう呼ばれるようになったんですか。"
    assert unmet([the_value(said_so)], [used]) == [the_value(said_so)]
    assert kinds("そもそも、どういう病院がそう呼ばれるの？") == set()  # what it is, not the name


def test_a_members_list_wants_the_list_not_that_a_council_has_members() -> None:
    q = "新居浜・西条の協議の場には、具体的にどこの誰が委員として入っているのか、名簿は出ていますか。"
    members = the_value(q)
    assert unmet([members], ["協議の場には医師会、病院、市の代表が参加する。"]) == [members]
    assert unmet([members], ["委員名簿は別紙のとおり。"]) == []
    assert the_value("新居浜 西条 協議の場 委員 構成 名簿").text == "名簿"


def test_a_short_dial_service_asked_of_a_place_is_stated_by_that_places_passages() -> None:
    """山口県 runs #7119; that does not tell a resident of 新居浜 whether they can call it."""
    q = "夜に具合が悪くなったとき相談できる#7119って、うち（新居浜）でも使えるんですか？"
    hits = passages(
        "新居浜市では休日・夜間に地域の医療機関に相談できる体制が構築できていない。",
        "山口県 「#7119」(大人の救急電話相談)を実施し、適切な受診の啓発に努めている。",
    )
    assert "「新居浜」の「#7119」の記述" in missing(q, hits)  # 山口県's is no answer
    assert not [m for m in missing(q.replace("新居浜", "山口県"), hits) if "#7119" in m]


def test_a_schedule_line_gives_the_hours_asked_for() -> None:
    q = "秋田県の夜間の電話相談は何時から受け付けている？"
    time = the_value(q)
    assert unmet([time], ["・内容等 毎日19:00～22:00（県医師会へ委託） 看護師2名が相談対応"]) == []
    assert unmet([time], ["看護師2名が19時に交代する"]) == [time]


def test_how_much_was_saved_wants_a_sum_or_a_share() -> None:
    q = "推奨薬を絞り込んだ結果、医療費は金額にしてどれだけ節約できたか"
    saved = the_value(q)
    cut = "地域での推奨薬を選定するなど、地域全体での医療費の削減に取り組んでいる。"
    assert unmet([saved], [cut]) == [saved]
    assert unmet([saved], ["推奨薬の選定で医療費を年間1,200万円削減した。"]) == []


def test_a_network_said_in_plain_words_is_the_materials_network() -> None:
    passages = ["救急隊が通報時に医療情報ネットワークの服薬情報を確認できる。"]
    assert unknown_terms("消防と結ばれた地域の医療情報網の例", passages) == []


def test_a_cases_sentences_are_about_that_case() -> None:
    """「これまでに364名が本システムに登録している」 does not say whose patients; its case does."""
    q = "京都の在宅療養あんしんネットワークには病院がいくつ参加していて、なぎ辻病院からは何人が登録しているの？"
    text = "京都市内77か所の病院が参加している。当該医療機関の患者のうち、これまでに364名が本システムに登録している。"
    own = SearchHit(chunk=case_chunk("c1", "事例14", "医療法人なぎ辻病院", text), score=1.0)
    other = SearchHit(chunk=case_chunk("c2", "事例9", "医療法人沖野上クリニック", text), score=1.0)
    assert "質問の「何人」に当たる数値" not in missing(q, [own])
    assert "質問の「何人」に当たる数値" in missing(q, [other])


def test_what_the_asker_lacks_is_their_situation_not_what_is_asked() -> None:
    q = "チラシを医師会で作りたいが予算がない。医師会の啓発活動に補助金を出した自治体の例はあるか。"
    assert not [c for c in question_constraints(q) if c.kind == "term"]
    assert [c.text for c in question_constraints("在宅医療の予算はどう組む？")] == ["予算"]
    assert unheard_words("看護師を増やしたいのに人件費の当てがない。", {"看護", "師"}) == []
    assert unheard_words("看護師の人件費はどう賄う？", {"看護", "師"}) == ["人件費"]


def test_a_method_asked_is_told_where_a_passage_says_how() -> None:
    q = "宮城県のかかりつけ医向け補助金はどういう支給方法で、なぜやめたのか"
    told = ["在宅患者の増加人数に応じて補助金を支給するもの。事業効果の検証が困難で終了した。"]
    assert unstated_things(q, told) == []
    assert "支給方法" in unstated_things(q, ["補助事業は事業効果の検証が困難で終了した。"])


def test_copies_handed_out_are_counted() -> None:
    q = "福岡市の在宅カルテって、今までに何冊くらい配られたの？"
    copies = the_value(q)
    assert unmet([copies], ["在宅カルテは多職種連携ツールとして開発され、配布されている。"]) == [
        copies
    ]
    assert unmet([copies], ["在宅カルテはこれまでに3,000冊が配られた。"]) == []


def test_a_count_of_a_thing_named_is_read_once() -> None:
    """「閲覧できる診療所の数は」 asks how many 診療所, not any count (「2つのシステム」)."""
    q = "ポラリスネットワークに登録している患者数と、閲覧できる診療所の数は"
    assert "数は" not in [c.text for c in values(q)]
    assert "数は" in [c.text for c in question_constraints("参加医療機関が増えた。その数は？")]


def test_joining_said_plainly_is_the_materials_participation() -> None:
    q = "酒田の地域医療連携推進法人は何年に発足し、何法人が加わっているのか。"
    members = next(c for c in question_constraints(q) if c.text == "何法人")
    assert unmet([members], ["同ネットワークには、計10法人が参加している。"]) == []


def test_a_compound_said_with_a_word_of_means_between_its_parts_is_stated() -> None:
    q = "急性期病院 慢性期病院 転院 書面連携 2週間以内 受入れ"
    said = ["近隣の3か所の慢性期病院と書面をもって連携しており、2週間以内に受け入れる。"]
    assert "書面連携" not in unknown_terms(q, said)
    assert "書面連携" in unknown_terms(q, ["近隣の慢性期病院と連携しており、書面を交わす。"])


def test_a_count_asked_how_it_changed_is_no_count_asked() -> None:
    q = "ネット予約に切り替えた病院では、紹介件数や紹介元への問い合わせの手間がどう変わったのか。"
    assert not values(q)
    assert the_value("在宅相談ステーション 相談件数 職員体制").text == "相談件数"


def test_an_era_year_is_met_by_its_short_form() -> None:
    (year,) = [
        c for c in question_constraints("名古屋市の令和2年度の啓発費用") if c.kind == "number"
    ]
    assert unmet([year], ["名古屋市 普及啓発内容(R2年度実績、カッコ内は決算額)"]) == []
    assert unmet([year], ["名古屋市 普及啓発内容(R3年度実績)"]) == [year]


def test_a_value_asked_of_two_places_is_stated_by_either_places_passages() -> None:
    q = "名古屋市はWEB広告にいくら投じたのか、熊本県のテレビCMとあわせて比べたい"
    hits = passages("名古屋市 WEB広告（966,900円）に掲載", "熊本県 テレビCMを県内民放4局、計95本")
    assert "質問の「いくら」に当たる数値" not in missing(q, hits)


def test_a_count_typed_as_a_search_word_wants_a_count() -> None:
    count = the_value("大阪府 在宅医療 連携の拠点 指定数")
    assert count.text == "指定数"
    assert unmet([count], ["大阪府は連携の拠点を市町村ごとに指定している。"]) == [count]
    assert unmet([count], ["大阪府は連携の拠点を48か所指定している。"]) == []


def test_an_aspect_of_a_thing_is_that_thing() -> None:
    q = "再入院など疾病管理面でどのような成果を示しているのか"
    assert unknown_terms(q, ["再入院を防止するなど疾病管理に効果が出ている。"]) == []
    assert asked_things("大阪府ではどの類型の医療機関を想定しているのか") == []
    assert asked_things("どんな書面を交わしているのか") == ["書面"]
    assert asked_things("どのような研修や物品面の支援を行っているのか") == ["研修", "物品"]


def test_a_compound_ends_where_a_verb_begins() -> None:
    # 「医療計画上求められる」: 医療計画上, then 求める; 「医療計画上求」 was a term to find
    q = "連携を担う拠点とでは、医療計画上求められる役割にどのような違いがありますか"
    assert unknown_terms(q, ["医療計画に定める拠点の役割"]) == []
    assert unknown_terms("紹介受診重点医療機関求められる役割", ["役割"]) == ["紹介受診重点医療機関"]


def test_an_example_of_a_thing_is_that_thing_but_a_sample_form_is_a_thing_of_its_own() -> None:
    q = "1号機能について、協議でどのような方策例が示されていますか"
    assert unknown_terms(q, ["方策1:医療機関間で患者情報を共有する。"]) == []
    assert asked_things("かかりつけ医機能報告の記入例はどこで手に入る？") == ["記入例"]


def test_a_count_something_is_paid_in_proportion_to_is_no_count_asked() -> None:
    q = "在宅の患者さんが増えた人数に応じて補助金を出す事業をやめた県の、やめた理由は？"
    assert not values(q)
    assert values("登録している人数は？")


def test_how_much_a_count_grew_is_met_by_a_ratio_even_with_an_adverb_between() -> None:
    q = "インターネット予約を導入してから、検査の依頼件数は実際どのくらい増えたのでしょうか？"
    assert (
        unmet(question_constraints(q), ["CT及びMRIの検査依頼件数は11年間で3.2倍に増加した。"]) == []
    )


def test_how_much_shorter_wants_a_duration_or_a_share() -> None:
    value = the_value("ガイドブックを使い始めてから、退院調整の日数はどれくらい短くなりましたか。")
    assert unmet([value], ["ガイドブックを作成し、入退院支援の手順を統一した。"]) == [value]
    assert unmet([value], ["退院調整の期間が平均5日短縮した。"]) == []


def test_a_period_left_vague_is_met_by_the_period_stated() -> None:
    q = "申し込みから一定期間内に必ず受け入れてもらう仕組みを作っている病院の例"
    assert unknown_terms(q, ["申し込みから2週間以内に確実に受け入れてもらえる体制"]) == []


def test_a_fee_typed_as_a_search_word_wants_an_amount() -> None:
    fee = the_value("うすき石仏ねっと 石仏カード 利用料 自己負担")
    assert unmet([fee], ["石仏カードを住民に配布し、救急時に活用している。"]) == [fee]
    assert unmet([fee], ["石仏カードの利用料は月額3,000円である。"]) == []
    # a document typed as a search word is no fee (「周知用資料」)
    assert not values("ガイドライン 別冊 掲示物 周知用資料")


def test_a_pay_typed_as_a_search_word_and_a_duration_asked_either_way_want_values() -> None:
    pay = the_value("北海道家庭医療学センター 専攻医 給与 年収")
    assert unmet([pay], ["専攻医は郡部の診療所で研修を受ける。"]) == [pay]
    q = "地域医療連携推進法人は、申請から認定までどのくらいの期間がかかりますか？"
    assert any(c.text == "期間" for c in values(q))


def test_in_respect_of_a_thing_is_that_thing() -> None:
    q = "専攻医にとってどんな研修上の位置づけになっているのですか"
    assert asked_things(q) == ["研修"]
    assert unknown_terms(q, ["専攻医の研修の場となっている。"]) == []
    assert asked_things("どんな機能向上を図ったのか") == ["機能向上"]


def test_a_doctor_of_a_programme_the_material_names_is_no_unknown_term() -> None:
    q = "在宅医療を担う病院には、臨床研修医の受け入れについてどんな役割が求められますか"
    assert unknown_terms(q, ["臨床研修制度における地域医療研修の機会の確保に努めること"]) == []
    assert unknown_terms("総合診療専門医の採用数は？", ["総合診療を担う医師の育成"]) == [
        "総合診療専門医"
    ]


def test_how_much_a_count_changed_asked_with_an_adverb_is_no_count_asked() -> None:
    q = "紹介や検査依頼の件数が定量的にどの程度変化したかを示す事例はあるか。"
    assert not [c for c in values(q) if "件数" in c.text]


def test_a_share_asked_however_it_ends_wants_a_percentage() -> None:
    for q in (
        "かかりつけのお医者さんがいる人って、全国でどれくらいの割合なの？",
        "体制ありと確認された医療機関は全国でどのくらいの割合でしたか。",
    ):
        (share,) = values(q)
        assert unmet([share], ["かかりつけ医を持つことを推奨している。"]) == [share]
    q = "アンケートは、どこの部署を対象にして、どれくらいの割合で回答が返ってきたの？"
    shares = values(q)
    assert unmet(shares, ["34都道府県及び13政令市より回答を回収(回答率:70%)"]) == []


def test_an_average_compared_with_is_no_average_asked() -> None:
    q = "医師も看護師も県平均を下回る圏域で、人手を融通し合っている法人の例を探しています"
    assert not values(q)
    assert [c.text for c in values("一人あたりの平均入院日数は？")]


def test_at_any_time_asks_no_time() -> None:
    q = "急に入院が必要になったとき、いつでも受け入れられるようにベッドを用意している病院の例は？"
    assert not values(q)
    assert values("協議の場はいつ開くの？")


def test_a_unit_price_typed_as_a_search_word_wants_an_amount() -> None:
    price = the_value("協議の場 コーディネーター 配置 補助単価")
    assert unmet([price], ["コーディネーターを配置し、協議の場を運営する。"]) == [price]
    assert unmet([price], ["補助単価は1人あたり年額500万円とする。"]) == []


def test_between_departments_when_a_symptom_worsens_and_a_survey_name_are_no_terms() -> None:
    q = "都道府県と市町村との連携はどの部局間のルートを基本とすべきとされているか"
    assert unstated_things(q, ["医療政策担当部局と介護保険担当部局の連携の推進"]) == []
    q = "主治医が訪問診療を行えない場合や患者の症状悪化時に、どのような体制で対応しているのか"
    assert unknown_terms(q, ["症状が悪化した場合には、まずは訪問看護師が訪問する"]) == []
    q = "自治体調査の中で、補助事業を終了したと回答した県はありますか"
    assert unknown_terms(q, ["補助事業は令和3年度に終了した。"]) == []


def test_the_make_up_of_a_team_is_told_by_who_is_in_it() -> None:
    q = "郡部の診療所にどのような構成の医師チームを派遣しているのですか"
    assert asked_things(q) == []


def test_who_is_open_right_now_wants_opening_hours() -> None:
    now = the_value("新居浜で夜中に子どもが熱を出したら、今あいてる病院ってどこ？")
    assert unmet([now], ["新居浜市・西条市の外来医療に関する協議の場を設ける。"]) == [now]
    assert unmet([now], ["夜中に子どもを診る当番の病院は19時から23時まで開いている。"]) == []
    assert not values("今やっている取組は？")


def test_a_number_the_question_gives_or_a_labels_number_is_not_the_count_asked() -> None:
    q = "八戸のConnect8に参加している約300の事業所のうち、薬局と歯科診療所はそれぞれ何か所ありますか。"
    count = the_value(q)
    assert unmet([count], ["Connect8には約300の事業所が参加し、薬局も歯科診療所も加わる。"]) == [
        count
    ]
    assert unmet([count], ["Connect8には薬局が40か所、歯科診療所が12か所参加している。"]) == []
    q = "空床情報を共有するシステムには、いくつの病院が参加していますか。"
    count = the_value(q)
    guideline = "方策3:空床情報を地域で共有し、病院が参加するシステムを構築する。(事例集 P.32 参照)"
    assert unmet([count], [guideline]) == [count]


def test_an_adjective_in_teki_qualifies_the_word_after_it() -> None:
    q = "医師会の在宅相談ステーションは診療所の連携のためにどのような事務的支援を行っているのか"
    assert (
        unknown_terms(q, ["在宅相談ステーションが医師会会員の事務作業を担当し、支援している。"])
        == []
    )


def test_for_whom_and_around_when_are_not_parts_of_a_term() -> None:
    q = "国保加入者向けの資料に、上手な医療のかかり方の啓発を盛り込んでいる自治体はありますか。"
    assert unknown_terms(q, ["国保加入者に配布している手引きに記載し、啓発を行っている"]) == []
    q = "医療機関が毎年いつ頃都道府県に報告する仕組みになっているのか。"
    assert unknown_terms(q, ["医療機関は毎年1~3月に都道府県に報告する。"]) == []


def test_a_value_of_a_fiscal_year_is_stated_with_that_year() -> None:
    q = "秋田県のこども救急電話相談の令和3年度の1日あたり相談件数は何件だったか？"
    asked = values(q)
    answer = (
        "こども救急電話相談の1日あたり相談件数は、令和2年度 4.2件であった。令和3年2月から時間延長。"
    )
    assert unmet(asked, [answer]) == asked
    assert unmet(asked, [answer.replace("令和2年度", "令和3年度")]) == []


def test_how_much_something_fell_wants_a_fall_and_whether_one_pays_wants_a_cost() -> None:
    fall = the_value("退院後に関わった患者の入院はどれくらい減ったのか？")
    assert unmet([fall], ["退院後の患者の新規入院患者数は約3倍に増加している。"]) == [fall]
    assert unmet([fall], ["退院後の患者の入院が10%減少した。"]) == []
    cost = the_value("登録システムに高齢者が登録するとき、本人に費用負担はあるのか？")
    assert unmet([cost], ["高齢者が登録システムに情報を登録しておく。"]) == [cost]
    assert unmet([cost], ["登録システムへの高齢者の登録は無料である。"]) == []


def test_a_label_or_a_page_of_the_contents_is_no_count() -> None:
    beds = the_value("かかりつけ医機能報告 報告対象 病床数 除外")
    labels = "(1) かかりつけ医機能報告制度の年間スケジュール\n図3 かかりつけ医機能報告の報告対象"
    assert unmet([beds], [labels]) == [beds]
    assert (
        unmet([beds], ["かかりつけ医機能報告の報告対象から病床数200床以上の病院を除外する。"]) == []
    )
    contents = "第2章 かかりつけ医機能報告 6\n第3節 報告対象の病床..... 14"
    toc = case_chunk("toc", "", "", contents, section="目次", doc_id="guideline")
    toc.metadata["section_kind"] = "toc"
    assert "質問の「病床数」に当たる数値" in missing(
        "かかりつけ医機能報告 報告対象 病床数 除外", [SearchHit(chunk=toc, score=1.0)]
    )


def test_which_place_has_the_highest_share_wants_a_share() -> None:
    share = the_value("かかりつけ医を持っている住民の割合が最も高かった都道府県はどこでしたか。")
    assert unmet([share], ["県ホームページでかかりつけ医を持つことを住民に呼びかけている。"])
    assert unmet([share], ["かかりつけ医を持っている住民の割合は56%であった。"]) == []


def test_which_facilities_a_scheme_chose_wants_them_named() -> None:
    chosen = the_value(
        "新居浜とか西条で、「積極的役割を担う医療機関」に選ばれてる病院ってどこなの？"
    )
    rule = "積極的役割を担う医療機関には在宅医療の提供及び他医療機関の支援が求められる。"
    assert unmet([chosen], [rule]) == [chosen]


def test_how_much_a_cost_differs_wants_a_sum() -> None:
    cost = the_value("在宅医療と入院中心の高齢者とで、一人当たりの医療費にどのくらい差があるのか。")
    assert unmet([cost], ["在宅医療を受ける高齢者の医療費を市町村ごとに把握する。"]) == [cost]
    assert unmet([cost], ["一人当たりの医療費は在宅医療で月30万円、入院で月50万円である。"]) == []


def test_how_much_a_fee_adds_wants_a_sum_points_or_units() -> None:
    fee = the_value("夜中でも対応できる体制をとったら、報酬ってどれくらい上乗せされるんですか？")
    assert unmet([fee], ["訪問看護ステーションは24時間体制をとり、夜中でも対応している。"])
    assert unmet([fee], ["24時間対応体制をとると報酬に月6,800円が上乗せされる。"]) == []


def test_how_many_of_a_kind_is_a_count_next_to_that_kind() -> None:
    dentists = next(
        c
        for c in values("うすき石仏ねっとに加わっている歯科医院は何か所ですか？")
        if c.text == "何か所"
    )
    listed = (
        "臼杵市の医療機関27施設のほか、歯科医院、調剤薬局など、計85機関が石仏ねっとに参加している。"
    )
    assert unmet([dentists], [listed]) == [dentists]
    assert unmet([dentists], ["石仏ねっとには歯科医院12か所が加わっている。"]) == []
    # counted by what the count says they are: 「計85機関が参加」 answers how many 機関
    members = the_value("臼杵市の石仏ねっとに参加している機関は何か所あるのか")
    assert unmet([members], [listed]) == []
    # asked 「いくつ」 the same way
    pharmacies = the_value("石仏ねっとに参加している85機関のうち、調剤薬局はいくつ入っているのか")
    assert unmet([pharmacies], [listed]) == [pharmacies]
    assert unmet([pharmacies], ["石仏ねっとには調剤薬局が15か所参加している。"]) == []
    # a minimum laid down next to them still does not say how many there are
    points = the_value("新居浜・西条圏域には連携を担う拠点がいくつ設定されているのか")
    assert unmet([points], ["圏域ごとに連携を担う拠点を少なくとも1つは設定すること。"]) == [points]
    # a minimum (「最低いくつ」) is laid down of the area: 「圏域に1つ以上…位置づける」
    least = the_value("積極的医療機関は圏域に最低いくつ置くことになっている？")
    assert unmet([least], ["積極的医療機関は各圏域に1つ以上位置づける。"]) == []


def test_by_how_many_it_grew_wants_a_growth_stated() -> None:
    q = "くらげ方式の支援で機能強化型の届出ができた診療所は、実際に何か所増えましたか。"
    grew = the_value(q)
    groups = (
        "豊田市では7つの在宅療養支援診療所(うち4医療機関は機能強化型)でグループを構成している。"
    )
    assert unmet([grew], [groups]) == [grew]
    assert unmet([grew], ["機能強化型の届出ができた診療所はくらげ方式で3か所増えた。"]) == []


def test_which_of_two_has_more_wants_counts() -> None:
    more = the_value("新居浜市と西条市だと、当番のお医者さんはどっちが多いの？")
    assert more.text == "どっちが多い"
    assert unmet([more], ["新居浜市と西条市で在宅当番医制を組んでいる。"]) == [more]
    assert unmet([more], ["当番のお医者さんは新居浜市で42人、西条市で35人である。"]) == []


def test_between_those_named_is_still_those_named() -> None:
    assert (
        unknown_terms("参加法人同士で医薬品を共同購入している例", ["参加法人が購入する医薬品"])
        == []
    )


def test_what_a_time_is_like_asks_no_time() -> None:
    assert not values("退院してすぐの時期は在宅生活が不安定になりがちですが、支えている事例は？")
    assert the_value("報告の時期は？").text == "時期は"


def test_which_facility_was_agreed_on_wants_one_named() -> None:
    q = "協議の場では、最終的にどの医療機関が新たに輪番に加わることで合意しましたか。"
    agreed = the_value(q)
    assert unmet([agreed], ["在宅当番医の負担が重いという課題について協議した。"]) == [agreed]
    assert unmet([agreed], ["協議の結果、医療法人○○会が新たに輪番に加わることで合意した。"]) == []


def test_a_share_asked_in_passing_is_still_a_share() -> None:
    share = the_value("かかりつけのお医者さんがいない人って、全国の割合とかわかる？")
    assert unmet([share], ["かかりつけ医を持つことを住民に呼びかけている。"]) == [share]


def test_a_rough_figure_describes_the_asker_and_is_no_number_asked() -> None:
    assert ("number", "30床") not in kinds("30床ほどの小さな病院がどう備えているか")
    assert ("number", "30床") in kinds("30床の病院の取組は？")


def test_which_did_more_or_how_money_is_split_wants_figures() -> None:
    q = "柏の主治医・副主治医制とくらげ方式とでは、どちらが負担をより大きく減らしたと評価されているのか。"
    more = the_value(q)
    assert unmet([more], ["柏の主治医・副主治医制は主治医の負担を減らした。"]) == [more]
    split = the_value(
        "副主治医が代わりに往診したときのお金って、主治医と副主治医でどうやって分けてるの？"
    )
    assert unmet([split], ["主治医が行けないときは副主治医が代わりに往診する。"]) == [split]
    assert unmet([split], ["往診のお金は主治医と副主治医で按分している。"]) == []


def test_how_a_count_changed_asked_what_change_is_no_count_asked() -> None:
    assert not values("紹介の件数にどのような変化があったのでしょうか。")


def test_a_minimum_said_with_at_least_is_not_how_many_there_are() -> None:
    how_many = the_value("大阪府 積極的役割を担う医療機関 指定数 二次医療圏別")
    rule = "積極的役割を担う医療機関を圏域内に少なくとも1つは設定すること"
    assert unmet([how_many], [rule]) == [how_many]


def test_which_of_two_places_is_worse_wants_figures() -> None:
    q = "新居浜市と西条市では、開業医の高齢化はどちらの市のほうが深刻なのか。"
    worse = the_value(q)
    assert unmet([worse], ["新居浜市と西条市では開業医の高齢化が進んでいる。"]) == [worse]


def test_what_kind_of_support_is_told_where_a_passage_says_how_it_supports() -> None:
    q = "織田病院は院内にどのような支援体制を設けているのか。"
    team = "病院内に在宅医療支援チームを設置し、退院後2週間の手厚い対応を行っている。"
    assert unstated_things(q, [team]) == []
