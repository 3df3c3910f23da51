"""Exports: 課題管理シート workbook, Word, Markdown, JSON, public summary, agenda, and the
Excel round trip (import never loses data, conflicts keep both versions)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitator.cli.export import agenda_command, export_command, import_xlsx_command
from facilitator.errors import InputError
from facilitator.export import (
    MeetingInfo,
    NotPublishableError,
    XlsxImportError,
    agenda,
    agenda_to_docx,
    agenda_to_markdown,
    agenda_to_xlsx,
    import_xlsx,
    public_summary,
    public_to_docx,
    public_to_markdown,
    public_to_xlsx,
    to_docx,
    to_json,
    to_markdown,
    to_xlsx,
)
from facilitator.export.xlsx import CITES_SHEET, COL, META_SHEET
from facilitator.settings import Settings
from facilitator.sheets.model import (
    AreaRef,
    Cause,
    Citation,
    FigureRef,
    IssueSheet,
    Measure,
    Role,
    SheetStatus,
    Statement,
    VerificationIndicator,
)
from facilitator.sheets.store import SheetConflictError, SheetStore

GUIDELINE = "かかりつけ医機能の確保に関するガイドライン（第1版）"
CASEBOOK = "かかりつけ医機能に関する事例集"
INTERNAL_NOTE = "医師会との事前調整は未了（非公開）"
STATEMENT_NOTE = "輪番表は医師会事務局から入手予定"
UNBACKED_TEXT = "夜間の問い合わせの多くは救急外来に直接来ている。"
DROPPED_MEASURE = "夜間休日急患センターを新設する。"
DROPPED_QUOTE = "休日夜間急患センターの運営"
UNVERIFIED_QUOTE = "在宅当番医の輪番を地区ごとに組み直した"
A4 = 9  # OOXML paperSize code


def make_sheet(status: SheetStatus = SheetStatus.submitted, **update: object) -> IssueSheet:
    """A 時間外診療 sheet for a fictional city: verified, unverified and dropped citations,
    a synthetic figure, unbacked statements, notes and roles."""
    fig = FigureRef(
        finding_id="rpt-2025-99201-jikangai-yakan_rate",
        sentence="時間外診療に対応する診療所の割合",
        metric="時間外診療に対応する診療所の割合",
        value=31.2,
        unit="%",
        area_code="99201",
        area_name="東部市",
        year=2025,
        n=96,
        filter="診療所（N=96）",
        synthetic=True,
    )
    sheet = IssueSheet(
        sheet_id="sh-test000001",
        theme="jikangai",
        status=status,
        area=AreaRef(
            code="99201", name="東部市", level="municipality", pref_name="架空県", synthetic=True
        ),
        participants=["県・保健所", "東部市", "東部市医師会", "東部市民病院", "コーディネーター"],
        current_state=[
            Statement(
                text="【架空データ】東部市で時間外診療に対応する診療所の割合は31.2%で、県平均を下回る。",
                figures=[fig],
            ),
            Statement(text=UNBACKED_TEXT, note=STATEMENT_NOTE),
        ],
        goal=Statement(
            text="医療機関間の時間外診療における役割分担の明確化や輪番制について地域で話し合い、"
            "時間外診療体制を確保する。",
            citations=[
                Citation(
                    chunk_id="gl-4-4-2-goal",
                    quote="時間外診療体制を確保する",
                    locator="第4章第4節（2）時間外診療 （3）地域で目指すべき姿",
                    doc_title=GUIDELINE,
                    verified=True,
                )
            ],
        ),
        issue=Statement(
            text="休日・夜間に地域の高齢者等が体調不良を呈した場合、地域の医療機関に相談・受診できる"
            "体制が構築できていない。",
            citations=[
                Citation(
                    chunk_id="gl-4-4-2-issue",
                    quote="体制が構築できていない",
                    locator="第4章第4節（2）時間外診療 （1）地域の具体的な課題",
                    doc_title=GUIDELINE,
                    verified=True,
                ),
                Citation(
                    chunk_id="cb-case12-3-1",
                    quote=DROPPED_QUOTE,
                    doc_title=CASEBOOK,
                    case_id="事例12",
                    case_name="○○病院",
                    locator="事例12 ○○病院 3. 取組の詳細 ①",
                    verified=True,
                    accepted=False,
                ),
            ],
        ),
        causes=[
            Cause(
                text="在宅当番医制等を組んではいるが、医師の高齢化等もあり休日・夜間の対応が難しい。",
                viewpoint="医師会",
                citations=[
                    Citation(
                        chunk_id="gl-4-4-2-cause1",
                        quote="地域の医師全体の高齢化",
                        locator="第4章第4節（2）時間外診療 （2）原因1",
                        doc_title=GUIDELINE,
                        verified=True,
                    )
                ],
            ),
            Cause(
                text="時間外対応を担う意向のある医療機関の把握ができていない。",
                viewpoint="行政",
                figures=[fig],
            ),
        ],
        measures=[
            Measure(
                text="時間外診療を行うための連携体制を見える化し、地域の輪番体制の構築について検討の機会を設ける。",
                priority="高",
                source="guideline",
                roles=[
                    Role(actor="東部市医師会", action="輪番表の作成"),
                    Role(actor="県・保健所", action="報告結果の提供"),
                ],
                citations=[
                    Citation(
                        chunk_id="gl-4-4-2-measure1",
                        quote="地域の輪番体制の構築",
                        locator="第4章第4節（2）時間外診療 （4）方策1",
                        doc_title=GUIDELINE,
                        verified=True,
                    )
                ],
            ),
            Measure(
                text="輪番に参加する診療所を地区ごとに組み直す。",
                priority="中",
                source="precedent",
                roles=[Role(actor="東部市医師会", action="地区割りの案を作成")],
                citations=[
                    Citation(
                        chunk_id="cb-case05-3-2",
                        quote=UNVERIFIED_QUOTE,
                        doc_title=CASEBOOK,
                        case_id="事例5",
                        case_name="すぎうら医院",
                        locator="事例5 すぎうら医院 3. 取組の詳細 ②",
                        verified=False,
                        problem="引用文が資料の本文にありません",
                    )
                ],
            ),
            Measure(text=DROPPED_MEASURE, priority="低", source="llm", accepted=False),
        ],
        effects=[
            Statement(
                text="地域の高齢者等が体調不良を呈した場合も、身近な地域で時間外に受診できる。",
                citations=[
                    Citation(
                        chunk_id="gl-4-4-2-effect",
                        quote="身近な地域において時間外に受診",
                        locator="第4章第4節（2）時間外診療 （5）効果",
                        doc_title=GUIDELINE,
                        verified=True,
                    )
                ],
            )
        ],
        indicators=[
            VerificationIndicator(
                name="時間外診療に対応する診療所の割合",
                baseline=31.2,
                unit="%",
                target="県平均以上",
                item_ids=["2i-01"],
            )
        ],
        internal_notes=INTERNAL_NOTE,
    )
    return sheet.model_copy(update=update, deep=True)


@pytest.fixture
def store(settings: Settings) -> SheetStore:
    return SheetStore(settings)


@pytest.fixture
def saved(store: SheetStore) -> IssueSheet:
    """The sheet as stored: version 1."""
    return store.save(make_sheet(), author="事務局")


def rows_by_key(ws) -> dict[str, int]:
    return {
        str(ws.cell(r, COL["key"]).value): r
        for r in range(4, ws.max_row + 1)
        if ws.cell(r, COL["key"]).value
    }


def export_and_open(sheet: IssueSheet, tmp_path: Path):
    path = to_xlsx([sheet], tmp_path / "sheet.xlsx")
    wb = load_workbook(path)
    return path, wb, wb.worksheets[0]


def everything_but(sheet: IssueSheet, *drop: str) -> dict:
    data = sheet.model_dump()
    data.pop("version")
    for key in drop:
        data.pop(key)
    return data


# --- Excel layout ----------------------------------------------------------------------


class TestXlsxLayout:
    def test_worksheets_are_issue_citations_and_hidden_metadata(self, tmp_path: Path) -> None:
        _, wb, _ = export_and_open(make_sheet(), tmp_path)
        assert wb.sheetnames == ["1_東部市_時間外診療", CITES_SHEET, META_SHEET]
        assert wb[META_SHEET].sheet_state == "hidden"
        assert wb.active.title == "1_東部市_時間外診療"

    def test_fields_follow_the_council_cycle(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        labels = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
        assert list(dict.fromkeys(labels)) == [
            "圏域",
            "テーマ",
            "参加者",
            "① 現状",
            "② 目指す姿",
            "③ 課題",
            "④ 原因",
            "⑤ 方策（役割分担・優先度）",
            "⑥ 期待される効果",
            "⑥ 検証指標",
            "状態",
            "版",
            "事務局メモ（非公開）",
        ]

    def test_text_cells_wrap_and_carry_citation_markers(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        rows = rows_by_key(ws)
        goal = ws.cell(rows["goal"], COL["text"])
        assert goal.value.endswith("時間外診療体制を確保する。[1]")
        # the dropped citation of 課題 gets no marker in the text
        assert ws.cell(rows["issue"], COL["text"]).value.endswith("構築できていない。[2]")
        for r in range(4, ws.max_row + 1):
            for c in range(1, COL["key"]):
                assert ws.cell(r, c).alignment.wrap_text, ws.cell(r, c).coordinate

    def test_unbacked_statement_is_marked_and_filled(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        r = rows_by_key(ws)["current_state[1]"]
        cell = ws.cell(r, COL["text"])
        assert cell.value == UNBACKED_TEXT + "（根拠なし）"
        assert cell.fill.fgColor.rgb.endswith("FCE4D6")
        backed = ws.cell(rows_by_key(ws)["goal"], COL["text"])
        assert not backed.fill.fgColor.rgb.endswith("FCE4D6")

    def test_figures_show_year_n_filter_and_synthetic_flag(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        backing = ws.cell(rows_by_key(ws)["current_state[0]"], COL["backing"]).value
        for part in ("31.2%", "2025年報告", "N=96", "診療所（N=96）", "架空データ"):
            assert part in backing
        assert "架空" in ws["A2"].value

    def test_causes_keep_viewpoint_and_measures_roles_priority(self, tmp_path: Path) -> None:
        _, _, ws = export_and_open(make_sheet(), tmp_path)
        rows = rows_by_key(ws)
        assert ws.cell(rows["causes[0]"], COL["side"]).value == "医師会"
        assert ws.cell(rows["causes[1]"], COL["number"]).value == "②"
        m = rows["measures[0]"]
        assert (
            ws.cell(m, COL["side"]).value
            == "東部市医師会：輪番表の作成\n県・保健所：報告結果の提供"
        )
        assert ws.cell(m, COL["priority"]).value == "高"
        assert ws.cell(rows["measures[2]"], COL["accepted"]).value == "不採用"
        assert ws.cell(rows["status"], COL["text"]).value == "協議会提出"
        assert ws.cell(rows["version"], COL["text"]).value == "版0"

    def test_print_setup_is_a4_fit_to_width_with_titles(self, tmp_path: Path) -> None:
        sheet = make_sheet().model_copy(update={"version": 3})
        _, wb, ws = export_and_open(sheet, tmp_path)
        for w in (ws, wb[CITES_SHEET]):
            assert int(w.page_setup.paperSize) == A4
            assert w.sheet_properties.pageSetUpPr.fitToPage
            assert w.page_setup.fitToWidth == 1 and w.page_setup.fitToHeight == 0
            assert w.page_margins.left == 0.5
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$3:$3"
        assert "sh-test000001" in ws.oddFooter.left.text and "版3" in ws.oddFooter.left.text
        assert "東部市" in ws.oddHeader.center.text
        assert ws.column_dimensions["C"].width >= 50
        assert ws.column_dimensions["I"].hidden  # the row keys never print

    def test_citations_sheet_lists_every_citation(self, tmp_path: Path) -> None:
        sheet = make_sheet()
        _, wb, _ = export_and_open(sheet, tmp_path)
        ws = wb[CITES_SHEET]
        header = [c.value for c in ws[1]][:10]
        assert header == [
            "ワークシート",
            "番号",
            "項目",
            "資料名",
            "事例",
            "所在",
            "チャンクID",
            "引用",
            "検証",
            "採用",
        ]
        rows = [[c.value for c in row][:10] for row in ws.iter_rows(min_row=2)]
        assert len(rows) == len(sheet.all_citations()) == 7
        assert rows[0] == [
            "1_東部市_時間外診療",
            1,
            "目指す姿",
            GUIDELINE,
            None,
            "第4章第4節（2）時間外診療 （3）地域で目指すべき姿",
            "gl-4-4-2-goal",
            "時間外診療体制を確保する",
            "確認済",
            "採用",
        ]
        dropped = next(r for r in rows if r[7] == DROPPED_QUOTE)
        assert dropped[2] == "課題" and dropped[4] == "事例12 ○○病院" and dropped[9] == "不採用"
        unverified = next(r for r in rows if r[7] == UNVERIFIED_QUOTE)
        assert unverified[8] == "未確認（引用文が資料の本文にありません）"
        assert unverified[2] == "方策②"

    def test_several_sheets_share_one_workbook(self, tmp_path: Path) -> None:
        other = make_sheet(sheet_id="sh-test000002", theme="zaitaku")
        wb = load_workbook(to_xlsx([make_sheet(), other], tmp_path / "two.xlsx"))
        assert wb.sheetnames[:2] == ["1_東部市_時間外診療", "2_東部市_在宅医療"]
        cites = {r[0].value for r in wb[CITES_SHEET].iter_rows(min_row=2)}
        assert cites == {"1_東部市_時間外診療", "2_東部市_在宅医療"}
        assert [wb[META_SHEET].cell(r, 2).value for r in (3, 4)] == [
            "sh-test000001",
            "sh-test000002",
        ]


# --- Word, Markdown, JSON ----------------------------------------------------------------


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_has_a_heading_per_field_tables_and_numbered_notes(tmp_path: Path) -> None:
    path = to_docx(make_sheet(), tmp_path / "sheet.docx")
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings == [
        "① 現状",
        "② 目指す姿",
        "③ 課題",
        "④ 原因",
        "⑤ 方策（役割分担・優先度）",
        "⑥ 期待される効果",
        "⑥ 検証指標",
        "事務局メモ（非公開）",
        "出典",
    ]
    text = docx_text(path)
    assert "原因①（医師会の視点）" in text and "東部市医師会" in text and "輪番表の作成" in text
    assert "[1] 目指す姿: " + GUIDELINE in text
    assert UNBACKED_TEXT in text and "（根拠なし）" in text
    assert "N=96" in text and "架空データ" in text
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=1)


def test_markdown_has_fields_markers_provenance_and_sources() -> None:
    md = to_markdown(make_sheet())
    for needle in (
        "# 《課題管理シート》東部市におけるかかりつけ医機能の課題について（時間外診療）",
        "## ① 現状",
        "## ④ 原因",
        "### 方策①（優先度: 高）",
        "| 東部市医師会 | 輪番表の作成 |",
        "時間外診療体制を確保する。[1]",
        UNBACKED_TEXT + "（根拠なし）",
        "N=96",
        "### 方策③（優先度: 低）（不採用）",
        "## 出典",
        "`gl-4-4-2-goal`",
        "未確認（引用文が資料の本文にありません）",
        "架空のサンプルデータ",
    ):
        assert needle in md, needle


def test_json_loads_back_into_the_same_sheet() -> None:
    sheet = make_sheet()
    text = to_json(sheet)
    assert "東部市" in text  # Japanese left readable
    assert IssueSheet.model_validate_json(text) == sheet


# --- public summary -------------------------------------------------------------------------

PRIVATE = (
    INTERNAL_NOTE,
    STATEMENT_NOTE,
    UNBACKED_TEXT,
    DROPPED_MEASURE,
    DROPPED_QUOTE,
    UNVERIFIED_QUOTE,
    "輪番に参加する診療所を地区ごとに組み直す",
    "gl-4-4-2-goal",
    "事務局メモ",
)


def _public_text(kind: str, tmp_path: Path) -> str:
    summary = public_summary(make_sheet())
    if kind == "md":
        return public_to_markdown(summary)
    if kind == "json":
        return summary.model_dump_json()
    if kind == "docx":
        return docx_text(public_to_docx(summary, tmp_path / "p.docx"))
    wb = load_workbook(public_to_xlsx([summary], tmp_path / "p.xlsx"))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("kind", ["md", "json", "docx", "xlsx"])
def test_public_summary_leaves_out_notes_unbacked_and_dropped(kind: str, tmp_path: Path) -> None:
    text = _public_text(kind, tmp_path)
    for secret in PRIVATE:
        assert secret not in text, secret
    for shown in (
        "東部市",
        "時間外診療",
        "地域の輪番体制の構築",
        "東部市医師会",
        "輪番表の作成",
        "県平均以上",
    ):
        assert shown in text, shown


def test_public_summary_has_the_results_in_order_and_renumbers_sources() -> None:
    summary = public_summary(make_sheet())
    md = public_to_markdown(summary)
    assert (
        md.index("地域の課題") < md.index("目指す姿") < md.index("方策①") < md.index("効果の検証")
    )
    assert [s.number for s in summary.sources] == [1, 2, 3, 4]  # 課題, 目指す姿, 方策①, 効果
    assert summary.issue is not None and summary.issue.notes == [1]
    assert [m.text for m in summary.measures] == [make_sheet().measures[0].text]
    assert summary.omitted == [
        "current_state[1]: 根拠なし",
        "measures[1]: 根拠なし",
        "measures[2]: 不採用",
    ]
    assert "omitted" not in summary.model_dump()


@pytest.mark.parametrize("status", [SheetStatus.draft, SheetStatus.review])
def test_public_summary_refuses_sheets_not_yet_submitted(status: SheetStatus) -> None:
    with pytest.raises(NotPublishableError, match=f"状態は「{status}」.*協議会提出"):
        public_summary(make_sheet(status))


@pytest.mark.parametrize("status", [SheetStatus.submitted, SheetStatus.published])
def test_public_summary_allows_submitted_and_published(status: SheetStatus) -> None:
    assert public_summary(make_sheet(status)).status == status


def test_public_summary_force_allows_a_draft_for_checking() -> None:
    assert public_summary(make_sheet(SheetStatus.draft), force=True).status == "下書き"


# --- agenda -------------------------------------------------------------------------------

MEETING = MeetingInfo(
    name="令和8年度 第1回 東部圏域 協議の場",
    date="2026年7月15日（水）",
    place="東部保健所 大会議室",
    start="13:30",
    minutes=120,
    chair="東部市医師会長",
    presenters={"zaitaku": "在宅医療担当理事", "sh-test000001": "東部市医師会 理事"},
)


def three_sheets() -> list[IssueSheet]:
    return [
        make_sheet(),
        make_sheet(sheet_id="sh-test000002", theme="zaitaku"),
        make_sheet(sheet_id="sh-test000003", theme="kaigo"),
    ]


def test_agenda_splits_the_meeting_over_sheets_and_steps() -> None:
    plan = agenda(three_sheets(), MEETING)
    assert plan.opening.start == "13:30" and plan.closing.end == "15:30"
    assert [i.minutes for i in plan.items] == [34, 33, 33]
    assert [i.presenter for i in plan.items] == [
        "東部市医師会 理事",
        "在宅医療担当理事",
        "事務局（コーディネーター）",
    ]
    previous_end = plan.opening.end
    for item in plan.items:
        assert [s.step for s in item.steps] == ["①", "②", "③", "④", "⑤", "⑥"]
        assert sum(s.minutes for s in item.steps) == item.minutes
        assert item.steps[0].start == item.start == previous_end
        assert item.steps[-1].end == item.end
        previous_end = item.end
    assert plan.closing.start == previous_end
    steps = plan.items[0].steps
    assert "（担い手: 東部市医師会、県・保健所）" in steps[4].content
    assert DROPPED_MEASURE not in steps[4].content
    assert "（根拠なし）" in steps[0].content
    assert "県平均以上" in steps[5].content


def test_agenda_never_shows_internal_notes() -> None:
    md = agenda_to_markdown(agenda(three_sheets(), MEETING))
    assert INTERNAL_NOTE not in md and STATEMENT_NOTE not in md


@pytest.mark.parametrize("kind", ["md", "docx", "xlsx"])
def test_agenda_writers_show_meeting_items_and_steps(kind: str, tmp_path: Path) -> None:
    plan = agenda(three_sheets(), MEETING)
    if kind == "md":
        text = agenda_to_markdown(plan)
    elif kind == "docx":
        text = docx_text(agenda_to_docx(plan, tmp_path / "a.docx"))
    else:
        wb = load_workbook(agenda_to_xlsx(plan, tmp_path / "a.xlsx"))
        ws = wb.active
        assert int(ws.page_setup.paperSize) == A4 and ws.page_setup.fitToWidth == 1
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for needle in (
        "令和8年度 第1回 東部圏域 協議の場",
        "東部保健所 大会議室",
        "議題1 時間外診療（東部市）",
        "議題3 医療介護連携（東部市）",
        "⑤ 方策と役割分担の決定",
        "13:30〜13:40",
        "在宅医療担当理事",
        "まとめ・次回の予定",
    ):
        assert needle in text, needle


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minutes": 30}, "時間（10分）が足りません"),
        ({"start": "午後2時"}, "開始時刻「午後2時」"),
    ],
)
def test_agenda_rejects_impossible_meetings(change: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        agenda(three_sheets(), MEETING.model_copy(update=change))


# --- Excel import ---------------------------------------------------------------------------


class TestXlsxImport:
    def test_round_trip_saves_the_edit_as_a_new_version(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        cell = ws.cell(rows_by_key(ws)["goal"], COL["text"])
        cell.value = cell.value.replace("輪番制", "輪番制や当番医制")
        wb.save(path)
        report = import_xlsx(path, store, author="県 事務局")
        assert [(s.base_version, s.new_version) for s in report.sheets] == [(1, 2)]
        assert any("目指す姿" in c for c in report.sheets[0].changes)
        new = store.get(saved.sheet_id)
        assert new.version == 2
        assert new.goal.text == saved.goal.text.replace("輪番制", "輪番制や当番医制")
        assert new.goal.citations == saved.goal.citations  # the [1] marker was not kept as text
        assert everything_but(new, "goal") == everything_but(saved, "goal")
        history = store.history(saved.sheet_id)
        assert history[-1].author == "県 事務局" and "sheet.xlsx" in history[-1].message

    def test_untouched_workbook_saves_nothing(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, _, _ = export_and_open(saved, tmp_path)
        report = import_xlsx(path, store)
        assert report.saved == [] and report.sheets[0].new_version is None
        assert len(store.history(saved.sheet_id)) == 1

    def test_long_models_survive_split_metadata(self, store: SheetStore, tmp_path: Path) -> None:
        big = store.save(make_sheet(internal_notes="議事メモ。" * 15000))
        path, wb, _ = export_and_open(big, tmp_path)
        assert wb[META_SHEET]["E3"].value >= 3
        assert import_xlsx(path, store).saved == []
        ws = wb.worksheets[0]
        assert ws.cell(rows_by_key(ws)["internal_notes"], COL["text"]).value.endswith(
            "全文はアプリで確認・編集してください）"
        )

    def test_roles_priority_acceptance_viewpoint_status_and_citations(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(
            rows["participants"], COL["text"]
        ).value = "県・保健所、東部市、東部市医師会、訪問看護ステーション"
        ws.cell(rows["causes[1]"], COL["side"]).value = "市町村"
        ws.cell(
            rows["measures[0]"], COL["side"]
        ).value = "東部市医師会：輪番表の作成\n東部市：住民への周知"
        ws.cell(rows["measures[0]"], COL["priority"]).value = "中"
        ws.cell(rows["measures[2]"], COL["accepted"]).value = "採用"
        ws.cell(rows["current_state[1]"], COL["note"]).value = "救急外来の件数を確認済み"
        ws.cell(rows["status"], COL["text"]).value = "公表"
        ws.cell(rows["internal_notes"], COL["text"]).value = "医師会と調整済み"
        cites = wb[CITES_SHEET]
        row = next(
            r for r in range(2, cites.max_row + 1) if cites.cell(r, 8).value == DROPPED_QUOTE
        )
        cites.cell(row, 10).value = "採用"
        wb.save(path)
        import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert new.participants[-1] == "訪問看護ステーション"
        assert new.causes[1].viewpoint == "市町村"
        assert [(r.actor, r.action) for r in new.measures[0].roles] == [
            ("東部市医師会", "輪番表の作成"),
            ("東部市", "住民への周知"),
        ]
        assert new.measures[0].priority == "中" and new.measures[2].accepted
        assert new.current_state[1].note == "救急外来の件数を確認済み"
        assert new.status == SheetStatus.published and new.internal_notes == "医師会と調整済み"
        assert new.issue.citations[1].accepted
        edited = (
            "participants",
            "causes",
            "measures",
            "current_state",
            "status",
            "internal_notes",
            "issue",
        )
        assert everything_but(new, *edited) == everything_but(saved, *edited)
        assert new.causes[0] == saved.causes[0] and new.measures[1] == saved.measures[1]

    def test_inserted_row_adds_a_cause(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        r = rows_by_key(ws)["causes[1]"] + 1
        ws.insert_rows(r)
        ws.cell(r, COL["text"]).value = "時間外の相談窓口が住民に知られていない。"
        ws.cell(r, COL["side"]).value = "住民"
        wb.save(path)
        report = import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert [c.viewpoint for c in new.causes] == ["医師会", "行政", "住民"]
        assert new.causes[2].text == "時間外の相談窓口が住民に知られていない。"
        assert new.causes[2].unbacked
        assert any("を追加" in c for c in report.sheets[0].changes)

    def test_emptied_text_removes_the_item(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.cell(rows_by_key(ws)["measures[2]"], COL["text"]).value = None
        wb.save(path)
        import_xlsx(path, store)
        assert [m.text for m in store.get(saved.sheet_id).measures] == [
            m.text for m in saved.measures[:2]
        ]

    def test_deleted_row_keeps_the_content_and_warns(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.delete_rows(rows["effects[0]"])
        ws.cell(rows["goal"], COL["note"]).value = "要確認"
        wb.save(path)
        report = import_xlsx(path, store)
        new = store.get(saved.sheet_id)
        assert new.effects == saved.effects and new.goal.note == "要確認"
        assert any("元の内容のまま残しました" in w for w in report.sheets[0].warnings)

    def test_renamed_worksheet_is_found_by_its_hidden_key(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.title = "時間外（修正版）"
        ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "修正"
        wb.save(path)
        assert import_xlsx(path, store).sheets[0].worksheet == "時間外（修正版）"
        assert store.get(saved.sheet_id).issue.note == "修正"

    def test_removing_only_marks_changes_nothing(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(
            rows["current_state[1]"], COL["text"]
        ).value = UNBACKED_TEXT  # 「（根拠なし）」 removed
        ws.cell(rows["goal"], COL["text"]).value = saved.goal.text  # marker [1] removed
        wb.save(path)
        report = import_xlsx(path, store)
        assert report.saved == [] and report.sheets[0].changes == []
        assert store.get(saved.sheet_id).goal.citations == saved.goal.citations

    def test_placeholder_row_of_an_empty_field_takes_a_new_item(
        self, store: SheetStore, tmp_path: Path
    ) -> None:
        sheet = store.save(make_sheet(causes=[], indicators=[]))
        path, wb, ws = export_and_open(sheet, tmp_path)
        rows = rows_by_key(ws)
        ws.cell(rows["causes[+]"], COL["text"]).value = "休日当番の医師が固定化している。"
        ws.cell(rows["causes[+]"], COL["side"]).value = "医師会"
        ws.cell(rows["indicators[+]"], COL["text"]).value = "休日夜間の受診件数"
        wb.save(path)
        import_xlsx(path, store)
        new = store.get(sheet.sheet_id)
        assert [(c.text, c.viewpoint) for c in new.causes] == [
            ("休日当番の医師が固定化している。", "医師会")
        ]
        assert [i.name for i in new.indicators] == ["休日夜間の受診件数"]

    def test_conflict_when_someone_saved_in_between(
        self, store: SheetStore, saved: IssueSheet, tmp_path: Path
    ) -> None:
        path, wb, ws = export_and_open(saved, tmp_path)
        ws.cell(rows_by_key(ws)["issue"], COL["text"]).value = "休日・夜間の相談先が分からない。"
        wb.save(path)
        store.save(saved.model_copy(update={"title": "別の人の編集"}), author="別の人")
        with pytest.raises(SheetConflictError, match="他の人が先に保存") as info:
            import_xlsx(path, store)
        assert info.value.mine.issue.text == "休日・夜間の相談先が分からない。"
        assert info.value.mine.version == 1
        assert info.value.theirs.version == 2 and info.value.theirs.title == "別の人の編集"
        assert len(store.history(saved.sheet_id)) == 2


def _not_xlsx(path: Path, wb, ws) -> None:
    path.write_text("これは Excel ではありません", encoding="utf-8")


def _truncated(path: Path, wb, ws) -> None:
    path.write_bytes(path.read_bytes()[:300])


def _no_meta(path: Path, wb, ws) -> None:
    del wb[META_SHEET]
    wb.save(path)


def _tampered_meta(path: Path, wb, ws) -> None:
    wb[META_SHEET]["F3"].value = wb[META_SHEET]["F3"].value.replace("東部市", "西部市")
    wb.save(path)


def _unknown_key(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["goal"], COL["key"]).value = "goal_v2"
    wb.save(path)


def _bad_priority(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["measures[0]"], COL["priority"]).value = "最高"
    ws.cell(rows_by_key(ws)["goal"], COL["text"]).value = "この編集も保存されない"
    wb.save(path)


def _read_only_area(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["area"], COL["text"]).value = "西部市"
    wb.save(path)


def _stray_row(path: Path, wb, ws) -> None:
    r = ws.max_row + 2
    ws.cell(r, 1).value = "その他"
    ws.cell(r, COL["text"]).value = "議題外の意見"
    wb.save(path)


def _bad_status(path: Path, wb, ws) -> None:
    ws.cell(rows_by_key(ws)["status"], COL["text"]).value = "完了"
    wb.save(path)


def _edited_quote(path: Path, wb, ws) -> None:
    wb[CITES_SHEET]["H2"].value = "書き換えた引用"
    wb.save(path)


def _roles_without_text(path: Path, wb, ws) -> None:
    r = rows_by_key(ws)["measures[2]"] + 1
    ws.insert_rows(r)
    ws.cell(r, COL["side"]).value = "東部市：広報"
    wb.save(path)


def _copied_row(path: Path, wb, ws) -> None:
    src = rows_by_key(ws)["effects[0]"]
    r = ws.max_row + 1
    for c in range(1, COL["key"] + 1):
        ws.cell(r, c).value = ws.cell(src, c).value
    wb.save(path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_not_xlsx, r"Excel（\.xlsx）ファイルとして読めません"),
        (_truncated, r"Excel（\.xlsx）ファイルとして読めません"),
        (_no_meta, r"「_facilitator」: 非表示のメタデータのワークシートがありません"),
        (_tampered_meta, r"「_facilitator」のセル A3:F3: メタデータが壊れています"),
        (
            _unknown_key,
            r"「1_東部市_時間外診療」のセル A\d+: この行（キー「goal_v2」）は読めません",
        ),
        (_bad_priority, r"のセル E\d+: 優先度「最高」は 高・中・低"),
        (_read_only_area, r"のセル C4: 圏域の「内容」は Excel では変更できません"),
        (_stray_row, r"のセル A\d+: どの項目の行か分かりません"),
        (_bad_status, r"のセル C\d+: 状態「完了」は選べません"),
        (_edited_quote, r"「出典」のセル H2: 引用文は Excel では変更できません"),
        (
            _roles_without_text,
            r"のセル C\d+: ⑤ 方策（役割分担・優先度）の行に「内容」がないため追加できません",
        ),
        (_copied_row, r"のセル A\d+: 行 \d+ と同じ行がもう1つあります"),
    ],
)
def test_unreadable_workbook_is_reported_and_nothing_saved(
    damage, message: str, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    damage(path, wb, ws)
    with pytest.raises(XlsxImportError, match=message) as info:
        import_xlsx(path, store)
    assert "何も保存していません" in str(info.value)
    assert len(store.history(saved.sheet_id)) == 1
    assert store.get(saved.sheet_id) == saved


def test_unknown_sheet_id_is_reported_with_its_cell(store: SheetStore, tmp_path: Path) -> None:
    path, _, _ = export_and_open(make_sheet(sheet_id="sh-elsewhere1"), tmp_path)
    with pytest.raises(
        XlsxImportError,
        match=r"「_facilitator」のセル B3: シートID「sh-elsewhere1」"
        r"（ワークシート「1_東部市_時間外診療」）はこのデータにありません",
    ):
        import_xlsx(path, store)
    assert store.list() == []


def test_missing_file_is_an_input_error(store: SheetStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"ファイル .*nothing\.xlsx がありません"):
        import_xlsx(tmp_path / "nothing.xlsx", store)


# --- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def run(settings: Settings):
    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = settings

    @root.group()
    def sheets() -> None:
        """課題シート."""

    root.add_command(export_command)
    root.add_command(agenda_command)
    sheets.add_command(import_xlsx_command)

    def invoke(*args: str):
        return CliRunner().invoke(root, list(args))

    return invoke


def test_cli_export_markdown_to_stdout(run, saved: IssueSheet) -> None:
    result = run("export", saved.sheet_id, "--format", "md", "--out", "-")
    assert result.exit_code == 0, result.output
    assert "## ⑤ 方策（役割分担・優先度）" in result.output


def test_cli_export_xlsx_then_import_edited_file(
    run, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "sheet.xlsx"
    result = run("export", saved.sheet_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "出力しました" in result.output and "版1" in result.output
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "会議で確認"
    wb.save(out)
    result = run("sheets", "import-xlsx", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sheets"][0]["new_version"] == 2
    assert store.get(saved.sheet_id).issue.note == "会議で確認"


def test_cli_import_conflict_keeps_the_imported_content(
    run, store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    path, wb, ws = export_and_open(saved, tmp_path)
    ws.cell(rows_by_key(ws)["issue"], COL["note"]).value = "私の編集"
    wb.save(path)
    store.save(saved, author="別の人")
    result = run("sheets", "import-xlsx", str(path))
    assert isinstance(result.exception, SheetConflictError)
    kept = next(tmp_path.glob("sheet.*.取り込み内容.json"))
    assert IssueSheet.model_validate_json(kept.read_text(encoding="utf-8")).issue.note == "私の編集"


def test_cli_public_export_refuses_a_draft(run, store: SheetStore, tmp_path: Path) -> None:
    draft = store.save(make_sheet(SheetStatus.draft))
    result = run("export", draft.sheet_id, "--public", "--out", str(tmp_path / "p.md"))
    assert isinstance(result.exception, NotPublishableError)
    assert not (tmp_path / "p.md").exists()
    result = run("export", draft.sheet_id, "--public", "--force", "--out", str(tmp_path / "p.md"))
    assert result.exit_code == 0, result.output
    assert INTERNAL_NOTE not in (tmp_path / "p.md").read_text(encoding="utf-8")


def test_cli_export_older_version(run, store: SheetStore, saved: IssueSheet) -> None:
    store.save(saved.model_copy(update={"title": "改題"}))
    result = run("export", saved.sheet_id, "--version", "1", "--format", "json", "--out", "-")
    assert json.loads(result.output)["version"] == 1


def test_cli_agenda(run, store: SheetStore, tmp_path: Path) -> None:
    ids = [store.save(s).sheet_id for s in three_sheets()]
    out = tmp_path / "agenda.xlsx"
    result = run(
        "agenda",
        *ids,
        "--name",
        "第1回 協議の場",
        "--date",
        "2026年7月15日",
        "--presenter",
        "zaitaku=在宅医療担当理事",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "3 議題" in result.output and out.exists()


# --- real office software -------------------------------------------------------------------


def _need_libreoffice() -> None:
    from facilitator.export.office import libreoffice_binary

    if libreoffice_binary() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI では LibreOffice が必要です（.ci/run で apt-get install libreoffice-calc "
                "libreoffice-writer fonts-noto-cjk）"
            )
        pytest.skip("LibreOffice がありません（CI では必須）")


@pytest.mark.integration
def test_libreoffice_converts_the_exports_to_pdf(tmp_path: Path) -> None:
    from facilitator.export.office import convert_to_pdf

    _need_libreoffice()
    sheet = make_sheet()
    plan = agenda(three_sheets(), MEETING)
    files = [
        to_xlsx([sheet], tmp_path / "issue.xlsx"),
        to_docx(sheet, tmp_path / "issue.docx"),
        public_to_docx(public_summary(sheet), tmp_path / "public.docx"),
        agenda_to_xlsx(plan, tmp_path / "agenda.xlsx"),
    ]
    for path in files:
        pdf, _ = convert_to_pdf(path, tmp_path / "pdf" / path.suffix[1:])
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 1
        text = (reader.pages[0].extract_text() or "").replace(" ", "")
        assert "東部" in text, path.name


@pytest.mark.integration
def test_workbook_saved_by_libreoffice_calc_imports_back(
    store: SheetStore, saved: IssueSheet, tmp_path: Path
) -> None:
    """A coordinator editing in Calc (not Excel) must not lose the hidden metadata or keys."""
    from facilitator.export.office import convert

    _need_libreoffice()
    path = to_xlsx([saved], tmp_path / "issue.xlsx")
    resaved, _ = convert(path, tmp_path / "calc", "xlsx:Calc MS Excel 2007 XML")
    assert import_xlsx(resaved, store).saved == []  # Calc changed nothing we read
    wb = load_workbook(resaved)
    ws = wb.worksheets[0]
    ws.cell(rows_by_key(ws)["causes[0]"], COL["side"]).value = "病院"
    wb.save(resaved)
    import_xlsx(resaved, store)
    new = store.get(saved.sheet_id)
    assert new.version == 2 and new.causes[0].viewpoint == "病院"
    assert everything_but(new, "causes") == everything_but(saved, "causes")
