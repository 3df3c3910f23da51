"""The council issue sheet (課題シート) as a pydantic model.

現状 → 目指す姿 → 課題 → 原因 → 方策（役割分担）→ 効果（検証）. Every statement carries
its backing: verified citations of corpus chunks and/or figures from the report data.
A statement with neither is *unbacked* and says so; it is never dressed up.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, TypeVar, get_args

from pydantic import BaseModel, Field, computed_field

from facilitator.text import circled
from facilitator.themes import THEME_LABELS

if TYPE_CHECKING:
    from facilitator.reports.models import Area, Finding

S = TypeVar("S")

Priority = Literal["高", "中", "低"]
PRIORITIES: tuple[str, ...] = get_args(Priority)
"""方策の優先度, highest first."""


class SheetStatus(StrEnum):
    """Workflow: 下書き → 事務局確認 → 協議会提出 → 公表."""

    draft = "下書き"
    review = "事務局確認"
    submitted = "協議会提出"
    published = "公表"


STATUS_ORDER = [SheetStatus.draft, SheetStatus.review, SheetStatus.submitted, SheetStatus.published]


class Citation(BaseModel):
    """A quote from a corpus chunk. ``verified`` is set only by citations.verify_*."""

    chunk_id: str
    quote: str = Field(description="verbatim text that must occur in the chunk")
    locator: str = Field(default="", description="human locator, e.g. 「事例17 … 3. 取組の詳細 ③」")
    doc_title: str = ""
    case_id: str | None = None
    case_name: str | None = None
    verified: bool = False
    problem: str | None = Field(default=None, description="why verification failed (Japanese)")
    accepted: bool = Field(default=True, description="the editor may drop a suggested citation")
    support: float | None = Field(
        default=None, description="how far the quote supports the statement (0–1), when scored"
    )
    reference: bool = Field(
        default=False,
        description="参考: on the topic but too weak to back the statement; shown, never backing",
    )

    @property
    def backs(self) -> bool:
        """Verified, kept by the editor and strong enough to count as backing."""
        return self.verified and self.accepted and not self.reference


class Claim(BaseModel):
    """What a statement says about one figure of the area: below, above, present, absent."""

    metric: str
    direction: Literal["below", "above", "similar", "present", "absent"]


class FigureRef(BaseModel):
    """A figure from the local report data (a reports Finding), with its provenance."""

    finding_id: str
    sentence: str
    metric: str = ""
    value: float | None = None
    unit: str = ""
    area_code: str = ""
    area_name: str = ""
    year: int | None = None
    n: int | None = None
    filter: str = ""
    synthetic: bool = False

    @classmethod
    def from_finding(cls, f: Finding) -> FigureRef:
        """A report finding as a sheet's figure, keeping its provenance."""
        return cls(
            finding_id=f.id,
            sentence=f.sentence,
            metric=f.metric,
            value=f.value,
            unit=f.unit,
            area_code=f.area_code,
            area_name=f.area_name,
            year=f.year,
            n=f.n,
            filter=f.filter,
            synthetic=f.synthetic,
        )

    @property
    def provenance(self) -> str:
        """「2026年報告・N=53・…・架空データ」: where the figure comes from."""
        from facilitator.reports.models import provenance_text

        return provenance_text(self.year, self.n, self.filter, self.synthetic)


class Statement(BaseModel):
    """One piece of text in a field, with what backs it."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    figures: list[FigureRef] = Field(default_factory=list)
    note: str = Field(default="", description="a person's private memo; never published")
    basis: str = Field(
        default="",
        description="how the draft arrived at the text (set by drafting, never by a person); "
        "shown beside the text in the editor, kept out of the memo and of council copies",
    )
    claims: list[Claim] = Field(
        default_factory=list, description="directions the text asserts about the area's figures"
    )
    review: list[str] = Field(
        default_factory=list,
        description="要確認: why the area's figures contradict (or cannot confirm) the text",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unbacked(self) -> bool:
        """True when no backing citation (verified, kept, not 参考) and no figure supports it."""
        return not self.figures and not any(c.backs for c in self.citations)


class Cause(Statement):
    """原因: seen from one stakeholder's viewpoint."""

    viewpoint: str = Field(default="", description="行政 / 医療 / 介護 / 住民 / 医師会 …")


class Role(BaseModel):
    """役割分担: who does what."""

    actor: str = Field(description="e.g. 県・保健所, 市町村, 郡市区医師会, 病院, 訪問看護")
    action: str


class Measure(Statement):
    """方策 with its roles and priority; suggested measures can be accepted or dropped."""

    roles: list[Role] = Field(default_factory=list)
    priority: Priority = "中"
    source: Literal["guideline", "precedent", "user", "llm"] = "user"
    accepted: bool = True


class VerificationIndicator(BaseModel):
    """検証指標: measurable next year from the report data."""

    name: str
    item_ids: list[str] = Field(default_factory=list, description="report item ids it is built on")
    metric: str = Field(default="", description="reports indicator metric key, if any")
    baseline: float | None = None
    unit: str = ""
    target: str = Field(default="", description="e.g. 「県平均以上」「増加」")

    @property
    def baseline_text(self) -> str:
        """The baseline as a reader writes it: 41.5%, 17施設, 6.0（65歳以上人口1万人当たり）."""
        from facilitator.reports.models import format_value

        return format_value(self.baseline, self.unit)


def area_label(name: str, pref_name: str = "") -> str:
    """「北部医療圏（架空県）」; a prefecture is not named twice (「架空県」)."""
    return f"{name}（{pref_name}）" if pref_name and pref_name != name else name


class AreaRef(BaseModel):
    code: str
    name: str
    level: str = Field(default="", description="municipality | secondary | prefecture")
    pref_name: str = ""
    synthetic: bool = False

    @classmethod
    def from_area(cls, area: Area) -> AreaRef:
        """The sheet's reference to an area of the report data."""
        return cls(
            code=area.code,
            name=area.name,
            level=area.level,
            pref_name=area.pref_name,
            synthetic=area.synthetic,
        )

    @property
    def label(self) -> str:
        return area_label(self.name, self.pref_name)


class Provenance(BaseModel):
    """How the draft was made, so anyone can re-run it (offline mode is deterministic)."""

    mode: Literal["offline", "llm", "llm-fallback", "manual", "import"] = "offline"
    embedder: str = ""
    llm_model: str | None = None
    prompt_version: str | None = None
    composer_version: str | None = None
    index_version: str = ""
    data_year: int | None = None
    retrieved_chunk_ids: list[str] = Field(default_factory=list)
    issue_text: str | None = Field(default=None, description="the problem the user typed, if any")
    patterns: list[str] = Field(
        default_factory=list, description="issue-catalogue patterns the draft works on"
    )
    messages: list[str] = Field(default_factory=list, description="fallbacks, repairs, drops")
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


MODE_LABELS: dict[str, str] = {
    "offline": "オフライン作成",
    "llm": "LLM",
    "manual": "手入力",
    "llm-fallback": "オフライン作成（LLMの下書きが使えなかったため）",
    "import": "Excelから取り込み",
}
"""How a sheet was made (provenance.mode), in words: the editor's caption, version messages."""

FIELD_LABELS: dict[str, str] = {
    "area": "圏域",
    "theme": "テーマ",
    "participants": "参加者",
    "current_state": "現状",
    "goal": "目指す姿",
    "issue": "課題",
    "causes": "原因",
    "measures": "方策（役割分担）",
    "effects": "期待される効果",
    "indicators": "検証指標",
}
"""Headings of the sheet's fields."""

ITEM_LABELS: dict[str, str] = {
    "current_state": "現状",
    "goal": "目指す姿",
    "issue": "課題",
    "causes": "原因",
    "measures": "方策",
    "effects": "効果",
    "indicators": "検証指標",
}
"""How one statement of a field is named: 「原因②」, 「方策①」."""
_PATH_RE = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


def field_label(path: str) -> str:
    """Japanese label of a statement path: ``causes[1]`` → 「原因②」, ``goal`` → 「目指す姿」."""
    m = _PATH_RE.match(path)
    if not m:
        return path
    name, index = m.group(1), m.group(2)
    label = ITEM_LABELS.get(name, FIELD_LABELS.get(name, name))
    return label if index is None else f"{label}{circled(int(index) + 1)}"


def statement_paths(
    current_state: Sequence[S],
    goal: S,
    issue: S,
    causes: Sequence[S],
    measures: Sequence[S],
    effects: Sequence[S],
) -> list[tuple[str, S]]:
    """The statement fields in sheet order with their paths (``causes[1]``).

    Shared by the sheet and the LLM's draft schema, so messages about a draft point at
    the same fields the editor shows.
    """
    out: list[tuple[str, S]] = [(f"current_state[{i}]", x) for i, x in enumerate(current_state)]
    out += [("goal", goal), ("issue", issue)]
    out += [(f"causes[{i}]", x) for i, x in enumerate(causes)]
    out += [(f"measures[{i}]", x) for i, x in enumerate(measures)]
    out += [(f"effects[{i}]", x) for i, x in enumerate(effects)]
    return out


def new_sheet_id() -> str:
    return "sh-" + uuid.uuid4().hex[:10]


class IssueSheet(BaseModel):
    """One issue sheet for one area and theme; versions are kept by storage."""

    sheet_id: str = Field(default_factory=new_sheet_id)
    version: int = Field(default=0, description="0 = never saved; storage increments")
    title: str = ""
    area: AreaRef
    theme: str = Field(description="ichigo | jikangai | nyutaiin | zaitaku | kaigo | free")
    participants: list[str] = Field(default_factory=list)
    current_state: list[Statement] = Field(default_factory=list)
    goal: Statement = Field(default_factory=lambda: Statement(text=""))
    issue: Statement = Field(default_factory=lambda: Statement(text=""))
    causes: list[Cause] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    effects: list[Statement] = Field(default_factory=list)
    indicators: list[VerificationIndicator] = Field(default_factory=list)
    status: SheetStatus = SheetStatus.draft
    internal_notes: str = Field(default="", description="事務局メモ; never exported publicly")
    provenance: Provenance = Field(default_factory=Provenance)

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, self.theme)

    def statements(self) -> list[tuple[str, Statement]]:
        """Every statement with its field name (``causes[1]`` style paths)."""
        return statement_paths(
            self.current_state, self.goal, self.issue, self.causes, self.measures, self.effects
        )

    def citations_by_field(self) -> dict[str, list[Citation]]:
        return {path: s.citations for path, s in self.statements() if s.citations}

    def all_citations(self) -> list[Citation]:
        return [c for _, s in self.statements() for c in s.citations]

    def unbacked_fields(self) -> list[str]:
        return [path for path, s in self.statements() if s.text.strip() and s.unbacked]

    def is_complete(self) -> bool:
        """All fields filled (PRODUCT: a complete sheet has every field)."""
        return bool(
            self.participants
            and self.current_state
            and self.goal.text
            and self.issue.text
            and self.causes
            and self.measures
            and self.effects
            and self.indicators
        )
