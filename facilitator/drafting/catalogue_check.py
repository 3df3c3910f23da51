"""Checking an issue catalogue before drafts use it — above all a prefecture's own file.

A pattern that names an unknown figure, an actor outside the vocabulary, a hospital role
without saying whether the area has a hospital, or a source that is not in the index
would make drafts silently poorer (the pattern is left out) or wrong. The check lists
every such problem in Japanese, naming the pattern and the field, and shows for how many
of the loaded areas each pattern holds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from facilitator.analysis.catalogue import (
    Catalogue,
    Pattern,
    applies,
    load_catalogue,
    read_catalogue,
    unrenderable,
)
from facilitator.analysis.profile import GapProfile, build_profile
from facilitator.drafting.roles import ROLE_ACTORS
from facilitator.reports.errors import NoReportDataError
from facilitator.settings import Settings
from facilitator.text import normalize_query
from facilitator.themes import COUNCIL_THEMES

DIRECTIONS = {"below", "above", "similar", "uncertain", "none"}
SPECIAL_FACTS = {
    "level",
    "rural",
    "area_type",
    "metrics.below",
    "metrics.above",
    "subareas",
    "subareas.below",
    "subareas.without_provider",
}


class CatalogueProblem(BaseModel):
    """One thing to fix, where it is and why."""

    theme: str
    pattern: str
    where: str = Field(description="the field, e.g. 方策 zaitaku-x の担い手")
    message: str

    def __str__(self) -> str:
        return f"{self.theme} / {self.pattern} / {self.where}: {self.message}"


class CatalogueReport(BaseModel):
    """What the check found for one catalogue file."""

    file: str
    patterns: dict[str, int] = Field(description="theme → patterns in the file")
    problems: list[CatalogueProblem] = Field(default_factory=list)
    holds_in: dict[str, int] = Field(
        default_factory=dict, description="pattern id → loaded areas where it holds"
    )
    areas: int = Field(default=0, description="areas with report data the patterns were tried on")
    sources_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _structure(theme: str, pattern: Pattern, known: set[str]) -> list[CatalogueProblem]:
    out: list[CatalogueProblem] = []

    def problem(where: str, message: str) -> None:
        out.append(CatalogueProblem(theme=theme, pattern=pattern.id, where=where, message=message))

    if not pattern.measures:
        problem("方策", "方策が1つもありません。")
    for m in pattern.measures:
        actors = [a.replace(":", "：").partition("：")[0].strip() for a in m.actors]
        for actor in actors:
            if actor not in ROLE_ACTORS:
                problem(
                    f"方策 {m.id} の担い手",
                    f"「{actor}」は担い手の一覧（{'／'.join(ROLE_ACTORS)}）にありません。",
                )
        hospital = [r for r in m.requires if r.fact == "actors.病院"]
        if "病院" in actors and not any((r.min or 0) >= 1 or r.max == 0 for r in hospital):
            problem(
                f"方策 {m.id} の担い手",
                "病院に役割を与えるときは requires に actors.病院 の min: 1（地域に病院がある）"
                "か max: 0（近隣の病院に頼る）を書いてください。",
            )
        if not m.progress:
            problem(f"方策 {m.id}", "進み具合を測る報告項目（progress）がありません。")
        for metric in m.progress:
            if known and metric.replace("{theme}", theme) not in known:
                problem(f"方策 {m.id} の progress", f"「{metric}」という指標はありません。")
    for c in (*pattern.when, *pattern.any):
        name = c.fact.replace("{theme}", theme)
        if name in SPECIAL_FACTS or name.startswith("actors."):
            continue
        if known and name not in known:
            problem("条件", f"「{c.fact}」という指標はありません。")
        wanted = (c.is_ or "").removeprefix("not_")
        if c.is_ is not None and wanted not in DIRECTIONS:
            problem("条件", f"「is: {c.is_}」は使えません（below／above／similar／uncertain）。")
    return out


def _sources(theme: str, pattern: Pattern, chunks: dict) -> list[CatalogueProblem]:
    out = []
    for s in pattern.all_sources():
        chunk = chunks.get(s.chunk)
        if chunk is None:
            message = f"出典「{s.chunk}」は索引にありません。"
        elif s.quote and normalize_query(s.quote) not in chunk.text:
            message = f"引用「{s.quote[:40]}」が出典「{s.chunk}」の本文にそのまま含まれていません。"
        else:
            continue
        out.append(CatalogueProblem(theme=theme, pattern=pattern.id, where="出典", message=message))
    return out


def _profiles(settings: Settings) -> dict[str, list[GapProfile]]:
    from facilitator.reports import list_areas

    out: dict[str, list[GapProfile]] = {t: [] for t in COUNCIL_THEMES}
    for area in list_areas(settings=settings):
        for theme in COUNCIL_THEMES:
            try:
                out[theme].append(build_profile(area, theme, settings=settings))
            except NoReportDataError:
                continue
    return out


def check_catalogue(path: Path | None, settings: Settings) -> CatalogueReport:
    """Check ``path`` (a prefecture's file; the shipped catalogue when None) against the
    index and the loaded report data.

    Raises:
        InputError: the file cannot be read or does not have the catalogue's form.
    """
    own: Catalogue = read_catalogue(path) if path is not None else load_catalogue()
    merged = load_catalogue(path)  # as drafts will see it: the file's patterns first
    profiles = _profiles(settings)
    chunks = _index_chunks(settings)
    report = CatalogueReport(
        file=str(path) if path is not None else "同梱の課題カタログ",
        patterns={t: len(tc.patterns) for t, tc in own.themes.items()},
        areas=max((len(p) for p in profiles.values()), default=0),
        sources_checked=chunks is not None,
    )
    ids = Counter(p.id for tc in merged.themes.values() for p in tc.patterns)
    measure_ids = Counter(
        m.id for tc in merged.themes.values() for p in tc.patterns for m in p.measures
    )
    for theme, tc in own.themes.items():
        if theme not in COUNCIL_THEMES:
            report.problems.append(
                CatalogueProblem(
                    theme=theme,
                    pattern="—",
                    where="テーマ",
                    message=f"テーマ「{theme}」はありません（{' / '.join(COUNCIL_THEMES)}）。",
                )
            )
            continue
        theme_profiles = profiles.get(theme, [])
        known = {m for p in theme_profiles for m in p.metrics}
        for pattern in tc.patterns:
            if ids[pattern.id] > 1:
                report.problems.append(
                    CatalogueProblem(
                        theme=theme,
                        pattern=pattern.id,
                        where="id",
                        message="同じ id が2回あります。",
                    )
                )
            for m in pattern.measures:
                if measure_ids[m.id] > 1:
                    report.problems.append(
                        CatalogueProblem(
                            theme=theme,
                            pattern=pattern.id,
                            where=f"方策 {m.id}",
                            message="同じ方策の id が2回あります。",
                        )
                    )
            report.problems += _structure(theme, pattern, known)
            if chunks is not None:
                report.problems += _sources(theme, pattern, chunks)
            missing = {k for p in theme_profiles if (k := unrenderable(pattern, p)) is not None}
            for key in sorted(missing):
                report.problems.append(
                    CatalogueProblem(
                        theme=theme,
                        pattern=pattern.id,
                        where="本文の {…}",
                        message=f"「{{{key}}}」を地域の数値で埋められません（名前の誤り）。",
                    )
                )
            report.holds_in[pattern.id] = sum(1 for p in theme_profiles if applies(pattern, p))
    return report


def _index_chunks(settings: Settings) -> dict | None:
    """The indexed chunks by id, or None when there is no index yet."""
    from facilitator.search.index import IndexStore, index_status

    if index_status(settings)["state"] not in ("current", "outdated"):  # same documents
        return None
    return IndexStore(settings).by_id
