"""The import runs the plausibility checks of the entry form (``dudao.census.plausibility``) on every record it
creates or changes: each unusual figure is a warning naming sheet, row, column (as the file writes it), value
and rule in Chinese and English — on a dry run and a real one, from the command, the web upload and the API —
the import still writes, and the school page then asks for an explanation note (情况说明)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord
from dudao.census.plausibility import rule_table
from dudao.engine.problems import Problem
from dudao.sheets.columns import COLUMN_BY_KEY
from dudao.sheets.template import DATA_SHEET, write_rows
from tests.api.conftest import census_csv, upload
from tests.census.web import confirm
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db

CODES = {r.code for r in rule_table().rules}
CLEAN = {"students": 1000, "teachers": 60, "pe_art_teachers": 10, "teachers_above_qualification": 50,
         "backbone_teachers": 12, "certified_teachers": 58, "max_class_size": 45}  # fmt: skip

# rule -> (figures that trip it, the field it names, the value shown)
CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "pe_art_teachers": ({"pe_art_teachers": 70}, "pe_art_teachers", "70"),
    "teachers_above_qualification": ({"teachers_above_qualification": 61}, "teachers_above_qualification", "61"),
    "backbone_teachers": ({"backbone_teachers": 80}, "backbone_teachers", "80"),
    "certified_teachers": ({"certified_teachers": 99}, "certified_teachers", "99"),
    "year_on_year": ({"students": 400, "max_class_size": 40}, "students", "400"),
    "gym_larger_than_teaching_area": (
        {"indoor_gym_area_m2": 900, "teaching_aux_area_m2": 800},
        "indoor_gym_area_m2",
        "900",
    ),
}
RULE_OF = {
    "pe_art_teachers": "pe_art_exceed_teachers",
    "teachers_above_qualification": "above_qualification_exceed_teachers",
    "backbone_teachers": "backbone_exceed_teachers",
    "certified_teachers": "certified_exceed_teachers",
}  # else the case's name


def row(world: World, **figures: Any) -> dict[str, Any]:
    return {"school_code": world.primary.code, "school_name": "示范县第一小学", "school_type": "primary",
            "level": "primary", "location": "urban", "ownership": "public", **CLEAN, **figures}  # fmt: skip


def workbook(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "county.xlsx"
    write_rows(path, rows)
    return path


def last_year(world: World, **figures: Any) -> None:
    """Last year's record: the clean figures, or these (with a note where they are unusual)."""
    actions.save_record(SYSTEM, world.primary, YEAR - 1, "primary", {**CLEAN, **figures}, note="已核实")


def plausibility_warnings(warnings: list[Problem]) -> list[Problem]:
    return [w for w in warnings if w.rule in CODES]


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_warns_on_import_and_the_import_still_writes(world: World, tmp_path: Path, case: str) -> None:
    figures, field, value = CASES[case]
    previous = CLEAN if case == "year_on_year" else {**CLEAN, **figures}  # only the case's rule fires
    last_year(world, **previous)
    path = workbook(tmp_path, [row(world, **figures)])
    dry = import_census(path, YEAR, county=world.county, user=SYSTEM, dry_run=True)
    assert not CensusRecord.objects.filter(year=YEAR).exists()
    done = import_census(path, YEAR, county=world.county, user=SYSTEM)
    expected = actions.plausibility({**CLEAN, **figures}, previous)
    assert [(w.rule, w.field) for w in expected] == [(RULE_OF.get(case, case), field)]
    for result in (dry, done):
        (warning,) = plausibility_warnings(result.warnings)
        assert (warning.sheet, warning.row, warning.column, warning.value, warning.rule) == (
            DATA_SHEET, 3, COLUMN_BY_KEY[field].zh, value, expected[0].rule,
        )  # fmt: skip
        assert warning.message_zh.startswith(expected[0].message_zh) and "情况说明" in warning.message_zh
        assert warning.message_en.startswith(expected[0].message_en) and "explanation note" in warning.message_en
    record = CensusRecord.objects.get(school=world.primary, year=YEAR, level="primary")
    assert getattr(record, field) == int(value)  # written all the same


def test_the_year_on_year_message_names_last_years_figure(world: World, tmp_path: Path) -> None:
    last_year(world, students=1000)
    result = import_census(workbook(tmp_path, [row(world, students=400, max_class_size=40)]), YEAR,
                           county=world.county, user=SYSTEM)  # fmt: skip
    (warning,) = plausibility_warnings(result.warnings)
    assert warning.message_zh.startswith("在校生数由上学年的 1000 变为 400（0.4 倍），变化超过 2 倍")
    assert warning.message_en.startswith("students changed from 1000 last year to 400 (0.4×), more than a 2× change")


def test_a_clean_file_gives_no_warnings(world: World, tmp_path: Path) -> None:
    last_year(world)
    result = import_census(workbook(tmp_path, [row(world)]), YEAR, county=world.county, user=SYSTEM)
    assert result.created == 1 and result.warnings == []


def test_an_unchanged_record_is_not_checked_again(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path, [row(world, pe_art_teachers=70)])
    assert plausibility_warnings(import_census(path, YEAR, county=world.county, user=SYSTEM).warnings)
    again = import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert again.unchanged == 1 and plausibility_warnings(again.warnings) == []


def test_a_changed_record_is_checked_with_its_stored_figures(world: World, tmp_path: Path) -> None:
    """The file lacks the teachers column: the stored 60 teachers count, as on the form."""
    actions.save_record(SYSTEM, world.primary, YEAR, "primary", CLEAN)
    text = (
        f"school_code,school_name,school_type,level,pe_art_teachers\n{world.primary.code},示范县第一小学,小学,小学,75\n"
    )
    path = tmp_path / "pe.csv"
    path.write_text(text, encoding="utf-8")
    result = import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert result.updated == 1
    (warning,) = plausibility_warnings(result.warnings)
    assert (warning.row, warning.column, warning.value, warning.rule) == (2, "pe_art_teachers", "75",
                                                                          "pe_art_exceed_teachers")  # fmt: skip
    assert CensusRecord.objects.get(school=world.primary, year=YEAR).pe_art_teachers == 75


def test_the_form_and_the_import_agree(world: World, tmp_path: Path) -> None:
    """The same figures give the same warnings, in the same order, whichever way they come in."""
    figures = {"students": 300, "teachers": 20, "pe_art_teachers": 25, "backbone_teachers": 21,
               "certified_teachers": 19, "teachers_above_qualification": 30, "max_class_size": 60}  # fmt: skip
    last_year(world, students=700)
    result = import_census(workbook(tmp_path, [row(world, **figures)]), YEAR, county=world.county, user=SYSTEM)
    imported = plausibility_warnings(result.warnings)
    stored = CensusRecord.objects.get(school=world.primary, year=YEAR)
    previous = CensusRecord.objects.get(school=world.primary, year=YEAR - 1)
    on_form = actions.plausibility(stored.values(), previous.values(), "primary")
    # three over the teachers; students, teachers, PE/art and certified teachers changed more than 2× since last year
    assert len(on_form) == 7
    assert sorted((w.rule, w.field) for w in on_form) == sorted(
        (w.rule, next(k for k, c in COLUMN_BY_KEY.items() if c.zh == w.column)) for w in imported
    )
    assert sorted(w.message_zh for w in on_form) == sorted(w.message_zh.split("；导入后")[0] for w in imported)
    # And the form itself asks for the note on these figures.
    with pytest.raises(actions.CensusError) as info:
        actions.save_record(SYSTEM, world.junior, YEAR, "junior", figures)
    assert info.value.code == "note_required"


def test_the_command_prints_the_warnings(world: World, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = str(workbook(tmp_path, [row(world, pe_art_teachers=70)]))
    call_command("import_census", path, "--year", str(YEAR), "--county", world.county.code, "--dry-run")
    out = capsys.readouterr().out
    column = COLUMN_BY_KEY["pe_art_teachers"].zh
    assert f"工作表“{DATA_SHEET}”，第3行，列“{column}”：体育艺术专任教师数多于专任教师数" in out
    assert "（值：70） [pe_art_exceed_teachers]" in out
    call_command("import_census", path, "--year", str(YEAR), "--county", world.county.code, "--lang", "en")
    out = capsys.readouterr().out
    assert f"row 3, column '{column}': pe_art_teachers exceeds teachers" in out and "[pe_art_exceed_teachers]" in out
    assert CensusRecord.objects.get(school=world.primary, year=YEAR).pe_art_teachers == 70


def test_the_web_upload_shows_the_warnings_and_the_school_page_asks_for_a_note(world: World, tmp_path: Path) -> None:
    county = client_for(world.county_supervisor)
    path = workbook(tmp_path, [row(world, indoor_gym_area_m2=1200, teaching_aux_area_m2=1000)])
    url = reverse("census:upload", args=[world.county.code, YEAR])
    page = county.post(url, {"file": SimpleUploadedFile("示范县.xlsx", path.read_bytes())}, follow=True)
    assert "检查通过，尚未写入" in page.text and "gym_larger_than_teaching_area" in page.text
    assert COLUMN_BY_KEY["indoor_gym_area_m2"].zh in page.text and "室内体育用房面积（1200）大于" in page.text
    assert "1 条提示，相关记录须填写情况说明" in confirm(county, page).text
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    assert record.indoor_gym_area_m2 == 1200 and record.note == ""
    school = client_for(world.school_clerk).get(reverse("census:school", args=[world.primary.code, YEAR]))
    assert "数据异常，须填写情况说明" in school.text and 'data-needs-note="1"' in school.text
    actions.save_record(world.school_clerk, world.primary, YEAR, "primary", {}, note="含合班上课的体育课人数")
    school = client_for(world.school_clerk).get(reverse("census:school", args=[world.primary.code, YEAR]))
    assert "数据异常（已填写情况说明）" in school.text and 'data-needs-note="0"' in school.text


def test_the_api_import_reports_the_warnings(world: World) -> None:
    file = census_csv(world.primary, "示范县第一小学", pe_art_teachers=61)
    response = upload(client_for(world.county_supervisor), file, year=YEAR, county=world.county.code)
    assert response.status_code == 201
    (warning,) = [w for w in response.json()["warnings"] if w["rule"] in CODES]
    assert (warning["row"], warning["column"], warning["value"], warning["rule"]) == (
        2, "pe_art_teachers", "61", "pe_art_exceed_teachers",
    )  # fmt: skip
    assert warning["message_zh"].startswith("体育艺术专任教师数多于专任教师数")
    assert warning["message_en"].startswith("pe_art_teachers exceeds teachers")
    assert CensusRecord.objects.get(school=world.primary, year=YEAR).pe_art_teachers == 61
