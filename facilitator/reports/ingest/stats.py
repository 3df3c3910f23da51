"""Per-municipality statistics computed once at import (column-wise) and stored beside the data.

Keys (missing key = 0):
- ``n``, ``n_hosp``, ``n_clinic``: reporting institutions;
- ``f:<function>:<state>``: institutions per function state (2 有り, 1 意向有り, 0 無し, -1 対象外);
- ``c:<item>:<code>``: institutions that chose a code of a single-choice item;
- ``a:<item>`` / ``s:<item>``: institutions that answered a count/decimal/multi item / sum of it;
- ``p:<item>``: institutions with a count/decimal item above zero;
- ``m:<item>:<code>``: institutions that selected a code of a multi-select item.

1号 items are counted over all reporting institutions; 2号 items only over 1号 institutions
(only they report 2号). Areas made of several municipalities simply add these numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import numpy as np

from facilitator.reports.ingest.rules import YES
from facilitator.reports.items import ItemDictionary


def muni_stats(
    dictionary: ItemDictionary,
    muni_index: np.ndarray,
    n_munis: int,
    hospital: np.ndarray,
    states: Mapping[str, np.ndarray],
    columns: Mapping[str, np.ndarray],
) -> list[dict[str, float]]:
    """One dict of statistics per municipality index ``0 … n_munis-1``."""
    keys: list[str] = []
    rows: list[np.ndarray] = []

    def add(key: str, weights: np.ndarray) -> None:
        keys.append(key)
        rows.append(np.bincount(muni_index, weights=weights.astype(np.float64), minlength=n_munis))

    n = len(muni_index)
    add("n", np.ones(n))
    add("n_hosp", hospital)
    add("n_clinic", ~hospital)
    for key, st in states.items():
        for code in (-1, 0, 1, 2):
            add(f"f:{key}:{code}", st == code)
    ichigo = states["ichigo"] == YES
    everyone = np.ones(n, dtype=bool)
    for item in dictionary.items:
        col = columns.get(item.id)
        if col is None or item.answer_type == "text":
            continue
        elig = everyone if item.function == "1号" else ichigo
        if item.answer_type == "choice":
            for c in item.choices:
                add(f"c:{item.id}:{c.code}", (col == c.code) & elig)
            continue
        answered = elig & (col >= 0)
        add(f"a:{item.id}", answered)
        if item.answer_type == "multi":
            cl = dictionary.code_lists[item.code_list or ""]
            for c in cl.codes:
                add(f"m:{item.id}:{c.code}", answered & (((col >> (c.code - 1)) & 1) == 1))
        else:
            add(f"s:{item.id}", np.where(answered, col, 0))
            add(f"p:{item.id}", answered & (col > 0))
    matrix = np.vstack(rows).T  # n_munis × keys
    r, c = np.nonzero(matrix)  # row-major: each municipality's keys together, in key order
    v = matrix[r, c]
    as_int = v.astype(np.int64)
    values: list[float] = as_int.tolist()
    floats = v.tolist()
    for k in np.flatnonzero(as_int != v).tolist():  # sums of decimals
        values[k] = round(floats[k], 4)
    names = np.array(keys, dtype=object)[c].tolist()
    bounds = np.searchsorted(r, np.arange(n_munis + 1)).tolist()
    return [dict(zip(names[a:b], values[a:b], strict=True)) for a, b in pairwise(bounds)]
