"""Control characters: stripped from stored text, made visible in messages.

"Control characters" are C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F), plus lone
surrogates (which only a crafted .xlsx can carry and SQLite cannot store). Free text keeps
tab and newline (CR LF and CR become LF); one-line text (names) turns tab and newline into
a space. Nothing stored ever contains another control character.
"""

from __future__ import annotations

import re

CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Any control character (or lone surrogate)."""
REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""The control characters that are removed from any text (all but tab, newline, CR)."""
_SPACES = re.compile(r"[\t\n\r]")


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


def clean_line(text: str) -> str:
    """One-line text (a name): tab/newline → space, other control characters removed."""
    if text.isprintable():
        return text
    return CONTROLS.sub("", _SPACES.sub(" ", text))


def clean_text(text: str) -> str:
    """Free text: keeps tab and newline (CR LF / CR → LF), removes other control characters."""
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return REMOVED.sub("", text)


def visible(text: str, limit: int | None = None) -> str:
    """Text for a message: control characters as ``\\x00`` / ``\\n``, cut to ``limit``."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return CONTROLS.sub(_escape, text)


def header_text(text: str) -> str:
    """A column header as kept: newline/tab → space, other control characters → U+FFFD
    (so that a damaged header is shown, not silently matched)."""
    if text.isprintable():
        return text
    return CONTROLS.sub("\ufffd", _SPACES.sub(" ", text))


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c)
    if named:
        return named
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
