"""The public summary (協議の結果の公表シート): what it leaves out, when it may be made."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from facilitator.export import (
    NotPublishableError,
    public_summary,
    public_to_docx,
    public_to_markdown,
    public_to_xlsx,
)
from facilitator.sheets.model import (
    SheetStatus,
)
from tests.export.builders import (
    DROPPED_MEASURE,
    DROPPED_QUOTE,
    INTERNAL_NOTE,
    STATEMENT_NOTE,
    UNBACKED_TEXT,
    UNVERIFIED_QUOTE,
    docx_text,
    make_sheet,
)

# --- public summary -------------------------------------------------------------------------

PRIVATE = (
    INTERNAL_NOTE,
    STATEMENT_NOTE,
    UNBACKED_TEXT,
    DROPPED_MEASURE,
    DROPPED_QUOTE,
    UNVERIFIED_QUOTE,
    "輪番に参加する診療所を地区ごとに組み直す",
    "gl-4-4-2-goal",
    "事務局メモ",
)


def _public_text(kind: str, tmp_path: Path) -> str:
    summary = public_summary(make_sheet())
    if kind == "md":
        return public_to_markdown(summary)
    if kind == "json":
        return summary.model_dump_json()
    if kind == "docx":
        return docx_text(public_to_docx(summary, tmp_path / "p.docx"))
    wb = load_workbook(public_to_xlsx([summary], tmp_path / "p.xlsx"))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("kind", ["md", "json", "docx", "xlsx"])
def test_public_summary_leaves_out_notes_unbacked_and_dropped(kind: str, tmp_path: Path) -> None:
    text = _public_text(kind, tmp_path)
    for secret in PRIVATE:
        assert secret not in text, secret
    for shown in (
        "東部市",
        "時間外診療",
        "地域の輪番体制の構築",
        "東部市医師会",
        "輪番表の作成",
        "県平均以上",
    ):
        assert shown in text, shown


def test_public_summary_has_the_results_in_order_and_renumbers_sources() -> None:
    summary = public_summary(make_sheet())
    md = public_to_markdown(summary)
    assert (
        md.index("地域の課題") < md.index("目指す姿") < md.index("方策①") < md.index("効果の検証")
    )
    assert [s.number for s in summary.sources] == [1, 2, 3, 4]  # 課題, 目指す姿, 方策①, 効果
    assert summary.issue is not None and summary.issue.notes == [1]
    assert [m.text for m in summary.measures] == [make_sheet().measures[0].text]
    assert summary.omitted == [  # told to the coordinator in the editor's words
        "現状②（根拠なし）",
        "方策②（根拠なし）",
        "方策③（不採用）",
    ]
    assert "omitted" not in summary.model_dump()


@pytest.mark.parametrize("status", [SheetStatus.draft, SheetStatus.review])
def test_public_summary_refuses_sheets_not_yet_submitted(status: SheetStatus) -> None:
    with pytest.raises(NotPublishableError, match=f"状態は「{status}」.*協議会提出"):
        public_summary(make_sheet(status))


@pytest.mark.parametrize("status", [SheetStatus.submitted, SheetStatus.published])
def test_public_summary_allows_submitted_and_published(status: SheetStatus) -> None:
    assert public_summary(make_sheet(status)).status == status


def test_public_summary_force_allows_a_draft_for_checking() -> None:
    assert public_summary(make_sheet(SheetStatus.draft), force=True).status == "下書き"
