"""The census template on the website and from ``dudao template --prefill``: prefilled with the unit's schools
(a county: all; a clerk: theirs) and their figures (this year's, else last year's), numbers as numbers, the key
columns protected, drop-down lists for the enumerations; it imports back unchanged, and LibreOffice opens it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord
from dudao.engine.problems import InputError
from dudao.sheets.reader import read_school_table
from dudao.sheets.template import DATA_SHEET, KEY_COLUMNS
from tests.api.conftest import FIGURES
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db

NINE_YEAR = {**FIGURES, "students": 1500, "students_primary": 900, "students_junior": 600, "teachers": 110,
             "teachers_above_qualification": 100, "backbone_teachers": 20, "pe_art_teachers": 14,
             "teachers_primary": 60, "teachers_junior": 50, "teachers_above_qualification_primary": 55,
             "teachers_above_qualification_junior": 45, "backbone_teachers_primary": 10,
             "backbone_teachers_junior": 10, "pe_art_teachers_primary": 7, "pe_art_teachers_junior": 7,
             "senior_title_teachers_primary": 30, "senior_title_teachers_junior": 25, "senior_title_teachers": 55,
             "teaching_aux_area_m2": "8789.28", "equipment_value_yuan": "3500000.5"}  # fmt: skip


ITEMS = {"classes": 24, "max_class_size": 45, "music_rooms": 2, "art_rooms": 0, "music_room_min_area_m2": "96.5",
         "certified_teachers": 58, "teachers_rotated": 3, "backbone_teachers_rotated": 1}  # fmt: skip


def stored(world: World, year: int = YEAR) -> None:
    """Three schools with every figure (an empty cell of a column the file has is an error on import)."""
    actions.save_record(SYSTEM, world.primary, year, "primary", {**FIGURES, **ITEMS})
    actions.save_record(SYSTEM, world.junior, year, "junior", {**FIGURES, **ITEMS, "students": 800, "teachers": 70})
    actions.save_record(SYSTEM, world.nine_year, year, "all", {**NINE_YEAR, **ITEMS, "certified_teachers": 100})


def workbook(response: Any) -> Any:
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def save(response: Any, path: Path) -> Path:
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_county_template_imports_back_unchanged(world: World, tmp_path: Path) -> None:
    stored(world)
    county = client_for(world.county_supervisor)
    path = save(county.get(reverse("census:county_template", args=[world.county.code, YEAR])), tmp_path / "t.xlsx")
    table = read_school_table(path)
    read = {(r.school_code, r.level): r for r in table.frame.itertuples()}
    assert set(read) == {(world.primary.code, "primary"), (world.junior.code, "junior"), (world.nine_year.code, "all")}
    for record in CensusRecord.objects.filter(year=YEAR):
        row = read[(record.school.code, record.level)]
        for key, value in record.values().items():
            if value is not None and key in table.present:
                assert getattr(row, key) == pytest.approx(float(value)), (record.school.code, key)
    result = import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    # only the columns no school has figures for (left empty, taken as not given) are mentioned
    assert {w.rule for w in result.warnings} == {"empty_column"}


def test_a_figure_missing_from_a_school_is_left_empty_and_the_import_names_it(world: World, tmp_path: Path) -> None:
    stored(world)
    actions.save_record(SYSTEM, world.junior, YEAR, "junior", {"books": None}, expected_version=1)
    path = tmp_path / "t.xlsx"
    call_command("template", str(path), "--prefill", "--county", world.county.code, "--year", str(YEAR),
                 stdout=io.StringIO())  # fmt: skip
    with pytest.raises(InputError) as info:
        import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert [(p.row, p.column, p.rule) for p in info.value.problems] == [(4, "图书(册)", "empty_value")]


def test_a_new_year_is_prefilled_with_last_years_figures(world: World, tmp_path: Path) -> None:
    stored(world, YEAR - 1)
    path = tmp_path / "new.xlsx"
    call_command("template", str(path), "--prefill", "--county", world.county.code, "--year", str(YEAR),
                 stdout=io.StringIO())  # fmt: skip
    result = import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert (result.created, result.updated) == (3, 0)
    for before in CensusRecord.objects.filter(year=YEAR - 1):
        now = CensusRecord.objects.get(school=before.school, year=YEAR, level=before.level)
        assert now.values() == before.values()
    help_sheet = load_workbook(path)["说明"]
    notes = " ".join(str(c.value) for c in help_sheet["A"])
    assert "预填上学年数据 3 所" in notes


def test_numbers_are_numbers_keys_are_protected_and_enums_are_lists(world: World) -> None:
    stored(world)
    book = workbook(client_for(world.county_supervisor).get(
        reverse("census:county_template", args=[world.county.code, YEAR])))  # fmt: skip
    sheet = book[DATA_SHEET]
    keys = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3, max_row=5))
    students = keys.index("students")
    assert all(r[students].data_type == "n" and isinstance(r[students].value, int) for r in rows)
    area = keys.index("teaching_aux_area_m2")
    assert {r[area].value for r in rows} >= {8789.28}
    assert sheet.protection.sheet is True and not sheet.protection.password
    for ci, key in enumerate(keys):
        locked = {r[ci].protection.locked for r in rows}
        assert locked == ({True} if key in KEY_COLUMNS else {False}), key
    assert sheet.column_dimensions["A"].protection.locked is False  # new schools below the list
    lists = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    letter = sheet.cell(row=2, column=keys.index("school_type") + 1).column_letter
    assert lists[letter].startswith('"小学,初中,九年一贯制')


def test_a_clerk_gets_their_schools_only(world: World, tmp_path: Path) -> None:
    stored(world)
    clerk = client_for(world.school_clerk)
    page = clerk.get(reverse("census:templates", args=[YEAR]))
    assert page.status_code == 200 and "本人负责的学校" in page.text and "示范县第一小学" in page.text
    assert reverse("census:county_template", args=[world.county.code, YEAR]) not in page.text
    path = save(clerk.get(reverse("census:my_template", args=[YEAR])), tmp_path / "mine.xlsx")
    assert read_school_table(path).frame["school_code"].tolist() == [world.primary.code]
    assert clerk.get(reverse("census:county_template", args=[world.county.code, YEAR])).status_code == 404
    # a county supervisor has no clerk's schools; another county's template is not there
    county = client_for(world.county_supervisor)
    assert county.get(reverse("census:my_template", args=[YEAR])).status_code == 404
    assert county.get(reverse("census:county_template", args=[world.neighbour.code, YEAR])).status_code == 404
    assert client_for(world.observer).get(
        reverse("census:county_template", args=[world.county.code, YEAR])).status_code == 403  # fmt: skip


def test_the_import_page_links_to_the_templates(world: World) -> None:
    county = client_for(world.county_supervisor)
    page = county.get(reverse("census:upload", args=[world.county.code, YEAR])).text
    assert f'href="{reverse("census:templates", args=[YEAR])}" id="template-link"' in page
    downloads = county.get(reverse("census:templates", args=[YEAR])).text
    assert reverse("census:county_template", args=[world.county.code, YEAR]) in downloads
    assert reverse("census:blank_template") in downloads
    blank = workbook(county.get(reverse("census:blank_template")))
    assert blank[DATA_SHEET]["C3"].value == "示例"


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_keeps_what_matters(world: World, tmp_path: Path) -> None:
    """LibreOffice (the real client here) re-saves the prefilled workbook: the protection and the figures
    survive, and the re-saved file still imports back unchanged."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    stored(world)
    source = tmp_path / "in" / "模板.xlsx"
    source.parent.mkdir()
    call_command("template", str(source), "--prefill", "--county", world.county.code, "--year", str(YEAR),
                 stdout=io.StringIO())  # fmt: skip
    out = tmp_path / "out"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    resaved = out / "模板.xlsx"
    sheet = load_workbook(resaved)[DATA_SHEET]
    assert sheet.protection.sheet is True
    assert sheet["C3"].protection.locked is True and sheet["I3"].protection.locked is True  # 乡镇, from the register
    assert sheet["J3"].protection.locked is False  # 在校生数
    result = import_census(resaved, YEAR, county=world.county, user=SYSTEM)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
