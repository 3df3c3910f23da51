"""The official decision rules, applied column-wise to whole files.

- 1号機能 is present only when every starred (★) item holds.
- 2号 functions are reported only by 1号 institutions (else 対象外); each is 有り when any
  of its deciding items is 実施/実績有り, else 意向有り when any item is 「無し（意向有り）」,
  else 無し.

Typed columns: choice/count → int64 with -1 for blank; decimal → float64 with NaN;
multi → int64 bit mask (bit ``code-1``) with -1 for blank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from facilitator.reports.items import (
    FUNCTION_KEYS,
    FUNCTIONS,
    Item,
    ItemDictionary,
    load_dictionary,
)
from facilitator.reports.models import STATE_CODES, FunctionState

YES, WILLING, NO, BLANK = 2, 1, 0, -1
_STATE_NUM = {"yes": YES, "willing": WILLING, "no": NO, None: BLANK}
_BIT = {str(c): 1 << (c - 1) for c in range(1, 64)}
"""Code text → its bit in a multi-select mask (int64: codes 1–63)."""


def mask_of(codes: str | Iterable[int] | None) -> int:
    """Bit mask of a multi-select answer ('1;3;17' or codes); -1 for blank."""
    if codes is None:
        return -1
    if isinstance(codes, str):
        codes = [int(c) for c in codes.split(";") if c]
    mask = 0
    for c in codes:
        mask |= 1 << (int(c) - 1)
    return mask


def typed_column(item: Item, values: list[object]) -> np.ndarray:
    """Parsed values of one item → the typed array the rules and statistics work on."""
    if item.answer_type == "decimal":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if item.answer_type == "multi":  # canonical '1;3;17' texts (or '' / None)
        bit = _BIT.__getitem__
        return np.fromiter(
            (-1 if v is None else sum(map(bit, v.split(";"))) if v else 0 for v in values),
            dtype=np.int64,
            count=len(values),
        )
    return np.array([-1 if v is None else v for v in values], dtype=np.int64)


def item_state(item: Item, column: np.ndarray) -> np.ndarray:
    """Per-row state of one item: 2 有り, 1 意向有り, 0 無し, -1 blank/not applicable."""
    if item.answer_type == "choice":
        top = max(c.code for c in item.choices)
        lut = np.full(top + 2, BLANK, dtype=np.int8)  # index -1 (blank) hits the last slot
        for c in item.choices:
            lut[c.code] = _STATE_NUM[c.state]
        return lut[column]
    if item.answer_type in ("count", "decimal", "multi"):
        return np.where(column > 0, YES, np.where(column == 0, NO, BLANK)).astype(np.int8)
    return np.full(len(column), BLANK, dtype=np.int8)


def derive_states(
    dictionary: ItemDictionary, columns: Mapping[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """Function states for ``n`` institutions: key (ichigo, jikangai, …) → int8 array."""
    ichigo = np.ones(n, dtype=bool)
    for item in dictionary.items:
        if item.starred:
            col = columns.get(item.id)
            if col is None:
                ichigo[:] = False
            else:
                ichigo &= item_state(item, col) == YES
    out = {"ichigo": np.where(ichigo, YES, NO).astype(np.int8)}
    for function in FUNCTIONS[1:]:
        state = np.zeros(n, dtype=np.int8)
        for item in dictionary.by_function(function):
            if item.decides and item.id in columns:
                state = np.maximum(state, item_state(item, columns[item.id]))
        out[FUNCTION_KEYS[function]] = np.where(ichigo, state, BLANK).astype(np.int8)
    return out


def derive_institution(
    answers: Mapping[str, object], dictionary: ItemDictionary | None = None
) -> dict[str, FunctionState]:
    """The rules for one institution, from typed answers (codes, counts, lists of codes).

    Missing items count as blank. Used by tests and for explaining a single record.
    """
    d = dictionary or load_dictionary()
    columns: dict[str, np.ndarray] = {}
    for item_id, value in answers.items():
        item = d.item(item_id)
        if item.answer_type == "text":
            continue
        if item.answer_type == "multi":
            columns[item_id] = np.array([mask_of(value)], dtype=np.int64)  # type: ignore[arg-type]
        else:
            columns[item_id] = typed_column(item, [value])
    states = derive_states(d, columns, 1)
    return {key: STATE_CODES[int(arr[0])] for key, arr in states.items()}
