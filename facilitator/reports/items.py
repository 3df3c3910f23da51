"""The item dictionary, code lists and column mappings of the report, loaded from data files.

A new year's form is a new ``report_items_<year>.json`` (plus codes and columns files of the
same year) in ``facilitator/data/``; nothing here names an item.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from facilitator.settings import PACKAGE_DATA
from facilitator.themes import THEME_FUNCTIONS

DATA_DIR = PACKAGE_DATA

FUNCTIONS: tuple[str, ...] = ("1号", "2号イ", "2号ロ", "2号ハ", "2号ニ", "2号ホ")
"""Reported functions in form order."""

FUNCTION_KEYS: dict[str, str] = {f: t for t, f in THEME_FUNCTIONS.items()} | {"2号ホ": "hoka"}
"""Function → ASCII key (the first five are the council themes of ``facilitator.themes``)."""

State = Literal["yes", "willing", "no"]
AnswerType = Literal["choice", "multi", "count", "decimal", "text"]


class Choice(BaseModel):
    """One code of a single-choice item."""

    code: int
    label: str
    state: State | None = Field(default=None, description="yes=有り, willing=意向有り, no=無し")
    tags: list[str] = Field(default_factory=list, description="e.g. '24h'")
    unconfirmed: bool = False


class Code(BaseModel):
    """One entry of a code list (a domain or a disease)."""

    code: int = Field(ge=1, le=63, description="a bit of the int64 multi-select mask")
    name: str
    unconfirmed: bool = False


class CodeList(BaseModel):
    """A numbered list used by multi-select items."""

    key: str
    name: str
    codes: list[Code]

    def names(self) -> dict[int, str]:
        return {c.code: c.name for c in self.codes}


class Item(BaseModel):
    """One reported item of the form."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    function: Literal["1号", "2号イ", "2号ロ", "2号ハ", "2号ニ", "2号ホ"]
    name: str
    answer_type: AnswerType
    choices: list[Choice] = Field(default_factory=list)
    code_list: str | None = None
    decimals: int | None = None
    max_value: float | None = Field(
        default=None,
        gt=0,
        le=2**53,
        description="upper bound of a count/decimal item (default per answer type, see limits)",
    )
    starred: bool = Field(default=False, description="★: all must hold for 1号機能")
    prefilled: bool = Field(default=False, description="pre-filled from NDB claims data")
    period: Literal["基準日", "前年1年間"] = "基準日"
    unconfirmed: bool = Field(default=False, description="not checked against the primary list")
    decides: bool | None = Field(
        default=None,
        description="counts towards its 2号 function's presence (default: choice/count items)",
    )
    phrase: str | None = Field(default=None, description="「…医療機関」 phrase for findings")
    rate_base: Literal["pop65", "pop75", "population"] = "pop65"
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Item:
        if self.answer_type == "choice" and not self.choices:
            raise ValueError(f"{self.id}: choice item without choices")
        if self.answer_type == "multi" and not self.code_list:
            raise ValueError(f"{self.id}: multi item without code_list")
        if self.decides is None:
            self.decides = self.function != "1号" and self.answer_type in ("choice", "count")
        return self

    @property
    def function_key(self) -> str:
        return FUNCTION_KEYS[self.function]

    @property
    def required(self) -> bool:
        """Confirmed items must be present as a column; unconfirmed ones may be absent."""
        return not self.unconfirmed

    def choice(self, code: int) -> Choice | None:
        for c in self.choices:
            if c.code == code:
                return c
        return None


class ItemDictionary(BaseModel):
    """All items of one year's form, with its code lists and column mapping."""

    form_year: int
    title: str
    source: str = ""
    items: list[Item]
    code_lists: dict[str, CodeList]
    columns: dict[str, list[str]] = Field(description="item id or identity field → headers")
    required_identity: list[str]
    ignored_headers: list[str] = Field(default_factory=list)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def by_function(self, function: str) -> list[Item]:
        return [it for it in self.items if it.function == function]

    def header(self, field: str) -> str:
        """The canonical column header of an item id or identity field."""
        return self.columns[field][0]

    def header_lookup(self) -> dict[str, str]:
        """Normalised header → field."""
        out: dict[str, str] = {}
        for field, headers in self.columns.items():
            for h in headers:
                out[header_key(h)] = field
        return out


def header_key(text: str) -> str:
    """Normalise a column header or a choice label for matching."""
    text = unicodedata.normalize("NFKC", str(text))
    text = text.replace("〜", "~")
    return re.sub(r"\s+", "", text).strip()


def available_years() -> list[int]:
    """Years that have an item dictionary file, ascending."""
    years = []
    for p in DATA_DIR.glob("report_items_*.json"):
        m = re.fullmatch(r"report_items_(\d{4})\.json", p.name)
        if m:
            years.append(int(m.group(1)))
    return sorted(years)


def dictionary_year_for(year: int) -> int:
    """The form in force for a report year: the latest dictionary not after it (else the first)."""
    years = available_years()
    if not years:
        raise FileNotFoundError(f"no report_items_*.json in {DATA_DIR}")
    usable = [y for y in years if y <= year]
    return usable[-1] if usable else years[0]


@cache
def load_dictionary(year: int | None = None) -> ItemDictionary:
    """Load the item dictionary for a report year (latest form if ``year`` is None)."""
    form_year = dictionary_year_for(year) if year is not None else available_years()[-1]
    raw = json.loads((DATA_DIR / f"report_items_{form_year}.json").read_text("utf-8"))
    sets = raw.get("choice_sets", {})
    items = []
    for entry in raw["items"]:
        entry = dict(entry)
        if isinstance(entry.get("choices"), str):
            entry["choices"] = sets[entry["choices"]]
        items.append(Item.model_validate(entry))
    codes_raw = json.loads((DATA_DIR / f"report_codes_{form_year}.json").read_text("utf-8"))
    code_lists = {
        key: CodeList(key=key, name=v["name"], codes=[Code.model_validate(c) for c in v["codes"]])
        for key, v in codes_raw["code_lists"].items()
    }
    cols_raw = json.loads((DATA_DIR / f"report_columns_{form_year}.json").read_text("utf-8"))
    columns = {**cols_raw["institution"], **cols_raw["items"]}
    missing = [it.id for it in items if it.id not in columns]
    if missing:
        raise ValueError(f"report_columns_{form_year}.json lacks headers for {missing}")
    for it in items:
        if it.code_list and it.code_list not in code_lists:
            raise ValueError(f"{it.id}: unknown code list {it.code_list}")
    return ItemDictionary(
        form_year=raw["form_year"],
        title=raw["title"],
        source=raw.get("source", ""),
        items=items,
        code_lists=code_lists,
        columns=columns,
        required_identity=cols_raw["required"],
        ignored_headers=cols_raw.get("ignored", []),
    )


class AreaColumns(BaseModel):
    """Column mapping of the area table (市町村表)."""

    columns: dict[str, list[str]]
    required: list[str]
    ignored: list[str] = Field(default_factory=list)

    def header(self, field: str) -> str:
        return self.columns[field][0]

    def header_lookup(self) -> dict[str, str]:
        return {header_key(h): f for f, hs in self.columns.items() for h in hs}


@cache
def load_area_columns() -> AreaColumns:
    """Load ``area_columns.json``."""
    raw = json.loads((DATA_DIR / "area_columns.json").read_text("utf-8"))
    return AreaColumns(columns=raw["columns"], required=raw["required"], ignored=raw["ignored"])


def identity_header_lookup() -> dict[str, str]:
    """Normalised header → identity field, over every form (used before the year is known)."""
    out: dict[str, str] = {}
    for y in available_years():
        raw = json.loads((DATA_DIR / f"report_columns_{y}.json").read_text("utf-8"))
        for field, headers in raw["institution"].items():
            for h in headers:
                out[header_key(h)] = field
    return out
