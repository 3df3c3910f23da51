"""The issue-sheet edit form: every field, measures and citations accepted or dropped, roles.

Statements (現状・原因・方策・効果) are long Japanese sentences, so each gets its own
full-width text area (a grid cell would cut it at a few dozen characters); a statement keeps
its citations and figures when its text is edited, emptying the text removes it, and the
blank area under each list adds a new, unbacked one. Short structured rows (roles,
indicators, citation flags) stay in data editors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from facilitator.sheets.edit import (
    EditError,
    edit_text,
    new_item,
    parse_priority,
    split_participants,
)
from facilitator.sheets.model import (
    FIELD_LABELS,
    ITEM_LABELS,
    PRIORITIES,
    STATUS_ORDER,
    Cause,
    IssueSheet,
    Measure,
    Role,
    SheetStatus,
    Statement,
    VerificationIndicator,
    field_label,
)
from facilitator.text import md_escape
from facilitator.ui.components.common import current_user


@dataclass
class SheetEdit:
    """What the form gives back on 保存: the edited sheet, who saved it and why, and the
    warnings of the edit rules (e.g. cited text changed)."""

    sheet: IssueSheet
    author: str
    message: str
    warnings: list[str]


SOURCE_LABELS = {
    "guideline": "ガイドライン",
    "precedent": "先行事例",
    "user": "利用者",
    "llm": "LLM",
}


def backing(s: Statement) -> str:
    """「引用2（検証済2）・数値1」, 「参考1」, or a warning when nothing backs the text or
    the area's figures contradict it."""
    warn = "⚠ 要確認・" if s.text.strip() and s.review else ""
    if s.text.strip() and s.unbacked:
        return f"{warn}⚠ 根拠なし"
    ok = sum(1 for c in s.citations if c.backs)
    ref = sum(1 for c in s.citations if c.reference)
    backing = [c for c in s.citations if not c.reference]
    parts = [f"引用{len(backing)}（検証済{ok}）"] if backing else []
    parts += [f"参考{ref}"] if ref else []
    parts += [f"数値{len(s.figures)}"] if s.figures else []
    return warn + ("・".join(parts) or "—")


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _orig(v: object) -> int | None:
    return None if _text(v) == "" else int(float(v))  # type: ignore[arg-type]


Edit = Callable[[dict, object], str | None]


def _merge(rows: list[dict], originals: list, field: str, apply: Edit, warnings: list[str]) -> list:
    """Rebuild a list: edited rows keep their original's backing, new rows start empty,
    rows left empty are removed.

    The rules are the Excel import's (:mod:`facilitator.sheets.edit`), warnings included.
    """
    out = []
    for r in rows:
        if not _text(r.get("text")):
            continue
        i = _orig(r.get("_i"))
        old = originals[i] if i is not None and i < len(originals) else None
        item = old.model_copy(deep=True) if old is not None else new_item(field)
        warning = apply(r, item)
        if warning:
            warnings.append(f"{field_label(f'{field}[{len(out)}]')}: {warning}")
        out.append(item)
    return out


def _stmt(r: dict, item: Statement) -> str | None:
    item.note = _text(r.get("note"))
    return edit_text(item, _text(r["text"]))


def _cause(r: dict, item: Cause) -> str | None:
    item.viewpoint = _text(r.get("viewpoint"))
    return _stmt(r, item)


def _measure(r: dict, item: Measure) -> str | None:
    item.accepted = bool(r.get("accepted", True))
    try:
        item.priority = parse_priority(_text(r.get("priority")) or "中")
    except EditError:
        item.priority = "中"
    return _stmt(r, item)


def _indicator(r: dict, item: VerificationIndicator) -> str | None:
    baseline = r.get("baseline")
    item.name = _text(r["text"])
    item.unit = _text(r.get("unit"))
    item.target = _text(r.get("target"))
    item.baseline = None if _text(baseline) == "" else float(baseline)  # type: ignore[arg-type]
    return None


CHARS_PER_LINE = 30
"""About what a full-width text area shows per line on a laptop; sets its starting height."""


def _height(text: str) -> int:
    lines = sum(1 + len(line) // CHARS_PER_LINE for line in text.splitlines() or [""])
    return max(68, min(320, 24 * lines + 20))


def statement_list(items: list[Statement], key: str, field: str) -> list[dict]:
    """Each statement in its own full-width text area, with what backs it, its options
    (視点, 採用・優先度) and its private memo; one blank area below adds a statement.

    Returns one row per area (``_i`` = index of the original statement, ``None`` for the
    blank) for :func:`_merge`.
    """
    label = ITEM_LABELS[field]
    rows: list[dict] = []
    for i, s in enumerate([*items, None]):
        k = f"{key}_{field}_{i}"
        row: dict = {"_i": None if s is None else i}
        with st.container(border=s is not None):
            if s is None:
                row["text"] = st.text_area(
                    f"{label}を追加",
                    key=k,
                    height=68,
                    placeholder=f"新しい{label}を書くと、保存したときに追加されます（任意）",
                )
                if field == "causes":
                    row["viewpoint"] = st.text_input("視点（追加する原因）", key=f"{k}_vp")
                rows.append(row)
                continue
            row["text"] = st.text_area(
                field_label(f"{field}[{i}]"),
                s.text,
                key=k,
                height=_height(s.text),
                help="本文を空にして保存すると、この項目を削除します。",
            )
            c = st.columns([2, 1, 1, 3] if field == "measures" else [2, 3])
            source = SOURCE_LABELS.get(getattr(s, "source", ""), "")
            c[0].caption(f"根拠: {backing(s)}" + (f"・出典: {source}" if source else ""))
            if s.basis:
                c[0].caption(f"作成時の補足: {md_escape(s.basis)}")
            if field == "measures":
                row["accepted"] = c[1].checkbox("採用", s.accepted, key=f"{k}_ok")  # type: ignore[attr-defined]
                prio = s.priority if s.priority in PRIORITIES else "中"  # type: ignore[attr-defined]
                row["priority"] = c[2].selectbox(
                    "優先度", list(PRIORITIES), list(PRIORITIES).index(prio), key=f"{k}_prio"
                )
            if field == "causes":
                row["viewpoint"] = c[0].text_input("視点", s.viewpoint, key=f"{k}_vp")  # type: ignore[attr-defined]
            row["note"] = c[-1].text_input("メモ（非公開）", s.note, key=f"{k}_note")
        rows.append(row)
    return rows


def _basis(s: Statement) -> str:
    return f"　作成時の補足: {md_escape(s.basis)}" if s.basis else ""


def grid(df: pd.DataFrame, key: str, config: dict[str, object]) -> pd.DataFrame:
    """A data editor for short structured rows; empty new cells start as "" (never None)."""
    full = {
        col: st.column_config.TextColumn(label, default="") if isinstance(label, str) else label
        for col, label in config.items()
    }
    return st.data_editor(df, key=key, num_rows="dynamic", hide_index=True, column_config=full)


def citations_frame(sheet: IssueSheet) -> pd.DataFrame:
    rows = [
        {
            "path": path,
            "idx": j,
            "accepted": c.accepted,
            "field": field_label(path),
            "locator": c.locator or c.chunk_id,
            "quote": c.quote,
            "verified": "✔ 検証済" if c.verified else f"✖ {c.problem or '未検証'}",
        }
        for path, s in sheet.statements()
        for j, c in enumerate(s.citations)
    ]
    return pd.DataFrame(
        rows, columns=["path", "idx", "accepted", "field", "locator", "quote", "verified"]
    )


def apply_citation_flags(sheet: IssueSheet, df: pd.DataFrame) -> IssueSheet:
    """A copy of ``sheet`` with each citation's ``accepted`` flag from the table."""
    out = sheet.model_copy(deep=True)
    flags = {(r["path"], int(r["idx"])): bool(r["accepted"]) for r in df.to_dict("records")}
    for path, s in out.statements():
        for j, c in enumerate(s.citations):
            c.accepted = flags.get((path, j), c.accepted)
    return out


def roles_frame(sheet: IssueSheet) -> pd.DataFrame:
    rows = [
        {"measure": str(i), "actor": r.actor, "action": r.action}
        for i, m in enumerate(sheet.measures, 1)
        for r in m.roles
    ]
    return pd.DataFrame(rows, columns=["measure", "actor", "action"])


def apply_roles(measures: list[Measure], df: pd.DataFrame) -> list[Measure]:
    roles: dict[int, list[Role]] = {}
    for r in df.to_dict("records"):
        n, actor, action = _text(r.get("measure")), _text(r.get("actor")), _text(r.get("action"))
        if n.isdigit() and (actor or action):
            roles.setdefault(int(n) - 1, []).append(Role(actor=actor or "（未定）", action=action))
    return [m.model_copy(update={"roles": roles.get(i, [])}) for i, m in enumerate(measures)]


def status_steps(status: SheetStatus) -> str:
    return " → ".join(f"**【{s}】**" if s == status else str(s) for s in STATUS_ORDER)


def edit_form(sheet: IssueSheet, key: str) -> SheetEdit | None:
    """Every field of ``sheet`` in one form; on 保存 returns (edited sheet, author, message)."""
    L = FIELD_LABELS
    with st.form(f"{key}_form"):
        c = st.columns([3, 1])
        title = c[0].text_input("題名", sheet.title, key=f"{key}_title")
        status = c[1].selectbox(
            "状態", STATUS_ORDER, STATUS_ORDER.index(sheet.status), key=f"{key}_status"
        )
        participants = st.text_input(
            f"{L['participants']}（「、」区切り）",
            "、".join(sheet.participants),
            key=f"{key}_participants",
        )
        tabs = st.tabs(
            [
                "①現状・②目指す姿・③課題",
                "④原因",
                "⑤方策・役割分担",
                "⑥効果・検証指標",
                "引用の採否",
                "事務局メモ",
            ],
            key="sheet_edit_tabs",  # stable across versions: the open tab stays open
        )
        with tabs[0]:
            current = statement_list(sheet.current_state, key, "current_state")
            goal = st.text_area(
                L["goal"], sheet.goal.text, key=f"{key}_goal", height=_height(sheet.goal.text)
            )
            st.caption(f"根拠: {backing(sheet.goal)}" + _basis(sheet.goal))
            issue = st.text_area(
                L["issue"], sheet.issue.text, key=f"{key}_issue", height=_height(sheet.issue.text)
            )
            st.caption(f"根拠: {backing(sheet.issue)}" + _basis(sheet.issue))
        with tabs[1]:
            causes = statement_list(sheet.causes, key, "causes")
        with tabs[2]:
            measures = statement_list(sheet.measures, key, "measures")
            st.markdown("**役割分担**（方策の番号・担い手・取組）")
            roles = grid(
                roles_frame(sheet),
                f"{key}_roles",
                {
                    "measure": st.column_config.SelectboxColumn(
                        "方策", options=[str(i) for i in range(1, len(sheet.measures) + 2)]
                    ),
                    "actor": "担い手",
                    "action": "取組",
                },
            )
        with tabs[3]:
            effects = statement_list(sheet.effects, key, "effects")
            st.markdown(f"**{L['indicators']}**")
            indicators = grid(
                _indicator_frame(sheet),
                f"{key}_indicators",
                {
                    "_i": None,
                    "text": "検証指標",
                    "baseline": st.column_config.NumberColumn("基準値", format="%.1f"),
                    "unit": "単位",
                    "target": "目標",
                },
            )
        with tabs[4]:
            cites = st.data_editor(
                citations_frame(sheet),
                key=f"{key}_cites",
                hide_index=True,
                disabled=["field", "locator", "quote", "verified"],
                column_config={
                    "path": None,
                    "idx": None,
                    "accepted": "採用",
                    "field": "項目",
                    "locator": "箇所",
                    "quote": "引用",
                    "verified": "検証",
                },
            )
        with tabs[5]:
            notes = st.text_area(
                "事務局メモ（公表しません）", sheet.internal_notes, key=f"{key}_notes"
            )
        c = st.columns([1, 2, 1])
        if (user := current_user()) is not None:  # logged in: the author is who is logged in
            author = user
            c[0].text_input("保存者", value=user, disabled=True, key=f"{key}_author_login")
        else:
            author = c[0].text_input("保存者", key=f"{key}_author", placeholder="氏名（任意）")
        message = c[1].text_input("変更メモ", key=f"{key}_message", placeholder="例: 原因を追記")
        c[2].markdown("&nbsp;")
        if not c[2].form_submit_button("保存", type="primary", icon=":material/save:"):
            return None
    base = apply_citation_flags(sheet, cites)
    warnings: list[str] = []
    goal_item, issue_item = base.goal.model_copy(deep=True), base.issue.model_copy(deep=True)
    for label, item, text in (("goal", goal_item, goal), ("issue", issue_item, issue)):
        warning = edit_text(item, text)
        if warning:
            warnings.append(f"{field_label(label)}: {warning}")
    edited = base.model_copy(
        update={
            "title": title.strip(),
            "status": status,
            "participants": split_participants(participants),
            "current_state": _merge(current, base.current_state, "current_state", _stmt, warnings),
            "goal": goal_item,
            "issue": issue_item,
            "causes": _merge(causes, base.causes, "causes", _cause, warnings),
            "measures": apply_roles(
                _merge(measures, base.measures, "measures", _measure, warnings), roles
            ),
            "effects": _merge(effects, base.effects, "effects", _stmt, warnings),
            "indicators": _merge(
                indicators.to_dict("records"), base.indicators, "indicators", _indicator, warnings
            ),
            "internal_notes": notes,
        }
    )
    return SheetEdit(
        sheet=IssueSheet.model_validate(edited.model_dump()),
        author=author.strip(),
        message=message.strip(),
        warnings=warnings,
    )


def _indicator_frame(sheet: IssueSheet) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"_i": i, "text": v.name, "baseline": v.baseline, "unit": v.unit, "target": v.target}
            for i, v in enumerate(sheet.indicators)
        ],
        columns=["_i", "text", "baseline", "unit", "target"],
    )
