"""Reading the rows of one edited 課題管理シート worksheet back onto its sheet.

Every row carries a hidden key naming its field, so rows may be reordered, inserted or
deleted; each editable cell goes through the edit rules of :mod:`facilitator.sheets.edit`
(the app's editor follows the same rules). Problems are collected with their cell, never
raised one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from facilitator.export.common import REVIEW_MARK, UNBACKED_MARK, CitationNumbers, parse_roles
from facilitator.export.xlsx import COL, COLUMNS, FIRST_ROW, Row, issue_rows
from facilitator.sheets.edit import (
    EditError,
    edit_text,
    new_item,
    parse_accepted,
    parse_priority,
    parse_status,
    split_participants,
)
from facilitator.sheets.model import Cause, IssueSheet, Measure, Statement, VerificationIndicator

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


def cell_text(value: object) -> str:
    """A cell value as the text we wrote: Excel's line endings and padding removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@dataclass
class ParsedWorksheet:
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


def _strip_markers(
    raw: str, own: list[int], all_numbers: set[int], p: ParsedWorksheet, ref: str
) -> str:
    """Remove our note markers and the 「（根拠なし）」 mark from an edited text cell."""
    text = raw.replace(UNBACKED_MARK, "").replace(REVIEW_MARK, "")

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


SHEET_LEVEL = {
    "participants": "participants",
    "status": "status",
    "internal_notes": "internal_notes",
}


def _dump(value: object) -> object:
    return value.model_dump() if isinstance(value, BaseModel) else value


def _apply_row(
    p: ParsedWorksheet,
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
            if n in row.editable and values[n] != cell_text(row.value(n))
        ]
        p.changes.append(f"行 {r}: {row.label}{row.number}の「{'」「'.join(edited)}」を更新")
    return result


def _apply_cells(
    p: ParsedWorksheet,
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
        if name not in row.editable and values[name] != cell_text(row.value(name)):
            header = COLUMNS[COL[name] - 1][0]
            p.problem(
                ref(name),
                f"{row.label}の「{header}」は Excel では変更できません。"
                "元に戻すか、アプリで変更してください。",
            )
    key = row.key
    changed = [n for n in row.editable if values[n] != cell_text(row.value(n))]
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


def read_issue_worksheet(ws: Worksheet, p: ParsedWorksheet) -> None:
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
        key = cell_text(ws.cell(r, COL["key"]).value)
        values = {name: cell_text(ws.cell(r, c).value) for name, c in COL.items() if name != "key"}
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
    p: ParsedWorksheet,
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
