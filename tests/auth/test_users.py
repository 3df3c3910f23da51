"""Accounts: only hashes are stored, names and roles are checked, the last admin stays."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from facilitator.auth import UserStore, allowed
from facilitator.auth.users import User, UserList, _hash
from facilitator.errors import InputError, NotFoundError
from facilitator.settings import Settings
from facilitator.storage.db import Database
from facilitator.storage.tables import users

PASSWORD = "correct horse battery"


def _stored(settings: Settings) -> str:
    """Everything the database holds about accounts, as text."""
    with Database(settings).reading() as conn:
        return repr(conn.execute(select(users)).all())


def test_a_user_logs_in_with_the_right_password_only(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("山田", "editor", PASSWORD)
    assert store.authenticate("山田", PASSWORD).role == "editor"  # type: ignore[union-attr]
    assert store.authenticate("山田", "wrong password!") is None
    assert store.authenticate("佐藤", PASSWORD) is None
    stored = _stored(settings)
    assert PASSWORD not in stored and "山田" in stored


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
    assert len(new) >= 10 and new not in _stored(settings)
    assert store.authenticate("山田", PASSWORD) is None
    assert store.authenticate("山田", new) is not None


# --- shared by every instance (both backends) -------------------------------------------------


def test_instances_starting_together_create_one_admin(backend: Settings) -> None:
    barrier, passwords = threading.Barrier(4), []

    def start() -> None:
        store = UserStore(backend)
        barrier.wait()
        passwords.append(store.ensure_admin())

    threads = [threading.Thread(target=start) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    created = [p for p in passwords if p]
    assert len(passwords) == 4 and len(created) == 1
    assert [u.name for u in UserStore(backend).list()] == ["admin"]
    assert UserStore(backend).authenticate("admin", created[0]) is not None


def test_two_administrators_stopping_each_other_at_once_leave_one(backend: Settings) -> None:
    UserStore(backend).add("管理A", "admin", PASSWORD)
    UserStore(backend).add("管理B", "admin", PASSWORD)
    barrier, refused = threading.Barrier(2), []

    def stop(name: str) -> None:
        store = UserStore(backend)
        barrier.wait()
        try:
            store.set_disabled(name, True)
        except InputError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=stop, args=(n,)) for n in ("管理A", "管理B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert len(refused) == 1 and "最後の管理者" in refused[0]
    assert len([u for u in UserStore(backend).list() if not u.disabled]) == 1


def test_accounts_of_an_old_users_json_are_copied_once(backend: Settings) -> None:
    salt = "00" * 16
    old = UserList(
        users=[
            User(
                name="山田",
                role="editor",
                salt=salt,
                password_hash=_hash(PASSWORD, salt),
                created_at="2026-01-05T00:00:00+00:00",
            )
        ]
    )
    backend.data_dir.mkdir(parents=True, exist_ok=True)
    (backend.data_dir / "users.json").write_text(old.model_dump_json(), encoding="utf-8")
    store = UserStore(backend)
    assert store.authenticate("山田", PASSWORD) is not None
    assert not (backend.data_dir / "users.json").exists()
    assert (backend.data_dir / "users.json.imported").exists()
    store.add("管理", "admin", PASSWORD)
    store.remove("山田")  # removed after the move: a second open does not bring it back
    (backend.data_dir / "users.json").write_text(old.model_dump_json(), encoding="utf-8")
    assert [u.name for u in UserStore(backend).list()] == ["管理"]


def test_a_role_can_change_but_not_the_last_administrators(settings: Settings) -> None:
    store = UserStore(settings)
    store.add("管理", "admin", PASSWORD)
    store.add("山田", "viewer", PASSWORD)
    assert store.set_role("山田", "editor").role == "editor"
    with pytest.raises(InputError, match="最後の管理者は変更できません"):
        store.set_role("管理", "viewer")
    with pytest.raises(InputError, match="役割「owner」は不明"):
        store.set_role("山田", "owner")
    assert store.get("管理").role == "admin"
