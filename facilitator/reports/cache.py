"""Summaries kept per data version, so that a page showing every area does not rebuild
hundreds of thousands of indicator and finding objects on each view.

The key holds the database and its data version (``report_meta.data_version``), which every
import, area table and removal replaces in the same transaction as the data. The version
and the data are read in one read transaction (``ReportStore.snapshot``), so a cached
result never outlives the data it was computed from, also when another process (the CLI)
changed the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import LRUCache

from facilitator.reports.store import ReportStore

T = TypeVar("T")

MAX_OBJECTS = 400_000
"""Indicators and findings kept (least recently used dropped first): about 2 KB each, so
about 800 MB; the whole country with all five themes is 360,000 (2,132 areas)."""


def _size(value: object) -> int:
    """Weight of a cached value: its indicator and finding objects (summaries) or 1."""
    if isinstance(value, list):
        return sum(1 + len(s.indicators) + len(s.findings) for s in value)
    return 1


_cache: LRUCache = LRUCache(maxsize=MAX_OBJECTS, getsizeof=_size)
_lock = threading.Lock()


def cached(store: ReportStore, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per data version of ``store`` and ``key`` (no caching before the
    first import, when the database has no version yet)."""
    version = store.data_version()
    if not version:
        return compute()
    full = (store.key, version, *key)
    with _lock:
        hit = _cache.get(full)
    if hit is not None:
        return hit
    value = compute()
    if _size(value) <= MAX_OBJECTS:  # a larger result is returned but not kept
        with _lock:
            _cache[full] = value
    return value


def peek(store: ReportStore, key: tuple) -> object | None:
    """What ``cached`` holds for ``key`` at the current data version, without computing."""
    version = store.data_version()
    if not version:
        return None
    with _lock:
        return _cache.get((store.key, version, *key))


def clear() -> None:
    """Forget every cached result (tests; memory)."""
    with _lock:
        _cache.clear()
