"""Entry points for any file: tell report data from an area table and import it.

Errors are collected (not first-only) with file, row, column, value and a Japanese reason.
A file with any error stores nothing; a valid file replaces its scope (report year ×
prefectures, or the prefectures of an area table) in one transaction. Report files are
imported by ``report_table``, area tables by ``area_table``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from facilitator.reports.errors import ReportImportError
from facilitator.reports.ingest.area_table import import_areas
from facilitator.reports.ingest.reading import Table, header_row, read_table
from facilitator.reports.ingest.report_table import import_reports
from facilitator.reports.items import header_key, identity_header_lookup, load_area_columns
from facilitator.reports.models import ImportResult, RowError
from facilitator.reports.perf import paused_gc
from facilitator.reports.store import ReportStore, open_store
from facilitator.settings import Settings


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
    """Import several files, area tables first; each file is stored entirely or not at all."""
    ordered = sorted((Path(p) for p in paths), key=lambda p: not _looks_like_areas(p))
    batch = ImportBatch()
    with open_store(settings) as store:
        for path in ordered:
            try:
                batch.results.append(import_file(path, store))
            except ReportImportError as exc:
                batch.failures.append(exc)
    return batch
