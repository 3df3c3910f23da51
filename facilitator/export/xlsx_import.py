"""Import an offline-edited 課題管理シート workbook back as new sheet versions.

The model comes from the hidden 「_facilitator」 worksheet; edited visible cells are
applied onto it. Everything is parsed before anything is saved: a cell that cannot be
read (an unknown row, an invalid 優先度, a changed read-only cell, a missing metadata
sheet, an unknown sheet id, a corrupt file) stops the import with a Japanese message
naming the worksheet and cell, and nothing is stored. A newer version saved meanwhile
raises :class:`~facilitator.storage.SheetConflictError` carrying both sheets.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field, ValidationError

from facilitator.errors import InputError, NotFoundError
from facilitator.export.common import UNBACKED_MARK, CitationNumbers, parse_roles
from facilitator.export.xlsx import (
    CITE_COL,
    CITES_SHEET,
    COL,
    COLUMNS,
    FIRST_ROW,
    FORMAT,
    META_SHEET,
    YES_NO,
    Row,
    issue_rows,
)
from facilitator.sheets.edit import (
    EditError,
    edit_text,
    new_item,
    parse_accepted,
    parse_priority,
    parse_status,
    split_participants,
)
from facilitator.sheets.model import (
    Cause,
    IssueSheet,
    Measure,
    Statement,
    VerificationIndicator,
    field_label,
)
from facilitator.sheets.store import SheetConflictError, SheetStore

LIST_FIELDS = ("current_state", "causes", "measures", "effects", "indicators")
LABEL_FIELDS = [
    ("現状", "current_state"),
    ("原因", "causes"),
    ("方策", "measures"),
    ("期待される効果", "effects"),
    ("効果", "effects"),
    ("検証指標", "indicators"),
    ("指標", "indicators"),
]
_KEY = re.compile(r"^(\w+)(?:\[(\d+|\+)\])?$")
_MARKER = re.compile(r"\[(\d+)\]")


class ImportProblem(BaseModel):
    """Something in the workbook that cannot be read, with where it is."""

    worksheet: str
    cell: str = ""
    message: str

    def __str__(self) -> str:
        where = f"「{self.worksheet}」" + (f"のセル {self.cell}" if self.cell else "")
        return f"{where}: {self.message}"


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


def _text(value: object) -> str:
    """A cell value as the text we wrote: Excel's line endings and padding removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@dataclass
class _Parsed:
    """Working state while one worksheet is read."""

    title: str
    base: IssueSheet
    work: IssueSheet
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def problem(self, cell: str, message: str, worksheet: str | None = None) -> None:
        self.problems.append(
            ImportProblem(worksheet=worksheet or self.title, cell=cell, message=message)
        )


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
    if _text(ws["B1"].value) != FORMAT:
        raise XlsxImportError(
            path,
            [
                ImportProblem(
                    worksheet=META_SHEET,
                    cell="B1",
                    message=f"形式「{_text(ws['B1'].value)}」は読めません（{FORMAT} が必要です）。",
                )
            ],
        )
    out, problems = [], []
    for r in range(3, ws.max_row + 1):
        title = _text(ws.cell(r, 1).value)
        if not title and not ws.cell(r, 2).value:
            continue
        try:
            nparts = int(ws.cell(r, 5).value or 0)
            body = "".join(str(ws.cell(r, 6 + i).value or "") for i in range(nparts))
            if hashlib.sha256(body.encode("utf-8")).hexdigest() != _text(ws.cell(r, 4).value):
                raise ValueError("hash")
            sheet = IssueSheet.model_validate_json(body)
            if sheet.sheet_id != _text(ws.cell(r, 2).value) or sheet.version != int(
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
        if _text(ws.cell(1, COL["key"]).value) == f"sheet:{sheet_id}":
            return ws
    return None


def _strip_markers(raw: str, own: list[int], all_numbers: set[int], p: _Parsed, ref: str) -> str:
    """Remove our note markers and the 「（根拠なし）」 mark from an edited text cell."""
    text = raw.replace(UNBACKED_MARK, "")

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n in own:
            return ""
        if n in all_numbers:
            p.warnings.append(
                f"セル {ref}: 引用番号 [{n}] は別の記述の出典です。Excel では引用を"
                "付け替えられないため、本文の文字として残しました。"
            )
        return m.group(0)

    return _MARKER.sub(repl, text).strip()


def _field_of_label(label: str) -> str | None:
    label = re.sub(r"^[①-⑥]\s*", "", label.strip())
    for prefix, name in LABEL_FIELDS:
        if label.startswith(prefix):
            return name
    return None


def _apply_citations(wb: Workbook, parsed: dict[str, _Parsed]) -> list[ImportProblem]:
    """The 「採用」 column of 「出典」 accepts or drops citations; other columns are read-only."""
    if CITES_SHEET not in wb.sheetnames:
        for p in parsed.values():
            p.warnings.append(
                f"「{CITES_SHEET}」ワークシートがないため、引用の採否は変更しませんでした。"
            )
        return []
    ws, problems = wb[CITES_SHEET], []
    for r in range(2, ws.max_row + 1):
        key = _text(ws.cell(r, CITE_COL["key"]).value)
        values = [_text(ws.cell(r, c).value) for c in range(1, CITE_COL["key"])]
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
        if values[CITE_COL["quote"] - 1] != _text(base_quote):
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


SHEET_LEVEL = {
    "participants": "participants",
    "status": "status",
    "internal_notes": "internal_notes",
}


def _dump(value: object) -> object:
    return value.model_dump() if isinstance(value, BaseModel) else value


def _apply_row(
    p: _Parsed,
    r: int,
    row: Row,
    values: dict[str, str],
    obj: object,
    numbers: CitationNumbers,
    all_numbers: set[int],
) -> object | None:
    """Apply a row and log it as a change only when the sheet really changed."""
    attr = SHEET_LEVEL.get(row.key)
    before = _dump(getattr(p.work, attr) if attr else obj)
    result = _apply_cells(p, r, row, values, obj, numbers, all_numbers)
    after = _dump(getattr(p.work, attr) if attr else result)
    if result is not None and after != before and "[+]" not in row.key:
        edited = [
            COLUMNS[COL[n] - 1][0]
            for n in ("text", "side", "priority", "accepted", "note")
            if n in row.editable and values[n] != _text(row.value(n))
        ]
        p.changes.append(f"行 {r}: {row.label}{row.number}の「{'」「'.join(edited)}」を更新")
    return result


def _apply_cells(
    p: _Parsed,
    r: int,
    row: Row,
    values: dict[str, str],
    obj: object,
    numbers: CitationNumbers,
    all_numbers: set[int],
) -> object | None:
    """Apply a row's editable cells to ``obj``; returns None when a list item is emptied."""

    def ref(name: str) -> str:
        return f"{get_column_letter(COL[name])}{r}"

    for name in ("text", "side", "priority", "accepted", "backing", "note"):
        if name not in row.editable and values[name] != _text(row.value(name)):
            header = COLUMNS[COL[name] - 1][0]
            p.problem(
                ref(name),
                f"{row.label}の「{header}」は Excel では変更できません。"
                "元に戻すか、アプリで変更してください。",
            )
    key = row.key
    changed = [n for n in row.editable if values[n] != _text(row.value(n))]
    text = values["text"]
    if key == "participants":
        p.work.participants = split_participants(text) if "text" in changed else p.work.participants
        return obj
    if key == "status":
        if "text" in changed:
            try:
                p.work.status = parse_status(text)
            except EditError as exc:
                p.problem(ref("text"), str(exc))
        return obj
    if key == "internal_notes":
        p.work.internal_notes = text if "text" in changed else p.work.internal_notes
        return obj
    if key in ("area", "theme", "version"):
        return obj
    if isinstance(obj, VerificationIndicator) or key.startswith("indicators"):
        ind = obj if isinstance(obj, VerificationIndicator) else VerificationIndicator(name="")
        if "text" in changed:
            ind.name = text
        if "side" in changed:
            ind.target = values["side"]
        return ind if ind.name else None
    assert isinstance(obj, Statement)
    if "text" in changed:
        own = numbers.numbers(key, obj) if "[+]" not in key else []
        warning = edit_text(obj, _strip_markers(text, own, all_numbers, p, ref("text")))
        if warning:
            p.warnings.append(f"セル {ref('text')}: {warning}")
    if "note" in changed:
        obj.note = values["note"]
    if isinstance(obj, Cause) and "side" in changed:
        obj.viewpoint = values["side"]
    if isinstance(obj, Measure):
        if "side" in changed:
            obj.roles = parse_roles(values["side"])
        if "priority" in changed:
            try:
                obj.priority = parse_priority(values["priority"])
            except EditError as exc:
                p.problem(ref("priority"), str(exc))
        if "accepted" in changed:
            try:
                obj.accepted = parse_accepted(values["accepted"])
            except EditError as exc:
                p.problem(ref("accepted"), str(exc))
    if key in ("goal", "issue"):
        return obj
    return obj if obj.text.strip() else None


def _read_issue_worksheet(ws: Worksheet, p: _Parsed) -> None:
    """Apply every row of one issue worksheet onto ``p.work``."""
    numbers = CitationNumbers(p.base)
    all_numbers = {nc.number for nc in numbers.items}
    expected = {row.key: row for row in issue_rows(p.base, numbers)}
    lookup: dict[str, object] = dict(p.work.statements())
    lookup |= {f"indicators[{i}]": ind for i, ind in enumerate(p.work.indicators)}
    lists: dict[str, list[object]] = {name: [] for name in LIST_FIELDS}
    seen: dict[str, int] = {}
    current_field: str | None = None
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = _text(ws.cell(r, COL["key"]).value)
        values = {name: _text(ws.cell(r, c).value) for name, c in COL.items() if name != "key"}
        if not key and not any(values.values()):
            continue
        if key in seen:
            p.problem(
                f"A{r}",
                f"行 {seen[key]} と同じ行がもう1つあります（行をコピーした場合は、"
                "非表示の I 列を消して新しい行として入力してください）。",
            )
            continue
        if key:
            seen[key] = r
            row = expected.get(key)
            if row is None:
                p.problem(f"A{r}", f"この行（キー「{key}」）は読めません。")
                continue
            m = _KEY.match(key)
            name = m.group(1) if m else key
            current_field = name if name in LIST_FIELDS else None
            if name in LIST_FIELDS and m and m.group(2) == "+":
                _add_item(p, r, row, values, name, lists, numbers, all_numbers)
                continue
            result = _apply_row(p, r, row, values, lookup.get(key), numbers, all_numbers)
            if name in LIST_FIELDS:
                if result is None:
                    p.changes.append(f"行 {r}: {row.label}{row.number}を削除（本文を空にしたため）")
                else:
                    lists[name].append(result)
            continue
        # A row the coordinator inserted: its field comes from column A or the row above.
        name = _field_of_label(values["label"]) if values["label"] else current_field
        if name is None:
            p.problem(
                f"A{r}",
                "どの項目の行か分かりません。A列に「原因」「方策」などの項目名を"
                "入れるか、行を削除してください。",
            )
            continue
        current_field = name
        template = next(row for k, row in expected.items() if k.startswith(name))
        new_row = Row(key=f"{name}[+]", label=template.label, editable=_editable(name))
        _add_item(p, r, new_row, values, name, lists, numbers, all_numbers)
    for key, row in expected.items():
        m = _KEY.match(key)
        if key not in seen and m and m.group(2) not in (None, "+"):
            lists[m.group(1)].append(lookup[key])
            p.warnings.append(
                f"{row.label}{row.number}の行が見つからないため、元の内容のまま残しました"
                "（削除する場合は本文を空にしてください）。"
            )
        elif (
            key not in seen and m and m.group(2) is None and key not in ("area", "theme", "version")
        ):
            p.warnings.append(f"{row.label}の行が見つからないため、元の内容のまま残しました。")
    for name, items in lists.items():
        setattr(p.work, name, items)


def _add_item(
    p: _Parsed,
    r: int,
    row: Row,
    values: dict[str, str],
    name: str,
    lists: dict[str, list[object]],
    numbers: CitationNumbers,
    all_numbers: set[int],
) -> None:
    """A new list item from an inserted (or placeholder) row; a row without 内容 is refused."""
    filled = [n for n in row.editable if values[n]]
    if not filled:
        return
    item = _apply_row(p, r, row, values, new_item(name), numbers, all_numbers)
    if item is None:
        p.problem(
            f"C{r}",
            f"{row.label}の行に「内容」がないため追加できません。内容を入力するか、行を削除してください。",
        )
        return
    lists[name].append(item)
    p.changes.append(f"行 {r}: {row.label}を追加")


def _editable(name: str) -> set[str]:
    return {
        "causes": {"text", "side", "note"},
        "measures": {"text", "side", "priority", "accepted", "note"},
        "indicators": {"text", "side"},
    }.get(name, {"text", "note"})


def import_xlsx(path: str | Path, store: SheetStore, author: str = "") -> ImportReport:
    """Apply an offline-edited workbook from :func:`to_xlsx`; each changed sheet becomes a new version.

    Raises :class:`XlsxImportError` (nothing saved) when any cell cannot be read, and
    :class:`SheetConflictError` (nothing saved) when a sheet was saved by someone else
    after the export; the error carries both the imported and the newer sheet.
    """
    path = Path(path)
    wb = _open(path)
    meta = _read_meta(wb, path)
    problems: list[ImportProblem] = []
    parsed: dict[str, _Parsed] = {}
    found: dict[str, Worksheet] = {}
    for r, title, sheet in meta:
        try:
            store.get(sheet.sheet_id)
        except NotFoundError:
            problems.append(
                ImportProblem(
                    worksheet=META_SHEET,
                    cell=f"B{r}",
                    message=f"シートID「{sheet.sheet_id}」（ワークシート「{title}」）はこのデータにありません。"
                    "別の環境で出力したファイルではありませんか。",
                )
            )
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
        parsed[sheet.sheet_id] = _Parsed(ws.title, sheet, sheet.model_copy(deep=True))
        found[sheet.sheet_id] = ws
    if problems:
        raise XlsxImportError(path, problems)
    problems += _apply_citations(wb, parsed)
    for sheet_id, p in parsed.items():
        _read_issue_worksheet(found[sheet_id], p)
        problems += p.problems
    if problems:
        raise XlsxImportError(path, problems)

    results: list[tuple[_Parsed, IssueSheet | None]] = []
    for p in parsed.values():
        new = IssueSheet.model_validate(p.work.model_dump())
        changed = new.model_dump() != p.base.model_dump()
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
