"""Shared pieces of every export: field labels, citation numbering and backing text.

Each writer (Excel, Word, Markdown, public summary, agenda) renders the same numbering
and the same 「（根拠なし）」 mark, so a printed sheet and its Excel file agree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from facilitator.errors import FacilitatorError
from facilitator.reports.models import SYNTHETIC_TAG, format_value
from facilitator.sheets.model import (
    Citation,
    FigureRef,
    IssueSheet,
    Role,
    SheetStatus,
    Statement,
    field_label,
)
from facilitator.themes import THEME_SHORT

UNBACKED_MARK = "（根拠なし）"
REVIEW_MARK = "（要確認）"
"""A statement the area's figures contradict or cannot confirm (see Statement.review)."""
FONT_NAME = "游ゴシック"
"""Japanese font of every Word and Excel file we write."""


# The council cycle of the guideline (協議の進め方 ①〜⑥).
STEPS: list[tuple[str, str, str]] = [
    ("①", "地域の現状の把握と共有", "報告データ等で現状認識を関係者で共有する"),
    ("②", "地域で目指すべき姿の共有", "目指すべき姿を関係者で共有する"),
    ("③", "解決すべき地域の課題", "目指す姿を踏まえ、地域の課題を共有し議論する"),
    ("④", "原因の分析", "関係者の立場ごとに原因を考え、意見を出し合う"),
    ("⑤", "方策と役割分担の決定", "具体的方策と役割分担、取組の優先順位を検討する"),
    ("⑥", "方策により期待できる効果と検証", "効果と検証指標を確認し、次回の協議の場で検証する"),
]

PUBLISHABLE = (SheetStatus.submitted, SheetStatus.published)
REVIEW_COPY = "確認用・未確定"
"""Marks every page of a public summary made from a sheet the council has not received."""


def sheet_reference(sheet: IssueSheet) -> str:
    """How a person refers to one version of a sheet: 「北部医療圏・在宅医療・版3」 (ids stay
    in the machine-readable parts)."""
    theme = THEME_SHORT.get(sheet.theme, sheet.theme_label)
    return f"{sheet.area.name}・{theme}・版{sheet.version}"


class NotPublishableError(FacilitatorError):
    """A public summary was asked for a sheet the council has not yet received."""

    exit_code = 2


def display_width(text: str) -> int:
    """Columns the text needs: full-width (Japanese) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def figure_text(fig: FigureRef) -> str:
    """A figure as one line a reader can check: what it says, and where it comes from."""
    head = fig.sentence.removeprefix(SYNTHETIC_TAG)
    if fig.value is not None:
        said = {f"{fig.value:,.1f}", f"{fig.value:,.0f}"}
        if not any(n in head for n in said):
            head = f"{head} {format_value(fig.value, fig.unit)}".strip()
    prov = fig.provenance
    return f"{head}（{prov}）" if prov else head


def roles_text(roles: list[Role]) -> str:
    """One role a line, 「主体：行うこと」, which the Excel import parses back."""
    return "\n".join(f"{r.actor}：{r.action}" for r in roles)


def parse_roles(text: str) -> list[Role]:
    """Inverse of :func:`roles_text`; a line without 「：」 is an action of 「（未定）」."""
    roles = []
    for line in text.splitlines():
        line = line.strip().lstrip("・-•").strip()
        if not line:
            continue
        actor, sep, action = line.replace(":", "：").partition("：")
        roles.append(
            Role(actor=actor.strip(), action=action.strip())
            if sep
            else Role(actor="（未定）", action=line)
        )
    return roles


@dataclass
class NumberedCitation:
    """A citation with its note number and the statement it belongs to."""

    number: int
    path: str
    index: int
    citation: Citation

    @property
    def field(self) -> str:
        return field_label(self.path)


class CitationNumbers:
    """Note numbers [1], [2] … in reading order over one sheet's statements.

    ``accepted_only`` / ``verified_only`` select what a public document may show.
    """

    def __init__(
        self,
        sheet: IssueSheet,
        *,
        accepted_only: bool = False,
        verified_only: bool = False,
        start: int = 1,
    ) -> None:
        self.items: list[NumberedCitation] = []
        self._by_key: dict[tuple[str, int], int] = {}
        n = start
        for path, statement in sheet.statements():
            for i, c in enumerate(statement.citations):
                if (accepted_only and not c.accepted) or (verified_only and not c.verified):
                    continue
                self.items.append(NumberedCitation(n, path, i, c))
                self._by_key[(path, i)] = n
                n += 1

    def numbers(self, path: str, statement: Statement, *, accepted_only: bool = True) -> list[int]:
        """Note numbers of a statement's citations (dropped ones left out by default)."""
        out = []
        for i, c in enumerate(statement.citations):
            if accepted_only and not c.accepted:
                continue
            number = self._by_key.get((path, i))
            if number is not None:
                out.append(number)
        return out

    def markers(self, path: str, statement: Statement) -> str:
        return "".join(f"[{n}]" for n in self.numbers(path, statement))


def report_items_text(item_ids: list[str]) -> str:
    """The report items an indicator is read from, by their names on the form (「在宅医療を
    提供する体制、訪問診療の実施件数」); an id the form does not know is left out."""
    from facilitator.reports.items import load_dictionary

    form = load_dictionary()
    names = []
    for item_id in item_ids:
        try:
            names.append(form.item(item_id).name)
        except KeyError:
            continue
    return "、".join(dict.fromkeys(names))


def verification_text(c: Citation) -> str:
    """確認済 / 確認済・参考 / 未確認（理由）."""
    if c.verified:
        return "確認済・参考（裏付けとしては弱い）" if c.reference else "確認済"
    return f"未確認（{c.problem}）" if c.problem else "未確認"


def citation_source(c: Citation) -> str:
    """「資料名 / 事例 / 所在」 for a note line (the case only when the locator lacks it)."""
    case = " ".join(p for p in (c.case_id, c.case_name) if p)
    if case and c.locator and (c.case_id or "") in c.locator and (c.case_name or "") in c.locator:
        case = ""
    parts = [p for p in (c.doc_title, case, c.locator) if p]
    return " / ".join(dict.fromkeys(parts)) or c.chunk_id


def statement_line(text: str, markers: str, unbacked: bool, review: bool = False) -> str:
    """Text + note markers + 「（根拠なし）」 when nothing backs it + 「（要確認）」."""
    out = f"{text}{markers}"
    if unbacked and text.strip():
        out += UNBACKED_MARK
    if review and text.strip():
        out += REVIEW_MARK
    return out


def sheet_heading(sheet: IssueSheet) -> str:
    """「《協議のイメージ》○○地域におけるかかりつけ医機能の課題について（在宅医療）」 style."""
    return sheet.title or (
        f"{sheet.area.name}におけるかかりつけ医機能の課題について（{THEME_SHORT.get(sheet.theme, sheet.theme_label)}）"
    )


def is_synthetic(sheet: IssueSheet) -> bool:
    """True when any figure (or the area) comes from the synthetic sample data."""
    return sheet.area.synthetic or any(
        f.synthetic for _, s in sheet.statements() for f in s.figures
    )


def synthetic_notice(subject: str) -> str:
    """The one wording of the synthetic-data notice, for 「このシート」「この議事メモ」…."""
    return f"※ {subject}の数値は架空のサンプルデータに基づく例示です（実在の地域・医療機関のデータではありません）。"


SYNTHETIC_NOTICE = synthetic_notice("このシート")
