"""Page switches and search in a real browser (issue 12 targets): seconds from clicking a
sidebar link until the page's title is shown and the app is idle (target ≤ 1 s), and from
the last keystroke of a query in 事例検索 until its results are shown and the app is idle
(target ≤ 0.5 s).

Starts ``streamlit run app.py`` (login off: this measures pages, not the login form) on a
copy of DIR (index + report data, e.g. the synthetic sample) and drives headless Chromium.
Each page is opened once before timing (the first visit of a session loads its modules);
then ``--rounds`` rounds over all pages. Each query arrives in the cleared box as one input
event, as a Japanese IME commit or a paste gives it.

    .venv/bin/python bench/bench_browser.py --data-dir DIR [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe

from tests.support.browser import app_server, chromium, idle, missing_browser, wait_for

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "bench_browser.json"
PAGE_TARGET_S = 1.0
SEARCH_TARGET_S = 0.5
PAGES = [
    ("area", "地域の現状"),
    ("sheet", "課題シート作成・編集"),
    ("export", "出力"),
    ("search", "事例検索"),
    ("meeting", "協議中の質問"),
    ("data", "資料・データ管理"),
    ("", "はじめに"),
]
QUERIES = [
    "夜間や休日の当番を医師会でどう回しているか",
    "退院する患者の情報を病院と診療所で共有する方法",
    "在宅医療の24時間体制を複数の診療所で支える",
    "介護施設と医療機関の連携の工夫",
    "医師の高齢化で輪番が組めない",
    "ICTを使った情報共有",
    "かかりつけ医機能報告の1号機能とは",
    "病院と診療所の役割分担をどう決めたか",
    "訪問看護ステーションとの連携",
    "休日夜間急患センターの運営",
    "患者への情報提供の工夫",
    "協議の場の進め方",
]


def settled(driver, t0: float, quiet: float = 0.3, limit: float = 30.0) -> float:
    """Seconds from ``t0`` to the last change of the page's text, once the app has stopped
    running and the text stayed the same for ``quiet`` seconds."""
    last_text, last_change = None, time.perf_counter()
    while time.perf_counter() - t0 < limit:
        text, running = driver.execute_script(
            "return [document.body.innerText,"
            " document.querySelectorAll(\"[data-testid='stStatusWidget']\").length]"
        )
        now = time.perf_counter()
        if text != last_text:
            last_text, last_change = text, now
        if not running and now - last_change >= quiet:
            return last_change - t0
        time.sleep(0.05)
    raise AssertionError("the page did not settle")


def title_shown(driver, title: str) -> bool:
    """Read in one script call: elements redrawn meanwhile cannot go stale."""
    script = "return Array.from(document.querySelectorAll('h1')).map(h => h.innerText.trim())"
    return title in driver.execute_script(script)


def switch(driver, path: str, title: str) -> tuple[float, float]:
    """Click the sidebar link; seconds until the page's title is shown, and until the page
    has settled (everything drawn)."""
    from selenium.webdriver.common.by import By

    css = (
        f"[data-testid='stSidebarNav'] a[href$='/{path}']"
        if path
        else ("[data-testid='stSidebarNav'] a")
    )
    link = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, css), f"link {title}")
    t0 = time.perf_counter()
    link.click()
    wait_for(driver, lambda d: title_shown(d, title), title)
    first = time.perf_counter() - t0
    return first, max(first, settled(driver, t0))


PASTE = """
const [box, text] = arguments;
Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(box, text);
box.dispatchEvent(new Event("input", {bubbles: true}));
"""
"""One input event with the whole query, as an IME commit or a paste gives (send_keys types
one character at a time, and a pause between two of them may search a partial query)."""


def results_shown(driver) -> bool:
    body = driver.execute_script("return document.body.innerText")
    return "件の事例・資料" in body or "見つかりませんでした" in body


def search(driver, query: str) -> tuple[float, float]:
    """Type ``query`` into a cleared box; seconds from the last key until the first results
    are shown, and until the page has settled."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, "input[aria-label^='質問や語句']")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    wait_for(driver, lambda d: not results_shown(d), "the cleared search")
    idle(driver)
    driver.execute_script(PASTE, box, query)  # as Japanese input arrives: a whole phrase
    t0 = time.perf_counter()
    while not results_shown(driver):
        time.sleep(0.02)
    first = time.perf_counter() - t0
    return first, max(first, settled(driver, t0))


def run(data_dir: Path, rounds: int) -> dict:
    switches: list[dict] = []
    searches: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(data_dir, data)
        with (
            app_server(data, ROOT / "corpus", Path(tmp) / "streamlit.log") as url,
            chromium(Path(tmp) / "downloads") as d,
        ):
            d.get(url)
            idle(d)
            for path, title in PAGES:  # warm-up: each page's first visit of the session
                switch(d, path, title)
            for r in range(rounds):
                for path, title in PAGES:
                    first, done = switch(d, path, title)
                    switches.append(
                        {"round": r, "page": title, "title_s": round(first, 3), "s": round(done, 3)}
                    )
                    print(
                        f"page {title:12} title {first:5.2f} s, settled {done:5.2f} s", flush=True
                    )
            switch(d, "search", "事例検索")
            for q in QUERIES * 2:
                first, s = search(d, q)
                searches.append({"query": q, "first_s": round(first, 3), "s": round(s, 3)})
                print(f"search first {first:5.2f} s, settled {s:5.2f} s  {q}", flush=True)
    page_s = [x["s"] for x in switches]
    title_s = [x["title_s"] for x in switches]
    search_s = [x["s"] for x in searches]
    return {
        "machine": describe(),
        "page_switches": switches,
        "searches": searches,
        "page_title_median_s": round(statistics.median(title_s), 2),
        "page_median_s": round(statistics.median(page_s), 2),
        "page_max_s": round(max(page_s), 2),
        "search_median_s": round(statistics.median(search_s), 2),
        "search_max_s": round(max(search_s), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    missing = missing_browser()
    if missing:
        sys.exit(f"ブラウザがありません: {', '.join(missing)}")
    print(describe())
    report = run(args.data_dir, args.rounds)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"page switch (title shown median {report['page_title_median_s']:.2f} s), settled: "
        f"median {report['page_median_s']:.2f} s, max {report['page_max_s']:.2f} s "
        f"(target ≤ {PAGE_TARGET_S} s); search after the last key: median "
        f"{report['search_median_s']:.2f} s, max {report['search_max_s']:.2f} s "
        f"(target ≤ {SEARCH_TARGET_S} s)"
    )
    print(f"at the end: {describe()}")


if __name__ == "__main__":
    main()
