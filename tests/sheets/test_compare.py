"""Version comparison in a reader's words: which field changed, and which characters."""

from __future__ import annotations

from facilitator.sheets.compare import char_diff, field_changes, sheet_fields
from facilitator.sheets.model import Role
from tests.support.example_sheet import example_sheet


def test_an_identical_version_has_no_changes() -> None:
    sheet = example_sheet()
    assert field_changes(sheet, sheet.model_copy(deep=True)) == []


def test_each_changed_field_is_named_like_the_sheet_names_it() -> None:
    old = example_sheet()
    new = old.model_copy(deep=True)
    new.title = "北部圏域の在宅医療（第2回）"
    new.causes[0].text = old.causes[0].text + "。夜間の連絡体制もない"
    new.measures[0].accepted = False
    new.measures[0].roles.append(Role(actor="北部郡市医師会", action="輪番表を作る"))
    new.internal_notes = "次回までに訪問看護の数を確認"
    changes = {c.label: c for c in field_changes(old, new)}
    assert set(changes) == {"題名", "原因①", "方策①", "方策①の役割分担", "事務局メモ（非公開）"}
    assert changes["原因①"].after.endswith("夜間の連絡体制もない")
    assert "不採用" in changes["方策①"].after and "（採用" in changes["方策①"].before
    assert "北部郡市医師会: 輪番表を作る" in changes["方策①の役割分担"].after
    assert changes["事務局メモ（非公開）"].before == old.internal_notes


def test_removed_and_added_statements_show_one_empty_side() -> None:
    old = example_sheet()
    new = old.model_copy(deep=True)
    last = len(old.effects) - 1
    del new.effects[last]
    changes = {c.label: c for c in field_changes(old, new)}
    label = f"効果{'①②③④⑤'[last]}"
    assert changes[label].before == old.effects[last].text and changes[label].after == ""
    back = {c.label: c for c in field_changes(new, old)}
    assert back[label].before == "" and back[label].after == old.effects[last].text


def test_a_dropped_citation_is_a_change_of_that_statement_s_citations() -> None:
    old = example_sheet()
    new = old.model_copy(deep=True)
    _path, statement = next((p, s) for p, s in new.statements() if s.citations)
    statement.citations[0].accepted = False
    (change,) = field_changes(old, new)
    assert change.label.endswith("の引用") and "（不採用）" in change.after


def test_char_diff_marks_only_the_changed_characters() -> None:
    before, after = char_diff("夜間の往診を担う診療所が少ない", "夜間の往診を担う医療機関が少ない")
    assert "".join(s.text for s in before) == "夜間の往診を担う診療所が少ない"
    assert "".join(s.text for s in after) == "夜間の往診を担う医療機関が少ない"
    assert [s.text for s in before if s.kind == "changed"] == ["診療所"]
    assert [s.text for s in after if s.kind == "changed"] == ["医療機関"]


def test_every_visible_field_is_listed_without_internal_ids() -> None:
    fields = sheet_fields(example_sheet())
    assert next(iter(fields)) == "状態"  # the example has no title: empty fields are left out
    assert not any("sh-" in v or "rpt-" in v for v in fields.values())
