"""The Arrow fast path of CSV reading gives exactly what the csv module path gives."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from facilitator.reports import ReportImportError
from facilitator.reports.ingest import fast_csv, reading
from facilitator.reports.ingest.fast_csv import FactorColumn

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "facilitator-hypothesis")
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CELLS = st.text(alphabet=st.sampled_from(list("a1 あ\x01\x7f\u3000\ufeff")), max_size=4)
SEPARATORS = st.sampled_from([",", "\t", "\n", "\r", "\r\n", '"', "\x00", ",,"])


def _outcome(text: str) -> tuple:
    """What reading a CSV text gives: the table as plain lists, or the errors."""
    try:
        t = reading._parse_csv(text, "x.csv", "utf-8")
    except ReportImportError as exc:
        return ("error", [e.model_dump() for e in exc.errors])
    return ("table", t.headers, t.rows, [list(c) for c in t.columns])


def _both(text: str) -> tuple[tuple, tuple, bool]:
    """(fast path outcome, csv module outcome, whether the fast path was taken)."""
    fast = _outcome(text)
    used = reading._plain_table(text, ",", "x.csv", "utf-8") is not None
    with mock.patch.object(reading, "read_plain_csv", lambda *a: None):
        slow = _outcome(text)
    return fast, slow, used


@PROPERTY
@given(pieces=st.lists(st.tuples(CELLS, SEPARATORS), min_size=1, max_size=40))
def test_any_text_reads_the_same_on_both_paths(pieces) -> None:
    text = "".join(c + s for c, s in pieces)
    fast, slow, _ = _both(text)
    assert fast == slow


@PROPERTY
@given(
    records=st.integers(1, 4).flatmap(
        lambda w: st.lists(st.lists(CELLS, min_size=w, max_size=w), min_size=2, max_size=12)
    ),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_rectangles_take_the_fast_path(records, newline) -> None:
    text = newline.join(",".join(r) for r in records) + newline
    fast, slow, used = _both(text)
    assert fast == slow
    header_ok = records[0][-1].strip() != ""
    if header_ok and all(any(r) for r in records[1:]):
        assert used


def test_quotes_blank_rows_and_ragged_rows_take_the_csv_path() -> None:
    for text in ('a,b\n"1",2\n', "a,b\n1,2\n\n3,4\n", "a,b\n1,2,3\n", "a,b\n,\n", "a,\n1,\n"):
        assert reading._plain_table(text, ",", "x.csv", "utf-8") is None, text


def test_factor_column_reads_like_a_list() -> None:
    result = fast_csv.read_plain_csv("h,k\nx,1\ny,1\nx,2\n", ",")
    assert result is not None
    header, (col, _) = result
    assert header == ["h", "k"]
    assert isinstance(col, FactorColumn)
    assert (list(col), col[1], col[0:2], len(col)) == (["x", "y", "x"], "y", ["x", "y"], 3)
    assert list(fast_csv.distinct(col)) == ["x", "y"]
