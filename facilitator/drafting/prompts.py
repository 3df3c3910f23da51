"""Prompt files and how outside text is framed inside a prompt.

Prompts live in ``prompts/<name>.v<N>.md`` (Japanese, versioned, front matter +
``[[section]]`` blocks); the version goes into every sheet's provenance. Retrieved
passages, findings, example sheets and the user's own words enter a prompt only as
escaped, delimited DATA (``<passage id="…">…</passage>``), which the prompts say never
to obey, so a document that contains instructions cannot turn into instructions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from facilitator.analysis.catalogue import Match, figure, holds, render
from facilitator.analysis.profile import GapProfile
from facilitator.corpus.parsers.base import ExampleSheet
from facilitator.drafting.schema import AnswerDraft, SheetDraft
from facilitator.reports.models import Finding
from facilitator.search.hits import SearchHit
from facilitator.settings import PROJECT_ROOT
from facilitator.sheets.model import AreaRef
from facilitator.themes import THEME_LABELS

PROMPTS_DIR = PROJECT_ROOT / "prompts"
MAX_PASSAGES = 12
MAX_PASSAGE_CHARS = 12_000
"""Passages put into one prompt (count and total length, best first, at least one);
only these, plus indexed example-sheet fields, count as retrieved for verification."""


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt file: front matter plus ``[[section]]`` blocks."""

    name: str
    version: str
    text: str
    path: Path
    meta: dict[str, str] = field(default_factory=dict)

    def sections(self) -> dict[str, str]:
        """The ``[[system]]`` / ``[[user]]`` / ``[[repair]]`` blocks of the body."""
        out: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in self.text.splitlines():
            m = _SECTION_RE.fullmatch(line.strip())
            if m:
                if current is not None:
                    out[current] = "\n".join(lines).strip()
                current, lines = m.group(1), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            out[current] = "\n".join(lines).strip()
        return out

    def render(self, section: str, **values: str) -> str:
        """Fill ``{{name}}`` placeholders in one pass, so data can never inject more."""
        try:
            template = self.sections()[section]
        except KeyError:
            raise KeyError(f"{self.path.name}: section [[{section}]] missing") from None

        def fill(m: re.Match[str]) -> str:
            key = m.group(1)
            if key not in values:
                raise KeyError(f"{self.path.name}: no value for {{{{{key}}}}}")
            return values[key]

        return _PLACEHOLDER_RE.sub(fill, template)


_SECTION_RE = re.compile(r"\[\[(\w+)\]\]")
_PLACEHOLDER_RE = re.compile(r"\{\{(\w+)\}\}")
_PROMPT_FILE_RE = re.compile(r"(?P<name>[\w-]+)\.v(?P<version>\d+)\.md")


def load_prompt(name: str, version: int | None = None, folder: Path | None = None) -> Prompt:
    """Load ``name.vN.md`` (the newest N unless given); the version is recorded in sheets."""
    folder = folder or PROMPTS_DIR
    found: dict[int, Path] = {}
    for path in folder.glob(f"{name}.v*.md"):
        m = _PROMPT_FILE_RE.fullmatch(path.name)
        if m and m.group("name") == name:
            found[int(m.group("version"))] = path
    if not found or (version is not None and version not in found):
        raise FileNotFoundError(
            f"プロンプト「{name}」（版 {version or '最新'}）が {folder} にありません"
        )
    number = version if version is not None else max(found)
    path = found[number]
    raw = path.read_text("utf-8")
    meta: dict[str, str] = {}
    body = raw
    if raw.startswith("---\n"):
        head, sep, rest = raw[4:].partition("\n---\n")
        if not sep:
            raise ValueError(f"{path.name}: front matter is not closed")
        for line in head.splitlines():
            key, colon, value = line.partition(":")
            if colon:
                meta[key.strip()] = value.strip()
        body = rest
    if meta.get("name", name) != name or meta.get("version", str(number)) != str(number):
        raise ValueError(f"{path.name}: front matter name/version disagree with the file name")
    return Prompt(name=name, version=f"{name}.v{number}", text=body, path=path, meta=meta)


# ---------------------------------------------------------------------- data framing


def escape_data(text: str) -> str:
    """Make retrieved text inert inside the prompt: no ``<``/``>`` can close or open a tag.

    Full-width brackets go back to ASCII under the NFKC normalisation that citation
    checks apply to quotes, so a quote copied from an escaped passage still verifies.
    """
    return text.replace("<", "＜").replace(">", "＞")


def _attr(text: str) -> str:
    return escape_data(text).replace('"', "＂").replace("\n", " ")


def render_passages(hits: Sequence[SearchHit], empty: str = "") -> str:
    """Each hit as ``<passage id="chunk_id" source="locator">…</passage>`` (escaped DATA)."""
    if not hits:
        return empty
    return "\n".join(
        f'<passage id="{_attr(h.chunk_id)}" source="{_attr(h.doc_title + " " + h.locator)}">\n'
        f"{escape_data(h.text)}\n</passage>"
        for h in hits
    )


def render_findings(findings: Sequence[Finding], empty: str = "") -> str:
    if not findings:
        return empty
    return "\n".join(
        f'<finding id="{_attr(f.id)}">{escape_data(f.sentence)}'
        + (f"（注: {escape_data(f.note)}）" if f.note else "")
        + "</finding>"
        for f in findings
    )


def render_examples(
    examples: Sequence[ExampleSheet], citable: set[str] | None = None, empty: str = ""
) -> str:
    """The example sheets as ``<example field=… [id=…]>`` DATA; ids only for citable chunks."""
    if not examples:
        return empty
    citable = citable or set()
    blocks: list[str] = []
    for ex in examples:
        parts = [
            ("表題", ex.title, None),
            ("圏域", ex.area, ex.chunk_ids.get("area")),
            ("参加者", ex.participants, ex.chunk_ids.get("participants")),
            ("課題", ex.issue, ex.chunk_ids.get("issue")),
            ("目指す姿", ex.goal, ex.chunk_ids.get("goal")),
        ]
        parts += [(f"原因{c.number}", _item_text(c.text, c.points), c.chunk_id) for c in ex.causes]
        parts += [
            (f"方策{m.number}", _item_text(m.text, m.points), m.chunk_id) for m in ex.measures
        ]
        parts.append(("効果", ex.effect, ex.chunk_ids.get("effect")))
        inner = "\n".join(
            f'<example field="{_attr(label)}"'
            + (f' id="{_attr(cid)}"' if cid and cid in citable else "")
            + f">{escape_data(value)}</example>"
            for label, value, cid in parts
            if value
        )
        blocks.append(f'<example_sheet theme="{_attr(ex.theme)}">\n{inner}\n</example_sheet>')
    return "\n".join(blocks)


def _item_text(text: str, points: Sequence[str]) -> str:
    return text + "".join(f"\n✓ {p}" for p in points)


def select_passages(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The best hits that fit the prompt budget; the rest are not shown, so not citable."""
    out: list[SearchHit] = []
    used = 0
    for hit in hits[:MAX_PASSAGES]:
        if out and used + len(hit.text) > MAX_PASSAGE_CHARS:
            break
        out.append(hit)
        used += len(hit.text)
    return out


# ------------------------------------------------------------------ messages


def as_messages(system: str, user: str, system_role: bool = True) -> list[BaseMessage]:
    """System + user turns, or one user turn for models that drop the system turn."""
    if system_role:
        return [SystemMessage(system), HumanMessage(user)]
    return [HumanMessage(f"{system}\n\n{user}")]


def _schema_text(schema: type[BaseModel]) -> str:
    return json.dumps(schema.model_json_schema(), ensure_ascii=False, separators=(",", ":"))


def build_draft_messages(
    *,
    area: AreaRef,
    theme: str,
    findings: Sequence[Finding],
    examples: Sequence[ExampleSheet],
    hits: Sequence[SearchHit],
    issue_text: str | None,
    prompt: Prompt,
    citable_examples: set[str] | None = None,
    system_role: bool = True,
    analysis: str = "",
) -> list[BaseMessage]:
    """System + user messages for a sheet draft; every piece of outside text is DATA.

    ``analysis`` is the area's gap profile and matched patterns (:func:`render_analysis`).
    """
    user = prompt.render(
        "user",
        analysis=analysis or prompt.render("no_analysis"),
        area=escape_data(f"{area.name}（{area.code}）"),
        theme=escape_data(THEME_LABELS.get(theme, theme)),
        issue_text=(
            f"<issue_text>{escape_data(issue_text)}</issue_text>"
            if issue_text
            else prompt.render("no_issue_text")
        ),
        findings=render_findings(findings, prompt.render("no_findings")),
        example=render_examples(examples, citable_examples, prompt.render("no_examples")),
        passages=render_passages(hits, prompt.render("no_passages")),
        schema=_schema_text(SheetDraft),
    )
    return as_messages(prompt.render("system"), user, system_role)


def build_answer_messages(
    question: str, hits: Sequence[SearchHit], prompt: Prompt, system_role: bool = True
) -> list[BaseMessage]:
    """System + user messages for a question; the question is DATA too."""
    user = prompt.render(
        "user",
        question=f"<question>{escape_data(question)}</question>",
        passages=render_passages(hits, prompt.render("no_passages")),
        schema=_schema_text(AnswerDraft),
    )
    return as_messages(prompt.render("system"), user, system_role)


def render_analysis(profile: GapProfile | None, matches: Sequence[Match]) -> str:
    """The area's standing and the patterns that hold, as escaped ``<analysis>`` DATA."""
    if profile is None:
        return ""
    words = {"below": "県平均を下回る", "above": "県平均を上回る", "similar": "県平均と同程度"}
    lines = [f"地域: {profile.area_name}（{profile.year}年報告）"]
    for gap in profile.metrics.values():
        if gap.direction in words and gap.prefecture is not None:
            lines.append(f"- {gap.short_label}: {figure(gap, 'vs')}（{words[gap.direction]}）")
        elif gap.direction == "uncertain" and gap.value is not None:
            lines.append(
                f"- {gap.short_label}: {figure(gap)}（報告する医療機関が{gap.n}施設と少なく、"
                "県平均との差は判断できない）"
            )
    if profile.without_provider:
        names = "、".join(s.name for s in profile.without_provider)
        lines.append(f"- 機能を有する医療機関がない市町村: {names}")
    present = "、".join(f"{k}{v}施設" for k, v in profile.actors.items())
    lines.append(f"- いる担い手: {present}")
    if profile.neighbour_hospitals:
        lines.append(f"- 近隣の病院: {'、'.join(profile.neighbour_hospitals)}")
    for m in matches[:2]:
        p = m.pattern
        lines.append(f"課題パターン「{p.title}」: {render(p.issue, profile)}")
        lines += [f"  原因の仮説: {render(c.text, profile)}" for c in p.causes]
        for option in p.measures:
            if all(holds(c, profile) for c in option.requires):
                who = "・".join(a.split("：")[0].split(":")[0] for a in option.actors)
                lines.append(f"  方策の候補: {render(option.text, profile)}（担い手: {who}）")
    return "<analysis>\n" + escape_data("\n".join(lines)) + "\n</analysis>"
