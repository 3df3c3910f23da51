"""The offline composer: a deterministic first draft from the guideline, precedents and data.

No LLM and no generated prose beyond fixed templates: 現状 are the report findings,
目指す姿・課題・原因・効果 follow the guideline's example sheet for the theme (adapted with
the area name and its key figure, each citing the example field verbatim), 方策 are the
example's measures plus the best precedents retrieved for the problem (each citing the
passage it comes from), 検証指標 come from the report items. Same inputs, same sheet.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from facilitator.analysis.catalogue import Source
from facilitator.corpus.chunks import Chunk
from facilitator.corpus.parsers.base import ExampleSheet, SheetItem
from facilitator.drafting import area_fields
from facilitator.drafting.context import DraftContext
from facilitator.drafting.precedents import precedent_measure
from facilitator.drafting.roles import (
    DEFAULT_ACTIONS,
    MAX_ROLES,
    THEME_LEAD,
    infer_actors,
    local_roles,
    participants,
    point_role,
    viewpoint,
)
from facilitator.drafting.support import clean
from facilitator.errors import NotFoundError
from facilitator.reports.items import load_dictionary
from facilitator.reports.models import SYNTHETIC_LABEL, SYNTHETIC_TAG, Finding, format_number
from facilitator.sheets.citations import MIN_QUOTE_CHARS
from facilitator.sheets.model import (
    Cause,
    Citation,
    FigureRef,
    IssueSheet,
    Measure,
    Provenance,
    Role,
    Statement,
    VerificationIndicator,
)
from facilitator.text import normalize_query, sentences
from facilitator.themes import THEME_FUNCTIONS, THEME_LABELS

COMPOSER_VERSION = "offline-composer/1"
MAX_INDICATORS = 6


# ------------------------------------------------------------------------------ helpers


def cite(
    chunks: Mapping[str, Chunk], chunk_id: str | None, preferred: str | None
) -> Citation | None:
    """A citation of ``chunk_id`` quoting ``preferred`` if it is verbatim, else its longest sentence.

    A proposal: the draft's citations are verified together when it is finalized.
    """
    chunk = chunks.get(chunk_id or "")
    if chunk is None:
        return None
    quote = normalize_query(preferred or "")
    if len(quote) < MIN_QUOTE_CHARS or quote not in chunk.text:
        candidates = [clean(s) for s in sentences(chunk.text)]
        candidates = [s for s in candidates if len(s) >= MIN_QUOTE_CHARS]
        if not candidates:
            return None
        quote = max(candidates, key=len)
    return Citation(chunk_id=chunk.chunk_id, quote=quote)


def _cites(chunks: Mapping[str, Chunk], *pairs: tuple[str | None, str | None]) -> list[Citation]:
    out = [cite(chunks, cid, text) for cid, text in pairs]
    return [c for c in out if c is not None]


def _strip_synthetic(sentence: str) -> str:
    return sentence.removeprefix(SYNTHETIC_TAG)


def _shortfall(f: Finding) -> float:
    """Relative gap below the prefecture (0 when not below or not comparable)."""
    c = f.comparison
    if c is None or c.relation != "below" or f.value is None or not c.value:
        return 0.0
    return (c.value - f.value) / c.value


def key_finding(findings: list[Finding]) -> Finding | None:
    """The figure that best states the problem: the largest shortfall against the prefecture,
    else a municipality without the function, else the first finding."""
    below = sorted((f for f in findings if _shortfall(f) > 0), key=lambda f: (-_shortfall(f), f.id))
    if below:
        return below[0]
    gaps = [f for f in findings if f.metric.endswith("none_areas") and (f.value or 0) > 0]
    if gaps:
        return gaps[0]
    return findings[0] if findings else None


def has_gap(findings: list[Finding]) -> bool:
    """A figure below the prefecture average, or a municipality without the function."""
    return any(
        (f.comparison is not None and f.comparison.relation == "below")
        or (f.metric.endswith("none_areas") and (f.value or 0) > 0)
        for f in findings
    )


def footnote_numbers(chunks: Mapping[str, Chunk], doc_id: str) -> set[int]:
    """Footnote numbers of a document (the guideline marks terms like 「協力医療機関20」)."""
    return {
        int(c.metadata["footnote"])
        for c in chunks.values()
        if c.doc_id == doc_id
        and c.metadata.get("section_kind") == "footnote"
        and str(c.metadata.get("footnote", "")).isdigit()
    }


def display_text(text: str, footnotes: Collection[int]) -> str:
    """The example's wording without footnote markers (the citation keeps them verbatim)."""
    for n in sorted(footnotes, reverse=True):
        text = re.sub(rf"(?<=[^\d\s.]){n}(?=[、。,，)）の等\s]|$)", "", text)
    return text


def _with_area(area: str, text: str, particle: str) -> str:
    return text if text.startswith(area) else f"{area}{particle}、{text}"


# ------------------------------------------------------------------------------ fields


def current_state(context: DraftContext) -> list[Statement]:
    """One statement per finding, each carrying its figure; a note when there is no data."""
    if not context.findings:
        text = (
            context.data_message
            or f"{context.area.name}の報告データがないため、現状の数値は記載していません。"
        )
        return [Statement(text=text, basis="報告データなし")]
    out = []
    for f in context.findings:
        text = f.sentence
        if f.synthetic and SYNTHETIC_LABEL not in text:
            text = SYNTHETIC_TAG + text
        out.append(Statement(text=text, figures=[FigureRef.from_finding(f)], basis=f.note))
    return out


def goal(
    context: DraftContext,
    ex: ExampleSheet,
    chunks: Mapping[str, Chunk],
    footnotes: Collection[int] = (),
) -> Statement:
    return Statement(
        text=_with_area(context.area.name, display_text(ex.goal, footnotes), "において"),
        citations=_cites(chunks, (ex.chunk_ids.get("goal"), ex.goal)),
    )


def issue(
    context: DraftContext,
    ex: ExampleSheet,
    chunks: Mapping[str, Chunk],
    footnotes: Collection[int] = (),
) -> Statement:
    """課題: the user's problem or the example's, in the area, with the key local figure."""
    area = context.area.name
    user = context.request.issue_text
    base = user if user else display_text(ex.issue, footnotes)
    text = _with_area(area, base.rstrip("。") + "。", "では")
    key = key_finding(context.findings)
    figures = []
    if key is not None:
        lead = "報告データでは、" if has_gap([key]) else "参考として、報告データでは、"
        text += lead + _strip_synthetic(key.sentence)
        if key.synthetic:
            text += f"（{SYNTHETIC_LABEL}）"
        figures.append(FigureRef.from_finding(key))
    basis = (
        "課題は入力された内容です。ガイドラインの協議イメージ例の課題を参考として引用しています。"
        if user
        else ""
    )
    return Statement(
        text=text,
        figures=figures,
        basis=basis,
        citations=_cites(chunks, (ex.chunk_ids.get("issue"), ex.issue)),
    )


def causes(
    ex: ExampleSheet, chunks: Mapping[str, Chunk], footnotes: Collection[int] = ()
) -> list[Cause]:
    return [
        Cause(
            text=display_text(c.text, footnotes),
            viewpoint=viewpoint(c.text),
            citations=_cites(chunks, (c.chunk_id, c.text)),
        )
        for c in ex.causes
    ]


def guideline_measure(
    item: SheetItem,
    context: DraftContext,
    chunks: Mapping[str, Chunk],
    footnotes: Collection[int] = (),
) -> Measure:
    """方策 from the example sheet. 「事例集 P.n」 stays an unresolved note, never a citation.

    Priority: 高 when it starts from かかりつけ医機能報告 and the area shows a gap (a
    figure below the prefecture average or a municipality without the function), else 中.
    """
    pairs = [point_role(p, context.theme) for p in item.points]
    roles = [role for role, _ in pairs]
    covered = {a for _, actors in pairs for a in actors}
    lead = THEME_LEAD.get(context.theme, "郡市区医師会")
    for actor in [*infer_actors(item.text), lead]:
        if actor not in covered and len(roles) < MAX_ROLES:
            roles.append(Role(actor=actor, action=DEFAULT_ACTIONS[actor]))
            covered.add(actor)
    text = display_text(item.text, footnotes)
    if item.points:
        text += "（" + " ".join(f"✓{p}" for p in item.points) + "）"
    figures = []
    willing = next((f for f in context.findings if f.metric == f"{context.theme}.willing"), None)
    if "意向" in item.text and willing is not None:
        text += f"報告データでは、{_strip_synthetic(willing.sentence)}"
        figures.append(FigureRef.from_finding(willing))
    basis = ""
    if item.external_refs:
        basis = (
            "ガイドラインの参照: "
            + "、".join(item.external_refs)
            + "（2025年版の事例集はコーパスにないため未照合。2022年版の事例とは結び付けていません）"
        )
    urgent = "かかりつけ医機能報告" in item.text and has_gap(context.findings)
    return Measure(
        text=text,
        roles=local_roles(roles[:MAX_ROLES], context.profile),
        priority="高" if urgent else "中",
        source="guideline",
        figures=figures,
        basis=basis,
        citations=_cites(chunks, (item.chunk_id, item.text)),
    )


def effects(context: DraftContext, chunks: Mapping[str, Chunk]) -> list[Statement]:
    """The example sheets' 効果 (each distinct wording once), cited."""
    out: list[Statement] = []
    seen: list[str] = []
    for ex in context.examples:
        text = normalize_query(ex.effect)
        if not text or any(text in s or s in text for s in seen):
            continue
        seen.append(text)
        out.append(
            Statement(
                text=display_text(ex.effect, footnote_numbers(chunks, ex.doc_id)),
                citations=_cites(chunks, (ex.chunk_ids.get("effect"), ex.effect)),
            )
        )
    return out


def _item_ids(metric: str, theme: str, year: int | None) -> list[str]:
    """Report item ids an indicator metric is built on (from the item dictionary)."""
    if metric.startswith("item."):
        return [metric.split(".")[1]]
    d = load_dictionary(year)
    items = d.by_function(THEME_FUNCTIONS[theme])
    if ".h24" in metric:
        return [it.id for it in items if any("24h" in c.tags for c in it.choices)]
    if theme == "ichigo":
        return [it.id for it in d.items if it.starred]
    return [it.id for it in items if it.decides]


def _target(f: Finding) -> str:
    if f.metric.endswith("none_areas"):
        return "0市町村（すべての市町村で確保）"
    if f.metric.endswith(".willing"):
        return "「意向有り」の医療機関が「有り」に移る（次回の報告で確認）"
    if (
        f.comparison is not None
        and f.comparison.relation == "below"
        and f.comparison.value is not None
    ):
        return f"県平均（{format_number(f.comparison.value)}{'%' if f.unit == '%' else ''}）以上"
    return "維持・増加"


def indicators(context: DraftContext) -> list[VerificationIndicator]:
    """検証指標 from the area's findings (baseline = current value), else from the item dictionary."""
    if context.findings:
        return [
            VerificationIndicator(
                name=f.metric_label,
                item_ids=_item_ids(f.metric, context.theme, f.year),
                metric=f.metric,
                baseline=f.value,
                unit=f.unit,
                target=_target(f),
            )
            for f in context.findings[:MAX_INDICATORS]
        ]
    d = load_dictionary(context.request.year)
    items = [
        it for it in d.by_function(THEME_FUNCTIONS[context.theme]) if it.decides or it.starred
    ][:MAX_INDICATORS]
    return [
        VerificationIndicator(name=it.name, item_ids=[it.id], target="次回の報告で把握")
        for it in items
    ]


# ------------------------------------------------------------------------------ sheet


def compose_sheet(context: DraftContext) -> IssueSheet:
    """The offline draft for ``context``; its citations are proposals, verified when the
    draft is finalized (:func:`facilitator.drafting.draft.finalize`).

    With the area's report data the sheet is an analysis of the area (gap profile and
    catalogue patterns, :mod:`facilitator.drafting.area_fields`); without data it follows the
    guideline's example sheet and says that the figures are missing.

    Raises:
        NotFoundError: the index has no example sheet for the theme (re-ingest the corpus).
    """
    ex = context.example
    if ex is None:
        raise NotFoundError(
            f"テーマ「{context.theme}」の協議イメージ例（ガイドライン）が索引にありません。"
            "`facilitator ingest` で索引を作り直してください。"
        )
    chunks = context.chunks
    notes = footnote_numbers(chunks, ex.doc_id)
    fields = (
        analysed(context, ex, notes)
        if context.profile is not None
        else example_based(context, ex, notes)
    )
    by_id = {h.chunk_id: h for h in context.hits}
    cited = {c.chunk_id for m in fields["measures"] for c in m.citations}
    for p in context.precedents:
        if p.chunk_id in cited:  # the catalogue's measure already draws on this passage
            continue
        m = precedent_measure(
            by_id[p.chunk_id], p.sentences, len(p.found_by), "user" in p.found_by, context, chunks
        )
        if m is not None:
            fields["measures"].append(m)
    messages = []
    if any(f.synthetic for f in context.findings):
        messages.append(
            f"現状の数値は{SYNTHETIC_LABEL}（サンプル）です。実際の協議には使えません。"
        )
    if context.data_message:
        messages.append(context.data_message)
    if any(not r.confident for r in context.runs if r.purpose == "user"):
        messages.append(
            "入力された課題に十分に当てはまる先行事例は見つかりませんでした"
            "（報告データと課題カタログにもとづく方策のみ提案しています）。"
        )
    area = context.area
    return IssueSheet(
        title=f"{area.name} {THEME_LABELS.get(context.theme, context.theme)}の課題シート（下書き）",
        area=area,
        theme=context.theme,
        participants=participants(context),
        **fields,
        provenance=Provenance(
            mode="offline",
            composer_version=COMPOSER_VERSION,
            embedder=context.embedder,
            index_version=context.index_version,
            data_year=context.data_year,
            retrieved_chunk_ids=context.retrieved_ids,
            issue_text=context.request.issue_text,
            patterns=area_fields.pattern_ids(context.matches),
            messages=messages,
        ),
    )


def analysed(context: DraftContext, ex: ExampleSheet, notes: Collection[int]) -> dict:
    """課題 to 検証指標 from the area's gap profile and the catalogue patterns it matches."""
    profile, matches, chunks = context.profile, context.matches, context.chunks
    assert profile is not None
    state = current_state(context)
    extra = area_fields.breakdown(profile)
    if extra is not None:
        state.append(extra)
    ids = {
        m: _item_ids(m, context.theme, profile.year)
        for m in area_fields.progress_metrics(profile, matches)
    }
    checks = area_fields.indicators(profile, matches, ids)
    return {
        "current_state": state,
        "goal": area_fields.goal(profile, matches, chunks, Source(chunk=ex.chunk_ids["goal"]))
        if ex.chunk_ids.get("goal")
        else goal(context, ex, chunks, notes),
        "issue": area_fields.issue(
            profile,
            matches,
            context.catalogue_theme,
            chunks,
            context.request.issue_text,
            Source(chunk=ex.chunk_ids["issue"]) if ex.chunk_ids.get("issue") else None,
        ),
        "causes": area_fields.causes(profile, matches, chunks),
        "measures": area_fields.measures(profile, matches, chunks),
        "effects": area_fields.effects(profile, matches, checks, chunks),
        "indicators": checks,
    }


def example_based(context: DraftContext, ex: ExampleSheet, notes: Collection[int]) -> dict:
    """Without report data (or with no catalogue pattern for the theme): the guideline's
    example sheet; its claims are still checked against whatever figures there are."""
    chunks = context.chunks
    the_issue = issue(context, ex, chunks, notes)
    absent = (
        area_fields.example_absent(context.catalogue_theme, context.profile)
        if context.profile is not None
        else None
    )
    if absent:
        the_issue.text = absent + the_issue.text
    return {
        "current_state": current_state(context),
        "goal": goal(context, ex, chunks, notes),
        "issue": the_issue,
        "causes": causes(ex, chunks, notes),
        "measures": [guideline_measure(m, context, chunks, notes) for m in ex.measures],
        "effects": effects(context, chunks),
        "indicators": indicators(context),
    }


def fill_missing(sheet: IssueSheet, context: DraftContext) -> IssueSheet:
    """Complete an LLM draft with what the composer knows for sure (indicators, participants,
    provenance ids); the LLM's own text is left as it is, its roles are kept to actors the
    area has."""
    out = sheet.model_copy(deep=True)
    for measure in out.measures:
        measure.roles = local_roles(measure.roles, context.profile)
    if not out.indicators:
        out.indicators = indicators(context)
    if not out.participants:
        out.participants = participants(context)
    out.provenance.embedder = out.provenance.embedder or context.embedder
    out.provenance.index_version = out.provenance.index_version or context.index_version
    out.provenance.data_year = out.provenance.data_year or context.data_year
    out.provenance.issue_text = context.request.issue_text
    return out
