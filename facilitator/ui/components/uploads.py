"""Upload handling for 資料・データ管理: documents into the index, report files into the store.

Uploaded bytes go to a temporary folder under their own names (messages name the file);
the library validates every file before saving, so a bad file changes nothing already saved.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from facilitator.corpus.documents import add_documents as library_add_documents
from facilitator.corpus.documents import all_documents, ingest_lock, remove_document
from facilitator.errors import FacilitatorError
from facilitator.reports import datasets, import_files
from facilitator.settings import Settings
from facilitator.ui.components.common import APP_LOCK_TIMEOUT, audit, build_index_now, flash
from facilitator.ui.components.widgets import row_errors_frame

KIND_LABELS = {"guideline": "ガイドライン", "casebook": "事例集", "local": "地域の資料"}


@contextmanager
def saved_uploads(files: list) -> Iterator[list[Path]]:
    """Write Streamlit UploadedFiles to a temporary folder, keeping their names."""
    with tempfile.TemporaryDirectory(prefix="facilitator-upload-") as tmp:
        paths = []
        for f in files:
            path = Path(tmp) / Path(f.name).name
            path.write_bytes(f.getvalue())
            paths.append(path)
        yield paths


def documents_frame(settings: Settings) -> pd.DataFrame:
    rows = []
    for doc, folder in all_documents(settings):
        rows.append(
            {
                "題名": doc.title,
                "種類": KIND_LABELS.get(str(doc.kind), str(doc.kind)),
                "発行者": doc.publisher,
                "区分": "追加" if folder == settings.uploads_dir else "同梱",
                "ID": doc.doc_id,
                "ファイル": doc.path,
            }
        )
    return pd.DataFrame(rows)


def add_documents(settings: Settings, files: list, title: str) -> None:
    """Check and list all uploaded documents (none if one cannot be added), then rebuild.

    Adding and rebuilding hold the ingest lock together, so another ingest (the command
    line or another browser) waits or is told to wait, and never builds at the same time.
    """
    with saved_uploads(files) as paths:
        try:
            with ingest_lock(settings, timeout=APP_LOCK_TIMEOUT):
                batch = library_add_documents(
                    settings, paths, title=(title or None) if len(paths) == 1 else None
                )
                for parsed in batch:
                    audit("document_add", parsed.document.title, parsed.document.path)
                    flash(
                        "success",
                        f"追加しました: {parsed.document.title}（{len(parsed.chunks)} チャンク）",
                    )
                build_index_now()
        except FacilitatorError as exc:  # name the uploaded file, never the server's temp path
            flash("error", str(exc).replace(str(paths[0].parent) + "/", "") if paths else exc)


def remove_and_reindex(settings: Settings, doc_id: str) -> None:
    try:
        with ingest_lock(settings, timeout=APP_LOCK_TIMEOUT):
            title = next(
                (d.title for d, _ in all_documents(settings) if d.doc_id == doc_id), doc_id
            )
            remove_document(settings, doc_id)
            audit("document_remove", title)
            flash("success", f"資料「{title}」を削除しました。")
            build_index_now()
    except FacilitatorError as exc:
        flash("error", exc)


def import_reports(settings: Settings, files: list) -> None:
    """Validate and import report files; show a row/column table for each rejected file."""
    with saved_uploads(files) as paths:
        batch = import_files(settings, paths)
    for r in batch.results:
        label = "市町村表" if r.kind == "areas" else f"{r.year}年の報告データ"
        audit("reports_import", r.file, label)
        count = r.municipalities if r.kind == "areas" else r.institutions
        flash(
            "success",
            f"{r.file}: {label}を取り込みました（{count:,} 件"
            + ("・以前のデータを置き換え" if r.replaced else "")
            + "）",
        )
        for w in r.warnings:
            flash("info", f"{r.file}: {w}")
    for failure in batch.failures:
        hint = "下の表の行・列を直してください。" if failure.errors else ""
        flash("error", failure.headline() + hint)
        if failure.errors:
            flash("table", row_errors_frame(failure.errors))


def datasets_frame(settings: Settings) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "年": d.get("year"),
                "都道府県コード": d.get("pref_code"),
                "区分": "架空データ" if d.get("synthetic") else "実データ",
                "ファイル": d.get("source_file", ""),
                "医療機関数": d.get("n_institutions"),
                "取込日時": d.get("imported_at", ""),
            }
            for d in datasets(settings=settings)
        ]
    )
