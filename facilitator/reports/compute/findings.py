"""Findings: citable Japanese sentences built from indicator values, one per figure.

Each finding keeps the metric, value, N, filter, year and the prefecture comparison it
states, and a stable id ``rpt-<year>-<area code>-<theme>-<metric>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.reports.compute.compare import MIN_N, direction
from facilitator.reports.compute.indicators import Frame, Values, filter_text
from facilitator.reports.compute.specs import FUNCTION_PHRASES, RATE_BASES, TAGS
from facilitator.reports.items import ItemDictionary
from facilitator.reports.models import SYNTHETIC_TAG, Area, Finding, format_number
from facilitator.themes import FUNCTION_NAMES, THEME_FUNCTIONS

SIMILAR = 0.05
"""Relative difference under which a value is 「県平均と同程度」."""


_validate_finding = Finding.__pydantic_validator__.validate_python
_RATE_LABELS = dict(RATE_BASES.values())


PHRASES = {
    "below": "{avg}を下回る",
    "above": "{avg}を上回る",
    "similar": "{avg}と同程度である",
    "uncertain": "対象の医療機関が{n}施設と少なく、{avg}との差は判断できない",
}


def relation(value: float, reference: float, avg: str = "県平均") -> tuple[str, str]:
    """('above'|'below'|'similar', phrase) by relative difference alone (±5 %).

    Used only where nothing else is known about the values; findings about an area use
    :func:`facilitator.reports.compute.compare.direction`, which accounts for small N.
    """
    if reference == 0:
        if value == 0:
            return "similar", f"{avg}と同程度である"
        return "above", f"{avg}を上回る"
    diff = (value - reference) / reference
    if abs(diff) < SIMILAR:
        return "similar", f"{avg}と同程度である"
    return ("above", f"{avg}を上回る") if diff > 0 else ("below", f"{avg}を下回る")


def average_label(pref_name: str) -> str:
    """「県平均」, or 「都平均」「道平均」「府平均」 after the prefecture's suffix."""
    return f"{pref_name[-1]}平均" if pref_name[-1:] in ("都", "道", "府", "県") else "県平均"


def _n(x: float) -> str:
    return f"{round(x):,}"


def _d(x: float) -> str:
    return format_number(x)


def _listed(names: Sequence[str], most: int) -> str:
    """The first ``most`` names joined with 、, then ほか if some were left out."""
    return "、".join(names[:most]) + ("ほか" if len(names) > most else "")


class _Builder:
    """Builds the findings of one area and theme from evaluated specs."""

    def __init__(
        self,
        frame: Frame,
        i: int,
        theme: str,
        vals: dict[str, Values],
        synthetic: bool,
        source: str,
    ) -> None:
        self.frame, self.i, self.theme, self.vals = frame, i, theme, vals
        self.area: Area = frame.areas[i]
        self.pref: Area = frame.areas[int(frame.pref_of[i])]
        self.p = int(frame.pref_of[i])
        self.avg = average_label(self.pref.name)
        self.synthetic, self.source = synthetic, source
        self.out: list[Finding] = []

    @property
    def is_pref(self) -> bool:
        return self.area.level == "prefecture"

    def emit(self, metric: str, sentence: str, *, compare: bool = True, note: str = "") -> None:
        v = self.vals[metric]
        values, nums, _, base_n = v.lists()
        value, ref, n = values[self.i], values[self.p], base_n[self.i]
        comparison = None
        if compare and not self.is_pref and ref is not None:
            rel, label = self.relation(metric) if value is not None else (None, "")
            comparison = {
                "label": self.avg,
                "area_code": self.pref.code,
                "area_name": self.pref.name,
                "value": ref,
                "relation": rel,
                "relation_label": label,
            }
        if not note and 0 < n < MIN_N and v.spec.kind in ("share", "rate"):
            note = f"対象の医療機関が{n}施設と少ないため、割合・率の解釈に注意。"
        self.out.append(
            _validate_finding(
                {
                    "id": f"rpt-{self.frame.year}-{self.area.code}-{self.theme}-{metric}",
                    "theme": self.theme,
                    "metric": metric,
                    "metric_label": v.spec.label,
                    "value": value,
                    "unit": v.spec.unit,
                    "count": nums[self.i],
                    "area_code": self.area.code,
                    "area_name": self.area.name,
                    "area_level": self.area.level,
                    "year": self.frame.year,
                    "n": n,
                    "filter": filter_text(self.frame.year, self.area, v.spec, n),
                    "comparison": comparison,
                    "sentence": (SYNTHETIC_TAG if self.synthetic else "") + sentence,
                    "note": note,
                    "synthetic": self.synthetic,
                    "source": self.source,
                }
            )
        )

    def relation(self, metric: str) -> tuple[str | None, str]:
        """(direction, phrase) of this area's value against the prefecture's, honest about N."""
        v = self.vals[metric]
        values, nums, dens, base_n = v.lists()
        found = direction(
            values[self.i],
            values[self.p],
            numerator=nums[self.i],
            denominator=dens[self.i] if dens is not None else None,
            n=int(base_n[self.i]),
            unit=v.spec.unit,
            acts=".sum." in metric,
        )
        if found == "none":
            rel, phrase = relation(values[self.i], values[self.p], self.avg)
            return rel, phrase
        return found, PHRASES[found].format(avg=self.avg, n=int(base_n[self.i]))

    def _rel(self, metric: str) -> str:
        return self.relation(metric)[1]

    def val(self, metric: str, at: int | None = None) -> float:
        """Value of a metric here (or at area ``at``); NaN when undefined."""
        v = self.vals[metric].lists()[0][self.i if at is None else at]
        return float("nan") if v is None else v

    def num(self, metric: str) -> float:
        return self.vals[metric].lists()[1][self.i]

    # --- sentence kinds -------------------------------------------------------------------

    def rate(self, count_metric: str, rate_metric: str, phrase: str) -> None:
        A, c, r, p = (
            self.area.name,
            self.num(count_metric),
            self.val(rate_metric),
            self.val(rate_metric, self.p),
        )
        lab = _RATE_LABELS[rate_metric.rsplit(".", 1)[1]]
        if r != r:
            return
        if self.is_pref:
            s = f"{A}の{phrase}は{_n(c)}施設（{lab}{_d(r)}）。"
            spread = self._spread(rate_metric)
            self.emit(rate_metric, s + spread, compare=False)
        elif c == 0:
            pop = self.area.pop65 if rate_metric.endswith("per65") else self.area.pop75
            age = "65歳以上" if rate_metric.endswith("per65") else "75歳以上"
            self.emit(
                rate_metric,
                f"{A}には{phrase}がない（{age}人口{_n(pop)}人。{self.avg}は{lab}{_d(p)}）。",
            )
        else:
            rel = self._rel(rate_metric)
            self.emit(
                rate_metric,
                f"{A}の{phrase}は{_n(c)}施設（{lab}{_d(r)}、{self.avg}{_d(p)}）で、{rel}。",
            )

    def _spread(self, metric: str) -> str:
        secs = [
            j
            for j, a in enumerate(self.frame.areas)
            if a.level == "secondary" and a.pref_code == self.area.pref_code
        ]
        vals = [(self.val(metric, j), self.frame.areas[j].name) for j in secs]
        vals = [v for v in vals if v[0] == v[0]]
        if len(vals) < 2:
            return ""
        lo, hi = min(vals), max(vals)
        return f"二次医療圏別では{lo[1]}の{_d(lo[0])}から{hi[1]}の{_d(hi[0])}まで差がある。"

    def share(self, metric: str, name: str, of: str) -> None:
        A, c, v, p = self.area.name, self.num(metric), self.val(metric), self.val(metric, self.p)
        n = int(self.vals[metric].base_n[self.i])
        if n == 0:
            self.emit(metric, f"{A}には{of}がないため、{name}の報告はない。", compare=False)
            return
        head = f"{A}の{of}{_n(n)}施設のうち、{name}を有するのは{_n(c)}施設（{_d(v)}%"
        tail = "）。" if self.is_pref else f"、{self.avg}{_d(p)}%）で、{self._rel(metric)}。"
        self.emit(metric, head + tail)

    def willing(self, metric: str, share_metric: str, name: str) -> None:
        A, c = self.area.name, self.num(metric)
        if int(self.vals[metric].base_n[self.i]) == 0:
            return
        # The function's own state: institutions that have none of it yet but intend to.
        # Items answered 「意向有り」 by institutions that already have the function in
        # another item are counted per item (「意向有り」はN施設), not here.
        if c > 0:
            s = self.val(share_metric)
            self.emit(
                metric,
                f"{A}では{name}をまだ行っていないが今後担う意向がある（「意向有り」）と回答した"
                f"医療機関が{_n(c)}施設（1号機能を有する医療機関の{_d(s)}%）ある。",
                compare=False,
            )
        else:
            self.emit(
                metric,
                f"{A}では{name}をまだ行っていない医療機関のうち、今後担う意向がある"
                "（「意向有り」）と回答した医療機関はない。",
                compare=False,
            )

    def none_areas(self, metric: str, phrase: str) -> None:
        if self.area.level == "municipality" or len(self.area.municipalities) < 2:
            return
        names = self.vals[metric].detail[self.i]  # type: ignore[index]
        k = len(self.area.municipalities)
        if names:
            listed = _listed(names, 8)
            s = (
                f"{self.area.name}の{k}市町村のうち{len(names)}市町村（{listed}）"
                f"には{phrase}がない。"
            )
        else:
            s = f"{self.area.name}のすべての市町村（{k}）に{phrase}がある。"
        self.emit(metric, s, compare=False)

    def covered(self, metric: str, what: str, noun: str) -> None:
        v = self.vals[metric]
        missing, total, c = v.detail[self.i], len(v.spec.names), self.num(metric)  # type: ignore[index]
        if int(v.base_n[self.i]) == 0:
            return
        if missing:
            listed = _listed(missing, 6)
            s = (
                f"{self.area.name}では{listed}について、{what}と報告した医療機関がない"
                f"（{total}{noun}中{_n(c)}{noun}に対応）。"
            )
        else:
            s = (
                f"{self.area.name}では{total}{noun}のすべてについて、"
                f"{what}と報告した医療機関がある。"
            )
        self.emit(metric, s, compare=False)

    def item_yes(self, item_id: str, phrase: str) -> None:
        m, sm, wm = f"item.{item_id}.yes", f"item.{item_id}.yes.share", f"item.{item_id}.willing"
        if m not in self.vals or int(self.vals[m].base_n[self.i]) == 0:
            return
        A, c, s, p = self.area.name, self.num(m), self.val(sm), self.val(sm, self.p)
        tail = "。" if self.is_pref else f"、{self.avg}{_d(p)}%）で、{self._rel(sm)}。"
        base = "報告した医療機関" if self.theme == "ichigo" else "1号機能を有する医療機関"
        text = f"{A}で{phrase}医療機関は{_n(c)}施設（{base}の{_d(s)}%" + (
            "）。" if self.is_pref else tail
        )
        if wm in self.vals:
            text += f"「意向有り」は{_n(self.num(wm))}施設。"
        self.emit(sm, text)

    def item_sum(self, item_id: str, phrase: str, suffix: str) -> None:
        m = f"item.{item_id}.sum.{suffix}"
        if m not in self.vals:
            return
        A, total, r, p = self.area.name, self.num(m), self.val(m), self.val(m, self.p)
        if r != r:
            return
        lab = _RATE_LABELS[suffix]
        text = f"{A}の{phrase}の件数は前年1年間で{_n(total)}件（{lab}{_d(r)}件"
        text += "）。" if self.is_pref else f"、{self.avg}{_d(p)}件）で、{self._rel(m)}。"
        self.emit(m, text)


def findings(
    frame: Frame,
    i: int,
    theme: str,
    vals: dict[str, Values],
    d: ItemDictionary,
    synthetic: bool,
    source: str,
) -> list[Finding]:
    """The findings of one area for one theme, most important first."""
    b = _Builder(frame, i, theme, vals, synthetic, source)
    phrase, name = FUNCTION_PHRASES[theme], FUNCTION_NAMES[theme]
    b.rate(f"{theme}.yes", f"{theme}.yes.per65", phrase)
    if theme == "ichigo":
        b.share(f"{theme}.yes.share", name, "報告した医療機関")
    else:
        b.share(f"{theme}.yes.share", name, "1号機能を有する医療機関")
        b.willing(f"{theme}.willing", f"{theme}.willing.share", name)
    for stem, tphrase in TAGS.values():
        if f"{theme}.{stem}" in vals:
            b.rate(f"{theme}.{stem}", f"{theme}.{stem}.per65", tphrase)
            b.none_areas(f"{theme}.{stem}.none_areas", tphrase)
    b.none_areas(f"{theme}.none_areas", phrase)
    for item in d.by_function(THEME_FUNCTIONS[theme]):
        if item.answer_type == "multi" and item.starred:
            noun = "領域" if item.code_list == "domains" else "疾患"
            b.covered(f"item.{item.id}.covered", "一次診療に対応できる", noun)
        if not item.phrase:
            continue
        if item.answer_type == "choice":
            b.item_yes(item.id, item.phrase)
        elif item.answer_type == "count":
            b.item_sum(item.id, item.phrase, RATE_BASES[item.rate_base][0])
    return b.out
