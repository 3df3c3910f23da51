"""Seeded generator of synthetic report rows (架空データ) for fictional municipalities.

Each municipality has a profile (how likely its institutions are to have each function,
to be willing, to run 24-hour home care); institutions get a specialty that shapes their
domains, diseases and functions. The same seed always gives the same files.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from facilitator.reports.items import ItemDictionary
from facilitator.reports.models import SYNTHETIC_LABEL

IDENTITY_FIELDS = ("year", "inst_code", "name", "kind", "muni_code", "sec_code", "data_label")


@dataclass(frozen=True)
class Profile:
    """How institutions in one municipality tend to answer."""

    clinics_per_10k: float
    hospitals_per_10k: float
    ichigo: float  # multiplier on the specialty's chance of meeting all ★ items
    jikangai: tuple[float, float]  # P(有り), P(意向有り | not 有り)
    nyutaiin: tuple[float, float]
    zaitaku: tuple[float, float]
    h24: float  # P(24-hour home care | home care 有り)
    kaigo: tuple[float, float]


PROFILES: dict[str, Profile] = {
    "都市中心部": Profile(
        11.0, 0.7, 0.95, (0.20, 0.12), (0.35, 0.15), (0.36, 0.20), 0.60, (0.55, 0.15)
    ),
    "郊外": Profile(7.0, 0.45, 1.0, (0.45, 0.15), (0.30, 0.15), (0.40, 0.22), 0.55, (0.60, 0.15)),
    "地方都市": Profile(
        7.5, 0.8, 1.0, (0.55, 0.15), (0.40, 0.15), (0.45, 0.20), 0.45, (0.70, 0.12)
    ),
    "農村": Profile(6.5, 0.5, 1.05, (0.60, 0.15), (0.25, 0.20), (0.50, 0.25), 0.25, (0.75, 0.10)),
    "山間": Profile(6.0, 0.0, 1.1, (0.70, 0.20), (0.10, 0.30), (0.60, 0.45), 0.0, (0.80, 0.10)),
    "離島": Profile(7.5, 0.0, 1.1, (0.90, 0.10), (0.20, 0.30), (0.70, 0.40), 0.0, (0.80, 0.10)),
}


@dataclass(frozen=True)
class MuniSpec:
    """A fictional municipality and the profile its institutions are drawn from."""

    code: str
    name: str
    sec_code: str
    sec_name: str
    area_type: str
    population: int
    r65: float
    r75: float
    profile: Profile
    n_institutions: int | None = None  # default: from the profile's rates

    @property
    def pop65(self) -> int:
        return round(self.population * self.r65)

    @property
    def pop75(self) -> int:
        return round(self.population * self.r75)

    def counts(self) -> tuple[int, int]:
        """(hospitals, clinics)."""
        p = self.profile
        if self.n_institutions is not None:
            total = self.n_institutions
            hosp = round(total * p.hospitals_per_10k / (p.hospitals_per_10k + p.clinics_per_10k))
            return hosp, max(total - hosp, 0)
        hosp = round(self.population * p.hospitals_per_10k / 10_000)
        clinics = max(1, round(self.population * p.clinics_per_10k / 10_000))
        return hosp, clinics


# specialty: (weight, P(★ all hold), home-care factor, domains, diseases)
SPECIALTIES: dict[str, tuple[float, float, float, list[int], list[int]]] = {
    "内科": (
        0.46,
        0.88,
        1.35,
        [6, 7, 8, 9, 14, 2, 10, 15],
        [1, 2, 3, 7, 8, 9, 10, 18, 19, 20, 21, 22, 23, 25, 26, 36],
    ),
    "小児科": (0.07, 0.85, 0.25, [17, 6, 1], [22, 23, 24, 25, 26, 1]),
    "整形外科": (0.09, 0.55, 0.6, [16], [29, 30, 31, 32, 33, 34]),
    "眼科": (0.06, 0.35, 0.05, [4], [12, 13, 14, 15]),
    "耳鼻咽喉科": (0.05, 0.45, 0.1, [5], [16, 17, 24, 23]),
    "皮膚科": (0.06, 0.40, 0.2, [1], [28, 24]),
    "精神科": (0.05, 0.45, 0.4, [3], [4, 5, 6, 7, 8]),
    "産婦人科": (0.04, 0.50, 0.05, [11, 12, 13], [37, 38, 40]),
    "外科": (0.06, 0.72, 1.1, [7, 16, 13], [33, 34, 26, 38, 39]),
    "泌尿器科": (0.03, 0.50, 0.4, [10], [35, 36]),
    "脳神経外科": (0.03, 0.60, 0.7, [2], [9, 10, 11]),
}
_STEMS = [
    "あおば",
    "さくら",
    "みどり",
    "ひかり",
    "つばさ",
    "かえで",
    "すずらん",
    "ひまわり",
    "やまびこ",
    "しおかぜ",
    "こもれび",
    "あさひ",
    "ほたる",
    "わかば",
    "いずみ",
    "はなみずき",
    "せせらぎ",
    "なごみ",
]
_CLINIC = ["クリニック", "医院", "診療所", "ファミリークリニック"]
_HOSP = ["中央病院", "記念病院", "第一病院", "共済病院", "総合病院", "リハビリテーション病院"]


def _state(rng: random.Random, p: tuple[float, float], factor: float = 1.0) -> int:
    if rng.random() < min(0.97, p[0] * factor):
        return 2
    return 1 if rng.random() < p[1] else 0


def _participation(rng: random.Random) -> int:
    return rng.choice([2, 3, 3, 4, 4, 4, 5, 6, 7])


def _ichigo(
    rng: random.Random, a: dict[str, object], spec: str, hospital: bool, prof: Profile
) -> bool:
    _, p_star, _, domains, diseases = SPECIALTIES[spec]
    if hospital:
        domains, diseases = [2, 6, 7, 8, 9, 10, 14, 15, 16, 17], list(range(1, 39))
    meets = rng.random() < min(0.97, p_star * prof.ichigo)
    doms = sorted(set(rng.sample(domains, k=rng.randint(1, len(domains)))))
    a["g1_keiji"] = a["g1_soudan"] = 1
    a["g1_ryoiki"] = ";".join(map(str, doms))
    if not meets:
        which = rng.random()
        if which < 0.75:
            a["g1_keiji"] = 0
        elif which < 0.93:
            a["g1_soudan"] = 0
        else:
            a["g1_ryoiki"] = "0"
    dis = sorted(set(rng.sample(diseases, k=rng.randint(1, len(diseases)))))
    a["g1_shikkan"] = ";".join(map(str, dis))
    a["g1_shikkan_sonota"] = (
        rng.choice(["禁煙外来", "睡眠時無呼吸症候群"]) if rng.random() < 0.03 else ""
    )
    a["g1_kenshu"] = int(rng.random() < (0.4 if meets else 0.1))
    sogo = rng.random() < (0.12 if hospital else 0.05)
    a["g1_sogo"] = int(sogo)
    a["g1_sogo_fte"] = rng.choice(["0.5", "1", "1.5", "2.0", "3.2"]) if sogo else "0"
    a["g1_jisanyaku"] = rng.choices([2, 1, 0], [0.45, 0.2, 0.35])[0]
    a["g1_platform"] = rng.choices([2, 1, 0], [0.55, 0.25, 0.2])[0]
    a["g1_tokki"] = "架空データのため実在の医療機関ではありません" if rng.random() < 0.01 else ""
    return a["g1_keiji"] == 1 and a["g1_soudan"] == 1 and a["g1_ryoiki"] != "0"


def _jikangai(rng: random.Random, a: dict[str, object], s: int, hospital: bool) -> None:
    a.update(
        g2i_tohban=0,
        g2i_kyukan=0,
        g2i_zuiji=0,
        g2i_todoke=0,
        g2i_zuiji_renkei="",
        g2i_jikangai_kasan=0,
        g2i_shinya_kasan=0,
        g2i_kyujitsu_kasan=0,
        g2i_yakan_kasan=0,
    )
    if s == 2:
        picks = [
            k
            for k, p in (("g2i_tohban", 0.6), ("g2i_kyukan", 0.35), ("g2i_zuiji", 0.5))
            if rng.random() < p
        ]
        for k in picks or ["g2i_tohban"]:
            a[k] = rng.choice([2, 3]) if k == "g2i_zuiji" else _participation(rng)
        if a["g2i_zuiji"] == 3:
            a["g2i_zuiji_renkei"] = rng.choice(_STEMS) + "クリニック"
        a["g2i_todoke"] = int(rng.random() < 0.5)
        scale = 4 if hospital else 1
        a["g2i_jikangai_kasan"] = rng.randint(5, 300) * scale if rng.random() < 0.8 else 0
        a["g2i_shinya_kasan"] = rng.randint(0, 30) * scale
        a["g2i_kyujitsu_kasan"] = rng.randint(0, 120) * scale
        a["g2i_yakan_kasan"] = rng.randint(0, 500)
    elif s == 1:
        a["g2i_tohban"] = int(rng.random() < 0.6)
        a["g2i_kyukan"] = int(rng.random() < 0.4)
        a["g2i_zuiji"] = 1 if not (a["g2i_tohban"] or a["g2i_kyukan"]) else int(rng.random() < 0.3)


def _nyutaiin(rng: random.Random, a: dict[str, object], s: int, hospital: bool) -> None:
    a.update(
        g2ro_koho=0,
        g2ro_koho_renkei="",
        g2ro_nyuin_joho=0,
        g2ro_taiin_rule=0,
        g2ro_taiin_joho=0,
        g2ro_shokai=0,
    )
    if s == 2:
        if hospital and rng.random() < 0.7:
            a["g2ro_koho"] = 2
        elif rng.random() < 0.5:
            a["g2ro_koho"] = 3
            a["g2ro_koho_renkei"] = rng.choice(_STEMS) + rng.choice(_HOSP)
        a["g2ro_nyuin_joho"] = rng.randint(1, 120) if rng.random() < 0.6 else 0
        a["g2ro_taiin_rule"] = 2 if rng.random() < 0.5 else 0
        a["g2ro_taiin_joho"] = rng.randint(1, 80) if rng.random() < 0.5 else 0
        a["g2ro_shokai"] = rng.randint(1, 300) if rng.random() < (0.6 if hospital else 0.3) else 0
        if not any(
            a[k]
            for k in (
                "g2ro_koho",
                "g2ro_nyuin_joho",
                "g2ro_taiin_rule",
                "g2ro_taiin_joho",
                "g2ro_shokai",
            )
        ):
            a["g2ro_taiin_rule"] = 2
    elif s == 1:
        a["g2ro_koho"] = int(rng.random() < 0.5)
        a["g2ro_taiin_rule"] = 1 if not a["g2ro_koho"] else int(rng.random() < 0.5)


def _zaitaku(rng: random.Random, a: dict[str, object], s: int, h24: float, muni: str) -> None:
    a.update(
        g2ha_taisei=0,
        g2ha_renkei="",
        g2ha_houmon=0,
        g2ha_oushin=0,
        g2ha_kango=0,
        g2ha_shiji=0,
        g2ha_mitori=0,
    )
    if s == 2:
        full = rng.random() < h24
        a["g2ha_taisei"] = (3 if rng.random() < 0.35 else 4) if full else 2
        if a["g2ha_taisei"] == 4:
            a["g2ha_renkei"] = f"{muni}{rng.choice(_STEMS)}クリニック"
        a["g2ha_houmon"] = rng.randint(120, 2400) if full else rng.randint(6, 300)
        a["g2ha_oushin"] = rng.randint(10, 300) if full else rng.randint(0, 30)
        a["g2ha_kango"] = rng.randint(0, 400) if full else rng.randint(0, 40)
        a["g2ha_shiji"] = rng.randint(5, 150) if full else rng.randint(0, 20)
        a["g2ha_mitori"] = rng.randint(1, 40) if full else rng.randint(0, 2)
    elif s == 1:
        a["g2ha_taisei"] = 1


def _kaigo(rng: random.Random, a: dict[str, object], s: int) -> None:
    keys = ("g2ni_iken", "g2ni_tantosha", "g2ni_care_kaigi", "g2ni_ict", "g2ni_acp")
    a.update({k: 0 for k in keys}, g2ni_kyoryoku=0, g2ni_kyoryoku_shisetsu="")
    if s == 2:
        for k, p in zip(keys, (0.9, 0.6, 0.3, 0.2, 0.3), strict=True):
            a[k] = 2 if rng.random() < p else rng.choice([0, 1])
        if not any(a[k] == 2 for k in keys):
            a["g2ni_iken"] = 2
        if rng.random() < 0.15:
            a["g2ni_kyoryoku"] = 1
            a["g2ni_kyoryoku_shisetsu"] = "特別養護老人ホーム" + rng.choice(_STEMS) + "荘"
    elif s == 1:
        for k, p in zip(keys, (0.6, 0.6, 0.4, 0.3, 0.3), strict=True):
            a[k] = int(rng.random() < p)
        if not any(a[k] for k in keys):
            a["g2ni_iken"] = 1


def institution_rows(
    dictionary: ItemDictionary, munis: list[MuniSpec], year: int, seed: int, pref_code: str
) -> Iterator[list[object]]:
    """Rows (identity fields + items in dictionary order) for every institution of ``munis``."""
    rng = random.Random(seed)
    item_ids = [it.id for it in dictionary.items]
    names = list(SPECIALTIES)
    weights = [SPECIALTIES[s][0] for s in names]
    serial = {1: 0, 2: 0}
    for m in munis:
        prof = m.profile
        hospitals, clinics = m.counts()
        for kind in [1] * hospitals + [2] * clinics:
            hospital = kind == 1
            serial[kind] += 1
            spec = "内科" if hospital else rng.choices(names, weights)[0]
            a: dict[str, object] = {}
            ichigo = _ichigo(rng, a, spec, hospital, prof)
            if hospital:
                name = f"{m.name[:-1]}{rng.choice(_HOSP)}"
            else:
                label = spec if spec != "内科" or rng.random() < 0.6 else ""
                name = f"{rng.choice(_STEMS)}{label}{rng.choice(_CLINIC)}"
            row: list[object] = [
                year,
                f"{pref_code}{kind}{serial[kind]:010d}",
                name,
                "病院" if hospital else "診療所",
                m.code,
                m.sec_code,
                SYNTHETIC_LABEL,
            ]
            if ichigo:
                home = SPECIALTIES[spec][2]
                _jikangai(rng, a, _state(rng, prof.jikangai, 1.2 if hospital else 1.0), hospital)
                _nyutaiin(rng, a, _state(rng, prof.nyutaiin, 2.2 if hospital else 0.8), hospital)
                _zaitaku(rng, a, _state(rng, prof.zaitaku, home), prof.h24, m.name)
                _kaigo(rng, a, _state(rng, prof.kaigo, max(home, 0.5)))
                a["g2ho_kenshin"] = int(rng.random() < 0.7)
                a["g2ho_yobo"] = int(rng.random() < 0.85)
            row += [a.get(i, "") for i in item_ids]
            yield row


def header(dictionary: ItemDictionary) -> list[str]:
    """Canonical headers of a report file, identity fields first."""
    return [dictionary.header(f) for f in IDENTITY_FIELDS] + [
        dictionary.header(it.id) for it in dictionary.items
    ]


AREA_HEADER = [
    "市町村コード",
    "市町村名",
    "都道府県名",
    "二次医療圏コード",
    "二次医療圏名",
    "有効年度",
    "人口",
    "65歳以上人口",
    "75歳以上人口",
    "地域類型",
    "データ区分",
]


def area_rows(
    munis: list[MuniSpec], pref_name: str, valid: str = "2024-2029"
) -> list[list[object]]:
    return [
        [
            m.code,
            m.name,
            pref_name,
            m.sec_code,
            m.sec_name,
            valid,
            m.population,
            m.pop65,
            m.pop75,
            m.area_type,
            SYNTHETIC_LABEL,
        ]
        for m in munis
    ]


def write_csv(path: Path, head: list[str], rows: object, encoding: str = "utf-8-sig") -> int:
    """Write rows (an iterable of lists); returns the number of data rows."""
    n = 0
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(head)
        for row in rows:  # type: ignore[attr-defined]
            w.writerow(row)
            n += 1
    return n


def national_munis(
    n_institutions: int, pref_codes: list[str], seed: int
) -> dict[str, list[MuniSpec]]:
    """Fictional prefectures (~37 municipalities, 5–9 二次医療圏 each); ``n_institutions`` total."""
    rng = random.Random(seed)
    kinds = list(PROFILES)
    out: dict[str, list[MuniSpec]] = {}
    for pc in pref_codes:
        munis: list[MuniSpec] = []
        n_sec = rng.randint(5, 9)
        for j in range(rng.randint(30, 44)):
            kind = rng.choices(kinds, [0.06, 0.2, 0.2, 0.3, 0.18, 0.06])[0]
            pop = int(rng.lognormvariate(10.3, 1.0)) + 800
            sec = f"{pc}{j % n_sec + 1:02d}"
            munis.append(
                MuniSpec(
                    f"{pc}{200 + j:03d}",
                    f"架空{pc}{'市町村'[j % 3]}{j + 1}",
                    sec,
                    f"架空{pc}第{sec[-2:]}医療圏",
                    kind,
                    pop,
                    round(rng.uniform(0.22, 0.5), 3),
                    0.0,
                    PROFILES[kind],
                )
            )
        out[pc] = [replace(m, r75=round(m.r65 * 0.58, 3)) for m in munis]
    total = sum(sum(m.counts()) for ms in out.values() for m in ms)
    scale = n_institutions / total
    for pc, ms in out.items():
        out[pc] = [replace(m, n_institutions=max(1, round(sum(m.counts()) * scale))) for m in ms]
    return out
