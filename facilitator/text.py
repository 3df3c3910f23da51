"""Text normalisation applied once to each whole document.

Chunks are spans of the *normalised* document, so a chunk's text is always
verbatim (normalised) source text and a quote can be checked with ``in``.
"""

from __future__ import annotations

import re
import unicodedata

# Kangxi radicals / CJK radical supplement that PDF extraction emits instead of the
# ordinary ideographs. NFKC maps the Kangxi block (U+2F00–U+2FD5) but not the
# supplement (U+2E80–U+2EF3), and some extractors emit look-alike rare ideographs.
_LOOKALIKES = {
    "⺠": "民",
    "⻑": "長",
    "⻝": "食",
    "⻄": "西",
    "⻘": "青",
    "⻩": "黄",
    "⻁": "虎",
    "⻲": "亀",
    "⻤": "鬼",
    "⻭": "歯",
    "⻯": "竜",
    "⻆": "角",
    "⺟": "母",
    "⺢": "水",
    "⺣": "火",
    "⺤": "爪",
    "⺩": "王",
    "⺫": "目",
    "⻌": "辶",
    "⻖": "阝",
    "䛾": "の",
}
_LOOKALIKE_RE = re.compile("|".join(map(re.escape, _LOOKALIKES)))
_TAG_RE = re.compile(r"</?(?:p|ul|li|ol|br|span|div|td|tr|th|table|tbody|thead|b|strong)\b[^>]*>", re.I)
# Circled numbers (①–⑳, ㉑–㉟, ㊱–㊿) carry structure (「取組の詳細 ③」「【方策①】」);
# NFKC would turn them into plain digits, so they are kept as written.
_CIRCLED_RE = re.compile("([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")
_SPACES_RE = re.compile(r"[ \t\u3000\u00a0]+")
_BLANKS_RE = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFKC (circled numbers kept), radical look-alikes, stray HTML tags, runs of spaces and blank lines.

    Idempotent: ``normalize_text(normalize_text(t)) == normalize_text(t)``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        part if _CIRCLED_RE.fullmatch(part) else unicodedata.normalize("NFKC", part)
        for part in _CIRCLED_RE.split(text)
    )
    text = _LOOKALIKE_RE.sub(lambda m: _LOOKALIKES[m.group(0)], text)
    text = _TAG_RE.sub(" ", text)
    text = _SPACES_RE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANKS_RE.sub("\n\n", text)
    return text.strip() + "\n"


def normalize_query(text: str) -> str:
    """The same normalisation for a one-line query (no trailing newline)."""
    return normalize_text(text).strip()
