"""The charts and tables of 地域の現状 explain themselves: what is counted, over which base, in
which unit, rounded, and with small areas marked — on hand-made figures and on the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from facilitator.reports import AreaSummary, Indicator, load_sample, summary
from facilitator.reports.models import Area
from facilitator.settings import PROJECT_ROOT, Settings
from facilitator.themes import COUNCIL_THEMES
from facilitator.ui.components import charts

CODE = re.compile(r"[a-z_]+\.[a-z]")
"""A metric code such as ``zaitaku.yes.share``: never shown to a user."""
RAW_FLOAT = re.compile(r"\d\.\d\d")
"""More than one decimal (「41.5094」): the tables round to one."""


# --- hand-made figures: one village, one area ------------------------------------------------


def _share(theme: str, stem: str, count: int, base: int, base_label: str) -> Indicator:
    return Indicator(
        metric=f"{theme}.{stem}.share",
        label=f"{stem}の割合",
        theme=theme,
        unit="%",
        value=100 * count / base,
        numerator=count,
        denominator=base,
        denominator_label=base_label,
        n=base,
        area_code="99001",
        year=2026,
        filter=f"2026年報告・{base_label}（N={base}）",
    )


def _area(name: str, code: str, counts: dict[str, int], theme: str = "zaitaku") -> AreaSummary:
    """A 市町村 whose 1号 institutions split into 有り / 意向有り / 無し as ``counts`` says."""
    base = sum(counts.values())
    area = Area(
        level="municipality",
        code=code,
        name=name,
        pref_code="99",
        pref_name="架空県",
        population=3000,
        pop65=1200,
        pop75=700,
    )
    return AreaSummary(
        area=area,
        year=2026,
        n_institutions=base,
        n_hospitals=0,
        n_clinics=base,
        n_ichigo=base,
        synthetic=True,
        indicators=[
            _share(theme, stem, n, base, "1号機能を有する医療機関") for stem, n in counts.items()
        ],
        findings=[],
    )


def test_the_tooltip_reads_count_over_base_and_the_share() -> None:
    town = _area("潮見町", "99001", {"yes": 12, "willing": 5, "no": 12})
    df = charts.state_frame(town, "zaitaku")
    assert list(df["内訳"]) == [
        "有り 12施設 / 29施設（41.4%）",
        "意向有り 5施設 / 29施設（17.2%）",
        "無し 12施設 / 29施設（41.4%）",
    ]
    assert set(df["N"]) == {29} and not df["参考値"].any()


def test_a_village_with_one_institution_is_marked_as_a_reference_value() -> None:
    village = _area("汐島村", "99002", {"yes": 0, "willing": 0, "no": 1})
    town = _area("潮見町", "99001", {"yes": 3, "willing": 0, "no": 2})  # N=5: not small
    df = charts.muni_state_frame([town, village], "zaitaku")
    assert list(df["地域"].unique()) == ["潮見町", "汐島村（N=1・参考値）"]
    assert list(df.loc[df["参考値"], "内訳"]) == [
        "有り 0施設 / 1施設（0.0%）",
        "意向有り 0施設 / 1施設（0.0%）",
        "無し 1施設 / 1施設（100.0%）",
    ]
    assert charts.small_n_caption(df) == "N<5 の市町村は参考値です（割合が大きく振れます）"
    assert charts.small_n_caption(df[~df["参考値"]]) is None
    assert charts.SMALL_N == 5


def test_the_state_chart_says_what_is_counted_over_which_base_in_percent() -> None:
    town = _area("潮見町", "99001", {"yes": 12, "willing": 5, "no": 12})
    spec = charts.stacked_states(charts.state_frame(town, "zaitaku"), "zaitaku").to_dict()
    assert spec["title"]["text"] == "在宅医療（2号機能ハ）の有無"
    assert spec["title"]["subtitle"].startswith("1号機能を有する医療機関に占める割合（%）")
    assert spec["encoding"]["x"]["title"] == "1号機能を有する医療機関に占める割合（%）"
    tips = [t.get("title", t["field"]) for t in spec["encoding"]["tooltip"]]
    assert tips == [
        "地域",
        "施設数 / 1号機能を有する医療機関（割合）",
        "N（1号機能を有する医療機関）",
    ]


def test_a_table_cell_without_a_value_shows_a_dash() -> None:
    missing = _share("zaitaku", "yes", 0, 1, "1号機能を有する医療機関").model_copy(
        update={"value": None, "prefecture_value": None}
    )
    (row,) = charts.indicator_table([missing]).to_dict("records")
    assert (row["値"], row["県全体"]) == ("—", "—")


# --- the 架空データ sample: every theme ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("charts")) / "data",
        corpus_dir=PROJECT_ROOT / "corpus",
    )
    load_sample(settings)
    return settings


def _north(sample: Settings, theme: str) -> tuple[AreaSummary, AreaSummary, list[AreaSummary]]:
    """北部医療圏, the prefecture and every area of the prefecture, for one theme."""
    everything = summary(None, theme, settings=sample, pref_code="99").areas
    (north,) = [s for s in everything if s.area.name == "北部医療圏"]
    (pref,) = [s for s in everything if s.area.level == "prefecture"]
    return north, pref, everything


def _visible(spec: dict) -> list[str]:
    """Titles, axis titles, tooltip titles and the shown data of a chart spec."""
    out = [spec["title"]["text"], spec["title"]["subtitle"]]
    for channel in spec["encoding"].values():
        for enc in channel if isinstance(channel, list) else [channel]:
            if isinstance(enc, dict):
                out += [enc.get("title") or "", enc.get("field") or ""]
    shown = {e.get("field") for e in spec["encoding"]["tooltip"]} | {"地域", "状態", "指標"}
    for rows in spec["datasets"].values():
        out += [str(r[k]) for r in rows for k in shown if k in r]
    return [s for s in out if s]


@pytest.mark.parametrize("theme", COUNCIL_THEMES)
def test_no_rate_chart_mixes_65_and_75_or_institutions_and_cases(
    sample: Settings, theme: str
) -> None:
    north, pref, _all = _north(sample, theme)
    df = charts.rate_frame(north.indicators, "北部医療圏", pref.indicators)
    assert set(df["単位"]) == {"65歳以上人口1万人当たり"}
    assert all(t.endswith("施設") for t in df["内訳"].str.split(" / ").str[0])  # no 件
    spec = charts.grouped_rates(df).to_dict()
    assert spec["title"]["text"] == "医療機関数（65歳以上人口1万人当たり）"
    assert "65歳以上人口" in spec["title"]["subtitle"]
    assert spec["encoding"]["x"]["title"] == "施設（65歳以上人口1万人当たり）"
    assert not [s for s in _visible(spec) if "75歳以上" in s or CODE.search(s)]
    # a bar reads like the finding about it (「在宅医療（24時間体制）を…」, not 「在宅医療」)
    found = {f.metric_label for f in north.findings}
    assert {f"{name}（65歳以上人口1万人当たり）" for name in df["指標"]} <= found


def test_a_chart_over_two_rate_bases_is_refused(sample: Settings) -> None:
    north, _pref, _all = _north(sample, "zaitaku")
    mixed = pd.concat(
        [charts.rate_frame(north.indicators, "北部医療圏", base=b) for b in ("per65", "per75")]
    )
    with pytest.raises(ValueError, match="one chart"):
        charts.grouped_rates(mixed)


def test_the_home_care_rates_name_24_hour_care(sample: Settings) -> None:
    north, pref, _all = _north(sample, "zaitaku")
    df = charts.rate_frame(north.indicators, "北部医療圏", pref.indicators)
    assert list(df["指標"].unique()) == [
        "在宅医療の機能（2号機能ハ）を有する医療機関",
        "在宅医療（24時間体制）を有する医療機関",
    ]
    assert list(df["値（表示）"])[:2] == [
        "6.0（65歳以上人口1万人当たり）",
        "0.8（65歳以上人口1万人当たり）",
    ]


@pytest.mark.parametrize("theme", COUNCIL_THEMES)
def test_state_charts_name_their_base_and_mark_small_villages(sample: Settings, theme: str) -> None:
    north, pref, everything = _north(sample, theme)
    base = "報告した医療機関" if theme == "ichigo" else "1号機能を有する医療機関"
    states = ["有り", "無し"] if theme == "ichigo" else ["有り", "意向有り", "無し"]  # 1号: no 意向
    for df in (charts.state_frame(north, theme, pref), charts.muni_state_frame(everything, theme)):
        spec = charts.stacked_states(df, theme).to_dict()
        assert spec["title"]["subtitle"].startswith(f"{base}に占める割合（%）")
        assert spec["encoding"]["color"]["scale"]["domain"] == states  # legend: what is drawn
        assert not [s for s in _visible(spec) if CODE.search(s)]
    munis = charts.muni_state_frame(everything, theme)
    assert munis["参考値"].any()  # the sample has villages with fewer than 5 institutions
    assert (munis["参考値"] == (munis["N"] < charts.SMALL_N)).all()
    assert munis.loc[munis["参考値"], "地域"].str.fullmatch(r".+（N=\d・参考値）").all()


@pytest.mark.parametrize("theme", COUNCIL_THEMES)
def test_the_indicator_table_is_written_as_a_reader_writes_it(sample: Settings, theme: str) -> None:
    north, _pref, _all = _north(sample, theme)
    table = charts.indicator_table(north.indicators)
    assert list(table.columns) == ["指標", "値", "県全体", "分母", "N", "条件（出典）"]
    assert table["N"].dtype.kind == "i"
    text = table.drop(columns="N")
    assert text.map(lambda v: isinstance(v, str) and v != "").all().all()
    cells = [str(v) for v in text.to_numpy().ravel()]
    assert not [c for c in cells if RAW_FLOAT.search(c) or CODE.search(c)]
    assert not [c for c in cells if c in ("None", "nan", "NaN")]
    shares = table[table["指標"].str.endswith("有りの割合")]
    assert shares["値"].str.fullmatch(r"\d+\.\d%").all()
    counts = table[table["指標"].str.endswith("有りの医療機関数")]
    assert counts["値"].str.fullmatch(r"[\d,]+施設").all()
