"""Charts and tables of the report indicators (altair), area against prefecture.

Every chart says what it counts and what it divides by (title and subtitle), carries its
unit on the axis and in the tooltip, and shows counts next to shares: a coordinator reads
it without the indicator list at hand. Numbers are written by ``format_value`` only.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from facilitator.reports import AreaSummary, Finding, Indicator
from facilitator.reports.compute.compare import MIN_SHARE_N
from facilitator.reports.models import format_value
from facilitator.themes import FUNCTION_NAMES

STATES = [("yes", "有り", "#2e7d32"), ("willing", "意向有り", "#f9a825"), ("no", "無し", "#b0bec5")]
PREF_LABEL = "県全体"
MISSING = "—"
"""Shown in a table cell that has no value (never None or NaN)."""
SMALL_N = MIN_SHARE_N
"""Below this many institutions in the base one institution moves a share by 20 points or
more (findings claim no direction there either): such an area's bar is marked 参考値."""
FACILITY = "施設"


def _by_metric(indicators: list[Indicator]) -> dict[str, Indicator]:
    return {i.metric: i for i in indicators}


def headline(s: AreaSummary) -> list[tuple[str, int]]:
    return [
        ("報告した医療機関", s.n_institutions),
        ("病院", s.n_hospitals),
        ("診療所", s.n_clinics),
        ("1号機能を有する", s.n_ichigo),
    ]


def small_n_label(name: str, n: int) -> str:
    """「汐島村（N=1・参考値）」 when the base is too small for a share to mean much."""
    return f"{name}（N={n}・参考値）" if n < SMALL_N else name


def small_n_caption(df: pd.DataFrame, what: str = "市町村") -> str | None:
    """The note under a chart that has 参考値 bars (None when it has none)."""
    if df.empty or not df["参考値"].any():
        return None
    return f"N<{SMALL_N} の{what}は参考値です（割合が大きく振れます）"


def _state_rows(name: str, code: str, indicators: list[Indicator], theme: str) -> list[dict]:
    """One row per state with share, count and base, as the tooltip reads them."""
    by = _by_metric(indicators)
    rows = []
    for stem, label, _color in STATES:
        share = by.get(f"{theme}.{stem}.share")
        if share is None or share.value is None:
            continue
        base = int(share.denominator if share.denominator is not None else share.n)
        count = share.numerator or 0.0
        rows.append(
            {
                "地域": small_n_label(name, base),
                "状態": label,
                "割合": share.value,
                "施設数": count,
                "N": base,
                "内訳": f"{label} {format_value(count, FACILITY)} / "
                f"{format_value(base, FACILITY)}（{format_value(share.value, '%')}）",
                "分母": share.denominator_label,
                "参考値": base < SMALL_N,
                "code": code,
            }
        )
    return rows


def state_frame(s: AreaSummary, theme: str, pref: AreaSummary | None = None) -> pd.DataFrame:
    """Shares of 有り / 意向有り / 無し for the area (and for the prefecture, as 県全体)."""
    rows = _state_rows(s.area.name, s.area.code, s.indicators, theme)
    if pref is not None:
        rows += _state_rows(PREF_LABEL, pref.area.code, pref.indicators, theme)
    return pd.DataFrame(rows)


def muni_state_frame(summaries: list[AreaSummary], theme: str) -> pd.DataFrame:
    """Shares of the three states for every 市町村 of the prefecture."""
    rows = []
    for s in summaries:
        if s.area.level == "municipality":
            rows += _state_rows(s.area.name, s.area.code, s.indicators, theme)
    return pd.DataFrame(rows)


def _only(df: pd.DataFrame, column: str) -> str:
    """The one value of ``column``: a chart over two denominators or units is refused."""
    values = df[column].unique()
    if len(values) != 1:
        raise ValueError(f"one chart, one {column}: {list(values)}")
    return str(values[0])


def state_title(df: pd.DataFrame, theme: str) -> alt.TitleParams:
    """「在宅医療（2号機能ハ）の有無」 over 「1号機能を有する医療機関に占める割合（%）」."""
    base = _only(df, "分母")  # one theme has one base (報告した / 1号機能を有する医療機関)
    return alt.TitleParams(
        f"{FUNCTION_NAMES[theme]}の有無",
        subtitle=f"{base}に占める割合（%）・棒に重ねると施設数とN",
        anchor="start",
    )


def stacked_states(df: pd.DataFrame, theme: str, highlight: set[str] | None = None) -> alt.Chart:
    """Horizontal 100% bars of 有り / 意向有り / 無し; the areas in ``highlight`` stand out."""
    shown = [(label, c) for _s, label, c in STATES if label in set(df["状態"])]  # 1号: no 意向有り
    labels, colors = [label for label, _c in shown], [c for _l, c in shown]
    order = {label: i for i, label in enumerate(labels)}
    df = df.assign(順=df["状態"].map(order))
    enc_opacity = alt.value(1.0)
    if highlight:
        df = df.assign(選択=df["code"].isin(highlight))
        enc_opacity = alt.condition("datum.選択", alt.value(1.0), alt.value(0.45))
    base = _only(df, "分母")
    return (
        alt.Chart(df, title=state_title(df, theme))
        .mark_bar()
        .encode(
            y=alt.Y("地域:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X(
                "割合:Q",
                stack="zero",
                title=f"{base}に占める割合（%）",
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color(
                "状態:N",
                scale=alt.Scale(domain=labels, range=colors),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("順:Q"),
            opacity=enc_opacity,
            tooltip=[
                alt.Tooltip("地域:N"),
                alt.Tooltip("内訳:N", title=f"施設数 / {base}（割合）"),
                alt.Tooltip("N:Q", title=f"N（{base}）", format=","),
            ],
        )
        .properties(height=alt.Step(28))
    )


def _rate_rows(name: str, indicators: list[Indicator], base: str) -> list[dict]:
    """Institutions per 10,000 people of one base; sums of cases (件) are not mixed in."""
    by = _by_metric(indicators)
    rows = []
    for ind in indicators:
        if not ind.metric.endswith(f".{base}") or ind.value is None:
            continue
        count = by.get(ind.metric.removesuffix(f".{base}"))
        if count is None or count.unit != FACILITY:  # e.g. 件 of 時間外加算 per 65歳以上
            continue
        people = format_value(ind.denominator, "人") if ind.denominator is not None else MISSING
        rows.append(
            {
                "指標": ind.label.removesuffix(f"（{ind.unit}）"),
                "地域": name,
                "値": ind.value,
                "値（表示）": format_value(ind.value, ind.unit),
                "内訳": f"{format_value(ind.numerator or 0.0, FACILITY)} / "
                f"{ind.denominator_label}{people}",
                "単位": ind.unit,
                "分母": ind.denominator_label,
            }
        )
    return rows


def rate_frame(
    indicators: list[Indicator],
    area_name: str,
    pref: list[Indicator] | None = None,
    base: str = "per65",
) -> pd.DataFrame:
    """Institutions per 10,000 people aged 65+ (one base only), area next to 県全体.

    The bar labels are the indicators' own wording (as in the findings), e.g.
    「在宅医療（24時間体制）を有する医療機関」, not a cut-down form of it.
    """
    rows = _rate_rows(area_name, indicators, base)
    if pref is not None:
        rows += _rate_rows(PREF_LABEL, pref, base)
    return pd.DataFrame(rows)


def grouped_rates(df: pd.DataFrame) -> alt.Chart:
    """Bars of institution rates; a frame mixing bases (65歳以上 / 75歳以上) is refused."""
    unit = _only(df, "単位")
    return (
        alt.Chart(
            df,
            title=alt.TitleParams(
                f"医療機関数（{unit}）",
                subtitle=f"施設数 ÷ {_only(df, '分母')} × 1万・棒に重ねると施設数と人口",
                anchor="start",
            ),
        )
        .mark_bar()
        .encode(
            y=alt.Y("指標:N", title=None, axis=alt.Axis(labelLimit=260)),
            yOffset="地域:N",
            x=alt.X("値:Q", title=f"施設（{unit}）"),
            color=alt.Color(
                "地域:N",
                legend=alt.Legend(orient="bottom", title=None),
                scale=alt.Scale(range=["#1565c0", "#90a4ae"]),
            ),
            tooltip=[
                alt.Tooltip("指標:N"),
                alt.Tooltip("地域:N"),
                alt.Tooltip("値（表示）:N", title=unit),
                alt.Tooltip("内訳:N", title="施設数 / 人口"),
            ],
        )
    )


def _text(value: float | None, unit: str) -> str:
    return MISSING if value is None else format_value(value, unit)


def indicator_table(indicators: list[Indicator]) -> pd.DataFrame:
    """Every indicator as a reader writes it: rounded, with its unit, base and condition."""
    return pd.DataFrame(
        [
            {
                "指標": i.label,
                "値": _text(i.value, i.unit),
                "県全体": _text(i.prefecture_value, i.unit),
                "分母": i.denominator_label or MISSING,
                "N": i.n,
                "条件（出典）": i.filter or MISSING,
            }
            for i in indicators
        ]
    )


def provenance(f: Finding) -> str:
    """Year, N and condition of a finding, and the source it is computed from."""
    return f"根拠: {f.provenance}（出典: {f.source}）"
