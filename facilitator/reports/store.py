"""SQLite storage of areas, institutions with their answers, and per-municipality statistics.

Each institution's answers are one JSON array in dictionary order (``institutions.vals``):
an import writes one row per institution instead of ~30 long-form rows, and the long form
(``answers``, ``answers_long``) is a view that unpivots the arrays with ``json_each``.

Every replacement runs in one ``BEGIN IMMEDIATE … COMMIT`` transaction: a failure or an
interruption at any point rolls back and leaves the previous data exactly as it was.
Inside an outer transaction (a batch of files, see ``transaction``) a replacement is a
savepoint: it is undone alone if it fails, and kept only if the outer transaction commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from facilitator.errors import FacilitatorError
from facilitator.reports.items import FUNCTION_KEYS, Item
from facilitator.reports.migrate import migrate
from facilitator.reports.models import STATE_CODES, Answer, Institution, Municipality
from facilitator.settings import Settings

DB_NAME = "reports.sqlite"
SCHEMA_VERSION = "4"
FUNCTION_COLUMNS = [f"f_{k}" for k in FUNCTION_KEYS.values()]

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS areas(
    muni_code TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER,
    muni_name TEXT NOT NULL, pref_code TEXT NOT NULL, pref_name TEXT NOT NULL,
    sec_code TEXT NOT NULL, sec_name TEXT NOT NULL,
    population INTEGER NOT NULL, pop65 INTEGER NOT NULL, pop75 INTEGER NOT NULL,
    area_type TEXT NOT NULL DEFAULT '', synthetic INTEGER NOT NULL DEFAULT 0, source_file TEXT,
    PRIMARY KEY (muni_code, valid_from));
CREATE INDEX IF NOT EXISTS areas_pref ON areas(pref_code);
CREATE TABLE IF NOT EXISTS datasets(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, source_file TEXT, imported_at TEXT,
    n_institutions INTEGER, n_answers INTEGER, synthetic INTEGER NOT NULL DEFAULT 0,
    dictionary_year INTEGER, PRIMARY KEY (year, pref_code));
CREATE TABLE IF NOT EXISTS institutions(
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL, inst_code TEXT NOT NULL, pref_code TEXT NOT NULL,
    muni_code TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
    {", ".join(c + " INTEGER NOT NULL" for c in FUNCTION_COLUMNS)}, vals TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS institutions_code ON institutions(year, inst_code);
CREATE INDEX IF NOT EXISTS institutions_area ON institutions(year, pref_code, muni_code);
CREATE TABLE IF NOT EXISTS items(
    form_year INTEGER NOT NULL, item_no INTEGER NOT NULL, item_id TEXT NOT NULL,
    function TEXT NOT NULL, name TEXT NOT NULL, answer_type TEXT NOT NULL,
    PRIMARY KEY (form_year, item_no));
CREATE VIEW IF NOT EXISTS answers AS
    SELECT i.year, i.pref_code, i.id AS inst_id, j.key AS item_no, j.value
    FROM institutions i, json_each(i.vals) j WHERE j.value IS NOT NULL;
CREATE VIEW IF NOT EXISTS answers_long AS
    SELECT a.year, i.inst_code, it.item_id, a.value
    FROM answers a JOIN institutions i ON i.id = a.inst_id
    JOIN datasets d ON d.year = a.year AND d.pref_code = a.pref_code
    JOIN items it ON it.form_year = d.dictionary_year AND it.item_no = a.item_no;
CREATE TABLE IF NOT EXISTS muni_stats(
    year INTEGER NOT NULL, pref_code TEXT NOT NULL, muni_code TEXT NOT NULL, stats TEXT NOT NULL,
    PRIMARY KEY (year, pref_code, muni_code));
"""


class InstitutionConflict(Exception):
    """Institution codes already stored for the same year under another prefecture."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(codes)
        self.codes = codes


class OrphanedMunicipalities(Exception):
    """An area table would drop municipalities that stored report data refers to."""

    def __init__(self, pairs: list[tuple[int, str]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def db_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / DB_NAME


class ReportStore:
    """One connection to the report database (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._savepoints = itertools.count()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            self._setup()
        except (OSError, sqlite3.Error) as exc:
            if hasattr(self, "conn"):
                self.conn.close()
            raise FacilitatorError(
                f"報告データベース {self.path} を開けません（{exc}）。"
                "保存先のフォルダ・空き容量・他のプログラムが使用中でないかを確認してください。"
            ) from exc

    def _setup(self) -> None:
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-65536")
        self._check_version()
        self.conn.executescript(_SCHEMA)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )

    def _check_version(self) -> None:
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        row = (
            has_meta
            and self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        )
        if row and row[0] != SCHEMA_VERSION and not migrate(self.conn, row[0]):
            self.conn.close()
            raise FacilitatorError(
                f"報告データベース {self.path} の形式（{row[0]}）が"
                f"この版（{SCHEMA_VERSION}）と異なります。"
                "ファイルを削除して取り込み直してください。"
            )

    def close(self) -> None:
        self.conn.close()

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception (also KeyboardInterrupt) rolls back.

        Nested inside another transaction it is a ``SAVEPOINT``: an exception undoes only
        what was done inside it; what it did is committed (or not) with the outer one.
        """
        if self.conn.in_transaction:
            name = f"sp{next(self._savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back all already
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # locked by another writer for 30 s, read-only…
            raise FacilitatorError(
                f"報告データベース {self.path} に書き込めません（{exc}）。"
                "他の取り込みが終わってから、もう一度実行してください。"
            ) from exc
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same data (and data version),
        whatever other connections commit meanwhile (WAL). No-op inside a transaction."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    # --- areas ----------------------------------------------------------------------------

    def replace_areas(
        self, pref_codes: Sequence[str], rows: list[Municipality], source_file: str
    ) -> bool:
        """Replace the area table of the given prefectures; True if some existed before."""
        marks = ",".join("?" * len(pref_codes))
        with self.transaction() as c:
            replaced = bool(
                c.execute(
                    f"SELECT 1 FROM areas WHERE pref_code IN ({marks}) LIMIT 1", pref_codes
                ).fetchone()
            )
            c.execute(f"DELETE FROM areas WHERE pref_code IN ({marks})", pref_codes)
            c.executemany(
                "INSERT INTO areas VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        m.code,
                        m.valid_from,
                        m.valid_to,
                        m.name,
                        m.pref_code,
                        m.pref_name,
                        m.sec_code,
                        m.sec_name,
                        m.population,
                        m.pop65,
                        m.pop75,
                        m.area_type,
                        int(m.synthetic),
                        source_file,
                    )
                    for m in rows
                ],
            )
            orphans = c.execute(
                f"""SELECT DISTINCT s.year, s.muni_code FROM muni_stats s
                    WHERE s.pref_code IN ({marks}) AND NOT EXISTS (
                      SELECT 1 FROM areas a WHERE a.muni_code = s.muni_code
                      AND a.valid_from <= s.year AND (a.valid_to IS NULL OR s.year <= a.valid_to))
                    ORDER BY 1, 2""",
                pref_codes,
            ).fetchall()
            if orphans:
                raise OrphanedMunicipalities([(int(y), m) for y, m in orphans])
            self._new_version()
        return replaced

    def municipalities(
        self, year: int | None = None, pref_codes: Iterable[str] | None = None
    ) -> list[Municipality]:
        """Area rows, optionally only those valid in ``year`` and of some prefectures."""
        sql = "SELECT * FROM areas WHERE 1=1"
        params: list[object] = []
        if year is not None:
            sql += " AND valid_from <= ? AND (valid_to IS NULL OR ? <= valid_to)"
            params += [year, year]
        if pref_codes is not None:
            codes = list(pref_codes)
            sql += f" AND pref_code IN ({','.join('?' * len(codes))})"
            params += codes
        cur = self.conn.execute(
            sql + " ORDER BY pref_code, sec_code, muni_code, valid_from", params
        )
        names = [d[0] for d in cur.description]
        out = []
        for row in cur:
            r = dict(zip(names, row, strict=True))
            r["code"], r["name"] = r.pop("muni_code"), r.pop("muni_name")
            out.append(Municipality.model_validate(r))
        return out

    def has_areas(self) -> bool:
        return self.conn.execute("SELECT 1 FROM areas LIMIT 1").fetchone() is not None

    # --- report data ----------------------------------------------------------------------

    def replace_reports(
        self,
        *,
        year: int,
        pref_codes: Sequence[str],
        rows: list[tuple],
        items: Sequence[Item],
        form_year: int,
        stats: list[tuple[str, str, dict]],
        source_file: str,
        synthetic: bool,
        n_answers: int,
    ) -> bool:
        """Replace one year's data of the given prefectures in one transaction.

        ``rows``: (inst_code, pref_code, muni_code, name, kind, f_…, JSON array of the
        answers in dictionary order), sorted by (pref_code, inst_code); ``n_answers``: the
        non-blank answers among them (recorded per dataset). Returns whether earlier data
        was replaced.
        """
        marks = ",".join("?" * len(pref_codes))
        scope = (year, *pref_codes)
        with self.transaction() as c:
            replaced = bool(
                c.execute(
                    f"SELECT 1 FROM datasets WHERE year=? AND pref_code IN ({marks})", scope
                ).fetchone()
            )
            for table in ("institutions", "muni_stats", "datasets"):
                c.execute(f"DELETE FROM {table} WHERE year=? AND pref_code IN ({marks})", scope)
            others = {
                r[0] for r in c.execute("SELECT inst_code FROM institutions WHERE year=?", (year,))
            }
            conflicts = [r[0] for r in rows if r[0] in others][:50]
            if conflicts:
                raise InstitutionConflict(conflicts)
            self._register_items(form_year, items)
            base = c.execute("SELECT COALESCE(MAX(id), 0) FROM institutions").fetchone()[0]
            self._insert_institutions(year, base, rows)
            self._insert_stats(year, stats)
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            per_pref: dict[str, int] = {}
            for row in rows:
                per_pref[row[1]] = per_pref.get(row[1], 0) + 1
            c.executemany(
                "INSERT INTO datasets VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        year,
                        p,
                        source_file,
                        now,
                        per_pref.get(p, 0),
                        n_answers,
                        int(synthetic),
                        form_year,
                    )
                    for p in pref_codes
                ],
            )
            self._new_version()
        return replaced

    def _register_items(self, form_year: int, items: Sequence[Item]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?)",
            [
                (form_year, k, it.id, it.function, it.name, it.answer_type)
                for k, it in enumerate(items)
            ],
        )

    def _insert_institutions(self, year: int, base: int, rows: list[tuple]) -> None:
        """One bulk insert, ids ``base+1 …`` in the order given (answers live in ``vals``)."""
        cols = ["id", "year", "inst_code", "pref_code", "muni_code", "name", "kind"]
        cols += [*FUNCTION_COLUMNS, "vals"]
        marks = ",".join("?" * len(cols))
        self.conn.executemany(
            f"INSERT INTO institutions ({', '.join(cols)}) VALUES ({marks})",
            [(base + k, year, *row) for k, row in enumerate(rows, start=1)],
        )

    def _insert_stats(self, year: int, stats: list[tuple[str, str, dict]]) -> None:
        self.conn.executemany(
            "INSERT INTO muni_stats VALUES (?,?,?,?)",
            [(year, pref, muni, json.dumps(s, separators=(",", ":"))) for pref, muni, s in stats],
        )

    def _new_version(self) -> None:
        """Mark the data as changed (inside the transaction that changes it): caches of
        results computed from it are keyed by this token and so never outlive it."""
        self.conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", (uuid.uuid4().hex,)
        )

    def data_version(self) -> str:
        """Token that changes with every import or removal ('' before the first one)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()
        return row[0] if row else ""

    def remove(self, pref_code: str, year: int | None = None, areas: bool = False) -> int:
        """Delete a prefecture's report data (one year or all) and optionally its area table.

        Returns the number of institution-years removed. One transaction.
        """
        scope, params = "pref_code = ?", [pref_code]
        if year is not None:
            scope += " AND year = ?"
            params.append(year)
        with self.transaction() as c:
            n = c.execute(f"SELECT COUNT(*) FROM institutions WHERE {scope}", params).fetchone()[0]
            for table in ("institutions", "muni_stats", "datasets"):
                c.execute(f"DELETE FROM {table} WHERE {scope}", params)
            self._new_version()
            if areas:
                left = c.execute(
                    "SELECT 1 FROM datasets WHERE pref_code = ? LIMIT 1", (pref_code,)
                ).fetchone()
                if left is None:
                    c.execute("DELETE FROM areas WHERE pref_code = ?", (pref_code,))
        return int(n)

    # --- queries --------------------------------------------------------------------------

    def datasets(self) -> list[dict]:
        cur = self.conn.execute("SELECT * FROM datasets ORDER BY year, pref_code")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]

    def latest_year(self, pref_code: str | None = None) -> int | None:
        if pref_code is None:
            row = self.conn.execute("SELECT MAX(year) FROM datasets").fetchone()
        else:
            row = self.conn.execute(
                "SELECT MAX(year) FROM datasets WHERE pref_code = ?", (pref_code,)
            ).fetchone()
        return row[0] if row and row[0] is not None else None

    def is_synthetic(self, year: int, pref_code: str) -> bool:
        row = self.conn.execute(
            "SELECT synthetic FROM datasets WHERE year=? AND pref_code=?", (year, pref_code)
        ).fetchone()
        return bool(row and row[0])

    def muni_stats(self, year: int, pref_codes: Iterable[str] | None = None) -> dict[str, dict]:
        """Statistics per municipality code for one year."""
        sql, params = "SELECT muni_code, stats FROM muni_stats WHERE year = ?", [year]
        if pref_codes is not None:
            codes = list(pref_codes)
            sql += f" AND pref_code IN ({','.join('?' * len(codes))})"
            params += codes
        return {m: json.loads(s) for m, s in self.conn.execute(sql, params)}

    def institutions(
        self,
        year: int,
        muni_codes: Iterable[str],
        function: str | None = None,
        state: int | None = None,
    ) -> list[Institution]:
        """Institutions of some municipalities, optionally with one function in one state."""
        codes = list(muni_codes)
        sql = (
            "SELECT year, inst_code, name, kind, muni_code, pref_code, "
            f"{', '.join(FUNCTION_COLUMNS)} "
            f"FROM institutions WHERE year = ? AND muni_code IN ({','.join('?' * len(codes))})"
        )
        params: list[object] = [year, *codes]
        if function is not None and state is not None:
            if f"f_{function}" not in FUNCTION_COLUMNS:
                raise KeyError(function)
            sql += f" AND f_{function} = ?"
            params.append(state)
        out = []
        synthetic: dict[tuple[int, str], bool] = {}
        for row in self.conn.execute(sql + " ORDER BY muni_code, inst_code", params):
            key = (row[0], row[5])
            if key not in synthetic:
                synthetic[key] = self.is_synthetic(*key)
            funcs = {
                k: STATE_CODES[int(v)] for k, v in zip(FUNCTION_KEYS.values(), row[6:], strict=True)
            }
            out.append(
                Institution(
                    year=row[0],
                    code=row[1],
                    name=row[2],
                    kind="病院" if row[3] == 1 else "診療所",
                    muni_code=row[4],
                    pref_code=row[5],
                    functions=funcs,
                    synthetic=synthetic[key],
                )
            )
        return out

    def answers(self, year: int, inst_code: str) -> list[Answer]:
        """All stored answers of one institution in one year (long form)."""
        cur = self.conn.execute(
            "SELECT it.item_id, j.value FROM institutions i "
            "JOIN datasets d ON d.year = i.year AND d.pref_code = i.pref_code "
            "JOIN json_each(i.vals) j "
            "JOIN items it ON it.form_year = d.dictionary_year AND it.item_no = j.key "
            "WHERE i.year = ? AND i.inst_code = ? AND j.value IS NOT NULL ORDER BY j.key",
            (year, inst_code),
        )
        return [Answer(year=year, inst_code=inst_code, item_id=i, value=v) for i, v in cur]

    def count(self, table: str) -> int:
        if table not in ("areas", "institutions", "answers", "muni_stats", "datasets", "items"):
            raise KeyError(table)
        return self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@contextmanager
def open_store(settings: Settings) -> Iterator[ReportStore]:
    """The report database under ``settings.data_dir``, closed afterwards."""
    store = ReportStore(db_path(settings))
    try:
        yield store
    finally:
        store.close()
