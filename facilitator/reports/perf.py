"""Bulk-work helper: pause the cyclic garbage collector while building many objects.

Building hundreds of thousands of small objects (rows, dicts, pydantic models) triggers the
cyclic GC over and over on a growing heap; nothing here creates reference cycles, so the
collector is paused for the duration and restored afterwards. With ``settle`` the young
generations are collected once on the way out, which moves what the block built and keeps
(cached summaries) to the oldest generation: otherwise the next young collections would
each walk all of it again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc(settle: bool = False) -> Iterator[None]:
    """Disable the cyclic GC inside the block (re-entrant; restores the previous state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if settle:
                gc.collect(1)
