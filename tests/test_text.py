from pathlib import Path

import pytest

from facilitator.text import normalize_query, normalize_text, one_line, sentences, wareki_date


def test_nfkc_turns_full_width_digits_and_half_width_kana_into_standard_forms() -> None:
    assert normalize_query("２４時間ｶﾞｲﾄﾞ") == "24時間ガイド"


def test_kangxi_radicals_become_ordinary_kanji() -> None:
    assert normalize_query("在宅医療の⽅策") == "在宅医療の方策"


def test_radical_supplement_look_alikes_are_mapped() -> None:
    assert normalize_query("⻑野県の住⺠") == "長野県の住民"


def test_stray_html_table_markup_is_removed() -> None:
    text = '<ul style="list-style-type: none"> ▶研修を実施している。</ul>'
    assert normalize_query(text) == "▶研修を実施している。"


def test_emphasis_marks_of_a_converted_source_are_not_text() -> None:
    line = "事前に市町村と**十分に協議することが重要である。** なお、"
    assert normalize_query(line) == "事前に市町村と十分に協議することが重要である。 なお、"
    assert normalize_text("**在宅医療の体制**\n本文です。") == "**在宅医療の体制**\n本文です。\n"


def test_runs_of_blank_lines_and_spaces_collapse() -> None:
    assert normalize_text("a  \t b\n\n\n\nc\r\n") == "a b\n\nc\n"


def test_normalisation_is_idempotent() -> None:
    for name in ("002_8616d96b9cfa0379.txt", "003_00c58b324add3c35.txt"):
        raw = Path("corpus", name).read_text(encoding="utf-8")
        once = normalize_text(raw)
        assert normalize_text(once) == once


def test_circled_numbers_keep_their_meaning() -> None:
    assert normalize_query("【方策①】 取組の詳細 ⑫") == "【方策①】 取組の詳細 ⑫"


def test_a_stored_utc_time_is_shown_in_japan_time() -> None:
    from facilitator.text import japanese_time

    assert japanese_time("2026-12-03T08:48:00+00:00") == "2026年12月3日 17:48"
    assert japanese_time("昨日") == "昨日"


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("2026年7月15日（水）", "令和8年7月15日（水）"),
        ("2026-07-15", "令和8年7月15日（水）"),
        ("2026/7/15", "令和8年7月15日（水）"),
        ("２０２６年０７月１５日", "令和8年7月15日（水）"),
        ("2026年7月15日（月）", "令和8年7月15日（水）"),  # a wrong weekday is recomputed
        ("2026年7月15日(水曜日)", "令和8年7月15日（水）"),
        ("2019年5月1日", "令和元年5月1日（水）"),
        ("2027-01-04", "令和9年1月4日（月）"),
    ],
)
def test_wareki_date_prints_reiwa_with_the_weekday(given: str, printed: str) -> None:
    assert wareki_date(given) == printed


@pytest.mark.parametrize(
    "given",
    [
        "令和8年7月15日（水）",
        "7月15日",
        "2026年2月30日",
        "2019-04-30",
        "2026年7月15日 午後",
        "未定",
    ],
)
def test_wareki_date_keeps_what_it_cannot_read(given: str) -> None:
    assert wareki_date(given) == given


def test_a_full_stop_inside_brackets_does_not_end_the_sentence() -> None:
    text = "急変時の対応体制（重症例を除く。）や連携体制の構築が図られるよう設定する。次の文。"
    assert sentences(text) == [
        "急変時の対応体制（重症例を除く。）や連携体制の構築が図られるよう設定する。",
        "次の文。",
    ]
    assert sentences("彼は「ありがとう。」と言った。") == ["彼は「ありがとう。」と言った。"]


def test_a_sentence_the_layout_broke_over_lines_is_one() -> None:
    """Slides and PDF pages break sentences at the width of the page: quoted line by line,
    「…身近で頼りになる」 stopped before what the doctor is."""
    slide = (
        "「かかりつけ医」とは（定義）\n"
        "・なんでも相談できる上、最新の医療情報を熟知して、必要な時に専門医を紹介でき、身近で頼りになる\n"
        "地域医療、保健、福祉を担う総合的な能力を有する医師。\n"
        "・かかりつけ医は、日常行う診療においては、患者の生活背景を把握し、適切な診療を行う。"
    )
    found = sentences(slide)
    assert found[1].endswith(
        "身近で頼りになる\n地域医療、保健、福祉を担う総合的な能力を有する医師。"
    )
    assert all(s in slide for s in found)  # still verbatim: quotes verify
    assert found[0] == "「かかりつけ医」とは（定義）" and len(found) == 3
    # a heading, a list item, a table's next cell, a blank line: a new sentence each
    body = "本文の一行目はここで終わり、次の行に続かない長さのある文章です\n"
    for following in (
        "・次の項目である。",
        "(2) 次の見出しの文。",
        "その他 「地域の連携」を行う。",
    ):
        assert len(sentences(body + following)) == 2
    assert len(sentences(body + "\n続きの段落である。")) == 2
    assert len(sentences(body + "続きの文である。")) == 1
    assert len(sentences("短い見出し\n" + body + "続きの文である。")) == 2


def test_a_quote_reads_as_one_line_without_the_layouts_breaks() -> None:
    assert (
        one_line("身近で頼りになる\n地域医療を担う医師。") == "身近で頼りになる地域医療を担う医師。"
    )
    assert one_line("Digital\nTransformation を進める。") == "Digital Transformation を進める。"
    # a schedule's time on its own line, over what happens then: read apart, not run together
    assert one_line("4~6月頃\n報告内容の集計・分析等") == "4~6月頃 報告内容の集計・分析等"
    assert one_line("- 11月頃~\n医療機関への定期報告依頼") == "- 11月頃~ 医療機関への定期報告依頼"
