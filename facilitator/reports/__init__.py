"""Local report data (かかりつけ医機能報告): import, validation, indicators and findings.

Entry points for the rest of the project::

    from facilitator.reports import findings_for, summary, find_area, load_sample

    load_sample(settings)                       # the 架空データ sample, idempotent
    findings_for("県都市", "zaitaku", settings=settings)  # -> list[Finding]
    summary(area="9902", theme=None, settings=settings)   # -> ReportSummary
"""

from __future__ import annotations

from facilitator.reports.errors import (
    AmbiguousAreaError,
    AreaNotFoundError,
    NoReportDataError,
    ReportImportError,
)
from facilitator.reports.ingest.importer import ImportBatch, import_file, import_files
from facilitator.reports.ingest.rules import derive_institution
from facilitator.reports.items import ItemDictionary, load_dictionary
from facilitator.reports.models import (
    SYNTHETIC_LABEL,
    Answer,
    Area,
    AreaSummary,
    Comparison,
    Finding,
    ImportResult,
    Indicator,
    Institution,
    Municipality,
    ReportSummary,
    RowError,
)
from facilitator.reports.query import (
    answers_for,
    area_findings,
    datasets,
    find_area,
    findings_for,
    indicators_for,
    institutions_for,
    list_areas,
    remove_data,
    summary,
    years,
)
from facilitator.reports.sample.prefecture import generate_sample, load_sample, sample_loaded
from facilitator.reports.store import ReportStore, open_store

__all__ = [
    "SYNTHETIC_LABEL",
    "AmbiguousAreaError",
    "Answer",
    "Area",
    "AreaNotFoundError",
    "AreaSummary",
    "Comparison",
    "Finding",
    "ImportBatch",
    "ImportResult",
    "Indicator",
    "Institution",
    "ItemDictionary",
    "Municipality",
    "NoReportDataError",
    "ReportImportError",
    "ReportStore",
    "ReportSummary",
    "RowError",
    "answers_for",
    "area_findings",
    "datasets",
    "derive_institution",
    "find_area",
    "findings_for",
    "generate_sample",
    "import_file",
    "import_files",
    "indicators_for",
    "institutions_for",
    "list_areas",
    "load_dictionary",
    "load_sample",
    "open_store",
    "remove_data",
    "sample_loaded",
    "summary",
    "years",
]
