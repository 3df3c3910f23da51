"""End to end in a real headless Chromium: draft, edit, save and export a sheet via the browser.

Starts ``streamlit run app.py`` on a free localhost port with a prepared data folder and
drives Debian's chromium with Selenium (no browser download). Screenshots of every page
go to bench/out/screens/. Skipped outside CI when chromium or selenium is missing; in CI
(``CI`` set) a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from facilitator.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENS = PROJECT_ROOT / "bench" / "out" / "screens"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1440,2000",
    "--lang=ja",
]
WAIT_S = 90


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        message = f"headless browser test needs: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must install chromium chromium-driver fonts-noto-cjk)")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app_data: Settings, tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a copy of the prepared data folder; yields its URL."""
    _require_browser()
    data = tmp_path / "data"
    shutil.copytree(app_data.data_dir, data)
    port = _free_port()
    env = {
        **os.environ,
        "FACILITATOR_DATA_DIR": str(data),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "FACILITATOR_CORPUS_DIR": str(app_data.corpus_dir),
    }
    env.pop("FACILITATOR_LLM_MODEL", None)
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _require_browser()
    monkeypatch.setenv("SE_AVOID_STATS", "true")  # Selenium Manager: no usage statistics
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "ja",
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition: Callable[[object], object], what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.3).until(condition)
    except TimeoutException:
        shot(driver, "failure")
        raise AssertionError(f"timed out waiting for {what}") from None


def wait_text(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    wait_for(driver, lambda d: text in d.find_element(By.TAG_NAME, "body").text, f"「{text}」")


def idle(driver) -> None:
    """Wait until the app has finished running (no status widget spinner)."""
    from selenium.webdriver.common.by import By

    time.sleep(0.4)
    wait_for(
        driver,
        lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"),
        "the app to finish running",
    )


def click_button(driver, label: str) -> None:
    from selenium.webdriver.common.by import By

    xpath = f"//button[contains(normalize-space(.), '{label}')]"
    button = wait_for(driver, lambda d: d.find_element(By.XPATH, xpath), f"button {label}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def go(driver, url_path: str, title: str) -> None:
    """Navigate with the sidebar (same session, so the app's state is kept)."""
    from selenium.webdriver.common.by import By

    link = wait_for(
        driver,
        lambda d: d.find_element(
            By.CSS_SELECTOR, f"[data-testid='stSidebarNav'] a[href$='/{url_path}']"
        ),
        url_path,
    )
    link.click()
    wait_text(driver, title)
    idle(driver)


def shot(driver, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def test_draft_edit_save_and_export_in_a_real_browser(server: str, browser) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    d.get(server)  # the default page (地域の現状) lives at the root
    wait_text(d, "所見（課題シートの「現状」に使えます）")
    idle(d)
    assert "架空データ" in d.find_element(By.TAG_NAME, "body").text
    shot(d, "1_area")

    go(d, "sheet", "課題シート作成・編集")
    click_button(d, "下書きを作成")
    wait_text(d, "を作成しました（版1）")
    idle(d)
    shot(d, "2_sheet_drafted")
    title = d.find_element(By.CSS_SELECTOR, "input[aria-label='題名']")
    title.send_keys(Keys.CONTROL, "a")
    title.send_keys("ブラウザで編集した課題シート")
    click_button(d, "保存")
    wait_text(d, "版2として保存しました")
    idle(d)
    shot(d, "3_sheet_saved")

    go(d, "export", "出力")
    wait_text(d, "ブラウザで編集した課題シート")
    shot(d, "4_export")
    click_button(d, "Excel（課題管理シート）")
    xlsx = wait_for(
        d,
        lambda _d: [p for p in d.downloads.glob("*.xlsx") if not p.name.endswith(".crdownload")],
        "the xlsx download",
    )[0]
    time.sleep(0.5)  # let Chromium finish renaming the file
    wb = load_workbook(xlsx)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("ブラウザで編集した課題シート" in c for c in cells)
    assert "出典" in wb.sheetnames

    go(d, "search", "事例検索")
    box = d.find_element(By.CSS_SELECTOR, "input[aria-label^='質問や語句']")
    box.send_keys("柏市の医師会")
    wait_text(d, "事例17")
    idle(d)
    shot(d, "5_search")

    go(d, "meeting", "協議中の質問")
    chat = d.find_element(By.CSS_SELECTOR, "textarea[data-testid='stChatInputTextArea']")
    chat.send_keys("夜間の輪番が組めない地域で何をしている？", Keys.ENTER)
    wait_text(d, "根拠となる箇所")
    idle(d)
    shot(d, "6_meeting")

    go(d, "data", "資料・データ管理")
    shot(d, "7_data")
