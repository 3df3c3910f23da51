"""Login throttling: after repeated wrong passwords a user name is refused for a while.

Failures are rows of ``login_failures`` in the shared database, so every app instance sees
the same count; a successful login deletes them. The wait is told in minutes, never which
part of the login was wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from facilitator.settings import Settings
from facilitator.storage.db import Database
from facilitator.storage.tables import login_failures as t

MAX_FAILURES = 5
"""Wrong passwords in a row (within WINDOW) before the name is refused."""
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MAX_NAME = 40
"""A longer typed name is kept cut (user names are at most 40 characters)."""


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        self.db = Database(settings)

    def _recent(self, name: str, now: datetime) -> list[datetime]:
        since = (now - WINDOW - LOCKOUT).isoformat(timespec="seconds")
        with self.db.failing_as("ログインの記録を読めません。"), self.db.reading() as conn:
            rows = conn.execute(
                select(t.c.at).where(t.c.name == name[:MAX_NAME], t.c.at > since).order_by(t.c.at)
            )
            return [datetime.fromisoformat(r[0]) for r in rows]

    def wait(self, name: str, now: datetime | None = None) -> timedelta | None:
        """How long ``name`` must wait before trying again, or None if it may try now."""
        now = now or datetime.now(UTC)
        recent = self._recent(name, now)
        in_window = [t for t in recent if recent[-1] - t < WINDOW]
        if len(in_window) < MAX_FAILURES:
            return None
        left = recent[-1] + LOCKOUT - now
        return left if left > timedelta(0) else None

    def failed(self, name: str, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        old = (now - WINDOW - LOCKOUT).isoformat(timespec="seconds")
        with self.db.failing_as("ログインの記録に書き込めません。"), self.db.writing() as conn:
            conn.execute(delete(t).where(t.c.at < old))  # nothing older is ever read
            conn.execute(
                insert(t).values(name=name[:MAX_NAME], at=now.isoformat(timespec="seconds"))
            )

    def succeeded(self, name: str) -> None:
        with self.db.failing_as("ログインの記録に書き込めません。"), self.db.writing() as conn:
            conn.execute(delete(t).where(t.c.name == name[:MAX_NAME]))
