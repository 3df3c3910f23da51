"""The app asks who you are first, and shows each role only its pages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from facilitator.auth import UserStore
from facilitator.settings import Settings
from tests.support.app_fixtures import APP, TIMEOUT, texts

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


@pytest.fixture
def with_login(app_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FACILITATOR_AUTH", "true")
    store = UserStore(app_env)
    store.add("管理", "admin", PASSWORD)
    store.add("委員A", "viewer", PASSWORD)
    return app_env


def login(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["ログイン"]
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_nothing_is_shown_before_login(with_login: Settings) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert [t.value for t in at.title] == ["ログイン"]
    assert "地域の現状" not in texts(at) and not at.dataframe


def test_a_wrong_password_is_refused(with_login: Settings) -> None:
    at = login("委員A", "wrong password")
    assert any("ユーザー名またはパスワードが違います" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["ログイン"]
    from facilitator.auth.audit import read

    assert [(e.action, e.target) for e in read(with_login)] == [("login_failed", "委員A")]


def test_a_council_member_sees_search_and_questions_but_not_editing_or_data(
    with_login: Settings,
) -> None:
    at = login("委員A", PASSWORD)
    assert not at.exception
    assert "ログイン中: 委員A（委員）" in texts(at)
    assert [t.value for t in at.title] == ["はじめに"]
    assert "（この役割では使えません）" in texts(at)  # 下書き・編集・出力 are not for 委員
    at.switch_page("facilitator/ui/pages/area.py").run()
    assert "地域の現状" in [t.value for t in at.title]
    assert not [b for b in at.button if b.key == "area_to_sheet"]  # no way into editing
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not offered
        at.switch_page("facilitator/ui/pages/data.py").run()
    at.button(key="logout").click().run()
    assert [t.value for t in at.title] == ["ログイン"]


def test_an_administrator_opens_data_management(with_login: Settings) -> None:
    at = login("管理", PASSWORD)
    at.switch_page("facilitator/ui/pages/data.py").run()
    assert not at.exception
    assert "資料・データ管理" in [t.value for t in at.title]
    log = next(e for e in at.expander if e.label.startswith("操作の記録"))
    assert "1件" in log.label  # this login, by 管理


def test_repeated_wrong_passwords_make_the_name_wait_even_with_the_right_one(
    with_login: Settings,
) -> None:
    from facilitator.auth.throttle import MAX_FAILURES

    for _ in range(MAX_FAILURES):
        login("委員A", "wrong password")
    at = login("委員A", PASSWORD)  # right password, but too soon
    assert [t.value for t in at.title] == ["ログイン"]
    assert any("ログインの失敗が続いたため" in e.value and "分" in e.value for e in at.error)
    assert not any("違います" in e.value for e in at.error)  # not told which part was wrong
    assert [t.value for t in login("管理", PASSWORD).title] != ["ログイン"]  # others log in


def test_an_idle_session_is_logged_out(
    with_login: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_SESSION_IDLE_MINUTES", "1")
    at = login("委員A", PASSWORD)
    assert [t.value for t in at.title] != ["ログイン"]
    at.session_state["user_seen"] = at.session_state["user_seen"] - 61
    at.run()
    assert [t.value for t in at.title] == ["ログイン"]
    assert any("しばらく操作がなかったため" in i.value for i in at.info)


def test_a_stopped_account_is_logged_out_at_its_next_click_and_cannot_log_in(
    with_login: Settings,
) -> None:
    at = login("委員A", PASSWORD)
    assert [t.value for t in at.title] != ["ログイン"]
    UserStore(with_login).set_disabled("委員A", True)
    at.run()
    assert [t.value for t in at.title] == ["ログイン"]
    assert any("停止されたため" in w.value for w in at.warning)
    assert [t.value for t in login("委員A", PASSWORD).title] == ["ログイン"]
    UserStore(with_login).set_disabled("委員A", False)
    assert [t.value for t in login("委員A", PASSWORD).title] != ["ログイン"]


def test_a_changed_role_applies_to_an_open_session(with_login: Settings) -> None:
    at = login("管理", PASSWORD)
    assert at.session_state["user_role"] == "admin"
    UserStore(with_login).add("管理2", "admin", PASSWORD)
    UserStore(with_login).set_role("管理", "viewer")  # e.g. from another instance
    at.run()
    assert at.session_state["user_role"] == "viewer"


def test_an_administrator_adds_stops_and_resets_accounts_in_the_app(
    with_login: Settings,
) -> None:
    at = login("管理", PASSWORD)
    at.switch_page("facilitator/ui/pages/data.py").run()
    at.text_input(key="accounts_add_name").input("山田")
    at.selectbox(key="accounts_add_role").select("editor")
    next(b for b in at.button if b.label == "追加する").click().run()
    assert not at.exception
    password = at.code[0].value  # shown once, for the administrator to pass on
    store = UserStore(with_login)
    assert store.authenticate("山田", password).role == "editor"  # type: ignore[union-attr]
    at.run()
    assert not at.code  # gone at the next run

    at.selectbox(key="accounts_target").select("山田")
    at.button(key="accounts_user_disable").click().run()
    assert store.get("山田").disabled
    at.button(key="accounts_user_reset").click().run()
    new = at.code[0].value
    assert new != password and store.authenticate("山田", password) is None

    at.selectbox(key="accounts_target").select("管理")
    at.button(key="accounts_user_disable").click().run()  # not oneself
    assert any("自分自身は停止できません" in e.value for e in at.error)
    assert not store.get("管理").disabled
    from facilitator.auth.audit import read

    actions = [(e.actor, e.action, e.target) for e in read(with_login)][:3]
    assert actions == [
        ("管理", "user_reset", "山田"),
        ("管理", "user_disable", "山田"),
        ("管理", "user_add", "山田"),
    ]


def test_accounts_are_not_shown_when_login_is_off(app_env: Settings) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("facilitator/ui/pages/data.py").run()
    assert "利用者" not in [t.label for t in at.tabs]
