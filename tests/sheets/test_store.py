"""Sheet storage: versions, conflicts, restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitator.errors import NotFoundError
from facilitator.settings import Settings
from facilitator.sheets.model import AreaRef, IssueSheet, Statement
from facilitator.sheets.store import SheetConflictError, SheetStore


def _sheet() -> IssueSheet:
    return IssueSheet(
        area=AreaRef(code="99201", name="北市"),
        theme="zaitaku",
        goal=Statement(text="在宅療養を続けられる"),
    )


def test_versions_conflict_and_restore(tmp_path: Path) -> None:
    store = SheetStore(Settings(data_dir=tmp_path))
    first = store.save(_sheet(), author="田中", message="下書き")
    assert first.version == 1

    alice = store.get(first.sheet_id)
    bob = store.get(first.sheet_id)
    alice.goal.text = "身近な地域で在宅医療を受けられる"
    second = store.save(alice, author="アリス")
    assert second.version == 2

    bob.goal.text = "ボブの案"
    with pytest.raises(SheetConflictError) as conflict:
        store.save(bob, author="ボブ")
    assert conflict.value.theirs.goal.text == "身近な地域で在宅医療を受けられる"
    assert conflict.value.mine.goal.text == "ボブの案"
    assert store.get(first.sheet_id).version == 2  # nothing overwritten

    restored = store.restore(first.sheet_id, 1, author="田中")
    assert restored.version == 3
    assert restored.goal.text == "在宅療養を続けられる"
    assert [v.version for v in store.history(first.sheet_id)] == [1, 2, 3]
    assert store.history(first.sheet_id)[-1].message == "版1を復元"


def test_unknown_sheet_is_a_japanese_not_found(tmp_path: Path) -> None:
    store = SheetStore(Settings(data_dir=tmp_path))
    with pytest.raises(NotFoundError, match="シート「sh-none」はありません"):
        store.get("sh-none")
    saved = store.save(_sheet())
    with pytest.raises(NotFoundError, match="版9"):
        store.get(saved.sheet_id, 9)
