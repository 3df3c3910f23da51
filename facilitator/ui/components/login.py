"""Login before anything else (on by default): who is here and which pages their role opens.

Two ways in: a local account's name and password, or — when the organisation's identity
provider is configured in Streamlit's secrets (``[auth]``, OpenID Connect) — 「組織のアカウント
でログイン」 through ``st.login``. The provider only says who the person is; what they may do
comes from the account an administrator registered under that e-mail address
(``facilitator users add ADDRESS --sso``), so nobody gets in just by having an account there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import streamlit as st

from facilitator.auth import ROLE_LABELS, UserStore, allowed
from facilitator.auth.audit import record
from facilitator.auth.throttle import LoginThrottle
from facilitator.auth.users import User
from facilitator.errors import FacilitatorError
from facilitator.text import md_escape
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
    _start_session(user)


def logout() -> None:
    for key in (USER, ROLE, SEEN, "login_name"):
        st.session_state.pop(key, None)


def sso_configured() -> bool:
    """Is an identity provider set up in Streamlit's secrets (``[auth]`` with a client)?"""
    if not st.secrets.load_if_toml_exists():  # no secrets file: a plain False, no warning
        return False
    auth = st.secrets.get("auth") or {}
    providers = [auth, *(v for v in auth.values() if isinstance(v, Mapping))]
    return any(p.get("client_id") for p in providers)


def _sso_identity() -> str | None:
    """The e-mail address the identity provider vouched for in this browser, if any."""
    if not sso_configured() or not st.user.is_logged_in:
        return None
    return str(st.user.get("email") or st.user.get("sub") or "") or None


def _sso_login(store: UserStore, email: str) -> bool:
    """Log in the account registered under ``email``; False (and recorded) if there is none."""
    settings = get_settings()
    user = store.single_sign_on(email)
    if user is None:
        record(settings, "login_failed", email[:40], "未登録の組織アカウント")
        return False
    _start_session(user, detail="組織のアカウント")
    return True


def _start_session(user: User, detail: str = "") -> None:
    """The person is in (recorded): their name and role for this browser session."""
    record(get_settings(), "login", user.name, actor=user.name, detail=detail)
    st.session_state[USER], st.session_state[ROLE] = user.name, user.role
    st.session_state[SEEN] = time.monotonic()


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
    if not get_settings().auth:
        return
    try:
        store = UserStore(get_settings())  # the shared database: may be unreachable
    except FacilitatorError as exc:
        st.title("ログイン")
        st.error(str(exc))
        st.stop()
    expired = _expired()
    stopped = not _still_allowed(store)
    if logged_in_role() is not None:
        return
    email = _sso_identity()
    if email and (expired or stopped):
        st.logout()  # the provider's cookie would log the person straight back in
        st.stop()  # the browser goes to Streamlit's logout address, then to the login page
    if email and _sso_login(store, email):
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
    if email:
        st.error(
            f"組織のアカウント {md_escape(email, inline=True)} はこのアプリに登録されていません。"
            "管理者に登録を依頼してください（`facilitator users add メールアドレス --sso`）。"
        )
        if st.button("別のアカウントでログインし直す", icon=":material/logout:"):
            st.logout()
        st.stop()
    if sso_configured():
        if st.button(
            "組織のアカウントでログイン", type="primary", icon=":material/badge:", key="sso_login"
        ):
            st.login()
        st.caption(
            "職員用のアカウントをお持ちの方は、下のユーザー名とパスワードでもログインできます。"
        )
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
    who = md_escape(name or "", inline=True)  # an e-mail address is not a link
    st.caption(f"ログイン中: {who}（{ROLE_LABELS.get(role or '', role)}）")
    if st.button("ログアウト", key="logout", icon=":material/logout:"):
        logout()
        if _sso_identity():
            # also forget the provider's identity in this browser: st.logout sends the browser
            # to Streamlit's logout address, which a rerun now would cancel
            st.logout()
            st.stop()
        st.rerun()
