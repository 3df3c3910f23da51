"""Login throttling: after repeated wrong passwords a user name is refused for a while.

Failures are kept per user name in ``data/login_failures.json`` (under the store lock, so
every app process on the machine sees the same count); a successful login clears them.
The wait is told in minutes, never which part of the login was wrong.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from facilitator.corpus.documents import locked, replace_atomically
from facilitator.settings import Settings

MAX_FAILURES = 5
"""Wrong passwords in a row (within WINDOW) before the name is refused."""
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        self.path = settings.data_dir / "login_failures.json"
        self.lock_path = settings.data_dir / "login_failures.lock"

    def _load(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a missing or damaged file only forgets failures
        return (
            {k: v for k, v in data.items() if isinstance(v, list)} if isinstance(data, dict) else {}
        )

    def _save(self, data: dict[str, list[str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        replace_atomically(self.path, lambda fh: fh.write(body))

    def _recent(self, times: list[str], now: datetime) -> list[datetime]:
        out = []
        for t in times:
            try:
                when = datetime.fromisoformat(t)
            except (TypeError, ValueError):
                continue
            if now - when < WINDOW + LOCKOUT:
                out.append(when)
        return out

    def wait(self, name: str, now: datetime | None = None) -> timedelta | None:
        """How long ``name`` must wait before trying again, or None if it may try now."""
        now = now or datetime.now(UTC)
        recent = self._recent(self._load().get(name, []), now)
        in_window = [t for t in recent if recent and recent[-1] - t < WINDOW]
        if len(in_window) < MAX_FAILURES:
            return None
        left = recent[-1] + LOCKOUT - now
        return left if left > timedelta(0) else None

    def failed(self, name: str, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with locked(
            self.lock_path, "ログインの記録が使用中です。少し待ってからもう一度試してください。"
        ):
            data = self._load()
            kept = [t.isoformat() for t in self._recent(data.get(name, []), now)]
            data[name[:40]] = [*kept[-MAX_FAILURES * 2 :], now.isoformat(timespec="seconds")]
            self._save(data)

    def succeeded(self, name: str) -> None:
        with locked(
            self.lock_path, "ログインの記録が使用中です。少し待ってからもう一度試してください。"
        ):
            data = self._load()
            if data.pop(name, None) is not None:
                self._save(data)
