"""Value types of the report data: areas, institutions, answers, import results, findings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SYNTHETIC_LABEL = "架空データ"
SYNTHETIC_TAG = f"【{SYNTHETIC_LABEL}】"
"""Put in front of a sentence whose figures come from the synthetic sample."""

AreaLevel = Literal["prefecture", "secondary", "municipality"]
LEVEL_LABELS: dict[str, str] = {
    "prefecture": "都道府県",
    "secondary": "二次医療圏",
    "municipality": "市町村",
}

FunctionState = Literal["有り", "意向有り", "無し", "対象外"]
STATE_CODES: dict[int, FunctionState] = {2: "有り", 1: "意向有り", 0: "無し", -1: "対象外"}
"""Stored state codes of a function: 対象外 = 2号 not reported because 1号 is absent."""


class Municipality(BaseModel):
    """One row of the area table: a 市町村 and its 二次医療圏 for a range of years."""

    code: str = Field(description="5-digit 全国地方公共団体コード (no check digit)")
    name: str
    pref_code: str
    pref_name: str
    sec_code: str = Field(description="二次医療圏コード (4 digits)")
    sec_name: str
    valid_from: int
    valid_to: int | None = Field(default=None, description="inclusive; None = open")
    population: int
    pop65: int
    pop75: int
    area_type: str = Field(default="", description="地域類型 (都市中心部, 郊外, 離島…), optional")
    synthetic: bool = False

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


class Area(BaseModel):
    """An area a council works on: a 市町村, a 二次医療圏 or the whole prefecture."""

    level: AreaLevel
    code: str
    name: str
    pref_code: str
    pref_name: str
    sec_code: str | None = None
    sec_name: str | None = None
    population: int
    pop65: int
    pop75: int
    municipalities: list[str] = Field(default_factory=list, description="市町村 codes inside")
    area_type: str = ""
    synthetic: bool = False

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


class Institution(BaseModel):
    """One institution's identity and derived function states for one report year."""

    year: int
    code: str
    name: str
    kind: Literal["病院", "診療所"]
    muni_code: str
    pref_code: str
    functions: dict[str, FunctionState] = Field(
        description="ichigo/jikangai/nyutaiin/zaitaku/kaigo/hoka → 有り/意向有り/無し/対象外"
    )
    synthetic: bool = False


class Answer(BaseModel):
    """One long-form answer: (institution, year, item, value)."""

    year: int
    inst_code: str
    item_id: str
    value: int | float | str


class RowError(BaseModel):
    """One problem in an input file, located for the person who has to fix it."""

    file: str
    row: int | None = Field(description="spreadsheet row (header = 1); None for file-level")
    column: str = Field(description="column header as written in the file ('' if none)")
    value: str = ""
    reason: str
    cell: str | None = Field(default=None, description="Excel-style cell, e.g. 'E5'")

    def message(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"列「{self.column}」" + (f"（{self.cell}）" if self.cell else ""))
        value = f" 値「{self.value}」" if self.value else ""
        return f"{' '.join(where)}:{value} {self.reason}"


class ImportResult(BaseModel):
    """What one imported file changed."""

    file: str
    kind: Literal["reports", "areas"]
    year: int | None = None
    dictionary_year: int | None = None
    prefectures: list[str] = Field(default_factory=list)
    rows: int = 0
    institutions: int = 0
    answers: int = 0
    municipalities: int = 0
    replaced: bool = Field(default=False, description="earlier data of the same scope replaced")
    synthetic: bool = False
    encoding: str | None = None
    warnings: list[str] = Field(default_factory=list)
    seconds: float = 0.0


class Comparison(BaseModel):
    """The reference a value is compared with (the prefecture average)."""

    label: str = "県平均"
    area_code: str
    area_name: str
    value: float | None
    relation: Literal["above", "below", "similar", "uncertain"] | None = None
    relation_label: str = ""


class Indicator(BaseModel):
    """One figure for one area, year and theme, traceable to its filter and N."""

    metric: str
    label: str
    theme: str
    unit: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    denominator_label: str = ""
    n: int = Field(description="institutions in the base (reporting, or 1号 for 2号 items)")
    area_code: str
    year: int
    filter: str
    prefecture_value: float | None = None
    detail: tuple[str, ...] = Field(default=(), description="e.g. names of areas with none")
    breakdown: dict[str, float] | None = Field(
        default=None, description="per code of a multi-select item: institutions selecting it"
    )


class Finding(BaseModel):
    """A citable statement about an area, with the figure and provenance behind it."""

    id: str = Field(description="stable: rpt-<year>-<area>-<theme>-<metric>")
    theme: str
    metric: str
    metric_label: str
    value: float | None
    unit: str
    count: float | None = None
    area_code: str
    area_name: str
    area_level: AreaLevel
    year: int
    n: int
    filter: str
    comparison: Comparison | None = None
    sentence: str = Field(description="Japanese sentence ready for a sheet's 現状")
    note: str = ""
    synthetic: bool = False
    source: str

    @property
    def provenance(self) -> str:
        """「2026年報告・N=53・…」: year, N and condition of the figure."""
        return provenance_text(self.year, self.n, self.filter)


def provenance_text(year: int | None, n: int | None, filter: str, synthetic: bool = False) -> str:
    """Year, N, condition and the synthetic flag of a figure, joined by 「・」.

    The condition text often names the year and N already; they are not repeated.
    The one wording of a figure's source for the app, the exports and the CLI.
    """
    parts: list[str] = []
    if year and f"{year}年" not in filter:
        parts.append(f"{year}年報告")
    if n is not None and "N=" not in filter:
        parts.append(f"N={n}")
    if filter:
        parts.append(filter)
    if synthetic:
        parts.append(SYNTHETIC_LABEL)
    return "・".join(parts)


def format_number(value: float) -> str:
    """A rate or share: one decimal, none from 1,000 up (「29,728」, not 「29,727.8」)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


def format_value(value: float | None, unit: str) -> str:
    """A figure as a reader writes it: 41.5%, 17施設, 6.0（65歳以上人口1万人当たり）.

    Rates and shares keep one decimal (none from 1,000 up), counts none; a unit that starts with a digit or is
    a phrase is put in brackets, since 「6」+「65歳以上…」 would read as 665. The one
    wording of a number for sheets, exports, the app and the CLI.
    """
    if value is None:
        return ""
    rate = unit == "%" or "当たり" in unit
    number = format_number(value) if rate or not float(value).is_integer() else f"{value:,.0f}"
    if not unit:
        return number
    if unit[0].isdigit() or len(unit) > 4:
        return f"{number}（{unit}）"
    return f"{number}{unit}"


class AreaSummary(BaseModel):
    """Indicators and findings of one area."""

    area: Area
    year: int
    n_institutions: int
    n_hospitals: int
    n_clinics: int
    n_ichigo: int
    synthetic: bool
    indicators: list[Indicator]
    findings: list[Finding]


class ReportSummary(BaseModel):
    """``summary()`` result: one entry per area, with provenance."""

    theme: str | None
    synthetic: bool
    label: str = Field(description="'架空データ' when any figure comes from the synthetic sample")
    source: str
    areas: list[AreaSummary]
