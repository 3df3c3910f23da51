"""End to end in a real headless Chromium: draft, edit, save and export a sheet via the browser.

Starts ``streamlit run app.py`` on a free localhost port with a prepared data folder and
drives Debian's chromium with Selenium (no browser download). Screenshots of every page
go to bench/out/screens/. Skipped outside CI when chromium or selenium is missing; in CI
(``CI`` set) a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator.settings import Settings
from tests.support.browser import (
    app_server,
    choose,
    chromium,
    click_button,
    english_on_page,
    go,
    idle,
    missing_browser,
    open_expander,
    shot,
    wait_for,
    wait_text,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _require_browser() -> None:
    missing = missing_browser()
    if missing:
        message = f"headless browser test needs: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must install chromium chromium-driver fonts-noto-cjk)")
        pytest.skip(message)


@pytest.fixture
def server(app_data: Settings, tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a copy of the prepared data folder; yields its URL."""
    _require_browser()
    data = tmp_path / "data"
    shutil.copytree(app_data.data_dir, data)
    with app_server(data, app_data.corpus_dir, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    _require_browser()
    with chromium(tmp_path / "downloads") as driver:
        yield driver


def test_draft_edit_save_and_export_in_a_real_browser(server: str, browser) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    d.get(server)  # the default page (はじめに) lives at the root
    wait_text(d, "地域・テーマごとの課題シート")
    go(d, "area", "地域の現状")
    wait_text(d, "所見（課題シートの「現状」に使えます）")
    idle(d)
    assert "架空データ" in d.find_element(By.TAG_NAME, "body").text
    shot(d, "1_area")
    assert not english_on_page(d), ("1_area", english_on_page(d))

    go(d, "sheet", "課題シート作成・編集")
    click_button(d, "下書きを作成")
    wait_text(d, "を作成しました（版1）")
    idle(d)
    shot(d, "2_sheet_drafted")
    assert not english_on_page(d), ("2_sheet_drafted", english_on_page(d))
    title = d.find_element(By.CSS_SELECTOR, "input[aria-label='題名']")
    title.send_keys(Keys.CONTROL, "a")
    title.send_keys("ブラウザで編集した課題シート")
    # a statement is a full-width text area holding its whole text (nothing cut off)
    cause_tab = d.find_element(By.XPATH, "//*[@role='tab'][contains(., '④原因')]")
    cause_tab.click()
    cause = wait_for(
        d, lambda _d: d.find_element(By.CSS_SELECTOR, "textarea[aria-label='原因①']"), "原因①"
    )
    assert len(cause.get_attribute("value")) > 40  # longer than a grid cell would show
    cause.send_keys(Keys.CONTROL, Keys.END)
    cause.send_keys("（ブラウザで追記）")
    click_button(d, "保存")
    wait_text(d, "版2として保存しました")
    idle(d)
    shot(d, "3_sheet_saved")
    assert not english_on_page(d), ("3_sheet_saved", english_on_page(d))

    # the draft panel stays open while the next draft is set up (it used to close on
    # every widget change once a sheet existed)
    open_expander(d, "新しい課題シートを作成")
    choose(d, "テーマ", "在宅医療（2号機能ハ）")
    xpath = "//button[contains(normalize-space(.), '下書きを作成')]"
    assert any(b.is_displayed() for b in d.find_elements(By.XPATH, xpath))

    go(d, "export", "出力")
    wait_text(d, "ブラウザで編集した課題シート")
    shot(d, "4_export")
    assert not english_on_page(d), ("4_export", english_on_page(d))
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
    assert any("（ブラウザで追記）" in c for c in cells)
    assert "出典" in wb.sheetnames

    # 印刷用: the browser's print gives the sheet alone, without the app's menus
    import base64
    import io
    import unicodedata

    from pypdf import PdfReader

    d.find_element(By.XPATH, "//*[@role='tab'][contains(., '印刷用')]").click()
    wait_text(d, "ブラウザの印刷")
    idle(d)
    pdf = PdfReader(io.BytesIO(base64.b64decode(d.print_page())))
    text = "".join(page.extract_text() for page in pdf.pages)
    printed = unicodedata.normalize("NFKC", text).replace("\n", "")  # PDF fonts, wrapped lines
    assert "ブラウザで編集した課題シート" in printed and "原因" in printed and "方策" in printed
    assert (
        "協議中の質問" not in printed and "ファイルを選ぶ" not in printed
    )  # no sidebar, no controls

    # edit the workbook as a coordinator would in Excel, and import it as a new version
    from facilitator.export.xlsx import COL
    from tests.export.builders import rows_by_key

    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["internal_notes"], COL["text"]).value = "Excelで追記した事務局メモ"
    edited = d.downloads.parent / "edited.xlsx"
    wb.save(edited)
    d.find_element(By.XPATH, "//*[@role='tab'][contains(., 'Excelから取り込む')]").click()
    upload = wait_for(
        d, lambda _d: d.find_element(By.CSS_SELECTOR, "input[type='file']"), "the uploader"
    )
    upload.send_keys(str(edited))
    time.sleep(1.0)
    submit = "//div[@data-testid='stForm']//button[contains(normalize-space(.), '取り込む')]"
    wait_for(d, lambda _d: d.find_element(By.XPATH, submit), "取り込む").click()
    wait_text(d, "版3として取り込みました")
    wait_text(d, "事務局メモ")  # the summary names the changed field
    idle(d)
    shot(d, "4b_imported")
    assert not english_on_page(d), ("4b_imported", english_on_page(d))

    # the editor continues from the import; its history shows the change side by side
    go(d, "sheet", "課題シート作成・編集")
    assert "編集元: 版3" in d.find_element(By.TAG_NAME, "body").text
    d.find_element(By.XPATH, "//*[@role='tab'][contains(., '版の履歴')]").click()
    wait_text(d, "変更のあった項目")
    wait_text(d, "Excelで追記した事務局メモ")
    idle(d)
    shot(d, "4c_history")
    assert not english_on_page(d), ("4c_history", english_on_page(d))

    go(d, "search", "事例検索")
    box = d.find_element(By.CSS_SELECTOR, "input[aria-label^='質問や語句']")
    box.send_keys("柏市の医師会")
    wait_text(d, "事例17")
    idle(d)
    shot(d, "5_search")
    assert not english_on_page(d), ("5_search", english_on_page(d))
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("医師の高齢化で当番が組めない")
    wait_text(d, "最近の検索")
    idle(d)
    click_button(d, "柏市の医師会")  # the earlier search, one click away
    wait_for(d, lambda _d: box.get_attribute("value") == "柏市の医師会", "the search box refilled")
    wait_text(d, "医師の高齢化で当番が組めない")  # now the earlier one of the two
    wait_text(d, "事例17")
    idle(d)
    shot(d, "5b_search_history")
    assert not english_on_page(d), ("5b_search_history", english_on_page(d))

    go(d, "meeting", "協議中の質問")
    chat = d.find_element(By.CSS_SELECTOR, "textarea[data-testid='stChatInputTextArea']")
    chat.send_keys("夜間の輪番が組めない地域で何をしている？", Keys.ENTER)
    wait_text(d, "根拠となる箇所")
    idle(d)
    shot(d, "6_meeting")
    assert not english_on_page(d), ("6_meeting", english_on_page(d))

    go(d, "data", "資料・データ管理")
    shot(d, "7_data")
    assert not english_on_page(d), ("7_data", english_on_page(d))


def test_on_a_phone_the_full_case_opens_in_a_dialog(server: str, tmp_path: Path) -> None:
    """On a 390 px phone a side column would fall below every result: the case opens over
    the results instead, and closes back to them."""
    from selenium.webdriver.common.by import By

    _require_browser()
    with chromium(tmp_path / "phone", phone=True) as d:
        d.get(server)
        wait_text(d, "地域・テーマごとの課題シート")
        d.get(server.rstrip("/") + "/search")
        wait_text(d, "事例検索")
        box = wait_for(
            d,
            lambda _d: d.find_element(By.CSS_SELECTOR, "input[aria-label^='質問や語句']"),
            "the search box",
        )
        box.send_keys("柏市の医師会")
        wait_text(d, "事例17")
        idle(d)
        click_button(d, "事例の全文")
        dialog = wait_for(
            d, lambda _d: d.find_element(By.CSS_SELECTOR, "[role='dialog']"), "the case dialog"
        )
        wait_for(d, lambda _d: "該当箇所" in dialog.text, "the case text in the dialog")
        shot(d, "8_phone_case")
        assert not english_on_page(d), ("8_phone_case", english_on_page(d))
        width = d.execute_script("return document.documentElement.clientWidth")
        assert width < 768 and dialog.size["width"] <= width  # over the results, not beside
        close = dialog.find_element(By.XPATH, ".//button[contains(normalize-space(.), '閉じる')]")
        close.click()
        wait_for(d, lambda _d: not d.find_elements(By.CSS_SELECTOR, "[role='dialog']"), "close")
        assert "事例17" in d.find_element(By.TAG_NAME, "body").text  # back to the results
