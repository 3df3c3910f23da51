"""The 課題管理シート workbook: layout, citations, print set-up."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from facilitator.export import (
    to_xlsx,
)
from facilitator.export.xlsx import CITES_SHEET, COL, META_SHEET
from tests.export.builders import (
    A4,
    DROPPED_QUOTE,
    GUIDELINE,
    UNBACKED_TEXT,
    UNVERIFIED_QUOTE,
    export_and_open,
    make_sheet,
    rows_by_key,
)

# --- Excel layout ----------------------------------------------------------------------


class TestXlsxLayout:
    def test_worksheets_are_issue_citations_and_hidden_metadata(self, tmp_path: Path) -> None:
        _, wb, _ = export_and_open(make_sheet(), tmp_path)
        assert wb.sheetnames == ["1_東部市_時間外診療", CITES_SHEET, META_SHEET]
        assert wb[META_SHEET].sheet_state == "hidden"
        assert wb.active.title == "1_東部市_時間外診療"

    def test_fields_follow_the_council_cycle(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        labels = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
        assert list(dict.fromkeys(labels)) == [
            "圏域",
            "テーマ",
            "参加者",
            "① 現状",
            "② 目指す姿",
            "③ 課題",
            "④ 原因",
            "⑤ 方策（役割分担・優先度）",
            "⑥ 期待される効果",
            "⑥ 検証指標",
            "状態",
            "版",
            "事務局メモ（非公開）",
        ]

    def test_text_cells_wrap_and_carry_citation_markers(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        rows = rows_by_key(ws)
        goal = ws.cell(rows["goal"], COL["text"])
        assert goal.value.endswith("時間外診療体制を確保する。[1]")
        # the dropped citation of 課題 gets no marker in the text
        assert ws.cell(rows["issue"], COL["text"]).value.endswith("構築できていない。[2]")
        for r in range(4, ws.max_row + 1):
            for c in range(1, COL["key"]):
                assert ws.cell(r, c).alignment.wrap_text, ws.cell(r, c).coordinate

    def test_unbacked_statement_is_marked_and_filled(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        r = rows_by_key(ws)["current_state[1]"]
        cell = ws.cell(r, COL["text"])
        assert cell.value == UNBACKED_TEXT + "（根拠なし）"
        assert cell.fill.fgColor.rgb.endswith("FCE4D6")
        backed = ws.cell(rows_by_key(ws)["goal"], COL["text"])
        assert not backed.fill.fgColor.rgb.endswith("FCE4D6")

    def test_figures_show_year_n_filter_and_synthetic_flag(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        backing = ws.cell(rows_by_key(ws)["current_state[0]"], COL["backing"]).value
        for part in ("31.2%", "2025年報告", "N=96", "診療所（N=96）", "架空データ"):
            assert part in backing
        assert "架空" in ws["A2"].value

    def test_causes_keep_viewpoint_and_measures_roles_priority(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        rows = rows_by_key(ws)
        assert ws.cell(rows["causes[0]"], COL["side"]).value == "医師会"
        assert ws.cell(rows["causes[1]"], COL["number"]).value == "②"
        m = rows["measures[0]"]
        assert (
            ws.cell(m, COL["side"]).value
            == "東部市医師会：輪番表の作成\n県・保健所：報告結果の提供"
        )
        assert ws.cell(m, COL["priority"]).value == "高"
        assert ws.cell(rows["measures[2]"], COL["accepted"]).value == "不採用"
        assert ws.cell(rows["status"], COL["text"]).value == "協議会提出"
        assert ws.cell(rows["version"], COL["text"]).value == "版0"

    def test_print_setup_is_a4_fit_to_width_with_titles(self, tmp_path: Path) -> None:
        sheet = make_sheet().model_copy(update={"version": 3})
        _, wb, ws = export_and_open(sheet, tmp_path)
        for w in (ws, wb[CITES_SHEET]):
            assert int(w.page_setup.paperSize) == A4
            assert w.sheet_properties.pageSetUpPr.fitToPage
            assert w.page_setup.fitToWidth == 1 and w.page_setup.fitToHeight == 0
            assert w.page_margins.left == 0.5
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$3:$3"
        assert ws.oddFooter.left.text.startswith("東部市・時間外診療・版3")  # no sheet id
        assert "東部市" in ws.oddHeader.center.text
        assert ws.column_dimensions["C"].width >= 50
        assert ws.column_dimensions["I"].hidden  # the row keys never print

    def test_citations_sheet_lists_every_citation(self, tmp_path: Path) -> None:
        sheet = make_sheet()
        _, wb, _ = export_and_open(sheet, tmp_path)
        ws = wb[CITES_SHEET]
        header = [c.value for c in ws[1]][:10]
        assert header == [
            "ワークシート",
            "番号",
            "項目",
            "資料名",
            "事例",
            "所在",
            "チャンクID",
            "引用",
            "検証",
            "採用",
        ]
        rows = [[c.value for c in row][:10] for row in ws.iter_rows(min_row=2)]
        assert len(rows) == len(sheet.all_citations()) == 7
        assert rows[0] == [
            "1_東部市_時間外診療",
            1,
            "目指す姿",
            GUIDELINE,
            None,
            "第4章第4節（2）時間外診療 （3）地域で目指すべき姿",
            "gl-4-4-2-goal",
            "時間外診療体制を確保する",
            "確認済",
            "採用",
        ]
        dropped = next(r for r in rows if r[7] == DROPPED_QUOTE)
        assert dropped[2] == "課題" and dropped[4] == "事例12 ○○病院" and dropped[9] == "不採用"
        unverified = next(r for r in rows if r[7] == UNVERIFIED_QUOTE)
        assert unverified[8] == "未確認（引用文が資料の本文にありません）"
        assert unverified[2] == "方策②"

    def test_several_sheets_share_one_workbook(self, tmp_path: Path) -> None:
        other = make_sheet(sheet_id="sh-test000002", theme="zaitaku")
        wb = load_workbook(to_xlsx([make_sheet(), other], tmp_path / "two.xlsx"))
        assert wb.sheetnames[:2] == ["1_東部市_時間外診療", "2_東部市_在宅医療"]
        cites = {r[0].value for r in wb[CITES_SHEET].iter_rows(min_row=2)}
        assert cites == {"1_東部市_時間外診療", "2_東部市_在宅医療"}
        assert [wb[META_SHEET].cell(r, 2).value for r in (3, 4)] == [
            "sh-test000001",
            "sh-test000002",
        ]
