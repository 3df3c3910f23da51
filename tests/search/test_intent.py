"""Which answer a question asks for, read from its wording."""

from __future__ import annotations

import pytest

from facilitator.search.intent import (
    asked_sheet_fields,
    asks_about_cities,
    asks_about_governments,
    asks_about_publicity,
    asks_for_a_list,
    asks_for_definition,
    asks_for_meaning,
    asks_for_precedents,
    asks_what_is_common,
    asks_when,
    is_question,
    wants_precedents_only,
)


@pytest.mark.parametrize(
    "question",
    [
        "診療所に病児保育室を併設している事例はある？",
        "家庭医を目指す医師の研修の場になっている診療所の例",
        "夜間の電話相談を設けている自治体は？",
        "職員が辞めずに働けるよう職場を工夫している医療機関は？",
        "地域フォーミュラリに取り組んでいるところはある？",
        "前もって病院に名前とか登録しておける仕組みってあるの？",
        # spoken: 「どこかで」「…ところってある？」, who does it (「…先生はいる？」)
        "救急隊が持病を確認できる仕組みってどこかでやってる？",
        "急に具合悪くなったとき、すぐ病院に入れてもらえる仕組みってどこかにあるの？",
        "病院の検査枠を診療所から直接取れるようにしたところってある？",
        "病院がなくなった町で医師会が立て直した話ってある？",  # a story of what someone did
        "子どもたちに看取りの話をして回っている先生はいる？",
        # the quoted question is what residents ask; this one asks where they ask it
        "「そもそもかかりつけ医って何？」という問い合わせが多いところは？",
    ],
)
def test_questions_about_what_others_did_want_precedents(question: str) -> None:
    assert wants_precedents_only(question)


@pytest.mark.parametrize(
    "question",
    [
        "協議の場ではどう話し合う例がガイドラインに示されている？",  # the guideline's example
        "かかりつけ医機能報告の年間スケジュールは？",
        "在宅療養支援病院とは？",
        "医師の高齢化で当番が組めない",  # a problem stated: the best passage decides
        "在宅医療の連携の拠点は、どんなところが引き受けられる？",  # who may, not who did
        "在宅療養後方支援病院って何？",
        "協力医療機関はどんな体制を持つことになっている？",  # a rule, asked of whom it binds
        "連携の拠点は医師会でもいいの？",
        "高齢者をかかりつけ医につなぐ方策は、協議の例に出てくる？",  # the guideline's examples
        "医療機関は何月に報告を出すんだっけ？",  # when the rule says, of whom it binds
    ],
)
def test_questions_about_what_a_document_says_do_not(question: str) -> None:
    assert not wants_precedents_only(question)


@pytest.mark.parametrize(
    ("question", "governments"),
    [
        ("問い合わせが多い自治体はどこ？", True),  # the survey's views and inquiries answer
        ("かかりつけ医が浸透していないという声のある都道府県は？", True),
        ("医者がいなくなった村に医師が交代で通う仕組みを作っている例は？", False),
        ("訪問診療を始めたい医師向けに研修をやっている県はある？", True),  # a bare 県
        ("大阪府は積極的役割を担う医療機関をどう位置づけた？", False),  # a place
        ("「県は何をしているのか」という声がある地域の例は？", False),  # quoted
        ("住民が県や市に問い合わせてくるのはどんな内容？", True),  # both, as askers of
        ("県とか市の相談窓口には、住民からどんな問い合わせが多いの？", True),  # spoken
        ("福井県で、県や医師会と組んで研修会を開いてる病院は？", False),  # a partner
        ("県庁の中で医療と介護の担当課の席を近づけた例はある？", True),  # its own offices
        ("病院のかかり方のことで、住民から役所にはどんな問い合わせが多いんですか？", True),
        ("体温や血圧を共有する仕組み、県として入れるのを後押ししている例はありますか。", True),
        # a hospital's practice within a prefecture's scheme: the hospital acts
        ("届出ができない中小病院が、府県の登録制度に加わって入院を引き受けている例は？", False),
        ("医療機関が少ない自治体はどう対応している？", True),
    ],
)
def test_questions_about_prefectures_and_cities(question: str, governments: bool) -> None:
    assert asks_about_governments(question) is governments


def test_questions_about_the_designated_cities_alone() -> None:
    assert asks_about_cities("費用まで示して回答した政令市はどんな広報をしているか")
    assert asks_about_cities("政令指定都市 医療のかかり方 啓発")
    assert not asks_about_cities("都道府県や政令市に寄せられる問い合わせは？")
    assert not asks_about_cities("県や政令市はどう周知している？")
    assert not asks_about_cities("市の広報紙で周知している自治体は？")


def test_a_colloquial_definition_question_asks_what_a_document_says() -> None:
    assert asks_for_definition("在宅療養後方支援病院って何？")
    assert asks_for_meaning("1号機能って何のこと？")
    assert asks_for_definition("協議の進め方は？") and not asks_for_meaning("協議の進め方は？")
    assert asks_for_definition("つなぐ方策は、協議の例に出てくる？")
    # what the council is to do: the guideline's example sheets, not what others did
    assert asks_for_definition(
        "入院先がなかなか見つからない。協議の場ではどんな対策が考えられてるの？"
    )
    assert asks_for_definition("施設と医者がつながってない。話し合いの場では何をしたらいいの？")
    assert asks_for_definition("在宅療養後方支援病院は、どういう役割の病院として説明されているか")
    assert not asks_for_definition("「かかりつけ医って何？」という問い合わせが多い自治体は？")


@pytest.mark.parametrize(
    "question",
    [
        # a place doing it, spoken too (「組んでる」 is 組んでいる); who does what there asks too
        "患者の自宅に紙の記録を置いている地域では、誰が記入する？",
        "主治医と副主治医で組んでる地域だと最初に誰が来てくれるの？",
        "救急隊が私の持病をすぐに分かるような仕組みがある町はありますか",
        "隊員さんが薬をすぐわかるようにしている町があるって聞いたんですけど、どこのことですか？",
        "前もって病院に登録しておける仕組みがある地域ってある？",
    ],
)
def test_a_place_doing_something_is_asked_about_as_a_precedent(question: str) -> None:
    assert asks_for_precedents(question)


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("国の例示ではどんな原因と対策が挙がっている？", ["cause", "measure"]),
        ("協議の例で、目指す姿と効果はどう書かれている？", ["goal", "effect"]),
        ("夜間の輪番を組んでいる例は？", []),
        # why, and how they try to solve it; a problem left unsolved asks for no measure
        (
            "夜中に診てもらえないのはなぜ？地域ではどうやって解決しようとしているの？",
            ["cause", "measure"],
        ),
        ("課題をどの単位で整理し、そこで解決できないものはどこで話し合う？", []),
        # steps named, or a time asked: no example sheet says it
        ("協議はどういう順番？原因を出し合ってから対策、みたいな流れ？", []),
        ("協議の場で決めた方策の効果はどのタイミングで確かめる？", []),
        # who takes part and over what area; asked who decides them, the council paper says
        (
            "入退院支援の協議では、どの範囲の圏域で、どんな関係者が参加する想定？",
            ["area", "participants"],
        ),
        ("夜中に診てもらえない地域があるのはなんで？", ["cause"]),
        ("急変が怖くて在宅に踏み出せない医師には、どんな後押しがある？", ["measure"]),
        # how to secure what is lacking: the sheet's 方策
        ("急変時に受け入れてくれる病院をどうやって確保していけばいいの？", ["measure"]),
        ("休日夜間の当番がもう回らない。協議の場ではどうしろって話になってるの？", ["measure"]),
        ("先生たちが年取って当番が回らない。協議の場ではどういう手が考えられてるの？", ["measure"]),
        ("どんな手続きで報告するの？", []),
        ("「協議の場」の圏域と参加者は誰が決定するのか", []),
        ("協議の場 圏域 参加者 決め方", []),  # how they are decided, not who takes part
        ("介護施設とうまくつながってないとき、話し合いの場では何をしたらいいの？", ["measure"]),
    ],
)
def test_the_example_sheet_fields_a_question_asks_for(question: str, fields: list[str]) -> None:
    assert asked_sheet_fields(question) == fields


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("医師の高齢化で当番が組めない", False),  # a problem stated
        ("在宅医療を担う医師が足りない。", False),
        ("協議の場の結果はいつ公表する", True),  # asks when, without a question mark
        ("後方支援病院って何て呼ぶんだっけ", True),
        ("報告は毎年出すの", True),
        ("連携の拠点が果たす役割を全部教えて", True),  # a request asks too
        ("補助の上限額を知りたい", True),
        ("「誰が担うのか」という声", False),  # the quoted question is not this one's form
    ],
)
def test_a_question_is_told_from_a_problem_stated(text: str, question: bool) -> None:
    assert is_question(text) == question


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("医療機関は毎年何月ごろ報告するの？", True),
        ("協力医療機関を定めるのはいつから義務？", True),
        ("協議の場には誰を呼べばいい？", False),
        ("電話相談は何時から何時まで？", True),  # a time of day
        ("研修は何時間受ける？", False),  # how long, a count of hours
    ],
)
def test_asking_when(text: str, when: bool) -> None:
    assert asks_when(text) == when


def test_a_time_of_day_is_a_time_and_a_count_of_hours_is_not() -> None:
    from facilitator.search.intent import TIME

    assert TIME.search("毎日19:00～22:00（県医師会へ委託）")
    assert TIME.search("受付が始まる19時まで")
    assert not TIME.search("24時間体制で往診する")


@pytest.mark.parametrize(
    "question",
    [
        "夜中に代わりに診てくれる仕組みを作ってるところってある？",
        "薬の情報を救急隊と共有してる地域ってある？",
        "医師会が当番を組んでるところは？",
    ],
)
def test_spoken_contractions_read_like_the_written_form(question: str) -> None:
    """「作ってるところ」 is 「作っているところ」: asked as spoken, still a precedent question."""
    assert wants_precedents_only(question)


@pytest.mark.parametrize(
    ("question", "publicity"),
    [
        ("住民にかかりつけ医を持つよう周知している例は？", True),
        ("上手な医療のかかり方のチラシを配った地域", True),
        ("救急隊が服薬情報を確認できる仕組みを作っている地域は？", False),
    ],
)
def test_asking_about_telling_residents(question: str, publicity: bool) -> None:
    assert asks_about_publicity(question) == publicity


@pytest.mark.parametrize(
    ("question", "a_list"),
    [
        ("連携の拠点の要件は？", True),
        ("在宅医療 連携の拠点 要件 大阪府", True),  # typed as keywords
        ("在宅医療の「連携の拠点」って、具体的にどんなことをやるところなの？", True),
        ("連携拠点を引き受けたら、具体的にどういう仕事をすることになるの", True),
        ("拠点に位置づけられた機関は、どのような役割を果たす必要があるか", True),
        ("「連携の拠点」って、実際に何をしてくれるところなんですか？", True),
        ("連携の拠点はどこが担っている？", False),  # who, not what it does
    ],
)
def test_asking_what_someone_is_to_do_asks_for_the_list(question: str, a_list: bool) -> None:
    assert asks_for_a_list(question) is a_list


@pytest.mark.parametrize(
    ("question", "common"),
    [
        ("住民から県や市に寄せられる問い合わせで、多いのはどんな内容？", True),
        ("窓口には住民からどんな相談がよく来ているの？", True),
        ("県民 問合せ 多い内容", True),
        # the content is named and who gives that answer is asked
        ("「何科に行けばいい？」という問い合わせが多い自治体は？", False),
        ("どんな相談が多い自治体がある？", False),
        ("住民からの問い合わせにはどんなものがある？", False),
    ],
)
def test_asking_what_most_answers_say(question: str, common: bool) -> None:
    assert asks_what_is_common(question) == common


def test_a_later_sentence_asking_what_is_shown_asks_it_of_the_precedent_first_asked() -> None:
    q = "別の法人の医師が代わりに診ている例はあるか。入院の回数などへの効果は示されているか。"
    assert wants_precedents_only(q)
    assert asks_for_definition(
        "入院の回数などへの効果は示されているか。別の法人の医師が代わりに診ている例は？"
    )
    # a first sentence asking what a document says keeps its reading
    assert asks_for_definition("かかりつけ医機能報告とは何か。報告している病院の例は？")


def test_a_system_asked_of_a_place_named_is_what_that_place_runs() -> None:
    assert wants_precedents_only("前もって病院に名前を登録しておける仕組みってあるの？")
    assert not wants_precedents_only("大阪府にはその費用を補助する仕組みがある？")
