"""Importing an offline-edited workbook: edits applied by the shared rules, problems reported, nothing half-saved, conflicts keep both versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.errors import InputError
from facilitator.export import (
    XlsxImportError,
    import_xlsx,
)
from facilitator.export.xlsx import CITES_SHEET, COL, META_SHEET
from facilitator.sheets.model import (
    IssueSheet,
    SheetStatus,
)
from facilitator.sheets.store import SheetConflictError, SheetStore
from tests.export.builders import (
    DROPPED_QUOTE,
    UNBACKED_TEXT,
    everything_but,
    export_and_open,
    make_sheet,
    rows_by_key,
)

# --- Excel import ---------------------------------------------------------------------------


class TestXlsxImport:
    def test_round_trip_saves_the_edit_as_a_new_version(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        cell = ws.cell(rows_by_key(ws)["goal"], COL["text"])
        cell.value = cell.value.replace("輪番制", "輪番制や当番医制")
        wb.save(path)
        report = import_xlsx(path, store, author="県 事務局")
        assert [(s.base_version, s.new_version) for s in report.sheets] == [(1, 2)]
        assert any("目指す姿" in c for c in report.sheets[0].changes)
        new = store.get(saved.sheet_id)
        assert new.version == 2
        assert new.goal.text == saved.goal.text.replace("輪番制", "輪番制や当番医制")
        assert new.goal.citations == saved.goal.citations  # the [1] marker was not kept as text
        assert everything_but(new, "goal") == everything_but(saved, "goal")
        history = store.history(saved.sheet_id)
        assert history[-1].author == "県 事務局" and "sheet.xlsx" in history[-1].message

    def test_untouched_workbook_saves_nothing(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, _, _ = export_and_open(saved, tmp_path)
        report = import_xlsx(path, store)
        assert report.saved == [] and report.sheets[0].new_version is None
        assert len(store.history(saved.sheet_id)) == 1

    def test_long_models_survive_split_metadata(self, store: SheetStore, tmp_path: Path) -> None:
        big = store.save(make_sheet(internal_notes="議事メモ。" * 15000))
        path, wb, _ = export_and_open(big, tmp_path)
        assert wb[META_SHEET]["E3"].value >= 3
        assert import_xlsx(path, store).saved == []
        ws = wb.worksheets[0]
        assert ws.cell(rows_by_key(ws)["internal_notes"], COL["text"]).value.endswith(
            "全文はアプリで確認・編集してください）"
        )

    def test_roles_priority_acceptance_viewpoint_status_and_citations(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(
            rows["participants"], COL["text"]
        ).value = "県・保健所、東部市、東部市医師会、訪問看護ステーション"
        ws.cell(rows["causes[1]"], COL["side"]).value = "市町村"
        ws.cell(
            rows["measures[0]"], COL["side"]
        ).value = "東部市医師会：輪番表の作成\n東部市：住民への周知"
        ws.cell(rows["measures[0]"], COL["priority"]).value = "中"
        ws.cell(rows["measures[2]"], COL["accepted"]).value = "採用"
        ws.cell(rows["current_state[1]"], COL["note"]).value = "救急外来の件数を確認済み"
        ws.cell(rows["status"], COL["text"]).value = "事務局確認"  # back for another check
        ws.cell(rows["internal_notes"], COL["text"]).value = "医師会と調整済み"
        cites = wb[CITES_SHEET]
        row = next(
            r for r in range(2, cites.max_row + 1) if cites.cell(r, 8).value == DROPPED_QUOTE
        )
        cites.cell(row, 10).value = "採用"
        wb.save(path)
        import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert new.participants[-1] == "訪問看護ステーション"
        assert new.causes[1].viewpoint == "市町村"
        assert [(r.actor, r.action) for r in new.measures[0].roles] == [
            ("東部市医師会", "輪番表の作成"),
            ("東部市", "住民への周知"),
        ]
        assert new.measures[0].priority == "中" and new.measures[2].accepted
        assert new.current_state[1].note == "救急外来の件数を確認済み"
        assert new.status == SheetStatus.review and new.internal_notes == "医師会と調整済み"
        assert new.issue.citations[1].accepted
        edited = (
            "participants",
            "causes",
            "measures",
            "current_state",
            "status",
            "internal_notes",
            "issue",
        )
        assert everything_but(new, *edited) == everything_but(saved, *edited)
        assert new.causes[0] == saved.causes[0] and new.measures[1] == saved.measures[1]

    def test_inserted_row_adds_a_cause(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        r = rows_by_key(ws)["causes[1]"] + 1
        ws.insert_rows(r)
        ws.cell(r, COL["text"]).value = "時間外の相談窓口が住民に知られていない。"
        ws.cell(r, COL["side"]).value = "住民"
        wb.save(path)
        report = import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert [c.viewpoint for c in new.causes] == ["医師会", "行政", "住民"]
        assert new.causes[2].text == "時間外の相談窓口が住民に知られていない。"
        assert new.causes[2].unbacked
        assert any("を追加" in c for c in report.sheets[0].changes)

    def test_emptied_text_removes_the_item(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.cell(rows_by_key(ws)["measures[2]"], COL["text"]).value = None
        wb.save(path)
        import_xlsx(path, store)
        assert [m.text for m in store.get(saved.sheet_id).measures] == [
            m.text for m in saved.measures[:2]
        ]

    def test_deleted_row_keeps_the_content_and_warns(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.delete_rows(rows["effects[0]"])
        ws.cell(rows["goal"], COL["note"]).value = "要確認"
        wb.save(path)
        report = import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert new.effects == saved.effects and new.goal.note == "要確認"
        assert any("元の内容のまま残しました" in w for w in report.sheets[0].warnings)

    def test_renamed_worksheet_is_found_by_its_hidden_key(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.title = "時間外（修正版）"
        ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "修正"
        wb.save(path)
        assert import_xlsx(path, store).sheets[0].worksheet == "時間外（修正版）"
        assert store.get(saved.sheet_id).issue.note == "修正"

    def test_removing_only_marks_changes_nothing(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(
            rows["current_state[1]"], COL["text"]
        ).value = UNBACKED_TEXT  # 「（根拠なし）」 removed
        ws.cell(rows["goal"], COL["text"]).value = saved.goal.text  # marker [1] removed
        wb.save(path)
        report = import_xlsx(path, store)
        assert report.saved == [] and report.sheets[0].changes == []
        assert store.get(saved.sheet_id).goal.citations == saved.goal.citations

    def test_placeholder_row_of_an_empty_field_takes_a_new_item(
        self, store: SheetStore, tmp_path: Path
    ) -> None:
        sheet = store.save(make_sheet(causes=[], indicators=[]))
        path, wb, ws = export_and_open(sheet, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(rows["causes[+]"], COL["text"]).value = "休日当番の医師が固定化している。"
        ws.cell(rows["causes[+]"], COL["side"]).value = "医師会"
        ws.cell(rows["indicators[+]"], COL["text"]).value = "休日夜間の受診件数"
        wb.save(path)
        import_xlsx(path, store)
        new = store.get(sheet.sheet_id)
        assert [(c.text, c.viewpoint) for c in new.causes] == [
            ("休日当番の医師が固定化している。", "医師会")
        ]
        assert [i.name for i in new.indicators] == ["休日夜間の受診件数"]

    def test_conflict_when_someone_saved_in_between(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.cell(rows_by_key(ws)["issue"], COL["text"]).value = "休日・夜間の相談先が分からない。"
        wb.save(path)
        store.save(saved.model_copy(update={"title": "別の人の編集"}), author="別の人")
        with pytest.raises(SheetConflictError, match="他の人が先に保存") as info:
            import_xlsx(path, store)
        assert info.value.mine.issue.text == "休日・夜間の相談先が分からない。"
        assert info.value.mine.version == 1
        assert info.value.theirs.version == 2 and info.value.theirs.title == "別の人の編集"
        assert len(store.history(saved.sheet_id)) == 2


def _not_xlsx(path: Path, wb, ws) -> None:
    path.write_text("これは Excel ではありません", encoding="utf-8")


def _truncated(path: Path, wb, ws) -> None:
    path.write_bytes(path.read_bytes()[:300])


def _no_meta(path: Path, wb, ws) -> None:
    del wb[META_SHEET]
    wb.save(path)


def _tampered_meta(path: Path, wb, ws) -> None:
    wb[META_SHEET]["F3"].value = wb[META_SHEET]["F3"].value.replace("東部市", "西部市")
    wb.save(path)


def _unknown_key(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["goal"], COL["key"]).value = "goal_v2"
    wb.save(path)


def _bad_priority(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["measures[0]"], COL["priority"]).value = "最高"
    ws.cell(rows_by_key(ws)["goal"], COL["text"]).value = "この編集も保存されない"
    wb.save(path)


def _read_only_area(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["area"], COL["text"]).value = "西部市"
    wb.save(path)


def _stray_row(path: Path, wb, ws) -> None:
    r = ws.max_row + 2
    ws.cell(r, 1).value = "その他"
    ws.cell(r, COL["text"]).value = "議題外の意見"
    wb.save(path)


def _bad_status(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["status"], COL["text"]).value = "完了"
    wb.save(path)


def _edited_quote(path: Path, wb, ws) -> None:
    wb[CITES_SHEET]["H2"].value = "書き換えた引用"
    wb.save(path)


def _roles_without_text(path: Path, wb, ws) -> None:
    r = rows_by_key(ws)["measures[2]"] + 1
    ws.insert_rows(r)
    ws.cell(r, COL["side"]).value = "東部市：広報"
    wb.save(path)


def _copied_row(path: Path, wb, ws) -> None:
    src = rows_by_key(ws)["effects[0]"]
    r = ws.max_row + 1
    for c in range(1, COL["key"] + 1):
        ws.cell(r, c).value = ws.cell(src, c).value
    wb.save(path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_not_xlsx, r"Excel（\.xlsx）ファイルとして読めません"),
        (_truncated, r"Excel（\.xlsx）ファイルとして読めません"),
        (_no_meta, r"「_facilitator」: 非表示のメタデータのワークシートがありません"),
        (_tampered_meta, r"「_facilitator」のセル A3:F3: メタデータが壊れています"),
        (
            _unknown_key,
            r"「1_東部市_時間外診療」のセル A\d+: この行（キー「goal_v2」）は読めません",
        ),
        (_bad_priority, r"のセル E\d+: 優先度「最高」は 高・中・低"),
        (_read_only_area, r"のセル C4: 圏域の「内容」は Excel では変更できません"),
        (_stray_row, r"のセル A\d+: どの項目の行か分かりません"),
        (_bad_status, r"のセル C\d+: 状態「完了」は選べません"),
        (_edited_quote, r"「出典」のセル H2: 引用文は Excel では変更できません"),
        (
            _roles_without_text,
            r"のセル C\d+: ⑤ 方策（役割分担・優先度）の行に「内容」がないため追加できません",
        ),
        (_copied_row, r"のセル A\d+: 行 \d+ と同じ行がもう1つあります"),
    ],
)
def test_unreadable_workbook_is_reported_and_nothing_saved(
    damage, message: str, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    damage(path, wb, ws)
    with pytest.raises(XlsxImportError, match=message) as info:
        import_xlsx(path, store)
    assert "何も保存していません" in str(info.value)
    assert len(store.history(saved.sheet_id)) == 1
    assert store.get(saved.sheet_id) == saved


def test_unknown_sheet_id_is_reported_with_its_cell(store: SheetStore, tmp_path: Path) -> None:
    path, _, _ = export_and_open(make_sheet(sheet_id="sh-elsewhere1"), tmp_path)
    with pytest.raises(
        XlsxImportError,
        match=r"「_facilitator」のセル B3: シートID「sh-elsewhere1」"
        r"（ワークシート「1_東部市_時間外診療」）はこのデータにありません",
    ):
        import_xlsx(path, store)
    assert store.list() == []


def test_missing_file_is_an_input_error(store: SheetStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"ファイル .*nothing\.xlsx がありません"):
        import_xlsx(tmp_path / "nothing.xlsx", store)
