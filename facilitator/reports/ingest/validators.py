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

from facilitator.reports.items import CodeList, Item, header_key

Parsed = tuple[object, str | None]
"""(value or None for blank, reason if invalid)."""
Parser = Callable[[str], Parsed]

_NONE = {"0", "無し", "なし", "該当なし", "該当無し"}
_CANON = re.compile(r"[1-9][0-9]*(?:;[1-9][0-9]*)*")
_SPLIT = re.compile(r"[;,、/|\s]+")
_INT = re.compile(r"[0-9]+")
_DEC = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_YES = {"有", "有り", "あり", "有る", "はい", "○", "〇", "◯", "yes", "y", "true"}
_NO = {"無", "無し", "なし", "無い", "いいえ", "×", "✕", "no", "n", "false"}


def norm(raw: str) -> str:
    """NFKC + strip: full-width digits and letters become ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


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
        if re.fullmatch(r"[0-9]+\.0+", key) and int(float(key)) in codes:
            return int(float(key)), None
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
            if _INT.fullmatch(tok) and int(tok) in valid:
                out.add(int(tok))
            elif header_key(tok) in names:
                out.add(names[header_key(tok)])
            else:
                return None, f"「{tok}」は{code_list.name}のコード（{lo}〜{hi}）にありません。"
        if not out:
            return None, None
        return ";".join(str(c) for c in sorted(out)), None

    return parse


def count_parser(item: Item) -> Parser:
    """Non-negative integer; full-width digits and thousands separators accepted."""

    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, None
        if _INT.fullmatch(text):
            return int(text), None
        if re.fullmatch(r"[0-9]+\.0+", text):
            return int(float(text)), None
        if re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text):
            return None, "件数に負の値は入力できません（0以上の整数）。"
        return None, "件数は0以上の整数で入力してください。"

    return parse


def decimal_parser(item: Item) -> Parser:
    """Non-negative number with at most ``item.decimals`` decimals (常勤換算)."""
    places = item.decimals if item.decimals is not None else 1

    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, None
        if not _DEC.fullmatch(text):
            return None, f"0以上の数値（小数点以下{places}桁まで）で入力してください。"
        value = float(text)
        if abs(round(value, places) - value) > 1e-9:
            return None, f"小数点以下は{places}桁までです。"
        return round(value, places), None

    return parse


def text_parser(item: Item | None = None, max_len: int = 2000) -> Parser:
    """Free text: NFKC-normalised, trimmed, length-limited."""

    def parse(raw: str) -> Parsed:
        text = norm(raw)
        if not text:
            return None, None
        if len(text) > max_len:
            return None, f"{max_len}文字を超えています。"
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


def required_text(label: str, max_len: int = 200) -> Parser:
    def parse(raw: str) -> Parsed:
        text = norm(raw)
        if not text:
            return None, f"{label}が空欄です。"
        if len(text) > max_len:
            return None, f"{label}が{max_len}文字を超えています。"
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


def non_negative_int(label: str) -> Parser:
    def parse(raw: str) -> Parsed:
        text = norm(raw).replace(",", "")
        if not text:
            return None, f"{label}が空欄です。"
        if _INT.fullmatch(text):
            return int(text), None
        if re.fullmatch(r"[0-9]+\.0+", text):
            return int(float(text)), None
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
