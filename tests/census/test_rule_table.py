"""The census rule table (``dudao/standards/data/checks/census.yaml``): impossible figures are refused and
unusual ones warned about, alike on the entry form, through the API and in an import; a year-on-year change
of any figure past the table's ratio is unusual; the table is data and an override file changes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord
from dudao.census.plausibility import build, rule_table
from dudao.engine.problems import InputError
from dudao.orgs.models import School, SchoolYear
from dudao.sheets.columns import COLUMN_BY_KEY
from dudao.sheets.template import DATA_SHEET, write_rows
from dudao.standards.checks import load_checks
from tests.api.conftest import FIGURES, call
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def workbook(tmp_path: Path, school: School, name: str, school_type: str = "primary", **figures: Any) -> Path:
    path = tmp_path / "county.xlsx"
    level = "primary" if school_type in ("primary", "special") else school_type
    write_rows(path, [{"school_code": school.code, "school_name": name, "school_type": school_type, "level": level,
                       "location": "urban", "ownership": "public", **FIGURES, **figures}])  # fmt: skip
    return path


def form_post(client: Client, school: School, **figures: Any) -> str:
    data = {"primary-version": "0", **{f"primary-{k}": str(v) for k, v in {**FIGURES, **figures}.items()}}
    url = reverse("census:save", args=[school.code, YEAR, "primary"])
    return client.post(url, data, follow=True).text


def special_school(world: World) -> School:
    school = School.objects.create(code="1399010009", county=world.county)
    SchoolYear.objects.create(school=school, year=YEAR, name="示范县特殊教育学校", school_type="special")
    return school


# -- impossible figures: refused everywhere ---------------------------------------------------------------


@pytest.mark.parametrize(("teachers", "students"), [(999, 174), (5000, 1108)])
def test_more_teachers_than_pupils_is_refused_on_the_form(world: World, teachers: int, students: int) -> None:
    page = form_post(client_for(world.school_clerk), world.primary, teachers=teachers, students=students)
    assert f"专任教师数（{teachers}）多于在校生数（{students}），不可能" in page and "未保存" in page
    assert not CensusRecord.objects.exists()


def test_more_teachers_than_pupils_is_refused_by_the_api(world: World) -> None:
    client = client_for(world.school_clerk)
    body = {"values": {**FIGURES, "teachers": 999, "students": 174}}
    response = call(client, "PUT", f"/census/records/{world.primary.code}/{YEAR}/primary", body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "impossible_values"
    assert [(d["rule"], d["field"], d["kind"]) for d in error["details"]] == [
        ("teachers_exceed_students", "teachers", "impossible")
    ]
    assert "teachers (999) exceed students (174)" in error["message_en"]
    assert not CensusRecord.objects.exists()


def test_more_teachers_than_pupils_refuses_the_import(world: World, tmp_path: Path) -> None:
    path = workbook(tmp_path, world.primary, "示范县第一小学", teachers=5000, students=1108)
    for dry_run in (True, False):
        with pytest.raises(InputError) as info:
            import_census(path, YEAR, county=world.county, user=SYSTEM, dry_run=dry_run)
        (problem,) = info.value.problems
        assert (problem.sheet, problem.row, problem.column, problem.value, problem.rule) == (
            DATA_SHEET, 3, COLUMN_BY_KEY["teachers"].zh, "5000", "teachers_exceed_students",
        )  # fmt: skip
        assert problem.message_zh.startswith("专任教师数（5000）多于在校生数（1108），不可能")
    assert not CensusRecord.objects.exists()


def test_a_class_larger_than_the_school_is_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(actions.CensusError) as info:
        actions.save_record(SYSTEM, world.primary, YEAR, "primary", {**FIGURES, "max_class_size": 1200})
    assert info.value.code == "impossible_values" and "最大班额（1200）大于在校生数（1000）" in info.value.message_zh
    path = workbook(tmp_path, world.primary, "示范县第一小学", max_class_size=1200)
    with pytest.raises(InputError) as refused:
        import_census(path, YEAR, county=world.county, user=SYSTEM)
    assert [p.rule for p in refused.value.problems] == ["class_larger_than_school"]


def test_an_impossible_figure_is_not_also_warned_about(world: World) -> None:
    """999 teachers for 174 pupils is also fewer than 4 pupils a teacher: the refusal says it once."""
    findings = actions.plausibility({**FIGURES, "teachers": 999, "students": 174}, None, "primary")
    assert [(w.rule, w.kind) for w in findings] == [("teachers_exceed_students", "impossible")]


# -- unusual figures: warned about, saved with a note ----------------------------------------------------


def test_a_special_school_may_have_more_teachers_than_pupils_with_a_note(world: World) -> None:
    school = special_school(world)
    figures = {**FIGURES, "students": 40, "teachers": 45, "teachers_above_qualification": 40, "backbone_teachers": 3,
               "pe_art_teachers": 4}  # fmt: skip
    with pytest.raises(actions.CensusError) as info:
        actions.save_record(SYSTEM, school, YEAR, "primary", figures)
    assert info.value.code == "note_required"
    assert "特殊教育学校专任教师数（45）多于在校生数（40）" in info.value.message_zh
    saved = actions.save_record(SYSTEM, school, YEAR, "primary", figures, note="含送教上门和康复训练教师")
    assert [w.rule for w in saved.warnings] == ["teachers_exceed_students_special"]


def test_few_pupils_per_teacher_is_unusual(world: World) -> None:
    findings = actions.plausibility({**FIGURES, "teachers": 300}, None, "primary")
    assert [(w.rule, w.kind) for w in findings] == [("few_students_per_teacher", "unusual")]


def test_ten_times_the_books_is_questioned_everywhere(world: World, tmp_path: Path) -> None:
    actions.save_record(SYSTEM, world.primary, YEAR - 1, "primary", FIGURES)
    # the form
    page = form_post(client_for(world.school_clerk), world.primary, books=300000)
    assert "数据异常，请填写情况说明后保存" in page
    assert "图书(册)由上学年的 30000 变为 300000（10 倍），变化超过 2 倍" in page
    assert not CensusRecord.objects.filter(year=YEAR).exists()
    # the API
    body = {"values": {**FIGURES, "books": 300000}}
    response = call(client_for(world.school_clerk), "PUT", f"/census/records/{world.primary.code}/{YEAR}/primary", body)
    assert response.status_code == 422 and response.json()["code"] == "note_required"
    assert [(d["rule"], d["field"]) for d in response.json()["details"]] == [("year_on_year", "books")]
    # the import: a warning, and the record is written
    result = import_census(workbook(tmp_path, world.primary, "示范县第一小学", books=300000), YEAR,
                           county=world.county, user=SYSTEM)  # fmt: skip
    (warning,) = [w for w in result.warnings if w.rule == "year_on_year"]
    assert (warning.column, warning.value) == (COLUMN_BY_KEY["books"].zh, "300000")
    assert CensusRecord.objects.get(year=YEAR).books == 300000


def test_a_fall_is_questioned_as_a_rise_is(world: World) -> None:
    findings = actions.plausibility({**FIGURES, "sports_area_m2": 2000}, FIGURES, "primary")
    assert [(w.rule, w.field) for w in findings] == [("year_on_year", "sports_area_m2")]
    assert findings[0].message_en == (
        "sports_area_m2 changed from 8000 last year to 2000 (0.25×), more than a 2× change"
    )


def test_small_counts_and_ordinary_changes_pass(world: World) -> None:
    before = {**FIGURES, "music_rooms": 1, "art_rooms": 1}
    now = {**FIGURES, "music_rooms": 3, "art_rooms": 1, "students": 1300, "books": 45000}
    assert actions.plausibility(now, before, "primary") == []


# -- the table is data -----------------------------------------------------------------------------------


def test_every_rule_reads_census_figures_and_has_both_languages() -> None:
    table = build(load_checks())
    codes = [entry.code for entry in table.source.rules]
    assert len(codes) == len(set(codes))
    for entry in table.source.rules:
        assert entry.message_zh and entry.message_en and entry.kind in ("impossible", "unusual")
        for figure in (entry.factor, entry.change.ratio if entry.change else None):
            assert figure is None or figure.basis, f"{entry.code}: every figure says why it was chosen"
    kinds = {entry.code: entry.kind for entry in table.source.rules}
    assert kinds["teachers_exceed_students"] == "impossible"
    assert kinds["teachers_exceed_students_special"] == "unusual"
    assert kinds["year_on_year"] == "unusual"


def test_an_override_file_changes_a_figure_and_a_kind(world: World, tmp_path: Path, settings: Any) -> None:
    override = tmp_path / "checks.yaml"
    override.write_text(
        "rules:\n"
        "  - {code: year_on_year, change: {ratio: {value: 20}}}\n"
        "  - {code: few_students_per_teacher, kind: impossible}\n",
        encoding="utf-8",
    )
    settings.DUDAO_CENSUS_CHECKS = str(override)
    assert rule_table().source.version == "1+override"
    assert actions.plausibility({**FIGURES, "books": 300000}, FIGURES, "primary") == []
    with pytest.raises(actions.CensusError) as info:
        actions.save_record(SYSTEM, world.primary, YEAR, "primary", {**FIGURES, "teachers": 300})
    assert info.value.code == "impossible_values"


def test_dudao_evaluate_applies_the_table_to_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The command line evaluation refuses impossible figures as any problem of the file, and lists the
    unusual ones with the report's warnings (no stored data there: no year-on-year comparison)."""
    rows = [{"county_code": "130135", "school_code": "2130010001", "school_name": "实验小学", "school_type": "primary",
             "level": "primary", **FIGURES, "teachers": 5000, "students": 1108}]  # fmt: skip
    path = tmp_path / "schools.xlsx"
    write_rows(path, rows)
    with pytest.raises(CommandError):
        call_command("evaluate", str(path))
    err = capsys.readouterr().err
    assert (
        "第3行，列“专任教师数”：专任教师数（5000）多于在校生数（1108），不可能" in err
        and "[teachers_exceed_students]" in err
    )
    write_rows(path, [{**rows[0], "school_type": "special", "teachers": 1200}])
    call_command("evaluate", str(path), "--format", "json", "--out", str(tmp_path / "r.json"))
    report = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert "teachers_exceed_students_special" in report
