"""What an imported workbook may not do: forge its model, publish a sheet, keep a citation
the index no longer backs, hide a change, or exhaust the machine with its size."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from facilitator.cli import cli
from facilitator.corpus.chunks import Chunk, DocKind, Locator
from facilitator.export import XlsxImportError, import_xlsx, to_xlsx
from facilitator.export.xlsx import CITE_COL, CITES_SHEET, COL, META_SHEET
from facilitator.export.xlsx_guard import MAX_COLS, MAX_MEMBER_BYTES, MAX_MEMBERS
from facilitator.settings import Settings
from facilitator.sheets.model import Citation, IssueSheet, SheetStatus
from facilitator.sheets.store import SheetStore
from tests.export.builders import export_and_open, make_sheet, rows_by_key

WORKSHEET = "1_東部市_時間外診療"


def _index_of(sheet: IssueSheet, *, without: str = "") -> dict[str, Chunk]:
    """An index holding every cited passage of ``sheet`` (its quote inside), but ``without``;
    a citation the sheet marks unverified gets a passage that does not contain its quote."""
    index = {}
    for c in sheet.all_citations():
        section = c.locator.removeprefix(f"{c.case_id} {c.case_name} ") if c.case_id else c.locator
        text = f"（前略）{c.quote}（後略）" if c.verified else "別の取組の説明です。"
        index[c.chunk_id] = Chunk(
            chunk_id=c.chunk_id,
            doc_id="doc",
            doc_title=c.doc_title,
            doc_kind=DocKind.casebook if c.case_id else DocKind.guideline,
            text=text,
            locator=Locator(
                doc_id="doc",
                doc_title=c.doc_title,
                section=section,
                case_id=c.case_id,
                case_name=c.case_name,
                char_start=0,
                char_end=len(text),
            ),
        )
    index.pop(without, None)
    return index


def _cites_row(wb, quote: str) -> int:
    ws = wb[CITES_SHEET]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, CITE_COL["quote"]).value == quote)


def _nothing_saved(store: SheetStore, saved: IssueSheet) -> None:
    assert len(store.history(saved.sheet_id)) == 1
    assert store.get(saved.sheet_id) == saved


# --- the hidden model ------------------------------------------------------------------------


def test_a_workbook_built_from_a_forged_model_is_refused(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    forged = saved.model_copy(deep=True)
    forged.status = SheetStatus.published
    forged.goal.citations.append(
        Citation(
            chunk_id="casebook:jirei-99:detail-1",
            quote="存在しない事例の引用",
            case_id="事例99",
            locator="事例99",
            verified=True,
        )
    )
    path = to_xlsx([forged], tmp_path / "forged.xlsx")  # hash and parts are consistent
    with pytest.raises(
        XlsxImportError,
        match=rf"「_facilitator」のセル A3:F3: シート「{saved.sheet_id}」（ワークシート「{WORKSHEET}」）"
        r"の版1の保存内容と一致しません",
    ) as info:
        import_xlsx(path, store)
    assert "何も保存していません" in str(info.value)
    _nothing_saved(store, saved)


def test_a_version_that_was_never_saved_is_refused(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path = to_xlsx([saved.model_copy(update={"version": 7})], tmp_path / "v7.xlsx")
    with pytest.raises(XlsxImportError, match=r"のセル A3:F3: .*の版7は保存されていません"):
        import_xlsx(path, store)
    _nothing_saved(store, saved)


def test_an_inflated_part_count_is_refused_at_once(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, _ = export_and_open(saved, tmp_path)
    wb[META_SHEET]["E3"].value = 10**12
    wb.save(path)
    with pytest.raises(
        XlsxImportError, match=r"「_facilitator」のセル A3:F3: メタデータが壊れています"
    ):
        import_xlsx(path, store)
    _nothing_saved(store, saved)


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("wanted", ["公表", "協議会提出"])
def test_an_import_never_moves_a_sheet_to_submitted_or_published(
    wanted: str, store: SheetStore, tmp_path: Path
) -> None:
    draft = store.save(make_sheet(status=SheetStatus.review))
    path, wb, ws = export_and_open(draft, tmp_path)
    rows = rows_by_key(ws)
    ws.cell(rows["status"], COL["text"]).value = wanted
    ws.cell(rows["issue"], COL["note"]).value = "医師会に確認する"
    wb.save(path)
    report = import_xlsx(path, store, chunks=_index_of(draft))
    new = store.get(draft.sheet_id)
    assert new.version == 2 and new.status == SheetStatus.review
    assert new.issue.note == "医師会に確認する"  # the rest of the edit is kept
    item = report.sheets[0]
    assert (
        f"セル C{rows['status']}: 状態を「{wanted}」にする変更は取り込みませんでした"
        in "\n".join(item.warnings)
    )
    assert item.changes == [f"行 {rows['issue']}: ③ 課題の「メモ（非公開）」を更新"]


def test_a_sheet_already_submitted_stays_so_and_may_go_back_to_review(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    assert saved.status == SheetStatus.submitted
    path, wb, ws = export_and_open(saved, tmp_path)
    row = rows_by_key(ws)["status"]
    ws.cell(row, COL["text"]).value = "事務局確認"
    wb.save(path)
    report = import_xlsx(path, store, chunks=_index_of(saved))
    assert store.get(saved.sheet_id).status == SheetStatus.review
    assert report.sheets[0].changes == [f"行 {row}: 状態を「協議会提出」から「事務局確認」に変更"]


# --- citations -------------------------------------------------------------------------------


def test_every_citation_is_checked_again_against_the_index(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, _ = export_and_open(saved, tmp_path)
    row = _cites_row(wb, saved.goal.citations[0].quote)
    report = import_xlsx(path, store, chunks=_index_of(saved, without="gl-4-4-2-goal"))
    item = report.sheets[0]
    assert item.new_version == 2
    assert item.changes == [
        f"出典!A{row}: 目指す姿 の引用（{saved.goal.citations[0].doc_title}）を未検証にしました"
        "（チャンク「gl-4-4-2-goal」は索引にありません）"
    ]
    assert any(w.startswith(f"出典!A{row}: 目指す姿 の引用") for w in item.warnings)
    new = store.get(saved.sheet_id)
    assert not new.goal.citations[0].verified and new.goal.unbacked
    assert new.measures[0].citations == saved.measures[0].citations  # still in the index


def test_a_matching_index_changes_nothing(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, _, _ = export_and_open(saved, tmp_path)
    report = import_xlsx(path, store, chunks=_index_of(saved))
    assert report.saved == [] and report.sheets[0].changes == []
    assert not report.sheets[0].warnings


def test_without_an_index_the_stored_verification_is_kept_and_said(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, _, _ = export_and_open(saved, tmp_path)
    report = import_xlsx(path, store)  # this data folder has no index
    assert report.saved == []
    assert any("引用を資料と照合し直していません" in w for w in report.sheets[0].warnings)


# --- the summary -----------------------------------------------------------------------------


def test_every_change_is_counted_memo_and_participants_too(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    rows = rows_by_key(ws)
    ws.cell(rows["internal_notes"], COL["text"]).value = "次回までに輪番表を共有"
    ws.cell(rows["participants"], COL["text"]).value = "県・保健所、東部市"
    ws.cell(rows["goal"], COL["note"]).value = "要確認"
    wb.save(path)
    report = import_xlsx(path, store, chunks=_index_of(saved))
    assert sorted(report.sheets[0].changes) == sorted(
        [
            f"行 {rows['goal']}: ② 目指す姿の「メモ（非公開）」を更新",
            f"行 {rows['participants']}: 参加者を更新",
            f"行 {rows['internal_notes']}: 事務局メモ（非公開）を更新",
        ]
    )


# --- size ------------------------------------------------------------------------------------


def test_a_cell_at_the_last_excel_row_is_refused_before_parsing(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    ws.cell(1_048_576, 1).value = "x"
    wb.save(path)
    assert path.stat().st_size < 100_000
    with pytest.raises(
        XlsxImportError,
        match=rf"sheet\.xlsx を取り込めませんでした（何も保存していません）。\n"
        rf"・「{WORKSHEET}」のセル A1048576: ワークシートが大きすぎるため読みません（2,000 行・50 列まで）",
    ):
        import_xlsx(path, store)
    _nothing_saved(store, saved)


def test_a_cell_beyond_the_column_limit_is_refused(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, _ = export_and_open(saved, tmp_path)
    wb[CITES_SHEET].cell(2, MAX_COLS + 1).value = "x"
    wb.save(path)
    with pytest.raises(XlsxImportError, match=r"「出典」のセル AY2: ワークシートが大きすぎる"):
        import_xlsx(path, store)


def test_a_merged_range_down_to_the_last_row_is_refused(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    """openpyxl would make a cell for each of the million merged cells."""
    path, _, _ = export_and_open(saved, tmp_path)
    merged = path.with_name("merged.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<mergeCell ref="A2:H2"/>', b'<mergeCell ref="A2:H1048576"/>')
            dst.writestr(info, data)
    with pytest.raises(
        XlsxImportError, match=rf"「{WORKSHEET}」のセル A2:H1048576: ワークシートが大きすぎる"
    ):
        import_xlsx(merged, store)


def _with_extra_members(path: Path, members: dict[str, bytes]) -> Path:
    out = path.with_name("extra.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, data in members.items():
            dst.writestr(name, data)
    return out


def test_a_zip_bomb_is_refused_by_its_declared_size(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, _, _ = export_and_open(saved, tmp_path)
    bomb = _with_extra_members(path, {"xl/media/image1.png": bytes(MAX_MEMBER_BYTES + 1)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(
        XlsxImportError,
        match=r"「extra\.xlsx」: 展開すると大きすぎるため読みません（中の「xl/media/image1\.png」",
    ):
        import_xlsx(bomb, store)


def test_a_workbook_with_too_many_parts_is_refused(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, _, _ = export_and_open(saved, tmp_path)
    many = _with_extra_members(
        path, {f"customXml/item{i}.xml": b"<a/>" for i in range(MAX_MEMBERS)}
    )
    with pytest.raises(XlsxImportError, match=r"「extra\.xlsx」: ファイルの中身が多すぎます"):
        import_xlsx(many, store)


def test_an_exported_workbook_passes_the_size_checks(store: SheetStore, tmp_path: Path) -> None:
    """Many sheets with long notes stay far inside the limits."""
    sheets = [
        store.save(make_sheet(sheet_id=f"sh-big{i:07d}", internal_notes="議事メモ。" * 6000))
        for i in range(5)
    ]
    path = to_xlsx(sheets, tmp_path / "many.xlsx")
    assert len(load_workbook(path).worksheets) == 7
    assert import_xlsx(path, store).saved == []


# --- from the command line -------------------------------------------------------------------


def _import_cli(settings: Settings, path: Path):
    return CliRunner().invoke(
        cli, ["--data-dir", str(settings.data_dir), "sheets", "import-xlsx", str(path)]
    )


def test_cli_refuses_an_oversized_workbook_with_exit_2(
    settings: Settings, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    ws.cell(1_048_576, 1).value = "x"
    wb.save(path)
    result = _import_cli(settings, path)
    assert result.exit_code == 2, result.output
    assert "エラー: sheet.xlsx を取り込めませんでした（何も保存していません）。" in result.output
    assert f"「{WORKSHEET}」のセル A1048576: ワークシートが大きすぎる" in result.output
    _nothing_saved(store, saved)


def test_cli_summary_says_the_status_was_not_published(
    settings: Settings, store: SheetStore, tmp_path: Path
) -> None:
    draft = store.save(make_sheet(status=SheetStatus.draft))
    path, wb, ws = export_and_open(draft, tmp_path)
    rows = rows_by_key(ws)
    ws.cell(rows["status"], COL["text"]).value = "公表"
    ws.cell(rows["internal_notes"], COL["text"]).value = "公表は次回の協議の場で決める"
    wb.save(path)
    result = _import_cli(settings, path)
    assert result.exit_code == 0, result.output
    assert "版1 を編集した内容を版2 として保存しました（変更 1 件）" in result.output
    assert f"変更: 行 {rows['internal_notes']}: 事務局メモ（非公開）を更新" in result.output
    assert (
        f"注意: セル C{rows['status']}: 状態を「公表」にする変更は取り込みませんでした"
        in result.output
    )
    assert store.get(draft.sheet_id).status == SheetStatus.draft
