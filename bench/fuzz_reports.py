"""Fuzzing the report import (issue 11 "Safe by default"): malformed CSV and .xlsx inputs.

Inputs are mutations of the 架空データ sample (its area table and the first 30 institutions
of its report file, as CSV and as .xlsx with shared strings): random bytes, truncation,
huge and implausible numbers, control characters, CR-only line endings, other encodings,
damaged headers and rows, oversized cells, zip garbage, damaged or hostile xlsx parts
(DTD/entities, broken XML and deflate data, row 1,048,576, 20,000-cell rows, 2,000 parts,
a compression bomb) and batches of two files. Each input is imported into a small database
(the sample's area table and those 30 institutions):

- crash: an exception other than ``FacilitatorError`` escaped ``import_file`` (or a batch
  reported an ``UnexpectedImportError``), grouped by type and first line;
- partial write: the database changed although the input (or the batch) was rejected;
- bad value: an accepted input stored a non-finite or out-of-bounds number or a control
  character.

Target: 0 crashes, 0 partial writes, 0 bad values.

    .venv/bin/python bench/fuzz_reports.py [--n 10000] [--seed 11] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.errors import FacilitatorError  # noqa: E402
from facilitator.reports import ReportStore, import_file, import_files, open_store  # noqa: E402

try:
    from facilitator.reports.errors import UnexpectedImportError
    from facilitator.reports.ingest import limits
    from facilitator.reports.ingest.chars import CONTROLS, REMOVED
except ImportError:  # a checkout from before issue 11 (to measure what it fixed)

    class UnexpectedImportError(Exception):  # type: ignore[no-redef]
        cause: Exception

    class limits:  # type: ignore[no-redef]
        MAX_COUNT, MAX_DECIMAL, MAX_POPULATION = 1_000_000, 1_000, 10_000_000

    CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
    REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
from facilitator.reports.sample.prefecture import (  # noqa: E402
    AREAS_FILE,
    REPORTS_CSV,
    generate_sample,
)
from facilitator.reports.store import DATA_TABLES  # noqa: E402
from facilitator.settings import Settings  # noqa: E402

N_ROWS = 30
NASTY = [
    "9" * 5000,
    "9" * 4301,
    "9" * 400 + ".0",
    str(2**63),
    str(2**63 - 1),
    str(2**64 + 1),
    "1" + "0" * 320,
    "1" + "0" * 20,
    "1" + "0" * 309 + ".5",
    "1000001",
    "1000.1",
    "1e20",
    "1e400",
    "-1",
    "-0",
    "inf",
    "NaN",
    "0x10",
    "１２３",
    "１２．５",
    "١٢",
    "1,234,567",
    " 12 ",
    "12.50",
    "0.05",
    "0." + "0" * 5000 + "1",
    "\x00",
    "1\x00",
    "架空\x00病院",
    "\x07\x08\x1b[31m",
    "a\rb",
    "a\r\nb",
    "\u202e逆",
    "\ufeff1",
    "=1+1",
    '"',
    '""',
    "'; DROP TABLE answers; --",
    "あ" * 2001,
    "x" * 140_000,
    "",
    " ",
    "1;99",
    "1;" + "9" * 5000,
    "無し（意向有り）",
    "R8",
    "令和元年",
    "2101",
]
CONTROL_CHARS = [chr(c) for c in (*range(0, 32), 127, 0x85, 0x9F)]


# --- base files ---------------------------------------------------------------------------


class Base:
    """The sample's files, parsed, plus their bytes and a loaded baseline database."""

    def __init__(self, work: Path) -> None:
        sample = work / "sample"
        generate_sample(sample, xlsx=False)
        text = (sample / REPORTS_CSV).read_bytes().decode("cp932")
        grid = list(csv.reader(io.StringIO(text, newline="")))
        self.report = [grid[0], *grid[1 : N_ROWS + 1]]
        self.areas = list(
            csv.reader(io.StringIO((sample / AREAS_FILE).read_text("utf-8-sig"), newline=""))
        )
        self.report_csv = to_csv(self.report, "cp932", "\r\n", ",")
        self.areas_csv = to_csv(self.areas, "utf-8-sig", "\r\n", ",")
        self.report_xlsx = to_xlsx(self.report)
        self.parts = read_parts(self.report_xlsx)
        self.db_dir = work / "base"
        base = Settings(data_dir=self.db_dir)
        for name, data in (("areas.csv", self.areas_csv), ("reports.csv", self.report_csv)):
            path = work / name
            path.write_bytes(data)
            with open_store(base) as store:
                import_file(path, store)


def to_csv(grid: list[list[str]], encoding: str, newline: str, delimiter: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline, delimiter=delimiter).writerows(grid)
    try:
        return buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return buf.getvalue().encode("utf-8", errors="surrogatepass")


def to_xlsx(grid: list[list[object]]) -> bytes:
    """An .xlsx of ``grid`` with its strings in a shared-strings part (as Excel writes)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in grid:
        ws.append([cell_value(k, v) for k, v in enumerate(row)])
    buf = io.BytesIO()
    wb.save(buf)
    return shared_strings(buf.getvalue())


def cell_value(k: int, v: str) -> object:
    """Numbers as numbers (item columns), C0 controls (which openpyxl refuses) as text."""
    if v == "":
        return None
    if k >= 7 and v.isascii() and v.isdigit() and len(v) < 16:
        return int(v)
    return _C0.sub(lambda m: f"_x{ord(m.group()):04X}_", v)


_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def shared_strings(data: bytes) -> bytes:
    """Move openpyxl's inline strings to xl/sharedStrings.xml."""
    parts = read_parts(data)
    strings: list[bytes] = []
    index: dict[bytes, int] = {}

    def share(m: re.Match[bytes]) -> bytes:
        k = index.setdefault(m.group(2), len(strings))
        if k == len(strings):
            strings.append(m.group(2))
        return m.group(1) + b' t="s"><v>%d</v></c>' % k

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'(<c r="[A-Z]+[0-9]+") t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>',
        share,
        parts[sheet],
    )
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="%d" uniqueCount="%d">'
        % (ns, len(strings), len(strings))
        + b"".join(b"<si><t>%s</t></si>" % s for s in strings)
        + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSS" Type="%s" Target="sharedStrings.xml"/></Relationships>' % rel,
    )
    return write_parts(parts)


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


# --- mutations ----------------------------------------------------------------------------

Input = tuple[str, bytes]  # (file suffix, content)


def nasty(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return "".join(rng.choice(CONTROL_CHARS + list("0123456789,.;-x架")) for _ in range(6))
    return rng.choice(NASTY)


def grid_copy(grid: list[list[str]]) -> list[list[str]]:
    return [list(r) for r in grid]


def mutate_grid(rng: random.Random, grid: list[list[str]]) -> list[list[str]]:
    """One to three structural or value mutations of a header + rows grid."""
    g = grid_copy(grid)
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(
            ["cell", "cell", "cell", "control", "header", "drop_col", "dup_col", "ragged",
             "dup_row", "blank_rows", "header_only", "long", "wide", "shuffle"]
        )  # fmt: skip
        r = rng.randrange(1, len(g)) if len(g) > 1 else 0
        c = rng.randrange(len(g[0])) if g[0] else 0
        if kind == "cell" and g[r]:
            g[r][c % len(g[r])] = nasty(rng)
        elif kind == "control" and g[r]:
            v = g[r][c % len(g[r])]
            k = rng.randrange(len(v) + 1)
            g[r][c % len(g[r])] = v[:k] + rng.choice(CONTROL_CHARS) + v[k:]
        elif kind == "header" and g[0]:
            g[0][c] = rng.choice(["", "報告年", "医療機関コード", "x\x00", "人口", nasty(rng)])
        elif kind == "drop_col" and g[0]:
            g = [row[:c] + row[c + 1 :] for row in g]
        elif kind == "dup_col" and g[0]:
            g = [row[: c + 1] + row[c : c + 1] + row[c + 1 :] for row in g]
        elif kind == "ragged":
            g[r] = g[r][: rng.randrange(len(g[r]) + 1)] + ["x"] * rng.randrange(3)
        elif kind == "dup_row" and len(g) > 1:
            g.insert(rng.randrange(1, len(g) + 1), list(g[r]))
        elif kind == "blank_rows":
            g.insert(rng.randrange(1, len(g) + 1), [""] * rng.randrange(len(g[0]) + 2))
        elif kind == "header_only":
            g = g[:1]
        elif kind == "long" and g[r]:
            g[r][c % len(g[r])] = rng.choice(["x" * 140_000, "あ" * 2_500, "a" * 300])
        elif kind == "wide":
            g = [row + [""] * 1_200 for row in g[:3]]
        elif kind == "shuffle":
            order = list(range(len(g[0])))
            rng.shuffle(order)
            g = [[row[k] if k < len(row) else "" for k in order] for row in g]
    return g


def serialise(rng: random.Random, grid: list[list[str]]) -> bytes:
    enc = rng.choice(["cp932", "cp932", "utf-8", "utf-8-sig", "utf-16"])
    newline = rng.choice(["\r\n", "\r\n", "\n", "\r"])
    delimiter = "\t" if rng.random() < 0.1 else ","
    return to_csv(grid, enc, newline, delimiter)


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Byte-level damage: flips, insertions, deletions, truncation, NULs, CRs, quotes."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["flip", "insert", "delete", "truncate", "nul", "cr", "quote", "dup"])
        pos = rng.randrange(len(b) + 1)
        if kind == "flip" and b:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == "insert":
            b[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif kind == "delete":
            del b[pos : pos + rng.randint(1, 200)]
        elif kind == "truncate":
            del b[pos:]
        elif kind == "nul":
            b[pos:pos] = b"\x00" * rng.choice([1, 1, 3, 50])
        elif kind == "cr":
            b = bytearray(bytes(b).replace(b"\r\n", b"\r")) if rng.random() < 0.5 else b
            b[pos:pos] = b"\r"
        elif kind == "quote":
            b[pos:pos] = b'"'
        elif kind == "dup" and b:
            end = min(len(b), pos + rng.randint(1, 500))
            b[pos:pos] = b[pos:end] * rng.randint(2, 20)
    return bytes(b)


def csv_input(base: Base, rng: random.Random) -> Input:
    grid = base.report if rng.random() < 0.8 else base.areas
    roll = rng.random()
    if roll < 0.5:
        data = serialise(rng, mutate_grid(rng, grid))
    elif roll < 0.85:
        data = mutate_bytes(rng, base.report_csv if grid is base.report else base.areas_csv)
    else:
        data = mutate_bytes(rng, serialise(rng, mutate_grid(rng, grid)))
    return rng.choice([".csv", ".csv", ".csv", ".txt", ""]), data


def zip_garbage(base: Base, rng: random.Random) -> Input:
    roll = rng.random()
    if roll < 0.3:
        data = base.report_xlsx  # a real workbook under another name
    elif roll < 0.6:
        data = write_parts({f"f{k}.txt": rng.randbytes(rng.randint(0, 300)) for k in range(3)})
    elif roll < 0.8:
        data = b"PK\x03\x04" + rng.randbytes(rng.randint(0, 2000))
    else:
        data = write_parts({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x"})
    return rng.choice([".csv", ".xls", ".xlsx", ""]), data


SHEET = "xl/worksheets/sheet1.xml"


def xml_mutation(rng: random.Random, parts: dict[str, bytes]) -> None:
    """Hostile or damaged XML in one part (mostly the sheet)."""
    name = SHEET if rng.random() < 0.7 else rng.choice(sorted(parts))
    x = parts[name]
    kind = rng.choice(
        ["doctype", "entity", "bytes", "truncate", "row_far", "row_attr", "cell_attr", "value",
         "shared", "escape", "wide", "empty_rows", "tags"]
    )  # fmt: skip
    if kind == "doctype":
        x = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + x.split(b"?>", 1)[-1]
    elif kind == "entity":
        lol = b"".join(
            b'<!ENTITY l%d "&l%d;&l%d;&l%d;">' % (k, k - 1, k - 1, k - 1) for k in range(1, 9)
        )
        x = b'<!DOCTYPE x [<!ENTITY l0 "lol">' + lol + b"]>" + x.split(b"?>", 1)[-1]
        x = x.replace(b"<v>", b"<v>&l8;", 1)
    elif kind == "bytes":
        x = mutate_bytes(rng, x)
    elif kind == "truncate":
        x = x[: rng.randrange(len(x) + 1)]
    elif kind == "row_far":
        r = rng.choice([1_048_576, 600_000, 500_002, 2**31, 10**20])
        x = x.replace(
            b"</sheetData>", b'<row r="%d"><c r="A%d"><v>1</v></c></row></sheetData>' % (r, r)
        )
    elif kind == "row_attr":
        x = re.sub(
            rb'<row r="\d+"',
            b'<row r="%s"' % rng.choice([b"0", b"-1", b"abc", b"1e3", b"3", b"9" * 30]),
            x,
            count=rng.randint(1, 5),
        )
    elif kind == "cell_attr":
        new = rng.choice(
            [
                b' t="s"',
                b' t="b"',
                b' t="d"',
                b' t="e"',
                b' t="zz"',
                b' r="XFD9"',
                b' r="A0"',
                b' r="??"',
                b' s="999"',
            ]
        )
        x = re.sub(rb"<c r=\"[A-Z]+\d+\"", lambda m: m.group(0) + new, x, count=rng.randint(1, 5))
    elif kind == "value":
        v = rng.choice(
            [b"9" * 5000, b"1e400", b"-1e400", b"nan", b"1e20", b"99999999", b"-5", b"", b"2.5"]
        )
        x = re.sub(rb"<v>[^<]*</v>", b"<v>" + v + b"</v>", x, count=rng.randint(1, 3))
    elif kind == "shared":
        x = re.sub(
            rb't="s"><v>\d+</v>', b't="s"><v>%d</v>' % rng.choice([99999, -1, 10**30]), x, count=1
        )
    elif kind == "escape":
        x = x.replace(
            b"<t>", b"<t>_x%04X_" % rng.choice([0, 7, 27, 0xD800, 0x85]), rng.randint(1, 20)
        )
    elif kind == "wide":
        x = x.replace(b"</sheetData>", b'<row r="40">' + b"<c/>" * 20_000 + b"</row></sheetData>")
    elif kind == "empty_rows":
        x = x.replace(
            b"</sheetData>",
            b"".join(b'<row r="%d" s="1"/>' % i for i in range(40, 3000)) + b"</sheetData>",
        )
    elif kind == "tags":
        x = x.replace(rng.choice([b"</row>", b"</c>", b"<v>", b"</sheetData>"]), b"", 1)
    parts[name] = x


def xlsx_input(base: Base, rng: random.Random) -> Input:
    roll = rng.random()
    if roll < 0.25:
        data = mutate_bytes(rng, base.report_xlsx)
    elif roll < 0.7:
        parts = dict(base.parts)
        xml_mutation(rng, parts)
        data = write_parts(parts)
    elif roll < 0.85:
        data = to_xlsx(mutate_grid(rng, base.report))
    else:
        parts = dict(base.parts)
        kind = rng.choice(["many_parts", "bomb", "encrypted", "no_types", "stored", "drop"])
        if kind == "many_parts":
            parts.update({f"x/{k}.bin": b"" for k in range(2_000)})
        elif kind == "bomb":
            parts["docProps/app.xml"] = b"<a>" + b" " * 5_000_000 + b"</a>"
        elif kind == "no_types":
            del parts["[Content_Types].xml"]
        elif kind == "drop":
            del parts[rng.choice([SHEET, "xl/workbook.xml", "xl/sharedStrings.xml"])]
        data = write_parts(parts, zipfile.ZIP_STORED if kind == "stored" else zipfile.ZIP_DEFLATED)
        if kind == "encrypted":
            data = data.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00", 1)
            data = data.replace(
                b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00", 1
            )
    return rng.choice([".xlsx", ".xlsx", ".xlsx", ".csv", ".xls"]), data


FAMILIES: dict[str, tuple[float, Callable[[Base, random.Random], Input]]] = {
    "csv": (0.52, csv_input),
    "xlsx": (0.38, xlsx_input),
    "zip": (0.04, zip_garbage),
}
BATCH_SHARE = 0.06


# --- checks -------------------------------------------------------------------------------


def snapshot(store: ReportStore) -> str:
    """A digest of every table (the database as a whole, in key order)."""
    h = hashlib.sha256()
    for table in DATA_TABLES:
        h.update(repr(store.rows(table)).encode())
    return h.hexdigest()


def bad_values(store: ReportStore) -> list[str]:
    """What an accepted file must never store: non-finite or unbounded numbers, controls."""
    out = []
    for *_, v in store.long_answers():
        top = limits.MAX_DECIMAL if isinstance(v, float) else limits.MAX_COUNT
        if isinstance(v, int | float) and not (math.isfinite(v) and 0 <= v <= top):
            out.append(f"answer {v!r}")
        elif isinstance(v, str) and (REMOVED.search(v) or "\r" in v):
            out.append(f"answer text {v[:30]!r}")
    texts = [r[5] for r in store.rows("institutions")]
    texts += [r[2] for r in store.rows("datasets")]
    for a in store.rows("areas"):
        texts += [a[3], a[5], a[7], a[11], a[13]]  # names, area type, source file
        if a[8] > limits.MAX_POPULATION:
            out.append(f"population {a[8]}")
    out += [f"text {t[:30]!r}" for t in texts if t and CONTROLS.search(t)]
    for s in store.rows("muni_stats"):
        json.loads(s[3], parse_constant=lambda c: out.append(f"stats {c}"))
    return out


# --- run ----------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.crashes: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.partial: list[str] = []
        self.bad: list[str] = []
        self.outcome: Counter[tuple[str, str]] = Counter()


def file_name(rng: random.Random, k: int, suffix: str) -> str:
    odd = rng.random() < 0.03
    return (f"in{k}_\n\x07名\udcff" if odd else f"in{k}") + suffix


def run_one(base: Base, rng: random.Random, i: int, data_dir: Path, inbox: Path, t: Tally) -> bool:
    """One input (or a batch); returns whether the database may have changed (accepted)."""
    settings = Settings(data_dir=data_dir)
    if rng.random() < BATCH_SHARE:
        return run_batch(base, rng, i, settings, inbox, t)
    family = rng.choices(list(FAMILIES), [w for w, _ in FAMILIES.values()])[0]
    suffix, data = FAMILIES[family][1](base, rng)
    path = inbox / file_name(rng, i % 20, suffix)
    path.write_bytes(data)
    with open_store(settings) as store:
        before = snapshot(store)
        try:
            import_file(path, store)
        except FacilitatorError:
            t.outcome[(family, "rejected")] += 1
            if snapshot(store) != before:
                t.partial.append(f"#{i} {family}")
            return False
        except Exception as exc:
            t.crashes[crash_key(exc)].append(f"#{i} {family}: {where(exc)}")
            return True
        t.outcome[(family, "accepted")] += 1
        t.bad += [f"#{i} {family}: {b}" for b in bad_values(store)]
    return True


def run_batch(
    base: Base, rng: random.Random, i: int, settings: Settings, inbox: Path, t: Tally
) -> bool:
    areas = ("areas.csv", base.areas_csv) if rng.random() < 0.7 else csv_input(base, rng)
    family = rng.choice(["csv", "xlsx"])
    suffix, data = FAMILIES[family][1](base, rng)
    paths = [inbox / f"batch{i % 7}_a{areas[0]}", inbox / f"batch{i % 7}_r{suffix}"]
    paths[0].write_bytes(areas[1])
    paths[1].write_bytes(data)
    with open_store(settings) as store:
        before = snapshot(store)
    try:
        batch = import_files(settings, paths)
    except Exception as exc:
        t.crashes[crash_key(exc)].append(f"#{i} batch: {where(exc)}")
        return True
    for f in batch.failures:
        if isinstance(f, UnexpectedImportError):
            t.crashes[crash_key(f.cause)].append(f"#{i} batch: {where(f.cause)}")
    with open_store(settings) as store:
        after = snapshot(store)
        if batch.ok:
            t.outcome[("batch", "accepted")] += 1
            t.bad += [f"#{i} batch: {b}" for b in bad_values(store)]
            return True
    t.outcome[("batch", "rejected")] += 1
    if after != before:
        t.partial.append(f"#{i} batch")
    return False


def crash_key(exc: BaseException) -> tuple[str, str]:
    first = str(exc).splitlines()[0][:100] if str(exc) else ""
    return type(exc).__name__, re.sub(r"\d+", "N", first)


def where(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    return f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"


def restore(base: Base, data_dir: Path) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(base.db_dir, data_dir)


def git_commit() -> str:
    """``git rev-parse --short HEAD`` (and whether the working tree differs from it)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        if head.returncode:
            return "unknown (not a git checkout)"
        diff = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--"], cwd=ROOT, capture_output=True
        )
        return head.stdout.strip() + (" (+ uncommitted changes)" if diff.returncode else "")
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="number of inputs (default 10,000)")
    ap.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fuzz_reports_"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()}"
    )
    print(f"commit: {git_commit()}")
    print(f"inputs: {args.n:,}  seed: {args.seed}  work: {work}")
    rng = random.Random(args.seed)
    base = Base(work)
    inbox = work / "inputs"
    inbox.mkdir(exist_ok=True)
    data_dir = work / "db"
    restore(base, data_dir)
    tally = Tally()
    t0 = time.perf_counter()
    for i in range(args.n):
        if run_one(base, rng, i, data_dir, inbox, tally):
            restore(base, data_dir)  # accepted (or crashed): back to the baseline
        if (i + 1) % 1000 == 0:
            print(f"  {i + 1:,} inputs, {time.perf_counter() - t0:.0f} s", flush=True)
    elapsed = time.perf_counter() - t0
    report(tally, args.n, elapsed)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if tally.crashes or tally.partial or tally.bad else 0)


def report(t: Tally, n: int, elapsed: float) -> None:
    accepted = sum(v for (_, o), v in t.outcome.items() if o == "accepted")
    rejected = sum(v for (_, o), v in t.outcome.items() if o == "rejected")
    n_crashes = sum(len(v) for v in t.crashes.values())
    print(f"\ninputs: {n:,}  accepted: {accepted:,}  rejected: {rejected:,}  crashes: {n_crashes}")
    for family in [*FAMILIES, "batch"]:
        a, r = t.outcome[(family, "accepted")], t.outcome[(family, "rejected")]
        print(f"  {family:6s} accepted {a:6,}  rejected {r:6,}")
    print(f"crashes (non-FacilitatorError exceptions): {n_crashes}")
    for (kind, first), cases in sorted(t.crashes.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(cases):5d} × {kind}: {first}   e.g. {'; '.join(cases[:3])}")
    print(f"partial writes (database changed after a rejection): {len(t.partial)}")
    for p in t.partial[:10]:
        print(f"  {p}")
    print(f"bad stored values (accepted inputs): {len(t.bad)}")
    for b in t.bad[:10]:
        print(f"  {b}")
    print(f"time: {elapsed:.1f} s ({n / elapsed:,.0f} inputs/s), load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
