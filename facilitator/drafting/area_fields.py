"""The offline draft's analysis of the area: 課題・原因・方策・効果・検証指標 from the gap
profile and the catalogue patterns that hold for it.

Nothing here states a direction the profile does not show: a pattern is used only when
its conditions hold, its figures are the area's own, 原因 are labelled hypotheses with
what would confirm them, 方策 are kept only when their prerequisites hold and name only
actors the area has (or the neighbouring hospitals it relies on), and 検証指標 set an
attainable step for the next report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from facilitator.analysis.catalogue import (
    Condition,
    Match,
    MeasureOption,
    Source,
    ThemeCatalogue,
    figure,
    holds,
    render,
)
from facilitator.analysis.profile import THEME_ACTORS, GapProfile, MetricGap
from facilitator.corpus.chunks import Chunk
from facilitator.drafting.roles import DEFAULT_ACTIONS, local_roles
from facilitator.drafting.support import cite_best
from facilitator.reports.models import SYNTHETIC_LABEL, format_number, format_value
from facilitator.sheets.model import (
    Cause,
    Citation,
    Claim,
    FigureRef,
    Measure,
    Priority,
    Role,
    Statement,
    VerificationIndicator,
)

MAX_PATTERNS = 2
"""Patterns a sheet works on: the strongest gap and, if there is one, the next."""
MAX_MEASURES = 5
MAX_INDICATORS = 6
HIGH = 0.3
"""A shortfall of 30 % of the prefecture's value (or a 市町村 with none) makes 優先度 高."""
_METRIC_RE = re.compile(r"\{([^{}|]+)(?:\|\w+)?\}")


# --------------------------------------------------------------------------- figures


def figure_ref(profile: GapProfile, metric: str) -> FigureRef | None:
    """A figure of the profile as the sheet carries it, with its provenance."""
    gap = profile.get(metric)
    if gap is None or gap.value is None:
        return None
    return FigureRef(
        finding_id=gap.finding_id
        or f"rpt-{profile.year}-{profile.area_code}-{profile.theme}-{gap.metric}",
        sentence=f"{gap.short_label}: {figure(gap, 'vs') if _comparable(gap) else figure(gap)}",
        metric=gap.metric,
        value=gap.value,
        unit=gap.unit,
        area_code=profile.area_code,
        area_name=profile.area_name,
        year=profile.year,
        n=gap.n,
        filter=gap.filter,
        synthetic=profile.synthetic,
    )


def _comparable(gap: MetricGap) -> bool:
    """Shares and rates compare with the prefecture; counts of an area do not."""
    return gap.prefecture is not None and (gap.unit == "%" or "当たり" in gap.unit)


def used_metrics(template: str, profile: GapProfile) -> list[str]:
    """Metrics a template shows (``{zaitaku.yes|vs}``, ``{actors.訪問看護を行う医療機関}``)."""
    out: list[str] = []
    actor_metrics = dict(THEME_ACTORS.get(profile.theme, ()))
    actor_metrics |= {
        "機能を有する医療機関": f"{profile.theme}.yes",
        "意向有りの医療機関": f"{profile.theme}.willing",
    }
    for m in _METRIC_RE.finditer(template):
        key = m.group(1).strip().replace("{theme}", profile.theme)
        if key.startswith("actors."):
            key = actor_metrics.get(key.removeprefix("actors."), "")
        if key and profile.get(key) is not None and key not in out:
            out.append(key)
    return out


def figures_of(profile: GapProfile, *metrics: str) -> list[FigureRef]:
    out = []
    for metric in dict.fromkeys(metrics):
        ref = figure_ref(profile, metric)
        if ref is not None:
            out.append(ref)
    return out


def claims_of(conditions: list[Condition], profile: GapProfile) -> list[Claim]:
    """The directions a pattern's conditions assert about metrics (what its text claims)."""
    out = []
    for c in conditions:
        if c.is_ in ("below", "above") and profile.get(c.fact) is not None:
            out.append(Claim(metric=c.fact.replace("{theme}", profile.theme), direction=c.is_))
    return out


def cites(chunks: Mapping[str, Chunk], sources: list[Source], statement: str) -> list[Citation]:
    """Each source's sentence that best supports ``statement``."""
    out = [cite_best(chunks, s.chunk, statement, s.quote) for s in sources]
    return [c for c in out if c is not None]


# ----------------------------------------------------------------------------- 課題


def _fact_phrase(gap: MetricGap) -> str:
    words = {
        "below": "県平均を下回る",
        "above": "県平均を上回る",
        "similar": "県平均と同程度",
        "uncertain": f"報告する医療機関が{gap.n}施設と少なく、県平均との差は判断できない",
    }
    value = figure(gap, "vs") if _comparable(gap) else figure(gap)
    return f"{gap.short_label}は{value}で、{words.get(gap.direction, '')}".rstrip("で、")


def example_absent(theme: ThemeCatalogue | None, profile: GapProfile) -> str | None:
    """A plain sentence when the guideline's example 課題 is not what the data shows."""
    if theme is None or not theme.example_claim or not theme.example_topic:
        return None
    if all(holds(c, profile) for c in theme.example_claim):
        return None
    gaps = [profile.get(c.fact) for c in theme.example_claim]
    facts = "、".join(_fact_phrase(g) for g in gaps if g is not None)
    return (
        f"ガイドラインの協議イメージ例の課題（{theme.example_topic}）は、{profile.area_name}の"
        f"報告データでは確かめられない（{facts}）。"
    )


def issue(
    profile: GapProfile,
    matches: list[Match],
    theme: ThemeCatalogue | None,
    chunks: Mapping[str, Chunk],
    user_text: str | None = None,
    example: Source | None = None,
) -> Statement:
    """課題: the area's actual gap(s) with their figures; the user's own problem first.

    ``example`` is the guideline's example 課題: cited too; it counts as backing only where
    the data shows it and it says what this 課題 says (support score), else it is 参考.
    """
    parts: list[str] = []
    if user_text:
        parts.append(f"{profile.area_name}では、{user_text.rstrip('。')}。")
    absent = example_absent(theme, profile)
    if absent:
        parts.append(absent)
    used = matches[:MAX_PATTERNS] if matches and matches[0].score > 0 else matches[:1]
    texts = [render(m.pattern.issue, profile) for m in used]
    if texts:
        lead = "報告データからは、" if user_text else ("課題は、" if absent else "")
        parts.append(lead + "あわせて、".join(texts))
    text = "".join(parts)
    metrics = [
        f for m in used for f in (m.pattern.figures or used_metrics(m.pattern.issue, profile))
    ]
    if any(m.pattern.uses_subareas for m in used):  # rests on the 市町村別 breakdown
        metrics += [f"{profile.theme}.yes.per65", f"{profile.theme}.none_areas"]
    citations = cites(chunks, [s for m in used for s in m.pattern.sources], text)
    if example is not None:
        shown = cites(chunks, [example], text)
        for c in shown:  # quoted as what the data does not show: context, not backing
            c.reference = c.reference or bool(absent)
        citations += [c for c in shown if all(c.chunk_id != o.chunk_id for o in citations)]
    return Statement(
        text=text,
        figures=figures_of(profile, *metrics),
        claims=[c for m in used for c in claims_of(m.pattern.when, profile)],
        citations=citations,
    )


# --------------------------------------------------------------------------- 目指す姿


def goal(
    profile: GapProfile, matches: list[Match], chunks: Mapping[str, Chunk], example: Source
) -> Statement:
    """目指す姿 of the strongest pattern (the guideline's example when it has none)."""
    written = next((m.pattern.goal for m in matches[:MAX_PATTERNS] if m.pattern.goal), "")
    if not written:
        chunk = chunks.get(example.chunk)
        written = chunk.text if chunk is not None else ""
    head = render(written, profile).rstrip("。")
    area = profile.area_name
    text = head if head.startswith(area) else f"{area}において、{head}"
    return Statement(text=f"{text}。", citations=cites(chunks, [example], head))


# ----------------------------------------------------------------------------- 原因


def causes(profile: GapProfile, matches: list[Match], chunks: Mapping[str, Chunk]) -> list[Cause]:
    """Hypotheses of the patterns, each labelled as such, with how to confirm it."""
    out: list[Cause] = []
    seen: set[str] = set()
    for m in matches[:MAX_PATTERNS]:
        for option in m.pattern.causes:
            if not all(holds(c, profile) for c in option.requires):
                continue
            head = render(option.text, profile).rstrip("。")
            if head in seen:
                continue
            seen.add(head)
            check = render(option.check, profile).rstrip("。") if option.check else ""
            text = f"{head}（仮説）。" + (f"確かめ方: {check}。" if check else "")
            out.append(
                Cause(
                    text=text,
                    viewpoint=option.viewpoint,
                    figures=figures_of(profile, *used_metrics(option.check, profile)),
                    citations=cites(chunks, option.sources, head),
                )
            )
    return out


# ----------------------------------------------------------------------------- 方策


def _split_actor(entry: str) -> tuple[str, str]:
    actor, sep, action = entry.replace(":", "：").partition("：")
    return actor.strip(), action.strip() if sep else ""


def roles(option: MeasureOption, profile: GapProfile) -> list[Role]:
    """The measure's actors, as the area has them (see :func:`local_roles`)."""
    pairs = [_split_actor(entry) for entry in option.actors]
    named = [Role(actor=a, action=action or DEFAULT_ACTIONS.get(a, "")) for a, action in pairs]
    return local_roles(named, profile)


def priority(match: Match, rank: int, profile: GapProfile) -> Priority:
    """From the size of the gap: 高 for a large shortfall or a 市町村 without the function."""
    large = match.score >= HIGH or bool(profile.without_provider)
    if rank == 0 and not match.pattern.fallback:
        return "高" if large else "中"
    return "中" if large else "低"


def measures(
    profile: GapProfile, matches: list[Match], chunks: Mapping[str, Chunk]
) -> list[Measure]:
    """The patterns' measures whose prerequisites hold, by pattern strength."""
    out: list[Measure] = []
    seen: set[str] = set()
    for rank, m in enumerate(matches[:MAX_PATTERNS]):
        for option in m.pattern.measures:
            if option.id in seen or not all(holds(c, profile) for c in option.requires):
                continue
            seen.add(option.id)
            text = render(option.text, profile)
            if option.points:
                text += "（" + " ".join(f"✓{render(p, profile)}" for p in option.points) + "）"
            out.append(
                Measure(
                    text=text,
                    roles=roles(option, profile),
                    priority=priority(m, rank, profile),
                    source="guideline" if _from_guideline(option) else "user",
                    figures=figures_of(profile, *used_metrics(option.text, profile)),
                    citations=cites(chunks, option.sources, text),
                )
            )
            if len(out) >= MAX_MEASURES:
                return out
    return out


def _from_guideline(option: MeasureOption) -> bool:
    return any(s.chunk.startswith("guideline-") for s in option.sources)


def progress_metrics(profile: GapProfile, matches: list[Match]) -> list[str]:
    """What the next report should show moving: the measures' progress metrics in order."""
    out: list[str] = []
    for m in matches[:MAX_PATTERNS]:
        for option in m.pattern.measures:
            if all(holds(c, profile) for c in option.requires):
                out += [p.replace("{theme}", profile.theme) for p in option.progress]
        out += [f.replace("{theme}", profile.theme) for f in m.pattern.figures]
    return [p for p in dict.fromkeys(out) if profile.get(p) is not None]


# ------------------------------------------------------------------------ 効果・検証指標


def effects(
    profile: GapProfile,
    matches: list[Match],
    indicators: list[VerificationIndicator],
    chunks: Mapping[str, Chunk],
) -> list[Statement]:
    """効果 of the patterns, each saying which indicator and which report will show it."""
    names = "」「".join(i.name for i in indicators[:3])
    check = f"（{profile.next_year}年の報告の「{names}」で確かめる）" if names else ""
    out: list[Statement] = []
    for m in matches[:MAX_PATTERNS]:
        if not m.pattern.effect:
            continue
        head = render(m.pattern.effect, profile).rstrip("。")
        out.append(
            Statement(
                text=f"{head}。{check}",
                citations=cites(chunks, m.pattern.effect_sources, head),
            )
        )
    return out


def target(gap: MetricGap, profile: GapProfile) -> str:
    """An attainable step for the next report, in words a council can check."""
    year = f"{profile.next_year}年の報告で"
    if gap.metric.endswith("none_areas"):
        if gap.value:
            return f"{year}{int(gap.value) - 1}市町村以下（{int(gap.value)}市町村から1つ減らす）"
        return f"{year}0市町村を維持"
    if gap.direction == "below" and gap.prefecture is not None and gap.value is not None:
        step = gap.value + (gap.prefecture - gap.value) / 3
        return (
            f"{year}{format_value(step, gap.unit)}以上"
            f"（県平均{format_value(gap.prefecture, gap.unit)}との差を3分の1縮める）"
        )
    if gap.unit == "施設" and gap.value is not None:
        willing = profile.value(f"{profile.theme}.willing") or 0
        if gap.metric == f"{profile.theme}.yes" and willing:
            more = max(1, math.ceil(willing / 3))
            return f"{year}{format_value(gap.value + more, '施設')}以上（「意向有り」{int(willing)}施設の3分の1が「有り」に）"
        return f"{year}{format_value(gap.value + 1, '施設')}以上"
    if gap.value is not None:
        return f"{year}{format_value(gap.value, gap.unit)}以上を維持"
    return f"{year}把握する"


def indicators(
    profile: GapProfile, matches: list[Match], item_ids: dict[str, list[str]]
) -> list[VerificationIndicator]:
    """検証指標 tied to the measures: baseline, an attainable step and the report year."""
    out = []
    for metric in progress_metrics(profile, matches)[:MAX_INDICATORS]:
        gap = profile.get(metric)
        if gap is None:
            continue
        out.append(
            VerificationIndicator(
                name=gap.short_label,
                item_ids=item_ids.get(metric, []),
                metric=metric,
                baseline=gap.value,
                unit=gap.unit,
                target=target(gap, profile),
            )
        )
    return out


# ------------------------------------------------------------------------------ 現状


def breakdown(profile: GapProfile) -> Statement | None:
    """The area's 市町村 (or a prefecture's 二次医療圏) on the theme, so averages hide nothing."""
    if not profile.subareas:
        return None
    unit = "二次医療圏" if profile.level == "prefecture" else "市町村"
    parts = []
    for s in profile.subareas:
        if s.providers == 0:
            parts.append(f"{s.name}0施設")
        else:
            rate = format_number(s.rate) if s.rate is not None else "—"
            mark = {"below": "・県平均を下回る", "above": "・県平均を上回る"}.get(s.direction, "")
            small = "・施設数が少なく比較できない" if s.direction == "uncertain" else ""
            parts.append(f"{s.name}{s.providers}施設（{rate}{mark}{small}）")
    head = f"{unit}別に見ると（機能を有する医療機関、括弧内は65歳以上人口1万人当たり）、"
    tag = f"【{SYNTHETIC_LABEL}】" if profile.synthetic else ""
    return Statement(
        text=f"{tag}{head}" + "、".join(parts) + "。",
        figures=figures_of(profile, f"{profile.theme}.yes.per65", f"{profile.theme}.none_areas"),
    )


def pattern_ids(matches: list[Match]) -> list[str]:
    return [m.pattern.id for m in matches[:MAX_PATTERNS]]
