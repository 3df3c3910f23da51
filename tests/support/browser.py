"""A real headless Chromium driving ``streamlit run app.py``: shared by the browser test and
bench/bench_draft_ui.py.

Debian's chromium and chromedriver with Selenium (no browser download); screenshots go to
bench/out/screens/.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from facilitator.settings import PROJECT_ROOT
from tests.support.servers import answers, free_port, running

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
PHONE = [
    "--window-size=390,844",
    "--user-agent=Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]
"""A 390 px phone (its browser says so in the User-Agent, which the app reads)."""


def missing_browser() -> list[str]:
    """What is missing to drive a browser here (empty when all is installed)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    return missing


@contextmanager
def app_server(
    data_dir: Path,
    corpus_dir: Path,
    log_path: Path,
    *,
    port: int | None = None,
    secrets: Path | None = None,
) -> Iterator[str]:
    """``streamlit run app.py`` on ``data_dir`` at a free localhost port (or ``port``), with
    Streamlit's secrets from ``secrets`` when given; yields its URL."""
    port = port or free_port()
    env = {
        **os.environ,
        "FACILITATOR_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "FACILITATOR_CORPUS_DIR": str(corpus_dir),
        "FACILITATOR_AUTH": os.environ.get("FACILITATOR_AUTH", "false"),
    }
    env.pop("FACILITATOR_LLM_MODEL", None)
    cmd = [
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
        *(["--secrets.files", str(secrets)] if secrets else []),
    ]
    url = f"http://127.0.0.1:{port}"
    with running(
        cmd,
        log_path,
        lambda: answers(f"{url}/_stcore/health", b"ok"),
        cwd=PROJECT_ROOT,
        env=env,
    ):
        yield url


@contextmanager
def chromium(downloads: Path, phone: bool = False) -> Iterator[object]:
    """A headless Chromium WebDriver that saves downloads into ``downloads`` (as a phone:
    narrow and with a phone's User-Agent)."""
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager: no usage statistics
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    flags = [f for f in FLAGS if not f.startswith("--window-size")] + PHONE if phone else FLAGS
    for flag in flags:
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
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # a page being replaced (a redirect, a rerun) makes an element found a moment ago stale
    wait = WebDriverWait(
        driver, WAIT_S, poll_frequency=0.3, ignored_exceptions=(StaleElementReferenceException,)
    )
    try:
        return wait.until(condition)
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


FRAMEWORK_ENGLISH = (
    "Choose an option",
    "Choose options",
    "No results",
    "Deploy",
    "Drag and drop",
    "Browse files",
    "per file",
    "Running...",
)
"""Streamlit's own English texts that a page must replace (placeholders, uploader, toolbar)."""


_SHOWN_TEXT_JS = """
const out = [];
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walk.nextNode()) {
  const el = walk.currentNode.parentElement;
  if (!el || !el.getClientRects().length) continue;
  const css = getComputedStyle(el);
  if (css.fontSize === "0px" || css.visibility === "hidden") continue;
  out.push(walk.currentNode.textContent);
}
for (const box of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
  if (box.getClientRects().length && !box.value) out.push(box.placeholder);
}
return out.join("\\n");
"""


def english_on_page(driver) -> list[str]:
    """The framework's English texts a person sees on the page, placeholders of empty boxes
    included (empty: all Japanese); text the page hides to say it in Japanese instead
    (font size 0) is not seen."""
    text = driver.execute_script(_SHOWN_TEXT_JS)
    return [s for s in FRAMEWORK_ENGLISH if s in text]


def choose(driver, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` (a react-aria combobox)."""
    from selenium.webdriver.common.by import By

    box = wait_for(
        driver,
        lambda d: d.find_element(By.CSS_SELECTOR, f"input[role='combobox'][aria-label='{label}']"),
        f"selectbox {label}",
    )
    if box.get_attribute("value") == option:
        return
    for _ in range(5):
        idle(driver)
        box = driver.find_element(By.CSS_SELECTOR, f"input[role='combobox'][aria-label='{label}']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        box.find_element(By.XPATH, "following-sibling::button").click()
        time.sleep(0.5)
        options = driver.find_elements(By.CSS_SELECTOR, "[role='option']")
        item = next((o for o in options if o.text == option), None)
        if item is not None:
            break
    else:
        raise AssertionError(f"no option {option} in {label}")
    item.click()
    idle(driver)


def open_expander(driver, title: str, button: str = "下書きを作成") -> None:
    """Open the expander ``title`` until the ``button`` inside it shows."""
    from selenium.webdriver.common.by import By

    xpath = f"//button[contains(normalize-space(.), '{button}')]"
    for _ in range(10):
        idle(driver)
        if any(b.is_displayed() for b in driver.find_elements(By.XPATH, xpath)):
            return
        for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stExpander'] summary"):
            if title in e.text:
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", e)
                e.click()
                break
        time.sleep(1)
    raise AssertionError(f"the expander {title} does not open")
