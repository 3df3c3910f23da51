"""What a meeting question's answer is made of: the answer, its sentences and the passages.

Kept apart from :mod:`facilitator.drafting.answer` (how answers are made) so the meeting
record and the exports read answers without the search machinery.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from facilitator.reports.questions import FigureAnswer
from facilitator.sheets.model import Citation

__all__ = ["Answer", "AnswerGroup", "AnswerKind", "AnswerPassage", "AnswerPoint"]


class AnswerPassage(BaseModel):
    """One retrieved passage: where it is and the sentences that match (verbatim)."""

    chunk_id: str
    locator: str
    doc_title: str
    sentences: list[str]
    score: float
    also_in: list[str] = Field(
        default_factory=list,
        description="「資料名 所在」 of passages with the same text, not shown",
    )


class AnswerGroup(BaseModel):
    """The passages of one precedent (a case, a survey respondent or a document)."""

    key: str = Field(description="事例n / 参考n, 'survey:<自治体>' or the doc id")
    label: str = Field(description="e.g. 「事例17 一般社団法人柏市医師会(柏モデル)（千葉県柏市）」")
    case_id: str | None = None
    case_name: str | None = None
    location: str = ""
    passages: list[AnswerPassage]


AnswerKind = Literal["figure", "definition", "precedent", "unanswered"]
"""How a question was answered: a figure of the report data, a guideline/local passage
quoted, precedents named with what they did, or a plain statement that the material
does not cover it (then ``groups`` are only nearby material, never the answer)."""


class AnswerPoint(BaseModel):
    """One sentence of an extractive answer: who (a case, a respondent, a document) says what."""

    label: str = Field(description="「事例13 …（長野県松本市）」 or the document's title")
    quote: str = Field(description="verbatim sentence of the source")
    locator: str
    chunk_id: str
    group: str = Field(description="key of the AnswerGroup the sentence is from")
    source: str = Field(default="", description="the document's title: its quotes go together")


class Answer(BaseModel):
    """What a participant sees for one question.

    ``headline`` and ``points`` are the answer; ``groups`` are the passages behind it (for
    kind ``unanswered`` only nearby material, never shown as the answer). ``answer_text``
    is both as plain text, for the minutes and the CLI.
    """

    question: str
    answer_text: str
    headline: str = ""
    points: list[AnswerPoint] = Field(default_factory=list)
    kind: AnswerKind = "precedent"
    mode: str = Field(description="offline | llm | llm-fallback")
    confident: bool
    figure: FigureAnswer | None = Field(default=None, description="kind=figure: the value")
    groups: list[AnswerGroup] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list, description="verified only")
    messages: list[str] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list, description="what the question names that no passage states"
    )
    filters: dict[str, str] = Field(default_factory=dict)
    index_version: str = ""
    embedder: str = ""
    llm_model: str | None = None
