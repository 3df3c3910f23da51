"""Sheet storage: versions, conflicts, restore — on SQLite and on a real PostgreSQL."""

from __future__ import annotations

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


def test_versions_conflict_and_restore(backend: Settings) -> None:
    store = SheetStore(backend)
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

    restored = store.restore(first.sheet_id, 1, base_version=2, author="田中")
    assert restored.version == 3
    assert restored.goal.text == "在宅療養を続けられる"
    assert [v.version for v in store.history(first.sheet_id)] == [1, 2, 3]
    assert store.history(first.sheet_id)[-1].message == "版1を復元"


def test_unknown_sheet_is_a_japanese_not_found(backend: Settings) -> None:
    store = SheetStore(backend)
    with pytest.raises(NotFoundError, match="シート「sh-none」はありません"):
        store.get("sh-none")
    saved = store.save(_sheet())
    with pytest.raises(NotFoundError, match="版9"):
        store.get(saved.sheet_id, 9)


def test_restore_after_someone_else_saved_is_a_conflict_like_a_save(backend: Settings) -> None:
    store = SheetStore(backend)
    first = store.save(_sheet(), author="田中")
    store.save(first.model_copy(update={"title": "題名"}), author="田中")
    looking_at = store.get(first.sheet_id)  # 田中 opens the history at version 2 …
    edited = looking_at.model_copy(update={"title": "佐藤の題名"})
    store.save(edited, author="佐藤")  # … and 佐藤 saves version 3 seconds later

    with pytest.raises(SheetConflictError) as conflict:
        store.restore(first.sheet_id, 1, base_version=looking_at.version, author="田中")
    with pytest.raises(SheetConflictError) as save_conflict:
        store.save(looking_at, author="田中")
    assert str(conflict.value) == str(save_conflict.value)
    assert "他の人が先に保存しています（あなたの編集元: 版2、最新: 版3）" in str(conflict.value)
    assert conflict.value.theirs.title == "佐藤の題名"
    assert conflict.value.mine.title == "" and conflict.value.mine.version == 2  # what 版1 holds
    assert store.get(first.sheet_id).title == "佐藤の題名"  # 佐藤's edit is not superseded
    assert [v.version for v in store.history(first.sheet_id)] == [1, 2, 3]

    restored = store.restore(first.sheet_id, 1, base_version=3, author="田中")  # after looking
    assert restored.version == 4 and restored.title == ""
