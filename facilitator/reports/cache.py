"""Summaries kept per data version, so that a page showing every area does not rebuild
hundreds of thousands of indicator and finding objects on each view.

The key holds the database file and its data version (``meta.data_version``), which every
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

MAX_ENTRIES = 256
"""(prefecture × year × themes) results kept; the whole country with all themes is 47."""

_cache: LRUCache = LRUCache(maxsize=MAX_ENTRIES)
_lock = threading.Lock()


def cached(store: ReportStore, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per data version of ``store`` and ``key`` (no caching before the
    first import, when the database has no version yet)."""
    version = store.data_version()
    if not version:
        return compute()
    full = (str(store.path.resolve()), version, *key)
    with _lock:
        hit = _cache.get(full)
    if hit is not None:
        return hit
    value = compute()
    with _lock:
        _cache[full] = value
    return value


def peek(store: ReportStore, key: tuple) -> object | None:
    """What ``cached`` holds for ``key`` at the current data version, without computing."""
    version = store.data_version()
    if not version:
        return None
    with _lock:
        return _cache.get((str(store.path.resolve()), version, *key))


def clear() -> None:
    """Forget every cached result (tests; memory)."""
    with _lock:
        _cache.clear()
