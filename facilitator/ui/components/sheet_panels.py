"""Panels around the sheet editor: drafting, precedents, version history and conflicts."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from facilitator.drafting.context import DraftRequest
from facilitator.errors import FacilitatorError
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings
from facilitator.sheets.compare import Span, char_diff, field_changes
from facilitator.sheets.model import IssueSheet, field_label
from facilitator.sheets.store import SheetStore
from facilitator.text import japanese_time, md_escape
from facilitator.ui.components import sheet_state
from facilitator.ui.components.areas import area_picker, theme_picker
from facilitator.ui.components.common import (
    current_user,
    flash,
    index_builder,
    llm_configured,
    show_error,
)
from facilitator.ui.components.sheet_text import sheet_markdown
from facilitator.ui.components.widgets import CASE_VIEW, case_panel, excerpt, highlight, open_case

CONFLICT_HEIGHT = 480


def draft_form(settings: Settings, searcher: Searcher | None, store: SheetStore) -> None:
    """Pick area and theme, optionally say the problem, and draft a new sheet."""

    try:
        area = area_picker("draft", settings)
    except FacilitatorError as exc:
        show_error(exc)
        return
    if area is None:
        st.info(
            "報告データがないため地域を選べません。「資料・データ管理」で取り込むか架空データを読み込んでください。"
        )
        return
    c = st.columns([2, 1])
    theme = theme_picker("draft_theme", container=c[0])
    use_llm = c[1].toggle(
        "LLMで下書き",
        key="draft_llm",
        disabled=not llm_configured(),
        help="LLM が設定されていないときはオフライン作成（資料からの組み立て）です。",
    )
    issue = st.text_area(
        "課題（任意・わかっていれば）",
        key="draft_issue",
        placeholder="例: 夜間・休日の往診を担う診療所が足りない",
    )
    if searcher is None:
        st.warning("下書きには検索インデックスが必要です。")
        index_builder(key="draft_build_index")
        return
    if not st.button(
        "下書きを作成", key="draft_create", type="primary", icon=":material/auto_awesome:"
    ):
        return
    request = DraftRequest(
        area=area.code, theme=theme, issue_text=issue.strip() or None, year=None, use_llm=use_llm
    )
    if create_draft(request, settings, searcher, store):
        st.session_state[sheet_state.DRAFTED] = True
        st.rerun()


def create_draft(
    request: DraftRequest, settings: Settings, searcher: Searcher, store: SheetStore
) -> bool:
    """Draft and save a sheet, showing each step while it runs; the new sheet becomes the
    editor's working copy. False (with the reason shown) when it could not be drafted."""
    from facilitator.drafting.draft import draft_sheet

    with st.status("下書きを作成しています…", expanded=True) as status:
        try:
            result = draft_sheet(
                request, settings, searcher=searcher, store=store, save=True, progress=status.write
            )
        except FacilitatorError as exc:
            status.update(label="下書きを作成できませんでした", state="error")
            show_error(exc)
            return False
        status.update(label="下書きができました", state="complete", expanded=False)
    sheet_state.load(result.sheet, pick=True)
    flash("success", f"下書き「{result.sheet.title}」を作成しました（版{result.sheet.version}）。")
    for m in result.messages:
        flash("info", m)
    return True


IMPORT_MESSAGE = "Excel から取り込み"
"""How an Excel import's version message starts (facilitator.export.xlsx_import)."""


def _imported_by(store: SheetStore, sheet: IssueSheet) -> str | None:
    """Who imported ``sheet`` from Excel ("" when nobody was logged in); None if it was not
    an import."""
    info = next((v for v in store.history(sheet.sheet_id) if v.version == sheet.version), None)
    if info is None or not info.message.startswith(IMPORT_MESSAGE):
        return None
    return info.author


def conflict_view(store: SheetStore) -> None:
    """Both versions side by side; reload theirs or keep editing mine.

    When the newer version is an Excel import by the same person (or with login off, any
    import), it is named as such and loading it is the highlighted, safe choice: the
    import already holds that person's edits.
    """
    pair = sheet_state.conflict()
    if not pair:
        return
    mine, theirs = pair
    importer = _imported_by(store, theirs)
    own_import = importer is not None and importer == (current_user() or importer)
    if own_import:
        st.warning(
            f"版{theirs.version}は、あなたが Excel から取り込んだ版です。編集画面はその前の"
            f"版{mine.version}のままでした。取り込んだ版を読み込んで続けてください。",
            icon=":material/upload_file:",
        )
    else:
        who = f"（{importer or '記名なし'}が Excel から取り込み）" if importer is not None else ""
        st.error(
            f"保存できませんでした：他の人が先に版{theirs.version}を保存しています{who}（あなたの"
            f"編集元は版{mine.version}）。両方を見比べて、どちらで続けるか選んでください。",
            icon=":material/warning:",
        )
    c = st.columns(2)
    c[0].button(
        "取り込んだ版を読み込む（この画面の編集は破棄）"
        if own_import
        else "最新版を読み込む（自分の編集を破棄）",
        key="conflict_reload",
        on_click=sheet_state.reload_theirs,
        type="primary" if own_import else "secondary",
        icon=":material/refresh:",
    )
    c[1].button(
        "自分の編集を続ける",
        key="conflict_keep",
        on_click=sheet_state.keep_mine,
        type="secondary" if own_import else "primary",
        icon=":material/edit:",
    )
    with st.expander("違い", expanded=True):
        version_changes(theirs, mine, f"版{theirs.version}（保存済みの最新版）", "あなたの編集")
    left, right = st.columns(2)
    left.markdown(f"#### あなたの編集（版{mine.version}を元に編集）")
    left.code(sheet_markdown(mine), language=None, wrap_lines=True, height=CONFLICT_HEIGHT)
    right.markdown(f"#### 保存済みの最新版（版{theirs.version}）")
    right.code(sheet_markdown(theirs), language=None, wrap_lines=True, height=CONFLICT_HEIGHT)


DELETED = "background:#fde2e1;text-decoration:line-through;"
INSERTED = "background:#d7f3d0;text-decoration:underline;"
SIDE = (
    "white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.7;padding:.4rem .6rem;"
    "border:1px solid #ddd;border-radius:.3rem;min-height:2.2rem;"
)


def _side_html(spans: list[Span], style: str) -> str:
    """One side of a change; user text is escaped, never markup."""
    body = "".join(
        html.escape(sp.text)
        if sp.kind == "same"
        else f'<span style="{style}">{html.escape(sp.text)}</span>'
        for sp in spans
    )
    return f'<div style="{SIDE}">{body or "（なし）"}</div>'


def version_changes(
    old: IssueSheet, new: IssueSheet, old_label: str = "", new_label: str = ""
) -> None:
    """Changed fields side by side (前の版 | 後の版), the changed characters marked."""
    old_label = html.escape(old_label or f"版{old.version}")
    new_label = html.escape(new_label or f"版{new.version}")
    changes = field_changes(old, new)
    if not changes:
        st.info("この2つの版の内容は同じです。")
        return
    st.caption(
        f"変更のあった項目 {len(changes)}件。削除した文字は赤の取り消し線、"
        "追加した文字は緑の下線で示します。"
    )
    for change in changes:
        st.markdown(f"**{md_escape(change.label)}**")
        left, right = st.columns(2)
        before, after = char_diff(change.before, change.after)
        left.html(f"<small>{old_label}</small>" + _side_html(before, DELETED))
        right.html(f"<small>{new_label}</small>" + _side_html(after, INSERTED))


def history_view(store: SheetStore, sheet: IssueSheet) -> None:
    """Versions with author and message, a diff of any two, and restore."""
    history = store.history(sheet.sheet_id)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "版": v.version,
                    "保存日時": japanese_time(v.saved_at),
                    "保存者": v.author or "（記名なし）",
                    "変更メモ": v.message,
                    "状態": v.status,
                }
                for v in history
            ]
        ),
        hide_index=True,
    )
    versions = [v.version for v in history]
    c = st.columns(2)
    latest = versions[-1]
    old = c[0].selectbox(
        "比べる版（前）",
        versions,
        index=max(0, len(versions) - 2),
        key=f"hist_old_{sheet.sheet_id}_{latest}",
    )
    new = c[1].selectbox(
        "比べる版（後）",
        versions,
        index=len(versions) - 1,
        key=f"hist_new_{sheet.sheet_id}_{latest}",
    )
    version_changes(store.get(sheet.sheet_id, old), store.get(sheet.sheet_id, new))
    c = st.columns([2, 1])
    pick = c[0].selectbox("復元する版", versions[:-1] or versions, key="hist_restore_version")
    if c[1].button(
        "この版を復元",
        key="hist_restore",
        icon=":material/history:",
        help="選んだ版の内容を新しい版として保存します（履歴は残ります）。",
    ):
        restored = sheet_state.restore(store, sheet, pick)
        if restored is not None:
            flash("success", f"版{pick}の内容を版{restored.version}として復元しました。")
        st.rerun()


def precedent_panel(searcher: Searcher | None, sheet: IssueSheet) -> None:
    """The sheet's cited passages, quotes highlighted, with the full case one click away."""
    st.markdown("### :material/library_books: 根拠と先行事例")
    if searcher is None:
        st.info("索引がないため引用箇所を表示できません。")
        return
    if st.session_state.get(CASE_VIEW):
        case_panel(searcher.store)
        return
    cited = [(path, c) for path, s in sheet.statements() for c in s.citations]
    if not cited:
        st.caption("このシートには引用がありません。")
    for i, (path, c) in enumerate(cited):
        chunk = searcher.store.by_id.get(c.chunk_id)
        mark = "✔" if c.verified else "✖"
        drop = "" if c.accepted else "（不採用）"
        drop += "（参考: 裏付けとしては弱い）" if c.reference else ""
        with st.expander(
            f"{mark} {field_label(path)}：{md_escape(c.case_id or c.doc_title, inline=True)} {drop}"
        ):
            st.caption(md_escape(c.locator + (f"・{c.problem}" if c.problem else "")))
            text = chunk.text if chunk else c.quote
            st.markdown(highlight(excerpt(text, [c.quote], 600), [c.quote]), unsafe_allow_html=True)
            if c.case_id:
                st.button(
                    "事例の全文",
                    key=f"prec{i}_full",
                    icon=":material/menu_book:",
                    on_click=open_case,
                    args=(c.case_id, {c.chunk_id: [c.quote]}),
                )
    figures = [(path, f) for path, s in sheet.statements() for f in s.figures]
    if figures:
        st.markdown("#### :material/bar_chart: 数値の根拠（報告データ）")
        for path, f in figures:
            st.markdown(f"- {md_escape(field_label(path))}: {md_escape(f.sentence, inline=True)}")
            st.caption(f"根拠: {md_escape(f.provenance, inline=True)}")
