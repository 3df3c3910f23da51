"""Errors of the report data, each with a complete Japanese message."""

from __future__ import annotations

from facilitator.errors import FacilitatorError, InputError, NotFoundError
from facilitator.reports.ingest.chars import visible
from facilitator.reports.models import RowError

MAX_LISTED = 30


class ReportImportError(InputError):
    """A file was rejected; nothing from it was stored. ``errors`` lists every problem found."""

    def __init__(self, file: str, errors: list[RowError], truncated: bool = False) -> None:
        self.file = file
        self.errors = errors
        self.truncated = truncated
        lines = [self.headline()]
        lines += ["  " + e.message() for e in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  ほか {len(errors) - MAX_LISTED}件（--json で全件を表示）")
        super().__init__("\n".join(lines))

    def headline(self) -> str:
        more = "以上" if self.truncated else ""
        return (
            f"{self.file}: {len(self.errors)}件{more}の誤りがあるため取り込みませんでした"
            "（保存済みのデータは変更していません）。"
        )


class NotStoredError(ReportImportError):
    """A valid file of a batch, not stored because another file of the batch was rejected."""

    def __init__(self, file: str, detail: str, rejected: list[str]) -> None:
        names = "、".join(rejected[:5]) + (
            f" ほか{len(rejected) - 5}件" if len(rejected) > 5 else ""
        )
        reason = (
            f"このファイルに誤りはありません（{detail}）が、一緒に取り込んだ {names} に"
            "誤りがあるため保存しませんでした（まとめて渡したファイルは、全部を保存するか"
            "何も保存しないかのどちらかです）。誤りを直して、もう一度まとめて取り込んでください。"
        )
        super().__init__(file, [RowError(file=file, row=None, column="", reason=reason)])

    def headline(self) -> str:
        return f"{self.file}: 誤りはありませんが、他のファイルの誤りのため取り込みませんでした。"


class UnexpectedImportError(ReportImportError):
    """A file whose import failed with an unexpected error (a bug): reported, never raised by
    ``import_files``; ``cause`` is the original exception (its traceback is logged)."""

    def __init__(self, file: str, cause: Exception) -> None:
        self.cause = cause
        detail = visible(str(cause).splitlines()[0], 200) if str(cause).strip() else ""
        reason = (
            f"予期しないエラーのため取り込めませんでした（{type(cause).__name__}: {detail}）。"
            "何も保存していません。ファイルの内容を確認し、解決しない場合は開発者に連絡してください。"
        )
        super().__init__(file, [RowError(file=file, row=None, column="", reason=reason)])


class NoReportDataError(FacilitatorError):
    """Indicators were asked for before any report data was imported."""

    exit_code = 3

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            (detail + "\n" if detail else "") + "報告データがまだ取り込まれていません。"
            "`facilitator reports load-sample` で架空データを"
            "読み込むか、`facilitator reports import ファイル…` で取り込んでください。"
        )


class AreaNotFoundError(NotFoundError):
    """No 市町村, 二次医療圏 or prefecture matches the code or name."""

    def __init__(self, query: str, candidates: list[str] | None = None) -> None:
        msg = (
            f"地域「{query}」が見つかりません"
            "（市町村・二次医療圏・都道府県のコードまたは名称で指定してください）。"
        )
        if candidates:
            msg += " 候補: " + "、".join(candidates[:10])
        super().__init__(msg)


class AmbiguousAreaError(InputError):
    """A name matches several areas."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        super().__init__(
            f"地域「{query}」に当てはまる地域が複数あります。コードで指定してください: "
            + "、".join(candidates[:10])
        )
