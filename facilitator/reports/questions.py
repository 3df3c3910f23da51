"""Figure questions (「北部医療圏で24時間体制の在宅医療は何施設？」): a meeting asks for one number
that search cannot give. Area and item are found among the loaded areas and the item dictionary
(plus ``data/figure_words.yaml``); the figure is a ``summary`` indicator worded by ``format_value``
and ``provenance_text`` like the sheets, so it agrees with the findings. Anything else is None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from facilitator import themes
from facilitator.errors import FacilitatorError, InputError
from facilitator.reports.areas import match_area
from facilitator.reports.compute.compare import direction
from facilitator.reports.compute.findings import PHRASES, average_label, relation
from facilitator.reports.compute.specs import FUNCTION_PHRASES, TAGS, specs_for
from facilitator.reports.items import header_key, load_dictionary
from facilitator.reports.models import Area, Indicator, format_number, format_value, provenance_text
from facilitator.reports.query import datasets, list_areas, summary
from facilitator.settings import PACKAGE_DATA, Settings

WORDS_FILE = PACKAGE_DATA / "figure_words.yaml"
_UNKNOWN_AREA = re.compile(  # an area-like word (「南部医療圏で」「東京都の」) not loaded
    r"([\u4e00-\u9fff\u30a0-\u30ffー々]{1,8}?(?:二次医療圏|医療圏|圏域|市|町|村|区|県|府|都))"
    r"(?=で|の|に|は|内|全体|全域)"
)


@cache
def words() -> dict[str, list]:
    """The vocabulary of figure questions; word lists NFKC-normalised like the questions."""
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {k: v if k == "aliases" else [header_key(w) for w in v] for k, v in raw.items()}


def _has(q: str, kind: str) -> bool:
    return any(w in q for w in words()[kind])


@dataclass(frozen=True)
class Target:
    """A report item as something countable: its metric stem (``specs``: ``<stem>.share``,
    ``<stem>.per65``; an amount item ``<stem>.sum``, ``.inst``) and how a sentence names it."""

    key: str
    phrase: str
    theme: str
    names: tuple[str, ...]
    stem: str
    amount: bool = False

    @property
    def count(self) -> str:
        return f"{self.stem}.inst" if self.amount else self.stem


@dataclass
class FigureQuery:
    """What a figure question asks: the item (None if unrecognised), the area, the year."""

    question: str
    target: Target | None
    area: Area | None
    unknown_area: str = ""
    year: int | None = None


class FigureAnswer(BaseModel):
    """One figure of an area with its provenance, ready to show as an answer."""

    text: str
    area_code: str
    area_name: str
    year: int
    item_label: str
    value_text: str
    provenance: str
    comparison: str | None = None
    details: dict = Field(default_factory=dict)


class FigureMiss(BaseModel):
    """A figure question that cannot be answered, and what could be asked instead."""

    message: str
    reason: Literal["area", "item", "year", "data"]
    suggestions: list[str] = Field(default_factory=list)
    unknown_area: str | None = None
    """The place the question names that no loaded area matches (reason "area")."""


@cache
def targets(form_year: int) -> tuple[Target, ...]:
    """Every countable target of a form year: functions, tags (24h) and items with indicators."""
    d, out = load_dictionary(form_year), []
    for theme in themes.COUNCIL_THEMES:
        ms = {s.metric for s in specs_for(form_year, theme)}
        short = themes.THEME_SHORT[theme]
        names = (short, themes.FUNCTION_NAMES[theme], themes.THEME_LABELS[theme])
        out.append(Target(short, FUNCTION_PHRASES[theme], theme, names, f"{theme}.yes"))
        for stem, phrase in TAGS.values():
            if f"{theme}.{stem}" in ms:
                key = phrase.removesuffix("を有する医療機関")
                out.append(Target(key, phrase, theme, (key,), f"{theme}.{stem}"))
        for item in d.by_function(themes.THEME_FUNCTIONS[theme]):
            names, stem = (item.name, *d.columns.get(item.id, ())), f"item.{item.id}"
            if f"{stem}.yes" in ms:
                phrase = f"{item.phrase or item.name + 'が有りの'}医療機関"
                out.append(Target(item.name, phrase, theme, names, f"{stem}.yes"))
            elif f"{stem}.sum" in ms:
                phrase = f"{item.name}が1以上の医療機関"
                out.append(Target(item.name, phrase, theme, names, stem, amount=True))
    return tuple(out)


def _variants(name: str) -> set[str]:
    """A name, without its brackets, its bracketed part; each also without 「の有無」 etc."""
    out = {name, re.sub(r"（[^）]*）", "", name), *re.findall(r"（([^）]+)）", name)}
    return out | {header_key(v).removesuffix(e) for v in out for e in words()["name_endings"]}


@cache
def _keys(form_year: int) -> tuple[tuple[tuple[str, ...], Target], ...]:
    """(words that must all occur, target): the aliases first, then the dictionary's names."""
    ts = targets(form_year)
    by_key, aliases = {t.key: t for t in ts}, words()["aliases"].items()
    pairs = [(tuple(a.split("+")), by_key[k]) for k, al in aliases if k in by_key for a in al]
    pairs += [((v,), t) for t in ts for n in t.names for v in sorted(_variants(n))]
    out: dict[tuple[str, ...], Target] = {}
    for ws, t in pairs:
        if len("".join(key := tuple(header_key(w) for w in ws))) >= 2:
            out.setdefault(key, t)
    return tuple(out.items())


def _match_target(q: str, form_year: int) -> Target | None:
    """The target whose matching words are longest (「在宅+24時間」 beats 「在宅医療」)."""
    for text in (q.replace("1号機能を有する", ""), q):  # the base of 2号 shares, not the item
        keys = enumerate(_keys(form_year))
        found = [(sum(map(len, ws)), -i, t) for i, (ws, t) in keys if all(w in text for w in ws)]
        if found:
            return max(found, key=lambda f: f[:2])[2]
    return None


def _match_area(q: str, areas: list[Area], default: Area | None) -> tuple[Area | None, str]:
    """(the area the question names, else the default; the unknown area-like word it names)."""
    prefs = [a.pref_code for a in areas if a.level == "prefecture"]
    generic = default.pref_code if default else (prefs[0] if len(prefs) == 1 else None)
    found: list[tuple[int, int, Area]] = []
    for rank, a in enumerate(areas):  # prefecture, its 二次医療圏, its 市町村: later is narrower
        keys = {header_key(a.name)}
        if a.level == "secondary":
            keys |= {a.name.removesuffix(s) for s in ("二次医療圏", "医療圏", "圏域")}
        if a.level == "prefecture" and a.pref_code == generic:
            keys |= {f"{a.name[-1]}{w}" for w in ("全体", "内", "全域")} | {f"全{a.name[-1]}"}
        hits = [len(k) for k in keys if len(k) >= 2 and k in q]
        code = len(a.code) >= 4 and re.search(rf"(?<!\d){a.code}(?!\d|年)", q)  # not 「24時間」
        if hits or code:
            found.append((max(hits, default=9), rank, a))
    if found:
        return max(found, key=lambda f: f[:2])[2], ""
    unknown = [w for w in _UNKNOWN_AREA.findall(q) if not w.endswith(("市町村", "都道府県"))]
    return (None, unknown[0]) if unknown else (default, "")


def parse_figure_question(
    question: str, areas: list[Area], *, default_area: str | None = None, form_year: int | None = None
) -> FigureQuery | None:  # fmt: skip
    """The figure a question asks for, or None when it is not a figure question (search's)."""
    q = header_key(question)
    strong = any(_has(q, k) for k in ("rate", "count", "amount"))
    if not (strong or _has(q, "vague")) or _has(q, "not_figure"):
        return None
    target = _match_target(q, form_year or load_dictionary().form_year)
    if target is None and not (strong or _has(q, "institution")):
        return None
    try:
        default = match_area(areas, default_area) if default_area else None
    except FacilitatorError:
        default = None
    year = re.search(r"(20\d\d)年", q)
    return FigureQuery(question, target, *_match_area(q, areas, default), year and int(year[1]))


def _plan(q: str, t: Target, inds: dict[str, Indicator]) -> tuple[str, str | None, str]:
    """(primary metric, secondary metric, what the primary counts): a count, a share or rate,
    or, when the question does not say which, the count with its share."""
    rate, count, amount = _has(q, "rate"), _has(q, "count"), _has(q, "amount")
    vague = not (rate or count or amount)
    per = re.escape(f"{t.stem}.sum" if t.amount else t.stem) + r"\.per\d+"  # 75歳以上 if asked
    rates = sorted((m for m in inds if re.fullmatch(per, m)), key=lambda m: ("75" in m) != ("75歳" in q))  # fmt: skip
    base = t.stem.removesuffix(".yes")
    share = f"{t.stem}.share" if f"{t.stem}.share" in inds else None
    if f"{base}.none_areas" in inds and _has(q, "none_areas"):
        return f"{base}.none_areas", None, f"{t.phrase}がない市町村"
    if (willing := f"{base}.willing") in inds and "意向" in q:
        phrase = f"{t.key}が「無し（意向有り）」の医療機関"
        if base == t.theme:  # the function itself, worded as in the findings
            phrase = f"{themes.FUNCTION_NAMES[t.theme]}をまだ行っていないが今後担う意向がある（「意向有り」）と回答した医療機関"  # fmt: skip
        return willing, f"{willing}.share" if f"{willing}.share" in inds else None, phrase
    if rate and rates and (_has(q, "per_population") or not share):
        return rates[0], None, t.key if t.amount else t.phrase
    if rate and share:
        return share, None, f"{t.phrase}の割合"
    if t.amount and (amount or (vague and not _has(q, "institution"))):
        return f"{t.stem}.sum", rates[0] if vague and rates else None, f"{t.key}の合計"
    second = share or (rates[0] if rates and not t.amount else None)
    return t.count, second if vague else None, t.phrase


def _detail(t: Target, ind: Indicator, primary: bool) -> str:
    """A share or rate with its denominator, worded as in the findings."""
    num, den, label = ind.numerator or 0, ind.denominator or 0, ind.denominator_label
    if ind.unit == "%":
        base, part = f"{label}{format_value(den, '施設')}", format_value(num, "施設")
        return f"{base}のうち{part}" if primary else f"{base}の{format_value(ind.value, '%')}"
    counted = format_value(num, "件" if t.amount else "施設")
    return f"{label}{format_value(den, '人')}に対し{counted}" if primary else f"{ind.unit}{format_number(ind.value or 0)}"  # fmt: skip


def _compare(ind: Indicator, area: Area) -> tuple[str | None, str]:
    """(「県平均4.8」, the honest relation phrase of the findings) for an area's share or rate."""
    ref, avg = ind.prefecture_value, average_label(area.pref_name)
    if area.level == "prefecture" or ref is None or ind.value is None:
        return None, ""
    kw = {"numerator": ind.numerator, "denominator": ind.denominator, "n": ind.n}
    rel = direction(ind.value, ref, unit=ind.unit, acts=".sum." in ind.metric, **kw)
    said = relation(ind.value, ref, avg)[1] if rel == "none" else PHRASES[rel].format(avg=avg, n=ind.n)  # fmt: skip
    return f"{avg}{format_value(ref, '%') if ind.unit == '%' else format_number(ref)}", said


def _render(
    q: str, t: Target, area: Area, inds: dict[str, Indicator], synthetic: bool
) -> FigureAnswer:
    """One sentence: area, what was counted, the value, its share or rate, the provenance."""
    first, second, label = _plan(q, t, inds)
    ind = inds[first]
    rated = ind if ind.unit == "%" or "当たり" in ind.unit else inds.get(second or "")
    clinics = ("診療所" in q or "病院" in q) and "医療機関" not in q and ind.unit == "施設"
    parts = ["病院・診療所の合計"] if clinics else []
    parts += [_detail(t, ind, True)] if rated is ind else []
    if first.endswith(".none_areas"):
        parts = [f"{format_value(ind.denominator, '市町村')}のうち" + "、".join(ind.detail[:8])]
    parts += [_detail(t, inds[second], False)] if second else []
    cmp, rel = _compare(rated, area) if rated is not None else (None, "")
    parts += [cmp] if cmp else []
    value_text = format_value(ind.value, ind.unit)
    said = _detail(t, ind, False) if "当たり" in ind.unit else value_text  # as the findings say it
    # the sentence names the area: its provenance keeps year, N, condition and the flag
    prov = provenance_text(ind.year, ind.n, ind.filter, synthetic)
    prov = prov.replace(f"・{area.name}（{area.level_label}）", "")
    text = f"{area.name}で{label}は{said}" + (f"（{'、'.join(parts)}）" if parts else "")
    text += (f"で、{rel}" if rel else "") + f"（{prov}）"
    details = {"metric": first, "metrics": [m for m in (first, second) if m], "theme": t.theme,
               "value": ind.value, "n": ind.n, "filter": ind.filter, "synthetic": synthetic}  # fmt: skip
    return FigureAnswer(text=text, area_code=area.code, area_name=area.name, year=ind.year,
                        item_label=label, value_text=value_text, provenance=prov,
                        comparison=cmp, details=details)  # fmt: skip


def answer_figure_question(
    question: str, *, settings: Settings, year: int | None = None, default_area: str | None = None
) -> FigureAnswer | FigureMiss | None:
    """Answer a figure question from the report data; None when it is not one (search's). A year
    or area in the question wins over ``year`` / ``default_area`` (the meeting's area); raises
    InputError only for an empty question."""
    if not question or not question.strip():
        raise InputError("質問が空です。地域と項目を含めて入力してください（例: 北部医療圏の訪問診療の件数は？）。")  # fmt: skip
    areas = list_areas(year, settings=settings)
    form_year = load_dictionary(year).form_year
    fq = parse_figure_question(question, areas, default_area=default_area, form_year=form_year)
    if fq is None:
        return None
    examples = [t.key for t in targets(form_year) if header_key(t.key) in words()["examples"]]
    # an item the report does not hold (「…事業の予算額はいくら？」) is not asked of loading data
    if fq.target is None:
        msg = f"質問の項目が報告データのどの項目か分かりませんでした。次のような項目の数を尋ねられます: {'、'.join(examples)}。"  # fmt: skip
        return FigureMiss(message=msg, reason="item", suggestions=examples)
    if not areas:
        return FigureMiss(message="報告データがまだ読み込まれていません。報告データを取り込んでから、もう一度質問してください。", reason="data", suggestions=examples)  # fmt: skip
    if fq.area is None:
        names = [a.name for a in areas if a.level != "municipality"][:6]
        head = f"「{fq.unknown_area}」は読み込まれた地域にありません。" if fq.unknown_area else "地域が分かりませんでした。"  # fmt: skip
        msg = f"{head}市町村・二次医療圏・都道府県の名前を含めて尋ねてください（例: {'、'.join(names)}）。"  # fmt: skip
        return FigureMiss(
            message=msg, reason="area", suggestions=names, unknown_area=fq.unknown_area
        )
    loaded = sorted({d["year"] for d in datasets(settings=settings) if d["pref_code"] == fq.area.pref_code})  # fmt: skip
    y = fq.year or year or (loaded[-1] if loaded else None)
    if y not in loaded:
        msg = f"{fq.area.name}の{f'{y}年の' if y else ''}報告データは読み込まれていません（読み込まれている報告年: {'、'.join(f'{v}年' for v in loaded) or 'なし'}）。"  # fmt: skip
        return FigureMiss(message=msg, reason="year" if loaded else "data", suggestions=[f"{v}年" for v in loaded])  # fmt: skip
    try:
        s = summary(fq.area, fq.target.theme, y, settings=settings).areas[0]
    except FacilitatorError as exc:  # e.g. the area is not in that year's area table
        return FigureMiss(message=str(exc).splitlines()[0], reason="data", suggestions=examples)
    inds = {i.metric: i for i in s.indicators}
    if fq.target.count not in inds:  # an item of another year's form
        return FigureMiss(message=f"{y}年の報告データには、この項目の集計がありません。", reason="item", suggestions=examples)  # fmt: skip
    return _render(header_key(question), fq.target, s.area, inds, s.synthetic)
