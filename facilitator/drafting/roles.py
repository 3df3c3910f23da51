"""Who does what: actors and viewpoints named in a passage, default roles, participants.

Fixed vocabularies, matched by keyword on normalised text, so the offline draft is
deterministic; the coordinator edits roles in the app.
"""

from __future__ import annotations

import re

from facilitator.analysis.profile import GapProfile
from facilitator.drafting.context import DraftContext
from facilitator.sheets.model import Role

MAX_ROLES = 4
# (actor, keywords, default action). Order is the display order of roles.
ACTORS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "県・保健所",
        ("都道府県", "保健所", "県担当", "県内", "県が", "県と", "県から", "かかりつけ医機能報告"),
        "報告データの集計・提供と圏域全体の調整、研修等の支援",
    ),
    (
        "市町村",
        ("市町村", "行政", "自治体", "市役所", "役場", "地域包括支援センター", "住民"),
        "住民への周知と地域支援事業・介護部門との調整",
    ),
    ("郡市区医師会", ("医師会", "輪番", "当番医"), "会員医療機関への呼びかけと連携体制の調整"),
    ("病院", ("病院", "病床", "入院"), "急変時の受入れ・後方支援と入退院の調整"),
    (
        "診療所",
        ("診療所", "クリニック", "開業医", "かかりつけ医", "自院", "訪問診療", "往診", "代診"),
        "日常診療・在宅医療の実施と連携体制への参加",
    ),
    ("訪問看護", ("訪問看護",), "24時間の対応・急変時の初期対応と情報共有"),
    (
        "介護事業所",
        ("介護事業", "介護施設", "介護保険施設", "福祉施設", "居宅介護", "介護サービス"),
        "利用者の状態の共有と医療機関との連絡",
    ),
    ("ケアマネ", ("ケアマネ", "介護支援専門員"), "サービス調整と医療機関との情報共有"),
)
DEFAULT_ACTIONS = {actor: action for actor, _, action in ACTORS}
ROLE_ACTORS: tuple[str, ...] = (
    *(actor for actor, _, _ in ACTORS),
    "地域包括支援センター",
    "歯科・薬局",
    "住民",
)
"""Who a catalogue measure may give a role to (「役割：すること」), in display order."""
THEME_LEAD = {
    "ichigo": "郡市区医師会",
    "jikangai": "郡市区医師会",
    "nyutaiin": "病院",
    "zaitaku": "郡市区医師会",
    "kaigo": "市町村",
}
"""Who usually convenes the work when a ✓ point names no actor."""

# Viewpoints of causes, checked in this order; at most two are named.
VIEWPOINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("介護", ("介護", "ケアマネ")),
    ("医師会", ("医師会", "当番医", "輪番")),
    ("住民", ("住民", "家族", "相談すれば", "周知されて")),
    ("行政", ("行政", "市町村", "保健所", "把握")),
    ("医療", ("医師", "医療機関", "病院", "診療所", "病床", "訪問看護", "在宅医療")),
)

DEFAULT_PARTICIPANTS: dict[str, list[str]] = {
    "ichigo": [
        "都道府県・保健所",
        "市町村",
        "郡市区医師会",
        "関係する診療所や病院",
        "コーディネーター",
    ],
    "jikangai": [
        "都道府県・保健所",
        "市町村",
        "郡市区医師会",
        "関係する診療所や病院",
        "コーディネーター",
    ],
    "nyutaiin": [
        "都道府県・保健所",
        "市町村",
        "郡市区医師会",
        "関係する病院や診療所",
        "訪問看護ステーション",
        "介護関係者",
        "コーディネーター",
    ],
    "zaitaku": [
        "都道府県・保健所",
        "市町村",
        "郡市区医師会",
        "関係する診療所や病院",
        "介護事業者等",
        "訪問看護ステーション",
        "コーディネーター",
    ],
    "kaigo": [
        "都道府県・保健所",
        "市町村",
        "郡市区医師会",
        "関係する診療所や病院",
        "介護事業者",
        "コーディネーター",
    ],
}
_PARTICIPANT_FIXES = {"都市区医師会": "郡市区医師会"}
"""A character the guideline's PDF text lost."""


def infer_actors(text: str) -> list[str]:
    """Actors named in a passage, by keyword, in the fixed display order."""
    return [actor for actor, words, _ in ACTORS if any(w in text for w in words)]


def viewpoint(text: str) -> str:
    """The stakeholder viewpoint(s) a cause speaks from (at most two, 医療 by default)."""
    found = [name for name, words in VIEWPOINTS if any(w in text for w in words)]
    return "・".join(found[:2]) or "医療"


def point_role(point: str, theme: str) -> tuple[Role, list[str]]:
    actors = infer_actors(point)[:2] or [THEME_LEAD.get(theme, "郡市区医師会")]
    return Role(actor="・".join(actors), action=point), actors


def participants(context: DraftContext) -> list[str]:
    """参加者 from the example sheet (split, 「等」 dropped), else a default per theme."""
    for ex in context.examples:
        if ex.participants.strip():
            text = ex.participants
            for wrong, right in _PARTICIPANT_FIXES.items():
                text = text.replace(wrong, right)
            parts = [p.strip().removesuffix("等").strip() for p in re.split(r"[、,，]", text)]
            return [p for p in parts if p]
    return list(DEFAULT_PARTICIPANTS.get(context.theme, DEFAULT_PARTICIPANTS["ichigo"]))


def local_roles(roles: list[Role], profile: GapProfile | None) -> list[Role]:
    """Roles only for actors the area has: a hospital role goes to the neighbouring
    hospitals (named) when the area has none, a clinic role is dropped where there is none."""
    if profile is None:
        return roles
    out: list[Role] = []
    for role in roles:
        actor = role.actor
        if actor == "病院" and profile.actors.get("病院", 0) == 0:
            names = "・".join(profile.neighbour_hospitals)
            actor = f"近隣の病院（{names}）" if names else "近隣の二次医療圏の病院"
        elif actor == "診療所" and profile.actors.get("診療所", 0) == 0:
            continue
        if all(r.actor != actor for r in out):
            out.append(role.model_copy(update={"actor": actor}))
    return out
