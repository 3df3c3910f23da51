"""The sheet being edited, kept in st.session_state, and saving it without silent overwrites.

``WORK`` is the working copy; its ``version`` is the version it was loaded as, so a save
from a stale copy raises SheetConflictError. The conflict keeps both sheets until the
user reloads theirs or keeps editing their own.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from facilitator.sheets.model import IssueSheet
from facilitator.sheets.store import SheetConflictError, SheetStore
from facilitator.ui.components.common import audit, current_user, flash

WORK = "sheet_work"
NONCE = "sheet_nonce"
CONFLICT = "sheet_conflict"
PICK = "sheet_pick"
DRAFT_OPEN = "sheet_draft_open"
"""The 「新しい課題シートを作成」 panel: open until a sheet exists, closed after a draft,
otherwise as the user left it (a keyed expander keeps its state across reruns)."""
DRAFTED = "sheet_drafted"


def work() -> IssueSheet | None:
    return st.session_state.get(WORK)


def nonce() -> int:
    return st.session_state.get(NONCE, 0)


def load(sheet: IssueSheet, pick: bool = False) -> None:
    """Make ``sheet`` the working copy; the editor's widgets start again from it.

    ``pick`` also preselects it in the sheet picker.
    """
    st.session_state[WORK] = sheet
    st.session_state[NONCE] = nonce() + 1
    st.session_state.pop(CONFLICT, None)
    if pick:
        st.session_state[PICK] = sheet.sheet_id


def draft_panel_open(have_sheets: bool) -> None:
    """Set the draft panel's state before it is drawn."""
    st.session_state.setdefault(DRAFT_OPEN, not have_sheets)
    if st.session_state.pop(DRAFTED, False):
        st.session_state[DRAFT_OPEN] = False


def picker_key(labels: dict[str, str]) -> str:
    """A widget key that changes with the labels, so a picker never shows stale versions."""
    return "sheet_pick_" + hashlib.sha1("|".join(labels.values()).encode()).hexdigest()[:10]


def picker_index(ids: list[str]) -> int:
    """Preselect the sheet just drafted, else the working copy, else the first."""
    current = work()
    want = st.session_state.pop(PICK, None) or (current.sheet_id if current else None)
    return ids.index(want) if want in ids else 0


def ensure_loaded(store: SheetStore, sheet_id: str | None) -> IssueSheet | None:
    """Load the picked sheet's latest version unless it is already the working copy."""
    current = work()
    if sheet_id is None:
        return current
    if current is None or current.sheet_id != sheet_id:
        load(store.get(sheet_id))
    return work()


def save(store: SheetStore, sheet: IssueSheet, author: str = "", message: str = "") -> bool:
    """Save; on a conflict keep both versions for the side-by-side view."""
    try:
        saved = store.save(sheet, author=author, message=message)
    except SheetConflictError as exc:
        st.session_state[WORK] = exc.mine
        st.session_state[CONFLICT] = (exc.mine, exc.theirs)
        return False
    load(saved)
    audit("sheet_save", f"{saved.title}（版{saved.version}）", message)
    flash("success", f"版{saved.version}として保存しました。")
    return True


def restore(store: SheetStore, sheet: IssueSheet, version: int) -> IssueSheet | None:
    """Restore ``version`` on top of the working copy's version; a newer version saved
    meanwhile is a conflict exactly like a save (both kept for the side-by-side view)."""
    try:
        restored = store.restore(
            sheet.sheet_id, version, base_version=sheet.version, author=current_user() or ""
        )
    except SheetConflictError as exc:
        st.session_state[WORK] = exc.mine
        st.session_state[CONFLICT] = (exc.mine, exc.theirs)
        return None
    load(restored)
    audit("sheet_restore", f"{restored.title}（版{version} → 版{restored.version}）")
    return restored


def conflict() -> tuple[IssueSheet, IssueSheet] | None:
    return st.session_state.get(CONFLICT)


def reload_theirs() -> None:
    """Callback: drop my edits and continue from the newest saved version."""
    pair = conflict()
    if pair:
        load(pair[1])
        flash("info", f"最新の版{pair[1].version}を読み込みました（あなたの編集は破棄しました）。")


def keep_mine() -> None:
    """Callback: keep my edits; the next save becomes the version after theirs."""
    pair = conflict()
    if pair:
        mine, theirs = pair
        st.session_state[WORK] = mine.model_copy(update={"version": theirs.version})
        st.session_state.pop(CONFLICT, None)
        flash(
            "info",
            f"あなたの編集を続けます。保存すると版{theirs.version + 1}になります"
            f"（版{theirs.version}の内容は履歴に残ります）。",
        )
