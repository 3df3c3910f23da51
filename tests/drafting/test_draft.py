"""Drafting orchestration: context gathering, determinism, storage, errors, LLM fallback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facilitator.drafting import context as drafting
from facilitator.drafting.context import DraftRequest, draft_queries, gather_context
from facilitator.drafting.draft import draft_sheet
from facilitator.errors import FacilitatorError, InputError, NotFoundError
from facilitator.search.searcher import Searcher
from facilitator.settings import Settings
from facilitator.sheets.model import Cause, Citation, IssueSheet, Statement
from facilitator.sheets.store import SheetStore
from facilitator.themes import COUNCIL_THEMES


def _comparable(sheet: IssueSheet) -> dict:
    data = sheet.model_dump(mode="json", exclude={"sheet_id"})
    data["provenance"].pop("created_at")
    return data


# ------------------------------------------------------------------------- no index needed


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"area": " ", "theme": "zaitaku"}, "地域"),
        ({"area": "北部医療圏", "theme": "dental"}, "テーマ「dental」は不明です"),
        ({"area": "北部医療圏", "theme": "free"}, "ichigo / jikangai"),
    ],
)
def test_bad_requests_say_what_is_wrong_in_japanese(request_: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        DraftRequest(**request_)


def test_request_is_normalised() -> None:
    req = DraftRequest(area=" 北部医療圏 ", theme="ZAITAKU", issue_text="　")
    assert (req.area, req.theme, req.issue_text) == ("北部医療圏", "zaitaku", None)


def test_llm_without_a_model_tells_how_to_configure(settings: Settings) -> None:
    with pytest.raises(InputError, match="FACILITATOR_LLM_MODEL") as err:
        draft_sheet(DraftRequest(area="北部医療圏", theme="zaitaku", use_llm=True), settings)
    assert "FACILITATOR_LLM_BASE_URL" in str(err.value)


def test_off_topic_user_problem_adds_no_precedent() -> None:
    from facilitator.drafting.context import QueryRun, rank_precedents

    run = QueryRun(
        query="確定申告",
        purpose="user",
        filters={"doc_kind": "casebook"},
        confident=False,
        chunk_ids=["casebook-2022:jirei-1:detail-1"],
    )
    assert rank_precedents([run], {}) == []


def test_queries_cover_issue_measures_and_the_users_problem() -> None:
    from facilitator.corpus.parsers.base import ExampleSheet, SheetItem

    ex = ExampleSheet(
        doc_id="guideline-2025",
        theme="zaitaku",
        issue="課題文",
        causes=[SheetItem(number=1, text="原因文")],
        measures=[SheetItem(number=1, text="方策文1"), SheetItem(number=2, text="方策文2")],
    )
    plain = draft_queries("zaitaku", ex, None)
    assert [(p, w) for p, w, _ in plain] == [
        ("issue", "theme"),
        ("issue", "casebook"),
        ("measure-1", "casebook"),
        ("measure-2", "casebook"),
    ]
    assert "原因文" in plain[0][2]
    user = draft_queries("zaitaku", ex, "夜間の往診が足りない")
    assert user[:2] == [
        ("user", "theme", "夜間の往診が足りない"),
        ("user", "casebook", "夜間の往診が足りない"),
    ]


# ----------------------------------------------------------------------- with the index


@pytest.mark.slow
def test_context_prefers_the_guideline_example_and_runs_both_passes(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    ctx = gather_context(DraftRequest(area="9902", theme="kaigo"), drafting_data, drafting_searcher)
    assert [e.doc_id for e in ctx.examples] == ["guideline-2025", "niihama-saijo-council"]
    assert ctx.area.name == "北部医療圏" and ctx.area.level == "secondary" and ctx.area.synthetic
    assert ctx.findings and ctx.data_year == 2026
    assert {r.filters.get("doc_kind") for r in ctx.runs} == {None, "casebook"}
    assert all(r.filters["themes"] == "kaigo" for r in ctx.runs)
    assert ctx.index_version == drafting_searcher.store.version
    assert set(ctx.example_chunk_ids) >= {
        "guideline-2025:sheet:kaigo:issue",
        "niihama-saijo-council:sheet:kaigo:effect",
    }
    keys = [p.key for p in ctx.precedents]
    assert 0 < len(keys) <= 3 and len(set(keys)) == len(keys)
    assert sum(k.startswith("survey:") for k in keys) <= 1
    assert [p.score for p in ctx.precedents] == sorted(
        (p.score for p in ctx.precedents), reverse=True
    )
    for p in ctx.precedents:
        assert p.chunk_id in ctx.retrieved_ids
        text = drafting_searcher.store.by_id[p.chunk_id].text
        assert all(s in text for s in p.sentences)


@pytest.mark.slow
def test_drafts_are_deterministic(drafting_data: Settings, drafting_searcher: Searcher) -> None:
    request = DraftRequest(area="南部医療圏", theme="nyutaiin", issue_text="退院調整に時間がかかる")
    first = draft_sheet(request, drafting_data, drafting_searcher, save=False).sheet
    drafting._RESULT_CACHE.clear()  # the second draft searches again
    second = draft_sheet(request, drafting_data, drafting_searcher, save=False).sheet
    assert first.sheet_id != second.sheet_id
    assert _comparable(first) == _comparable(second)


@pytest.mark.slow
def test_users_problem_leads_the_issue_and_the_search(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    issue = "夜間の当番を担う医師が高齢化して輪番が組めない"
    result = draft_sheet(
        DraftRequest(area="北部医療圏", theme="jikangai", issue_text=issue),
        drafting_data,
        drafting_searcher,
        save=False,
    )
    sheet = result.sheet
    assert sheet.provenance.issue_text == issue
    assert sheet.issue.text.startswith(f"北部医療圏では、{issue}")
    assert sheet.issue.citations and sheet.issue.citations[0].verified
    assert "報告データからは" in sheet.issue.text  # the area's own figures follow the user's words
    ctx = gather_context(
        DraftRequest(area="北部医療圏", theme="jikangai", issue_text=issue),
        drafting_data,
        drafting_searcher,
    )
    assert [r.purpose for r in ctx.runs][:2] == ["user", "user"]


@pytest.mark.slow
def test_draft_is_stored_as_version_1(
    drafting_data: Settings, drafting_searcher: Searcher, tmp_path: Path
) -> None:
    shutil.copytree(drafting_data.data_dir, tmp_path / "data")
    settings = drafting_data.model_copy(update={"data_dir": tmp_path / "data"})
    result = draft_sheet(
        DraftRequest(area="東部医療圏", theme="ichigo"), settings, drafting_searcher
    )
    assert result.saved and result.sheet.version == 1
    stored = SheetStore(settings).get(result.sheet.sheet_id)
    assert stored == result.sheet
    assert [v.version for v in SheetStore(settings).history(stored.sheet_id)] == [1]


@pytest.mark.slow
def test_without_report_data_the_sheet_says_so_and_is_still_complete(built_copy: Settings) -> None:
    result = draft_sheet(DraftRequest(area="北部医療圏", theme="zaitaku"), built_copy, save=False)
    sheet = result.sheet
    assert len(sheet.current_state) == 1 and sheet.current_state[0].unbacked
    assert "報告データがまだ取り込まれていない" in sheet.current_state[0].text
    assert sheet.area.name == "北部医療圏" and sheet.is_complete()
    assert all(i.baseline is None and i.item_ids for i in sheet.indicators)
    assert any("報告データ" in m for m in result.messages)
    assert all(c.verified for c in sheet.all_citations())


@pytest.mark.slow
def test_without_report_data_casebook_page_references_stay_notes(built_copy: Settings) -> None:
    """The example sheet's 「事例集 P.n」 points into the 2025 casebook, which is not in the
    corpus: it is kept as an unresolved note, never turned into a citation of a 2022 case."""
    searcher = Searcher(built_copy)
    notes = 0
    for theme in COUNCIL_THEMES:
        request = DraftRequest(area="北部医療圏", theme=theme)
        sheet = draft_sheet(request, built_copy, searcher, save=False).sheet
        for measure in (m for m in sheet.measures if m.source == "guideline"):
            assert "事例集 P." not in measure.text
            assert all(
                c.case_id is None and c.chunk_id.startswith("guideline-2025:sheet:")
                for c in measure.citations
            ), measure.text
            notes += "未照合" in measure.basis
        # how the draft was made is its own field: a person's private memo starts empty
        assert all(not s.note for _, s in sheet.statements())
    assert notes  # some example measures do refer to the casebook


@pytest.mark.slow
def test_unknown_area_is_a_japanese_not_found(
    drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    with pytest.raises(NotFoundError, match="地域「存在しない市」が見つかりません"):
        draft_sheet(
            DraftRequest(area="存在しない市", theme="zaitaku"),
            drafting_data,
            drafting_searcher,
            save=False,
        )


# ------------------------------------------------------------------- LLM orchestration


def _llm_settings(drafting_data: Settings) -> Settings:
    return drafting_data.model_copy(update={"llm_model": "fake:model"})


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["none", "error"])
def test_unusable_llm_output_falls_back_to_the_composer(
    monkeypatch: pytest.MonkeyPatch,
    drafting_data: Settings,
    drafting_searcher: Searcher,
    failure: str,
) -> None:
    from facilitator.drafting import llm

    def fake(context, settings):
        if failure == "error":
            raise FacilitatorError("接続できません")
        return llm.LLMDraftOutcome(sheet=None, messages=["LLM の出力を読み取れませんでした"])

    monkeypatch.setattr(llm, "draft_with_llm", fake)
    request = DraftRequest(area="北部医療圏", theme="zaitaku", use_llm=True)
    result = draft_sheet(request, _llm_settings(drafting_data), drafting_searcher, save=False)
    sheet = result.sheet
    assert sheet.provenance.mode == "llm-fallback" and sheet.provenance.llm_model == "fake:model"
    assert sheet.provenance.composer_version and sheet.is_complete()
    assert any("オフラインの下書き機能" in m for m in result.messages)
    assert any(
        ("接続できません" if failure == "error" else "読み取れません") in m for m in result.messages
    )
    offline = draft_sheet(
        request.model_copy(update={"use_llm": False}), drafting_data, drafting_searcher, save=False
    ).sheet
    assert [m.text for m in sheet.measures] == [m.text for m in offline.measures]


@pytest.mark.slow
def test_llm_sheet_is_completed_and_checked_again(
    monkeypatch: pytest.MonkeyPatch, drafting_data: Settings, drafting_searcher: Searcher
) -> None:
    from facilitator.drafting import llm

    def fake(context, settings):
        hit = next(h for h in context.hits if h.case_id)
        good = Citation(chunk_id=hit.chunk_id, quote=hit.text[:30], verified=True)
        forged = Citation(
            chunk_id="casebook-2022:jirei-99:detail-1",
            quote="存在しない事例の文章です",
            verified=True,
        )
        sheet = IssueSheet(
            area=context.area,
            theme=context.theme,
            issue=Statement(text="LLM の課題", citations=[good, forged]),
            # 北部's 24時間 providers are well below the prefecture: this contradicts them
            causes=[Cause(text="24時間体制の在宅医療を提供する医療機関は多い。")],
        )
        return llm.LLMDraftOutcome(sheet=sheet, messages=["LLM「fake」で下書きしました。"])

    monkeypatch.setattr(llm, "draft_with_llm", fake)
    request = DraftRequest(area="北部医療圏", theme="zaitaku", use_llm=True)
    result = draft_sheet(request, _llm_settings(drafting_data), drafting_searcher, save=False)
    sheet = result.sheet
    assert sheet.provenance.mode == "llm"
    assert [c.chunk_id for c in sheet.issue.citations] == [
        next(
            h.chunk_id
            for h in gather_context(request, drafting_data, drafting_searcher).hits
            if h.case_id
        )
    ]
    assert any("jirei-99" in m for m in result.messages)
    assert [(f.path, f.metric) for f in result.flagged] == [("causes[0]", "zaitaku.h24.per65")]
    assert sheet.causes[0].review and "県平均を下回る" in sheet.causes[0].review[0]
    assert sheet.indicators and sheet.participants
    assert sheet.provenance.retrieved_chunk_ids
