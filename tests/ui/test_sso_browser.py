"""Single sign-on in a real browser: 「組織のアカウントでログイン」 through a real OpenID Connect
provider (oidc-provider-mock, a test server) and Streamlit's own ``st.login``.

The provider only vouches for an e-mail address; the role comes from the account an
administrator registered under it (``users add ADDRESS --sso``). An address nobody
registered gets a Japanese refusal and no page.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.auth import UserStore
from facilitator.auth.audit import read
from facilitator.settings import Settings
from facilitator.text import NO_LINK
from tests.support.browser import app_server, chromium, idle, shot, wait_for, wait_text
from tests.support.servers import answers, free_port, running
from tests.ui.test_browser_e2e import _require_browser

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MEMBER = "yamada@pref.example.jp"
STRANGER = "someone@example.com"


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[str]:
    """A real OpenID Connect provider on a free localhost port; yields its issuer URL."""
    pytest.importorskip("oidc_provider_mock")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    ready = lambda: answers(f"{issuer}/.well-known/openid-configuration")  # noqa: E731
    with running(cmd, tmp_path / "oidc.log", ready):
        yield issuer


@pytest.fixture
def sso_app(
    app_data: Settings, provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Settings]]:
    """The app with login on, an administrator, and 事務局 山田 registered for single sign-on."""
    _require_browser()
    data = tmp_path / "data"
    shutil.copytree(app_data.data_dir, data)
    settings = Settings(data_dir=data, corpus_dir=app_data.corpus_dir)
    UserStore(settings).add("管理", "admin", "correct horse battery")
    UserStore(settings).add(MEMBER, "editor", None, sso=True)
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "facilitator"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("FACILITATOR_AUTH", "true")
    with app_server(
        data, app_data.corpus_dir, tmp_path / "streamlit.log", port=port, secrets=secrets_file
    ) as url:
        yield url, settings


def _sign_in_at_provider(d, email: str) -> None:
    """The provider's own form: who to be (its ``sub``, also the e-mail claim)."""
    from selenium.webdriver.common.by import By

    box = wait_for(d, lambda _d: d.find_element(By.CSS_SELECTOR, "input[name='sub']"), "sub")
    box.send_keys(email)
    d.find_element(By.XPATH, "//button[normalize-space(.)='Authorize']").click()


def _click(d, label: str) -> None:
    """Click the button once the page has settled (a rerun may replace it meanwhile)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    xpath = f"//button[contains(normalize-space(.), '{label}')]"
    for _ in range(5):
        idle(d)
        try:
            wait_for(d, lambda _d: d.find_element(By.XPATH, xpath), label).click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"the button {label} kept being replaced")


def test_only_a_registered_address_gets_in_and_with_its_role(
    sso_app: tuple[str, Settings], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    url, settings = sso_app
    with chromium(tmp_path / "downloads") as d:
        d.get(url)
        wait_text(d, "ログイン")
        _click(d, "組織のアカウントでログイン")
        _sign_in_at_provider(d, STRANGER)  # known to the provider, not to the app
        wait_text(d, "このアプリに登録されていません")
        idle(d)
        shot(d, "sso_refused")
        body = _text(d)
        assert STRANGER in body and "ログイン中" not in body
        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebarNav']")
        failed = [e for e in read(settings) if e.action == "login_failed"]
        assert failed and failed[0].target == STRANGER

        _click(d, "別のアカウントでログインし直す")
        _logged_out(d, url)
        _click(d, "組織のアカウントでログイン")
        _sign_in_at_provider(d, MEMBER)
        who = f"ログイン中: {MEMBER}（事務局）"
        wait_for(d, lambda _d: who in _text(_d), who)
        idle(d)
        shot(d, "sso_logged_in")
        nav = d.find_element(By.CSS_SELECTOR, "[data-testid='stSidebarNav']").text
        assert "課題シート" in nav and "資料・データ管理" not in nav  # 事務局, not 管理者
        entries = [e for e in read(settings) if e.action == "login"]
        assert entries and entries[0].actor == MEMBER and "組織のアカウント" in entries[0].detail

        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebar'] a[href^='mailto']")

        _click(d, "ログアウト")
        _logged_out(d, url)
        assert "ログイン中" not in _text(d)


def _text(d) -> str:
    """The page's text as read (an e-mail address carries an invisible word joiner, which
    keeps Streamlit from making it a live mailto: link)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    for _ in range(5):  # Streamlit may replace the page between finding it and reading it
        try:
            return d.find_element(By.TAG_NAME, "body").text.replace(NO_LINK, "")
        except WebDriverException:
            time.sleep(0.5)
    return d.find_element(By.TAG_NAME, "body").text.replace(NO_LINK, "")


def _end_provider_session(d) -> None:
    """After ``st.logout`` the provider may ask to end its own session too."""
    from selenium.webdriver.common.by import By

    for _ in range(2):
        idle(d)
        ends = d.find_elements(By.XPATH, "//button[normalize-space(.)='End session']")
        if ends:
            ends[0].click()


def _logged_out(d, url: str) -> None:
    """Follow ``st.logout`` to its end: the app's logout address clears the identity cookie
    and sends the browser to the provider's end-session page (or straight back to the app),
    and only then is the app opened again."""
    from selenium.webdriver.common.by import By

    def arrived(_d: object) -> bool:
        ended = d.find_elements(By.XPATH, "//button[normalize-space(.)='End session']")
        return bool(ended) or "組織のアカウントでログイン" in _text(d)

    wait_for(d, arrived, "the end of the logout")
    _end_provider_session(d)
    d.get(url)
    wait_text(d, "組織のアカウントでログイン")
