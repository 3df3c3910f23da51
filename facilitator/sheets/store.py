"""Sheets with versions on the shared database (SQLite by default, PostgreSQL by URL);
a stale save is a conflict, never a silent overwrite."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from facilitator.errors import FacilitatorError, NotFoundError
from facilitator.settings import Settings
from facilitator.sheets.model import IssueSheet
from facilitator.storage.db import Database
from facilitator.storage.tables import sheet_versions as t


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
        self.db = Database(settings)

    def save(self, sheet: IssueSheet, author: str = "", message: str = "") -> IssueSheet:
        """Store ``sheet`` as the next version if it was based on the latest one.

        ``sheet.version`` is the version it was loaded as (0 for a new sheet). If a
        newer version exists, :class:`SheetConflictError` carries both sheets. The check
        and the insert are one transaction, and the key (sheet_id, version) makes a save
        racing another one from the same version fail, so it is a conflict too.
        """
        try:
            with self.db.writing() as conn:
                row = conn.execute(
                    select(t.c.version, t.c.body)
                    .where(t.c.sheet_id == sheet.sheet_id)
                    .order_by(t.c.version.desc())
                    .limit(1)
                ).first()
                latest = row.version if row else 0
                if latest != sheet.version:
                    theirs = IssueSheet.model_validate_json(row.body) if row else sheet
                    raise SheetConflictError(sheet, theirs)
                saved = sheet.model_copy(update={"version": latest + 1}, deep=True)
                conn.execute(
                    insert(t).values(
                        sheet_id=saved.sheet_id,
                        version=saved.version,
                        saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        author=author,
                        message=message,
                        body=saved.model_dump_json(),
                    )
                )
        except IntegrityError:  # another instance saved this version first
            raise SheetConflictError(sheet, self.get(sheet.sheet_id)) from None
        return saved

    def get(self, sheet_id: str, version: int | None = None) -> IssueSheet:
        query = select(t.c.body).where(t.c.sheet_id == sheet_id)
        if version is None:
            query = query.order_by(t.c.version.desc()).limit(1)
        else:
            query = query.where(t.c.version == version)
        with self.db.reading() as conn:
            body = conn.execute(query).scalar()
        if body is None:
            what = f"シート「{sheet_id}」" + (f"の版{version}" if version else "")
            raise NotFoundError(f"{what}はありません")
        return IssueSheet.model_validate_json(body)

    def history(self, sheet_id: str) -> list[VersionInfo]:
        with self.db.reading() as conn:
            rows = conn.execute(
                select(t.c.version, t.c.saved_at, t.c.author, t.c.message, t.c.body)
                .where(t.c.sheet_id == sheet_id)
                .order_by(t.c.version)
            ).all()
        if not rows:
            raise NotFoundError(f"シート「{sheet_id}」はありません")
        return [
            VersionInfo(
                sheet_id=sheet_id,
                version=v,
                saved_at=at,
                author=a,
                message=m,
                status=IssueSheet.model_validate_json(b).status,
            )
            for v, at, a, m, b in rows
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
        latest = (
            select(t.c.sheet_id, func.max(t.c.version).label("version"))
            .group_by(t.c.sheet_id)
            .subquery()
        )
        query = (
            select(t.c.sheet_id, t.c.version, t.c.saved_at, t.c.body)
            .join(latest, and_(t.c.sheet_id == latest.c.sheet_id, t.c.version == latest.c.version))
            .order_by(t.c.saved_at.desc())
        )
        with self.db.reading() as conn:
            rows = conn.execute(query).all()
        out = []
        for sid, v, saved_at, body in rows:
            sheet = IssueSheet.model_validate_json(body)
            out.append(
                SheetSummary(
                    sheet_id=sid,
                    version=v,
                    title=sheet.title,
                    area_name=sheet.area.name,
                    theme=sheet.theme,
                    status=sheet.status,
                    saved_at=saved_at,
                )
            )
        return out
