"""Data-folder files from before the database, copied in once and then set aside.

The copy and a marker row (``legacy_imports``: the file's name and a hash of its content)
are one transaction, and the marker is inserted first: a second instance starting at the
same moment waits on it (PostgreSQL: the key; SQLite: the write lock) and then finds the
import done. Afterwards the file or folder is renamed to ``<name>.imported`` — user data
is never deleted — and a rename that failed is simply tried again at the next open.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from facilitator.errors import FacilitatorError
from facilitator.storage.db import Database
from facilitator.storage.tables import legacy_imports as t

log = logging.getLogger(__name__)

IMPORTED_SUFFIX = ".imported"

Copy = Callable[[Connection, dict[str, bytes]], int]
"""Writes the contents (file name → bytes) on the connection; returns how many items."""


def import_once(db: Database, source: Path, copy: Copy, pattern: str = "*") -> bool:
    """Copy ``source`` (a file, or the files matching ``pattern`` in a folder) into the
    database unless that content was imported before, then set it aside. True if copied here."""
    if not source.exists():
        return False
    try:
        contents = _contents(source, pattern)
    except FileNotFoundError:  # another instance has just imported it and set it aside
        return False
    except OSError as exc:
        raise FacilitatorError(
            f"以前の記録 {source} を読み込めないため、データベースに取り込めません"
            f"（{exc.strerror}）。ファイルの権限を確かめてください。"
        ) from exc
    digest = hashlib.sha256()
    for name, data in sorted(contents.items()):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    key = f"{source.name} sha256:{digest.hexdigest()}"
    copied = marked = False
    message = (
        f"以前の記録 {source.name} をデータベースに取り込めませんでした（元のまま残っています）。"
    )
    with db.failing_as(message):
        try:
            with db.writing() as conn:
                if conn.execute(select(t.c.source).where(t.c.source == key)).first() is None:
                    now = datetime.now(UTC).isoformat(timespec="seconds")
                    conn.execute(insert(t).values(source=key, imported_at=now, items=0))
                    marked = True
                    items = copy(conn, contents)
                    conn.execute(update(t).where(t.c.source == key).values(items=items))
                    copied = True
        except IntegrityError:
            if marked:  # the copy itself failed: nothing was imported
                raise
            copied = False  # another instance inserted the same marker first and committed
    if copied:
        log.info("以前の記録 %s をデータベースに取り込みました（%s）", source, key)
    _set_aside(source)
    return copied


def _contents(source: Path, pattern: str) -> dict[str, bytes]:
    if source.is_file():
        return {source.name: source.read_bytes()}
    # iterdir, not glob: a folder renamed meanwhile is an error here, not an empty import
    return {
        p.name: p.read_bytes() for p in source.iterdir() if fnmatch(p.name, pattern) and p.is_file()
    }


def _set_aside(source: Path) -> None:
    """Rename to ``<name>.imported`` (``-2``, ``-3``… if taken): kept, no longer read."""
    for n in itertools.count(1):
        target = source.with_name(source.name + IMPORTED_SUFFIX + (f"-{n}" if n > 1 else ""))
        if not target.exists():
            break
    try:
        source.rename(target)
    except FileNotFoundError:  # another instance set it aside first
        return
    except OSError as exc:  # imported all the same; the marker keeps the next open from repeating
        log.warning("%s を %s に改名できません: %s", source, target.name, exc)
