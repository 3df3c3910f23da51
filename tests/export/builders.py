"""The exported example sheet and helpers shared by the export tests (and the CLI tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from facilitator.export import (
    MeetingInfo,
    to_xlsx,
)
from facilitator.export.xlsx import COL
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
from facilitator.sheets.store import SheetStore

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


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)
