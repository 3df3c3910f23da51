"""Errors that carry a Japanese message for the person at the keyboard.

The CLI turns them into an exit code and a message; the app into ``st.error``.
"""

from __future__ import annotations


class FacilitatorError(Exception):
    """Base class: ``str(err)`` is a complete Japanese message for the user."""

    exit_code = 1


class InputError(FacilitatorError):
    """Bad input from the user: a file, a query, an option."""

    exit_code = 2


class DocumentError(InputError):
    """A document cannot be read (encrypted, image-only, empty, wrong encoding)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexNotBuiltError(FacilitatorError):
    """Search was asked for before ``facilitator ingest`` ran."""

    def __init__(self) -> None:
        super().__init__(
            "検索インデックスがまだ作成されていません。先に `facilitator ingest` を実行してください。"
        )


class IndexBusyError(FacilitatorError):
    """Another process is adding documents or building the index in this data folder."""

    def __init__(self, timeout: float) -> None:
        waited = f"{timeout:g} 秒待ちましたが" if timeout > 0 else "現在"
        super().__init__(
            f"別の処理（facilitator ingest またはアプリ）が資料の追加・削除または索引の作成を"
            f"実行中です（{waited}終わっていません）。終わってからもう一度実行してください。"
        )


class NotFoundError(FacilitatorError):
    """A chunk, sheet or area that does not exist."""

    exit_code = 3


class ServerUnavailableError(FacilitatorError):
    """A configured server (the shared Chroma) cannot be reached: the address to check."""

    def __init__(self, what: str, address: str) -> None:
        super().__init__(
            f"{what}（{address}）に接続できません。サーバーが起動しているか、設定の接続先を"
            "確認してください。"
        )


class DatabaseError(FacilitatorError):
    """The shared database (sheets, audit log, meetings) cannot be reached or used (named
    without its password)."""
