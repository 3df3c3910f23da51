"""The shipped synthetic sample: 架空県 (prefecture code 99), labelled 架空データ everywhere.

Four 二次医療圏 and 16 市町村 of different kinds — a city centre with many clinics but thin
時間外 coverage, suburbs, regional cities, farming towns, mountain villages without 24-hour
home care and an island — about 900 institutions, generated from a fixed seed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, Field

from facilitator.reports.ingest.importer import import_file
from facilitator.reports.items import load_dictionary
from facilitator.reports.models import SYNTHETIC_LABEL, ImportResult
from facilitator.reports.sample.synth import (
    AREA_HEADER,
    PROFILES,
    MuniSpec,
    area_rows,
    header,
    institution_rows,
    write_csv,
)
from facilitator.reports.store import open_store
from facilitator.settings import Settings

log = logging.getLogger(__name__)

SAMPLE_PREF_CODE = "99"
SAMPLE_PREF_NAME = "架空県"
SAMPLE_SEED = 2026
SAMPLE_YEAR = 2026
SAMPLE_DIR_NAME = "sample_reports"
AREAS_FILE = "架空データ_市町村表.csv"
REPORTS_CSV = f"架空データ_かかりつけ医機能報告_{SAMPLE_YEAR}.csv"
REPORTS_XLSX = f"架空データ_かかりつけ医機能報告_{SAMPLE_YEAR}.xlsx"
README_FILE = "架空データ_説明.txt"

_P = PROFILES
_NORTH = replace(_P["地方都市"], h24=0.12, zaitaku=(0.40, 0.45))
_N_RURAL = replace(_P["農村"], h24=0.05, zaitaku=(0.45, 0.45))

SAMPLE_MUNICIPALITIES: list[MuniSpec] = [
    MuniSpec(
        "99201",
        "県都市",
        "9901",
        "中央医療圏",
        "都市中心部",
        420_400,
        0.243,
        0.132,
        _P["都市中心部"],
    ),
    MuniSpec("99202", "港台市", "9901", "中央医療圏", "郊外", 152_300, 0.262, 0.141, _P["郊外"]),
    MuniSpec(
        "99203",
        "緑ヶ丘市",
        "9901",
        "中央医療圏",
        "郊外（ニュータウン）",
        96_100,
        0.314,
        0.176,
        _P["郊外"],
    ),
    MuniSpec("99341", "川辺町", "9901", "中央医療圏", "郊外", 32_400, 0.298, 0.158, _P["郊外"]),
    MuniSpec("99204", "北山市", "9902", "北部医療圏", "地方都市", 68_300, 0.352, 0.198, _NORTH),
    MuniSpec("99361", "雪谷町", "9902", "北部医療圏", "農村", 14_200, 0.409, 0.238, _N_RURAL),
    MuniSpec("99362", "奥沢村", "9902", "北部医療圏", "山間", 3_150, 0.492, 0.311, _P["山間"]),
    MuniSpec("99363", "峰岡町", "9902", "北部医療圏", "山間", 7_480, 0.451, 0.279, _P["山間"]),
    MuniSpec("99364", "大野村", "9902", "北部医療圏", "農村", 3_820, 0.443, 0.268, _N_RURAL),
    MuniSpec(
        "99205", "南浜市", "9903", "南部医療圏", "地方都市", 52_100, 0.361, 0.207, _P["地方都市"]
    ),
    MuniSpec("99381", "潮見町", "9903", "南部医療圏", "農村", 18_300, 0.392, 0.229, _P["農村"]),
    MuniSpec("99382", "汐島村", "9903", "南部医療圏", "離島", 2_640, 0.472, 0.302, _P["離島"]),
    MuniSpec("99383", "磯崎町", "9903", "南部医療圏", "農村", 9_050, 0.418, 0.247, _P["農村"]),
    MuniSpec(
        "99206", "東原市", "9904", "東部医療圏", "地方都市", 78_600, 0.331, 0.183, _P["地方都市"]
    ),
    MuniSpec("99401", "朝日野町", "9904", "東部医療圏", "農村", 21_200, 0.371, 0.214, _P["農村"]),
    MuniSpec("99402", "高森村", "9904", "東部医療圏", "山間", 4_120, 0.462, 0.291, _P["山間"]),
]


class SampleFile(BaseModel):
    path: str
    kind: str = Field(description="areas | reports | readme")
    encoding: str
    rows: int


class SampleFiles(BaseModel):
    """What ``generate_sample`` wrote."""

    synthetic: bool = True
    label: str = SYNTHETIC_LABEL
    prefecture_code: str = SAMPLE_PREF_CODE
    prefecture_name: str = SAMPLE_PREF_NAME
    year: int
    seed: int
    n_municipalities: int
    n_institutions: int
    files: list[SampleFile]


_README = """【架空データ】かかりつけ医機能報告のサンプル（実在しない「架空県」）

このフォルダのファイルはすべて、facilitator が乱数の種 {seed} から生成した架空データです。
実在の都道府県・市町村・医療機関とは関係がありません。都道府県コード 99 は実在しない番号です。
すべての行の「データ区分」列が「架空データ」で、取り込むと集計結果にも「架空データ」と表示されます。

- {areas}: 市町村表（UTF-8 BOM付き）。二次医療圏4、市町村16、人口・65歳以上・75歳以上
- {csv}: 報告データ（CP932 / Shift_JIS、Excel の「CSV（コンマ区切り）」と同じ）
- {xlsx}: 同じ報告データの Excel 版

作り方の意図（協議のテーマごとに話題があるように）:
- 県都市（都市中心部）: 診療所は多いが時間外診療（2号イ）を担う医療機関の割合が低い
- 北部医療圏（北山市・雪谷町・奥沢村・峰岡町・大野村）: 24時間の在宅医療がほぼない一方、
  「意向有り」が多い
- 汐島村（離島）・山間の村: 医療機関が1〜2か所で、時間外は担うが24時間在宅は連携先がない
- 東部・南部: 地方都市と農村の中間的な姿
"""


def generate_sample(
    out_dir: str | Path, *, seed: int = SAMPLE_SEED, year: int = SAMPLE_YEAR, xlsx: bool = True
) -> SampleFiles:
    """Write the synthetic sample (areas CSV, reports CSV in CP932, optional .xlsx, README)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    d = load_dictionary(year)
    rows = list(institution_rows(d, SAMPLE_MUNICIPALITIES, year, seed, SAMPLE_PREF_CODE))
    head = header(d)
    files = []
    n_areas = write_csv(
        out / AREAS_FILE, AREA_HEADER, area_rows(SAMPLE_MUNICIPALITIES, SAMPLE_PREF_NAME)
    )
    files.append(
        SampleFile(path=str(out / AREAS_FILE), kind="areas", encoding="utf-8-sig", rows=n_areas)
    )
    write_csv(out / REPORTS_CSV, head, rows, encoding="cp932")
    files.append(
        SampleFile(path=str(out / REPORTS_CSV), kind="reports", encoding="cp932", rows=len(rows))
    )
    if xlsx:
        _write_xlsx(out / REPORTS_XLSX, head, rows)
        files.append(
            SampleFile(
                path=str(out / REPORTS_XLSX), kind="reports", encoding="xlsx", rows=len(rows)
            )
        )
    (out / README_FILE).write_text(
        _README.format(seed=seed, areas=AREAS_FILE, csv=REPORTS_CSV, xlsx=REPORTS_XLSX), "utf-8"
    )
    files.append(SampleFile(path=str(out / README_FILE), kind="readme", encoding="utf-8", rows=0))
    return SampleFiles(
        year=year, seed=seed, n_municipalities=n_areas, n_institutions=len(rows), files=files
    )


def _write_xlsx(path: Path, head: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook  # deferred: only for the .xlsx copy

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("報告データ（架空データ）")
    ws.append(head)
    for row in rows:
        # keep codes as text so leading zeros survive, numbers as numbers
        ws.append(
            [
                None if v == "" else v if isinstance(v, int) and k >= 7 else str(v)
                for k, v in enumerate(row)
            ]
        )
    wb.save(path)


def sample_loaded(settings: Settings, year: int = SAMPLE_YEAR) -> bool:
    """Whether the sample prefecture's report data is already stored."""
    with open_store(settings) as store:
        return any(
            d["year"] == year and d["pref_code"] == SAMPLE_PREF_CODE for d in store.datasets()
        )


def load_sample(settings: Settings, *, force: bool = False) -> list[ImportResult]:
    """Generate the sample into ``data_dir/sample_reports`` and import it, on first start.

    Without ``force`` nothing happens (returns ``[]``) when any report data is already stored
    — the sample itself, or real data (so a removed sample does not come back). Only
    prefecture 99 (架空県) is ever written; data of other prefectures stays as it is.
    """
    if not force:
        with open_store(settings) as store:
            if store.datasets():
                log.info("報告データは取り込み済みのため、架空データは読み込みません")
                return []
    out = Path(settings.data_dir) / SAMPLE_DIR_NAME
    generate_sample(out, xlsx=False)
    with open_store(settings) as store:
        return [import_file(out / AREAS_FILE, store), import_file(out / REPORTS_CSV, store)]
