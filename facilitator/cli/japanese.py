"""Click's own texts (使い方, option errors, ``--help``) in Japanese.

Click marks them for gettext but ships no catalogue, and gettext would pick one only from
the machine's locale (often C on a server). So the CLI installs this small catalogue into
click's modules when it is imported: every message a person at the keyboard sees is
Japanese, whatever the locale. A text not listed stays as click wrote it.
"""

from __future__ import annotations

import gettext
import importlib

CATALOGUE: dict[str, str] = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終了する",
    "Show the version and exit.": "バージョンを表示して終了する",
    "Try '{command} {option}' for help.": "`{command} {option}` で使い方を表示できます。",
    "Error: {message}": "エラー: {message}",
    "No such option {name!r}.": "オプション {name!r} はありません。",
    "No such command {name!r}.": "コマンド {name!r} はありません。",
    "Missing argument": "引数が足りません",
    "Missing option": "オプションが足りません",
    "Missing parameter": "指定が足りません",
    "Missing command.": "コマンドを指定してください。",
    "Missing {param_type}": "{param_type}が足りません",
    "Missing parameter: {param_name}": "指定が足りません: {param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Option {name!r} does not take a value.": "オプション {name!r} は値をとりません。",
    "Aborted!": "中止しました。",
    "Error: The two entered values do not match.": "エラー: 2回の入力が一致しません。",
    "Repeat for confirmation": "確認のためもう一度",
    "{value!r} is not a valid {number_type}.": "{value!r} は数値として読めません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} に入っていません。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} がありません。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はフォルダです。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} に書き込めません。",
    "Could not open file {filename!r}: {message}": "ファイル {filename!r} を開けません: {message}",
    "file": "ファイル",
    "directory": "フォルダ",
    "path": "パス",
    "default: {default}": "既定: {default}",
    "required": "必須",
    "env var: {var}": "環境変数: {var}",
    "Choose from:\n\t{choices}": "次から選んでください:\n\t{choices}",
}
PLURALS: dict[str, str] = {
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Did you mean one of: {possibilities}?)": "（次のどれかのことですか: {possibilities}）",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "{value!r} is not {choice}.": "{value!r} は指定できません（{choice} のみ）。",
    "{value!r} is not one of {choices}.": "{value!r} は指定できません（{choices} のいずれか）。",
}
"""Japanese has one form: keyed by click's singular."""

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")


class _Japanese(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return PLURALS.get(msgid1) or (msgid1 if n == 1 else msgid2)


def install() -> None:
    """Put the catalogue where click's modules look up ``_`` and ``ngettext``."""
    translations = _Japanese()
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translations.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext  # type: ignore[attr-defined]
