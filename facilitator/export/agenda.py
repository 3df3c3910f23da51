"""協議の場の進行表: several issue sheets laid out as one meeting's running order.

Each sheet becomes an agenda item (議題①②…) with a presenter, a time slot split over the
six steps of the guideline's cycle (①現状 → ②目指す姿 → ③課題 → ④原因 → ⑤方策・役割分担
→ ⑥効果と検証) and its material (資料1 課題シート（…・版3）). A step shows one short 要点,
never the whole sheet: the sheets themselves go to the council as attachments, and
:mod:`.agenda_summary` can add one page per sheet. Internal notes and internal codes (sheet
ids, chunk ids, metric codes) never appear in what is printed.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from facilitator.errors import InputError
from facilitator.export.agenda_summary import SheetSummary, material_title, sheet_summary, shorten
from facilitator.export.common import (
    PUBLISHABLE,
    REVIEW_MARK,
    STEPS,
    UNBACKED_MARK,
    is_synthetic,
)
from facilitator.sheets.model import IssueSheet, Statement
from facilitator.text import wareki_date
from facilitator.themes import THEME_SHORT

STEP_WEIGHTS = (0.15, 0.10, 0.15, 0.20, 0.30, 0.10)
"""Share of an item's time per step: causes and measures take the longest discussion."""
STEP_NAMES = ("現状", "目指す姿", "課題", "原因", "方策・役割分担", "効果と検証")
"""The steps as the running order names them (the guideline's long names are in STEPS)."""
STEP_DISCUSSION = {3: "全員（意見交換）", 4: "全員（協議）"}
"""Steps ④⑤ are the participants' discussion, not a presentation (guideline 協議の進め方)."""
POINT_CHARS = 34
"""One 要点 fits one or two lines of the running order's column."""
MIN_ITEM_MINUTES = len(STEPS)
NO_ENTRY = "（シートに記載なし）"


class MeetingInfo(BaseModel):
    """What the coordinator knows about the meeting before the agenda is laid out."""

    name: str = Field(
        description="例: 令和8年度 第1回 ○○圏域 かかりつけ医機能の確保に関する協議の場"
    )
    date: str = Field(description="開催日（例: 2026年7月15日（水）。和暦で印刷します）")
    place: str = ""
    start: str = Field(default="14:00", description="開始時刻 HH:MM")
    minutes: int = Field(default=90, description="会議全体の時間（分）")
    opening_minutes: int = 10
    closing_minutes: int = 10
    chair: str = Field(default="", description="議長")
    secretariat: str = "事務局"
    presenters: dict[str, str] = Field(
        default_factory=dict, description="シートID またはテーマ（zaitaku 等）→ 説明者"
    )
    default_presenter: str = "事務局（コーディネーター）"


class AgendaStep(BaseModel):
    step: str
    name: str
    start: str
    end: str
    minutes: int
    presenter: str
    point: str = Field(description="一行の要点（シートの全文ではない）")


class AgendaItem(BaseModel):
    number: int
    sheet_id: str = Field(description="for machines (JSON); never printed")
    version: int
    title: str = Field(description="「北部医療圏 在宅医療」")
    area_name: str
    theme_label: str
    presenter: str
    material: str = Field(description="資料番号「資料1」")
    start: str
    end: str
    minutes: int
    steps: list[AgendaStep]
    review: bool = Field(description="the sheet is not yet 協議会提出 or 公表")


class AgendaSlot(BaseModel):
    """開会・閉会 and other fixed slots."""

    title: str
    start: str
    end: str
    minutes: int
    point: str = ""
    presenter: str = ""


class Material(BaseModel):
    """One attachment of the council packet: 「資料1」「課題シート（北部医療圏・在宅医療・版3）」."""

    number: str
    title: str
    review: bool = False


class Agenda(BaseModel):
    meeting: MeetingInfo
    opening: AgendaSlot
    items: list[AgendaItem]
    closing: AgendaSlot
    materials: list[Material]
    summaries: list[SheetSummary] = Field(description="1シート1ページの要約（印刷は選択時のみ）")
    review: bool = Field(description="a sheet is not yet 協議会提出 or 公表: 「確認用・未確定」")
    synthetic: bool = False

    @property
    def date(self) -> str:
        """The meeting day in 和暦 (as given when it cannot be read as a date)."""
        return wareki_date(self.meeting.date)

    def meeting_lines(self) -> list[tuple[str, str]]:
        """日時・場所・議長・事務局 as (label, text), the empty ones left out."""
        m = self.meeting
        return [
            (k, v)
            for k, v in (
                ("日時", f"{self.date}　{self.opening.start}〜{self.closing.end}"),
                ("場所", m.place),
                ("議長", m.chair),
                ("事務局", m.secretariat),
            )
            if v.strip()
        ]


def _minutes(hhmm: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,2})[:：](\d{2})\s*", hhmm)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(f"開始時刻「{hhmm}」は「14:00」のように入力してください。")
    return int(m.group(1)) * 60 + int(m.group(2))


def _clock(total: int) -> str:
    return f"{total // 60 % 24}:{total % 60:02d}"


def _said(s: Statement, limit: int = POINT_CHARS) -> str:
    """A statement's first sentence, shortened, with its 「（根拠なし）」「（要確認）」 marks."""
    if not s.text.strip():
        return ""
    marks = (UNBACKED_MARK if s.unbacked else "") + (REVIEW_MARK if s.review else "")
    return shorten(s.text, limit) + marks


def _points(sheet: IssueSheet) -> list[str]:
    """One 要点 per step ①〜⑥: what the step is about, in a line."""
    current = _said(sheet.current_state[0]) if sheet.current_state else ""
    causes = ""
    if sheet.causes:
        sides = "・".join(dict.fromkeys(c.viewpoint for c in sheet.causes if c.viewpoint))
        causes = f"原因{len(sheet.causes)}件" + (f"（{sides}の立場から）" if sides else "")
    accepted = [m for m in sheet.measures if m.accepted]
    measures = ""
    if accepted:
        counts = Counter(m.priority for m in accepted)
        ranks = "・".join(f"{p}{n}" for p, n in counts.items() if p)
        actors = "、".join(dict.fromkeys(r.actor for m in accepted for r in m.roles))
        measures = f"方策{len(accepted)}件" + (f"（優先度 {ranks}）" if ranks else "")
        measures = shorten(measures + (f" 担い手: {actors}" if actors else ""), POINT_CHARS)
    effect = ""
    if sheet.indicators:
        ind = sheet.indicators[0]
        effect = shorten(
            f"検証指標: {ind.name}" + (f"（目標: {ind.target}）" if ind.target else ""),
            POINT_CHARS,
        )
    elif sheet.effects:
        effect = _said(sheet.effects[0])
    points = [current, _said(sheet.goal), _said(sheet.issue), causes, measures, effect]
    return [p or NO_ENTRY for p in points]


def _split(total: int, weights: tuple[float, ...]) -> list[int]:
    """Whole minutes in proportion to weights, each at least 1, summing to ``total``."""
    parts = [max(1, int(total * w)) for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def _presenter(sheet: IssueSheet, meeting: MeetingInfo) -> str:
    return (
        meeting.presenters.get(sheet.sheet_id)
        or meeting.presenters.get(sheet.theme)
        or meeting.default_presenter
    )


def agenda(sheets: list[IssueSheet], meeting: MeetingInfo) -> Agenda:
    """Lay the sheets out in the meeting's time: equal slots, split over steps ①〜⑥."""
    if not sheets:
        raise InputError("進行表に載せるシートがありません。シートIDを1つ以上指定してください。")
    start = _minutes(meeting.start)
    available = meeting.minutes - meeting.opening_minutes - meeting.closing_minutes
    if available < MIN_ITEM_MINUTES * len(sheets):
        raise InputError(
            f"協議に使える時間（{available}分）が足りません。{len(sheets)}件のシートには少なくとも"
            f"{MIN_ITEM_MINUTES * len(sheets)}分必要です。会議時間を延ばすかシートを減らしてください。"
        )
    opening = AgendaSlot(
        title="開会・資料確認",
        start=_clock(start),
        end=_clock(start + meeting.opening_minutes),
        minutes=meeting.opening_minutes,
        presenter=meeting.secretariat,
        point="協議の場の趣旨、前回の協議結果と検証（⑥）の確認",
    )
    t = start + meeting.opening_minutes
    items, materials, summaries = [], [], []
    per, extra = divmod(available, len(sheets))
    for n, sheet in enumerate(sheets, 1):
        slot = per + (1 if n <= extra else 0)
        presenter = _presenter(sheet, meeting)
        review = sheet.status not in PUBLISHABLE
        material = Material(number=f"資料{n}", title=material_title(sheet), review=review)
        steps, s_start = [], t
        for i, (mark, mins, point) in enumerate(
            zip((s[0] for s in STEPS), _split(slot, STEP_WEIGHTS), _points(sheet), strict=True)
        ):
            steps.append(
                AgendaStep(
                    step=mark,
                    name=STEP_NAMES[i],
                    start=_clock(s_start),
                    end=_clock(s_start + mins),
                    minutes=mins,
                    presenter=STEP_DISCUSSION.get(i, presenter),
                    point=point,
                )
            )
            s_start += mins
        items.append(
            AgendaItem(
                number=n,
                sheet_id=sheet.sheet_id,
                version=sheet.version,
                title=f"{sheet.area.name} {THEME_SHORT.get(sheet.theme, sheet.theme_label)}",
                area_name=sheet.area.name,
                theme_label=sheet.theme_label,
                presenter=presenter,
                material=material.number,
                start=_clock(t),
                end=_clock(t + slot),
                minutes=slot,
                steps=steps,
                review=review,
            )
        )
        materials.append(material)
        summaries.append(sheet_summary(sheet, material.number, review=review))
        t += slot
    closing = AgendaSlot(
        title="まとめ・閉会",
        start=_clock(t),
        end=_clock(t + meeting.closing_minutes),
        minutes=meeting.closing_minutes,
        presenter=meeting.chair or meeting.secretariat,
        point="決定事項と役割分担の確認、次回の協議の場（効果の検証）と公表の予定",
    )
    return Agenda(
        meeting=meeting,
        opening=opening,
        items=items,
        closing=closing,
        materials=materials,
        summaries=summaries,
        review=any(i.review for i in items),
        synthetic=any(is_synthetic(s) for s in sheets),
    )
