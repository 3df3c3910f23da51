"""議事メモ: the questions of one meeting with their answers and sources, as Word or Markdown.

The record is for the council's participants: each question with its time and who asked,
the answer as it was given, the figure's provenance and the sources as 「資料名 所在：「引用」」.
Nothing internal is printed (chunk ids, scores, index or model names, metric codes, the
answer's messages). When the material did not answer, the nearby passages are listed as
参考, never as the answer. Markdown escapes what people typed, so a question cannot become a
link or HTML in a viewer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from docx.shared import Pt

from facilitator.export.common import synthetic_notice
from facilitator.export.docx_util import new_document
from facilitator.export.safe import export_text
from facilitator.meetings.model import TOKYO, Meeting, MeetingEntry, japanese_date
from facilitator.reports.models import SYNTHETIC_LABEL
from facilitator.text import md_escape, one_line
from facilitator.themes import THEME_LABELS

MINUTES_SYNTHETIC_NOTICE = synthetic_notice("この議事メモ")
MAX_REFERENCES = 3
"""Nearby passages listed for a question the material did not answer."""
CONTEXT_LABELS = (
    ("area", "地域"),
    ("theme", "テーマ"),
    ("tag", "注目タグ"),
    ("category", "分類"),
    ("prefecture", "都道府県"),
)


@dataclass
class EntryView:
    """What the minutes say about one question, in plain text (each writer formats it)."""

    heading: str
    question: str
    conditions: str
    answer: str
    figure_source: str = ""
    sources: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    synthetic: bool = False


def _source_line(doc_title: str, locator: str, quote: str) -> str:
    """「資料名 所在：「引用」」 (the title once when the locator repeats it)."""
    where = locator if doc_title and doc_title in locator else f"{doc_title} {locator}"
    where = where.strip() or "資料"
    return f"{where}：「{one_line(quote.strip())}」" if quote.strip() else where


def _citation_lines(answer: Any) -> list[str]:
    """One line per source; a quote the answer already says in full is not printed again
    (the seven steps of 「協議はどういう順番で？」 repeated title, place and step twice)."""
    said = answer.answer_text or ""
    return [
        _source_line(c.doc_title, c.locator, "" if f"「{one_line(c.quote)}」" in said else c.quote)
        for c in answer.citations
        if getattr(c, "accepted", True)
    ]


def _passage_lines(answer: Any) -> list[str]:
    return [
        _source_line(p.doc_title, p.locator, p.sentences[0] if p.sentences else "")
        for g in answer.groups
        for p in g.passages
    ]


def _conditions(context: dict[str, Any], meeting_area: str | None) -> str:
    parts = []
    for key, label in CONTEXT_LABELS:
        value = context.get(key)
        if not value or (key == "area" and value == meeting_area):
            continue
        value = THEME_LABELS.get(value, value) if key == "theme" else value
        parts.append(f"{label}: {value}")
    return "・".join(parts)


def _is_synthetic(figure: Any) -> bool:
    if figure is None:
        return False
    details = getattr(figure, "details", None) or {}
    return bool(details.get("synthetic")) or SYNTHETIC_LABEL in (figure.provenance or "")


def entry_view(entry: MeetingEntry, meeting_area: str | None = None) -> EntryView:
    """One entry as the minutes show it; an answer that no longer loads keeps its text only."""
    at = entry.asked_at.astimezone(TOKYO).strftime("%H:%M")
    who = f"、{entry.asked_by}" if entry.asked_by else ""
    view = EntryView(
        heading=f"質問{entry.entry_no}（{at}{who}）",
        question=entry.question,
        conditions=_conditions(entry.context, meeting_area),
        answer=str(entry.answer.get("answer_text") or ""),
    )
    answer = entry.answer_model()
    if answer is None:
        return view
    figure = answer.figure
    view.answer = answer.answer_text or (figure.text if figure is not None else "")
    if answer.kind == "figure" and figure is not None:
        view.figure_source = figure.provenance
        view.synthetic = _is_synthetic(figure)
    answered = answer.kind != "unanswered" and (answer.confident or answer.kind == "figure")
    if not answered and answer.missing:
        view.answer += f"（資料に見当たらないもの: {'、'.join(answer.missing)}）"
    lines = _citation_lines(answer)
    if not lines and answer.kind in ("precedent", "definition", "unanswered"):
        lines = _passage_lines(answer)
    lines = list(dict.fromkeys(lines))
    if answered:
        view.sources = lines
    else:
        view.references = lines[:MAX_REFERENCES]
    return view


def _views(meeting: Meeting) -> list[EntryView]:
    return [entry_view(e, meeting.area) for e in meeting.entries]


# --- Markdown ---------------------------------------------------------------------------------


def minutes_markdown(meeting: Meeting) -> str:
    """The minutes as Markdown: a heading, 開催日・地域, then each question in order."""
    views = _views(meeting)
    out = [f"# 議事メモ　{md_escape(meeting.title)}", ""]
    if any(v.synthetic for v in views):
        out += [f"> {MINUTES_SYNTHETIC_NOTICE}", ""]
    out.append(f"- 開催日：{japanese_date(meeting.held_on)}")
    out.append(f"- 地域：{md_escape(meeting.area) if meeting.area else '指定なし'}")
    out += [f"- 質問の数：{len(views)}件", ""]
    if not views:
        out.append("（記録された質問はありません）")
    for v in views:
        out += [f"## {md_escape(v.heading)}", "", f"**質問：** {md_escape(v.question)}", ""]
        if v.conditions:
            out += [f"条件：{md_escape(v.conditions)}", ""]
        out += [f"**回答：** {md_escape(v.answer) or '（回答なし）'}", ""]
        if v.figure_source:
            out += [f"数値の根拠：{md_escape(v.figure_source)}", ""]
        for title, lines in (("出典", v.sources), ("参考（回答ではありません）", v.references)):
            if lines:
                out += [f"**{title}**", "", *[f"- {md_escape(line)}" for line in lines], ""]
    return "\n".join(out).rstrip() + "\n"


# --- Word -------------------------------------------------------------------------------------


def _labelled(doc: Any, label: str, text: str) -> None:
    p = doc.add_paragraph()
    p.add_run(label).bold = True
    p.add_run(export_text(text))


def minutes_docx(meeting: Meeting) -> bytes:
    """The minutes as a Word document (A4, the project's Japanese fonts), as bytes."""
    views = _views(meeting)
    title = export_text(meeting.title)
    doc = new_document(header=f"議事メモ　{title}", footer=japanese_date(meeting.held_on))
    doc.add_heading(f"議事メモ　{title}", level=1)
    if any(v.synthetic for v in views):
        doc.add_paragraph(MINUTES_SYNTHETIC_NOTICE)
    _labelled(doc, "開催日：", japanese_date(meeting.held_on))
    _labelled(doc, "地域：", meeting.area or "指定なし")
    _labelled(doc, "質問の数：", f"{len(views)}件")
    if not views:
        doc.add_paragraph("（記録された質問はありません）")
    for v in views:
        doc.add_heading(export_text(v.heading), level=2)
        _labelled(doc, "質問：", v.question)
        if v.conditions:
            p = doc.add_paragraph(f"条件：{export_text(v.conditions)}")
            for run in p.runs:
                run.font.size = Pt(9)
        _labelled(doc, "回答：", v.answer or "（回答なし）")
        if v.figure_source:
            _labelled(doc, "数値の根拠：", v.figure_source)
        for head, lines in (("出典", v.sources), ("参考（回答ではありません）", v.references)):
            if lines:
                doc.add_paragraph().add_run(head).bold = True
                for line in lines:
                    doc.add_paragraph(export_text(line), style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
