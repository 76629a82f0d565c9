"""Named people and places for tests, one per role and level (import the fixtures in conftest.py).

    河北省 (13) ── 示范市 (1399) ─┬─ 示范县 (139901): 城关镇, 3 schools, the bureau and departments
                                  └─ 邻县   (139902): 1 school
    另一省 (14) ── 其他市 (1499) ─── 其他县 (149901): 1 school

People: 省督学 (province inspector, 河北省), 市督学 (city inspector, 示范市), 县督导 (county supervisor,
示范县), 财政联络员 (department clerk, 示范县财政局), 一小填报员 (school clerk, 示范县第一小学),
观察员 (observer, 示范县), 邻县督导 (county supervisor of 邻县), 邻县填报员 (school clerk in 邻县).
Every password is ``dudao-test``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.test import Client

from dudao.actors import system
from dudao.census import readiness
from dudao.orgs.models import Department, Membership, Region, Role, School, SchoolYear

PASSWORD = "dudao-test"
YEAR = 2025
# The platform acting on its own (a command, a job) in tests that set data up (docs/adr/0008-actors.md).
SYSTEM = system("test set-up")


def client_for(user: User | None, **headers: str) -> Client:
    """A test client logged in as ``user`` (a session, as after the login form), anonymous for None: the
    one login helper of the tests. ``headers`` go to the client (``HTTP_ACCEPT=...``,
    ``enforce_csrf_checks=True``). Tests of the login itself post the form (tests/test_auth_pages.py);
    browser tests log in through the page (``tests.e2e.conftest.log_in``)."""
    client = Client(**headers)
    if user is not None:
        client.force_login(user)
    return client


def evaluate(*counties: Region, year: int = YEAR, standard: str = "national-2017") -> None:
    """Store each county's first evaluation, as its supervision office does once the data are in; later
    data changes bring the stored result up to date by themselves when they commit (ADR 0020)."""
    from dudao.evaluation.actions import evaluate_county

    for county in counties:
        evaluate_county(SYSTEM, county, year, standard)


@dataclass
class World:
    province: Region
    city: Region
    county: Region
    town: Region
    neighbour: Region
    other_province: Region
    other_county: Region
    finance: Department
    primary: School  # 示范县第一小学
    junior: School  # 示范县第一中学
    nine_year: School  # 示范县城关九年一贯制学校
    neighbour_school: School
    other_school: School
    province_inspector: User
    city_inspector: User
    county_supervisor: User
    department_clerk: User
    school_clerk: User
    observer: User
    neighbour_supervisor: User
    neighbour_clerk: User


def _region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.create(code=code, name=name, level=level, parent=parent)


def _school(code: str, county: Region, name: str, school_type: str, location: str = "urban") -> School:
    school = School.objects.create(code=code, county=county)
    for year in (YEAR - 1, YEAR):
        SchoolYear.objects.create(school=school, year=year, name=name, school_type=school_type, location=location)
    return school


def _user(username: str, role: str, **unit: object) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, role=role, **unit)
    return user


def build_world() -> World:
    province = _region("13", "河北省", "province")
    city = _region("1399", "示范市", "city", province)
    county = _region("139901", "示范县", "county", city)
    town = _region("139901100", "城关镇", "town", county)
    neighbour = _region("139902", "邻县", "county", city)
    other_province = _region("14", "另一省", "province")
    other_city = _region("1499", "其他市", "city", other_province)
    other_county = _region("149901", "其他县", "county", other_city)
    finance = Department.objects.create(county=county, name="示范县财政局", kind="finance")
    primary = _school("1399010001", county, "示范县第一小学", "primary")
    junior = _school("1399010002", county, "示范县第一中学", "junior")
    nine_year = _school("1399010003", county, "示范县城关九年一贯制学校", "nine_year", "town")
    neighbour_school = _school("1399020001", neighbour, "邻县第一小学", "primary")
    other_school = _school("1499010001", other_county, "其他县第一小学", "primary")
    readiness.store_all()  # the schools above are written past the actions: stored as `dudao store_summaries` does
    return World(
        province=province, city=city, county=county, town=town, neighbour=neighbour,
        other_province=other_province, other_county=other_county, finance=finance,
        primary=primary, junior=junior, nine_year=nine_year, neighbour_school=neighbour_school,
        other_school=other_school,
        province_inspector=_user("省督学", Role.PROVINCE_INSPECTOR, region=province),
        city_inspector=_user("市督学", Role.CITY_INSPECTOR, region=city),
        county_supervisor=_user("县督导", Role.COUNTY_SUPERVISOR, region=county),
        department_clerk=_user("财政联络员", Role.DEPARTMENT_CLERK, department=finance),
        school_clerk=_user("一小填报员", Role.SCHOOL_CLERK, school=primary),
        observer=_user("观察员", Role.OBSERVER, region=county),
        neighbour_supervisor=_user("邻县督导", Role.COUNTY_SUPERVISOR, region=neighbour),
        neighbour_clerk=_user("邻县填报员", Role.SCHOOL_CLERK, school=neighbour_school),
    )  # fmt: skip
