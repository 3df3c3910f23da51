"""What was done, by whom and when: an append-only log of the operations that change what a
council relies on (logins, sheets, report data, documents, accounts). One JSON line each in
``data/audit.jsonl``, appended under a lock and flushed to disk before the operation reports
success; the log is read, never rewritten.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime

from pydantic import BaseModel

from facilitator.corpus.documents import locked
from facilitator.errors import FacilitatorError
from facilitator.settings import Settings

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
    path = settings.data_dir / "audit.jsonl"
    busy = "操作の記録が他の処理で使用中です。少し待ってからもう一度試してください。"
    try:
        with locked(path.with_suffix(".lock"), busy), path.open("a", encoding="utf-8") as fh:
            fh.write(entry.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise FacilitatorError(f"操作の記録（{path.name}）に書き込めません: {exc}") from exc


def read(settings: Settings, limit: int = 100) -> list[AuditEntry]:
    """The newest ``limit`` entries, newest first (a damaged line is skipped, not fatal)."""
    path = settings.data_dir / "audit.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text("utf-8").splitlines()[::-1]:
        try:
            out.append(AuditEntry.model_validate(json.loads(line)))
        except (ValueError, TypeError):
            continue
        if len(out) >= limit:
            break
    return out


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
