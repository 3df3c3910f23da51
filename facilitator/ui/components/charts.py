"""Charts and tables of the report indicators (altair), area against prefecture."""

from __future__ import annotations

import altair as alt
import pandas as pd

from facilitator.reports import AreaSummary, Finding, Indicator

STATES = [("yes", "有り", "#2e7d32"), ("willing", "意向有り", "#f9a825"), ("no", "無し", "#b0bec5")]
PREF_LABEL = "県全体"


def _by_metric(indicators: list[Indicator]) -> dict[str, Indicator]:
    return {i.metric: i for i in indicators}


def headline(s: AreaSummary) -> list[tuple[str, int]]:
    return [
        ("報告した医療機関", s.n_institutions),
        ("病院", s.n_hospitals),
        ("診療所", s.n_clinics),
        ("1号機能を有する", s.n_ichigo),
    ]


def state_frame(
    indicators: list[Indicator], theme: str, area_name: str, with_pref: bool = True
) -> pd.DataFrame:
    """Shares of 有り / 意向有り / 無し for the area (and for the prefecture)."""
    by = _by_metric(indicators)
    rows = []
    for stem, label, _color in STATES:
        ind = by.get(f"{theme}.{stem}.share")
        if ind is None:
            continue
        rows.append(
            {
                "地域": area_name,
                "状態": label,
                "割合": ind.value,
                "施設数": by[f"{theme}.{stem}"].value if f"{theme}.{stem}" in by else None,
            }
        )
        if with_pref:
            rows.append(
                {"地域": PREF_LABEL, "状態": label, "割合": ind.prefecture_value, "施設数": None}
            )
    return pd.DataFrame(rows)


def muni_state_frame(summaries: list[AreaSummary], theme: str) -> pd.DataFrame:
    """Shares of the three states for every 市町村 of the prefecture."""
    rows = []
    for s in summaries:
        if s.area.level != "municipality":
            continue
        by = _by_metric(s.indicators)
        for stem, label, _color in STATES:
            ind = by.get(f"{theme}.{stem}.share")
            if ind is not None:
                rows.append(
                    {
                        "地域": s.area.name,
                        "状態": label,
                        "割合": ind.value,
                        "N": ind.n,
                        "code": s.area.code,
                    }
                )
    return pd.DataFrame(rows)


def stacked_states(df: pd.DataFrame, highlight: set[str] | None = None) -> alt.Chart:
    """Horizontal 100% bars of 有り / 意向有り / 無し."""
    labels = [label for _s, label, _c in STATES]
    colors = [c for _s, _l, c in STATES]
    order = {label: i for i, label in enumerate(labels)}
    df = df.assign(順=df["状態"].map(order))
    enc_opacity = alt.value(1.0)
    if highlight:
        df = df.assign(選択=df["code"].isin(highlight))
        enc_opacity = alt.condition("datum.選択", alt.value(1.0), alt.value(0.45))
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("地域:N", sort=None, title=None),
            x=alt.X("割合:Q", stack="zero", title="割合（%）", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "状態:N",
                scale=alt.Scale(domain=labels, range=colors),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("順:Q"),
            opacity=enc_opacity,
            tooltip=["地域", "状態", alt.Tooltip("割合:Q", format=".1f")],
        )
        .properties(height=alt.Step(28))
    )


def rate_frame(
    indicators: list[Indicator], area_name: str, base: str = "per65", with_pref: bool = True
) -> pd.DataFrame:
    """Rates per 10,000 people aged 65+ (or 75+), area next to prefecture."""
    rows = []
    for ind in indicators:
        if not ind.metric.endswith(f".{base}") or ind.value is None:
            continue
        name = ind.label.split("（")[0]
        rows.append({"指標": name, "地域": area_name, "値": ind.value})
        if with_pref:
            rows.append({"指標": name, "地域": PREF_LABEL, "値": ind.prefecture_value})
    return pd.DataFrame(rows)


def grouped_rates(df: pd.DataFrame, unit: str) -> alt.Chart:
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("指標:N", title=None, axis=alt.Axis(labelLimit=260)),
            yOffset="地域:N",
            x=alt.X("値:Q", title=unit),
            color=alt.Color(
                "地域:N",
                legend=alt.Legend(orient="bottom", title=None),
                scale=alt.Scale(range=["#1565c0", "#90a4ae"]),
            ),
            tooltip=["指標", "地域", alt.Tooltip("値:Q", format=",.1f")],
        )
    )


def indicator_table(indicators: list[Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "指標": i.label,
                "値": i.value,
                "単位": i.unit,
                "県全体": i.prefecture_value,
                "N": i.n,
                "条件（出典）": i.filter,
            }
            for i in indicators
        ]
    )


def provenance(f: Finding) -> str:
    """Year, N and condition of a finding, and the source it is computed from."""
    return f"根拠: {f.provenance}（出典: {f.source}）"
