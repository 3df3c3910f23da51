"""Does a cited passage support its statement? The score, the quoted sentence, and 参考."""

from __future__ import annotations

from facilitator.drafting.support import (
    SUPPORT_MIN,
    best_sentence,
    cite_best,
    mark_support,
    support,
)
from facilitator.sheets.model import AreaRef, Citation, IssueSheet, Measure
from facilitator.text import normalize_query
from tests.support.chunks import case_chunk

# 事例15 織田病院: the passage that says both things (issue 9, finding 6).
TEXT = normalize_query(
    "当該医療機関では、病院と在宅医療のシームレスな連携を実現するために、地域の診療所への"
    "逆紹介を積極的に行っており、外来患者数は大幅に減少した。"
    "24時間365日救急患者を絶対断らないことをポリシーとしており、地域密着型病院として"
    "バックアップ体制の確保にも尽力しており、診療所の医師からの信頼も厚い。"
)
CHUNK = case_chunk("casebook-2022:jirei-15:detail-3", "事例15", "織田病院", TEXT, "3. 取組の詳細 ③")
CHUNKS = {CHUNK.chunk_id: CHUNK}
ACCEPT = "病院が、24時間365日、救急患者の受入れを断らない体制を作り、診療所を後方から支える。"
AUTHORS_QUOTE = "24時間365日救急患者を絶対断らないことをポリシーとしており"


def test_support_is_the_share_of_content_words_in_common() -> None:
    assert support(ACCEPT, ACCEPT) == 1.0
    assert support(ACCEPT, "住民向けの講演会で人生会議を紹介した。") < SUPPORT_MIN
    assert support(ACCEPT, "") == 0.0


def test_the_best_sentence_is_quoted_verbatim() -> None:
    found = best_sentence(ACCEPT, TEXT)
    assert found is not None
    quote, score = found
    assert quote in TEXT and quote.startswith("24時間365日") and score >= SUPPORT_MIN


def test_the_authors_quote_is_kept_even_where_word_overlap_prefers_another_sentence() -> None:
    statement = "病院が、地域の診療所の患者の夜間の相談・受入れを担い、診療所と患者情報を共有する。"
    overlap = best_sentence(statement, TEXT)
    assert overlap is not None and "外来患者数" in overlap[0]  # what overlap alone would quote
    cited = cite_best(CHUNKS, CHUNK.chunk_id, statement, AUTHORS_QUOTE)
    assert cited is not None and cited.quote == AUTHORS_QUOTE
    assert cited.support == round(support(statement, AUTHORS_QUOTE), 3)


def test_an_altered_quote_falls_back_to_the_best_sentence() -> None:
    cited = cite_best(CHUNKS, CHUNK.chunk_id, ACCEPT, "24時間救急患者を断らない方針")
    assert cited is not None and cited.quote in TEXT and cited.quote.startswith("24時間365日")
    assert cite_best(CHUNKS, "casebook-2022:none", ACCEPT) is None


def test_weak_citations_become_reference_and_context_stays_reference() -> None:
    strong = Citation(chunk_id=CHUNK.chunk_id, quote=AUTHORS_QUOTE)
    weak = Citation(chunk_id=CHUNK.chunk_id, quote="外来患者数は大幅に減少した。")
    context = Citation(chunk_id=CHUNK.chunk_id, quote=AUTHORS_QUOTE, reference=True)
    sheet = IssueSheet(
        area=AreaRef(code="99201", name="県都市"),
        theme="jikangai",
        measures=[Measure(text=ACCEPT, citations=[strong, weak, context])],
    )
    marked = mark_support(sheet).measures[0].citations
    assert [c.reference for c in marked] == [False, True, True]
    assert marked[0].support >= SUPPORT_MIN > marked[1].support
