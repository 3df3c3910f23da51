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
from tests.export.builders import (
    A4,
    DROPPED_MEASURE,
    INTERNAL_NOTE,
    MEETING,
    STATEMENT_NOTE,
    docx_text,
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
    assert "（担い手: 東部市医師会、県・保健所）" in steps[4].content
    assert DROPPED_MEASURE not in steps[4].content
    assert "（根拠なし）" in steps[0].content
    assert "県平均以上" in steps[5].content


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
        "東部保健所 大会議室",
        "議題1 時間外診療（東部市）",
        "議題3 医療介護連携（東部市）",
        "⑤ 方策と役割分担の決定",
        "13:30〜13:40",
        "在宅医療担当理事",
        "まとめ・次回の予定",
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
