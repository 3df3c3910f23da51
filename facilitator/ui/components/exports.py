"""出力 page helpers: files as bytes for st.download_button, the agenda form, Excel import."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from facilitator import export as ex
from facilitator.errors import FacilitatorError
from facilitator.meetings.model import today_tokyo
from facilitator.sheets.model import IssueSheet
from facilitator.sheets.store import SheetConflictError, SheetStore
from facilitator.text import md_unlink
from facilitator.themes import THEME_SHORT
from facilitator.ui.components import sheet_state
from facilitator.ui.components.common import audit, flash, show_error
from facilitator.ui.components.uploads import saved_uploads

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Files = dict[str, tuple[bytes | str | Callable[[], bytes], str, str]]
"""label → (data or a function making it on click, file name, mime)."""


def preview(markdown: str) -> str:
    """Exported Markdown for on-screen preview: table-cell line breaks shown as ／ (no raw HTML),
    and no text in it shown as a link or an image (the texts are the sheet's, unescaped)."""
    return md_unlink(markdown.replace("<br>", "　／　"))


def stem(sheets: list[IssueSheet], kind: str) -> str:
    """File name stem: 課題管理シート_県都市_在宅医療 or 課題管理シート_3件."""
    if len(sheets) == 1:
        s = sheets[0]
        return f"{kind}_{s.area.name}_{THEME_SHORT.get(s.theme, s.theme)}_版{s.version}"
    return f"{kind}_{len(sheets)}件_{today_tokyo():%Y%m%d}"


def via_file(write: Callable[[Path], object], suffix: str) -> bytes:
    """Bytes of a file that a path-based writer produced."""
    with tempfile.TemporaryDirectory(prefix="facilitator-export-") as tmp:
        path = Path(tmp) / f"out{suffix}"
        write(path)
        return path.read_bytes()


def per_sheet(
    items: list, write: Callable[[object, Path], object], suffix: str, names: list[str]
) -> tuple[Callable[[], bytes], str, str]:
    """One file, or a zip of one file per item: (make the bytes, extension, mime)."""
    if len(items) == 1:
        return lambda: via_file(lambda p: write(items[0], p), suffix), suffix, DOCX

    def zipped() -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for item, name in zip(items, names, strict=True):
                z.writestr(f"{name}{suffix}", via_file(lambda p, i=item: write(i, p), suffix))
        return buf.getvalue()

    return zipped, ".zip", "application/zip"


def sheet_files(sheets: list[IssueSheet], internal: bool = False) -> Files:
    """label → (data, file name, mime) for the 課題シート downloads; Word and Markdown carry
    the private memos only when ``internal`` (the Excel working copy always does)."""
    base = stem(sheets, "課題管理シート")
    kind = "課題シート_内部用" if internal else "課題シート"
    names = [stem([s], kind) for s in sheets]
    docx, ext, mime = per_sheet(
        sheets, lambda s, p: ex.to_docx(s, p, internal=internal), ".docx", names
    )
    md = "\n\n---\n\n".join(ex.to_markdown(s, internal=internal) for s in sheets)
    js = (
        ex.to_json(sheets[0])
        if len(sheets) == 1
        else "[\n" + ",\n".join(ex.to_json(s) for s in sheets) + "\n]"
    )
    return {
        "Excel（課題管理シート）": (
            lambda: via_file(lambda p: ex.to_xlsx(sheets, p), ".xlsx"),
            f"{base}.xlsx",
            XLSX,
        ),
        "Word": (docx, f"{stem(sheets, kind)}{ext}", mime),
        "Markdown": (md, f"{stem(sheets, kind)}.md", "text/markdown"),
        "JSON": (js, f"{stem(sheets, '課題シート')}.json", "application/json"),
    }


def _public_name(s: ex.PublicSummary) -> str:
    """公表シート_北部医療圏_在宅医療_版3 (…_確認用 for a review copy)."""
    name = f"公表シート_{s.area_name}_{THEME_SHORT.get(s.theme, s.theme)}_版{s.version}"
    return name + ("_確認用" if s.review_copy else "")


def public_files(summaries: list[ex.PublicSummary]) -> Files:
    names = [_public_name(s) for s in summaries]
    names = [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names, 1)]
    review = any(s.review_copy for s in summaries)
    base = (
        f"協議の結果の公表シート_{len(summaries)}件" + ("_確認用" if review else "")
        if len(summaries) > 1
        else names[0]
    )
    docx, ext, mime = per_sheet(summaries, lambda s, p: ex.public_to_docx(s, p), ".docx", names)
    md = "\n\n---\n\n".join(ex.public_to_markdown(s) for s in summaries)
    return {
        "Excel": (
            lambda: via_file(lambda p: ex.public_to_xlsx(summaries, p), ".xlsx"),
            f"{base}.xlsx",
            XLSX,
        ),
        "Word": (docx, f"{base}{ext}", mime),
        "Markdown": (md, f"{base}.md", "text/markdown"),
    }


def public_section(sheets: list[IssueSheet]) -> None:
    """協議の結果の公表シート: only for sheets the council has received, unless forced."""
    force = st.toggle("確認用に作成する（状態が「協議会提出」「公表」でなくても）", key="pub_force")
    public = []
    for s in sheets:
        try:
            public.append(ex.public_summary(s, force=force))
        except FacilitatorError as exc:
            st.warning(
                str(exc).replace("（確認のために出力する場合は --force を付けてください）", "")
            )
    if public:
        download_row(public_files(public), "dl_public")
        with st.expander("公表シートのプレビュー", expanded=True):
            st.markdown(preview(ex.public_to_markdown(public[0])))


def download_row(files: Files, prefix: str) -> None:
    cols = st.columns(len(files))
    for i, (label, (data, name, mime)) in enumerate(files.items()):
        cols[i].download_button(
            label,
            data,
            file_name=name,
            mime=mime,
            key=f"{prefix}_{i}",
            icon=":material/download:",
            on_click="ignore",
        )


def meeting_form() -> ex.MeetingInfo:
    c = st.columns([3, 2])
    name = c[0].text_input("会議名", "かかりつけ医機能の確保に関する協議の場", key="ag_name")
    day = c[1].text_input("開催日", f"{today_tokyo():%Y年%m月%d日}", key="ag_date")
    c = st.columns(4)
    place = c[0].text_input("場所", key="ag_place")
    start = c[1].text_input("開始時刻", "14:00", key="ag_start")
    minutes = c[2].number_input("会議時間（分）", 30, 300, 90, step=10, key="ag_minutes")
    chair = c[3].text_input("議長", key="ag_chair")
    return ex.MeetingInfo(
        name=name, date=day, place=place, start=start, minutes=int(minutes), chair=chair
    )


def agenda_files(agenda: ex.Agenda, summary: bool = False) -> Files:
    """進行表 downloads; ``summary`` adds one page per sheet behind the running order."""
    base = f"進行表_{agenda.meeting.date}" + ("_要約付き" if summary else "")
    return {
        "Word": (
            lambda: via_file(lambda p: ex.agenda_to_docx(agenda, p, summary=summary), ".docx"),
            f"{base}.docx",
            DOCX,
        ),
        "Excel": (
            lambda: via_file(lambda p: ex.agenda_to_xlsx(agenda, p, summary=summary), ".xlsx"),
            f"{base}.xlsx",
            XLSX,
        ),
        "Markdown": (
            ex.agenda_to_markdown(agenda, summary=summary),
            f"{base}.md",
            "text/markdown",
        ),
    }


def import_workbook(store: SheetStore, upload, author: str) -> None:
    """Import an edited 課題管理シート; report saved versions and every unreadable cell."""
    with saved_uploads([upload]) as (path,):
        try:
            report = ex.import_xlsx(path, store, author=author)
        except ex.XlsxImportError as exc:
            flash(
                "error",
                f"{upload.name} を取り込めませんでした（何も保存していません）。"
                "下の表のセルを直してから、もう一度取り込んでください。",
            )
            flash(
                "table",
                pd.DataFrame(
                    [
                        {"ワークシート": p.worksheet, "セル": p.cell, "内容": p.message}
                        for p in exc.problems
                    ]
                ),
            )
            return
        except SheetConflictError as exc:
            sheet_state.load(exc.theirs)
            st.session_state[sheet_state.CONFLICT] = (exc.mine, exc.theirs)
            flash("error", f"{exc}（「課題シート作成・編集」で両方の版を見比べられます）")
            return
        except FacilitatorError as exc:
            show_error(exc)
            return
    for item in report.sheets:
        if item.new_version is None:
            flash("info", f"「{item.worksheet}」: 変更はありませんでした（保存していません）。")
        else:
            audit("sheet_import", f"{item.worksheet}（版{item.new_version}）", upload.name)
            flash(
                "success",
                f"「{item.worksheet}」: 版{item.new_version}として取り込みました"
                f"（変更 {len(item.changes)} 件）。",
            )
            for c in item.changes:
                flash("info", f"・{c}")
        for w in item.warnings:
            flash("warning", f"「{item.worksheet}」: {w}")
    _open_imported(store, report)


def _open_imported(store: SheetStore, report: ex.ImportReport) -> None:
    """The editor continues from what was just imported, never from the version before it."""
    current = sheet_state.work()
    for item in report.saved:
        if current is None or current.sheet_id == item.sheet_id:
            sheet_state.load(store.get(item.sheet_id), pick=True)
            flash(
                "info",
                f"「課題シート作成・編集」では、取り込んだ版{item.new_version}を開いています。",
            )
            return
