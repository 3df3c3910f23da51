"""Compiled per-column validators: each parses one raw cell text to a value or a reason.

Columns are validated by their distinct values (a count column of 100,000 rows has a few
hundred), so the hot path is one dict lookup per cell; rows are located only on failure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from facilitator.reports.ingest import limits
from facilitator.reports.ingest.chars import clean_line, clean_text, visible
from facilitator.reports.ingest.fast_csv import FactorColumn
from facilitator.reports.items import CodeList, Item, header_key

Parsed = tuple[object, str | None]
"""(value or None for blank, reason if invalid)."""
Parser = Callable[[str], Parsed]

_NONE = {"0", "無し", "なし", "該当なし", "該当無し"}
_CANON = re.compile(r"[1-9][0-9]*(?:;[1-9][0-9]*)*")
_SPLIT = re.compile(r"[;,、/|\s]+")
_INT = re.compile(r"[0-9]+")
_INT_DOT0 = re.compile(r"([0-9]+)\.0+")
_DEC = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_YES = {"有", "有り", "あり", "有る", "はい", "○", "〇", "◯", "yes", "y", "true"}
_NO = {"無", "無し", "なし", "無い", "いいえ", "×", "✕", "no", "n", "false"}


def norm(raw: str) -> str:
    """NFKC + strip: full-width digits and letters become ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


def whole_number(text: str, limit: float) -> int | None:
    """``text`` of digits (or digits + '.000') as an int if it is at most ``limit``; else None.

    The digits are counted before any conversion, so a 5,000-digit value costs nothing and
    never meets Python's int-string limit or a float infinity.
    """
    m = _INT_DOT0.fullmatch(text)
    digits = (m.group(1) if m else text).lstrip("0") or "0"
    if len(digits) > len(str(int(limit))):
        return None
    value = int(digits)
    return value if value <= limit else None


def _over(label: str, limit: float) -> str:
    return (
        f"{label}が上限（{limit:,.0f}）を超えています。"
        "入力の誤り（桁の誤り・単位の誤り）でないか確認してください。"
    )


def _token(text: str) -> str:
    """A piece of a cell quoted in a reason: control characters visible, at most 20 chars."""
    return visible(text, 20)


def _choice_text(item: Item) -> str:
    return "、".join(f"{c.code}:{c.label}" for c in item.choices)


def choice_parser(item: Item) -> Parser:
    """Single choice: the code (full-width digits accepted) or the label."""
    tokens: dict[str, int] = {}
    for c in item.choices:
        tokens[str(c.code)] = c.code
        tokens[header_key(c.label)] = c.code
    codes = {c.code for c in item.choices}
    if codes == {0, 1} and all(c.state in ("yes", "no") for c in item.choices):
        yes = next(c.code for c in item.choices if c.state == "yes")
        for t in _YES:
            tokens.setdefault(t, yes)
        for t in _NO:
            tokens.setdefault(t, 1 - yes)
    allowed = _choice_text(item)

    def parse(raw: str) -> Parsed:
        key = header_key(raw).lower() if raw.isascii() else header_key(raw)
        if not key:
            return None, None
        if key in tokens:
            return tokens[key], None
        if _INT_DOT0.fullmatch(key):
            code = whole_number(key, 9999)
            if code in codes:
                return code, None
        return None, f"選択肢にない値です（{allowed}）。"

    return parse


def multi_parser(item: Item, code_list: CodeList) -> Parser:
    """Multi-select: codes (or names) separated by ; , 、 / | or spaces; stored as '1;3;17'."""
    names: dict[str, int] = {}
    for c in code_list.codes:
        names[header_key(c.name)] = c.code
        if c.name.endswith("領域"):
            names[header_key(c.name[:-2])] = c.code
    valid = {c.code for c in code_list.codes}
    lo, hi = min(valid), max(valid)

    valid_text = {str(c) for c in valid}

    def parse(raw: str) -> Parsed:
        if _CANON.fullmatch(raw):  # fast path: already '1;3;17', ascending and known
            codes = raw.split(";")
            if all(c in valid_text for c in codes):
                ints = list(map(int, codes))
                if all(a < b for a, b in pairwise(ints)):
                    return raw, None
        text = norm(raw)
        if not text:
            return None, None
        if text in names:  # a name may itself contain separators
            return str(names[text]), None
        if text in _NONE:  # answered, nothing selected
            return "", None
        out: set[int] = set()
        for tok in _SPLIT.split(text):
            if not tok:
                continue
            code = whole_number(tok, hi) if _INT.fullmatch(tok) else None
            if code in valid:
                out.add(code)  # type: ignore[arg-type]
            elif header_key(tok) in names:
                out.add(names[header_key(tok)])
            else:
                return (
                    None,
                    f"「{_token(tok)}」は{code_list.name}のコード（{lo}〜{hi}）にありません。",
                )
        if not out:
            return None, None
        return ";".join(str(c) for c in sorted(out)), None

    return parse


def count_parser(item: Item) -> Parser:
    """Non-negative integer up to the item's bound (``limits.MAX_COUNT`` unless the dictionary
    sets ``max_value``); full-width digits and thousands separators accepted."""
    limit = limits.max_value("count", item.max_value)

    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, None
        if _INT.fullmatch(text) or _INT_DOT0.fullmatch(text):
            value = whole_number(text, limit)
            if value is None:
                return None, _over("件数", limit)
            return value, None
        if re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text):
            return None, "件数に負の値は入力できません（0以上の整数）。"
        return None, "件数は0以上の整数で入力してください。"

    return parse


def decimal_parser(item: Item) -> Parser:
    """Non-negative number with at most ``item.decimals`` decimals (常勤換算), up to the item's
    bound (``limits.MAX_DECIMAL`` unless the dictionary sets ``max_value``)."""
    places = item.decimals if item.decimals is not None else 1
    limit = limits.max_value("decimal", item.max_value)

    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, None
        m = _DEC.fullmatch(text)
        if not m:
            return None, f"0以上の数値（小数点以下{places}桁まで）で入力してください。"
        whole, frac = m.group(1), (m.group(2) or "").rstrip("0")
        if len(frac) > places:
            return None, f"小数点以下は{places}桁までです。"
        if whole_number(whole, limit) is None:
            return None, _over("数値", limit)
        value = round(float(f"{whole}.{frac or 0}"), places)
        if value > limit:
            return None, _over("数値", limit)
        return value, None

    return parse


def text_parser(item: Item | None = None, max_len: int | None = None) -> Parser:
    """Free text: NFKC-normalised, trimmed, control characters removed (tab and newline
    kept), length-limited (``limits.MAX_TEXT_CHARS`` by default)."""
    limit = max_len if max_len is not None else limits.MAX_TEXT_CHARS

    def parse(raw: str) -> Parsed:
        text = clean_text(norm(raw)).strip()
        if not text:
            return None, None
        if len(text) > limit:
            return None, f"{limit:,}文字を超えています（{len(text):,}文字）。"
        return text, None

    return parse


def line_parser(max_len: int) -> Parser:
    """Optional one-line text (都道府県名, 地域類型): like ``required_text`` but may be blank."""

    def parse(raw: str) -> Parsed:
        text = clean_line(norm(raw)).strip()
        if not text:
            return None, None
        if len(text) > max_len:
            return None, f"{max_len:,}文字を超えています（{len(text):,}文字）。"
        return text, None

    return parse


def item_parser(item: Item, code_lists: dict[str, CodeList]) -> Parser:
    """The compiled parser of one item of the dictionary."""
    if item.answer_type == "choice":
        return choice_parser(item)
    if item.answer_type == "multi":
        return multi_parser(item, code_lists[item.code_list or ""])
    if item.answer_type == "count":
        return count_parser(item)
    if item.answer_type == "decimal":
        return decimal_parser(item)
    return text_parser(item)


# --- identity and area fields ------------------------------------------------------------


def check_digit(code5: str) -> int:
    """Check digit of a 5-digit 全国地方公共団体コード."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def muni_code(raw: str) -> Parsed:
    text = norm(raw)
    if not text:
        return None, "市町村コードが空欄です。"
    if not _INT.fullmatch(text):
        return None, "市町村コードは5桁（検査数字付きは6桁）の数字です。"
    if len(text) == 4:
        return None, "市町村コードが4桁です（先頭の0が落ちていないか確認してください）。"
    if len(text) == 6:
        if check_digit(text[:5]) != int(text[5]):
            return None, "6桁の市町村コードの検査数字が正しくありません。"
        text = text[:5]
    if len(text) != 5 or text[:2] == "00":
        return None, "市町村コードは5桁（検査数字付きは6桁）の数字です。"
    return text, None


def sec_code(raw: str) -> Parsed:
    text = norm(raw)
    if not text:
        return None, None
    if not re.fullmatch(r"[0-9]{4}", text):
        return None, "二次医療圏コードは4桁の数字（都道府県2桁＋連番2桁）です。"
    return text, None


def inst_code(raw: str) -> Parsed:
    if len(raw) in (10, 13) and raw.isascii() and raw.isdigit():  # the usual case
        return raw, None
    text = norm(raw).replace("-", "")
    if not text:
        return None, "医療機関コードが空欄です。"
    if not _INT.fullmatch(text):
        return None, "医療機関コードは数字のみです（10桁または13桁）。"
    if len(text) in (9, 12):
        return None, "医療機関コードの桁数が足りません（先頭の0が落ちていないか確認してください）。"
    if len(text) not in (10, 13):
        return None, "医療機関コードは10桁（保険医療機関コード）または13桁（ナビイID）の数字です。"
    return text, None


def required_text(label: str, max_len: int | None = None) -> Parser:
    """A required one-line text (a name): control characters removed, tab/newline → space."""
    limit = max_len if max_len is not None else limits.MAX_NAME_CHARS

    def parse(raw: str) -> Parsed:
        text = clean_line(norm(raw)).strip()
        if not text:
            return None, f"{label}が空欄です。"
        if len(text) > limit:
            return None, f"{label}が{limit:,}文字を超えています（{len(text):,}文字）。"
        return text, None

    return parse


_KINDS = {
    "1": "病院",
    "病院": "病院",
    "2": "診療所",
    "診療所": "診療所",
    "一般診療所": "診療所",
    "有床診療所": "診療所",
    "無床診療所": "診療所",
    "クリニック": "診療所",
}


def inst_kind(raw: str) -> Parsed:
    text = norm(raw)
    if text in _KINDS:
        return _KINDS[text], None
    if not text:
        return None, "施設区分が空欄です（病院 または 診療所）。"
    return None, "施設区分は「病院」または「診療所」（1 または 2）です。"


def report_year(raw: str) -> Parsed:
    """報告年: 2026, 2026年, 令和8年, R8."""
    text = norm(raw).replace(" ", "")
    if not text:
        return None, "報告年が空欄です。"
    m = re.fullmatch(r"([0-9]{4})年?(度)?", text)
    if m:
        year = int(m.group(1))
    else:
        m = re.fullmatch(r"(?:令和|R|r)([0-9]{1,2}|元)年?(度)?", text)
        if not m:
            return None, "報告年は西暦4桁（例 2026）または「令和8年」の形で入力してください。"
        year = 2018 + (1 if m.group(1) == "元" else int(m.group(1)))
    if not 2020 <= year <= 2100:
        return None, "報告年が範囲外です（2020〜2100）。"
    return year, None


def non_negative_int(label: str, limit: float | None = None) -> Parser:
    """A required count of people (人口): 0 … ``limit`` (``limits.MAX_POPULATION``)."""
    top = limit if limit is not None else limits.MAX_POPULATION

    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, f"{label}が空欄です。"
        if _INT.fullmatch(text) or _INT_DOT0.fullmatch(text):
            value = whole_number(text, top)
            if value is None:
                return None, _over(label, top)
            return value, None
        return None, f"{label}は0以上の整数で入力してください。"

    return parse


def optional_year(label: str) -> Parser:
    def parse(raw: str) -> Parsed:
        text = norm(raw)
        if not text:
            return None, None
        m = re.fullmatch(r"([0-9]{4})年?度?", text)
        if not m:
            return None, f"{label}は西暦4桁で入力してください。"
        return int(m.group(1)), None

    return parse


def year_range(raw: str) -> Parsed:
    """有効年度: '2024-2029', '2024〜2029', '2024-' (open), '2024' (that year only)."""
    text = header_key(raw).replace("年度", "").replace("年", "")
    if not text:
        return None, "有効年度が空欄です（例 2024-2029）。"
    m = re.fullmatch(r"([0-9]{4})(?:([-~])([0-9]{4})?)?", text)
    if not m:
        return None, "有効年度は「2024-2029」「2024-」の形で入力してください。"
    start = int(m.group(1))
    end = int(m.group(3)) if m.group(3) else (None if m.group(2) else start)
    if end is not None and end < start:
        return None, "有効年度の終了が開始より前です。"
    return (start, end), None


class ColumnResult:
    """Parsed values of one column, held as distinct values + one index per row.

    ``bad`` maps the raw texts that failed to their reasons.
    """

    def __init__(
        self, uniques: list[str], parsed: list[object], codes: np.ndarray, bad: dict[str, str]
    ) -> None:
        self.uniques = uniques
        self.parsed = parsed
        self.codes = codes
        self.bad = bad

    @property
    def values(self) -> list[object]:
        """The parsed value of every row (None for blank)."""
        table = np.empty(len(self.parsed), dtype=object)
        for k, v in enumerate(self.parsed):
            table[k] = v
        return table[self.codes].tolist()

    def mapped(self, fn: Callable[[object], object], dtype: type) -> np.ndarray:
        """``fn`` applied to each distinct parsed value, spread to every row as an array."""
        return np.array([fn(v) for v in self.parsed], dtype=dtype)[self.codes]

    def bad_rows(self) -> np.ndarray:
        """Indices of the rows whose text failed."""
        bad_idx = [k for k, u in enumerate(self.uniques) if u in self.bad]
        return np.flatnonzero(np.isin(self.codes, bad_idx)) if bad_idx else np.empty(0, dtype=int)


def parse_column(raw: Sequence[str], parser: Parser) -> ColumnResult:
    """Apply ``parser`` once per distinct value; rows keep an index into the distinct values."""
    if isinstance(raw, FactorColumn):  # read by Arrow: already factorised
        uniques, codes = raw.uniques, raw.codes
    else:
        uniques = list(dict.fromkeys(raw))
        pos = {u: k for k, u in enumerate(uniques)}
        codes = np.fromiter(map(pos.__getitem__, raw), dtype=np.int32, count=len(raw))
    parsed: list[object] = []
    bad: dict[str, str] = {}
    for text in uniques:
        value, reason = parser(text)
        if reason is not None:
            bad[text] = reason
        parsed.append(value)
    return ColumnResult(uniques, parsed, codes, bad)
