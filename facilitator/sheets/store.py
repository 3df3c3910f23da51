"""Sheets with versions in SQLite; a stale save is a conflict, never a silent overwrite."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from facilitator.errors import FacilitatorError, NotFoundError
from facilitator.settings import Settings
from facilitator.sheets.model import IssueSheet


class SheetConflictError(FacilitatorError):
    """Someone saved a newer version since this one was loaded; both are kept for the user."""

    exit_code = 4

    def __init__(self, mine: IssueSheet, theirs: IssueSheet) -> None:
        super().__init__(
            f"シート {mine.sheet_id} は他の人が先に保存しています（あなたの編集元: 版{mine.version}、"
            f"最新: 版{theirs.version}）。両方の内容を確認して、反映してから保存し直してください。"
        )
        self.mine = mine
        self.theirs = theirs


class VersionInfo(BaseModel):
    sheet_id: str
    version: int
    saved_at: str
    author: str
    message: str
    status: str


class SheetSummary(BaseModel):
    sheet_id: str
    version: int
    title: str
    area_name: str
    theme: str
    status: str
    saved_at: str


class SheetStore:
    """All versions of all sheets; the latest version is the current sheet."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path: Path = settings.data_dir / "sheets.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS sheet_versions ("
                " sheet_id TEXT NOT NULL, version INTEGER NOT NULL, saved_at TEXT NOT NULL,"
                " author TEXT NOT NULL, message TEXT NOT NULL, body TEXT NOT NULL,"
                " PRIMARY KEY (sheet_id, version))"
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def save(self, sheet: IssueSheet, author: str = "", message: str = "") -> IssueSheet:
        """Store ``sheet`` as the next version if it was based on the latest one.

        ``sheet.version`` is the version it was loaded as (0 for a new sheet). If a
        newer version exists, :class:`SheetConflictError` carries both sheets.
        """
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT version, body FROM sheet_versions WHERE sheet_id = ?"
                    " ORDER BY version DESC LIMIT 1",
                    (sheet.sheet_id,),
                ).fetchone()
                latest = row[0] if row else 0
                if latest != sheet.version:
                    theirs = IssueSheet.model_validate_json(row[1]) if row else sheet
                    raise SheetConflictError(sheet, theirs)
                saved = sheet.model_copy(update={"version": latest + 1}, deep=True)
                db.execute(
                    "INSERT INTO sheet_versions VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        saved.sheet_id,
                        saved.version,
                        datetime.now(UTC).isoformat(timespec="seconds"),
                        author,
                        message,
                        saved.model_dump_json(),
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return saved

    def get(self, sheet_id: str, version: int | None = None) -> IssueSheet:
        with closing(self._connect()) as db:
            if version is None:
                row = db.execute(
                    "SELECT body FROM sheet_versions WHERE sheet_id = ?"
                    " ORDER BY version DESC LIMIT 1",
                    (sheet_id,),
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT body FROM sheet_versions WHERE sheet_id = ? AND version = ?",
                    (sheet_id, version),
                ).fetchone()
        if row is None:
            what = f"シート「{sheet_id}」" + (f"の版{version}" if version else "")
            raise NotFoundError(f"{what}はありません")
        return IssueSheet.model_validate_json(row[0])

    def history(self, sheet_id: str) -> list[VersionInfo]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT version, saved_at, author, message, body FROM sheet_versions"
                " WHERE sheet_id = ? ORDER BY version",
                (sheet_id,),
            ).fetchall()
        if not rows:
            raise NotFoundError(f"シート「{sheet_id}」はありません")
        return [
            VersionInfo(
                sheet_id=sheet_id,
                version=v,
                saved_at=t,
                author=a,
                message=m,
                status=IssueSheet.model_validate_json(b).status,
            )
            for v, t, a, m, b in rows
        ]

    def restore(
        self, sheet_id: str, version: int, *, base_version: int, author: str = ""
    ) -> IssueSheet:
        """Save an old version's content as the newest version (history is kept).

        ``base_version`` is the version the person was looking at when they chose to
        restore; like a save, a newer version saved meanwhile raises
        :class:`SheetConflictError` (carrying the restored content and the newer sheet),
        so an edit saved seconds earlier is never silently superseded.
        """
        old = self.get(sheet_id, version)
        return self.save(
            old.model_copy(update={"version": base_version}),
            author=author,
            message=f"版{version}を復元",
        )

    def list(self) -> list[SheetSummary]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT s.sheet_id, s.version, s.saved_at, s.body FROM sheet_versions s"
                " JOIN (SELECT sheet_id, MAX(version) v FROM sheet_versions GROUP BY sheet_id) m"
                " ON s.sheet_id = m.sheet_id AND s.version = m.v ORDER BY s.saved_at DESC"
            ).fetchall()
        out = []
        for sid, v, t, body in rows:
            sheet = IssueSheet.model_validate_json(body)
            out.append(
                SheetSummary(
                    sheet_id=sid,
                    version=v,
                    title=sheet.title,
                    area_name=sheet.area.name,
                    theme=sheet.theme,
                    status=sheet.status,
                    saved_at=t,
                )
            )
        return out
