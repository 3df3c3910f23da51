"""The fast path of CSV reading: Arrow's reader for plain files, columns kept factorised.

A national file (~100,000 institutions × ~100 columns) is 10 million cells; the csv module
makes a Python string of each, and validation then factorises every column again. Arrow
reads the file in C and dictionary-encodes each column, so validation gets the distinct
values and one code per row directly.

Only files where both readers must agree take this path: no quote character and no NUL
(so a record is a line and a cell is what lies between delimiters), a rectangle of the
header's width, no blank or all-empty row, cells within the csv field limit and rows within
``limits.MAX_DATA_ROWS``. Anything else returns None, and the csv module reads the file
and reports what is wrong with it, row and column located, exactly as before.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from facilitator.reports.ingest import limits

# Arrow parses a file in blocks of this size; a file of one block gains nothing from its
# worker threads, and starting them has a cost beyond time: a process that used them can
# abort at exit (std::terminate on a joinable thread, apache/arrow#34314), so a CLI import
# that succeeded would exit with SIGABRT. Only a file of several blocks starts them.
_BLOCK = 1 << 22


class FactorColumn(Sequence[str]):
    """A column of raw cell texts held as its distinct values and one index per row."""

    def __init__(self, uniques: list[str], codes: np.ndarray) -> None:
        self.uniques = uniques
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self.uniques[k] for k in self.codes[i].tolist()]
        return self.uniques[int(self.codes[i])]

    def __iter__(self) -> Iterator[str]:
        return map(self.uniques.__getitem__, self.codes.tolist())


def distinct(raw: Sequence[str]) -> Sequence[str]:
    """The distinct texts of a column (all its cells if it is not factorised)."""
    return raw.uniques if isinstance(raw, FactorColumn) else raw


def read_plain_csv(text: str, delimiter: str) -> tuple[list[str], list[FactorColumn]] | None:
    """The header record and the data rows of a plain CSV as factorised columns, or None
    when the file is not plain (see the module docstring) and the csv module must read it."""
    if '"' in text or "\x00" in text:
        return None
    header = text.split("\n", 1)[0].split("\r", 1)[0].split(delimiter)
    names = [f"c{k}" for k in range(len(header))]
    data = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=1,
                block_size=_BLOCK,
                use_threads=len(data) > _BLOCK,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:  # e.g. rows of another width: the csv module locates them
        return None
    if not 1 <= table.num_rows <= limits.MAX_DATA_ROWS:
        return None
    columns: list[FactorColumn] = []
    empty = np.ones(table.num_rows, dtype=bool)  # rows whose every cell so far is ''
    for chunked in table.columns:  # read dictionary-encoded, one dictionary per block
        encoded = chunked.unify_dictionaries().combine_chunks()
        if pc.max(pc.utf8_length(encoded.dictionary)).as_py() > csv.field_size_limit():
            return None
        uniques = encoded.dictionary.to_pylist()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        if empty.any():
            empty &= (codes == uniques.index("")) if "" in uniques else False
        columns.append(FactorColumn(uniques, codes))
    if empty.any():  # a blank row: the csv module path drops it and keeps the numbering
        return None
    return header, columns
