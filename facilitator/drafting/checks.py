"""Checks of what a model proposed, phrased so they can be sent back to it once.

A proposed citation must name a passage shown to the model and quote it verbatim; a
figure id must be one of the findings given; a case named in the text must be among the
retrieved passages. The final verification of what is kept is
:func:`facilitator.sheets.citations.keep_verified`, the same for every drafter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from facilitator.corpus.chunks import Chunk
from facilitator.drafting.schema import AnswerDraft, DraftCitation, SheetDraft
from facilitator.reports.models import Finding
from facilitator.search.hits import SearchHit
from facilitator.sheets.citations import verify_citation
from facilitator.sheets.model import Citation, FigureRef
from facilitator.text import normalize_query

NOT_RETRIEVED = "この下書きのために検索された資料ではありません（今回渡された passage の id だけを引用できます）"
_CASE_RE = re.compile(r"(事例|参考)\s*(\d+)")


def named_cases(text: str) -> list[str]:
    """事例n / 参考n named in a text, once each, in order."""
    found = (m.group(1) + m.group(2) for m in _CASE_RE.finditer(normalize_query(text)))
    return list(dict.fromkeys(found))


def short(text: str, n: int = 40) -> str:
    """A quote cut for a message: one line, at most ``n`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


class ProposalChecker:
    """What this request's evidence allows: the passages shown, the findings, the cases."""

    def __init__(
        self,
        hits: Sequence[SearchHit],
        chunks: Mapping[str, Chunk] | None = None,
        findings: Sequence[Finding] = (),
        extra: set[str] | None = None,
    ) -> None:
        self.allowed = {h.chunk_id for h in hits} | (extra or set())
        self.chunks = chunks if chunks is not None else {h.chunk_id: h.chunk for h in hits}
        self.findings = {f.id: f for f in findings}
        self.cases = {h.case_id for h in hits if h.case_id}

    def unknown_cases(self, text: str) -> list[str]:
        """事例n / 参考n named in the text but not among the retrieved passages."""
        return [c for c in named_cases(text) if c not in self.cases]

    def case_errors(self, path: str, text: str) -> list[str]:
        return [
            f"{path}.text: 「{c}」は今回渡された資料にない事例です（本文で触れないでください）"
            for c in self.unknown_cases(text)
        ]

    def citation(self, proposed: DraftCitation) -> Citation:
        cite = Citation(chunk_id=proposed.chunk_id, quote=proposed.quote)
        if proposed.chunk_id not in self.allowed:  # same words whether or not it is indexed
            return cite.model_copy(update={"verified": False, "problem": NOT_RETRIEVED})
        return verify_citation(cite, self.chunks, self.allowed)

    def citation_errors(self, path: str, cites: Sequence[DraftCitation]) -> list[str]:
        out = []
        for i, c in enumerate(cites):
            checked = self.citation(c)
            if not checked.verified:
                out.append(
                    f"{path}.citations[{i}]: chunk_id「{c.chunk_id}」quote「{short(c.quote)}」"
                    f": {checked.problem}"
                )
        return out

    def figure_errors(self, path: str, ids: Sequence[str]) -> list[str]:
        return [
            f"{path}.figure_ids[{i}]: 「{fid}」は今回渡された所見にありません"
            for i, fid in enumerate(ids)
            if fid not in self.findings
        ]

    def figures(self, path: str, ids: Sequence[str], dropped: list[str]) -> list[FigureRef]:
        """The findings named by ``ids`` as figures; unknown ids are dropped and reported."""
        out: list[FigureRef] = []
        for fid in dict.fromkeys(ids):
            finding = self.findings.get(fid)
            if finding is None:
                dropped.append(f"不明な所見IDを削除しました: {path}: {fid}")
                continue
            out.append(FigureRef.from_finding(finding))
        return out

    def draft_errors(self, draft: SheetDraft) -> list[str]:
        """Everything wrong with a proposed sheet, one line per problem."""
        if not any(s.text.strip() for _, s in draft.statements()):
            return ["すべての欄が空です。各欄に文を書いてください。"]
        errors: list[str] = []
        for path, s in draft.statements():
            errors += self.citation_errors(path, s.citations)
            errors += self.figure_errors(path, s.figure_ids)
            errors += self.case_errors(path, s.text)
        return errors

    def answer_errors(self, answer: AnswerDraft) -> list[str]:
        """Everything wrong with a proposed answer, one line per problem."""
        if not answer.answer.strip():
            return ["answer が空です。"]
        errors = self.citation_errors("answer", answer.citations)
        errors += self.case_errors("answer", answer.answer)
        if not answer.citations:
            errors.append("citations が空です。回答の根拠となる passage を引用してください。")
        return errors
