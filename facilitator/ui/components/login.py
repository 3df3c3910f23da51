"""Login before anything else (on by default): who is here and which pages their role opens."""

from __future__ import annotations

import math
import time

import streamlit as st

from facilitator.auth import ROLE_LABELS, UserStore, allowed
from facilitator.auth.audit import record
from facilitator.auth.throttle import LoginThrottle
from facilitator.errors import FacilitatorError
from facilitator.ui.components.common import get_settings

USER, ROLE, SEEN = "user_name", "user_role", "user_seen"


def logged_in_role() -> str | None:
    """The role of the person logged in; 'admin' for everyone when login is switched off."""
    if not get_settings().auth:
        return "admin"
    return st.session_state.get(ROLE)


def may_open(page: str) -> bool:
    return allowed(logged_in_role(), page)


def _login(store: UserStore) -> None:
    settings = get_settings()
    name = (st.session_state.get("login_name", "") or "").strip()
    password = st.session_state.pop("login_password", "")
    throttle = LoginThrottle(settings)
    st.session_state.pop("login_failed", None)
    st.session_state.pop("login_wait", None)
    if (wait := throttle.wait(name)) is not None:
        st.session_state["login_wait"] = max(1, math.ceil(wait.total_seconds() / 60))
        record(settings, "login_failed", name[:40], "待機中の再試行")
        return
    user = store.authenticate(name, password)
    if user is None:
        throttle.failed(name)
        st.session_state["login_failed"] = True
        record(settings, "login_failed", name[:40])
        return
    throttle.succeeded(name)
    record(settings, "login", user.name, actor=user.name)
    st.session_state[USER], st.session_state[ROLE] = user.name, user.role
    st.session_state[SEEN] = time.monotonic()


def logout() -> None:
    for key in (USER, ROLE, SEEN, "login_name"):
        st.session_state.pop(key, None)


def _expired() -> bool:
    """True (and logged out) when the session was idle longer than the setting allows."""
    seen = st.session_state.get(SEEN)
    idle = get_settings().session_idle_minutes * 60
    if st.session_state.get(ROLE) is None or seen is None:
        return False
    if time.monotonic() - seen > idle:
        logout()
        return True
    st.session_state[SEEN] = time.monotonic()
    return False


def _still_allowed(store: UserStore) -> bool:
    """A stopped or deleted account loses its open session at the next click; a changed role
    applies at once."""
    if st.session_state.get(ROLE) is None:
        return True
    try:
        user = store.active(st.session_state.get(USER))
    except FacilitatorError:
        user = None
    if user is None:
        logout()
        return False
    st.session_state[ROLE] = user.role
    return True


def require_login() -> None:
    """Show the login form and stop the page until someone logs in (when login is on)."""
    store = UserStore(get_settings())
    expired = get_settings().auth and _expired()
    stopped = get_settings().auth and not _still_allowed(store)
    if logged_in_role() is not None:
        return
    st.title("ログイン")
    try:
        has_users = bool(store.list())
    except FacilitatorError as exc:
        st.error(str(exc))
        st.stop()
    if not has_users:
        st.info(
            "利用者がまだいません。サーバーで `facilitator bootstrap` を実行すると管理者（admin）が"
            "作成され、パスワードが一度だけ表示されます。"
        )
        st.stop()
    if expired:
        st.info("しばらく操作がなかったため、ログアウトしました。もう一度ログインしてください。")
    elif stopped:
        st.warning("この利用者は停止されたため、ログアウトしました。管理者に確認してください。")
    with st.form("login_form"):
        st.text_input("ユーザー名", key="login_name")
        st.text_input("パスワード", type="password", key="login_password")
        st.form_submit_button("ログイン", on_click=_login, args=(store,), type="primary")
    if st.session_state.get("login_failed"):
        st.error("ユーザー名またはパスワードが違います。")
    if wait := st.session_state.get("login_wait"):
        st.error(
            f"ログインの失敗が続いたため、このユーザー名はあと約{wait}分ログインできません。"
            "パスワードを忘れた場合は管理者に再設定を依頼してください。"
        )
    st.stop()


def sidebar_account() -> None:
    if not get_settings().auth:
        return
    name, role = st.session_state.get(USER), st.session_state.get(ROLE)
    st.caption(f"ログイン中: {name}（{ROLE_LABELS.get(role or '', role)}）")
    st.button("ログアウト", key="logout", on_click=logout, icon=":material/logout:")
