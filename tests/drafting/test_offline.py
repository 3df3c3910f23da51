"""The offline composer: every theme × every 二次医療圏 of the sample gives a complete,
fully verified sheet that works on the area's own gaps, whose citations come only from
what was retrieved, the example sheet or the catalogue, and that nothing in the area's
figures contradicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitator.analysis.profile import GapProfile
from facilitator.drafting.context import SURVEY_MEASURE_QUESTIONS, DraftContext, DraftRequest
from facilitator.drafting.draft import DraftResult
from facilitator.drafting.offline import display_text, key_finding
from facilitator.drafting.roles import infer_actors, local_roles, viewpoint
from facilitator.reports.items import load_dictionary
from facilitator.reports.models import Comparison, Finding
from facilitator.reports.sample.prefecture import SAMPLE_MUNICIPALITIES, SAMPLE_PREF_NAME
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings
from facilitator.sheets.model import Role
from facilitator.themes import COUNCIL_THEMES

THEMES = list(COUNCIL_THEMES)
AREA_NAMES = list(dict.fromkeys(m.sec_name for m in SAMPLE_MUNICIPALITIES))  # the 二次医療圏

Drafts = dict[tuple[str, str], tuple[DraftResult, DraftContext]]
CASES = [(t, a) for t in THEMES for a in AREA_NAMES]
slow = pytest.mark.slow


def _finding(metric: str, value: float, ref: float | None, relation: str | None) -> Finding:
    comparison = (
        None
        if ref is None
        else Comparison(area_code="99", area_name="架空県", value=ref, relation=relation)
    )  # type: ignore[arg-type]
    return Finding(
        id=f"rpt-{metric}",
        theme="zaitaku",
        metric=metric,
        metric_label=metric,
        value=value,
        unit="%",
        area_code="9902",
        area_name="北部医療圏",
        area_level="secondary",
        year=2026,
        n=50,
        filter="f",
        comparison=comparison,
        sentence=f"{metric}の文",
        synthetic=True,
        source="s",
    )


# ------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("在宅医療を担う医療機関や訪問看護ステーション等が足りない。", "医療"),
        (
            "地域の医療機関や介護施設の担当者が集まり情報共有や意見交換を行う場がない。",
            "介護・医療",
        ),
        ("在宅当番医制等を組んではいるが、地域の医師全体の高齢化等もあり", "医師会・医療"),
        (
            "各医療機関が有する機能や役割が周知されておらず、どの医療機関に相談すればよいかが分からず。",
            "住民・医療",
        ),
        ("時間外対応を担う意向のある医療機関の把握ができていない。", "行政・医療"),
        ("理由は定かではない。", "医療"),
    ],
)
def test_viewpoint_is_derived_from_keywords(text: str, expected: str) -> None:
    assert viewpoint(text) == expected


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("訪問看護ステーションと介護事業所が情報を共有する", ["訪問看護", "介護事業所"]),
        ("医師会が輪番を調整し、保健所が支援する", ["県・保健所", "郡市区医師会"]),
        ("ケアマネジャーと病院の地域連携室", ["病院", "ケアマネ"]),
        ("特に関係者の記載なし", []),
    ],
)
def test_actors_are_inferred_in_display_order(text: str, actors: list[str]) -> None:
    assert infer_actors(text) == actors


def _roles(*actors: str) -> list[Role]:
    return [Role(actor=a, action="役割") for a in actors]


def _profile(hospitals: int, clinics: int, neighbours: list[str]) -> GapProfile:
    return GapProfile(
        area_code="99301",
        area_name="峰岡町",
        level="municipality",
        theme="zaitaku",
        year=2026,
        actors={"病院": hospitals, "診療所": clinics},
        neighbour_hospitals=neighbours,
    )


def test_roles_go_only_to_actors_the_area_has() -> None:
    roles = _roles("病院", "診療所", "訪問看護")
    assert local_roles(roles, None) == roles  # without report data nothing is known
    assert [r.actor for r in local_roles(roles, _profile(2, 5, []))] == [
        "病院",
        "診療所",
        "訪問看護",
    ]
    assert [r.actor for r in local_roles(roles, _profile(0, 0, ["北部中央病院"]))] == [
        "近隣の病院（北部中央病院）",
        "訪問看護",
    ]
    assert local_roles(roles, _profile(0, 3, []))[0].actor == "近隣の二次医療圏の病院"


def test_footnote_markers_are_dropped_from_display_text_only() -> None:
    text = "医療機関(在宅療養支援病院18、在宅療養後方支援病院19等)と協力医療機関20の情報"
    assert display_text(text, {18, 19, 20}) == (
        "医療機関(在宅療養支援病院、在宅療養後方支援病院等)と協力医療機関の情報"
    )
    assert display_text("24時間体制の18施設", {18, 24}) == "24時間体制の18施設"


def test_key_finding_is_the_largest_shortfall_against_the_prefecture() -> None:
    small = _finding("a.share", 45.0, 50.0, "below")
    large = _finding("b.share", 10.0, 40.0, "below")
    above = _finding("c.share", 90.0, 40.0, "above")
    assert key_finding([above, small, large]) == large
    gap = _finding("zaitaku.none_areas", 2.0, None, None)
    assert key_finding([above, gap]) == gap
    assert key_finding([]) is None


# ------------------------------------------------------------- every theme × every area


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_draft_is_complete(drafts: Drafts, theme: str, area: str) -> None:
    sheet = drafts[(theme, area)][0].sheet
    assert sheet.is_complete()
    assert sheet.theme == theme and sheet.area.name == area
    assert sheet.provenance.mode == "offline" and sheet.provenance.composer_version


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_every_citation_is_verified_and_verbatim(
    drafts: Drafts, drafting_searcher: Searcher, theme: str, area: str
) -> None:
    sheet = drafts[(theme, area)][0].sheet
    store = drafting_searcher.store
    cites = sheet.all_citations()
    assert cites
    for c in cites:
        assert c.verified and c.problem is None
        assert c.quote in store.by_id[c.chunk_id].text
        assert c.case_id == store.by_id[c.chunk_id].locator.case_id


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_no_case_outside_the_corpus(
    drafts: Drafts, drafting_searcher: Searcher, theme: str, area: str
) -> None:
    sheet = drafts[(theme, area)][0].sheet
    known = {c.case_id for c in drafting_searcher.store.cases}
    for measure in sheet.measures:
        for case_id in re.findall(r"(?:事例|参考)\d+", measure.text):
            assert case_id in known
            assert any(c.case_id == case_id for c in measure.citations)
    assert {c.case_id for c in sheet.all_citations() if c.case_id} <= known


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_each_measure_has_roles_a_priority_and_a_verified_source(
    drafts: Drafts, theme: str, area: str
) -> None:
    sheet = drafts[(theme, area)][0].sheet
    assert sheet.measures
    for m in sheet.measures:
        assert any(c.verified for c in m.citations), m.text
        assert m.roles and m.priority in ("高", "中", "低")


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_cited_chunks_were_retrieved_or_are_example_or_catalogue_sources(
    drafts: Drafts, theme: str, area: str
) -> None:
    result, context = drafts[(theme, area)]
    prov = result.sheet.provenance
    assert prov.retrieved_chunk_ids == context.retrieved_ids
    assert len(set(prov.retrieved_chunk_ids)) == len(prov.retrieved_chunk_ids)
    run_ids = {cid for run in context.runs for cid in run.chunk_ids}
    assert set(prov.retrieved_chunk_ids) == run_ids
    allowed = (
        set(prov.retrieved_chunk_ids)
        | set(context.example_chunk_ids)
        | set(context.catalogue_chunk_ids)
    )
    assert {c.chunk_id for c in result.sheet.all_citations()} <= allowed
    precedent_ids = {
        c.chunk_id for m in result.sheet.measures if m.source == "precedent" for c in m.citations
    }
    assert precedent_ids <= set(prov.retrieved_chunk_ids)


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_an_example_issue_the_data_does_not_show_is_cited_only_as_reference(
    drafts: Drafts, theme: str
) -> None:
    seen = 0
    for area in AREA_NAMES:
        issue = drafts[(theme, area)][0].sheet.issue
        example = [c for c in issue.citations if c.chunk_id.endswith(f"sheet:{theme}:issue")]
        if "報告データでは確かめられない（" in issue.text:
            assert all(c.reference and not c.backs for c in example), area
            seen += 1
    assert seen, "some sample area does not show the example 課題"


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_current_state_carries_labelled_synthetic_figures(drafts: Drafts, theme: str) -> None:
    for area in AREA_NAMES:
        result, context = drafts[(theme, area)]
        state = result.sheet.current_state
        found = state[: len(context.findings)]
        assert len(found) == len(context.findings) > 0
        for s, f in zip(found, context.findings, strict=True):
            assert not s.unbacked and s.figures[0].finding_id == f.id
            assert s.figures[0].synthetic and "架空データ" in s.text
        for s in state[len(context.findings) :]:  # the 市町村 breakdown
            assert s.figures and "市町村別" in s.text and "架空データ" in s.text
        assert any("架空データ" in m for m in result.messages)


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_no_statement_is_contradicted_by_the_areas_figures(
    drafts: Drafts, theme: str, area: str
) -> None:
    result, _ = drafts[(theme, area)]
    assert result.flagged == []
    assert all(not s.review for _, s in result.sheet.statements())


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_the_sheet_works_on_the_areas_own_gaps(drafts: Drafts, theme: str) -> None:
    """課題 states the area's figures; 原因 are hypotheses with how to check them; 効果 says
    which report will show it; the patterns are recorded for the record."""
    result, context = drafts[(theme, "北部医療圏")]
    sheet = result.sheet
    assert context.matches and sheet.provenance.patterns
    assert sheet.issue.figures and "北部医療圏" in sheet.issue.text
    assert sheet.causes and all("（仮説）" in c.text for c in sheet.causes)
    assert all("確かめ方" in c.text for c in sheet.causes)
    year = context.profile.next_year
    assert sheet.effects and all(f"{year}年の報告" in e.text for e in sheet.effects)
    assert sheet.goal.text.startswith("北部医療圏")


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_areas_with_different_gaps_get_different_causes_and_measures(
    drafts: Drafts, theme: str
) -> None:
    names = AREA_NAMES

    def words(texts: list[str], area: str) -> set[str]:
        return {re.sub(r"[0-9.,]+", "#", t.replace(area, "〇〇")) for t in texts}

    patterns = {a: tuple(drafts[(theme, a)][0].sheet.provenance.patterns) for a in names}
    pairs = [(a, b) for a in names for b in names if a < b and patterns[a] != patterns[b]]
    assert pairs  # the sample's 二次医療圏 differ on every theme
    for a, b in pairs:
        sa, sb = drafts[(theme, a)][0].sheet, drafts[(theme, b)][0].sheet
        causes_a, causes_b = (
            words([c.text for c in sa.causes], a),
            words([c.text for c in sb.causes], b),
        )
        measures_a = words([m.text for m in sa.measures], a)
        measures_b = words([m.text for m in sb.measures], b)
        assert causes_a != causes_b or measures_a != measures_b, (a, b)


@slow
@pytest.mark.parametrize(("theme", "area"), CASES)
def test_no_metric_codes_or_unrounded_figures_in_sheet_text(
    drafts: Drafts, theme: str, area: str
) -> None:
    sheet = drafts[(theme, area)][0].sheet
    texts = [s.text for _, s in sheet.statements()]
    texts += [r.actor + r.action for m in sheet.measures for r in m.roles]
    texts += [i.name + i.target for i in sheet.indicators]
    for text in texts:
        assert not re.search(
            r"\b(?:item|zaitaku|ichigo|jikangai|nyutaiin|kaigo)\.[a-z_0-9.]+", text
        )
        assert not re.search(r"\d\.\d{3,}", text), text


INTERNAL = re.compile(
    r"\b(?:item|zaitaku|ichigo|jikangai|nyutaiin|kaigo)\.[a-z_0-9.]+"  # metric codes
    r"|\b(?:g1|g2i|g2ro|g2ha|g2ni)_[a-z_]+"  # report item ids
    r"|(?:guideline-2025|casebook-2022|osaka-zaitaku-2023|niihama-saijo-council)[:-]"  # chunk ids
    r"|\d\.\d{3,}"  # unrounded figures
)


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_exports_of_a_draft_show_no_codes_ids_or_unrounded_figures(
    drafts: Drafts, theme: str, tmp_path: Path
) -> None:
    """What a council member reads (Markdown, Word, the visible cells of the workbook)."""
    import docx
    from openpyxl import load_workbook

    from facilitator.export.documents import to_docx, to_markdown
    from facilitator.export.xlsx import to_xlsx

    sheet = drafts[(theme, "北部医療圏")][0].sheet
    texts = to_markdown(sheet).splitlines()
    document = docx.Document(to_docx(sheet, tmp_path / "s.docx"))
    texts += [p.text for p in document.paragraphs]
    texts += [c.text for table in document.tables for row in table.rows for c in row.cells]
    workbook = load_workbook(to_xlsx([sheet], tmp_path / "s.xlsx"))
    for ws in (w for w in workbook.worksheets if w.sheet_state == "visible"):
        hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
        texts += [
            str(c.value)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None and c.column_letter not in hidden
        ]
    leaks = [t for t in texts if INTERNAL.search(t)]
    assert not leaks, leaks[:3]


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_precedent_measures_name_case_and_place(drafts: Drafts, theme: str) -> None:
    precedents = [
        m
        for area in AREA_NAMES
        for m in drafts[(theme, area)][0].sheet.measures
        if m.source == "precedent"
    ]
    assert precedents  # the rule below must be exercised
    for m in precedents:
        cited = m.citations[0]
        if cited.case_id:
            assert m.text.startswith(cited.case_id) and "）の取組: " in m.text
            assert cited.case_name and cited.case_name in m.text
        else:
            assert "衛生部長会調査の回答" in m.text


@slow
def test_survey_precedents_are_initiatives_only(
    drafts: Drafts, drafting_searcher: Searcher
) -> None:
    questions = [
        drafting_searcher.store.by_id[c.chunk_id].metadata.get("question")
        for result, _ in drafts.values()
        for m in result.sheet.measures
        if m.source == "precedent"
        for c in m.citations
        if drafting_searcher.store.by_id[c.chunk_id].metadata.get("section_kind") == "survey"
    ]
    assert set(questions) <= set(SURVEY_MEASURE_QUESTIONS)


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_indicators_come_from_report_items_with_baselines_and_a_year(
    drafts: Drafts, theme: str
) -> None:
    result, context = drafts[(theme, AREA_NAMES[2])]
    ids = {it.id for it in load_dictionary(2026).items}
    assert result.sheet.indicators
    for ind in result.sheet.indicators:
        assert ind.item_ids and set(ind.item_ids) <= ids
        assert ind.baseline == context.profile.value(ind.metric)
        assert f"{context.profile.next_year}年の報告で" in ind.target


@slow
def test_priority_follows_the_size_of_the_gap(drafts: Drafts) -> None:
    sheet = drafts[("zaitaku", "北部医療圏")][0].sheet  # 24時間体制 far below, 3 町村 without
    assert sheet.measures[0].priority == "高"
    assert {m.priority for m in sheet.measures if m.source == "precedent"} <= {"中", "低"}
    keep = drafts[("zaitaku", "中央医療圏")][0].sheet  # nothing below at the 二次医療圏 level
    assert "高" not in {m.priority for m in keep.measures if m.source != "precedent"} or any(
        s.providers == 0 for s in drafts[("zaitaku", "中央医療圏")][1].profile.subareas
    )


@slow
def test_participants_come_from_the_example_sheet(drafts: Drafts) -> None:
    sheet = drafts[("zaitaku", AREA_NAMES[0])][0].sheet
    assert sheet.participants[:3] == ["都道府県・保健所", "市町村", "郡市区医師会"]
    assert "コーディネーター" in sheet.participants
    assert not any(p.endswith("等") for p in sheet.participants)


@slow
@pytest.mark.parametrize("theme", THEMES)
def test_every_municipality_and_the_prefecture_get_a_complete_verified_sheet(
    drafting_data: Settings, drafting_searcher: Searcher, theme: str
) -> None:
    """The target covers every area of the sample, not only the 二次医療圏."""
    from facilitator.drafting.draft import draft_sheet

    store = drafting_searcher.store
    known = {c.case_id for c in store.cases}
    areas = [m.name for m in SAMPLE_MUNICIPALITIES] + [SAMPLE_PREF_NAME]
    for area in areas:
        sheet = draft_sheet(
            DraftRequest(area=area, theme=theme), drafting_data, drafting_searcher, save=False
        ).sheet
        assert sheet.is_complete(), area
        assert not sheet.issue.unbacked, area  # the 課題 rests on the area's figures
        for c in sheet.all_citations():
            assert c.verified and c.quote in store.by_id[c.chunk_id].text, (area, c.chunk_id)
        assert {c.case_id for c in sheet.all_citations() if c.case_id} <= known
        for m in sheet.measures:
            assert any(c.verified for c in m.citations), (area, m.text)
