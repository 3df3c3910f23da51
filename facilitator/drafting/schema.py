"""What the model is asked to fill: a compact issue sheet or a short answer, with citations.

The model only proposes; its output is checked (:mod:`facilitator.drafting.checks`) and
converted to an :class:`~facilitator.sheets.model.IssueSheet` or an answer by the caller.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from facilitator.sheets.model import Priority, statement_paths


class DraftCitation(BaseModel):
    """A proposed citation: a retrieved chunk id and a verbatim quote from it."""

    chunk_id: str
    quote: str


class DraftStatement(BaseModel):
    text: str
    citations: list[DraftCitation] = Field(default_factory=list)
    figure_ids: list[str] = Field(default_factory=list)


class DraftCause(DraftStatement):
    viewpoint: str = ""


class DraftRole(BaseModel):
    actor: str
    action: str


class DraftMeasure(DraftStatement):
    roles: list[DraftRole] = Field(default_factory=list)
    priority: Priority = "中"


class SheetDraft(BaseModel):
    """What the model fills: a compact issue sheet (converted to IssueSheet after checks)."""

    title: str = ""
    participants: list[str] = Field(default_factory=list)
    current_state: list[DraftStatement] = Field(default_factory=list)
    goal: DraftStatement = Field(default_factory=lambda: DraftStatement(text=""))
    issue: DraftStatement = Field(default_factory=lambda: DraftStatement(text=""))
    causes: list[DraftCause] = Field(default_factory=list)
    measures: list[DraftMeasure] = Field(default_factory=list)
    effects: list[DraftStatement] = Field(default_factory=list)

    def statements(self) -> list[tuple[str, DraftStatement]]:
        """Same paths as ``IssueSheet.statements`` so messages point at the same fields."""
        return statement_paths(
            self.current_state, self.goal, self.issue, self.causes, self.measures, self.effects
        )


class AnswerDraft(BaseModel):
    """What the model fills for a question: a short answer and its citations."""

    answer: str
    citations: list[DraftCitation] = Field(default_factory=list)
