"""Login before anything else (on by default): who is here and which pages their role opens."""

from __future__ import annotations

import streamlit as st

from facilitator.auth import ROLE_LABELS, UserStore, allowed
from facilitator.auth.audit import record
from facilitator.errors import FacilitatorError
from facilitator.ui.components.common import get_settings

USER, ROLE = "user_name", "user_role"


def logged_in_role() -> str | None:
    """The role of the person logged in; 'admin' for everyone when login is switched off."""
    if not get_settings().auth:
        return "admin"
    return st.session_state.get(ROLE)


def may_open(page: str) -> bool:
    return allowed(logged_in_role(), page)


def _login(store: UserStore) -> None:
    user = store.authenticate(
        st.session_state.get("login_name", ""), st.session_state.get("login_password", "")
    )
    st.session_state.pop("login_password", None)
    if user is None:
        st.session_state["login_failed"] = True
        record(get_settings(), "login_failed", st.session_state.get("login_name", "")[:40])
        return
    record(get_settings(), "login", user.name, actor=user.name)
    st.session_state[USER], st.session_state[ROLE] = user.name, user.role
    st.session_state.pop("login_failed", None)


def logout() -> None:
    for key in (USER, ROLE, "login_name"):
        st.session_state.pop(key, None)


def require_login() -> None:
    """Show the login form and stop the page until someone logs in (when login is on)."""
    if logged_in_role() is not None:
        return
    store = UserStore(get_settings())
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
    with st.form("login_form"):
        st.text_input("ユーザー名", key="login_name")
        st.text_input("パスワード", type="password", key="login_password")
        st.form_submit_button("ログイン", on_click=_login, args=(store,), type="primary")
    if st.session_state.get("login_failed"):
        st.error("ユーザー名またはパスワードが違います。")
    st.stop()


def sidebar_account() -> None:
    if not get_settings().auth:
        return
    name, role = st.session_state.get(USER), st.session_state.get(ROLE)
    st.caption(f"ログイン中: {name}（{ROLE_LABELS.get(role or '', role)}）")
    st.button("ログアウト", key="logout", on_click=logout, icon=":material/logout:")
