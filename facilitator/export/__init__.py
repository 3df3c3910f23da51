"""Export issue sheets (課題管理シート Excel, Word, Markdown, JSON), public summaries
(協議の結果の公表シート), meeting agendas (協議の場の進行表), meeting minutes (議事メモ),
and import edited Excel back.

``common``, ``xlsx_style`` and ``docx_util`` are what every writer shares; ``xlsx_import``
(with ``xlsx_rows``) reads an edited workbook back. The CLI (:mod:`facilitator.cli.export`)
and the app only call these functions.
"""

from __future__ import annotations

from facilitator.export.agenda import Agenda, AgendaItem, AgendaStep, MeetingInfo, agenda
from facilitator.export.agenda_write import agenda_to_docx, agenda_to_markdown, agenda_to_xlsx
from facilitator.export.common import NotPublishableError
from facilitator.export.documents import to_docx, to_json, to_markdown
from facilitator.export.minutes import minutes_docx, minutes_markdown
from facilitator.export.public import (
    PublicSummary,
    public_summary,
    public_to_docx,
    public_to_markdown,
    public_to_xlsx,
)
from facilitator.export.xlsx import to_xlsx
from facilitator.export.xlsx_import import (
    ImportProblem,
    ImportReport,
    SheetImport,
    XlsxImportError,
    import_xlsx,
)

__all__ = [
    "Agenda",
    "AgendaItem",
    "AgendaStep",
    "ImportProblem",
    "ImportReport",
    "MeetingInfo",
    "NotPublishableError",
    "PublicSummary",
    "SheetImport",
    "XlsxImportError",
    "agenda",
    "agenda_to_docx",
    "agenda_to_markdown",
    "agenda_to_xlsx",
    "import_xlsx",
    "minutes_docx",
    "minutes_markdown",
    "public_summary",
    "public_to_docx",
    "public_to_markdown",
    "public_to_xlsx",
    "to_docx",
    "to_json",
    "to_markdown",
    "to_xlsx",
]
