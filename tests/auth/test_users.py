"""Accounts: only hashes are stored, names and roles are checked, the last admin stays."""

from __future__ import annotations

import pytest

from facilitator.auth import UserStore, allowed
from facilitator.errors import InputError, NotFoundError
from facilitator.settings import Settings

PASSWORD = "correct horse battery"


def test_a_user_logs_in_with_the_right_password_only(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("山田", "editor", PASSWORD)
    assert store.authenticate("山田", PASSWORD).role == "editor"  # type: ignore[union-attr]
    assert store.authenticate("山田", "wrong password!") is None
    assert store.authenticate("佐藤", PASSWORD) is None
    stored = store.path.read_text("utf-8")
    assert PASSWORD not in stored and "password_hash" in stored
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("山田", "editor", "short", "10文字以上"),
        ("", "editor", PASSWORD, "ユーザー名"),
        ("a/b", "editor", PASSWORD, "ユーザー名"),
        ("山田", "owner", PASSWORD, "役割「owner」は不明"),
    ],
)
def test_bad_accounts_are_refused_in_japanese(
    settings: Settings, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        UserStore(settings).add(name, role, password)
    assert UserStore(settings).list() == []


def test_first_start_creates_one_admin_and_says_the_password_once(settings: Settings) -> None:
    store = UserStore(settings)
    password = store.ensure_admin()
    assert password and store.authenticate("admin", password).role == "admin"  # type: ignore[union-attr]
    assert store.ensure_admin() is None


def test_the_last_admin_cannot_be_removed(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("admin", "admin", PASSWORD)
    store.add("委員A", "viewer", PASSWORD)
    with pytest.raises(InputError, match="最後の管理者"):
        store.remove("admin")
    store.remove("委員A")
    with pytest.raises(NotFoundError):
        store.get("委員A")


def test_roles_open_only_their_pages() -> None:
    assert allowed("viewer", "search") and allowed("viewer", "meeting")
    assert not allowed("viewer", "sheet") and not allowed("viewer", "data")
    assert allowed("editor", "sheet") and allowed("editor", "export")
    assert not allowed("editor", "data")
    assert allowed("admin", "data")
    assert not allowed(None, "search")
