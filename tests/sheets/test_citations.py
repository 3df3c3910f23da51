"""Citation checks, the product's core promise: a citation is verified only when its chunk
exists, was retrieved for this use, and its quote is verbatim in the chunk's text."""

from __future__ import annotations

import pytest

from facilitator.sheets.citations import (
    MIN_QUOTE_CHARS,
    keep_verified,
    keep_verified_citations,
    verify_citation,
)
from facilitator.sheets.model import AreaRef, Citation, IssueSheet, Statement
from facilitator.text import normalize_query
from tests.support.chunks import case_chunk

# Chunk text is normalised source text (NFKC: 「（ＡＣＰ」 reads 「(ACP」).
TEXT = normalize_query(
    "在宅当番医の輪番を地区ごとに組み直した。夜間の往診は医師会が調整する（ＡＣＰ研修を含む）。"
)
CHUNK = case_chunk("casebook-2022:jirei-17:detail-1", "事例17", "柏市医師会", TEXT)
CHUNKS = {CHUNK.chunk_id: CHUNK}


@pytest.mark.parametrize(
    ("chunk_id", "quote", "allowed", "problem"),
    [
        (CHUNK.chunk_id, "在宅当番医の輪番を地区ごとに組み直した", None, None),
        (CHUNK.chunk_id, "夜間の往診は医師会が調整する", {CHUNK.chunk_id}, None),
        (CHUNK.chunk_id, "ＡＣＰ研修を含む", None, None),  # typed full-width: NFKC
        (
            "casebook-2022:jirei-99:detail-1",
            "在宅当番医の輪番を地区ごとに",
            None,
            "索引にありません",
        ),
        (CHUNK.chunk_id, "在宅当番医の輪番を地区ごとに", {"other"}, "検索された資料ではありません"),
        (CHUNK.chunk_id, "輪番", None, f"{MIN_QUOTE_CHARS}文字以上"),
        (CHUNK.chunk_id, "在宅当番医の輪番を市ごとに組み直した", None, "本文にありません"),
        (CHUNK.chunk_id, "在宅当番医の輪番を地区ごとに 組み直した", None, "本文にありません"),
    ],
)
def test_verify_citation(
    chunk_id: str, quote: str, allowed: set[str] | None, problem: str | None
) -> None:
    checked = verify_citation(Citation(chunk_id=chunk_id, quote=quote), CHUNKS, allowed)
    assert checked.verified is (problem is None)
    if problem is None:
        assert checked.problem is None and checked.quote in TEXT
    else:
        assert checked.problem is not None and problem in checked.problem


def test_locator_title_and_case_come_from_the_index_not_the_proposer() -> None:
    forged = Citation(
        chunk_id=CHUNK.chunk_id,
        quote="夜間の往診は医師会が調整する",
        locator="事例1 どこか",
        doc_title="偽の資料",
        case_id="事例1",
        verified=True,
    )
    checked = verify_citation(forged, CHUNKS)
    assert checked.verified
    assert (checked.locator, checked.doc_title, checked.case_id, checked.case_name) == (
        CHUNK.locator.label(),
        "事例集",
        "事例17",
        "柏市医師会",
    )


def test_a_citation_marked_verified_by_someone_else_is_checked_again() -> None:
    forged = Citation(
        chunk_id=CHUNK.chunk_id, quote="資料にない文章を引用したつもり", verified=True
    )
    assert not verify_citation(forged, CHUNKS).verified


def test_keep_verified_citations_drops_the_bad_and_repeats_and_says_why() -> None:
    good = Citation(chunk_id=CHUNK.chunk_id, quote="夜間の往診は医師会が調整する")
    bad = Citation(chunk_id="x:y", quote="夜間の往診は医師会が調整する")
    kept, problems = keep_verified_citations([good, bad, good], CHUNKS, None)
    assert [c.quote for c in kept] == ["夜間の往診は医師会が調整する"]
    assert len(problems) == 1 and problems[0].startswith("x:y: ")


def test_keep_verified_names_the_field_of_each_dropped_citation() -> None:
    sheet = IssueSheet(
        area=AreaRef(code="99201", name="架空市"),
        theme="zaitaku",
        issue=Statement(
            text="夜間の往診が足りない。",
            citations=[Citation(chunk_id=CHUNK.chunk_id, quote="在宅当番医の輪番を地区ごとに")],
        ),
        effects=[
            Statement(text="効果", citations=[Citation(chunk_id=CHUNK.chunk_id, quote="創作")])
        ],
    )
    checked, problems = keep_verified(sheet, CHUNKS)
    assert checked.issue.citations[0].verified and not checked.issue.unbacked
    assert checked.effects[0].citations == [] and checked.effects[0].unbacked
    assert problems == [f"effects[0]: {CHUNK.chunk_id}: 引用が短すぎます（6文字以上）"]
    assert sheet.effects[0].citations  # the input sheet is left as it was
