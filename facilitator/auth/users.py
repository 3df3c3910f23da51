"""Local accounts for a prefecture's team: 管理者 loads data, 事務局 edits and publishes sheets,
委員 looks up precedents and asks. Passwords are kept only as scrypt hashes (stdlib), in the
``users`` table of the shared database, so every app instance knows the same accounts.

Every change is one transaction holding the write lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL an advisory lock): the check that an administrator remains and the change itself
cannot interleave with another instance's. A ``users.json`` from before the database is
copied in once and kept as ``users.json.imported``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, delete, insert, select, update

from facilitator.errors import InputError, NotFoundError
from facilitator.settings import Settings
from facilitator.storage.db import Database, take_write_lock
from facilitator.storage.legacy import import_once
from facilitator.storage.tables import users as t

log = logging.getLogger(__name__)

Role = Literal["admin", "editor", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "editor", "viewer")
ROLE_LABELS: dict[str, str] = {"admin": "管理者", "editor": "事務局", "viewer": "委員"}
PAGE_ROLES: dict[str, tuple[Role, ...]] = {
    "start": ROLES,
    "area": ROLES,
    "search": ROLES,
    "meeting": ROLES,
    "sheet": ("admin", "editor"),
    "export": ("admin", "editor"),
    "data": ("admin",),
}
"""Least privilege: a council member reads and asks; only 事務局 edits, only 管理者 loads data."""

LEGACY_FILE = "users.json"
"""Where the accounts were kept before the database."""
WRITE_LOCK = 7_110_613
"""PostgreSQL advisory lock key: account changes of every instance run one after the other."""
MIN_PASSWORD = 10
_NAME_RE = re.compile(r"^[^\s\x00-\x1f\x7f/\\]{1,40}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class User(BaseModel):
    name: str
    role: Role
    salt: str
    password_hash: str
    created_at: str
    disabled: bool = False
    """A disabled account cannot log in and its open sessions end; its name stays in records."""
    sso: bool = False
    """Logs in only through the organisation's identity provider (its name is the e-mail
    address the provider vouches for); it has no password that works."""


class UserList(BaseModel):
    users: list[User] = []


def allowed(role: str | None, page: str) -> bool:
    """May a person with ``role`` open ``page`` (its url path)?"""
    return role is not None and role in PAGE_ROLES.get(page, ())


def new_password() -> str:
    """A random password to hand over once (16 characters, URL-safe)."""
    return secrets.token_urlsafe(12)


def _hash(password: str, salt: str) -> str:
    return hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT).hex()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            "ユーザー名は空白・記号（/ \\）・制御文字を含まない40文字以内で指定してください。"
        )
    return name


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"パスワードは{MIN_PASSWORD}文字以上にしてください。")
    return password


def check_role(role: str) -> Role:
    if role not in ROLES:
        labels = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES)
        raise InputError(f"役割「{role}」は不明です。{labels} のいずれかを指定してください。")
    return role  # type: ignore[return-value]


def _keep_an_admin(users: list[User], verb: str) -> None:
    if not any(u.role == "admin" and not u.disabled for u in users):
        raise InputError(f"最後の管理者は{verb}できません（先に別の管理者を追加してください）。")


class UserStore:
    """The accounts of the team, on the shared database."""

    def __init__(self, settings: Settings) -> None:
        self.db = Database(settings)
        import_once(self.db, settings.data_dir / LEGACY_FILE, _copy_users)

    @contextmanager
    def _changing(self) -> Iterator[Connection]:
        """One transaction holding the accounts' write lock; failures in Japanese."""
        with self.db.failing_as("利用者の一覧を変更できません。"), self.db.writing() as conn:
            take_write_lock(conn, WRITE_LOCK)
            yield conn

    def _load(self, conn: Connection | None = None) -> list[User]:
        query = select(t).order_by(t.c.created_at, t.c.name)
        if conn is not None:
            return [_user(r) for r in conn.execute(query)]
        with self.db.failing_as("利用者の一覧を読み込めません。"), self.db.reading() as c:
            return [_user(r) for r in c.execute(query)]

    def list(self) -> list[User]:
        return self._load()

    def get(self, name: str) -> User:
        found = next((u for u in self._load() if u.name == name), None)
        if found is None:
            raise NotFoundError(f"利用者「{name}」はいません（`facilitator users list` で確認）。")
        return found

    def add(self, name: str, role: str, password: str | None, *, sso: bool = False) -> User:
        """A new account; with ``sso`` it has no password (a random one nobody is told)."""
        name, role = check_name(name), check_role(role)
        password = new_password() + new_password() if sso else check_password(password or "")
        with self._changing() as conn:
            user = self._insert(conn, name, role, password, sso=sso)
        return user

    def _insert(
        self, conn: Connection, name: str, role: Role, password: str, *, sso: bool = False
    ) -> User:
        if conn.execute(select(t.c.name).where(t.c.name == name)).first() is not None:
            raise InputError(f"利用者「{name}」はすでにいます。")
        salt = secrets.token_hex(16)
        user = User(
            name=name,
            role=role,
            salt=salt,
            password_hash=_hash(password, salt),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sso=sso,
        )
        conn.execute(insert(t).values(_row(user)))
        return user

    def set_password(self, name: str, password: str) -> None:
        password = check_password(password)
        salt = secrets.token_hex(16)
        with self._changing() as conn:
            if conn.execute(select(t.c.sso).where(t.c.name == name)).scalar():
                raise InputError(
                    f"利用者「{name}」は組織のアカウント（シングルサインオン）でログインするため、"
                    "パスワードはありません。"
                )
            done = conn.execute(
                update(t)
                .where(t.c.name == name)
                .values(salt=salt, password_hash=_hash(password, salt))
            )
            if done.rowcount == 0:
                raise NotFoundError(f"利用者「{name}」はいません。")

    def remove(self, name: str) -> None:
        with self._changing() as conn:
            if conn.execute(delete(t).where(t.c.name == name)).rowcount == 0:
                raise NotFoundError(f"利用者「{name}」はいません。")
            _keep_an_admin(self._load(conn), "削除")

    def set_disabled(self, name: str, disabled: bool) -> User:
        """Stop (or allow again) an account without deleting it, so its records keep a name."""
        return self._update(name, "停止", disabled=int(disabled))

    def set_role(self, name: str, role: str) -> User:
        """Another role for an account; its open sessions get it on their next page."""
        return self._update(name, "変更", role=check_role(role))

    def _update(self, name: str, verb: str, **values: object) -> User:
        """Change one account, unless that leaves no active administrator (``verb`` says
        what was refused)."""
        with self._changing() as conn:
            done = conn.execute(update(t).where(t.c.name == name).values(**values))
            if done.rowcount == 0:
                raise NotFoundError(f"利用者「{name}」はいません。")
            users = self._load(conn)
            _keep_an_admin(users, verb)
        return next(u for u in users if u.name == name)

    def reset(self, name: str) -> str:
        """A new random password for someone who forgot theirs, returned once to pass on."""
        password = new_password()
        self.set_password(name, password)
        return password

    def active(self, name: str | None) -> User | None:
        """The account behind a session if it still exists and may log in (checked per page)."""
        return next((u for u in self._load() if u.name == name and not u.disabled), None)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when name and password match, else None (same work either way)."""
        users = {u.name: u for u in self._load()}
        user = users.get((name or "").strip())
        salt = user.salt if user else secrets.token_hex(16)
        ok = hmac.compare_digest(_hash(password or "", salt), user.password_hash if user else "")
        return user if user and ok and not user.disabled and not user.sso else None

    def single_sign_on(self, email: str | None) -> User | None:
        """The active account named by the e-mail address the identity provider vouched for
        (accounts are registered by an administrator first: no one gets in by default)."""
        email = (email or "").strip()
        if not email:
            return None
        found = (u for u in self._load() if u.name.casefold() == email.casefold())
        return next((u for u in found if not u.disabled), None)

    def ensure_admin(self) -> str | None:
        """First start: an ``admin`` with a random password, returned once; None if any user
        exists already (also when another instance created it a moment ago)."""
        password = new_password()
        with self._changing() as conn:
            if conn.execute(select(t.c.name).limit(1)).first() is not None:
                return None
            self._insert(conn, "admin", "admin", password)
        return password


def _row(user: User) -> dict:
    return {**user.model_dump(), "disabled": int(user.disabled), "sso": int(user.sso)}


def _user(row: object) -> User:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    return User.model_validate(
        {**data, "disabled": bool(data["disabled"]), "sso": bool(data["sso"])}
    )


def _copy_users(conn: Connection, contents: dict[str, bytes]) -> int:
    """The accounts of an old ``users.json`` (a damaged file is an error: nothing copied)."""
    try:
        old = UserList.model_validate_json(b"".join(contents.values())).users
    except ValidationError as exc:
        raise InputError(
            f"以前の利用者の一覧（{LEGACY_FILE}）が壊れているため取り込めません"
            "（ファイルはそのまま残っています）。"
        ) from exc
    taken = {r[0] for r in conn.execute(select(t.c.name))}
    rows = [_row(u) for u in old if u.name not in taken]
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)
