"""The casebook's last part, 衛生部長会調査結果: one citable chunk per prefecture's answer.

The survey is shaped nothing like the cases: four questions, each a table of short answers
(``No 回答者 回答``) that extraction turned into numbered lines, so its question headings are
found by the titles the table of contents gives them (answer rows are numbered lines too).
An answer is cited on its own, with the respondent and its 都道府県, so a council can find
what other prefectures said.
"""

from __future__ import annotations

import re

from facilitator.corpus.chunks import Chunk, Document, make_chunk
from facilitator.corpus.parsers.blocks import number_value, paragraph_end
from facilitator.corpus.places import PREFECTURE_RE
from facilitator.text import circled
from facilitator.themes import themes_for_text

__all__ = ["ANSWER_SECTION", "answer_section", "survey_chunks", "survey_questions"]

_TOC_QUESTION_RE = re.compile(r"^- ([\u2460-\u2473]|\d) ?(.+)$", re.M)
_ROW_HEAD_RE = re.compile(r"^No 回答者 回 ?答$", re.M)
_ROW_RE = re.compile(r"^(\d{1,2}) (\S+) \S", re.M)

ANSWER_SECTION = re.compile(r"^(?P<question>.+) No\.(?P<no>\d+)$")
"""Reads :func:`answer_section` back: a meeting answer's 「引用:」 line names a survey
question once with the numbers of the answers it quotes."""


def answer_section(question: str, *nos: int) -> str:
    """Where a survey answer is: its question's label and the answer's number (several
    answers to one question: their numbers, 「… No.9・No.23」)."""
    return f"{question} " + "・".join(f"No.{n}" for n in nos)


# 政令指定都市 -> 都道府県, for survey answers given by a city.
_CITY_PREFECTURE: dict[str, str] = {
    "札幌市": "北海道",
    "仙台市": "宮城県",
    "さいたま市": "埼玉県",
    "千葉市": "千葉県",
    "横浜市": "神奈川県",
    "川崎市": "神奈川県",
    "相模原市": "神奈川県",
    "新潟市": "新潟県",
    "静岡市": "静岡県",
    "浜松市": "静岡県",
    "名古屋市": "愛知県",
    "京都市": "京都府",
    "大阪市": "大阪府",
    "堺市": "大阪府",
    "神戸市": "兵庫県",
    "岡山市": "岡山県",
    "広島市": "広島県",
    "北九州市": "福岡県",
    "福岡市": "福岡県",
    "熊本市": "熊本県",
}


def _respondent_prefecture(respondent: str) -> str:
    """都道府県 of a survey respondent (a prefecture or a designated city)."""
    if PREFECTURE_RE.fullmatch(respondent):
        return respondent
    return _CITY_PREFECTURE.get(respondent, "")


def survey_questions(text: str, start: int, end: int) -> dict[int, str]:
    """Question titles listed under 「- 衛生部長会調査結果」 in the table of contents
    ``text[start:end]`` (none if the TOC does not list the survey)."""
    survey_at = text.find("- 衛生部長会調査結果", start, end)
    if survey_at < 0:
        return {}
    return {
        number_value(m.group(1)): m.group(2).strip()
        for m in _TOC_QUESTION_RE.finditer(text, survey_at, end)
    }


def survey_chunks(doc: Document, text: str, start: int, questions: dict[int, str]) -> list[Chunk]:
    """衛生部長会調査結果: an intro chunk, then per question an intro and one chunk per answer."""
    # Headings are found by their TOC titles: answer rows are numbered lines too.
    heads: list[tuple[int, re.Match[str]]] = []
    for number, title in sorted(questions.items()):
        pattern = re.compile(rf"^(?:{number}|{circled(number)}) ?({re.escape(title)}.*)$", re.M)
        if m := pattern.search(text, heads[-1][1].end() if heads else start):
            heads.append((number, m))
    if len(heads) != len(questions) or not heads:
        raise ValueError(f"survey questions: found {[n for n, _ in heads]} of {sorted(questions)}")
    chunks = [
        make_chunk(
            doc,
            text,
            "survey:intro",
            start,
            heads[0][1].start(),
            section="衛生部長会調査結果 調査概要",
            section_kind="survey",
            themes=themes_for_text(text[start : heads[0][1].start()]),
        )
    ]
    for i, (q, head) in enumerate(heads):
        stop = heads[i + 1][1].start() if i + 1 < len(heads) else len(text)
        question_text = head.group(1).strip()
        short_title = questions.get(q) or question_text
        base = f"衛生部長会調査 {circled(q)} {short_title}"
        table = _ROW_HEAD_RE.search(text, head.end(), stop)
        intro_end = table.start() if table else paragraph_end(text, head.end() + 2, stop)
        chunks.append(
            make_chunk(
                doc,
                text,
                f"survey:q{q}:intro",
                head.start(),
                intro_end,
                section=base,
                section_kind="survey",
                question=q,
                question_text=question_text,
                themes=themes_for_text(text[head.start() : intro_end]),
            )
        )
        # Rows are usually one line each, but some are not separated by a blank line.
        rows = list(_ROW_RE.finditer(text, intro_end, stop))
        breaks = sorted(
            [m.start() for m in rows]
            + [m.start() for m in _ROW_HEAD_RE.finditer(text, intro_end, stop)]
        )
        seen: set[int] = set()
        for row in rows:
            no = int(row.group(1))
            if no in seen:
                raise ValueError(f"survey question {q}: answer No.{no} twice")
            seen.add(no)
            following = next((b for b in breaks if b > row.start()), stop)
            row_end = paragraph_end(text, row.start(), following)
            respondent = row.group(2)
            chunks.append(
                make_chunk(
                    doc,
                    text,
                    f"survey:q{q}:{no}",
                    row.start(),
                    row_end,
                    section=answer_section(base, no),
                    section_kind="survey",
                    question=q,
                    question_text=question_text,
                    answer_no=no,
                    respondent=respondent,
                    prefecture=_respondent_prefecture(respondent),
                    themes=themes_for_text(text[row.start() : row_end]),
                )
            )
    return chunks
