"""The meeting agenda (進行表): time split, items, writers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from facilitator.errors import InputError
from facilitator.export import (
    agenda,
    agenda_to_docx,
    agenda_to_markdown,
    agenda_to_xlsx,
)
from facilitator.sheets.model import SheetStatus
from tests.export.builders import (
    A4,
    DROPPED_MEASURE,
    INTERNAL_NOTE,
    MEETING,
    STATEMENT_NOTE,
    UNBACKED_TEXT,
    docx_text,
    make_sheet,
    three_sheets,
)

# --- agenda -------------------------------------------------------------------------------


def test_agenda_splits_the_meeting_over_sheets_and_steps() -> None:
    plan = agenda(three_sheets(), MEETING)
    assert plan.opening.start == "13:30" and plan.closing.end == "15:30"
    assert [i.minutes for i in plan.items] == [34, 33, 33]
    assert [i.presenter for i in plan.items] == [
        "東部市医師会 理事",
        "在宅医療担当理事",
        "事務局（コーディネーター）",
    ]
    previous_end = plan.opening.end
    for item in plan.items:
        assert [s.step for s in item.steps] == ["①", "②", "③", "④", "⑤", "⑥"]
        assert sum(s.minutes for s in item.steps) == item.minutes
        assert item.steps[0].start == item.start == previous_end
        assert item.steps[-1].end == item.end
        previous_end = item.end
    assert plan.closing.start == previous_end
    steps = plan.items[0].steps
    assert [s.name for s in steps] == [
        "現状",
        "目指す姿",
        "課題",
        "原因",
        "方策・役割分担",
        "効果と検証",
    ]
    assert [s.presenter for s in steps][3:5] == ["全員（意見交換）", "全員（協議）"]
    assert steps[0].presenter == "東部市医師会 理事"
    assert steps[3].point == "原因2件（医師会・行政の立場から）"
    assert "方策2件（優先度 高1・中1）" in steps[4].point
    assert DROPPED_MEASURE not in steps[4].point
    assert steps[5].point == "検証指標: 時間外診療に対応する診療所の割合（目標: 県平均以上）"
    assert [m.number for m in plan.materials] == ["資料1", "資料2", "資料3"]
    assert plan.materials[1].title == "課題シート（東部市・在宅医療・版0）"
    assert plan.items[1].title == "東部市 在宅医療"


def test_a_step_point_is_one_short_line_never_the_whole_sheet() -> None:
    plan = agenda(three_sheets(), MEETING)
    for item in plan.items:
        for step in item.steps:
            assert "\n" not in step.point
            assert len(step.point.replace("（根拠なし）", "").replace("（要確認）", "")) <= 34
    points = [s.point for s in plan.items[0].steps]
    assert points[0].startswith("東部市で時間外診療に対応する診療所の割合は31.2%で")
    assert points[0].endswith("…") and "【架空データ】" not in points[0]
    assert not any(UNBACKED_TEXT in p for p in points)  # the second statement stays in the sheet


def test_an_unbacked_first_statement_keeps_its_mark_in_the_point() -> None:
    sheet = make_sheet()
    sheet.current_state.reverse()
    assert agenda([sheet], MEETING).items[0].steps[0].point == UNBACKED_TEXT + "（根拠なし）"


def test_a_sheet_not_yet_submitted_makes_a_review_copy() -> None:
    sheets = [make_sheet(), make_sheet(sheet_id="sh-test000002", status=SheetStatus.review)]
    plan = agenda(sheets, MEETING)
    assert plan.review and [m.review for m in plan.materials] == [False, True]
    assert not agenda(sheets[:1], MEETING).review


def test_agenda_never_shows_internal_notes() -> None:
    md = agenda_to_markdown(agenda(three_sheets(), MEETING))
    assert INTERNAL_NOTE not in md and STATEMENT_NOTE not in md


@pytest.mark.parametrize("kind", ["md", "docx", "xlsx"])
def test_agenda_writers_show_meeting_items_and_steps(kind: str, tmp_path: Path) -> None:
    plan = agenda(three_sheets(), MEETING)
    if kind == "md":
        text = agenda_to_markdown(plan)
    elif kind == "docx":
        text = docx_text(agenda_to_docx(plan, tmp_path / "a.docx"))
    else:
        wb = load_workbook(agenda_to_xlsx(plan, tmp_path / "a.xlsx"))
        ws = wb.active
        assert int(ws.page_setup.paperSize) == A4 and ws.page_setup.fitToWidth == 1
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for needle in (
        "令和8年度 第1回 東部圏域 協議の場",
        "令和8年7月15日（水）",
        "東部保健所 大会議室",
        "東部市医師会長",
        "議題① 東部市 時間外診療",
        "議題③ 東部市 医療介護連携",
        "⑤方策・役割分担",
        "13:30〜13:40",
        "在宅医療担当理事",
        "まとめ・閉会",
        "資料一覧",
        "資料2　課題シート（東部市・在宅医療・版0）",
    ):
        assert needle in text, needle


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minutes": 30}, "時間（10分）が足りません"),
        ({"start": "午後2時"}, "開始時刻「午後2時」"),
    ],
)
def test_agenda_rejects_impossible_meetings(change: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        agenda(three_sheets(), MEETING.model_copy(update=change))
