"""The issue catalogue: per theme, the problems a council may have, when the data shows
them, what may cause them, what can be done and by whom — as data, not code.

The shipped catalogue (``facilitator/data/issue_catalogue.yaml``) is written from the
guideline's 協議イメージ例, the 事例集 cases and the local materials, and cites them by
chunk id. A prefecture adds its own patterns in a YAML file of the same shape (setting
``catalogue_file``); its patterns come first and may replace a shipped one by id.

A pattern's ``when`` conditions are read against the area's
:class:`~facilitator.analysis.profile.GapProfile`; its texts are templates whose
``{…}`` placeholders are filled with the area's own figures (:func:`render`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from facilitator.analysis.profile import GapProfile, MetricGap
from facilitator.errors import InputError
from facilitator.reports.models import format_number, format_value
from facilitator.settings import PACKAGE_DATA

CATALOGUE_FILE = PACKAGE_DATA / "issue_catalogue.yaml"
DIRECTIONS = ("below", "above", "similar", "uncertain", "none")


class Condition(BaseModel):
    """One test of a fact of the profile: a direction, a bound, or a truth value.

    Facts: a metric (``zaitaku.yes.per65``; ``{theme}`` is replaced), ``actors.<label>``
    (institutions of a kind in the area), ``subareas.without_provider`` /
    ``subareas.below`` (how many 市町村 have none / are below), ``metrics.below``,
    ``level``, ``rural``, ``area_type`` (e.g. 離島).
    """

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    fact: str
    is_: str | None = Field(default=None, alias="is")
    min: float | None = None
    max: float | None = None


class Source(BaseModel):
    """Where a pattern element comes from: an indexed chunk and, optionally, its words."""

    model_config = ConfigDict(extra="forbid")

    chunk: str
    quote: str | None = None


class CauseOption(BaseModel):
    """A cause hypothesis and what in the data (or on the ground) would confirm it."""

    model_config = ConfigDict(extra="forbid")

    text: str
    viewpoint: str = ""
    check: str = Field(default="", description="what to look at to confirm or rule it out")
    requires: list[Condition] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)


class MeasureOption(BaseModel):
    """A measure: who acts, what it needs, how progress shows in the next report."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    points: list[str] = Field(default_factory=list, description="✓ sub-points")
    actors: list[str] = Field(default_factory=list, description="who acts, in role order")
    requires: list[Condition] = Field(default_factory=list)
    progress: list[str] = Field(default_factory=list, description="metrics that show progress")
    horizon: str = Field(default="next_report", description="next_report | two_reports")
    precedent_query: str = Field(default="", description="words to find precedents with")
    sources: list[Source] = Field(default_factory=list)


class Pattern(BaseModel):
    """An issue an area may have, with the conditions under which its data shows it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    when: list[Condition] = Field(default_factory=list, description="all must hold")
    any: list[Condition] = Field(default_factory=list, description="one must hold, if given")
    strength: str = Field(default="", description="metric whose shortfall sets the priority")
    issue: str
    figures: list[str] = Field(default_factory=list, description="metrics the issue rests on")
    causes: list[CauseOption] = Field(default_factory=list)
    measures: list[MeasureOption] = Field(default_factory=list)
    effect: str = ""
    goal: str = ""
    sources: list[Source] = Field(
        default_factory=list, description="where the 課題 is stated (cited on the 課題)"
    )
    effect_sources: list[Source] = Field(
        default_factory=list, description="where the 効果 is stated (cited on the 効果)"
    )
    fallback: bool = Field(default=False, description="used only when no other pattern holds")

    @property
    def uses_subareas(self) -> bool:
        """The pattern is about the area's 市町村 (or a prefecture's 二次医療圏)."""
        return any(c.fact.startswith("subareas") for c in (*self.when, *self.any))

    def templates(self) -> list[str]:
        """Every text of the pattern that is filled with the area's figures."""
        out = [self.issue, self.goal, self.effect]
        out += [s for c in self.causes for s in (c.text, c.check)]
        out += [s for m in self.measures for s in (m.text, *m.points)]
        return [s for s in out if s]

    def all_sources(self) -> list[Source]:
        """Every source the pattern cites: 課題, 効果, causes and measures."""
        out = [*self.sources, *self.effect_sources]
        out += [s for c in self.causes for s in c.sources]
        return out + [s for m in self.measures for s in m.sources]


class ThemeCatalogue(BaseModel):
    """A theme's patterns and what the guideline's example 課題 asserts about the data."""

    model_config = ConfigDict(extra="forbid")

    example_topic: str = Field(description="the example 課題 in a few words")
    example_claim: list[Condition] = Field(
        default_factory=list, description="the data the example 課題 presumes (e.g. below)"
    )
    patterns: list[Pattern] = Field(default_factory=list)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    themes: dict[str, ThemeCatalogue]

    def theme(self, theme: str) -> ThemeCatalogue:
        return self.themes.get(theme) or ThemeCatalogue(example_topic="", patterns=[])


# --------------------------------------------------------------------------- loading


_PYDANTIC_JA = {
    "missing": "必須の項目がありません",
    "extra_forbidden": "この項目は使えません（綴りを確かめてください）",
    "string_type": "文字列で書いてください",
    "list_type": "一覧（- で始まる行）で書いてください",
    "dict_type": "項目の組（名前: 値）で書いてください",
    "model_type": "項目の組（名前: 値）で書いてください",
    "float_parsing": "数値で書いてください",
    "bool_parsing": "true か false で書いてください",
}


def _where(loc: tuple) -> str:
    return " > ".join(str(p) for p in loc) or "（ファイル全体）"


def read_catalogue(path: Path) -> Catalogue:
    """One catalogue file, checked for its form.

    Raises:
        InputError: unreadable, not YAML, or not the catalogue's form (each error named by
            where it is: 「themes > zaitaku > patterns > 0 > when: 必須の項目がありません」).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Catalogue.model_validate(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: 課題カタログを読めません（UTF-8 の YAML が必要です）。") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}行目" if mark is not None else "どこか"
        raise InputError(
            f"{path}: 課題カタログの YAML の書き方に誤りがあります（{line}）。"
        ) from exc
    except ValidationError as exc:
        where = "; ".join(
            f"{_where(e['loc'])}: {_PYDANTIC_JA.get(e['type'], '値が正しくありません')}"
            for e in exc.errors()[:5]
        )
        more = f" ほか{len(exc.errors()) - 5}件" if len(exc.errors()) > 5 else ""
        raise InputError(f"{path}: 課題カタログの形が正しくありません（{where}{more}）。") from exc


@cache
def _load(shipped: Path, extra: Path | None, mtime: float) -> Catalogue:
    base = read_catalogue(shipped)
    if extra is None:
        return base
    local = read_catalogue(extra)
    themes = dict(base.themes)
    for key, theirs in local.themes.items():
        ours = themes.get(key)
        if ours is None:
            themes[key] = theirs
            continue
        ids = {p.id for p in theirs.patterns}
        themes[key] = ours.model_copy(
            update={
                "patterns": [*theirs.patterns, *(p for p in ours.patterns if p.id not in ids)],
                "example_claim": theirs.example_claim or ours.example_claim,
            }
        )
    return Catalogue(version=f"{base.version}+{local.version}", themes=themes)


def load_catalogue(extra: Path | None = None, shipped: Path = CATALOGUE_FILE) -> Catalogue:
    """The shipped catalogue, with a prefecture's own file (if any) put in front."""
    if extra is not None and not extra.exists():
        raise InputError(f"{extra}: 課題カタログのファイルがありません。")
    mtime = extra.stat().st_mtime if extra is not None else 0.0
    return _load(shipped, extra, mtime)


# -------------------------------------------------------------------------- matching


def fact(profile: GapProfile, name: str) -> Any:
    """The value of a fact of the profile (see :class:`Condition`)."""
    name = name.replace("{theme}", profile.theme)
    if name.startswith("actors."):
        return profile.actors.get(name.removeprefix("actors."), 0)
    if name == "subareas.without_provider":
        return len(profile.without_provider)
    if name == "subareas.below":
        return sum(1 for s in profile.subareas if s.direction == "below")
    if name == "subareas":
        return len(profile.subareas)
    if name == "metrics.below":
        return len(profile.below)
    if name == "metrics.above":
        return sum(1 for g in profile.metrics.values() if g.direction == "above")
    if name == "level":
        return profile.level
    if name == "rural":
        return profile.rural
    if name == "area_type":
        return profile.area_type
    return profile.get(name)


def holds(condition: Condition, profile: GapProfile) -> bool:
    """Whether the profile satisfies one condition (an unknown metric never does)."""
    value = fact(profile, condition.fact)
    if isinstance(value, MetricGap):
        number, direction = value.value, value.direction
    elif isinstance(value, bool):
        number, direction = float(value), str(value).lower()
    elif isinstance(value, int | float):
        number, direction = float(value), None
    elif isinstance(value, str):
        number, direction = None, value
    else:
        return False
    if condition.is_ is not None:
        wanted = condition.is_
        if wanted.startswith("not_"):
            if direction is None or direction == wanted.removeprefix("not_"):
                return False
        elif direction != wanted:
            return False
    if condition.min is not None and (number is None or number < condition.min):
        return False
    return not (condition.max is not None and (number is None or number > condition.max))


def applies(pattern: Pattern, profile: GapProfile) -> bool:
    """All of ``when`` and, if given, one of ``any``."""
    if not all(holds(c, profile) for c in pattern.when):
        return False
    return not pattern.any or any(holds(c, profile) for c in pattern.any)


class Match(BaseModel):
    """A pattern that holds for the area, with how strongly."""

    pattern: Pattern
    score: float


def unrenderable(pattern: Pattern, profile: GapProfile) -> str | None:
    """The first placeholder of the pattern that names nothing in the profile (a typo in a
    prefecture's own catalogue), or None when every text fills."""
    for template in pattern.templates():
        try:
            render(template, profile)
        except KeyError as exc:
            return str(exc.args[0])
    return None


def match(catalogue: Catalogue, profile: GapProfile) -> list[Match]:
    """The theme's patterns that hold, strongest gap first; the fallback when none does.

    A pattern whose texts cannot be filled for this area is left out (see
    :func:`unrenderable`; ``facilitator catalogue check`` names it).
    """
    patterns = [
        p for p in catalogue.theme(profile.theme).patterns if unrenderable(p, profile) is None
    ]
    found = []
    for p in patterns:
        if p.fallback or not applies(p, profile):
            continue
        gap = profile.get(p.strength) if p.strength else None
        score = gap.shortfall if gap is not None else 0.0
        score += 0.3 * len(profile.without_provider) if p.uses_subareas else 0.0
        found.append(Match(pattern=p, score=round(score, 4)))
    found.sort(key=lambda m: -m.score)  # stable: catalogue order breaks ties
    if found:
        return found
    return [Match(pattern=p, score=0.0) for p in patterns if p.fallback and applies(p, profile)]


# ------------------------------------------------------------------------- rendering

_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|(\w+))?\}")


def render(template: str, profile: GapProfile) -> str:
    """Fill ``{…}`` with the area's figures.

    ``{area}``, ``{pref}`` (prefecture name), ``{next_year}``; for a metric: ``{m}`` the
    value with its unit (「6.0（65歳以上人口1万人当たり）」), ``{m|per}`` the unit first
    (「65歳以上人口1万人当たり6.0」「41.5%」), ``{m|vs}`` the value and the prefecture's
    (「65歳以上人口1万人当たり6.0、県平均9.7」), ``{m|pref}`` the prefecture's value,
    ``{m|n}`` the institutions in the base, ``{m|count}`` the count behind a share or
    rate; ``{actors.<label>}`` a count of institutions; ``{subareas.without_provider}`` the
    names of the 市町村 with none, ``{subareas.below}`` those below the prefecture (a
    prefecture's 二次医療圏, a 二次医療圏's 市町村), ``{subareas.weakest}`` the one with the
    fewest providers per 65歳以上人口; ``{m|dir}`` says 「県平均を下回る」 etc. Line breaks of the YAML between Japanese words vanish.

    Raises:
        KeyError: a placeholder that names nothing in the profile.
    """

    def fill(m: re.Match[str]) -> str:
        key, part = m.group(1).strip(), m.group(2)
        if key == "area":
            return profile.area_name
        if key == "pref":
            return profile.pref_name
        if key == "next_year":
            return f"{profile.next_year}年"
        if key == "subareas.without_provider":
            return "、".join(s.name for s in profile.without_provider) or "なし"
        if key == "subareas.below":
            return "、".join(s.name for s in profile.subareas if s.direction == "below") or "なし"
        if key == "subareas.weakest":
            rated = [s for s in profile.subareas if s.rate is not None]
            return min(rated, key=lambda s: (s.rate, s.name)).name if rated else "なし"
        if key.startswith("actors."):
            return f"{profile.actors.get(key.removeprefix('actors.'), 0):,}施設"
        gap = profile.get(key)
        if gap is None:
            raise KeyError(key)
        return figure(gap, part)

    return _JOIN_RE.sub("", _PLACEHOLDER.sub(fill, template)).strip()


_JOIN_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def figure(gap: MetricGap, part: str | None = None) -> str:
    """A metric as a reader writes it: 「6.0（65歳以上人口1万人当たり）」「41.5%」「22施設」."""
    if part == "pref":
        return format_value(gap.prefecture, gap.unit)
    if part == "dir":
        return {
            "below": "県平均を下回る",
            "above": "県平均を上回る",
            "similar": "県平均と同程度",
            "uncertain": "件数が少なく県平均との差は判断できない",
        }.get(gap.direction, "")
    if part in ("per", "vs"):
        ours = _unit_first(gap.value, gap.unit)
        if part == "per":
            return ours
        return f"{ours}、県平均{_unit_first(gap.prefecture, gap.unit, bare=True)}"
    if part == "n":
        return f"{gap.n:,}施設"
    if part == "count":
        unit = "件" if ".sum." in gap.metric else "施設"
        return format_value(gap.numerator, unit) if gap.numerator is not None else "—"
    return format_value(gap.value, gap.unit)


def _unit_first(value: float | None, unit: str, bare: bool = False) -> str:
    """「65歳以上人口1万人当たり6.0」 for rates (``bare``: just 6.0), else 41.5% or 22施設."""
    if "当たり" in unit:
        number = "" if value is None else format_number(value)
        return number if bare else f"{unit}{number}"
    return format_value(value, unit)
