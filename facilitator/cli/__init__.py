"""Command line: ``facilitator …``, a thin shell over the library.

``root`` holds the group, the settings context and the error mapping; each command
module holds the commands of one concern. ``facilitator --help`` is the reference.
"""

from facilitator.cli.catalogue import catalogue
from facilitator.cli.export import agenda_command, export_command, import_xlsx_command
from facilitator.cli.meeting import meeting
from facilitator.cli.reports import reports
from facilitator.cli.root import cli, main
from facilitator.cli.search import bootstrap, chunk, info, ingest, search
from facilitator.cli.sheets import ask, draft, sheets
from facilitator.cli.users import audit_command, users

for _command in (info, ingest, bootstrap, search, chunk, draft, ask, sheets, reports, catalogue):
    cli.add_command(_command)
cli.add_command(export_command)
cli.add_command(agenda_command)
cli.add_command(meeting)
cli.add_command(users)
cli.add_command(audit_command)
sheets.add_command(import_xlsx_command)

__all__ = ["cli", "main"]
