"""Evaluation on stored data: a county's census in the database is evaluated by the same engine as a
spreadsheet, stored as a snapshot, and known to be stale when the data behind it changes."""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from dudao.census.actions import approve, save_record, submit
from dudao.census.models import CensusRecord
from dudao.engine import county_result, evaluate_table, result_summary
from dudao.evaluation.actions import (
    EvaluationError,
    current_run,
    evaluate_county,
    latest_run,
    latest_runs,
    set_county_item,
    stale_counties,
)
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import to_text
from dudao.orgs.models import Region, School, SchoolYear
from dudao.sheets.reader import read_school_table
from dudao.standards import load
from tests.personas import SYSTEM, YEAR, World

STANDARD = "national-2017"
FIGURES = [
    "students", "teachers", "teachers_above_qualification", "backbone_teachers", "pe_art_teachers",
    "senior_title_teachers", "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan",
    "multimedia_classrooms", "computers", "books",
]  # fmt: skip
# Three primary schools, two junior schools and a nine-year school entered as one whole-school record
# (split by the engine). 河西小学 misses L5 (1200.5 m² for 200 pupils, 6.0 m² against 7.5).
SCHOOLS = [
    # code, name, type, location, level, figures
    ("primary", "示范县第一小学", "primary", "urban", "primary",
     [1000, 60, 50, 12, 10, 30, 5000, 8000, 2500000, 25, 120, 30000]),
    ("1399010011", "示范县河西小学", "primary", "rural", "primary",
     [200, 14, 10, 2, 2, 5, 1000, "1200.5", 420000, 5, 20, 5000]),
    ("1399010012", "示范县东关小学", "primary", "town", "primary",
     [500, 30, 23, 6, 5, 15, 2400, 4000, 1100000, 12, 60, 15000]),
    ("junior", "示范县第一中学", "junior", "urban", "junior",
     [900, 70, 50, 10, 9, 40, 5400, 9500, 2400000, 23, 150, 40000]),
    ("1399010013", "示范县河西中学", "junior", "rural", "junior",
     [300, 25, 17, 4, 3, 12, 1800, 3200, 800000, 8, 40, 9000]),
]  # fmt: skip
NINE_YEAR = {
    "students": 800, "students_primary": 500, "students_junior": 300, "teachers": 55,
    "teachers_primary": 30, "teachers_junior": 25, "teachers_above_qualification": 41, "backbone_teachers": 10,
    "pe_art_teachers": 8, "senior_title_teachers": 19,
    "teachers_above_qualification_primary": 24, "teachers_above_qualification_junior": 17,
    "backbone_teachers_primary": 6, "backbone_teachers_junior": 4,
    "pe_art_teachers_primary": 5, "pe_art_teachers_junior": 3,
    "senior_title_teachers_primary": 10, "senior_title_teachers_junior": 9,
    "teaching_aux_area_m2": 4200, "sports_area_m2": 7000, "equipment_value_yuan": 1800000,
    "multimedia_classrooms": 20, "computers": 90, "books": 26000,
}  # fmt: skip
ZH = {
    "primary": "小学",
    "junior": "初中",
    "nine_year": "九年一贯制学校",
    "urban": "城区",
    "town": "镇区",
    "rural": "乡村",
}


def school(world: World, code: str, name: str, school_type: str, location: str) -> School:
    if code in ("primary", "junior"):
        return getattr(world, code)
    made = School.objects.create(code=code, county=world.county)
    SchoolYear.objects.create(school=made, year=YEAR, name=name, school_type=school_type, location=location)
    return made


def store_county(world: World) -> dict[str, CensusRecord]:
    """The county's census through the census action; returns the records by school code."""
    records = {}
    for code, name, school_type, location, level, figures in SCHOOLS:
        s = school(world, code, name, school_type, location)
        records[s.code] = save_record(SYSTEM, s, YEAR, level, dict(zip(FIGURES, figures, strict=True))).record
    records[world.nine_year.code] = save_record(SYSTEM, world.nine_year, YEAR, "all", NINE_YEAR).record
    return records


def write_sheet(world: World, path: Path) -> Path:
    """The same figures as a county office would type them into the template (Chinese spellings)."""
    keys = ["county_code", "county_name", "school_code", "school_name", "school_type", "level", "location",
            "ownership", *FIGURES, *[k for k in NINE_YEAR if k not in FIGURES]]  # fmt: skip
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(keys)
    for code, name, school_type, location, level, figures in SCHOOLS:
        code = getattr(world, code).code if code in ("primary", "junior") else code
        row = {"school_code": code, "school_name": name, "school_type": ZH[school_type], "level": ZH[level],
               "location": ZH[location], **dict(zip(FIGURES, figures, strict=True))}  # fmt: skip
        ws.append([_cell(row.get(k), k, world) for k in keys])
    row = {"school_code": world.nine_year.code, "school_name": "示范县城关九年一贯制学校",
           "school_type": "九年一贯制学校", "level": "全校", "location": "镇区", **NINE_YEAR}  # fmt: skip
    ws.append([_cell(row.get(k), k, world) for k in keys])
    wb.save(path)
    return path


def _cell(value: Any, key: str, world: World) -> Any:
    if key == "county_code":
        return world.county.code
    if key == "county_name":
        return world.county.name
    if key == "ownership":
        return "公办"
    return float(value) if isinstance(value, str) and key in NINE_YEAR else value


def strip_rows(value: Any) -> Any:
    """The result without where the figures came from (spreadsheet row or record id)."""
    if isinstance(value, dict):
        return {k: strip_rows(v) for k, v in value.items() if k not in ("source_row", "row")}
    if isinstance(value, list):
        return [strip_rows(v) for v in value]
    return value


def assert_same(a: Any, b: Any, where: str = "result") -> None:
    """Equal, floats to 12 significant digits (summation order may differ with row order)."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.fixture
def stored(world: World) -> dict[str, CensusRecord]:
    return store_county(world)


def test_stored_county_evaluates_as_its_spreadsheet(world: World, stored: dict, tmp_path: Path) -> None:
    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)

    table = read_school_table(write_sheet(world, tmp_path / "county.xlsx"))
    typed = county_result(evaluate_table(table.frame, load(STANDARD), table.present), world.county.code)
    sheet = typed.to_dict()

    stored_result = run.result
    for level in ("primary", "junior"):
        for code, ind in sheet["levels"][level]["indicators"].items():
            mine = stored_result["levels"][level]["indicators"][code]
            assert mine["cv"] == pytest.approx(ind["cv"], rel=1e-12), (level, code)
            assert mine["cv_3dp"] == ind["cv_3dp"]
            assert mine["cv_passed"] == ind["cv_passed"]
    verdicts = {(s["school_code"], s["level"]): (s["passed"], s["met_count"]) for s in sheet["schools"]}
    assert {(s["school_code"], s["level"]): (s["passed"], s["met_count"]) for s in stored_result["schools"]} == verdicts
    assert len(verdicts) == 7  # the nine-year school split into its two level parts
    assert verdicts[("1399010011", "primary")][0] is False
    # Not only CVs and verdicts: the whole result, and so the report, is the spreadsheet's.
    assert_same(strip_rows(stored_result), strip_rows(json.loads(typed.to_json())))
    assert to_text(run.result_obj) == to_text(typed)
    assert run.passed is False and stored_result["areas"]["RA"]["passed"] is False


def test_run_is_a_snapshot_with_versions(world: World, stored: dict) -> None:
    submit(SYSTEM, stored[world.primary.code])
    approve(SYSTEM, stored[world.primary.code])
    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD, province="hebei")
    run.refresh_from_db()
    assert (run.county, run.year, run.standard_id, run.province) == (world.county, YEAR, STANDARD, "hebei")
    assert run.standard_version == load(STANDARD, province="hebei").version
    assert run.result["standard"]["province"] is not None
    assert len(run.data_version) == 64
    assert run.created_by == world.county_supervisor and run.created_at is not None
    assert run.records_by_status == {"approved": 1, "draft": 5}
    assert run.census_locked is False
    assert latest_run(world.county, YEAR, STANDARD) == run
    assert latest_run(world.county, YEAR - 1, STANDARD) is None


def test_fresh_until_the_data_behind_it_changes(world: World, stored: dict) -> None:
    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    assert not run.is_stale()

    # Changes elsewhere leave it fresh: another county, another year, another standard's items.
    save_record(SYSTEM, world.neighbour_school, YEAR, "primary", {"students": 300})
    save_record(SYSTEM, world.primary, YEAR - 1, "primary", {"students": 990})
    set_county_item(SYSTEM, world.county, YEAR, "basic-2012", *_an_item("basic-2012"))
    set_county_item(SYSTEM, world.neighbour, YEAR, STANDARD, "SR-01", 0.9)
    assert not run.is_stale()

    record = stored[world.primary.code]
    save_record(SYSTEM, world.primary, YEAR, "primary", {"books": 31000}, expected_version=record.version)
    assert run.is_stale()

    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    assert not run.is_stale()
    submit(world.school_clerk, CensusRecord.objects.get(pk=record.pk))  # status only
    assert run.is_stale()

    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "SR-01", "90%")
    assert run.is_stale()

    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(location="rural")  # the school, that year
    assert run.is_stale()

    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    new_school = school(world, "1399010014", "示范县新建小学", "primary", "urban")
    save_record(SYSTEM, new_school, YEAR, "primary", {"students": 100})  # a record added
    assert run.is_stale()


def _an_item(standard_id: str) -> tuple[str, str]:
    item = next(i for area in load(standard_id).areas for i in area.items)
    return item.code, "是" if item.threshold is None else str(item.threshold.value)


def test_a_past_run_keeps_and_reproduces_its_result(world: World, stored: dict) -> None:
    run = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    before = json.loads(json.dumps(run.result))
    hexi = School.objects.get(code="1399010011")
    record = stored[hexi.code]
    # 河西小学 gets its sports ground: 1500 m² for 200 pupils meets L5.
    save_record(SYSTEM, hexi, YEAR, "primary", {"sports_area_m2": 1500}, expected_version=record.version)
    set_county_item(SYSTEM, world.county, YEAR, STANDARD, "SR-01", 0.84)

    later = evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    school = next(s for s in later.result["schools"] if s["school_code"] == hexi.code)
    assert school["indicators"]["L5"]["met"] is True
    assert later.result["vetoes"] and later.result != before

    past = EvaluationRun.objects.get(pk=run.pk)
    assert past.result == before
    assert past.is_stale() and not later.is_stale()
    assert past.reproduce().to_dict() == past.result  # from its stored inputs, not today's data
    assert later.reproduce().to_dict() == later.result
    assert latest_run(world.county, YEAR, STANDARD) == later


@pytest.mark.parametrize("who", ["school_clerk", "observer", "neighbour_supervisor", "city_inspector",
                                 "province_inspector", "department_clerk"])  # fmt: skip
def test_only_a_reviewer_of_the_county_evaluates(world: World, stored: dict, who: str) -> None:
    with pytest.raises(PermissionDenied):
        evaluate_county(getattr(world, who), world.county, YEAR, STANDARD)
    assert not EvaluationRun.objects.exists()


def test_refusals_are_specific_and_write_nothing(world: World, stored: dict) -> None:
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(world.county_supervisor, world.county, YEAR - 1, STANDARD)
    assert exc.value.code == "no_records" and "2024" in exc.value.message_zh and "2024" in exc.value.message_en
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(world.county_supervisor, world.county, YEAR, "national-1999")
    assert exc.value.code == "unknown_standard"
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(SYSTEM, world.city, YEAR, STANDARD)
    assert exc.value.code == "not_a_county"
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(SYSTEM, world.county, YEAR, "preschool-2020")
    assert exc.value.code == "not_supported"
    assert not EvaluationRun.objects.exists()


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("evaluate_county", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_the_report_and_stores_the_run(world: World, stored: dict, tmp_path: Path) -> None:
    out, err = run_command("--county", world.county.code, "--year", str(YEAR))
    run = latest_run(world.county, YEAR, STANDARD)
    assert run is not None and run.created_by is None
    assert out == to_text(run.result_obj)
    assert "县域义务教育优质均衡发展督导评估办法" in out and "示范县河西小学" in out
    assert f"#{run.pk}" in err
    # The same report as `dudao evaluate` on the same figures in a spreadsheet.
    sheet = StringIO()
    call_command("evaluate", str(write_sheet(world, tmp_path / "c.xlsx")), stdout=sheet, stderr=StringIO())
    assert out == sheet.getvalue()

    out, _ = run_command("--county", world.county.code, "--year", str(YEAR), "--format", "json", "--lang", "en")
    assert json.loads(out) == latest_run(world.county, YEAR, STANDARD).result
    assert EvaluationRun.objects.count() == 2

    out, _ = run_command("--county", world.county.code, "--year", str(YEAR), "--province", "hebei", "--lang", "en")
    assert "Provincial profile: 河北省" in out
    assert latest_run(world.county, YEAR, STANDARD).province == "hebei"


def test_command_fails_loudly(world: World, stored: dict) -> None:
    with pytest.raises(CommandError, match="999999"):
        run_command("--county", "999999", "--year", str(YEAR))
    with pytest.raises(CommandError, match="没有学校统计数据"):
        run_command("--county", world.county.code, "--year", "2000")
    with pytest.raises(CommandError, match="no census records"):
        run_command("--county", world.county.code, "--year", "2000", "--lang", "en")
    assert not EvaluationRun.objects.exists()
    assert Region.objects.filter(code=world.county.code).exists()


def test_staleness_is_two_queries(world: World, stored: dict, django_assert_num_queries: Any) -> None:
    run = evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    with django_assert_num_queries(2):
        assert not run.is_stale()


def test_data_changing_while_read_is_not_stored_as_fresh(
    world: World, stored: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = iter(str(n) for n in range(100))
    monkeypatch.setattr("dudao.evaluation.actions.data_version", lambda *args: next(versions))
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    assert exc.value.code == "busy"
    assert not EvaluationRun.objects.exists()


def test_data_the_engine_refuses_names_the_school(world: World, stored: dict) -> None:
    SchoolYear.objects.filter(school=world.junior, year=YEAR).update(school_type="")
    with pytest.raises(EvaluationError) as exc:
        evaluate_county(world.county_supervisor, world.county, YEAR, STANDARD)
    assert exc.value.code == "invalid_data"
    assert f"学校 {world.junior.code}" in exc.value.message_zh and world.junior.code in exc.value.message_en
    assert exc.value.details[0]["record"] == stored[world.junior.code].pk
    assert not EvaluationRun.objects.exists()


def test_command_all_evaluates_each_county_with_data_once(world: World, stored: dict) -> None:
    out, _ = run_command("--all")
    run = latest_run(world.county, YEAR, STANDARD)
    assert out == f"{world.county.code} 示范县 {YEAR}: #{run.pk} 未达标\n"
    out, _ = run_command("--all", "--lang", "en")  # nothing changed: nothing evaluated again
    assert out == f"{world.county.code} 示范县 {YEAR}: #{run.pk} unchanged\n"
    assert EvaluationRun.objects.count() == 1
    save_record(SYSTEM, world.primary, YEAR, "primary", {"computers": 10})
    run_command("--all", "--year", str(YEAR))
    assert EvaluationRun.objects.count() == 2 and not latest_run(world.county, YEAR, STANDARD).is_stale()
    with pytest.raises(CommandError, match="--year"):
        run_command("--county", world.county.code)


def test_lists_read_latest_runs_and_staleness_in_three_queries(
    world: World, stored: dict, django_assert_num_queries: Any
) -> None:
    old = evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    new = evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    counties = [world.county, world.neighbour]
    with django_assert_num_queries(3):
        runs = latest_runs(counties, YEAR, STANDARD)
        stale = stale_counties(runs, YEAR, STANDARD)
    assert list(runs) == [world.county.pk] and runs[world.county.pk].pk == new.pk != old.pk
    assert stale == set()
    assert runs[world.county.pk].summary == result_summary(new.result_obj).to_dict()
    # 河西小学 (primary) and the nine-year school's junior part fail the per-school rule.
    levels = new.summary["levels"]
    assert new.summary["schools_failing"] == 2 and new.summary["schools"] == 6
    assert (levels["primary"]["schools_failed"], levels["junior"]["schools_failed"]) == (1, 1)
    assert (
        levels["primary"]["indicators"]["L5"]["cv_3dp"] == new.result["levels"]["primary"]["indicators"]["L5"]["cv_3dp"]
    )
    save_record(SYSTEM, world.primary, YEAR, "primary", {"computers": 10})
    assert stale_counties(latest_runs(counties, YEAR, STANDARD), YEAR, STANDARD) == {world.county.pk}


def test_current_run_reuses_a_fresh_run_and_replaces_a_stale_one(world: World, stored: dict) -> None:
    first = current_run(world.county, YEAR, STANDARD)
    assert current_run(world.county, YEAR, STANDARD).pk == first.pk
    save_record(SYSTEM, world.primary, YEAR, "primary", {"computers": 10})
    second = current_run(world.county, YEAR, STANDARD)
    assert second.pk != first.pk and not second.is_stale() and second.created_by is None
    with pytest.raises(EvaluationError):
        current_run(world.county, 2000, STANDARD)


def test_a_school_without_location_or_ownership_is_evaluated(world: World, stored: dict) -> None:
    SchoolYear.objects.filter(school=world.primary, year=YEAR).update(location="", ownership="")
    run = evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    school = next(s for s in run.result["schools"] if s["school_code"] == world.primary.code)
    assert (school["location"], school["ownership"]) == (None, None)
