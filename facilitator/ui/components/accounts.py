"""利用者 (管理者 only): the same account operations as ``facilitator users``, for an
administrator who has no shell on the server. A new or reset password is shown once."""

from __future__ import annotations

import streamlit as st

from facilitator.auth import ROLE_LABELS, ROLES, UserStore
from facilitator.auth.users import new_password
from facilitator.errors import FacilitatorError
from facilitator.text import japanese_time
from facilitator.ui.components.common import audit, current_user, get_settings, show_error

NEW_PASSWORD = "accounts_new_password"
"""(name, password) to show once after an add or a reset."""


def _reveal(name: str, password: str) -> None:
    st.session_state[NEW_PASSWORD] = (name, password)


def _add(store: UserStore) -> None:
    name = st.session_state.get("accounts_add_name", "")
    role = st.session_state.get("accounts_add_role", "viewer")
    password = new_password()
    try:
        user = store.add(name, role, password)
    except FacilitatorError as exc:
        st.session_state["accounts_error"] = str(exc)
        return
    audit("user_add", user.name, user.role)
    st.session_state["accounts_add_name"] = ""
    _reveal(user.name, password)


def _act(store: UserStore, action: str) -> None:
    name = st.session_state.get("accounts_target")
    if not name:
        return
    try:
        if action == "user_reset":
            _reveal(name, store.reset(name))
        elif name == current_user():
            raise FacilitatorError("自分自身は停止できません（別の管理者に依頼してください）。")
        else:
            store.set_disabled(name, action == "user_disable")
    except FacilitatorError as exc:
        st.session_state["accounts_error"] = str(exc)
        return
    audit(action, name)


def accounts_panel() -> None:
    """The accounts, their role and state; add, stop/resume and reset a password."""
    store = UserStore(get_settings())
    if error := st.session_state.pop("accounts_error", None):
        show_error(FacilitatorError(error))
    if shown := st.session_state.pop(NEW_PASSWORD, None):
        name, password = shown
        st.success(
            f"{name} のパスワードです。この画面を離れると二度と表示されません。本人に伝えてください。"
        )
        st.code(password, language=None)
    try:
        users = store.list()
    except FacilitatorError as exc:
        show_error(exc)
        return
    st.dataframe(
        [
            {
                "ユーザー名": u.name,
                "役割": ROLE_LABELS[u.role],
                "状態": "停止中" if u.disabled else "利用中",
                "作成日時": japanese_time(u.created_at),
            }
            for u in users
        ],
        hide_index=True,
    )
    with st.form("accounts_add", border=True):
        st.markdown("**利用者を追加**（パスワードは自動で作り、一度だけ表示します）")
        c = st.columns([2, 1])
        c[0].text_input("ユーザー名", key="accounts_add_name", max_chars=40)
        c[1].selectbox(
            "役割",
            ROLES,
            index=ROLES.index("viewer"),
            format_func=lambda r: ROLE_LABELS[r],
            key="accounts_add_role",
        )
        st.form_submit_button(
            "追加する", on_click=_add, args=(store,), icon=":material/person_add:"
        )
    if not users:
        return
    st.markdown("**利用者を選んで操作**")
    st.selectbox(
        "利用者",
        [u.name for u in users],
        key="accounts_target",
        format_func=lambda n: (
            n + ("（停止中）" if any(u.name == n and u.disabled for u in users) else "")
        ),
    )
    row = st.container(horizontal=True)
    for action, label, icon in (
        ("user_disable", "停止する", ":material/block:"),
        ("user_enable", "停止を解除", ":material/check_circle:"),
        ("user_reset", "パスワードを再発行", ":material/key:"),
    ):
        row.button(label, key=f"accounts_{action}", on_click=_act, args=(store, action), icon=icon)
    st.caption(
        "停止した利用者はログインできず、開いている画面も次の操作でログアウトします。"
        "操作の記録に残る名前は消えません。"
    )
