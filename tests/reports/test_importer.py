"""Import: every bad file is rejected with located Japanese errors and changes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from facilitator.reports import ReportImportError, import_file, open_store
from facilitator.reports.sample.prefecture import AREAS_FILE, REPORTS_CSV
from facilitator.reports.store import ReportStore
from facilitator.settings import Settings

from .conftest import write_csv


def snapshot(settings: Settings) -> tuple:
    """Everything stored, reduced to counts and a digest of the answers."""
    with open_store(settings) as store:
        digest = hashlib.sha256()
        for row in store.long_answers():
            digest.update(repr(row).encode())
        return (
            tuple(
                store.count(t)
                for t in ("areas", "institutions", "answers", "muni_stats", "datasets")
            ),
            tuple((d["year"], d["pref_code"], d["source_file"]) for d in store.datasets()),
            digest.hexdigest(),
        )


def run_import(settings: Settings, path: Path):
    with open_store(settings) as store:
        return import_file(path, store)


def rejected(settings: Settings, path: Path) -> ReportImportError:
    before = snapshot(settings)
    with pytest.raises(ReportImportError) as info:
        run_import(settings, path)
    assert snapshot(settings) == before
    return info.value


def col(header: list[str], name: str) -> int:
    return header.index(name)


# --- good files ---------------------------------------------------------------------------


def test_cp932_csv_imports(with_areas: Settings, sample_dir: Path) -> None:
    result = run_import(with_areas, sample_dir / REPORTS_CSV)
    assert (result.encoding, result.institutions, result.year) == ("cp932", 920, 2026)


def test_utf8_bom_csv_imports(with_areas: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "bom.csv", header, rows, encoding="utf-8-sig")
    assert run_import(with_areas, path).encoding == "utf-8-sig"


def test_utf8_without_bom_imports(with_areas: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "plain.csv", header, rows, encoding="utf-8")
    assert run_import(with_areas, path).encoding == "utf-8"


def test_full_width_digits_are_accepted(with_areas: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    rows = [[v.translate(wide) for v in r] for r in rows]
    path = write_csv(tmp_path / "wide.csv", header, rows, encoding="cp932")
    result = run_import(with_areas, path)
    with open_store(with_areas) as store:
        first = store.answers(
            2026, rows[0][1].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        )
    assert result.institutions == 920 and first


def test_xlsx_imports(with_areas: Settings, xlsx_path: Path) -> None:
    result = run_import(with_areas, xlsx_path)
    assert (result.encoding, result.institutions) == ("xlsx", 920)


def test_xlsx_and_csv_store_the_same_answers(
    settings: Settings, sample_dir: Path, xlsx_path: Path, tmp_path: Path
) -> None:
    other = Settings(data_dir=tmp_path / "other")
    for s, path in ((settings, sample_dir / REPORTS_CSV), (other, xlsx_path)):
        run_import(s, sample_dir / AREAS_FILE)
        run_import(s, path)
    assert (
        snapshot(settings)[0] == snapshot(other)[0] and snapshot(settings)[2] == snapshot(other)[2]
    )


def test_answers_are_stored_long_form(loaded: Settings, report_rows) -> None:
    header, rows = report_rows
    with open_store(loaded) as store:
        answers = {a.item_id: a.value for a in store.answers(2026, rows[0][1])}
    assert answers["g1_keiji"] == int(
        rows[0][col(header, "具体的な機能を有すること及び報告事項の院内掲示")]
    )
    assert answers["g1_ryoiki"] == rows[0][col(header, "一次診療の対応ができる領域")]


def test_unknown_columns_are_ignored_with_a_warning(
    with_areas: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "extra.csv", [*header, "院長名"], [[*r, "架空"] for r in rows])
    assert any("院長名" in w for w in run_import(with_areas, path).warnings)


def test_optional_unconfirmed_columns_may_be_missing(
    with_areas: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    drop = col(header, "全国医療情報プラットフォームへの参加")
    path = write_csv(
        tmp_path / "fewer.csv",
        header[:drop] + header[drop + 1 :],
        [r[:drop] + r[drop + 1 :] for r in rows],
    )
    result = run_import(with_areas, path)
    assert any("全国医療情報プラットフォーム" in w for w in result.warnings)


# --- bad files ----------------------------------------------------------------------------


def test_utf16_is_rejected(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "u16.csv", header, rows[:5], encoding="utf-16")
    err = rejected(loaded, path)
    assert err.errors[0].file == "u16.csv" and "UTF-16" in err.errors[0].reason


def test_latin1_junk_is_rejected_with_row_and_column(
    loaded: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows[:5]]
    rows[2][col(header, "医療機関名")] = "MARKER"
    path = write_csv(tmp_path / "junk.csv", header, rows, encoding="utf-8")
    path.write_bytes(path.read_bytes().replace(b"MARKER", b"Caf\xe9"))
    e = rejected(loaded, path).errors[0]
    assert (e.file, e.row, e.column, e.value) == ("junk.csv", 4, "医療機関名", "0xE9")
    assert "文字コード" in e.reason


def test_missing_column_is_named(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    drop = col(header, "市町村コード")
    path = write_csv(
        tmp_path / "nomuni.csv",
        header[:drop] + header[drop + 1 :],
        [r[:drop] + r[drop + 1 :] for r in rows],
    )
    e = rejected(loaded, path).errors[0]
    assert (e.row, e.column, e.reason) == (1, "市町村コード", "必須の列がありません。")


def test_letter_in_a_count_is_located(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    c = col(header, "訪問診療の実施件数")
    target = next(i for i, r in enumerate(rows) if r[c])
    rows[target][c] = "12a"
    path = write_csv(tmp_path / "letter.csv", header, rows)
    e = rejected(loaded, path).errors[0]
    assert (e.file, e.row, e.column, e.value) == (
        "letter.csv",
        target + 2,
        "訪問診療の実施件数",
        "12a",
    )
    assert "件数は0以上の整数" in e.reason and e.cell is not None


def test_unknown_municipality_is_located(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[3][col(header, "市町村コード")] = "99999"
    path = write_csv(tmp_path / "muni.csv", header, rows)
    e = rejected(loaded, path).errors[0]
    assert (e.row, e.column, e.value) == (5, "市町村コード", "99999")
    assert "市町村表にない市町村コード" in e.reason


def test_duplicated_institution_names_both_rows(
    loaded: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[10][1] = rows[2][1]
    path = write_csv(tmp_path / "dup.csv", header, rows)
    e = rejected(loaded, path).errors[0]
    assert (e.row, e.column, e.value) == (12, "医療機関コード", rows[2][1])
    assert "重複" in e.reason and "4行目" in e.reason


def test_errors_are_collected_not_first_only(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[0][col(header, "訪問診療の実施件数")] = "x"
    rows[5][col(header, "市町村コード")] = "99998"
    rows[9][col(header, "施設区分")] = "薬局"
    path = write_csv(tmp_path / "many.csv", header, rows)
    errs = rejected(loaded, path).errors
    assert [(e.row, e.column) for e in errs] == [
        (2, "訪問診療の実施件数"),
        (7, "市町村コード"),
        (11, "施設区分"),
    ]


def test_blank_starred_item_is_an_error(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[0][col(header, "医療に関する患者からの相談への対応")] = ""
    e = rejected(loaded, write_csv(tmp_path / "star.csv", header, rows)).errors[0]
    assert e.row == 2 and "★" in e.reason


def test_two_report_years_in_one_file_are_rejected(
    loaded: Settings, report_rows, tmp_path: Path
) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows]
    rows[7][0] = "2027"
    e = rejected(loaded, write_csv(tmp_path / "years.csv", header, rows)).errors[0]
    assert e.row == 9 and "複数の報告年" in e.reason


def test_reports_before_area_table_are_rejected(settings: Settings, sample_dir: Path) -> None:
    err = rejected(settings, sample_dir / REPORTS_CSV)
    assert any("市町村表が取り込まれていません" in e.reason for e in err.errors)


def test_ragged_row_is_located(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    rows = [list(r) for r in rows[:10]]
    rows[4] = rows[4][:-3]
    e = rejected(loaded, write_csv(tmp_path / "ragged.csv", header, rows)).errors[0]
    assert e.row == 6 and "列の数" in e.reason


def test_unrecognised_file_is_rejected(loaded: Settings, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("名前,住所\n架空,どこか\n", encoding="utf-8")
    assert "判別できません" in rejected(loaded, path).errors[0].reason


def test_broken_xlsx_is_rejected(loaded: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "Excel" in rejected(loaded, path).errors[0].reason


def test_xlsx_errors_name_the_cell(with_areas: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows[:3]:
        ws.append(r)
    ws.cell(row=3, column=col(header, "施設区分") + 1, value="薬局")
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    e = rejected(with_areas, path).errors[0]
    assert (e.row, e.column, e.cell) == (3, "施設区分", "D3")


# --- replacement and atomicity ------------------------------------------------------------


def test_reimport_replaces_the_year(loaded: Settings, report_rows, tmp_path: Path) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "half.csv", header, rows[:400])
    result = run_import(loaded, path)
    with open_store(loaded) as store:
        counts = (store.count("institutions"), store.datasets()[0]["source_file"])
    assert result.replaced and counts == (400, "half.csv")


def test_interrupted_import_leaves_previous_data(
    loaded: Settings, report_rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "new.csv", header, rows[:100])
    before = snapshot(loaded)

    def boom(self: ReportStore) -> None:
        raise KeyboardInterrupt  # e.g. Ctrl-C after old rows were deleted and new ones written

    monkeypatch.setattr(ReportStore, "_new_version", boom)
    with pytest.raises(KeyboardInterrupt):
        run_import(loaded, path)
    assert snapshot(loaded) == before


def test_failure_after_stage_rolls_back(
    loaded: Settings, report_rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = report_rows
    path = write_csv(tmp_path / "new.csv", header, rows[:100])
    before = snapshot(loaded)

    def boom(self: ReportStore) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ReportStore, "_new_version", boom)
    with pytest.raises(OSError):
        run_import(loaded, path)
    assert snapshot(loaded) == before


# --- area table ---------------------------------------------------------------------------


def test_area_table_imports(settings: Settings, sample_dir: Path) -> None:
    result = run_import(settings, sample_dir / AREAS_FILE)
    assert (result.kind, result.municipalities, result.synthetic) == ("areas", 16, True)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("65歳以上人口", "9999999", "65歳以上人口が人口を超えています"),
        ("二次医療圏コード", "1301", "先頭2桁"),
        ("人口", "多い", "人口は0以上の整数"),
        ("有効年度", "来年", "有効年度は"),
    ],
)
def test_bad_area_rows_are_located(
    loaded: Settings, area_rows, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    header = list(area_rows[0])
    rows = [[r[h] for h in header] for r in area_rows]
    rows[2][header.index(column)] = value
    e = rejected(loaded, write_csv(tmp_path / "areas.csv", header, rows)).errors[0]
    assert (e.row, e.column) == (4, column) and reason in e.reason


def test_area_table_cannot_orphan_stored_reports(
    loaded: Settings, area_rows, tmp_path: Path
) -> None:
    header = list(area_rows[0])
    rows = [[r[h] for h in header] for r in area_rows if r["市町村コード"] != "99362"]
    err = rejected(loaded, write_csv(tmp_path / "areas.csv", header, rows))
    assert "99362" in err.errors[0].reason


def test_area_table_reimport_replaces(loaded: Settings, area_rows, tmp_path: Path) -> None:
    header = list(area_rows[0])
    rows = [[r[h] for h in header] for r in area_rows]
    rows[0][header.index("人口")] = "500000"
    assert run_import(loaded, write_csv(tmp_path / "areas.csv", header, rows)).replaced
    with open_store(loaded) as store:
        assert {m.code: m.population for m in store.municipalities(2026)}[rows[0][0]] == 500000


def test_missing_file_is_reported_in_japanese(settings: Settings, tmp_path: Path) -> None:
    err = rejected(settings, tmp_path / "nothing.csv")
    assert (err.errors[0].file, err.errors[0].reason) == (
        "nothing.csv",
        "ファイルが見つかりません。",
    )


def test_area_validity_years_choose_the_secondary_area(
    loaded: Settings, area_rows, tmp_path: Path
) -> None:
    header = [
        "市町村コード",
        "市町村名",
        "都道府県名",
        "二次医療圏コード",
        "二次医療圏名",
        "有効開始年度",
        "有効終了年度",
        "人口",
        "65歳以上人口",
        "75歳以上人口",
    ]
    rows = []
    for a in area_rows:
        base = [a["市町村コード"], a["市町村名"], a["都道府県名"]]
        pops = [a["人口"], a["65歳以上人口"], a["75歳以上人口"]]
        rows.append([*base, a["二次医療圏コード"], a["二次医療圏名"], "2024", "2029", *pops])
        if a["二次医療圏コード"] == "9902":  # from 2030 the north merges into the centre
            rows.append([*base, "9901", "中央医療圏", "2030", "", *pops])
    run_import(loaded, write_csv(tmp_path / "areas.csv", header, rows))
    from facilitator.reports import find_area

    assert find_area("奥沢村", 2026, settings=loaded).sec_code == "9902"
    assert find_area("奥沢村", 2031, settings=loaded).sec_code == "9901"
