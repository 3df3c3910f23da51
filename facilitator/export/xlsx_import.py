"""Import an offline-edited 課題管理シート workbook back as new sheet versions.

The workbook is trusted for its edited cells only. Its size is checked on the zip
before openpyxl opens it (:mod:`facilitator.export.xlsx_guard`). Each sheet starts from
the stored version named in the hidden 「_facilitator」 worksheet, whose model must equal
that stored version (a forged or edited model is refused). Every citation is checked
again against the index (verified, locator and title come from the index, never from the
workbook); the status never moves to 協議会提出 or 公表 through an import; every change
(memo rows too) is listed in the report.

Everything is parsed before anything is saved: a cell that cannot be read (an unknown
row, an invalid 優先度, a changed read-only cell, a missing metadata sheet, an unknown
sheet id, a corrupt or oversized file) stops the import with a Japanese message naming
the worksheet and cell, and nothing is stored. A newer version saved meanwhile raises
:class:`~facilitator.sheets.store.SheetConflictError` carrying both sheets.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field, ValidationError

from facilitator.errors import FacilitatorError, InputError, NotFoundError
from facilitator.export.xlsx import (
    CITE_COL,
    CITES_SHEET,
    COL,
    FIRST_ROW,
    FORMAT,
    META_SHEET,
    YES_NO,
)
from facilitator.export.xlsx_guard import MAX_COLS, TooLarge, check_workbook_size
from facilitator.export.xlsx_rows import (
    ImportProblem,
    ParsedWorksheet,
    cell_text,
    read_issue_worksheet,
)
from facilitator.sheets.citations import verify_citation
from facilitator.sheets.edit import EditError, parse_accepted
from facilitator.sheets.model import (
    FIELD_LABELS,
    IssueSheet,
    SheetStatus,
    field_label,
)
from facilitator.sheets.store import SheetConflictError, SheetStore

if TYPE_CHECKING:
    from facilitator.corpus.chunks import Chunk

IMPORT_BLOCKED_STATUSES = (SheetStatus.submitted, SheetStatus.published)
"""States an import may never set: a person moves a sheet there in the app, after checking it."""
MAX_META_PARTS = MAX_COLS - 5


class XlsxImportError(InputError):
    """The workbook cannot be imported; ``problems`` lists every place, nothing was saved."""

    def __init__(self, path: Path, problems: list[ImportProblem]) -> None:
        lines = "\n".join(f"・{p}" for p in problems)
        super().__init__(f"{path.name} を取り込めませんでした（何も保存していません）。\n{lines}")
        self.problems = problems


class SheetImport(BaseModel):
    """What happened to one issue sheet of the workbook."""

    sheet_id: str
    worksheet: str
    base_version: int
    new_version: int | None = Field(default=None, description="None: nothing changed, not saved")
    changes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    """Result of :func:`import_xlsx`."""

    path: str
    sheets: list[SheetImport] = Field(default_factory=list)

    @property
    def saved(self) -> list[SheetImport]:
        return [s for s in self.sheets if s.new_version is not None]


def _open(path: Path) -> Workbook:
    if not path.exists():
        raise InputError(f"ファイル {path} がありません。")
    if path.suffix.lower() == ".xls":
        raise XlsxImportError(
            path,
            [
                ImportProblem(
                    worksheet=path.name,
                    message="古い Excel 形式（.xls）は読めません。"
                    "Excel で「.xlsx」形式で保存し直してください。",
                )
            ],
        )
    try:
        check_workbook_size(path)
    except TooLarge as exc:
        raise XlsxImportError(path, [exc.problem]) from None
    try:
        return load_workbook(path)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:
        raise XlsxImportError(
            path,
            [
                ImportProblem(
                    worksheet=path.name,
                    message="Excel（.xlsx）ファイルとして読めません（壊れているか、"
                    f"別の形式のファイルです: {type(exc).__name__}）。",
                )
            ],
        ) from exc


def _read_meta(wb: Workbook, path: Path) -> list[tuple[int, str, IssueSheet]]:
    """(row, worksheet title, sheet) per sheet from the hidden metadata worksheet."""
    if META_SHEET not in wb.sheetnames:
        raise XlsxImportError(
            path,
            [
                ImportProblem(
                    worksheet=META_SHEET,
                    message="非表示のメタデータのワークシートがありません（削除された"
                    "可能性があります）。facilitator で出力したファイルに編集内容を写して取り込んでください。",
                )
            ],
        )
    ws = wb[META_SHEET]
    if cell_text(ws["B1"].value) != FORMAT:
        raise XlsxImportError(
            path,
            [
                ImportProblem(
                    worksheet=META_SHEET,
                    cell="B1",
                    message=f"形式「{cell_text(ws['B1'].value)}」は読めません（{FORMAT} が必要です）。",
                )
            ],
        )
    out, problems = [], []
    for r in range(3, ws.max_row + 1):
        title = cell_text(ws.cell(r, 1).value)
        if not title and not ws.cell(r, 2).value:
            continue
        try:
            nparts = int(ws.cell(r, 5).value or 0)
            if not 1 <= nparts <= MAX_META_PARTS:
                raise ValueError("parts")
            body = "".join(str(ws.cell(r, 6 + i).value or "") for i in range(nparts))
            if hashlib.sha256(body.encode("utf-8")).hexdigest() != cell_text(ws.cell(r, 4).value):
                raise ValueError("hash")
            sheet = IssueSheet.model_validate_json(body)
            if sheet.sheet_id != cell_text(ws.cell(r, 2).value) or sheet.version != int(
                ws.cell(r, 3).value
            ):
                raise ValueError("id")
        except (ValueError, TypeError, ValidationError):
            problems.append(
                ImportProblem(
                    worksheet=META_SHEET,
                    cell=f"A{r}:F{r}",
                    message="メタデータが壊れています（非表示シートが編集されました）。"
                    "facilitator で出力し直したファイルに編集内容を写してください。",
                )
            )
            continue
        out.append((r, title, sheet))
    if not out and not problems:
        problems.append(ImportProblem(worksheet=META_SHEET, message="シートの情報がありません。"))
    if problems:
        raise XlsxImportError(path, problems)
    return out


def _find_worksheet(wb: Workbook, title: str, sheet_id: str) -> Worksheet | None:
    """By title, or (renamed) by the hidden key ``sheet:<id>`` in the key column."""
    if title in wb.sheetnames:
        return wb[title]
    for ws in wb.worksheets:
        if cell_text(ws.cell(1, COL["key"]).value) == f"sheet:{sheet_id}":
            return ws
    return None


def _apply_citations(wb: Workbook, parsed: dict[str, ParsedWorksheet]) -> list[ImportProblem]:
    """The 「採用」 column of 「出典」 accepts or drops citations; other columns are read-only."""
    if CITES_SHEET not in wb.sheetnames:
        for p in parsed.values():
            p.warnings.append(
                f"「{CITES_SHEET}」ワークシートがないため、引用の採否は変更しませんでした。"
            )
        return []
    ws, problems = wb[CITES_SHEET], []
    for r in range(2, ws.max_row + 1):
        key = cell_text(ws.cell(r, CITE_COL["key"]).value)
        values = [cell_text(ws.cell(r, c).value) for c in range(1, CITE_COL["key"])]
        if key == "none" or (not key and not any(values)):
            continue
        sheet_id, _, rest = key.partition("|")
        path, _, index = rest.partition("|")
        p = parsed.get(sheet_id)
        lookup = dict(p.work.statements()) if p else {}
        statement = lookup.get(path)
        if (
            not key
            or p is None
            or statement is None
            or not index.isdigit()
            or int(index) >= len(statement.citations)
        ):
            problems.append(
                ImportProblem(
                    worksheet=CITES_SHEET,
                    cell=f"A{r}",
                    message="この行は読めません（追加された行か、キーが変わっています）。"
                    "引用の追加はアプリで行ってください。",
                )
            )
            continue
        citation = statement.citations[int(index)]
        ref = f"{get_column_letter(CITE_COL['accepted'])}{r}"
        value = values[CITE_COL["accepted"] - 1]
        try:
            accepted = parse_accepted(value)
        except EditError as exc:
            problems.append(ImportProblem(worksheet=CITES_SHEET, cell=ref, message=str(exc)))
            continue
        base_quote = dict(p.base.statements())[path].citations[int(index)].quote
        if values[CITE_COL["quote"] - 1] != cell_text(base_quote):
            problems.append(
                ImportProblem(
                    worksheet=CITES_SHEET,
                    cell=f"{get_column_letter(CITE_COL['quote'])}{r}",
                    message="引用文は Excel では変更できません（資料の原文と照合済みのため）。元に戻してください。",
                )
            )
        if accepted != citation.accepted:
            citation.accepted = accepted
            p.changes.append(
                f"{CITES_SHEET}!{ref}: {field_label(path)} の引用を{YES_NO[citation.accepted]}に変更"
            )
    return problems


def _stored_base(
    store: SheetStore, r: int, title: str, sheet: IssueSheet
) -> IssueSheet | ImportProblem:
    """The stored version the workbook was exported from; its hidden model must equal it."""
    try:
        store.get(sheet.sheet_id)
    except NotFoundError:
        return ImportProblem(
            worksheet=META_SHEET,
            cell=f"B{r}",
            message=f"シートID「{sheet.sheet_id}」（ワークシート「{title}」）はこのデータにありません。"
            "別の環境で出力したファイルではありませんか。",
        )
    try:
        stored = store.get(sheet.sheet_id, sheet.version)
    except NotFoundError:
        stored = None
    if stored is None or stored.model_dump() != sheet.model_dump():
        what = "は保存されていません" if stored is None else "の保存内容と一致しません"
        return ImportProblem(
            worksheet=META_SHEET,
            cell=f"A{r}:F{r}",
            message=f"シート「{sheet.sheet_id}」（ワークシート「{title}」）の版{sheet.version}"
            f"{what}（非表示シートが書き換えられています）。facilitator で出力し直したファイルに"
            "編集内容を写してください。",
        )
    return stored


def _index_chunks(
    store: SheetStore, chunks: Mapping[str, Chunk] | None
) -> tuple[Mapping[str, Chunk] | None, str]:
    """The index's chunks by id to check citations against, or None and why not."""
    if chunks is not None:
        return chunks, ""
    from facilitator.search.index import IndexStore

    try:
        return IndexStore(store.settings).by_id, ""
    except FacilitatorError as exc:
        return None, str(exc)


def _citation_rows(wb: Workbook) -> dict[str, int]:
    """Row of each citation key on the 「出典」 worksheet."""
    if CITES_SHEET not in wb.sheetnames:
        return {}
    ws = wb[CITES_SHEET]
    return {
        cell_text(ws.cell(r, CITE_COL["key"]).value): r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, CITE_COL["key"]).value
    }


def _reverify(
    p: ParsedWorksheet, index: Mapping[str, Chunk] | None, why: str, rows: dict[str, int]
) -> None:
    """Check every citation again against the index; what changed is a listed change.

    Runs before the rows are read, while the statements still have their exported paths.
    """
    if index is None:
        p.warnings.append(
            f"索引を開けないため、引用を資料と照合し直していません（保存済みの版{p.base.version}の"
            f"検証結果のままです）。{why}"
        )
        return
    for path, statement in p.work.statements():
        for i, cite in enumerate(statement.citations):
            checked = verify_citation(cite, index)
            if checked == cite:
                continue
            statement.citations[i] = checked
            row = rows.get(f"{p.base.sheet_id}|{path}|{i}")
            where = f"{CITES_SHEET}!A{row}" if row else CITES_SHEET
            what = f"{where}: {field_label(path)} の引用（{cite.case_id or cite.doc_title or cite.chunk_id}）"
            if not checked.verified:
                p.changes.append(f"{what}を未検証にしました（{checked.problem}）")
                p.warnings.append(
                    f"{what}は資料と照合できませんでした: {checked.problem}。"
                    "根拠として数えず、公表版にも出しません。"
                )
            elif not cite.verified:
                p.changes.append(f"{what}を資料と照合できたため検証済みにしました")
            else:
                p.changes.append(f"{what}の所在・資料名を索引に合わせて更新")


def _row_of(ws: Worksheet, key: str) -> int | None:
    """The row whose hidden key is ``key``."""
    rows = range(FIRST_ROW, ws.max_row + 1)
    return next((r for r in rows if cell_text(ws.cell(r, COL["key"]).value) == key), None)


def _keep_status(ws: Worksheet, p: ParsedWorksheet) -> None:
    """An import never moves a sheet to 協議会提出 or 公表; the base status is kept."""
    new, base = p.work.status, p.base.status
    if new == base or new not in IMPORT_BLOCKED_STATUSES:
        return
    p.work.status = base
    row = _row_of(ws, "status")
    where = f"セル {get_column_letter(COL['text'])}{row}: " if row else ""
    p.warnings.append(
        f"{where}状態を「{new}」にする変更は取り込みませんでした（状態は「{base}」のままです）。"
        "協議会提出・公表にするのは、内容を確かめてからアプリで行ってください。"
    )


SHEET_LEVEL_LABELS = {
    "participants": "参加者",
    "status": "状態",
    "internal_notes": "事務局メモ（非公開）",
}
"""Rows that edit the sheet itself; the row reader lists statement rows only."""


def _list_sheet_level_changes(ws: Worksheet, p: ParsedWorksheet, new: IssueSheet) -> None:
    """Every change is listed: 参加者, 状態 and 事務局メモ rows, then anything else unnamed."""
    for key, label in SHEET_LEVEL_LABELS.items():
        before, after = getattr(p.base, key), getattr(new, key)
        if before == after:
            continue
        row = _row_of(ws, key)
        where = f"行 {row}: " if row else ""
        if key == "status":
            p.changes.append(f"{where}{label}を「{before}」から「{after}」に変更")
        else:
            p.changes.append(f"{where}{label}を更新")
    if p.changes:
        return
    before_all, after_all = p.base.model_dump(), new.model_dump()
    for name in after_all:
        if after_all[name] != before_all.get(name):
            p.changes.append(f"「{FIELD_LABELS.get(name, name)}」を更新")


def import_xlsx(
    path: str | Path,
    store: SheetStore,
    author: str = "",
    chunks: Mapping[str, Chunk] | None = None,
) -> ImportReport:
    """Apply an offline-edited workbook from :func:`to_xlsx`; each changed sheet becomes a new version.

    Nothing the workbook says about a sheet is trusted beyond its edited cells: each sheet
    starts from the stored version it was exported as (a hidden model that differs from
    it is refused), every citation is checked again against the index (``chunks``, the
    index's ``by_id``; by default the data folder's index) and one that no longer
    matches is marked unverified, and the status never moves to 協議会提出 or 公表 (the
    base status is kept, with a warning).

    Raises :class:`XlsxImportError` (nothing saved) when the file is too large or any
    cell cannot be read, and :class:`SheetConflictError` (nothing saved) when a sheet
    was saved by someone else after the export; the error carries both the imported
    and the newer sheet.
    """
    path = Path(path)
    wb = _open(path)
    meta = _read_meta(wb, path)
    problems: list[ImportProblem] = []
    parsed: dict[str, ParsedWorksheet] = {}
    found: dict[str, Worksheet] = {}
    for r, title, sheet in meta:
        if sheet.sheet_id in parsed:
            problems.append(
                ImportProblem(
                    worksheet=META_SHEET,
                    cell=f"B{r}",
                    message=f"シートID「{sheet.sheet_id}」が2回あります（非表示シートが編集されました）。",
                )
            )
            continue
        base = _stored_base(store, r, title, sheet)
        if isinstance(base, ImportProblem):
            problems.append(base)
            continue
        ws = _find_worksheet(wb, title, sheet.sheet_id)
        if ws is None:
            problems.append(
                ImportProblem(
                    worksheet=title,
                    message="ワークシートが見つかりません"
                    "（削除されたか、名前と非表示のキーが変わっています）。",
                )
            )
            continue
        parsed[sheet.sheet_id] = ParsedWorksheet(ws.title, base, base.model_copy(deep=True))
        found[sheet.sheet_id] = ws
    if problems:
        raise XlsxImportError(path, problems)
    problems += _apply_citations(wb, parsed)
    if problems:
        raise XlsxImportError(path, problems)
    index, why = _index_chunks(store, chunks)
    rows = _citation_rows(wb)
    for p in parsed.values():
        _reverify(p, index, why, rows)
    for sheet_id, p in parsed.items():
        read_issue_worksheet(found[sheet_id], p)
        problems += p.problems
        _keep_status(found[sheet_id], p)
    if problems:
        raise XlsxImportError(path, problems)

    results: list[tuple[ParsedWorksheet, IssueSheet | None]] = []
    for sheet_id, p in parsed.items():
        new = IssueSheet.model_validate(p.work.model_dump())
        changed = new.model_dump() != p.base.model_dump()
        if changed:
            _list_sheet_level_changes(found[sheet_id], p, new)
        results.append((p, new if changed else None))
    for p, new in results:  # every conflict is found before anything is saved
        latest = store.get(p.base.sheet_id)
        if new is not None and latest.version != p.base.version:
            raise SheetConflictError(new, latest)
    report = ImportReport(path=str(path))
    for p, new in results:
        item = SheetImport(
            sheet_id=p.base.sheet_id,
            worksheet=p.title,
            base_version=p.base.version,
            changes=p.changes,
            warnings=p.warnings,
        )
        if new is not None:
            saved = store.save(new, author=author, message=f"Excel から取り込み（{path.name}）")
            item.new_version = saved.version
        report.sheets.append(item)
    return report
