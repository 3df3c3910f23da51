"""Claim checks: a statement about the area must not say what its own figures contradict.

Each statement carries the claims it makes (``Statement.claims``: a metric and a
direction) when the drafter knows them; for text the drafter does not control (an LLM's,
a copied example, a person's edit) claims are read from the wording: a topic the report
data measures (後方支援病床, 24時間, 看取り …) in the same sentence as 「足りない」「少ない」
「困難」 or 「上回る」「多い」. A claim the profile contradicts, or cannot confirm because
too few institutions report, puts a reason in ``Statement.review`` (要確認) — for offline
and LLM drafts alike.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from facilitator.analysis.catalogue import figure
from facilitator.analysis.profile import GapProfile
from facilitator.sheets.model import Claim, IssueSheet, Statement
from facilitator.text import sentences

# (words, metric) per theme, most specific first: the first topic found in a sentence counts.
TOPICS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "ichigo": (
        (("総合診療専門医", "総合的な診療を行う医師"), "item.g1_sogo.yes.share"),
        (("研修の修了", "研修を修了"), "item.g1_kenshu.yes.share"),
        (("院内掲示",), "item.g1_keiji.yes.share"),
        (("1号機能", "かかりつけ医機能を有する", "かかりつけ医機能を担う"), "ichigo.yes.share"),
    ),
    "jikangai": (
        (("在宅当番医", "当番医", "輪番"), "item.g2i_tohban.yes.share"),
        (("急患センター",), "item.g2i_kyukan.yes.share"),
        (("随時対応",), "item.g2i_zuiji.yes.share"),
        (("時間外", "休日・夜間", "休日夜間", "夜間・休日"), "jikangai.yes.share"),
    ),
    "nyutaiin": (
        (("後方支援病床",), "item.g2ro_koho.yes.share"),
        (("退院ルール", "入退院支援ルール", "クリティカルパス"), "item.g2ro_taiin_rule.yes.share"),
        (("入退院", "入院時", "退院時"), "nyutaiin.yes.share"),
    ),
    "zaitaku": (
        (("24時間",), "zaitaku.h24.per65"),
        (("看取り",), "item.g2ha_mitori.sum.per75"),
        (("往診",), "item.g2ha_oushin.sum.per75"),
        (("訪問看護",), "item.g2ha_kango.sum.per75"),
        (
            ("在宅医療を担う", "在宅医療を提供する", "在宅医療の提供", "在宅医療を行う"),
            "zaitaku.yes.per65",
        ),
    ),
    "kaigo": (
        (("主治医意見書",), "item.g2ni_iken.yes.share"),
        (("サービス担当者会議", "ケアマネ", "介護支援専門員"), "item.g2ni_tantosha.yes.share"),
        (("地域ケア会議",), "item.g2ni_care_kaigi.yes.share"),
        (("協力医療機関",), "item.g2ni_kyoryoku.yes.share"),
        (("ACP", "人生会議"), "item.g2ni_acp.yes.share"),
        (("情報共有システム", "ICT"), "item.g2ni_ict.yes.share"),
        (
            ("介護施設等との連携", "介護施設等と連携", "介護との連携", "介護サービス等と連携"),
            "kaigo.yes.share",
        ),
    ),
}
NEGATIVE = (
    "足りない", "不足", "少ない", "少なく", "困難", "できていない", "進んでいない",
    "下回", "低い", "限られ", "乏しい", "確保できていない", "遅れ", "弱い",
)  # fmt: skip
POSITIVE = ("上回", "多い", "多く", "十分", "充実", "高い")
UNDECIDED = (
    "見られない", "とは言えない", "判断できない", "確かめられない", "比較はできない",
    "比較できない", "かどうか", "同程度", "おそれ",
)  # fmt: skip


class Flag(BaseModel):
    """A statement the area's figures contradict (or cannot confirm), and why."""

    path: str
    metric: str
    reason: str


def read_claims(text: str, theme: str) -> list[Claim]:
    """Claims read from the wording: a measured topic and a word of lack or of plenty in
    the same clause (「医師1人の診療所が多く、24時間の対応が難しい」 claims nothing about
    24時間 providers being many)."""
    out: list[Claim] = []
    for sentence in sentences(text):
        if any(w in sentence for w in UNDECIDED):
            continue
        for clause in _CLAUSE_RE.split(sentence):
            metric = next(
                (m for words, m in TOPICS.get(theme, ()) if any(w in clause for w in words)),
                None,
            )
            if metric is None:
                continue
            if any(w in clause for w in NEGATIVE):
                out.append(Claim(metric=metric, direction="below"))
            elif any(w in clause for w in POSITIVE):
                out.append(Claim(metric=metric, direction="above"))
    return out


_CLAUSE_RE = re.compile(r"[、，,]")


def contradiction(claim: Claim, profile: GapProfile) -> str | None:
    """Why the profile contradicts (or cannot confirm) a claim; None when it holds."""
    gap = profile.get(claim.metric)
    if gap is None:
        return None
    if claim.direction in ("present", "absent"):
        count = gap.numerator if gap.numerator is not None else gap.value
        if claim.direction == "absent" and count:
            return f"報告データでは{gap.label}は{figure(gap, 'count')}ある"
        if claim.direction == "present" and not count:
            return f"報告データでは{gap.label}はない"
        return None
    if claim.direction not in ("below", "above"):
        return None
    if gap.direction == "uncertain":
        return (
            f"{gap.label}は報告する医療機関が{gap.n}施設と少なく、"
            "県平均との差は報告データでは確かめられない"
        )
    opposite = "above" if claim.direction == "below" else "below"
    if gap.direction == opposite:
        word = "上回る" if opposite == "above" else "下回る"
        return f"報告データでは{gap.label}は{figure(gap, 'vs')}で、県平均を{word}"
    return None


def check_statement(path: str, statement: Statement, profile: GapProfile) -> list[Flag]:
    """The statement's own claims and those read from its words, checked against the profile.

    A statement that carries figures says its directions through them (its own claims);
    its words are read only when it has none. A cause is a hypothesis to be checked: it
    is flagged when the figures contradict it, not when they are too few to confirm it.
    """
    claims = list(statement.claims)
    if not statement.figures:
        claims += read_claims(statement.text, profile.theme)
    hypothesis = path.startswith("causes")
    flags: list[Flag] = []
    for claim in claims:
        reason = contradiction(claim, profile)
        if reason is None or (hypothesis and profile.direction(claim.metric) == "uncertain"):
            continue
        if all(f.metric != claim.metric for f in flags):
            flags.append(Flag(path=path, metric=claim.metric, reason=reason))
    return flags


def check_claims(sheet: IssueSheet, profile: GapProfile | None) -> tuple[IssueSheet, list[Flag]]:
    """Mark every statement whose claims the area's figures contradict as 要確認."""
    if profile is None:
        return sheet, []
    out = sheet.model_copy(deep=True)
    flags: list[Flag] = []
    for path, statement in out.statements():
        found = check_statement(path, statement, profile)
        statement.review = [f.reason for f in found]
        flags += found
    return out, flags
