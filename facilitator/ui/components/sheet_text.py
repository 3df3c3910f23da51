"""A sheet as plain lines: for the side-by-side conflict view."""

from __future__ import annotations

from facilitator.sheets.model import FIELD_LABELS, IssueSheet, Statement
from facilitator.text import one_line


def _statement(s: Statement, prefix: str = "- ") -> list[str]:
    marks = [
        f"[{'参考' if c.reference else '引用'}] {c.locator}「{one_line(c.quote)}」"
        + ("" if c.accepted else "（不採用）")
        for c in s.citations
    ]
    marks += [f"[数値] {f.sentence}" for f in s.figures]
    marks += [f"[要確認] {reason}" for reason in s.review]
    flag = "（根拠なし）" if s.text.strip() and s.unbacked else ""
    return [f"{prefix}{s.text}{flag}", *(f"    {m}" for m in marks)]


def sheet_lines(sheet: IssueSheet) -> list[str]:
    """Every field of the sheet, one line per statement, citation, role and indicator."""
    L = FIELD_LABELS
    out = [
        f"# {sheet.title or '(無題)'}",
        f"{L['area']}: {sheet.area.name}",
        f"{L['theme']}: {sheet.theme_label}",
        f"状態: {sheet.status}",
        f"{L['participants']}: {'、'.join(sheet.participants)}",
        f"## {L['current_state']}",
    ]
    for s in sheet.current_state:
        out += _statement(s)
    out += [
        f"## {L['goal']}",
        *_statement(sheet.goal),
        f"## {L['issue']}",
        *_statement(sheet.issue),
        f"## {L['causes']}",
    ]
    for c in sheet.causes:
        out += _statement(c, f"- 〈{c.viewpoint}〉 " if c.viewpoint else "- ")
    out.append(f"## {L['measures']}")
    for i, m in enumerate(sheet.measures, 1):
        state = "採用" if m.accepted else "不採用"
        out += _statement(m, f"{i}. [{state}・優先度{m.priority}] ")
        out += [f"    役割: {r.actor} — {r.action}" for r in m.roles]
    out.append(f"## {L['effects']}")
    for s in sheet.effects:
        out += _statement(s)
    out.append(f"## {L['indicators']}")
    out += [
        f"- {v.name}（基準値 {v.baseline if v.baseline is not None else '—'}{v.unit}・"
        f"目標 {v.target or '—'}）"
        for v in sheet.indicators
    ]
    if sheet.internal_notes:
        out += ["## 事務局メモ（非公開）", sheet.internal_notes]
    return out


def sheet_markdown(sheet: IssueSheet) -> str:
    return "\n".join(sheet_lines(sheet))
