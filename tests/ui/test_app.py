"""The Streamlit app driven headless with AppTest: every page, on the real index and sample data."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from facilitator.export import to_xlsx
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.sheets.model import SheetStatus
from facilitator.sheets.store import SheetStore
from facilitator.ui.components import exports
from tests.support.app_fixtures import PAGES, open_page, point_app_at, texts
from tests.support.example_sheet import example_sheet

pytestmark = pytest.mark.slow  # every test uses the real index built by the session fixture


def saved_example(settings: Settings, status: SheetStatus = SheetStatus.review):
    return SheetStore(settings).save(example_sheet(status))


# --- はじめに -------------------------------------------------------------------------------


def test_the_app_opens_on_the_workflow_and_the_state_of_each_area(app_env: Settings) -> None:
    SheetStore(app_env).save(example_sheet(SheetStatus.review))  # 北部圏域 在宅医療
    at = open_page()  # the default page
    assert at.title[0].value == "はじめに"
    steps = [m.value for m in at.markdown if m.value.startswith("**")]
    assert steps[:5] == [
        "**① 地域の現状を見る**",
        "**② 下書きを作る**",
        "**③ 編集する**",
        "**④ 協議の場で使う**",
        "**⑤ 出力する**",
    ]
    table = at.dataframe[0].value.set_index("地域")
    assert list(table.columns) == [
        "1号機能",
        "時間外診療",
        "入退院支援",
        "在宅医療",
        "医療介護連携",
    ]
    assert "北部医療圏" in table.index  # the sample's 二次医療圏 are listed, sheet or not
    assert table.loc["北部圏域", "在宅医療"] == "事務局確認・版1"
    assert (table == "—").to_numpy().sum() == table.size - 1


# --- 地域の現状 ------------------------------------------------------------------------------


def test_area_page_shows_synthetic_banner_charts_and_findings(app_env: Settings) -> None:
    at = open_page("area")
    assert at.title[0].value.endswith("地域の現状")
    assert any("架空データ" in w.value for w in at.warning)
    at.selectbox(key="area_sec_99").set_value(None)  # keep prefecture level, then narrow down
    at.selectbox(key="area_theme").set_value("zaitaku").run()
    at.selectbox(key="area_sec_99").select_index(2).run()  # 北部医療圏
    body = texts(at)
    assert "北部医療圏の在宅医療の機能（2号機能ハ）を有する医療機関" in body
    assert "根拠: 2026年報告" in body and "N=" in body  # provenance under each finding
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    titles = [json.loads(c.proto.spec)["title"] for c in charts]
    assert [t["text"] for t in titles] == [
        "在宅医療（2号機能ハ）の有無",
        "医療機関数（65歳以上人口1万人当たり）",
        "在宅医療（2号機能ハ）の有無",
    ]
    assert titles[0]["subtitle"].startswith("1号機能を有する医療機関に占める割合（%）")
    assert "N<5 の市町村は参考値です（割合が大きく振れます）" in body  # the sample's 村 have N<5
    assert [m.label for m in at.metric][:2] == ["報告した医療機関", "病院"]
    table = at.dataframe[0].value.set_index("指標")  # in the expander 指標の一覧
    assert table.loc["在宅医療（2号機能ハ）有りの割合", ["値", "分母", "N"]].tolist() == [
        "41.5%",
        "1号機能を有する医療機関",
        53,
    ]
    assert table.loc["在宅医療（2号機能ハ）有りの医療機関数", "県全体"] == "277施設"


def test_area_page_offers_the_sample_when_no_report_data(
    app_data: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_app_at(monkeypatch, Settings(data_dir=tmp_path / "empty", corpus_dir=app_data.corpus_dir))
    at = open_page("area")
    assert "報告データがまだ取り込まれていません" in texts(at)
    at.button(key="area_load_sample").click().run()
    assert not at.exception
    assert any("架空データ" in w.value for w in at.warning)


def test_one_click_from_the_area_page_drafts_the_sheet_and_opens_it(app_env: Settings) -> None:
    at = open_page("area")
    at.selectbox(key="area_theme").set_value("jikangai").run()
    at.selectbox(key="area_sec_99").select_index(1).run()
    assert not [b for b in at.button if b.key == "area_open_sheet"]  # nothing made yet
    at.button(key="area_to_sheet").click().run()
    assert not at.exception
    assert at.title[0].value.endswith("課題シート作成・編集")
    (made,) = SheetStore(app_env).list()
    assert made.area_name == "中央医療圏" and made.theme == "jikangai"
    assert at.session_state["sheet_work"].sheet_id == made.sheet_id  # open in the editor
    assert any("下書き" in s.value and "を作成しました" in s.value for s in at.success)
    history = SheetStore(app_env).history(made.sheet_id)
    assert history[0].message == "下書き（オフライン作成）"  # no English mode name
    # back on the area page the sheet already made is offered first
    at.switch_page(PAGES["area"]).run()
    at.selectbox(key="area_theme").set_value("jikangai").run()
    at.selectbox(key="area_sec_99").select_index(1).run()
    opened = at.button(key="area_open_sheet")
    assert "版1" in opened.label and opened.proto.type == "primary"
    opened.click().run()
    assert at.title[0].value.endswith("課題シート作成・編集")
    assert len(SheetStore(app_env).list()) == 1


# --- 事例検索 --------------------------------------------------------------------------------

PASSAGE_HEAD = re.compile(r":material/location_on: \*\*(.*?)\*\* <small>（(.*?)）</small>")
NOTE = re.compile(r"<div class='hit-note'>(.*?)</div>")


def shown_text(markdown: str) -> str:
    """Escaped Markdown or HTML text as the reader sees it."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))


def result_blocks(at) -> list[str]:
    """The blocks of the search results' Markdown (title, note, passage head, passage text)."""
    return [b for m in at.markdown for b in m.value.split("\n\n")]


def passage_heads(at) -> list[tuple[str, str]]:
    """(locator, document) of each passage shown."""
    return [
        (shown_text(m.group(1)), shown_text(m.group(2)))
        for b in result_blocks(at)
        if (m := PASSAGE_HEAD.fullmatch(b))
    ]


def notes(at) -> list[str]:
    """The small grey lines of the results: 分類・所在地・タグ, 同じ内容: …"""
    return [shown_text(n) for m in at.markdown for n in NOTE.findall(m.value)]


def test_search_finds_kashiwa_case_with_highlight_and_locator(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("柏市の医師会").run()
    body = texts(at)
    assert "#### 事例17" in body
    assert any(where.startswith("事例17") for where, _doc in passage_heads(at))
    assert "<mark>" in body
    assert not any("見つかりませんでした" in w.value for w in at.warning)


def test_search_shows_an_example_sheet_repeated_in_another_document_once(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("夜間の輪番が組めない地域で何をしている？").run()
    same = [n for n in notes(at) if n.startswith("同じ内容: ")]
    assert same, "the guideline's 時間外 example sheet is repeated in the 新居浜・西条 material"
    shown = passage_heads(at)
    assert shown
    for line in same:
        for where in line.removeprefix("同じ内容: ").split("、"):
            assert not any(f"{doc} {locator}" == where for locator, doc in shown)


def test_search_says_so_when_no_precedent_matches(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("確定申告の期限はいつ？").run()
    assert any("当てはまる先行事例は見つかりませんでした" in w.value for w in at.warning)
    assert any(e.label.startswith("参考：一致度の低い箇所") for e in at.expander)
    assert "詳細" in [e.label for e in at.expander]  # scores and ids only behind 詳細


def test_search_filters_keep_only_matching_cases(app_env: Settings) -> None:
    at = open_page("search")
    at.selectbox(key="search_category").set_value("病院")
    at.text_input(key="search_query").input("在宅医療の後方支援").run()
    cases = [b for b in result_blocks(at) if b.startswith("#### 事例")]
    assert cases
    categories = [
        n.split("・")[0]
        for n in notes(at)
        if n.split("・")[0] in ("診療所", "病院", "地域の連携", "参考事例")
    ]
    assert len(categories) == len(cases) and set(categories) == {"病院"}


def test_search_full_case_view_and_similar_cases(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("柏市の医師会").run()
    at.button(key="hit0_full").click().run()
    body = texts(at)
    assert ":material/menu_book: 事例17" in body
    assert "3. 取組の詳細" in body  # every section of the case, not just the hit
    at.button(key="case_close").click().run()
    at.button(key="hit0_similar").click().run()
    body = texts(at)
    assert "に似た事例" in body and "共通の注目タグ" in body
    assert at.button(key="sim0_full") is not None


def test_side_panels_close_on_a_new_search_and_on_another_page(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("柏市の医師会").run()
    at.button(key="hit0_full").click().run()
    assert ":material/menu_book: 事例17" in texts(at)
    at.text_input(key="search_query").input("医師の高齢化で当番が組めない").run()
    assert ":material/menu_book: 事例17" not in texts(at)  # not the answer to this search
    at.text_input(key="search_query").input("柏市の医師会").run()
    assert ":material/menu_book: 事例17" not in texts(at)  # closed means closed
    at.button(key="hit0_similar").click().run()
    assert "に似た事例" in texts(at)
    at.switch_page(PAGES["meeting"]).run()
    assert "に似た事例" not in texts(at) and not [b for b in at.button if b.key == "case_close"]
    at.switch_page(PAGES["search"]).run()
    assert "に似た事例" not in texts(at)  # coming back does not bring it back


def test_recent_searches_come_back_with_one_click(app_env: Settings) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("柏市の医師会").run()
    assert not at.pills  # nothing earlier yet
    at.text_input(key="search_query").input("医師の高齢化で当番が組めない").run()
    (recent,) = at.pills
    assert recent.label == "最近の検索" and list(recent.options) == ["柏市の医師会"]
    recent.set_value("柏市の医師会").run()
    assert at.text_input(key="search_query").value == "柏市の医師会"
    assert "#### 事例17" in texts(at)
    assert list(at.pills[0].options) == ["医師の高齢化で当番が組めない"]


# --- 資料・データ管理 ------------------------------------------------------------------------


def test_data_page_lists_documents_and_index_state(app_env: Settings) -> None:
    at = open_page("data")
    docs = at.dataframe[0].value
    assert any(s.value == f"検索インデックスは最新です（資料{len(docs)}件）。" for s in at.success)
    # rebuilding is not needed then: a quiet button behind 詳細, the index id only there
    rebuild = at.button(key="data_reindex")
    assert rebuild.proto.type != "primary"
    assert not any(re.search(r"[0-9a-f]{8}", s.value) for s in at.success)  # no index hash
    assert "かかりつけ医機能に関する事例集" in set(docs["題名"])
    assert set(docs["区分"]) == {"同梱"}


def test_bad_csv_upload_shows_row_and_column_and_keeps_data(app_env: Settings) -> None:
    sample = app_env.data_dir / "sample_reports" / "架空データ_市町村表.csv"
    lines = sample.read_text("utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",420400,", ",abc,").replace(",96100,", ",abc,")
    bad = "\n".join(lines).encode("utf-8-sig")
    at = open_page("data")
    at.file_uploader(key="data_report_files").set_value(("市町村表_誤り.csv", bad, "text/csv"))
    at.form_submit_button[1].click().run()
    assert any("取り込みませんでした" in e.value for e in at.error)
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert (row["ファイル"], row["行"], row["列"], row["値"]) == (
        "市町村表_誤り.csv",
        4,
        "人口",
        "abc",
    )
    assert "架空データ" in set(at.dataframe[-1].value["区分"])  # earlier data still there


def test_load_sample_button_reports_already_loaded(app_env: Settings) -> None:
    at = open_page("data")
    at.button(key="data_load_sample").click().run()
    assert any("取り込み済み" in s.value for s in at.success)


def test_bad_document_upload_shows_japanese_error_and_saves_nothing(app_env: Settings) -> None:
    at = open_page("data")
    at.file_uploader(key="data_doc_files").set_value(
        ("壊れた資料.pdf", b"not a pdf", "application/pdf")
    )
    at.form_submit_button[0].click().run()
    assert at.error and "壊れた資料.pdf" in at.error[0].value
    assert not (app_env.uploads_dir / "壊れた資料.pdf").exists()


# --- 課題シート（編集・版・競合） -------------------------------------------------------------


def _editor_key(at, field: str) -> str:
    return f"ed{at.session_state['sheet_nonce']}_{field}"


def test_sheet_page_edits_fields_measures_roles_and_citations(app_env: Settings) -> None:
    sheet = saved_example(app_env)
    at = open_page("sheet")
    assert _picker(at).value == sheet.sheet_id
    assert "根拠と先行事例" in texts(at)
    at.text_input(key=_editor_key(at, "title")).input("北部圏域の在宅医療（第1回）")
    at.text_area(key=_editor_key(at, "issue")).input("夜間の往診を担う診療所が少ない")
    # statements are full-width text areas: nothing is cut off, a blank one adds a statement
    first = sheet.current_state[0].text
    assert at.text_area(key=_editor_key(at, "current_state_0")).value == first
    at.checkbox(key=_editor_key(at, "measures_0_ok")).uncheck()
    at.session_state[_editor_key(at, "roles")] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [{"measure": "2", "actor": "北部郡市医師会", "action": "輪番表を作る"}],
    }
    at.session_state[_editor_key(at, "cites")] = {
        "edited_rows": {0: {"accepted": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    added = f"causes_{len(sheet.causes)}"
    at.text_area(key=_editor_key(at, added)).input("夜間に相談できる先を知らない")
    at.text_input(key=_editor_key(at, f"{added}_vp")).input("住民")
    # emptying an effect's text removes it
    at.text_area(key=_editor_key(at, "effects_0")).input("")
    at.text_input(key=_editor_key(at, "message")).input("題名と課題を修正")
    _submit(at)
    assert not at.exception
    assert any("版2として保存しました" in s.value for s in at.success)
    # the issue cited a passage: the editor says so, as the Excel import does
    assert any("課題: 本文を変更しました" in w.value for w in at.warning)
    saved = SheetStore(app_env).get(sheet.sheet_id)
    assert saved.version == 2 and saved.title == "北部圏域の在宅医療（第1回）"
    assert saved.issue.text == "夜間の往診を担う診療所が少ない"
    assert saved.issue.citations == sheet.issue.citations  # text edited, backing kept
    assert saved.measures[0].accepted is False
    assert any(r.actor == "北部郡市医師会" for r in saved.measures[1].roles)
    assert saved.all_citations()[0].accepted is False
    assert saved.causes[-1].viewpoint == "住民" and saved.causes[-1].unbacked
    assert saved.causes[-1].text == "夜間に相談できる先を知らない"
    assert len(saved.causes) == len(sheet.causes) + 1
    assert [e.text for e in saved.effects] == [e.text for e in sheet.effects[1:]]
    assert saved.current_state[0].text == first
    assert saved.current_state[0].citations == sheet.current_state[0].citations
    assert SheetStore(app_env).history(sheet.sheet_id)[-1].message == "題名と課題を修正"


def _picker(at):
    return next(s for s in at.selectbox if s.label == "編集するシート")


def _submit(at) -> None:
    next(b for b in at.form_submit_button if b.label == "保存").click().run()


def test_stale_save_shows_conflict_and_keeps_both_versions(app_env: Settings) -> None:
    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    at = open_page("sheet")
    theirs = store.save(store.get(sheet.sheet_id).model_copy(update={"title": "他の人の題名"}))
    at.text_input(key=_editor_key(at, "title")).input("私の題名")
    _submit(at)
    assert any("他の人が先に版2を保存しています" in e.value for e in at.error)
    codes = [c.value for c in at.code]
    assert any("# 私の題名" in c for c in codes) and any("# 他の人の題名" in c for c in codes)
    assert store.get(sheet.sheet_id).title == theirs.title  # nothing overwritten
    at.button(key="conflict_keep").click().run()
    assert at.text_input(key=_editor_key(at, "title")).value == "私の題名"
    _submit(at)
    latest = store.get(sheet.sheet_id)
    assert (latest.version, latest.title) == (3, "私の題名")
    assert store.get(sheet.sheet_id, 2).title == "他の人の題名"


def test_a_logged_in_editor_is_the_author_of_what_they_save(app_env: Settings) -> None:
    from facilitator.auth.audit import read

    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    at = open_page("sheet")
    at.session_state["user_name"] = "山田"  # as a login sets it
    at.run()
    at.text_input(key=_editor_key(at, "title")).input("山田の題名")
    _submit(at)
    history = store.history(sheet.sheet_id)
    assert history[-1].author == "山田"
    assert (read(app_env)[0].action, read(app_env)[0].actor) == ("sheet_save", "山田")


def test_conflict_reload_takes_the_newest_version(app_env: Settings) -> None:
    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    at = open_page("sheet")
    store.save(store.get(sheet.sheet_id).model_copy(update={"title": "他の人の題名"}))
    at.text_input(key=_editor_key(at, "title")).input("私の題名")
    _submit(at)
    at.button(key="conflict_reload").click().run()
    assert not at.error
    assert at.text_input(key=_editor_key(at, "title")).value == "他の人の題名"
    assert store.get(sheet.sheet_id).version == 2


def test_history_diff_and_restore(app_env: Settings) -> None:
    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    store.save(sheet.model_copy(update={"title": "第2版の題名"}), author="佐藤", message="題名")
    at = open_page("sheet")
    history = next(d.value for d in at.dataframe if "版" in d.value.columns)
    assert list(history["版"]) == [1, 2] and history.iloc[1]["保存者"] == "佐藤"
    # the change is shown per field, side by side, the new title marked as added
    assert "**題名**" in [m.value for m in at.markdown]
    sides = [h.proto.body for h in at.get("html")]
    assert any("版2" in h and "第2版の題名</span>" in h for h in sides)
    assert not at.code or not any(c.language == "diff" for c in at.code)
    at.selectbox(key="hist_restore_version").set_value(1)
    at.button(key="hist_restore").click().run()
    latest = store.get(sheet.sheet_id)
    assert latest.version == 3 and latest.title == sheet.title
    assert any("版1の内容を版3として復元しました" in s.value for s in at.success)


def test_restore_after_someone_else_saved_shows_the_conflict(app_env: Settings) -> None:
    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    store.save(sheet.model_copy(update={"title": "第2版の題名"}), author="佐藤", message="題名")
    at = open_page("sheet")  # the history shows versions 1 and 2 …
    latest = store.get(sheet.sheet_id)
    store.save(latest.model_copy(update={"title": "他の人の題名"}), author="鈴木")  # … 鈴木 saves 3
    at.selectbox(key="hist_restore_version").set_value(1)
    at.button(key="hist_restore").click().run()
    assert store.get(sheet.sheet_id).title == "他の人の題名"  # not superseded
    assert len(store.history(sheet.sheet_id)) == 3
    assert any(
        "他の人が先に版3を保存しています（あなたの編集元は版2）" in e.value for e in at.error
    )
    assert not any("復元しました" in s.value for s in at.success)


def test_precedent_panel_opens_the_full_case(app_env: Settings) -> None:
    saved_example(app_env)
    at = open_page("sheet")
    buttons = [b for b in at.button if (b.key or "").startswith("prec") and b.key.endswith("_full")]
    assert buttons, "a cited case offers its full text"
    buttons[0].click().run()
    assert ":material/menu_book: 事例" in texts(at)


# --- 出力 ------------------------------------------------------------------------------------


def test_export_page_offers_every_download(app_env: Settings) -> None:
    saved_example(app_env, SheetStatus.submitted)
    at = open_page("export")
    labels = [b.label for b in at.download_button]
    assert labels[:4] == ["Excel（課題管理シート）", "Word", "Markdown", "JSON"]
    assert labels.count("Excel") == 2 and labels.count("Word") == 3  # public summary, agenda
    assert "協議の結果の公表シート" in texts(at)


def test_print_view_shows_each_chosen_sheet_on_its_own_page(app_env: Settings) -> None:
    from facilitator.ui.components.widgets import PRINT_BREAK

    first = saved_example(app_env, SheetStatus.submitted)
    second = SheetStore(app_env).save(
        example_sheet().model_copy(update={"sheet_id": "sh-example02", "title": "二枚目のシート"})
    )
    at = open_page("export")
    picker = next(m for m in at.multiselect if m.label == "出力するシート")
    picker.set_value([first.sheet_id, second.sheet_id]).run()
    shown = [m.value for m in at.markdown]
    assert sum(v == PRINT_BREAK for v in shown) == 1  # one page break between two sheets
    assert any("《課題管理シート》" in v and "二枚目のシート" in v for v in shown)
    assert not any(first.sheet_id in v or "sh-example02" in v for v in shown)


def test_agenda_tab_offers_the_summary_and_says_a_review_copy_is_marked(
    app_env: Settings,
) -> None:
    saved_example(app_env)  # 事務局確認: not yet submitted to the council
    at = open_page("export")
    assert any("確認用・未確定" in i.value for i in at.info)
    assert "資料1 要約" not in texts(at)
    at.checkbox(key="ag_summary").check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "資料1 要約" in texts(at)


def test_public_summary_needs_a_submitted_sheet(app_env: Settings) -> None:
    saved_example(app_env, SheetStatus.draft)
    at = open_page("export")
    assert any("公表用の要約は" in w.value for w in at.warning)
    at.toggle(key="pub_force").set_value(True).run()
    assert len([b for b in at.download_button if b.label == "Word"]) == 3


def test_export_files_are_real_workbooks(app_env: Settings) -> None:
    sheet = saved_example(app_env)
    files = exports.sheet_files([sheet])
    data, name, _mime = files["Excel（課題管理シート）"]
    wb = load_workbook(io.BytesIO(data()))
    assert name.endswith(".xlsx") and "出典" in wb.sheetnames
    assert files["JSON"][0].startswith("{")


def test_import_edited_workbook_as_new_version(app_env: Settings, tmp_path: Path) -> None:
    sheet = saved_example(app_env)
    path = to_xlsx([sheet], tmp_path / "課題管理シート.xlsx")
    at = open_page("export")
    at.file_uploader(key="import_file").set_value(
        ("課題管理シート.xlsx", path.read_bytes(), exports.XLSX)
    )
    next(b for b in at.form_submit_button if b.label == "取り込む").click().run()
    # the example's citations point at chunks this index does not have: an import checks
    # every citation again and says so, instead of trusting the workbook's 「確認済」
    assert any("版2として取り込みました" in s.value for s in at.success)
    assert any("資料と照合できませんでした" in w.value for w in at.warning)


def test_after_an_import_the_editor_continues_from_the_imported_version(
    app_env: Settings, tmp_path: Path
) -> None:
    sheet = saved_example(app_env)
    at = open_page("sheet")  # the editor holds 版1
    path = to_xlsx([sheet], tmp_path / "課題管理シート.xlsx")
    at.switch_page(PAGES["export"]).run()
    at.file_uploader(key="import_file").set_value(
        ("課題管理シート.xlsx", path.read_bytes(), exports.XLSX)
    )
    next(b for b in at.form_submit_button if b.label == "取り込む").click().run()
    assert any("取り込んだ版2を開いています" in i.value for i in at.info)
    at.switch_page(PAGES["sheet"]).run()
    assert at.session_state["sheet_work"].version == 2  # the editor holds the import
    at.text_input(key=_editor_key(at, "message")).input("取り込み後の編集")
    _submit(at)
    assert any("版3として保存しました" in s.value for s in at.success)
    assert not at.error


def test_a_conflict_with_ones_own_import_is_named_and_loading_it_is_the_safe_choice(
    app_env: Settings, tmp_path: Path
) -> None:
    from facilitator.export import import_xlsx
    from facilitator.export.xlsx import COL
    from tests.export.builders import rows_by_key

    store = SheetStore(app_env)
    sheet = saved_example(app_env)
    at = open_page("sheet")  # the editor holds 版1 …
    path = to_xlsx([sheet], tmp_path / "課題管理シート.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["internal_notes"], COL["text"]).value = "Excelで追記したメモ"
    wb.save(path)
    import_xlsx(path, store)  # … and 版2 is imported aside
    at.text_input(key=_editor_key(at, "message")).input("古い版からの編集")
    _submit(at)
    assert store.get(sheet.sheet_id).version == 2  # nothing superseded
    assert any("あなたが Excel から取り込んだ版です" in w.value for w in at.warning)
    reload = at.button(key="conflict_reload")
    assert reload.proto.type == "primary" and at.button(key="conflict_keep").proto.type != "primary"
    reload.click().run()
    assert at.text_area(key=_editor_key(at, "notes")).value == "Excelで追記したメモ"


def test_import_unreadable_workbook_lists_the_problem(app_env: Settings) -> None:
    saved_example(app_env)
    at = open_page("export")
    at.file_uploader(key="import_file").set_value(
        ("壊れた.xlsx", b"PK\x03\x04broken", exports.XLSX)
    )
    next(b for b in at.form_submit_button if b.label == "取り込む").click().run()
    assert any("壊れた.xlsx" in e.value for e in at.error)
    assert SheetStore(app_env).get("sh-example01").version == 1


# --- 初回起動 --------------------------------------------------------------------------------


def test_fresh_data_dir_builds_the_index_from_a_button(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text(
        "地域の夜間診療について\n\n夜間の輪番制を医師会が調整し、休日当番医と連携している。\n",
        "utf-8",
    )
    (corpus / "manifest.json").write_text(
        '{"documents": [{"doc_id": "note", "title": "小さな資料", "kind": "local", '
        '"path": "note.txt", "parser": "generic"}]}',
        "utf-8",
    )
    point_app_at(monkeypatch, Settings(data_dir=tmp_path / "data", corpus_dir=corpus))
    at = open_page("search")
    assert any("検索インデックスがまだありません" in w.value for w in at.warning)
    at.button(key="build_index_missing").click().run()
    assert not at.exception
    assert any("索引を作成しました" in s.value for s in at.success)
    at.text_input(key="search_query").input("夜間の輪番").run()
    assert "小さな資料" in texts(at)


def test_every_page_runs_without_error(app_env: Settings) -> None:
    at = open_page()
    for page in PAGES.values():
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title, page
    assert Path(PROJECT_ROOT / "app.py").exists()


# --- 下書き ----------------------------------------------------------------------------------


def test_drafting_creates_a_saved_sheet_with_citations(app_env: Settings) -> None:
    at = open_page("sheet")
    assert "LLM: なし（オフライン作成" in texts(at)  # the active mode is always visible
    at.selectbox(key="draft_sec_99").select_index(2).run()  # 北部医療圏
    at.selectbox(key="draft_theme").set_value("zaitaku")
    at.text_area(key="draft_issue").input("24時間の在宅医療を担う医療機関がない町村がある")
    at.button(key="draft_create").click().run()
    assert not at.exception
    assert any("を作成しました（版1）" in s.value for s in at.success)
    sheets = SheetStore(app_env).list()
    assert len(sheets) == 1 and sheets[0].area_name == "北部医療圏"
    assert _picker(at).value == sheets[0].sheet_id
    body = texts(at)
    assert "編集元: 版1" in body and "作成: オフライン作成" in body
    assert "数値の根拠（報告データ）" in body and "<mark>" in body
    sheet = SheetStore(app_env).get(sheets[0].sheet_id)
    assert sheet.all_citations() and all(c.verified for c in sheet.all_citations())


def test_llm_mode_is_shown_and_an_unreachable_llm_falls_back(
    app_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACILITATOR_LLM_MODEL", "openai:test-model")
    monkeypatch.setenv("FACILITATOR_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens
    at = open_page("sheet")
    assert "LLM: openai:test-model @ http://127.0.0.1:9/v1" in texts(at)
    at.toggle(key="draft_llm").set_value(True)
    at.button(key="draft_create").click().run()
    assert not at.exception
    assert "作成: オフライン作成（LLMの下書きが使えなかったため）" in texts(at)
    assert any("LLM" in i.value for i in at.info)  # the fallback is said, not hidden


# --- 協議中の質問 ----------------------------------------------------------------------------


def test_meeting_chat_keeps_context_and_citations_across_questions(app_env: Settings) -> None:
    at = open_page("area")
    at.selectbox(key="area_sec_99").select_index(2).run()  # 北部医療圏 becomes the context
    at.switch_page(PAGES["meeting"]).run()
    at.selectbox(key="chat_theme").set_value("jikangai").run()
    at.chat_input(key="chat_question").set_value("夜間の輪番が組めない地域で何をしている？").run()
    first = [m.value for m in at.markdown]
    assert any(v.startswith("近い取組が") for v in first)  # the answer names the cases
    assert any(":material/location_on:" in v and "<mark>" in v for v in first)
    at.switch_page(PAGES["search"]).run()  # leave and come back: the conversation stays
    at.switch_page(PAGES["meeting"]).run()
    assert at.selectbox(key="chat_theme").value == "jikangai"
    at.chat_input(key="chat_question").set_value("医師会はどう関わっている？").run()
    conditions = [c.value for c in at.caption if c.value.startswith("条件: ")]
    assert conditions == ["条件: 地域: 北部医療圏・テーマ: 時間外診療（2号機能イ）"] * 2
    turns = at.session_state["chat"]["turns"]
    assert len(turns) == 2 and all(t["answer"].citations for t in turns)
    assert sum(v.startswith("引用: ") for v in (c.value for c in at.caption)) == 2


def test_meeting_chat_says_when_nothing_answers(app_env: Settings) -> None:
    at = open_page("meeting")
    at.chat_input(key="chat_question").set_value("確定申告の期限はいつ？").run()
    assert any("この質問に答える記述が見つかりませんでした" in w.value for w in at.warning)
    assert not [m for m in at.markdown if m.value.startswith("近い取組が")]


def test_meeting_chat_lists_the_steps_under_their_document_once(app_env: Settings) -> None:
    at = open_page("meeting")
    at.chat_input(key="chat_question").set_value("協議の場はどういう順番で進めればいい？").run()
    (steps,) = [m.value for m in at.markdown if "「① " in m.value]
    assert steps.count("**") == 2  # one bold label over the seven quotes
    assert [line.strip()[:4] for line in steps.splitlines()[2:]] == [f"- 「{n}" for n in "①②③④⑤⑥"]
    (cited,) = [c.value for c in at.caption if c.value.startswith("引用: ")]
    assert "／" not in cited  # one place, named once


def test_meeting_new_conversation_clears_turns_and_filters(app_env: Settings) -> None:
    at = open_page("meeting")
    at.selectbox(key="chat_tag").set_value("在宅医療").run()
    at.chat_input(key="chat_question").set_value("看取りの体制").run()
    at.button(key="chat_new").click().run()
    assert at.session_state["chat"]["turns"] == []
    assert at.selectbox(key="chat_tag").value is None


def test_a_damaged_pdf_is_named_by_its_file_in_japanese(app_env: Settings) -> None:
    at = open_page("data")
    at.file_uploader(key="data_doc_files").set_value(
        ("資料.pdf", b"%PDF-1.4 broken", "application/pdf")
    )
    at.form_submit_button[0].click().run()
    errors = " ".join(e.value for e in at.error)
    assert "資料.pdf" in errors and "PDFを読み込めません" in errors
    assert "/tmp" not in errors and "facilitator-upload" not in errors and "Error" not in errors


def test_add_search_and_remove_a_user_document(app_env: Settings) -> None:
    text = (
        "離島の夜間救急について\n\n汐見島では島内の診療所と本土の病院がオンラインで夜間の相談を"
        "受け、ヘリ搬送の判断を共有している。\n"
    ).encode()
    at = open_page("data")
    at.file_uploader(key="data_doc_files").set_value(("離島の取組.txt", text, "text/plain"))
    at.text_input(key="data_doc_title").input("離島の夜間救急メモ")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert any("追加しました: 離島の夜間救急メモ" in s.value for s in at.success)
    docs = next(d.value for d in at.dataframe if "題名" in d.value.columns)
    assert "追加" in set(docs["区分"])
    at.switch_page(PAGES["search"]).run()
    at.text_input(key="search_query").input("汐見島のヘリ搬送").run()
    assert "離島の夜間救急メモ" in texts(at)
    at.switch_page(PAGES["data"]).run()
    assert at.selectbox(key="data_remove_id").options == ["離島の夜間救急メモ（離島の取組.txt）"]
    at.button(key="data_remove").click().run()
    assert any("を削除しました" in s.value for s in at.success)
    assert not any(app_env.uploads_dir.glob("*.txt"))
