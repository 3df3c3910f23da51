"""Text normalisation applied once to each whole document, and how a passage's text reads:
its sentences, and the steps or list items it lays out.

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
_TAG_RE = re.compile(
    r"</?(?:p|ul|li|ol|br|span|div|td|tr|th|table|tbody|thead|b|strong)\b[^>]*>", re.I
)
# Circled numbers (①–⑳, ㉑–㉟, ㊱–㊿) carry structure (「取組の詳細 ③」「【方策①】」);
# NFKC would turn them into plain digits, so they are kept as written.
_CIRCLED_RE = re.compile("([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")
_SPACES_RE = re.compile(r"[ \t\u3000\u00a0]+")
_BLANKS_RE = re.compile(r"\n{3,}")
# Markdown emphasis left by the conversion of a source (「…**協議することが重要である。**…」):
# markup, not words, and shown literally it reads as stray asterisks. A line that is one
# bold span keeps it, since that marks a heading (``parsers.blocks``).
_BOLD_LINE_RE = re.compile(r"\*\*[^*]+\*\*")


def _without_emphasis(line: str) -> str:
    return line if _BOLD_LINE_RE.fullmatch(line.strip()) else line.replace("**", "")


def nfkc(text: str) -> str:
    """NFKC with circled numbers kept as written (see _CIRCLED_RE)."""
    return "".join(
        part if _CIRCLED_RE.fullmatch(part) else unicodedata.normalize("NFKC", part)
        for part in _CIRCLED_RE.split(text)
    )


def normalize_text(text: str) -> str:
    """NFKC (circled numbers kept), radical look-alikes, stray HTML tags and emphasis marks,
    runs of spaces and blank lines.

    Idempotent: ``normalize_text(normalize_text(t)) == normalize_text(t)``.
    """
    text = nfkc(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _LOOKALIKE_RE.sub(lambda m: _LOOKALIKES[m.group(0)], text)
    text = _TAG_RE.sub(" ", text)
    text = "\n".join(_without_emphasis(line) for line in text.split("\n"))
    text = _SPACES_RE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANKS_RE.sub("\n\n", text)
    return text.strip() + "\n"


def normalize_query(text: str) -> str:
    """The same normalisation for a one-line query (no trailing newline)."""
    return normalize_text(text).strip()


_SENTENCE_RE = re.compile(r"(?:[^。！？\n]|[。！？](?=[）)」』】]))+[。！？]?")
"""A 。 just before a closing bracket (「（重症例を除く。）や…」「「…。」と」) does not end the sentence."""


WRAP_SHARE = 0.85
WRAP_MIN_CHARS = 20
_WRAP_NEXT = re.compile(r"^(?:[・\-‐●○■□◆◇▶➢✓✔※【〇◎#]|[①-⑳]|\d+[.)]|\(\d+\)|第\d)")
_WRAP_END = re.compile(r"[。！？:)」』】]$")


def _wrapped(line: str, following: str, width: int) -> bool:
    """A line broken by the layout, not by the writer (a PDF's or a slide's
    「…身近で頼りになる」 / 「地域医療、保健、福祉を担う…医師。」): as wide as the widest line
    around it, ending without a full stop or a closing mark, and followed by a line that
    goes on with the sentence rather than starting an item, a heading or a table cell."""
    full = max(WRAP_MIN_CHARS, WRAP_SHARE * width)
    return (
        len(line) >= full
        and not _WRAP_END.search(line)
        and ("。" in following or len(following) >= full)  # it ends there, or wraps again
        and not _WRAP_NEXT.match(following)
        and " " not in following[:8]  # 「その他 「地域包括ケアの…」: a table's next cell
    )


def sentences(text: str) -> list[str]:
    """The sentences (and lines) of a passage, each a verbatim substring of it; a sentence the
    layout broke over two lines is one (its line break kept, so it still verifies).

    Quotes are taken sentence by sentence, so a quote copied from here always verifies.
    """
    width = max((len(line) for line in text.split("\n")), default=0)
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE_RE.finditer(text):  # never across a line break
        if spans and text[spans[-1][1] : m.start()] == "\n":
            line = text[text.rfind("\n", 0, spans[-1][1]) + 1 : spans[-1][1]]
            end = text.find("\n", m.start())
            following = text[m.start() : end if end >= 0 else len(text)]
            if _wrapped(line, following, width):
                spans[-1] = (spans[-1][0], m.end())
                continue
        spans.append((m.start(), m.end()))
    return [t for t in (text[a:b].strip() for a, b in spans) if t]


CREDIT = re.compile(r"^(?:出典|資料|引用元?)\s*[:：]|^[(（][^)）]*参照\s*[)）]$")
"""A figure's credit line (「出典:福岡市医師会提供資料」): where a chart came from, not what it says
(its 「令和6年5月24日 第5回…分科会資料」 dates no event the material describes); or a
cross-reference (「(事例集 P.16 豊中市…の事例参照)」), quoted once as an example sheet's 方策."""


EXCERPT = re.compile(r"^[^\n]{0,80}抜粋")
"""A passage opening with 「(抜粋)」 quotes another document (大阪府's paper quoting the national
指針 under 「<在宅医療の体制構築に係る指針※> (抜粋)」): its words are not the place's own."""


_LAYOUT_BREAK = re.compile(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])")


def one_line(quote: str) -> str:
    """A quote as read: a line break the layout put inside a sentence (see :func:`sentences`)
    is gone, or a space between Latin words, or after a schedule's time on its own line
    (「4~6月頃」 over 「報告内容の集計・分析等」, see :func:`schedule_items`: read run together,
    「4~6月頃報告内容…」). Quotes are stored verbatim, so they verify."""
    labelled = _TIME_ON_ITS_LINE.sub(r"\1 ", quote)
    return _LAYOUT_BREAK.sub("", labelled).replace("\n", " ")


SAME_TEXT_RATIO = 0.9
"""Share of one text's character bigrams found in the other for both to count as the same."""
_NUMBERING_RE = re.compile(r"^\s*(?:【[^】]{1,8}】|(?:原因|方策)\s*\d+\s*[:：])")
_NOISE_RE = re.compile(r"[\s、。,.:：・「」『』()（）【】]")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def comparable(text: str) -> str:
    """The words of a passage without numbering and punctuation, for :func:`same_comparable`."""
    return _NOISE_RE.sub("", _NUMBERING_RE.sub("", text))


def same_comparable(a: str, b: str) -> bool:
    """Nearly the same words, or one nearly inside the other (both from :func:`comparable`).

    The 新居浜・西条 council material repeats the guideline's example sheets with
    「【方策①】」 for 「方策1:」, a typo fixed, or without the ✓ sub-points; such copies
    should be shown once. Character bigrams keep it linear in the text length.
    """
    short, long_ = sorted((a, b), key=len)
    if len(short) < 2 or len(short) / len(long_) < 0.5:
        return False
    grams = _bigrams(short)
    return len(grams & _bigrams(long_)) / len(grams) >= SAME_TEXT_RATIO


def same_text(a: str, b: str) -> bool:
    """:func:`same_comparable` on two raw passages."""
    return same_comparable(comparable(a), comparable(b))


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled(n: int) -> str:
    """①, ②, … as in 【原因①】 and 「取組の詳細 ③」 (plain (21) past ⑳)."""
    return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else f"({n})"


# --- Markdown shown on screen or written to a file --------------------------------------------

NO_LINK = "\u2060"
"""WORD JOINER (invisible): put inside 「http:」「www.」「a@b」 it stops Streamlit's Markdown from
making a live link. A backslash or a character reference does not: checked in Chromium,
Streamlit links 「http\\://x.jp」, 「www\\.x.jp」 and 「a&#64;b.jp」 all the same."""
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")
_MD_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")
_MD_SCHEME = re.compile(r"(?i)(https?|ftp|mailto|javascript|data|file)(?=:)")
_MD_WWW = re.compile(r"(?i)\bwww(?=\.)")


def md_escape(text: str, *, inline: bool = False) -> str:
    """Text someone typed (or an LLM or a document wrote), shown literally in Markdown: no
    emphasis, link, image, autolink, HTML, table cell break or list; a leading 「=」 cannot
    start a spreadsheet formula.

    ``inline``: the text follows other Markdown on its first line (「**…**」, 「#### …」,
    「根拠: …」), where 「1.」 cannot start a list, so its first line start is kept as is."""
    from facilitator.reports.ingest.chars import clean_text  # facilitator.reports imports us

    text = clean_text(text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_SCHEME.sub(lambda m: m.group(1) + NO_LINK, text)  # 「http:」 split: no autolink
    text = _MD_WWW.sub(lambda m: m.group(0) + NO_LINK, text)
    text = text.replace("@", NO_LINK + "\\@")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [
        line if inline and i == 0 else _MD_LINE_START.sub(_escape_line_start, line)
        for i, line in enumerate(lines)
    ]
    return "  \n".join(lines)


def _escape_line_start(m: re.Match[str]) -> str:
    mark = m.group(1)
    return f"{mark}\\" if mark.isdigit() else f"\\{mark}"  # 「1.」 → 「1\.」, 「=」 → 「\=」


_MD_SCHEME_COLON = re.compile(r"(?i)(https?|ftp|mailto|javascript|data|file):")
_MD_WWW_DOT = re.compile(r"(?i)(www)\.")


def md_unlink(markdown: str) -> str:
    """Our own Markdown (headings, tables, bold kept) with every link, image and autolink
    taken apart, for showing an export whose texts were not escaped (st.markdown would
    otherwise show 「![x](http://…)」 as an image from that host). Character references are
    shown as the character but never read as Markdown, whatever backslashes precede them."""
    markdown = markdown.replace("[", "&#91;").replace("]", "&#93;")
    markdown = _MD_SCHEME_COLON.sub(lambda m: m.group(1) + NO_LINK + ":", markdown)
    markdown = _MD_WWW_DOT.sub(lambda m: m.group(1) + NO_LINK + ".", markdown)
    return re.sub(r"(?<=[\w.+-])@", NO_LINK + "@", markdown)


def japanese_time(iso: str) -> str:
    """A stored UTC timestamp as people here read it: 「2026年12月3日 17:48」 (Japan time).
    Text that is not a timestamp is returned as it is."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        t = datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Tokyo"))
    except ValueError:
        return iso
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


_WEEKDAYS = "月火水木金土日"
_DATE_RE = re.compile(r"\s*(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?")
_WEEKDAY_RE = re.compile(r"\s*[（(]\s*[月火水木金土日](?:曜日?)?\s*[）)]\s*")
REIWA_START = (2019, 5, 1)


def wareki_date(text: str) -> str:
    """A meeting date as councils print it, 「令和8年7月15日（水）」 (元年 for 2019), from
    「2026年7月15日」「2026-07-15」「2026/7/15」 (a weekday given is recomputed). Text that is
    not such a date, or a date before 令和, is returned as it is: the coordinator wrote it."""
    from datetime import date

    normal = unicodedata.normalize("NFKC", text)
    m = _DATE_RE.match(normal)
    if m is None or (m.end() < len(normal) and not _WEEKDAY_RE.fullmatch(normal[m.end() :])):
        return text
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return text
    if (day.year, day.month, day.day) < REIWA_START:
        return text
    year = day.year - 2018
    era = "元" if year == 1 else str(year)
    return f"令和{era}年{day.month}月{day.day}日（{_WEEKDAYS[day.weekday()]}）"


# Where a passage lists steps or items: numbered steps (①②③…) of a process and runs of list
# items (「・」「1.」), found line by line (see :func:`sentences`).

STEP_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"
STEPS_MIN = (3, 7)
"""Asked for the steps of a process, a run of at least this many lines numbered ①, ②, ③… in
order, each with at least this many characters after its number, is quoted step by step.
One sentence answered 「協議の場では、どういう順序で話を進めればいい？」 with the council
paper's 「協議に向けた枠組みの整理…」, or with the opener 「以下の①~⑥を繰り返しながら…」
that lists none of them. The length keeps out figure captions numbered the same way
(「③積極的役割を」)."""

LIST_ITEM = re.compile(r"^(?:-\s*)?(?:・|\d{1,2}\.\s)")


def step_lines(lines: list[str]) -> list[int]:
    """Where the numbered steps are: lines opening ①, ②, ③… in order (a new ① restarts).
    A questionnaire's numbered questions (「①…取組をこれまで行ったことはありますか？」) are no
    steps of a process: a run whose items mostly ask is none."""
    run: list[int] = []
    for i, line in enumerate(lines):
        n = len(run)
        mark, text = line[:1], line[1:].strip()
        if len(text) < STEPS_MIN[1]:
            continue
        if n < len(STEP_MARKS) and mark == STEP_MARKS[n]:
            run.append(i)
        elif mark == STEP_MARKS[0]:
            run = [i]
    asking = sum(1 for i in run if "?" in lines[i] or "？" in lines[i])
    return run if len(run) >= STEPS_MIN[0] and asking * 2 <= len(run) else []


_WHEN_LABEL = re.compile(r"^(?:- )?\d{1,2}月?(?:[~〜～-]\d{1,2})?月頃?[~〜～]?")


_TIME_ON_ITS_LINE = re.compile(f"({_WHEN_LABEL.pattern})\n", re.M)


def schedule_items(text: str, lines: list[str]) -> list[str]:
    """A yearly schedule's items, verbatim from ``text``, each a time and what happens then:
    「11月頃~ 医療機関への定期報告依頼」, or a time on a line of its own over what happens
    (「- 11月頃~」「医療機関への定期報告依頼」, quoted as one). None unless at least
    STEPS_MIN[0] items are found."""
    items: list[str] = []
    i = 0
    while i < len(lines):
        label = _WHEN_LABEL.match(lines[i])
        if label and lines[i][label.end() :].strip():
            items.append(lines[i])
        elif label and i + 1 < len(lines) and not _WHEN_LABEL.match(lines[i + 1]):
            start = text.find(lines[i])
            end = text.find(lines[i + 1], start) + len(lines[i + 1])
            items.append(text[start:end])
            i += 1
        i += 1
    return items if len(items) >= STEPS_MIN[0] else []


def list_run(lines: list[str]) -> tuple[int, list[int]]:
    """(the line above, the items) of the first run of at least three list items."""
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if LIST_ITEM.match(line):
            run.append(i)
            continue
        if len(run) >= STEPS_MIN[0] and run[0] > 0:
            return run[0] - 1, run
        run = []
    return -1, []


def step_text(text: str, lines: list[str], first: int, following: int) -> str:
    """Step ``first`` with its lines up to the ``following`` step (「⑤ 方策と役割分担の決定
    …について議論。地域の医療資源などを踏まえて…検討。」), verbatim from ``text``; the last
    step (``following`` 0) is its own line."""
    start = text.find(lines[first])
    end = text.find(lines[following], start) if following else -1
    return text[start:end].strip() if following and end > start else lines[first]
