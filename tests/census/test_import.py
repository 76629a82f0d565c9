"""Importing a census file: a county's workbook (or a file of counties) upserted by school, year and
level in one transaction, after the whole file has been checked; every problem named, nothing
half-written."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusChange, CensusEvent, CensusRecord, CensusYear, ImportBatch
from dudao.engine.problems import InputError, Problem
from dudao.orgs.models import Region, School, SchoolYear
from dudao.sheets.template import DATA_SHEET, write_rows
from tests.census._db import on_insert
from tests.personas import SYSTEM, YEAR, World

pytestmark = pytest.mark.django_db

TABLES = (School, SchoolYear, CensusYear, CensusRecord, CensusChange, CensusEvent, ImportBatch, Region)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def county_rows() -> list[dict[str, Any]]:
    """示范县's three schools (the nine-year school as one whole-school row) and a new school."""
    return [
        {"school_code": "1399010001", "school_name": "示范县第一小学", "school_type": "primary", "level": "primary",
         "location": "urban", "ownership": "public", "students": 1200, "teachers": 70, "pe_art_teachers": 9,
         "teaching_aux_area_m2": 6500.5, "equipment_value_yuan": 1805000.25, "books": 36000},
        {"school_code": "1399010002", "school_name": "示范县第一中学", "school_type": "junior", "level": "junior",
         "location": "urban", "ownership": "public", "students": 900, "teachers": 80, "pe_art_teachers": 8,
         "teaching_aux_area_m2": 7000, "equipment_value_yuan": 2500000, "books": 45000},
        {"school_code": "1399010003", "school_name": "示范县城关九年一贯制学校", "school_type": "nine_year",
         "level": "all", "location": "town", "ownership": "public", "students": 900, "students_primary": 600,
         "students_junior": 300, "teachers": 66, "teachers_primary": 40, "teachers_junior": 26,
         "pe_art_teachers": 7, "pe_art_teachers_primary": 4, "pe_art_teachers_junior": 3,
         "teaching_aux_area_m2": 5200.75, "equipment_value_yuan": 1500000, "books": 30000},
        {"school_code": "1399010004", "school_name": "示范县第二小学", "school_type": "primary", "level": "primary",
         "location": "rural", "ownership": "public", "students": 300, "teachers": 20, "pe_art_teachers": 2,
         "teaching_aux_area_m2": 1500, "equipment_value_yuan": 400000, "books": 9000},
    ]  # fmt: skip


def workbook(tmp_path: Path, rows: list[dict[str, Any]] | None = None, name: str = "county.xlsx") -> Path:
    path = tmp_path / name
    write_rows(path, county_rows() if rows is None else rows)
    return path


def set_cells(path: Path, cells: dict[tuple[int, str], object]) -> Path:
    """Overwrite cells of a written workbook, by (row, key): what ``write_rows`` cannot write (text in a
    number column, as people type it)."""
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    column = {cell.value: cell.column for cell in ws[2]}  # row 2 holds the keys
    for (row, key), value in cells.items():
        ws.cell(row=row, column=column[key], value=value)
    wb.save(path)
    return path


def problems_of(path: Path, **kwargs: Any) -> list[Problem]:
    before = counts()
    kwargs.setdefault("county", Region.objects.get(code="139901"))
    kwargs.setdefault("user", SYSTEM)
    with pytest.raises(InputError) as info:
        import_census(path, kwargs.pop("year", YEAR), **kwargs)
    assert counts() == before, "nothing may be written when the file has problems"
    for p in info.value.problems:
        assert p.rule and p.message_zh and p.message_en and p.message_zh != p.message_en, p
    return info.value.problems


def rules(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


# -- a good file


def test_first_import_creates_records_and_the_new_school(world: World, tmp_path: Path) -> None:
    result = import_census(workbook(tmp_path), YEAR, county=world.county, user=world.county_supervisor)

    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert result.schools_created == 1 and result.school_years_created == 1
    assert result.counties == ["139901"] and result.rows == 4 and result.not_submitted == []
    new = School.objects.get(code="1399010004")
    assert new.county == world.county
    sy = SchoolYear.objects.get(school=new, year=YEAR)
    assert (sy.name, sy.school_type, sy.location, sy.ownership, sy.status) == (
        "示范县第二小学", "primary", "rural", "public", "open",
    )  # fmt: skip
    record = CensusRecord.objects.get(school=world.primary, year=YEAR, level="primary")
    assert record.status == CensusRecord.Status.SUBMITTED  # the county's import is its submission
    assert record.students == 1200 and record.teaching_aux_area_m2 == Decimal("6500.5")
    assert record.equipment_value_yuan == Decimal("1805000.25") and record.updated_by == world.county_supervisor
    assert record.classes is None  # not in the file: not given
    batch = result.batch
    assert batch is not None and batch.county == world.county and batch.user == world.county_supervisor
    assert (batch.created, batch.updated, batch.unchanged, batch.rows) == (4, 0, 0, 4)
    assert batch.filename == "county.xlsx" and len(batch.sha256) == 64 and batch.sheet == DATA_SHEET
    events = CensusEvent.objects.filter(action=CensusEvent.Action.IMPORT)
    assert events.count() == 4 and {e.batch_id for e in events} == {batch.pk}
    assert CensusYear.objects.filter(county=world.county, year=YEAR, locked=False).exists()
    # A created record's figures are those of its import batch; CensusChange holds later changes.
    assert CensusChange.objects.count() == 0


def test_a_whole_school_one_through_row_is_stored_whole_with_its_level_columns(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)

    record = CensusRecord.objects.get(school=world.nine_year, year=YEAR)
    assert record.level == "all"
    assert (record.students, record.students_primary, record.students_junior, record.students_senior) == (
        900, 600, 300, None,
    )  # fmt: skip
    assert (record.teachers, record.teachers_primary, record.teachers_junior) == (66, 40, 26)
    assert (record.pe_art_teachers_primary, record.pe_art_teachers_junior) == (4, 3)
    single = CensusRecord.objects.get(school=world.primary, year=YEAR)
    assert single.students_primary is None and single.teachers_primary is None  # not a whole-school row


def test_importing_the_same_file_again_changes_nothing(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path)
    import_census(path, YEAR, county=world.county, user=world.county_supervisor)
    records = {r.pk: (r.version, r.status, r.updated_at, r.values()) for r in CensusRecord.objects.all()}
    changes, events = CensusChange.objects.count(), CensusEvent.objects.count()

    again = import_census(path, YEAR, county=world.county, user=world.county_supervisor)

    assert (again.created, again.updated, again.unchanged, again.values_changed) == (0, 0, 4, 0)
    assert again.schools_created == again.school_years_created == again.school_years_updated == 0
    assert again.changes == []
    assert {r.pk: (r.version, r.status, r.updated_at, r.values()) for r in CensusRecord.objects.all()} == records
    assert (CensusChange.objects.count(), CensusEvent.objects.count()) == (changes, events)
    assert again.batch is not None and (again.batch.created, again.batch.updated, again.batch.unchanged) == (0, 0, 4)


def test_a_changed_value_is_updated_with_its_history(world: World, tmp_path: Path) -> None:
    first = import_census(workbook(tmp_path), YEAR, county=world.county, user=world.county_supervisor)
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    actions.approve(world.county_supervisor, record)
    rows = county_rows()
    rows[0]["students"] = 1250
    rows[0]["teaching_aux_area_m2"] = 6600.125
    rows[0]["school_name"] = "示范县实验小学"  # renamed this year

    result = import_census(workbook(tmp_path, rows, "v2.xlsx"), YEAR, county=world.county, user=world.county_supervisor)

    assert (result.created, result.updated, result.unchanged, result.values_changed) == (0, 1, 3, 2)
    assert [(c.school_code, c.action, set(c.fields)) for c in result.changes] == [
        ("1399010001", "update", {"students", "teaching_aux_area_m2"})
    ]
    record.refresh_from_db()
    assert record.students == 1250 and record.teaching_aux_area_m2 == Decimal("6600.125")
    assert record.status == CensusRecord.Status.SUBMITTED  # approved before; a changed record is reviewed again
    assert record.version == 2
    changes = {c.field: c for c in CensusChange.objects.filter(record=record)}
    assert set(changes) == {"students", "teaching_aux_area_m2"}
    assert (changes["students"].old, changes["students"].new) == ("1200", "1250")
    assert (changes["teaching_aux_area_m2"].old, changes["teaching_aux_area_m2"].new) == ("6500.5000", "6600.1250")
    assert {(c.user, c.batch) for c in changes.values()} == {(world.county_supervisor, result.batch)}
    assert result.batch != first.batch
    assert record.events.filter(action=CensusEvent.Action.IMPORT, batch=result.batch).count() == 1
    assert SchoolYear.objects.get(school=world.primary, year=YEAR).name == "示范县实验小学"
    assert SchoolYear.objects.get(school=world.primary, year=YEAR - 1).name == "示范县第一小学"  # history kept
    assert result.school_years_updated == 1
    timeline = actions.timeline(record)
    assert [e["kind"] for e in timeline].count("change") == 2


def test_an_unchanged_record_keeps_its_status(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path)
    import_census(path, YEAR, county=world.county, user=SYSTEM)
    record = CensusRecord.objects.get(school=world.junior, year=YEAR)
    actions.approve(world.county_supervisor, record)

    import_census(path, YEAR, county=world.county, user=SYSTEM)

    record.refresh_from_db()
    assert record.status == CensusRecord.Status.APPROVED and record.version == 1


def test_schools_expected_but_absent_are_listed_as_not_submitted(world: World, tmp_path: Path) -> None:
    closed = School.objects.create(code="1399010009", county=world.county)
    SchoolYear.objects.create(school=closed, year=YEAR, name="已撤销小学", school_type="primary", status="closed")
    last_year = School.objects.create(code="1399010008", county=world.county)
    SchoolYear.objects.create(school=last_year, year=YEAR - 1, name="去年的小学", school_type="primary")
    old = School.objects.create(code="1399010007", county=world.county)
    SchoolYear.objects.create(school=old, year=YEAR - 3, name="三年前的小学", school_type="primary")
    rows = [r for r in county_rows() if r["school_code"] != "1399010002"]

    result = import_census(workbook(tmp_path, rows), YEAR, county=world.county, user=SYSTEM)

    absent = [(a.code, a.name, a.county_code, a.year) for a in result.not_submitted]
    assert absent == [
        ("1399010002", "示范县第一中学", "139901", YEAR),
        ("1399010008", "去年的小学", "139901", YEAR - 1),
    ]
    assert result.batch is not None and result.batch.not_submitted == ["1399010002", "1399010008"]


def test_a_dry_run_reports_what_would_change_and_writes_nothing(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path)
    before = counts()

    result = import_census(path, YEAR, county=world.county, user=world.county_supervisor, dry_run=True)

    assert counts() == before
    assert result.dry_run and result.batch is None
    assert (result.created, result.updated, result.unchanged, result.schools_created) == (4, 0, 0, 1)
    plans = {c.school_code: c for c in result.changes}
    assert plans["1399010001"].action == "create" and len(plans["1399010001"].fields) == 6
    assert plans["1399010003"].level == "all" and "students_primary" in plans["1399010003"].fields

    import_census(path, YEAR, county=world.county, user=SYSTEM)
    rows = county_rows()
    rows[1]["books"] = 46000
    again = import_census(workbook(tmp_path, rows, "v2.xlsx"), YEAR, county=world.county, user=SYSTEM, dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    assert [(c.school_code, c.fields) for c in again.changes] == [("1399010002", ("books",))]
    assert CensusRecord.objects.get(school=world.junior).books == 45000


def test_a_file_of_several_counties_by_its_county_code_column(world: World, tmp_path: Path) -> None:
    rows = county_rows()[:2]
    rows.append({**county_rows()[0], "school_code": "1399020001", "school_name": "邻县第一小学"})
    for row, code in zip(rows, ("139901", "139901", "139902"), strict=True):
        row["county_code"] = code

    result = import_census(workbook(tmp_path, rows), YEAR, county=None, user=SYSTEM)

    assert result.counties == ["139901", "139902"] and result.created == 3
    assert result.batch is not None and result.batch.county is None and result.batch.counties == ["139901", "139902"]
    assert CensusRecord.objects.get(school=world.neighbour_school).students == 1200
    assert [a.code for a in result.not_submitted] == ["1399010003"]


def test_a_csv_with_the_english_keys_as_headers(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    keys = list(dict.fromkeys(k for r in rows for k in r))
    path = tmp_path / "county.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, keys)
        writer.writeheader()
        writer.writerows(rows)

    result = import_census(path, YEAR, county=world.county, user=SYSTEM)

    assert result.created == 4
    assert CensusRecord.objects.get(school=world.nine_year).students_junior == 300


def test_equipment_in_wan_yuan_is_stored_in_yuan(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    for row in rows:
        row["equipment_value_wan"] = row.pop("equipment_value_yuan") / 10000
    import_census(workbook(tmp_path, rows), YEAR, county=world.county, user=SYSTEM)
    assert CensusRecord.objects.get(school=world.primary).equipment_value_yuan == Decimal("1805000.25")


def test_a_complete_middle_school_senior_row_is_left_out_with_a_warning(world: World, tmp_path: Path) -> None:
    base = {**county_rows()[1], "school_code": "1399010005", "school_name": "示范县第二中学",
            "school_type": "complete_middle"}  # fmt: skip
    rows = [{**base, "level": "junior"}, {**base, "level": "senior"}]

    result = import_census(workbook(tmp_path, rows), YEAR, county=world.county, user=SYSTEM)

    assert result.created == 1
    assert [(w.rule, w.row) for w in result.warnings] == [("senior_skipped", 4)]
    assert CensusRecord.objects.get(school__code="1399010005").level == "junior"


# -- bad input: a precise problem, nothing written


def test_a_damaged_file_is_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "county.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    assert rules(problems_of(path)) == ["not_xlsx"]


def test_a_file_that_is_not_a_spreadsheet_is_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "county.pdf"
    path.write_bytes(b"%PDF-1.7")
    (problem,) = problems_of(path)
    assert problem.rule == "unknown_format" and problem.value == "county.pdf"


def test_a_missing_sheet_is_named(world: World, tmp_path: Path) -> None:
    (problem,) = problems_of(workbook(tmp_path), sheet="2025年数据")
    assert problem.rule == "no_such_sheet" and problem.sheet == "2025年数据"
    assert DATA_SHEET in problem.message_zh


def test_a_file_over_the_size_limit_is_refused(world: World, tmp_path: Path, settings: Any) -> None:
    path = workbook(tmp_path)
    settings.DUDAO_UPLOAD_MAX_BYTES = path.stat().st_size - 1
    assert rules(problems_of(path)) == ["file_too_large"]


def test_duplicate_school_codes(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows.append({**rows[0], "school_name": "示范县第一小学（重复）"})
    problems = problems_of(workbook(tmp_path, rows))
    duplicate = [p for p in problems if p.rule == "duplicate_school"]
    assert len(duplicate) == 1 and (duplicate[0].row, duplicate[0].value) == (7, "1399010001")
    assert "第3行" in duplicate[0].message_zh and "row 3" in duplicate[0].message_en


def test_an_unknown_county_code(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    for row in rows:
        row["county_code"] = "139901"
    rows[3]["county_code"] = "139999"
    (problem,) = problems_of(workbook(tmp_path, rows), county=None)
    assert (problem.rule, problem.row, problem.column, problem.value) == (
        "unknown_county",
        6,
        "县级行政区划代码",
        "139999",
    )


def test_a_city_code_is_not_a_county(world: World, tmp_path: Path) -> None:
    rows = [{**r, "county_code": "1399"} for r in county_rows()]
    (problem,) = problems_of(workbook(tmp_path, rows), county=None)
    assert problem.rule == "unknown_county" and "示范市" in problem.message_zh


def test_a_file_without_county_needs_the_county_named(world: World, tmp_path: Path) -> None:
    assert rules(problems_of(workbook(tmp_path), county=None)) == ["county_required"]


def test_rows_of_another_county_in_a_county_file(world: World, tmp_path: Path) -> None:
    rows = [{**r, "county_code": "139901"} for r in county_rows()]
    rows[1]["county_code"] = "139902"
    (problem,) = problems_of(workbook(tmp_path, rows))
    assert (problem.rule, problem.row, problem.value) == ("wrong_county", 4, "139902")


def test_a_school_of_another_county(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows[3]["school_code"] = "1499010001"  # 其他县第一小学, in another province
    (problem,) = problems_of(workbook(tmp_path, rows), user=world.county_supervisor)
    assert (problem.rule, problem.row, problem.column) == ("other_county", 6, "学校标识码")
    assert problem.value == "1499010001"
    assert "其他县" not in problem.message_zh  # the supervisor may not see that county
    (shown,) = problems_of(workbook(tmp_path, rows), user=SYSTEM)
    assert "其他县" in shown.message_zh and "149901" in shown.message_en


def test_negative_numbers_and_text_in_number_cells(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows[0]["students"] = -5
    path = set_cells(workbook(tmp_path, rows), {(4, "teachers"): "八十", (6, "books"): "9000册"})
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column, p.value) for p in problems] == [
        ("negative", 3, "在校生数", "-5"),
        ("not_a_number", 4, "专任教师数", "八十"),
        ("not_a_number", 6, "图书(册)", "9000册"),
    ]
    assert all(p.sheet == DATA_SHEET for p in problems)


def test_a_locked_year_is_refused(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path)
    import_census(path, YEAR, county=world.county, user=SYSTEM)
    actions.lock_year(world.county_supervisor, world.county, YEAR)
    rows = county_rows()
    rows[0]["students"] = 1300
    (problem,) = problems_of(workbook(tmp_path, rows, "v2.xlsx"))
    assert problem.rule == "year_locked" and "示范县" in problem.message_zh
    assert CensusRecord.objects.get(school=world.primary).students == 1200
    actions.unlock_year(world.county_supervisor, world.county, YEAR, "补报")
    assert import_census(workbook(tmp_path, rows, "v2.xlsx"), YEAR, county=world.county, user=SYSTEM).updated == 1


def test_levels_that_do_not_fit_the_school_type(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows[0]["level"] = "junior"  # a primary school
    rows.append({**rows[1], "school_code": "1399010006", "school_name": "示范县特殊教育学校", "school_type": "special",
                 "level": None})  # fmt: skip
    problems = problems_of(workbook(tmp_path, rows))
    assert [(p.rule, p.row) for p in problems] == [("bad_level", 3), ("level_required", 7)]


def test_one_through_rows_must_be_consistent(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows[2]["students"] = 950  # not 600 + 300
    split = {**county_rows()[1], "school_code": "1399010005", "school_name": "示范县第二九年一贯制学校",
             "school_type": "nine_year"}  # fmt: skip
    rows += [{**split, "level": "primary"}, {**split, "level": "junior", "school_name": "别的名字"}]
    rows.append({**split, "level": "all", "students": 600, "students_primary": 300, "students_junior": 300,
                 "teachers_primary": 10, "teachers_junior": 10, "pe_art_teachers_primary": 1,
                 "pe_art_teachers_junior": 1})  # fmt: skip
    problems = problems_of(workbook(tmp_path, rows))
    assert [(p.rule, p.row) for p in problems] == [
        ("students_mismatch", 5),
        ("inconsistent_school", 8),
        ("mixed_split", 9),
    ]


def test_a_whole_school_row_needs_its_per_level_columns(world: World, tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k not in ("students_junior", "pe_art_teachers_primary")}
            for r in county_rows()]  # fmt: skip
    problems = problems_of(workbook(tmp_path, rows))
    assert [(p.rule, p.row, p.column) for p in problems] == [  # columns the file lacks: template header and key
        ("missing_level_students", 5, "初中部在校生数 (students_junior)"),
        ("missing_level_teachers", 5, "小学部体育、艺术(美术、音乐)专任教师数 (pe_art_teachers_primary)"),
    ]


def test_problems_name_columns_as_the_file_does(world: World, tmp_path: Path) -> None:
    """The import's problems name a column by its header as written, as the reader's problems do."""
    header = ["学校代码", "校名", "办学类型", "学部", "学生数", "小学部在校生数", "初中部在校生数", "专任教师",
              "小学部专任教师数", "初中部专任教师数", "图书册数"]  # fmt: skip
    rows = [
        ["1399010001", "示范县第一小学", "小学", "初中", "1200", "", "", "70", "", "", "36000"],
        ["1399010003", "九年一贯制", "九年一贯制", "全校", "950", "600", "300", "66", "40", "26", "3000000000"],
        ["1399010001", "示范县第一小学", "小学", "小学", "1200", "", "", "70", "", "", "36000"],
    ]
    path = tmp_path / "aliases.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    problems = problems_of(path)
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("bad_level", 2, "学部"),
        ("students_mismatch", 3, "学生数"),
        ("too_large", 3, "图书册数"),
    ]
    assert "列“学部”" in problems[0].text("zh") and "column '学生数'" in problems[1].text("en")
    rows[0][3] = "小学"
    rows[1][4], rows[1][-1] = "900", "3000"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    (duplicate,) = problems_of(path)
    assert (duplicate.rule, duplicate.row, duplicate.column) == ("duplicate_school", 4, "学校代码")
    # A file with the English keys as headers: the keys are the headers as written.
    english = tmp_path / "keys.csv"
    english.write_text("school_code,school_name,school_type,students\n1399010001,x,primary,-1\n", encoding="utf-8")
    assert [(p.rule, p.column) for p in problems_of(english)] == [("negative", "students")]
    english.write_text("school_code,school_name,school_type,students\n1399010001,x,special,1\n", encoding="utf-8")
    assert [(p.rule, p.column) for p in problems_of(english)] == [("level_required", "学段 (level)")]


def test_a_file_without_data_rows(world: World, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("school_code,school_name,school_type,students\n", encoding="utf-8")
    assert rules(problems_of(path)) == ["no_rows"]


def test_a_stored_whole_school_record_cannot_come_back_split(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)
    rows = county_rows()
    whole = rows.pop(2)
    for level in ("primary", "junior"):
        rows.append({k: v for k, v in whole.items() if not k.endswith(("_primary", "_junior"))} | {"level": level})
    problems = problems_of(workbook(tmp_path, rows, "split.xlsx"))
    assert rules(problems) == ["stored_levels_conflict"] and problems[0].row == 6
    assert "已有全校的记录" in problems[0].message_zh and "（初中、小学，九年一贯制）" in problems[0].message_zh


def test_numbers_too_large_to_store(world: World, tmp_path: Path) -> None:
    rows = county_rows()
    rows[0]["books"] = 3_000_000_000
    rows[1]["equipment_value_yuan"] = 2e12
    assert [(p.rule, p.row) for p in problems_of(workbook(tmp_path, rows))] == [("too_large", 3), ("too_large", 4)]


def test_every_problem_of_the_file_at_once(world: World, tmp_path: Path) -> None:
    rows = [{**r, "county_code": "139901"} for r in county_rows()]
    rows[0]["school_code"] = "1399020001"  # 邻县's school
    rows[1]["level"] = "primary"  # a junior school
    rows.append({**rows[3]})  # duplicate
    actions.lock_year(SYSTEM, world.county, YEAR)
    problems = problems_of(workbook(tmp_path, rows))
    assert sorted(rules(problems)) == ["bad_level", "duplicate_school", "other_county", "year_locked"]


def test_a_database_error_midway_leaves_the_database_as_it_was(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)
    rows = county_rows()
    rows[0]["students"] = 1300
    rows.append({**rows[3], "school_code": "1399010005", "school_name": "示范县第三小学"})
    before = counts()
    values = {r.pk: r.values() for r in CensusRecord.objects.all()}
    # The database refuses the last write (the import events): records, schools and school years are in by then.
    with on_insert(CensusEvent._meta.db_table), pytest.raises(actions.CensusError) as info:
        import_census(workbook(tmp_path, rows, "v2.xlsx"), YEAR, county=world.county, user=SYSTEM)

    assert info.value.code == "database_error" and "未写入任何数据" in info.value.message_zh
    assert "nothing of this import was written" in info.value.message_en
    assert counts() == before
    assert {r.pk: r.values() for r in CensusRecord.objects.all()} == values
    assert not School.objects.filter(code="1399010005").exists()


def test_a_record_changed_during_the_import_is_not_overwritten(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)
    rows = county_rows()
    rows[0]["students"] = 1300
    before = counts()
    record = CensusRecord.objects.get(school=world.primary)
    # Someone saves the record (1290 pupils, a new version) just as the import starts writing its batch.
    table = CensusRecord._meta.db_table
    someone = f"UPDATE {table} SET version = version + 1, students = 1290 WHERE id = {record.pk}"
    with on_insert(ImportBatch._meta.db_table, someone), pytest.raises(actions.CensusError) as info:
        import_census(workbook(tmp_path, rows, "v2.xlsx"), YEAR, county=world.county, user=SYSTEM)

    assert info.value.code == "conflict"
    assert counts() == before  # the other save went with the import's transaction
    assert CensusRecord.objects.get(pk=record.pk).students == 1200


# -- who may import


def test_who_may_not_import(world: World, tmp_path: Path) -> None:
    before = counts()
    for user in (world.observer, world.neighbour_supervisor, world.province_inspector):
        with pytest.raises(PermissionDenied):
            import_census(workbook(tmp_path), YEAR, county=world.county, user=user)
    assert counts() == before


def test_a_school_clerk_imports_only_their_own_school(world: World, tmp_path: Path) -> None:
    """The clerk of 示范县第一小学: the county's file is refused at every other school's row (nothing said
    of them) and nothing is written; their own row imports, submitted; the register's attributes are not
    theirs to change."""
    problems = problems_of(workbook(tmp_path), county=world.county, user=world.school_clerk)
    assert {(p.rule, p.value) for p in problems} == {
        ("not_own_school", code) for code in ("1399010002", "1399010003", "1399010004")
    }
    own = county_rows()[:1]
    renamed = [{**own[0], "school_name": "示范县实验小学"}]
    (problem,) = problems_of(workbook(tmp_path, renamed), county=world.county, user=world.school_clerk)
    assert problem.rule == "register_change" and "学校名称" in problem.message_zh
    result = import_census(workbook(tmp_path, own), YEAR, county=world.county, user=world.school_clerk)
    assert (result.created + result.updated, result.not_submitted) == (1, [])
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    assert (record.status, record.students) == ("submitted", 1200)


def test_rows_of_a_county_the_user_may_not_review(world: World, tmp_path: Path) -> None:
    rows = [{**r, "county_code": "139901"} for r in county_rows()]
    rows.append({**county_rows()[0], "school_code": "1399020001", "school_name": "邻县第一小学",
                 "county_code": "139902"})  # fmt: skip
    (problem,) = problems_of(workbook(tmp_path, rows), county=None, user=world.county_supervisor)
    assert (problem.rule, problem.row, problem.value) == ("not_permitted", 7, "139902")
    assert "邻县" not in problem.message_zh + problem.message_en  # nothing said of a county one may not import
    before = counts()
    with pytest.raises(PermissionDenied):  # one who reviews no county: refused before the file is read
        import_census(workbook(tmp_path, rows[:1]), YEAR, county=None, user=world.school_clerk)
    assert counts() == before


def test_the_county_supervisor_may_import(world: World, tmp_path: Path) -> None:
    result = import_census(workbook(tmp_path), YEAR, county=world.county, user=world.county_supervisor)
    assert result.created == 4


# -- the command


def test_the_command_prints_a_summary_in_chinese(world: World, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = [r for r in county_rows() if r["school_code"] != "1399010002"]
    call_command("import_census", str(workbook(tmp_path, rows)), "--year", str(YEAR), "--county", "139901")
    out = capsys.readouterr().out
    assert "已导入：county.xlsx" in out and "新建 3 条" in out and "未变 0 条" in out
    assert "未报送（1 所）" in out and "示范县第一中学（1399010002，139901）" in out


def test_the_command_dry_run_in_english(world: World, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    before = counts()
    call_command(
        "import_census", str(workbook(tmp_path)), "--year", str(YEAR), "--county", "139901", "--dry-run",
        "--lang", "en", "--user", "县督导",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert counts() == before
    assert "Dry run (nothing written)" in out and "4 would be created" in out
    assert "row 3 示范县第一小学 (1399010001, primary): create, 6 value(s)" in out


@pytest.mark.parametrize(
    ("lang", "expected", "summary"),
    [
        ("zh", "工作表“学校数据”，第3行，列“在校生数”：不能为负数（值：-5） [negative]", "1 处错误，未导入任何数据"),
        ("en", "sheet '学校数据', row 3, column '在校生数': Must not be negative (value '-5') [negative]",
         "1 problem(s); nothing was imported"),
    ],
)  # fmt: skip
def test_the_command_exits_non_zero_with_every_problem(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
    lang: str, expected: str, summary: str,
) -> None:  # fmt: skip
    from django.core.management import ManagementUtility

    rows = county_rows()
    rows[0]["students"] = -5
    path = workbook(tmp_path, rows)
    before = counts()
    # run as from the shell; keep the test's database connection open
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["dudao", "import_census", str(path), "--year", str(YEAR), "--county", "139901",
                           "--lang", lang]).execute()  # fmt: skip
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert expected in err and summary in err
    assert counts() == before


def test_the_command_refuses_a_user_without_the_permission(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="观察员 无权导入 139901"):
        call_command("import_census", str(workbook(tmp_path)), "--year", str(YEAR), "--county", "139901",
                     "--user", "观察员")  # fmt: skip
    with pytest.raises(CommandError, match="处错误"):  # a clerk: only their own school's rows
        call_command("import_census", str(workbook(tmp_path)), "--year", str(YEAR), "--county", "139901",
                     "--user", "一小填报员")  # fmt: skip
    assert CensusRecord.objects.count() == 0


def test_the_command_needs_a_known_county_and_user(world: World, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = str(workbook(tmp_path))
    with pytest.raises(CommandError, match="No county with code 139999"):
        call_command("import_census", path, "--year", str(YEAR), "--county", "139999", "--lang", "en")
    with pytest.raises(CommandError, match="没有（启用的）用户 nobody"):
        call_command("import_census", path, "--year", str(YEAR), "--county", "139901", "--user", "nobody")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_census", path, "--year", str(YEAR))
    assert "[county_required]" in capsys.readouterr().err


def test_workbook_helper_writes_the_template_layout(tmp_path: Path) -> None:
    """The tests' files are the template's layout (headers in row 1, keys in row 2, data from row 3)."""
    path = workbook(tmp_path)
    ws = load_workbook(path)[DATA_SHEET]
    assert ws["A1"].value == "学校标识码" and ws["A2"].value == "school_code" and ws["A3"].value == "1399010001"
