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

from facilitator.corpus.chunks import Chunk
from facilitator.corpus.parsers.base import ExampleSheet, SheetItem
from facilitator.drafting.context import DraftContext
from facilitator.drafting.roles import (
    DEFAULT_ACTIONS,
    MAX_ROLES,
    THEME_LEAD,
    infer_actors,
    participants,
    point_role,
    viewpoint,
)
from facilitator.errors import NotFoundError
from facilitator.reports.items import load_dictionary
from facilitator.reports.models import SYNTHETIC_LABEL, SYNTHETIC_TAG, Finding
from facilitator.search.hits import SearchHit, precedent_label
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
MIN_PRECEDENT_QUOTE = 15

_BULLET_RE = re.compile(r"^(?:[-・*]\s*|\d+\s+\S+\s+▶|▶)+")
_HEADING_RE = re.compile(r"^[\u2460-\u2473]\s*")


# ------------------------------------------------------------------------------ helpers


def _clean(sentence: str) -> str:
    """Drop list bullets and survey numbering; the rest stays a verbatim substring."""
    return _BULLET_RE.sub("", sentence).strip()


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
        candidates = [_clean(s) for s in sentences(chunk.text)]
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
        return [Statement(text=text, note="報告データなし")]
    out = []
    for f in context.findings:
        text = f.sentence
        if f.synthetic and SYNTHETIC_LABEL not in text:
            text = SYNTHETIC_TAG + text
        out.append(Statement(text=text, figures=[FigureRef.from_finding(f)], note=f.note))
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
    note = (
        "課題は入力された内容です。ガイドラインの協議イメージ例の課題を参考として引用しています。"
        if user
        else ""
    )
    return Statement(
        text=text,
        figures=figures,
        note=note,
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
    note = ""
    if item.external_refs:
        note = (
            "ガイドラインの参照: "
            + "、".join(item.external_refs)
            + "（2025年版の事例集はコーパスにないため未照合。2022年版の事例とは結び付けていません）"
        )
    urgent = "かかりつけ医機能報告" in item.text and has_gap(context.findings)
    return Measure(
        text=text,
        roles=roles[:MAX_ROLES],
        priority="高" if urgent else "中",
        source="guideline",
        figures=figures,
        note=note,
        citations=_cites(chunks, (item.chunk_id, item.text)),
    )


def _heading(hit: SearchHit) -> str | None:
    """The 取組 title line of a detail section (「① 主治医・副主治医制による…」)."""
    first = hit.text.split("\n", 1)[0].strip()
    if _HEADING_RE.match(first) and MIN_QUOTE_CHARS <= len(first) <= 90:
        return first
    return None


def _best_sentence(hit: SearchHit, matched: list[str], heading: str | None) -> str | None:
    for s in [*matched, *sentences(hit.text)]:
        s = _clean(s)
        if len(s) >= MIN_PRECEDENT_QUOTE and s != heading and s in hit.text:
            return s
    return None


def precedent_measure(
    hit: SearchHit,
    matched: list[str],
    n_queries: int,
    by_user: bool,
    context: DraftContext,
    chunks: Mapping[str, Chunk],
) -> Measure | None:
    """方策 from a retrieved precedent, citing its passage verbatim and naming case and place.

    Priority: 中 when the passage answered several of the draft's queries or the user's
    own problem, else 低 (the guideline's measures come first).
    """
    heading = _heading(hit)
    quote = _best_sentence(hit, matched, heading)
    if quote is None and heading is None:
        return None
    label = precedent_label(hit)
    summary = _HEADING_RE.sub("", heading) if heading else quote
    text = f"{label}の取組: {summary}（{context.area.name}での実施を検討）"
    citations = _cites(chunks, *((hit.chunk_id, q) for q in (heading, quote) if q))
    roles_src = " ".join(q for q in (heading, quote) if q)
    actors = ["県・保健所"] if hit.metadata.get("respondent") else []  # a prefecture's answer
    actors += [a for a in infer_actors(roles_src) if a not in actors]
    actors += [a for a in infer_actors(hit.text) if a not in actors]
    if not actors:
        actors = [THEME_LEAD.get(context.theme, "郡市区医師会")]
    roles = [Role(actor=a, action=DEFAULT_ACTIONS[a]) for a in actors[:MAX_ROLES]]
    return Measure(
        text=text,
        roles=roles,
        priority="中" if n_queries >= 2 or by_user else "低",
        source="precedent",
        citations=citations,
        note=f"出典: {hit.doc_title} {hit.locator}",
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
        return f"県平均（{f.comparison.value:,.1f}{'%' if f.unit == '%' else ''}）以上"
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
    measures = [guideline_measure(m, context, chunks, notes) for m in ex.measures]
    by_id = {h.chunk_id: h for h in context.hits}
    for p in context.precedents:
        m = precedent_measure(
            by_id[p.chunk_id], p.sentences, len(p.found_by), "user" in p.found_by, context, chunks
        )
        if m is not None:
            measures.append(m)
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
            "（ガイドラインの例にもとづく方策のみ提案しています）。"
        )
    area = context.area
    return IssueSheet(
        title=f"{area.name} {THEME_LABELS.get(context.theme, context.theme)}の課題シート（下書き）",
        area=area,
        theme=context.theme,
        participants=participants(context),
        current_state=current_state(context),
        goal=goal(context, ex, chunks, notes),
        issue=issue(context, ex, chunks, notes),
        causes=causes(ex, chunks, notes),
        measures=measures,
        effects=effects(context, chunks),
        indicators=indicators(context),
        provenance=Provenance(
            mode="offline",
            composer_version=COMPOSER_VERSION,
            embedder=context.embedder,
            index_version=context.index_version,
            data_year=context.data_year,
            retrieved_chunk_ids=context.retrieved_ids,
            issue_text=context.request.issue_text,
            messages=messages,
        ),
    )


def fill_missing(sheet: IssueSheet, context: DraftContext) -> IssueSheet:
    """Complete an LLM draft with what the composer knows for sure (indicators, participants,
    provenance ids); the LLM's own text is left as it is."""
    out = sheet.model_copy(deep=True)
    if not out.indicators:
        out.indicators = indicators(context)
    if not out.participants:
        out.participants = participants(context)
    out.provenance.embedder = out.provenance.embedder or context.embedder
    out.provenance.index_version = out.provenance.index_version or context.index_version
    out.provenance.data_year = out.provenance.data_year or context.data_year
    out.provenance.issue_text = context.request.issue_text
    return out
