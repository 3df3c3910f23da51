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


def test_a_stopped_account_cannot_log_in_and_keeps_its_name(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("管理", "admin", PASSWORD)
    store.add("山田", "editor", PASSWORD)
    store.set_disabled("山田", True)
    assert store.authenticate("山田", PASSWORD) is None
    assert store.active("山田") is None and store.get("山田").disabled
    store.set_disabled("山田", False)
    assert store.authenticate("山田", PASSWORD) is not None


def test_the_last_active_administrator_cannot_be_stopped(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("管理", "admin", PASSWORD)
    with pytest.raises(InputError, match="最後の管理者は停止できません"):
        store.set_disabled("管理", True)
    assert store.active("管理") is not None
    with pytest.raises(NotFoundError):
        store.set_disabled("佐藤", True)


def test_a_reset_password_replaces_the_old_one(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("山田", "editor", PASSWORD)
    new = store.reset("山田")
    assert len(new) >= 10 and new not in store.path.read_text("utf-8")
    assert store.authenticate("山田", PASSWORD) is None
    assert store.authenticate("山田", new) is not None
