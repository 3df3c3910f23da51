"""Meeting records (議事メモ): the questions of one council meeting and their answers.

One JSON file per meeting under ``data/meetings``; :mod:`facilitator.export.minutes`
turns a record into Word or Markdown.
"""

from facilitator.meetings.model import Meeting, MeetingEntry
from facilitator.meetings.store import MeetingStore

__all__ = ["Meeting", "MeetingEntry", "MeetingStore"]
