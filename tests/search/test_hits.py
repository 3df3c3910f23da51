"""The one hit type: a chunk with how it was found, flat in ``search --json``, and which
precedent a passage belongs to (drafting, meeting answers and the app all ask this)."""

from __future__ import annotations

import json

import pytest

from facilitator.corpus.chunks import Chunk, Locator
from facilitator.search.hits import (
    SearchHit,
    SearchResult,
    group_key,
    group_label,
    precedent_key,
    reports_practice,
)

PUBLIC_FIELDS = ["chunk_id", "doc_title", "locator", "case_id", "text", "score"]


def chunk(chunk_id: str, case_id: str | None = None, **metadata: object) -> Chunk:
    text = "在宅当番医の輪番を地区ごとに組み直した。"
    return Chunk(
        chunk_id=chunk_id,
        doc_id=chunk_id.split(":")[0],
        doc_title="事例集" if case_id else "資料",
        doc_kind="casebook" if case_id or "respondent" in metadata else "guideline",
        text=text,
        locator=Locator(
            doc_id=chunk_id.split(":")[0],
            doc_title="事例集" if case_id else "資料",
            section="3. 取組の詳細 ①",
            case_id=case_id,
            case_name="柏市医師会" if case_id else None,
            char_start=10,
            char_end=10 + len(text),
        ),
        metadata=metadata,
    )


CASE = chunk("casebook-2022:jirei-17:detail-1", "事例17", location="千葉県柏市")
SURVEY = chunk("casebook-2022:survey:q1:a3", respondent="愛知県", question=1)
INTRO = chunk("casebook-2022:intro-1", section_kind="intro")
GUIDELINE = chunk("guideline-2025:s-4-1")


def test_a_hit_serialises_flat_with_the_documented_fields_first() -> None:
    hit = SearchHit(chunk=CASE, score=0.8123, lexical_rank=1, highlights=["在宅当番医の輪番"])
    data = hit.model_dump(mode="json")
    assert list(data)[: len(PUBLIC_FIELDS)] == PUBLIC_FIELDS
    assert data["locator"] == "事例17 柏市医師会 3. 取組の詳細 ①"
    assert data["case_id"] == "事例17" and data["text"] == CASE.text
    assert data["location"]["char_start"] == 10 and data["metadata"]["location"] == "千葉県柏市"
    assert "chunk" not in data


def test_the_flat_json_reads_back_into_the_same_hit() -> None:
    hit = SearchHit(chunk=CASE, score=0.5, dense_rank=3)
    again = SearchHit.model_validate(json.loads(hit.model_dump_json()))
    assert again == hit and again.chunk == CASE


def test_a_result_serialises_its_hits_flat() -> None:
    result = SearchResult(
        query="輪番",
        mode="hybrid",
        confident=True,
        confidence=0.9,
        hits=[SearchHit(chunk=CASE, score=1.0)],
        index_version="v1",
        embedder="e5",
        took_ms=1.0,
    )
    assert result.model_dump()["hits"][0]["chunk_id"] == CASE.chunk_id


@pytest.mark.parametrize(
    ("source", "key"),
    [(CASE, "事例17"), (SURVEY, "survey:愛知県"), (INTRO, None), (GUIDELINE, None)],
)
def test_which_precedent_a_passage_belongs_to(source: Chunk, key: str | None) -> None:
    hit = SearchHit(chunk=source, score=0.1)
    assert precedent_key(source) == precedent_key(hit) == key
    assert group_key(hit) == (key or source.doc_id)


VIEW = chunk(
    "casebook-2022:survey:q2:4",
    respondent="石川県",
    question=2,
    question_text="都道府県内の都市部、町村部でのかかりつけ医機能の違い",
)
INITIATIVE = chunk(
    "casebook-2022:survey:q1:4",
    respondent="石川県",
    question=1,
    question_text="かかりつけ医機能の強化についての具体的な取組",
)


@pytest.mark.parametrize(
    ("source", "practice"),
    [(CASE, True), (INITIATIVE, True), (VIEW, False), (INTRO, False), (GUIDELINE, False)],
)
def test_cases_and_survey_answers_about_initiatives_tell_what_was_done(
    source: Chunk, practice: bool
) -> None:
    assert reports_practice(source) is practice
    assert precedent_key(VIEW) == "survey:石川県"  # still grouped as the prefecture's answer


def test_group_labels_name_case_and_place_or_the_respondent_or_the_document() -> None:
    assert group_label(SearchHit(chunk=CASE, score=0)) == (
        "事例17 柏市医師会（千葉県柏市）",
        "千葉県柏市",
    )
    assert group_label(SearchHit(chunk=SURVEY, score=0))[0] == "愛知県（衛生部長会調査の回答）"
    assert group_label(SearchHit(chunk=GUIDELINE, score=0)) == ("資料", "")
