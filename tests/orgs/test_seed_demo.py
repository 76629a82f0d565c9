"""``dudao seed_demo``: the demo province, city and counties, three census years, a user for every role.

The seed runs once for the module (``seeded``, committed outside the per-test transactions and
deleted again at the end); each test reads it, and what a test writes is rolled back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings
from openpyxl import load_workbook
from pytest_django import DjangoDbBlocker

from dudao.census.importing import import_census
from dudao.census.models import CensusChange, CensusEvent, CensusRecord, CensusYear
from dudao.census.tables import census_table
from dudao.demo.synthetic import demo_county
from dudao.engine import evaluate_table
from dudao.orgs import demo
from dudao.orgs.access import region_permissions, school_permissions
from dudao.orgs.models import Department, Membership, Region, Role, School, SchoolYear
from dudao.standards import load
from tests.personas import SYSTEM

COUNTY = demo.COUNTY_CODE


@dataclass
class Seeded:
    output: str
    before: dict[str, int]  # row counts before the seed
    after: dict[str, int]


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Seeded]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        before = demo.counts()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        try:
            yield Seeded(out.getvalue(), before, demo.counts())
        finally:
            demo.reset()
            assert demo.counts() == before


@pytest.fixture
def county(seeded: Seeded, db: None) -> Region:
    return Region.objects.get(code=COUNTY)


def test_the_hierarchy_a_province_a_city_of_three_counties_with_towns(seeded: Seeded, county: Region) -> None:
    assert demo.PASSWORD in seeded.output and "school-shuangmiao" in seeded.output
    province = Region.objects.get(level="province")
    city = Region.objects.get(level="city")
    assert (province.code, province.name, city.parent) == ("13", "河北省", province)
    counties = Region.objects.filter(level="county")
    assert {c.code for c in counties} == {COUNTY, *demo.NEIGHBOURS} and {c.parent for c in counties} == {city}
    towns = Region.objects.filter(level="town", parent=county)
    assert {t.name for t in towns} == {name for _, name, _, _ in demo.DEMO_TOWNS}
    assert {t.name[-2:] == "街道" or t.name[-1] for t in towns} == {True, "镇", "乡"}
    for other in counties.exclude(code=COUNTY):
        assert other.children.count() >= 2
    assert all(r.path == f"{r.parent.path if r.parent else '/'}{r.code}/" for r in Region.objects.all())


def test_the_county_departments_and_education_sections(county: Region) -> None:
    kinds = set(Department.objects.filter(county=county).values_list("kind", flat=True))
    assert {"finance", "staffing", "hr", "police", "market", "transport", "development", "housing"} <= kinds
    assert {"education", "education_section", "town"} <= kinds
    bureau = Department.objects.get(county=county, kind="education")
    assert {d.name.removeprefix("示范县教育局") for d in bureau.sections.all()} == {
        "人事科",
        "计财科",
        "装备中心",
        "基教科",
    }
    assert Department.objects.filter(county=county, kind="town").count() == len(demo.DEMO_TOWNS)


def test_about_sixty_schools_of_every_type_location_and_ownership(county: Region) -> None:
    current = SchoolYear.objects.filter(school__county=county, year=2025, status="open")
    assert 55 <= current.count() <= 65
    assert set(current.values_list("school_type", flat=True)) == {
        "primary",
        "junior",
        "nine_year",
        "twelve_year",
        "complete_middle",
        "special",
        "teaching_point",
    }
    assert set(current.values_list("location", flat=True)) == {"urban", "town", "rural"}
    assert set(current.values_list("ownership", flat=True)) == {"public", "private"}
    assert not current.filter(town__isnull=True).exists()
    assert set(current.values_list("town__parent", flat=True)) == {county.pk}
    for code in demo.NEIGHBOURS:
        assert 25 <= SchoolYear.objects.filter(school__county__code=code, year=2025).count() <= 35
        assert not CensusRecord.objects.filter(school__county__code=code).exclude(year=2025).exists()


def test_three_years_of_records_2023_and_2024_approved_and_locked(county: Region) -> None:
    records = CensusRecord.objects.filter(school__county=county)
    per_year = Counter(records.values_list("year", flat=True))
    assert per_year == {2023: 60, 2024: 59, 2025: 60}
    for year in (2023, 2024):
        assert set(records.filter(year=year).values_list("status", flat=True)) == {"approved"}
        census_year = CensusYear.objects.get(county=county, year=year)
        assert census_year.locked and census_year.locked_by.username == "county"
        assert census_year.events.filter(action="lock").count() == 1
    assert not CensusYear.objects.get(county=county, year=2025).locked
    # Enrolment drifts: the county town grows, the villages shrink.
    location = dict(SchoolYear.objects.filter(school__county=county, year=2025).values_list("school", "location"))
    pupils: dict[tuple[str, int], int] = Counter()
    for school, year, n in records.filter(school__in=list(location)).values_list("school", "year", "students"):
        pupils[location[school], year] += n
    assert pupils["urban", 2025] > pupils["urban", 2023] and pupils["rural", 2025] < pupils["rural", 2023]


def test_2025_is_mid_season(county: Region) -> None:
    mix = demo.status_mix()
    assert mix["approved"] > sum(mix.values()) / 2
    assert mix["submitted"] >= 5 and mix["returned"] == 2 and 1 <= mix["draft"] <= 5
    returned = CensusRecord.objects.filter(school__county=county, year=2025, status="returned")
    assert all(r.return_reason.strip() for r in returned)
    assert returned.get(school__years__name="示范县第五小学", school__years__year=2025).events.filter(
        action="return", reason__contains="第七小学"
    )


def test_every_value_and_step_has_its_audit_trail(county: Region) -> None:
    """Replaying the changes gives each stored value; replaying the events gives each status."""
    records = {r.pk: r for r in CensusRecord.objects.filter(school__county__parent__code=demo.CITY[0])}
    values: dict[int, dict[str, str | None]] = defaultdict(dict)
    for change in CensusChange.objects.filter(record__in=records.values()).order_by("at", "pk"):
        assert values[change.record_id].get(change.field) == change.old
        values[change.record_id][change.field] = change.new
    status: dict[int, str] = {}
    after = {"create": "draft", "submit": "submitted", "approve": "approved", "return": "returned"}
    for event in CensusEvent.objects.filter(record__in=records.values()).order_by("at", "pk"):
        assert (event.action == "create") == (event.record_id not in status)
        status[event.record_id] = after[event.action]
        assert event.user is not None
    for pk, record in records.items():
        stored = {k: str(v) for k, v in record.values().items() if v is not None}
        assert values[pk] == stored, record
        assert status[pk] == record.status, record


def test_the_merged_school_keeps_its_history(county: Region) -> None:
    merged = School.objects.get(code=demo.MERGED_SCHOOL[0])
    years = {sy.year: sy for sy in merged.years.all()}
    assert years[2023].status == "open" and years[2024].status == "merged"
    target = years[2024].merged_into
    assert target.years.get(year=2024).name == demo.MERGE_TARGET
    assert list(merged.census_records.values_list("year", flat=True)) == [2023]
    pupils = dict(target.census_records.values_list("year", "students"))
    assert pupils[2024] > pupils[2023] + 40  # took over the merged school's pupils
    new = School.objects.get(years__name=demo.NEW_SCHOOL)
    assert list(new.years.values_list("year", flat=True)) == [2025]
    assert list(new.census_records.values_list("year", "status")) == [(2025, "submitted")]


def test_a_user_for_every_role_logs_in_with_the_documented_password(county: Region, client: Client) -> None:
    users = demo.demo_users()
    assert {u.role for u in users} == set(Role.values)
    assert {"province", "city", "county", "observer", "finance", "school"} <= {u.username for u in users}
    for demo_user in users:
        assert client.login(username=demo_user.username, password=demo.PASSWORD), demo_user.username
        client.logout()
    school = School.objects.get(years__name=demo.OWN_CLERK_SCHOOL, years__year=2025)
    village = School.objects.get(years__name=demo.NO_BACKBONE_SCHOOL, years__year=2025)
    person = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    assert region_permissions(person["province"], county) == {"view", "inspect", "audit"}
    assert region_permissions(person["city"], county) == {"view", "inspect", "audit"}
    assert region_permissions(person["observer"], county) == {"view"}
    assert region_permissions(person["county"], county) == {
        "view", "edit", "submit", "review", "inspect", "org", "accounts", "audit"
    }  # fmt: skip
    assert region_permissions(person["county-xinxiang"], county) == frozenset()
    assert school_permissions(person["school"], school) == {"view", "edit", "submit"}
    assert school_permissions(person["school"], village) == frozenset()
    assert school_permissions(person["school-shuangmiao"], village) == {"view", "edit", "submit"}
    assert Membership.objects.get(user=person["finance"]).department.name == "示范县财政局"
    # Every school of the demo county has a clerk; one clerk serves the schools of a town.
    clerked = Membership.objects.filter(role=Role.SCHOOL_CLERK, school__county=county)
    assert set(clerked.values_list("school", flat=True)) == set(
        School.objects.filter(county=county).values_list("pk", flat=True)
    )


def test_the_stored_county_evaluates_like_the_demo_spreadsheet(county: Region) -> None:
    standard = load("national-2017")

    def failing(counties: list[Region], year: int) -> int:
        frame, present = census_table(counties, year)
        evaluation = evaluate_table(frame, standard, present)
        return int(evaluation.schools["passed"].eq(False).sum())

    frame, present = census_table([county], 2025)
    stored = evaluate_table(frame, standard, present).schools.set_index(["school_code", "level"]).sort_index()
    sheet = evaluate_table(demo_county(demo.DEMO_SEED), standard).schools.set_index(["school_code", "level"])
    assert stored["passed"].eq(False).any()
    assert stored["passed"].equals(sheet["passed"].sort_index())
    # The county improved towards its inspection; the city view puts three counties side by side.
    assert failing([county], 2023) > failing([county], 2024) > failing([county], 2025)
    frame, present = census_table(list(Region.objects.filter(level="county")), 2025)
    city = evaluate_table(frame, standard, present)
    assert set(city.levels["county_code"]) == {COUNTY, *demo.NEIGHBOURS}


def test_a_second_run_changes_nothing(seeded: Seeded, db: None) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "已存在" in out.getvalue() and demo.counts() == seeded.after


def test_reset_writes_the_same_demo_again(seeded: Seeded, county: Region) -> None:
    fingerprint = sorted(CensusRecord.objects.values_list("school__code", "year", "level", "status", "students"))
    call_command("seed_demo", "--reset", stdout=StringIO())
    assert demo.counts() == seeded.after
    assert (
        sorted(CensusRecord.objects.values_list("school__code", "year", "level", "status", "students")) == fingerprint
    )
    demo.reset()
    assert demo.counts() == seeded.before


def test_other_data_under_the_demo_names_is_never_taken_over(seeded: Seeded, db: None) -> None:
    demo.reset()
    User.objects.create_user("county", password="real")
    with pytest.raises(demo.DemoConflict, match="county"):
        demo.seed()
    assert not Region.objects.filter(code=COUNTY).exists()


def test_the_demo_workbook_is_the_stored_2025_census_and_imports_unchanged(
    seeded: Seeded, county: Region, tmp_path: Path
) -> None:
    """``dudao demo_county`` writes 示范县's 2025 census as stored, the county-item figures too: importing it
    changes nothing. A school moved in the file is kept in the history, and the demo can still be reset."""
    path = tmp_path / "demo-county.xlsx"
    call_command("demo_county", str(path), stdout=StringIO())

    result = import_census(path, 2025, county=county, user=SYSTEM)

    assert (result.created, result.updated, result.unchanged, result.school_years_updated) == (0, 0, 60, 0)
    wb = load_workbook(path)
    ws = wb["学校数据"]
    column = [c.value for c in ws[2]].index("location") + 1
    ws.cell(row=3, column=column, value="乡村" if ws.cell(row=3, column=column).value != "乡村" else "镇区")
    wb.save(path)
    moved = import_census(path, 2025, county=county, user=SYSTEM)
    assert moved.school_years_updated == 1
    assert CensusChange.objects.filter(school_year__school__county=county, field="location").count() == 1
    demo.reset()
    assert demo.counts() == seeded.before
