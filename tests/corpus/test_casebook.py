"""The casebook parser on the real 「かかりつけ医機能に関する事例集」 text."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from facilitator.corpus.chunks import Chunk, Document
from facilitator.corpus.parsers.base import CaseRecord, ParsedDocument
from facilitator.corpus.parsers.casebook import parse_casebook
from facilitator.settings import PROJECT_ROOT
from facilitator.themes import FOCUS_TAGS, themes_for_tags

CORPUS = PROJECT_ROOT / "corpus"
ICON_LABELS = ("診療所の取組", "病院の取組", "地域の連携の取組", "キャリア支援")
MAX_CHUNK_CHARS = 3000


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    """Parse once per module: the parser is deterministic and the file is fixed."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["documents"] if d["doc_id"] == "casebook-2022")
    doc = Document(**entry)
    return parse_casebook(doc, (CORPUS / doc.path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cases(parsed: ParsedDocument) -> dict[str, CaseRecord]:
    return {c.case_id: c for c in parsed.cases}


@pytest.fixture(scope="module")
def chunks(parsed: ParsedDocument) -> dict[str, Chunk]:
    return {c.chunk_id: c for c in parsed.chunks}


def _path(chunk: Chunk) -> str:
    return chunk.chunk_id.split(":", 1)[1]


def test_twenty_five_cases_in_order(parsed: ParsedDocument) -> None:
    expected = [f"事例{n}" for n in range(1, 20)] + [f"参考{n}" for n in range(1, 7)]
    assert [c.case_id for c in parsed.cases] == expected
    assert [c.slug for c in parsed.cases] == [
        *(f"jirei-{n}" for n in range(1, 20)),
        *(f"sanko-{n}" for n in range(1, 7)),
    ]


@pytest.mark.parametrize(
    ("case_id", "name_part", "prefecture", "category", "location"),
    [
        ("事例1", "北海道家庭医療学センター", "北海道", "診療所", "北海道全域(札幌、室蘭、"),
        ("事例4", "さとう小児科医院", "千葉県", "診療所", "千葉県千葉市"),
        ("事例7", "オレンジホームケアクリニック", "福井県", "診療所", "福井県福井市"),
        ("事例10", "志村大宮病院", "茨城県", "病院", "茨城県常陸大宮市"),
        ("事例14", "なぎ辻病院", "京都府", "病院", "京都府京都市"),
        ("事例17", "柏市医師会", "千葉県", "地域の連携", "千葉県柏市"),
        ("事例19", "福岡市医師会", "福岡県", "地域の連携", "福岡県福岡市"),
        ("参考1", "名寄", "北海道", "参考事例", "北海道名寄市"),
        ("参考2", "日本海ヘルスケアネット", "山形県", "参考事例", "山形県酒田市"),
        ("参考3", "相澤病院", "長野県", "参考事例", "長野県松本市"),
        ("参考4", "尾三会", "愛知県", "参考事例", "愛知県豊明市"),
        ("参考5", "中京病院", "愛知県", "参考事例", "愛知県名古屋市"),
        ("参考6", "うすき石仏ねっと", "大分県", "参考事例", "大分県臼杵市"),
    ],
)
def test_case_metadata(
    cases: dict[str, CaseRecord],
    case_id: str,
    name_part: str,
    prefecture: str,
    category: str,
    location: str,
) -> None:
    case = cases[case_id]
    assert name_part in case.name
    assert case.prefecture == prefecture
    assert case.category == category
    assert case.location.startswith(location)


def test_categories_follow_the_table_groups(parsed: ParsedDocument) -> None:
    counts = Counter(c.category for c in parsed.cases)
    assert counts == {"診療所": 9, "病院": 6, "地域の連携": 4, "参考事例": 6}


# Expected tags read off the ● marks of the overview table by column (see the raw file).
@pytest.mark.parametrize(
    ("case_id", "tags"),
    [
        ("事例1", ["診診連携", "病診連携", "在宅医療", "看取り", "医師のキャリア支援", "その他"]),
        ("事例2", ["診診連携", "介護・福祉との連携", "在宅医療", "多職種連携", "その他"]),
        ("事例4", ["母子保健", "学校保健", "その他"]),
        ("事例6", ["診診連携", "病診連携", "学校保健", "産業保健"]),
        ("事例11", ["介護・福祉との連携", "看取り", "多職種連携"]),
        (
            "事例15",
            [
                "病診連携",
                "病病連携",
                "介護・福祉との連携",
                "休日夜間・24時間対応",
                "在宅医療",
                "多職種連携",
                "有事対応",
                "その他",
            ],
        ),
        ("事例16", ["診診連携", "病診連携", "病病連携", "多職種連携"]),
        (
            "事例17",
            [
                "診診連携",
                "病診連携",
                "介護・福祉との連携",
                "休日夜間・24時間対応",
                "在宅医療",
                "多職種連携",
            ],
        ),
        ("事例18", ["病診連携", "在宅医療", "その他"]),
        ("参考1", []),
    ],
)
def test_tags_from_overview_table(
    cases: dict[str, CaseRecord], case_id: str, tags: list[str]
) -> None:
    case = cases[case_id]
    assert case.tags == tags
    assert case.themes == themes_for_tags(tags)


def test_every_jirei_has_tags_and_only_known_labels(parsed: ParsedDocument) -> None:
    for case in parsed.cases[:19]:
        assert case.tags, case.case_id
        assert set(case.tags) <= set(FOCUS_TAGS)


def test_chunk_text_is_verbatim_span(parsed: ParsedDocument) -> None:
    for chunk in parsed.chunks:
        loc = chunk.locator
        assert chunk.text == parsed.text[loc.char_start : loc.char_end], chunk.chunk_id
        assert chunk.text == chunk.text.strip()


def test_chunk_ids_unique_and_prefixed(parsed: ParsedDocument) -> None:
    ids = [c.chunk_id for c in parsed.chunks]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("casebook-2022:") for i in ids)


# Parses the casebook and prints a digest of its chunk ids and texts (run in a subprocess).
_DIGEST_SCRIPT = """
import hashlib, json, sys
from facilitator.corpus.chunks import Document
from facilitator.corpus.parsers.casebook import parse_casebook
from facilitator.settings import PROJECT_ROOT
corpus = PROJECT_ROOT / "corpus"
manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
doc = Document(**next(d for d in manifest["documents"] if d["doc_id"] == sys.argv[1]))
parsed = parse_casebook(doc, (corpus / doc.path).read_text(encoding="utf-8"))
pairs = [[c.chunk_id, c.text] for c in parsed.chunks]
print(hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest())
"""


def _digest(parsed: ParsedDocument) -> str:
    pairs = [[c.chunk_id, c.text] for c in parsed.chunks]
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()


def test_parse_is_stable(parsed: ParsedDocument) -> None:
    again = parse_casebook(parsed.document, (CORPUS / parsed.document.path).read_text("utf-8"))
    assert [c.chunk_id for c in again.chunks] == [c.chunk_id for c in parsed.chunks]
    # Across runs too: set and dict order must not depend on string hashing.
    digests = set()
    for seed in ("1", "2718"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _DIGEST_SCRIPT, parsed.document.doc_id],
            capture_output=True,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=60,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip())
    assert digests == {_digest(parsed)}


def test_icon_labels_not_in_case_chunks(parsed: ParsedDocument) -> None:
    for chunk in parsed.chunks:
        if chunk.locator.case_id is None:
            continue
        assert "病院の取組\n\n地域の連携の取組" not in chunk.text, chunk.chunk_id
        lines = set(chunk.text.split("\n"))
        assert not lines & set(ICON_LABELS), chunk.chunk_id


def test_case_chunks_cover_case_span(parsed: ParsedDocument, chunks: dict[str, Chunk]) -> None:
    for case in parsed.cases:
        assert len(case.chunk_ids) >= 2, case.case_id
        for chunk_id in case.chunk_ids:
            loc = chunks[chunk_id].locator
            assert case.char_start <= loc.char_start < loc.char_end <= case.char_end
            assert loc.case_id == case.case_id
            assert loc.case_name == case.name


def test_jirei1_sections(cases: dict[str, CaseRecord], chunks: dict[str, Chunk]) -> None:
    paths = [c.split(":", 1)[1] for c in cases["事例1"].chunk_ids]
    assert paths == [
        "jirei-1:overview",
        "jirei-1:features",
        "jirei-1:detail-1",
        "jirei-1:detail-2",
        "jirei-1:detail-3",
    ]
    overview = chunks["casebook-2022:jirei-1:overview"]
    assert overview.text.startswith("1. 概要")
    assert overview.locator.section == "1. 概要"
    detail = chunks["casebook-2022:jirei-1:detail-2"]
    assert detail.text.startswith("② 在宅医療を中核とした診診連携")
    assert detail.locator.section is not None
    assert detail.locator.section.startswith("3. 取組の詳細 ② 在宅医療を中核とした")
    assert len(detail.locator.section) <= 40


@pytest.mark.parametrize(
    ("case_id", "details"),
    [("事例7", 4), ("事例15", 5), ("事例16", 2), ("事例17", 4), ("事例19", 2), ("参考4", 4)],
)
def test_detail_counts(cases: dict[str, CaseRecord], case_id: str, details: int) -> None:
    paths = [c.rsplit(":", 1)[1] for c in cases[case_id].chunk_ids]
    assert [p for p in paths if p.startswith("detail-")] == [
        f"detail-{k}" for k in range(1, details + 1)
    ]


def test_body_lines_starting_with_a_number_do_not_split_details(
    chunks: dict[str, Chunk],
) -> None:
    # 事例19 ① lists 「①「南区あんしん救急医療連携」は…」 and 「②…」 inside its body.
    detail = chunks["casebook-2022:jirei-19:detail-1"]
    assert "南区あんしん救急医療連携" in detail.text
    assert "南区あんしん在宅医療連携" in detail.text


def test_reference_cases_start_with_points(
    parsed: ParsedDocument, chunks: dict[str, Chunk]
) -> None:
    for case in parsed.cases[19:]:
        first = chunks[case.chunk_ids[0]]
        assert _path(first) == f"{case.slug}:points"
        assert first.text.startswith("特に注目すべきポイント")
        assert first.metadata["section_kind"] == "points"
        kinds = [chunks[c].metadata["section_kind"] for c in case.chunk_ids]
        assert kinds[:3] == ["points", "overview", "features"]
        assert "detail" in kinds


def test_last_reference_case_stops_before_survey(
    cases: dict[str, CaseRecord], chunks: dict[str, Chunk]
) -> None:
    last = chunks[cases["参考6"].chunk_ids[-1]]
    assert "衛生部長会調査結果" not in last.text
    assert "消防署" in last.text


def test_case_chunk_metadata(chunks: dict[str, Chunk]) -> None:
    chunk = chunks["casebook-2022:jirei-17:detail-2"]
    meta = chunk.metadata
    assert meta["case_id"] == "事例17"
    assert "柏市医師会" in meta["case_name"]
    assert meta["category"] == "地域の連携"
    assert meta["prefecture"] == "千葉県"
    assert meta["location"] == "千葉県柏市"
    assert meta["section_kind"] == "detail"
    assert "在宅医療" in meta["tags"]
    assert meta["themes"] == sorted(meta["themes"])
    assert {"zaitaku", "jikangai"} <= set(meta["themes"])
    assert chunk.locator.label().startswith("事例17 一般社団法人柏市医師会")


def _answers(parsed: ParsedDocument) -> dict[int, list[Chunk]]:
    out: dict[int, list[Chunk]] = defaultdict(list)
    for chunk in parsed.chunks:
        if "answer_no" in chunk.metadata:
            out[chunk.metadata["question"]].append(chunk)
    return out


def test_survey_answer_counts_and_numbering_restart(parsed: ParsedDocument) -> None:
    answers = _answers(parsed)
    counts = {q: len(rows) for q, rows in sorted(answers.items())}
    assert counts == {1: 27, 2: 11, 3: 42, 4: 37}
    for rows in answers.values():
        assert [r.metadata["answer_no"] for r in rows] == list(range(1, len(rows) + 1))


def test_survey_answer_tochigi(chunks: dict[str, Chunk]) -> None:
    chunk = chunks["casebook-2022:survey:q1:5"]
    meta = chunk.metadata
    assert meta["respondent"] == "栃木県"
    assert meta["prefecture"] == "栃木県"
    assert meta["question"] == 1
    assert meta["answer_no"] == 5
    assert meta["section_kind"] == "survey"
    assert meta["question_text"].startswith("かかりつけ医機能の強化についての具体的な取組")
    assert chunk.text.startswith("5 栃木県 ")
    assert chunk.locator.section == (
        "衛生部長会調査 ① かかりつけ医機能の強化についての具体的な取組 No.5"
    )


def test_survey_rows_are_one_answer_each(parsed: ParsedDocument) -> None:
    row_start = re.compile(r"^\d{1,2} \S+ ", re.M)
    for rows in _answers(parsed).values():
        for row in rows:
            assert len(row_start.findall(row.text)) == 1, row.chunk_id
            assert "<" not in row.text and "No 回答者" not in row.text


@pytest.mark.parametrize(
    ("chunk_id", "respondent", "prefecture"),
    [
        ("casebook-2022:survey:q1:7", "さいたま市", "埼玉県"),
        ("casebook-2022:survey:q3:2", "札幌市", "北海道"),
        ("casebook-2022:survey:q2:6", "堺市", "大阪府"),
        ("casebook-2022:survey:q4:24", "名古屋市", "愛知県"),
        ("casebook-2022:survey:q1:1", "北海道", "北海道"),
    ],
)
def test_survey_respondent_prefecture(
    chunks: dict[str, Chunk], chunk_id: str, respondent: str, prefecture: str
) -> None:
    meta = chunks[chunk_id].metadata
    assert meta["respondent"] == respondent
    assert meta["prefecture"] == prefecture


def test_intro_chunks(parsed: ParsedDocument) -> None:
    intro = [c for c in parsed.chunks if _path(c).startswith("intro:")]
    sections = [c.locator.section for c in intro]
    assert sections[:5] == [
        "巻頭のご挨拶",
        "検討委員会について",
        "本事例集について",
        "かかりつけ医機能について",
        "本事例集の活用方法",
    ]
    assert all(c.metadata["section_kind"] == "intro" for c in intro)
    joined = "\n".join(c.text for c in intro)
    assert "目次" not in joined.split("\n")
    assert "分類 No 事例名" not in joined  # the overview table lost its columns: not chunked


def test_chunk_sizes(parsed: ParsedDocument) -> None:
    lengths = [len(c.text) for c in parsed.chunks]
    assert max(lengths) <= MAX_CHUNK_CHARS
    assert min(lengths) > 0
