"""Entry points for any file: tell report data from an area table and import it.

Errors are collected (not first-only) with file, row, column, value and a Japanese reason.
A file with any error stores nothing; a valid file replaces its scope (report year ×
prefectures, or the prefectures of an area table) in one transaction. Several files given
together (``import_files``) are one transaction: all stored, or none. Report files are
imported by ``report_table``, area tables by ``area_table``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from facilitator.errors import FacilitatorError
from facilitator.reports.errors import NotStoredError, ReportImportError, UnexpectedImportError
from facilitator.reports.ingest.area_table import import_areas
from facilitator.reports.ingest.chars import visible
from facilitator.reports.ingest.reading import Table, display_name, header_row, read_table
from facilitator.reports.ingest.report_table import import_reports
from facilitator.reports.items import header_key, identity_header_lookup, load_area_columns
from facilitator.reports.models import ImportResult, RowError
from facilitator.reports.perf import paused_gc
from facilitator.reports.store import ReportStore, open_store
from facilitator.settings import Settings

log = logging.getLogger(__name__)


def detect_kind(table: Table) -> str:
    """'reports' if the header has an institution code column, 'areas' if it looks like one."""
    if _has_inst_code_column(table.headers):
        return "reports"
    keys = {header_key(h) for h in table.headers}
    area = load_area_columns().header_lookup()
    fields = {area[k] for k in keys if k in area}
    if {"muni_code", "population"} <= fields or {"muni_code", "sec_code"} <= fields:
        return "areas"
    raise ReportImportError(
        table.file,
        [
            RowError(
                file=table.file,
                row=1,
                column="",
                reason=(
                    "列見出しから報告データ（「医療機関コード」列が必要）か市町村表"
                    "（「市町村コード」「二次医療圏コード」「人口」列が必要）かを判別できません。"
                    "docs/REPORTS.md の列見出し一覧を確認してください。"
                ),
            )
        ],
    )


def _has_inst_code_column(headers: list[str]) -> bool:
    """Whether some header names the 医療機関コード (what makes a file report data)."""
    ident = identity_header_lookup()
    return any(ident.get(header_key(h)) == "inst_code" for h in headers)


def import_file(path: str | Path, store: ReportStore) -> ImportResult:
    """Read, validate and store one file (report data or area table, detected from headers).

    Raises:
        ReportImportError: the file has errors; nothing from it was stored.
    """
    with paused_gc():
        table = read_table(path)
        if detect_kind(table) == "areas":
            return import_areas(table, store)
        return import_reports(table, store)


@dataclass
class ImportBatch:
    """Outcome of importing several files: what was stored and what was rejected."""

    results: list[ImportResult] = field(default_factory=list)
    failures: list[ReportImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _looks_like_areas(path: Path) -> bool:
    """Cheap sniff of the header row (area tables are imported before report files)."""
    headers = header_row(path)
    return bool(headers) and not _has_inst_code_column(headers)


def import_files(settings: Settings, paths: list[str | Path]) -> ImportBatch:
    """Import several files as one batch, area tables first: all of them are stored, or none.

    The batch is one transaction (each file a savepoint inside it). If any file is rejected,
    the transaction is rolled back and every valid file is reported as ``NotStoredError``
    (``results`` is then empty): the database is exactly as before. Every file is still
    validated, so all errors of all files are reported at once. An unexpected error in one
    file is reported as its ``UnexpectedImportError`` (traceback in the log), never raised;
    only an interruption (Ctrl-C) propagates, after the rollback.
    """
    ordered = sorted((Path(p) for p in paths), key=lambda p: not _looks_like_areas(p))
    outcomes: list[ImportResult | ReportImportError] = []
    with open_store(settings) as store:
        try:
            with store.transaction():
                for path in ordered:
                    outcomes.append(_import_one(path, store))
                if any(isinstance(o, ReportImportError) for o in outcomes):
                    raise _RollBack
        except _RollBack:
            rejected = [o.file for o in outcomes if isinstance(o, ReportImportError)]
            return ImportBatch(
                failures=[
                    o
                    if isinstance(o, ReportImportError)
                    else NotStoredError(o.file, _what(o), rejected)
                    for o in outcomes
                ]
            )
    return ImportBatch(results=[o for o in outcomes if isinstance(o, ImportResult)])


class _RollBack(Exception):
    """Raised inside the batch transaction to undo it."""


def _import_one(path: Path, store: ReportStore) -> ImportResult | ReportImportError:
    """One file of a batch: its result, or why it was rejected (never raises but Ctrl-C)."""
    try:
        return import_file(path, store)
    except ReportImportError as exc:
        return exc
    except FacilitatorError as exc:  # e.g. the database is locked: say so for this file
        name = display_name(path)
        return ReportImportError(name, [RowError(file=name, row=None, column="", reason=str(exc))])
    except Exception as exc:  # a bug: report it as this file's rejection, keep the traceback
        log.exception("unexpected error importing %s", visible(str(path)))
        return UnexpectedImportError(display_name(path), exc)


def _what(result: ImportResult) -> str:
    """What a valid file of a rolled-back batch would have stored."""
    if result.kind == "areas":
        return f"市町村表・市町村 {result.municipalities:,}件"
    return f"{result.year}年報告・医療機関 {result.institutions:,}件"
