"""Storage of areas, institutions with their answers, and per-municipality statistics, on
the shared database (``facilitator.storage``: SQLite in the data folder by default, or
PostgreSQL through ``database_url``; the tables are ``storage.tables.report_*``).

Each institution's answers are one JSON array in dictionary order (``vals``): an import
writes one row per institution instead of ~30 long-form rows, bulk-loaded (SQLite
``executemany``, PostgreSQL ``COPY``).

Every replacement is one transaction that first takes the write lock (SQLite ``BEGIN
IMMEDIATE``, PostgreSQL an advisory lock): writers run one after the other, and a failure or
an interruption at any point leaves the previous data exactly as it was. Inside an outer
transaction (a batch of files, see ``transaction``) a replacement is a savepoint: undone
alone if it fails, kept only if the outer transaction commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
    text,
)

from facilitator.reports.items import FUNCTION_KEYS, Item
from facilitator.reports.legacy import import_report_file
from facilitator.reports.models import STATE_CODES, Answer, Institution, Municipality
from facilitator.reports.version import new_data_version
from facilitator.settings import Settings
from facilitator.storage.bulk import bulk_insert
from facilitator.storage.db import Database
from facilitator.storage.held import HeldConnection
from facilitator.storage.tables import (
    REPORT_FUNCTION_KEYS,
    report_areas,
    report_datasets,
    report_institutions,
    report_items,
    report_meta,
    report_muni_stats,
)

FUNCTION_COLUMNS = [f"f_{k}" for k in FUNCTION_KEYS.values()]
assert tuple(FUNCTION_KEYS.values()) == REPORT_FUNCTION_KEYS, "a migration must add the column"
WRITE_LOCK = 7_110_612
"""PostgreSQL advisory lock key: report writers of every instance run one after the other."""
TABLES = {
    "areas": report_areas,
    "institutions": report_institutions,
    "muni_stats": report_muni_stats,
    "datasets": report_datasets,
    "items": report_items,
    "meta": report_meta,
}
"""The names callers use (``count``, ``rows``) → the tables."""
DATA_TABLES = ("areas", "institutions", "muni_stats", "datasets", "items")
"""Every table of the data itself (answers live in ``institutions``): a whole-data dump."""
_COUNT_ANSWERS = {
    "sqlite": "SELECT count(*) FROM report_institutions i, json_each(i.vals) j "
    "WHERE j.value IS NOT NULL",
    "postgresql": "SELECT count(*) FROM report_institutions i "
    "CROSS JOIN LATERAL jsonb_array_elements(i.vals::jsonb) AS j(v) WHERE j.v <> 'null'::jsonb",
}


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


class ReportStore(HeldConnection):
    """One connection to the report tables, held while the store is open."""

    def __init__(self, settings: Settings) -> None:
        db = Database(settings)
        import_report_file(db, settings)
        super().__init__(db, "報告データベース", WRITE_LOCK)
        self.key = db.url.render_as_string(hide_password=True)
        """Names the database in cache keys (never with its password)."""
        if self.dialect == "sqlite":  # as the report file had it: a larger page cache, and
            # no fsync of the log at each commit of this connection (WAL: a power cut may lose
            # the last import, which the file can redo, but never corrupts; sheets keep FULL)
            raw = self.conn.connection.driver_connection  # outside any transaction
            raw.execute("PRAGMA cache_size=-65536")
            raw.execute("PRAGMA synchronous=NORMAL")

    def _bulk(self, table: Table, rows: Sequence[tuple]) -> None:
        bulk_insert(self.conn, table, rows)

    # --- areas ----------------------------------------------------------------------------

    def replace_areas(
        self, pref_codes: Sequence[str], rows: list[Municipality], source_file: str
    ) -> bool:
        """Replace the area table of the given prefectures; True if some existed before."""
        a, s = report_areas, report_muni_stats
        mine = a.c.pref_code.in_(pref_codes)
        with self.transaction() as c:
            replaced = c.execute(select(1).where(mine).limit(1)).first() is not None
            c.execute(delete(a).where(mine))
            self._bulk(
                a,
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
            valid = and_(
                a.c.muni_code == s.c.muni_code,
                a.c.valid_from <= s.c.year,
                or_(a.c.valid_to.is_(None), s.c.year <= a.c.valid_to),
            )
            orphans = c.execute(
                select(s.c.year, s.c.muni_code)
                .distinct()
                .where(s.c.pref_code.in_(pref_codes), ~exists().where(valid))
                .order_by(s.c.year, s.c.muni_code)
            ).all()
            if orphans:
                raise OrphanedMunicipalities([(int(y), m) for y, m in orphans])
            self._new_version()
        return replaced

    def municipalities(
        self, year: int | None = None, pref_codes: Iterable[str] | None = None
    ) -> list[Municipality]:
        """Area rows, optionally only those valid in ``year`` and of some prefectures."""
        a = report_areas
        query = select(a).order_by(a.c.pref_code, a.c.sec_code, a.c.muni_code, a.c.valid_from)
        if year is not None:
            query = query.where(
                a.c.valid_from <= year, or_(a.c.valid_to.is_(None), year <= a.c.valid_to)
            )
        if pref_codes is not None:
            query = query.where(a.c.pref_code.in_(list(pref_codes)))
        out = []
        for row in self._all(query):
            r = row._asdict()
            r["code"], r["name"] = r.pop("muni_code"), r.pop("muni_name")
            r.pop("source_file")
            out.append(Municipality.model_validate(r))
        return out

    def has_areas(self) -> bool:
        return bool(self._all(select(1).select_from(report_areas).limit(1)))

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
        d, i = report_datasets, report_institutions
        with self.transaction() as c:
            replaced = (
                c.execute(
                    select(1).where(d.c.year == year, d.c.pref_code.in_(pref_codes)).limit(1)
                ).first()
                is not None
            )
            for t in (i, report_muni_stats, d):
                c.execute(delete(t).where(t.c.year == year, t.c.pref_code.in_(pref_codes)))
            others = {r[0] for r in c.execute(select(i.c.inst_code).where(i.c.year == year))}
            conflicts = [r[0] for r in rows if r[0] in others][:50]
            if conflicts:
                raise InstitutionConflict(conflicts)
            self._register_items(c, form_year, items)
            base = c.execute(select(func.coalesce(func.max(i.c.id), 0))).scalar_one()
            self._bulk(i, [(base + k, year, *row) for k, row in enumerate(rows, start=1)])
            self._bulk(
                report_muni_stats,
                [
                    (year, pref, muni, json.dumps(s, separators=(",", ":")))
                    for pref, muni, s in stats
                ],
            )
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            per_pref: dict[str, int] = {}
            for row in rows:
                per_pref[row[1]] = per_pref.get(row[1], 0) + 1
            self._bulk(
                d,
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

    def _register_items(self, c: Connection, form_year: int, items: Sequence[Item]) -> None:
        c.execute(delete(report_items).where(report_items.c.form_year == form_year))
        self._bulk(
            report_items,
            [
                (form_year, k, it.id, it.function, it.name, it.answer_type)
                for k, it in enumerate(items)
            ],
        )

    def _new_version(self) -> None:
        """Mark the data as changed (inside the transaction that changes it): caches of
        results computed from it are keyed by this token and so never outlive it."""
        new_data_version(self.conn)

    def data_version(self) -> str:
        """Token that changes with every import or removal ('' before the first one)."""
        m = report_meta
        rows = self._all(select(m.c.value).where(m.c.key == "data_version"))
        return rows[0][0] if rows else ""

    def remove(self, pref_code: str, year: int | None = None, areas: bool = False) -> int:
        """Delete a prefecture's report data (one year or all) and optionally its area table.

        Returns the number of institution-years removed. One transaction.
        """
        i, d = report_institutions, report_datasets

        def scope(t: Table) -> Any:
            where = t.c.pref_code == pref_code
            return where if year is None else and_(where, t.c.year == year)

        with self.transaction() as c:
            n = c.execute(select(func.count()).select_from(i).where(scope(i))).scalar_one()
            for t in (i, report_muni_stats, d):
                c.execute(delete(t).where(scope(t)))
            self._new_version()
            if areas:
                left = c.execute(select(1).where(d.c.pref_code == pref_code).limit(1)).first()
                if left is None:
                    c.execute(delete(report_areas).where(report_areas.c.pref_code == pref_code))
        return int(n)

    # --- queries --------------------------------------------------------------------------

    def datasets(self) -> list[dict]:
        d = report_datasets
        return [r._asdict() for r in self._all(select(d).order_by(d.c.year, d.c.pref_code))]

    def latest_year(self, pref_code: str | None = None) -> int | None:
        d = report_datasets
        query = select(func.max(d.c.year))
        if pref_code is not None:
            query = query.where(d.c.pref_code == pref_code)
        value = self._all(query)[0][0]
        return int(value) if value is not None else None

    def is_synthetic(self, year: int, pref_code: str) -> bool:
        d = report_datasets
        rows = self._all(select(d.c.synthetic).where(d.c.year == year, d.c.pref_code == pref_code))
        return bool(rows and rows[0][0])

    def muni_stats(self, year: int, pref_codes: Iterable[str] | None = None) -> dict[str, dict]:
        """Statistics per municipality code for one year."""
        s = report_muni_stats
        query = select(s.c.muni_code, s.c.stats).where(s.c.year == year)
        if pref_codes is not None:
            query = query.where(s.c.pref_code.in_(list(pref_codes)))
        return {m: json.loads(v) for m, v in self._all(query)}

    def institutions(
        self,
        year: int,
        muni_codes: Iterable[str],
        function: str | None = None,
        state: int | None = None,
    ) -> list[Institution]:
        """Institutions of some municipalities, optionally with one function in one state."""
        i = report_institutions
        query = select(
            i.c.year,
            i.c.inst_code,
            i.c.name,
            i.c.kind,
            i.c.muni_code,
            i.c.pref_code,
            *(i.c[c] for c in FUNCTION_COLUMNS),
        ).where(i.c.year == year, i.c.muni_code.in_(list(muni_codes)))
        if function is not None and state is not None:
            if f"f_{function}" not in FUNCTION_COLUMNS:
                raise KeyError(function)
            query = query.where(i.c[f"f_{function}"] == state)
        out = []
        synthetic: dict[tuple[int, str], bool] = {}
        for row in self._all(query.order_by(i.c.muni_code, i.c.inst_code)):
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
        i, d, it = report_institutions, report_datasets, report_items
        found = self._all(
            select(i.c.vals, d.c.dictionary_year)
            .join(d, and_(d.c.year == i.c.year, d.c.pref_code == i.c.pref_code))
            .where(i.c.year == year, i.c.inst_code == inst_code)
        )
        if not found:
            return []
        vals, form_year = found[0]
        ids = dict(self._all(select(it.c.item_no, it.c.item_id).where(it.c.form_year == form_year)))
        return [
            Answer(year=year, inst_code=inst_code, item_id=ids[k], value=_scalar(v))
            for k, v in enumerate(json.loads(vals))
            if v is not None and k in ids
        ]

    def long_answers(self) -> Iterator[tuple[int, str, str, int, Any]]:
        """Every stored answer as (year, pref_code, inst_code, item_no, value), in that order
        (tests and checks: what the long form of the data is)."""
        i = report_institutions
        query = select(i.c.year, i.c.pref_code, i.c.inst_code, i.c.vals).order_by(
            i.c.year, i.c.pref_code, i.c.inst_code
        )
        for year, pref, code, vals in self._all(query):
            for k, v in enumerate(json.loads(vals)):
                if v is not None:
                    yield year, pref, code, k, _scalar(v)

    def rows(self, table: str) -> list[tuple]:
        """Every row of one table in a fixed order (tests: the database before and after)."""
        t = TABLES[table]
        return [tuple(r) for r in self._all(select(t).order_by(*t.primary_key.columns))]

    def count(self, table: str) -> int:
        if table == "answers":
            return int(self._all(text(_COUNT_ANSWERS[self.dialect]))[0][0])
        t = TABLES[table]
        return int(self._all(select(func.count()).select_from(t))[0][0])


def _scalar(value: Any) -> int | float | str:
    """A multiple-choice answer (a JSON list) as the text SQLite's ``json_each`` gave."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


@contextmanager
def open_store(settings: Settings) -> Iterator[ReportStore]:
    """The report tables of the shared database, closed afterwards."""
    store = ReportStore(settings)
    try:
        yield store
    finally:
        store.close()
