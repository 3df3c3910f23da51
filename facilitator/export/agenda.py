"""協議の場の進行表: several issue sheets laid out as one meeting's running order.

Each sheet becomes an agenda item with a presenter and a time slot, split over the six
steps of the guideline's cycle (①現状 → ②目指す姿 → ③課題 → ④原因 → ⑤方策・役割分担
→ ⑥効果と検証), each step showing what the sheet says for it. Internal notes never
appear; unbacked statements keep their 「（根拠なし）」 mark so the meeting sees it.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from pydantic import BaseModel, Field

from facilitator.errors import InputError
from facilitator.export.common import REVIEW_MARK, STEPS, UNBACKED_MARK, figure_text
from facilitator.export.documents import md_table
from facilitator.export.docx_util import add_heading, add_paragraph, add_table, new_document
from facilitator.export.safe import write_cell
from facilitator.export.xlsx_style import (
    BORDER,
    FILL_LABEL,
    WRAP,
    cell_font,
    page_setup,
    row_height,
    write_header,
)
from facilitator.sheets.model import IssueSheet, Statement
from facilitator.text import circled
from facilitator.themes import THEME_SHORT

STEP_WEIGHTS = (0.15, 0.10, 0.15, 0.20, 0.30, 0.10)
"""Share of an item's time per step: causes and measures take the longest discussion."""
MAX_ENTRY = 110
MIN_ITEM_MINUTES = len(STEPS)


class MeetingInfo(BaseModel):
    """What the coordinator knows about the meeting before the agenda is laid out."""

    name: str = Field(
        description="例: 令和8年度 第1回 ○○圏域 かかりつけ医機能の確保に関する協議の場"
    )
    date: str = Field(description="開催日（例: 2026年7月15日（水））")
    place: str = ""
    start: str = Field(default="14:00", description="開始時刻 HH:MM")
    minutes: int = Field(default=90, description="会議全体の時間（分）")
    opening_minutes: int = 10
    closing_minutes: int = 10
    chair: str = ""
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
    content: str


class AgendaItem(BaseModel):
    number: int
    sheet_id: str
    version: int
    title: str
    area_name: str
    theme_label: str
    presenter: str
    start: str
    end: str
    minutes: int
    steps: list[AgendaStep]


class AgendaSlot(BaseModel):
    """開会・閉会 and other fixed slots."""

    title: str
    start: str
    end: str
    minutes: int
    content: str = ""
    presenter: str = ""


class Agenda(BaseModel):
    meeting: MeetingInfo
    opening: AgendaSlot
    items: list[AgendaItem]
    closing: AgendaSlot


def _minutes(hhmm: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,2})[:：](\d{2})\s*", hhmm)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(f"開始時刻「{hhmm}」は「14:00」のように入力してください。")
    return int(m.group(1)) * 60 + int(m.group(2))


def _clock(total: int) -> str:
    return f"{total // 60 % 24}:{total % 60:02d}"


def _short(text: str) -> str:
    return text if len(text) <= MAX_ENTRY else text[: MAX_ENTRY - 1] + "…"


def _line(s: Statement) -> str:
    marks = (UNBACKED_MARK if s.unbacked else "") + (REVIEW_MARK if s.review else "")
    return _short(s.text) + (marks if s.text.strip() else "")


def _step_contents(sheet: IssueSheet) -> list[str]:
    """What the sheet says for each step ①〜⑥ (no internal notes)."""
    current = []
    for s in sheet.current_state:
        current.append("・" + _line(s))
        current += [f"　（{figure_text(f)}）" for f in s.figures[:1]]
    causes = [
        f"・原因{circled(i)}" + (f"［{c.viewpoint}］" if c.viewpoint else "") + _line(c)
        for i, c in enumerate(sheet.causes, 1)
    ]
    measures = []
    for i, m in enumerate((m for m in sheet.measures if m.accepted), 1):
        actors = "、".join(dict.fromkeys(r.actor for r in m.roles))
        measures.append(
            f"・方策{circled(i)}［優先度 {m.priority}］{_line(m)}"
            + (f"（担い手: {actors}）" if actors else "")
        )
    effects = [f"・{_line(s)}" for s in sheet.effects]
    effects += [
        f"・検証指標: {ind.name}" + (f"（目標: {ind.target}）" if ind.target else "")
        for ind in sheet.indicators
    ]
    empty = "（シートに記載なし）"
    return [
        "\n".join(current) or empty,
        _line(sheet.goal) or empty,
        _line(sheet.issue) or empty,
        "\n".join(causes) or empty,
        "\n".join(measures) or empty,
        "\n".join(effects) or empty,
    ]


def _split(total: int, weights: tuple[float, ...]) -> list[int]:
    """Whole minutes in proportion to weights, each at least 1, summing to ``total``."""
    parts = [max(1, int(total * w)) for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


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
        content="協議の場の趣旨、前回の協議結果と検証（⑥）の確認",
    )
    t = start + meeting.opening_minutes
    items = []
    per, extra = divmod(available, len(sheets))
    for n, sheet in enumerate(sheets, 1):
        slot = per + (1 if n <= extra else 0)
        steps, s_start = [], t
        for (mark, name, _), mins, content in zip(
            STEPS, _split(slot, STEP_WEIGHTS), _step_contents(sheet), strict=True
        ):
            steps.append(
                AgendaStep(
                    step=mark,
                    name=name,
                    start=_clock(s_start),
                    end=_clock(s_start + mins),
                    minutes=mins,
                    content=content,
                )
            )
            s_start += mins
        presenter = (
            meeting.presenters.get(sheet.sheet_id)
            or meeting.presenters.get(sheet.theme)
            or meeting.default_presenter
        )
        items.append(
            AgendaItem(
                number=n,
                sheet_id=sheet.sheet_id,
                version=sheet.version,
                title=f"{THEME_SHORT.get(sheet.theme, sheet.theme_label)}（{sheet.area.name}）",
                area_name=sheet.area.name,
                theme_label=sheet.theme_label,
                presenter=presenter,
                start=_clock(t),
                end=_clock(t + slot),
                minutes=slot,
                steps=steps,
            )
        )
        t += slot
    closing = AgendaSlot(
        title="まとめ・次回の予定",
        start=_clock(t),
        end=_clock(t + meeting.closing_minutes),
        minutes=meeting.closing_minutes,
        presenter=meeting.chair or meeting.secretariat,
        content="決定事項と役割分担の確認、次回の協議の場での効果の検証（⑥）、協議結果の公表の予定",
    )
    return Agenda(meeting=meeting, opening=opening, items=items, closing=closing)


def _rows(a: Agenda) -> list[tuple[str, str, str, str, str, bool]]:
    """(時刻, 分, 議題・ステップ, 内容, 説明者, is_heading) in running order."""
    rows = [
        (
            f"{a.opening.start}〜{a.opening.end}",
            str(a.opening.minutes),
            a.opening.title,
            a.opening.content,
            a.opening.presenter,
            True,
        )
    ]
    for item in a.items:
        rows.append(
            (
                f"{item.start}〜{item.end}",
                str(item.minutes),
                f"議題{item.number} {item.title}",
                f"{item.theme_label}（シート {item.sheet_id} 版{item.version}）",
                item.presenter,
                True,
            )
        )
        rows += [
            (f"{s.start}〜{s.end}", str(s.minutes), f"{s.step} {s.name}", s.content, "", False)
            for s in item.steps
        ]
    rows.append(
        (
            f"{a.closing.start}〜{a.closing.end}",
            str(a.closing.minutes),
            a.closing.title,
            a.closing.content,
            a.closing.presenter,
            True,
        )
    )
    return rows


def _meeting_lines(m: MeetingInfo) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, v in (
            ("日時", f"{m.date} {m.start}〜（{m.minutes}分）"),
            ("場所", m.place),
            ("座長", m.chair),
            ("事務局", m.secretariat),
        )
        if v
    ]


HEADERS = ["時刻", "分", "議題・進行", "内容", "説明者"]


def agenda_to_markdown(a: Agenda) -> str:
    out = [f"# 協議の場の進行表　{a.meeting.name}", ""]
    out += [f"- {k}: {v}" for k, v in _meeting_lines(a.meeting)] + [""]
    out += md_table(
        HEADERS,
        [
            [t, m, f"**{title}**" if head else title, content, who]
            for t, m, title, content, who, head in _rows(a)
        ],
    )
    return "\n".join(out) + "\n"


def agenda_to_docx(a: Agenda, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = new_document(header="協議の場の進行表", footer=a.meeting.name, landscape=True)
    add_heading(doc, f"協議の場の進行表　{a.meeting.name}", level=1)
    for k, v in _meeting_lines(a.meeting):
        add_paragraph(doc, f"{k}: {v}")
    table = add_table(
        doc,
        HEADERS,
        [[t, m, title, content, who] for t, m, title, content, who, _ in _rows(a)],
        widths_mm=[26, 12, 60, 140, 30],
    )
    for row, (*_, head) in zip(table.rows[1:], _rows(a), strict=True):
        if head:
            for run in row.cells[2].paragraphs[0].runs:
                run.bold = True
    doc.save(str(path))
    return path


def agenda_to_xlsx(a: Agenda, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "進行表"
    write_cell(ws, 1, 1, f"協議の場の進行表　{a.meeting.name}").font = cell_font(bold=True, size=13)
    meeting_line = "　".join(f"{k}: {v}" for k, v in _meeting_lines(a.meeting))
    write_cell(ws, 2, 1, meeting_line).font = cell_font(size=9)
    columns = [("時刻", 13), ("分", 5), ("議題・進行", 30), ("内容", 70), ("説明者", 18)]
    write_header(ws, 3, columns, hide_last=False)
    r = 4
    for *values, head in _rows(a):
        for c, value in enumerate(values, 1):
            cell = write_cell(ws, r, c, int(value) if c == 2 else value)
            cell.alignment, cell.border = WRAP, BORDER
            cell.font = cell_font(bold=head)
            if head:
                cell.fill = FILL_LABEL
        ws.row_dimensions[r].height = row_height([(values[3], 70), (values[2], 30)])
        r += 1
    ws.freeze_panes = "A4"
    page_setup(
        ws,
        title_rows="3:3",
        last_col=len(columns),
        last_row=r - 1,
        header="協議の場の進行表",
        footer=a.meeting.name,
    )
    wb.save(path)
    return path
