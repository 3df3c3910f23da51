"""Local accounts for a prefecture's team: 管理者 loads data, 事務局 edits and publishes sheets,
委員 looks up precedents and asks. Passwords are kept only as scrypt hashes (stdlib), in
``data/users.json`` written atomically under a lock like every other store here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ValidationError

from facilitator.corpus.documents import locked, replace_atomically
from facilitator.errors import FacilitatorError, InputError, NotFoundError
from facilitator.settings import Settings

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
    """The accounts of a data folder."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.data_dir / "users.json"

    def _locked(self) -> AbstractContextManager[None]:
        busy = "利用者の一覧が他の処理で使用中です。少し待ってください。"
        return locked(self.path.with_suffix(".lock"), busy)

    def _load(self) -> list[User]:
        if not self.path.exists():
            return []
        try:
            return UserList.model_validate_json(self.path.read_bytes()).users
        except (OSError, ValidationError) as exc:
            raise FacilitatorError(
                f"利用者の一覧（{self.path.name}）を読み込めません: {exc}"
            ) from exc

    def _save(self, users: list[User]) -> None:
        data = UserList(users=users).model_dump_json(indent=2).encode("utf-8")
        replace_atomically(self.path, lambda fh: fh.write(data))
        self.path.chmod(0o600)

    def list(self) -> list[User]:
        return self._load()

    def get(self, name: str) -> User:
        found = next((u for u in self._load() if u.name == name), None)
        if found is None:
            raise NotFoundError(f"利用者「{name}」はいません（`facilitator users list` で確認）。")
        return found

    def add(self, name: str, role: str, password: str) -> User:
        name, role, password = check_name(name), check_role(role), check_password(password)
        with self._locked():
            users = self._load()
            if any(u.name == name for u in users):
                raise InputError(f"利用者「{name}」はすでにいます。")
            salt = secrets.token_hex(16)
            user = User(
                name=name,
                role=role,
                salt=salt,
                password_hash=_hash(password, salt),
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            self._save([*users, user])
        return user

    def set_password(self, name: str, password: str) -> None:
        password = check_password(password)
        with self._locked():
            users = self._load()
            user = next((u for u in users if u.name == name), None)
            if user is None:
                raise NotFoundError(f"利用者「{name}」はいません。")
            user.salt = secrets.token_hex(16)
            user.password_hash = _hash(password, user.salt)
            self._save(users)

    def remove(self, name: str) -> None:
        with self._locked():
            users = self._load()
            kept = [u for u in users if u.name != name]
            if len(kept) == len(users):
                raise NotFoundError(f"利用者「{name}」はいません。")
            _keep_an_admin(kept, "削除")
            self._save(kept)

    def set_disabled(self, name: str, disabled: bool) -> User:
        """Stop (or allow again) an account without deleting it, so its records keep a name."""
        with self._locked():
            users = self._load()
            user = next((u for u in users if u.name == name), None)
            if user is None:
                raise NotFoundError(f"利用者「{name}」はいません。")
            user.disabled = disabled
            _keep_an_admin(users, "停止")
            self._save(users)
        return user

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
        return user if user and ok and not user.disabled else None

    def ensure_admin(self) -> str | None:
        """First start: an ``admin`` with a random password, returned once; None if any user
        exists already."""
        with self._locked():
            if self._load():
                return None
        password = new_password()
        self.add("admin", "admin", password)
        return password
