"""Errors of the report data, each with a complete Japanese message."""

from __future__ import annotations

from facilitator.errors import FacilitatorError, InputError, NotFoundError
from facilitator.reports.models import RowError

MAX_LISTED = 30


class ReportImportError(InputError):
    """A file was rejected; nothing from it was stored. ``errors`` lists every problem found."""

    def __init__(self, file: str, errors: list[RowError], truncated: bool = False) -> None:
        self.file = file
        self.errors = errors
        self.truncated = truncated
        more = "以上" if truncated else ""
        lines = [
            f"{file}: {len(errors)}件{more}の誤りがあるため取り込みませんでした"
            "（保存済みのデータは変更していません）。"
        ]
        lines += ["  " + e.message() for e in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  ほか {len(errors) - MAX_LISTED}件（--json で全件を表示）")
        super().__init__("\n".join(lines))


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
