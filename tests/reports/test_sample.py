"""The synthetic sample: seeded, labelled 架空データ, and with something to discuss per theme."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from facilitator.reports import findings_for, indicators_for, load_sample, open_store, summary
from facilitator.reports.sample.prefecture import REPORTS_CSV, generate_sample
from facilitator.settings import Settings
from facilitator.storage.tables import report_datasets


def test_same_seed_gives_the_same_files(sample_dir: Path, tmp_path: Path) -> None:
    generate_sample(tmp_path, xlsx=False)
    assert (tmp_path / REPORTS_CSV).read_bytes() == (sample_dir / REPORTS_CSV).read_bytes()


def test_other_seed_gives_other_files(sample_dir: Path, tmp_path: Path) -> None:
    generate_sample(tmp_path, seed=1, xlsx=False)
    assert (tmp_path / REPORTS_CSV).read_bytes() != (sample_dir / REPORTS_CSV).read_bytes()


def test_every_file_name_says_synthetic(sample_dir: Path) -> None:
    assert all(p.name.startswith("架空データ_") for p in sample_dir.iterdir())


def test_every_row_is_labelled_synthetic(report_rows, area_rows) -> None:
    header, rows = report_rows
    c = header.index("データ区分")
    assert {r[c] for r in rows} == {"架空データ"}
    assert {a["データ区分"] for a in area_rows} == {"架空データ"}


def test_fictional_prefecture_code_and_name(area_rows, report_rows) -> None:
    assert {a["市町村コード"][:2] for a in area_rows} == {"99"}
    assert {a["都道府県名"] for a in area_rows} == {"架空県"}
    assert all(r[1].startswith("99") for r in report_rows[1])


def test_sample_size_is_within_the_brief(area_rows, report_rows) -> None:
    assert 3 <= len({a["二次医療圏コード"] for a in area_rows}) <= 4
    assert 12 <= len(area_rows) <= 20
    assert 800 <= len(report_rows[1]) <= 1200
    assert {"都市中心部", "郊外", "農村", "山間", "離島"} <= {a["地域類型"] for a in area_rows}


def test_summary_output_is_labelled_synthetic(loaded: Settings) -> None:
    result = summary("99", settings=loaded)
    assert result.label == "架空データ" and result.synthetic
    assert all(f.sentence.startswith("【架空データ】") for f in result.areas[0].findings)


def value(settings: Settings, area: str, theme: str, metric: str) -> float:
    return next(
        i for i in indicators_for(area, theme, settings=settings) if i.metric == metric
    ).value


def test_city_has_many_clinics_but_thin_after_hours_coverage(loaded: Settings) -> None:
    assert value(loaded, "県都市", "ichigo", "ichigo.yes.per65") > value(
        loaded, "99", "ichigo", "ichigo.yes.per65"
    )
    assert value(loaded, "県都市", "jikangai", "jikangai.yes.share") < value(
        loaded, "99", "jikangai", "jikangai.yes.share"
    )


def test_rural_north_lacks_24h_home_care(loaded: Settings) -> None:
    assert (
        value(loaded, "北部医療圏", "zaitaku", "zaitaku.h24.per65")
        < value(loaded, "99", "zaitaku", "zaitaku.h24.per65") / 2
    )
    assert value(loaded, "奥沢村", "zaitaku", "zaitaku.h24") == 0


@pytest.mark.parametrize("theme", ["jikangai", "nyutaiin", "zaitaku", "kaigo"])
def test_every_theme_has_willing_institutions(loaded: Settings, theme: str) -> None:
    assert value(loaded, "99", theme, f"{theme}.willing") > 0


def test_island_has_few_institutions(loaded: Settings) -> None:
    s = summary("汐島村", settings=loaded).areas[0]
    assert 1 <= s.n_institutions <= 3 and s.area.area_type == "離島"


def test_load_sample_is_idempotent(settings: Settings) -> None:
    first = load_sample(settings)
    assert [r.kind for r in first] == ["areas", "reports"] and all(r.synthetic for r in first)
    assert load_sample(settings) == []
    with open_store(settings) as store:
        assert store.count("institutions") == first[1].institutions


def test_loaded_sample_gives_findings_for_the_drafting_module(settings: Settings) -> None:
    load_sample(settings)
    assert findings_for("県都市", "jikangai", settings=settings)


def test_load_sample_does_not_come_back_over_real_data(loaded: Settings) -> None:
    from facilitator.reports import remove_data

    assert remove_data("99", settings=loaded) == 920
    with open_store(loaded) as store, store.transaction() as c:
        c.execute(
            insert(report_datasets).values(year=2026, pref_code="13", source_file="x", synthetic=0)
        )
    assert load_sample(loaded) == []


def test_remove_with_areas_clears_the_prefecture(loaded: Settings) -> None:
    from facilitator.reports import remove_data

    remove_data("99", areas=True, settings=loaded)
    with open_store(loaded) as store:
        assert (store.count("areas"), store.count("answers"), store.datasets()) == (0, 0, [])
