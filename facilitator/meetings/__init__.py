"""Meeting records (議事メモ): the questions of one council meeting and their answers.

Kept on the shared database (tables ``meetings`` and ``meeting_entries``);
:mod:`facilitator.export.minutes` turns a record into Word or Markdown.
"""

from facilitator.meetings.model import Meeting, MeetingEntry
from facilitator.meetings.store import MeetingStore

__all__ = ["Meeting", "MeetingEntry", "MeetingStore"]
