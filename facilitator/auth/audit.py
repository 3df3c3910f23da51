"""What was done, by whom and when: an append-only log of the operations that change what a
council relies on (logins, sheets, report data, documents, accounts). One row each in the
table ``audit_log`` of the shared database (so app instances sharing a PostgreSQL share one
log), committed before the operation reports success. This module only ever inserts: there
is no function to change or remove an entry.

A data folder from before the database has ``audit.jsonl``: its lines are copied into the
table once (:mod:`facilitator.storage.legacy`) and the file is kept as ``audit.jsonl.imported``.
"""

from __future__ import annotations

import getpass
import json
import logging
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, insert, select

from facilitator.errors import DatabaseError, FacilitatorError
from facilitator.settings import Settings
from facilitator.storage.db import Database
from facilitator.storage.legacy import import_once
from facilitator.storage.tables import audit_log as t

log = logging.getLogger(__name__)

LEGACY_FILE = "audit.jsonl"
"""Where the log was kept before the database (one JSON line per entry)."""

ACTIONS: dict[str, str] = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "sheet_save": "シートを保存",
    "sheet_restore": "シートを復元",
    "sheet_import": "Excel から取り込み",
    "reports_import": "報告データを取り込み",
    "document_add": "資料を追加",
    "document_remove": "資料を削除",
    "user_add": "利用者を追加",
    "user_passwd": "パスワードを変更",
    "user_remove": "利用者を削除",
    "user_disable": "利用者を停止",
    "user_enable": "利用者の停止を解除",
    "user_reset": "パスワードを再発行",
}


class AuditEntry(BaseModel):
    at: str
    actor: str
    action: str
    target: str = ""
    detail: str = ""

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def command_actor() -> str:
    """Who runs a command: the operating-system account (the CLI has no login)."""
    try:
        return f"コマンド（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "コマンド"


def _open(settings: Settings) -> Database:
    """The database, with the data folder's ``audit.jsonl`` imported if it is still there."""
    db = Database(settings)
    import_once(db, settings.data_dir / LEGACY_FILE, _copy_lines)
    return db


def _copy_lines(conn: Connection, contents: dict[str, bytes]) -> int:
    """The old file's entries in their order (a damaged line is skipped, as reading did)."""
    rows = []
    for line in b"".join(contents.values()).decode("utf-8", errors="replace").splitlines():
        try:
            rows.append(AuditEntry.model_validate(json.loads(line)).model_dump())
        except (ValueError, TypeError, ValidationError):
            if line.strip():
                log.warning("操作の記録の壊れた行を取り込みませんでした: %.80s", line)
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)


def record(
    settings: Settings, action: str, target: str = "", actor: str | None = None, detail: str = ""
) -> None:
    """Append one entry; an entry that cannot be written is an error, not a silence."""
    entry = AuditEntry(
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        actor=actor or "（ログインなし）",
        action=action,
        target=target,
        detail=detail,
    )
    message = "操作の記録に書き込めません（操作は記録されていません）。"
    try:
        db = _open(settings)
    except FacilitatorError as exc:
        raise DatabaseError(f"{message}{exc}") from exc
    with db.failing_as(message), db.writing() as conn:
        conn.execute(insert(t).values(**entry.model_dump()))


def read(settings: Settings, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` entries, newest first (same second: the later written first)."""
    db = _open(settings)
    query = (
        select(t.c.at, t.c.actor, t.c.action, t.c.target, t.c.detail)
        .order_by(t.c.at.desc(), t.c.id.desc())
        .limit(max(limit, 0))
    )
    with db.reading() as conn:
        return [AuditEntry.model_validate(row._asdict()) for row in conn.execute(query)]


CSV_HEADER = ("日時", "操作した人", "操作", "対象", "詳細")


def to_csv(entries: list[AuditEntry]) -> str:
    """The entries as CSV for a spreadsheet (UTF-8 with BOM so Excel reads the Japanese);
    a value that a spreadsheet would run as a formula is written with a leading quote."""
    import csv
    import io

    from facilitator.export.safe import export_line, looks_like_formula
    from facilitator.text import japanese_time

    def cell(value: str) -> str:
        value = export_line(value)
        return "'" + value if looks_like_formula(value) else value

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(
            [cell(v) for v in (japanese_time(e.at), e.actor, e.label, e.target, e.detail)]
        )
    return "\ufeff" + buf.getvalue()
