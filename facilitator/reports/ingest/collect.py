"""Collecting located import errors, mapping headers and parsing columns (shared by importers).

Errors are collected, never first-only: file, row (as Excel shows it), column header, cell,
value and a Japanese reason.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from facilitator.reports.errors import ReportImportError
from facilitator.reports.ingest import limits
from facilitator.reports.ingest.chars import REMOVED, visible
from facilitator.reports.ingest.fast_csv import distinct
from facilitator.reports.ingest.reading import Table, column_letter
from facilitator.reports.ingest.validators import ColumnResult, Parser, parse_column
from facilitator.reports.items import header_key
from facilitator.reports.models import SYNTHETIC_LABEL, RowError

MAX_ERRORS = limits.MAX_ERRORS


class ErrorCollector:
    """Collects located errors up to a limit, and warnings (what was accepted but changed)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.items: list[RowError] = []
        self.truncated = False
        self.warnings: list[str] = list(table.notes)

    def add(
        self, row: int | None, col: int | None, value: str, reason: str, column: str = ""
    ) -> None:
        if len(self.items) >= limits.MAX_ERRORS:
            self.truncated = True
            return
        if col is not None:
            column = self.table.headers[col]
        cell = f"{column_letter(col)}{row}" if col is not None and row is not None else None
        self.items.append(
            RowError(
                file=self.table.file,
                row=row,
                column=column,
                value=visible(value, 80),
                reason=reason,
                cell=cell,
            )
        )

    def at(self, i: int, col: int, reason: str) -> None:
        """An error in data record ``i`` of column ``col``."""
        self.add(self.table.rows[i], col, self.table.columns[col][i], reason)

    def column(self, col: int, result: ColumnResult) -> None:
        if not result.bad:
            return
        raw = self.table.columns[col]
        for i in result.bad_rows():
            self.at(int(i), col, result.bad[raw[i]])

    def rows_where(self, col: int, result: ColumnResult, texts: set[str], reason: str) -> None:
        """An error on every row of ``col`` whose raw text is in ``texts``."""
        idx = [k for k, u in enumerate(result.uniques) if u in texts]
        if idx:
            for i in np.flatnonzero(np.isin(result.codes, idx)):
                self.at(int(i), col, reason)

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(
                key=lambda e: (e.row or 0, e.cell is None, len(e.cell or ""), e.cell or "")
            )
            raise ReportImportError(self.table.file, self.items, self.truncated)


def map_headers(
    table: Table, lookup: dict[str, str], ignored: set[str], errors: ErrorCollector
) -> tuple[dict[str, int], list[str]]:
    """Field → column index; returns also the unknown headers (ignored with a warning)."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for idx, header in enumerate(table.headers):
        key = header_key(header)
        if not key:
            continue
        found = lookup.get(key)
        if found is None:
            if key not in ignored:
                unknown.append(header)
            continue
        if found in mapping:
            first = table.headers[mapping[found]]
            errors.add(
                1,
                idx,
                header,
                f"同じ項目の列が2つあります（{column_letter(mapping[found])}列「{first}」と同じ）。",
            )
            continue
        mapping[found] = idx
    return mapping, unknown


def map_required_headers(
    table: Table,
    lookup: dict[str, str],
    ignored: list[str],
    required: list[str],
    header: Callable[[str], str],
    errors: ErrorCollector,
) -> tuple[dict[str, int], list[str]]:
    """``map_headers`` plus an error on row 1 for every required field without a column."""
    mapping, unknown = map_headers(table, lookup, {header_key(h) for h in ignored}, errors)
    for f in required:
        if f not in mapping:
            errors.add(1, None, "", "必須の列がありません。", column=header(f))
    return mapping, unknown


def ignored_columns_warning(unknown: list[str]) -> list[str]:
    """The warning about headers that are not in the column table (none if all known)."""
    if not unknown:
        return []
    return ["対応表にない列を無視しました: " + "、".join(f"「{h}」" for h in unknown)]


def parse_result(
    table: Table, col: int, parser: Parser, errors: ErrorCollector, *, text: bool = False
) -> ColumnResult:
    """Parse one column by its distinct values, collecting an error for every bad row.

    ``text``: a text column whose parser removes control characters; if any cell has some,
    a warning says how many cells were cleaned and where the first one is.
    """
    raw = table.columns[col]
    if text and REMOVED.search("".join(distinct(raw))):
        _note_controls(table, col, errors)
    result = parse_column(raw, parser)
    errors.column(col, result)
    return result


def parse_values(
    table: Table, col: int, parser: Parser, errors: ErrorCollector, *, text: bool = False
) -> list[object]:
    """Like ``parse_result``, but the parsed value of every row (None for blank or bad)."""
    return parse_result(table, col, parser, errors, text=text).values


def _note_controls(table: Table, col: int, errors: ErrorCollector) -> None:
    """Warn that control characters were removed from some cells of a text column."""
    hits = [i for i, v in enumerate(table.columns[col]) if REMOVED.search(v)]
    first = f"{column_letter(col)}{table.rows[hits[0]]}"
    errors.warnings.append(
        f"列「{table.headers[col]}」の{len(hits):,}セル（最初は {first}）から"
        "制御文字（NUL など）を取り除いて保存しました。"
    )


def synthetic_label(table: Table, col: int | None, errors: ErrorCollector) -> bool:
    """Whether the file is marked 架空データ in its データ区分 column (must be uniform)."""
    if col is None:
        return False
    labels = {header_key(v) for v in set(distinct(table.columns[col]))}
    if len(labels) > 1:
        first = table.columns[col][0]
        for i, v in enumerate(table.columns[col]):
            if header_key(v) != header_key(first):
                errors.at(
                    i,
                    col,
                    f"データ区分が行によって異なります（{table.rows[0]}行目は「{visible(first, 20)}」）。"
                    "1ファイルは1つの区分にしてください。",
                )
                break
        return False
    return next(iter(labels), "") == SYNTHETIC_LABEL
