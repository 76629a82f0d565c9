"""Every role × every endpoint × its own county and other counties: the exact status.

The targets are 示范县 (``home``: the county, its 第一小学 and that school's record), 邻县
(``neighbour``: same city, another county) and 其他县 (``far``: another province). Each person's
own unit lies in one of them (邻县's supervisor and clerk are at home in ``neighbour``).

One table, ``ENDPOINTS``: a row per endpoint, with a grid of the status each role gets on each
target. List rows give ``status/count`` (a list never refuses; it holds only what may be seen). A test
checks that every operation of the API has a row, so a new endpoint cannot go unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from dudao.api.api import api
from dudao.census.actions import lock_year, submit
from dudao.census.models import CensusRecord, CensusYear
from dudao.evaluation.models import EvaluationRun
from tests.api.conftest import API, call, census_csv, upload
from tests.personas import SYSTEM, YEAR, World

ROLES = (
    "anonymous", "province_inspector", "city_inspector", "county_supervisor", "observer", "school_clerk",
    "department_clerk", "neighbour_supervisor", "neighbour_clerk",
)  # fmt: skip
TARGETS = ("home", "neighbour", "far")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the route as in the OpenAPI document
    url: str  # with {county}, {school}, {record}, {year}
    grid: str  # one line per role: the role, then the status for home, neighbour, far
    state: str = "draft"  # the target record's state before the call: draft, submitted, locked (its year)
    body: dict[str, Any] | None = None
    upload: bool = False  # multipart: a census file of the target school, with ``body`` as the form
    sheet: str = ""  # multipart to ``url``: an administration sheet (ORGS_SHEETS) for the target, ``body`` the form

    def expected(self) -> dict[str, tuple[str, ...]]:
        rows = {}
        for line in self.grid.strip().splitlines():
            role, *cells = line.split()
            rows[role] = tuple(cells)
        assert tuple(rows) == ROLES, f"{self.method} {self.path}: the grid must list every role, in order"
        assert all(len(cells) == len(TARGETS) for cells in rows.values())
        return rows


READ_SCHOOL = """
    anonymous             401 401 401
    province_inspector    200 200 404
    city_inspector        200 200 404
    county_supervisor     200 404 404
    observer              200 404 404
    school_clerk          200 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 200 404
"""
EDIT = """
    anonymous             401 401 401
    province_inspector    403 403 404
    city_inspector        403 403 404
    county_supervisor     200 404 404
    observer              403 404 404
    school_clerk          200 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 200 404
"""
REVIEW_RECORD = """
    anonymous             401 401 401
    province_inspector    403 403 404
    city_inspector        403 403 404
    county_supervisor     200 404 404
    observer              403 404 404
    school_clerk          403 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 403 404
"""
REVIEW_COUNTY = """
    anonymous             401 401 401
    province_inspector    403 403 404
    city_inspector        403 403 404
    county_supervisor     200 404 404
    observer              403 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""
# a plan that does not exist: the same 404 for everyone who may see the county and for everyone else
NO_SUCH_PLAN = """
    anonymous             401 401 401
    province_inspector    404 404 404
    city_inspector        404 404 404
    county_supervisor     404 404 404
    observer              404 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 404 404
    neighbour_clerk       404 404 404
"""
READ_COUNTY = """
    anonymous             401 401 401
    province_inspector    200 200 404
    city_inspector        200 200 404
    county_supervisor     200 404 404
    observer              200 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""

ENDPOINTS = {
    "list schools": Endpoint("GET", "/schools", "/schools?year={year}&county={county}", """
        anonymous             401   401   401
        province_inspector    200/3 200/1 200/0
        city_inspector        200/3 200/1 200/0
        county_supervisor     200/3 200/0 200/0
        observer              200/3 200/0 200/0
        school_clerk          200/1 200/0 200/0
        department_clerk      200/0 200/0 200/0
        neighbour_supervisor  200/0 200/1 200/0
        neighbour_clerk       200/0 200/1 200/0
    """),
    "get school": Endpoint("GET", "/schools/{code}", "/schools/{school}", READ_SCHOOL),
    "list records": Endpoint("GET", "/census/records", "/census/records?county={county}", """
        anonymous             401   401   401
        province_inspector    200/1 200/1 200/0
        city_inspector        200/1 200/1 200/0
        county_supervisor     200/1 200/0 200/0
        observer              200/1 200/0 200/0
        school_clerk          200/1 200/0 200/0
        department_clerk      200/0 200/0 200/0
        neighbour_supervisor  200/0 200/1 200/0
        neighbour_clerk       200/0 200/1 200/0
    """),
    "get record": Endpoint("GET", "/census/records/{record_id}", "/census/records/{record}", READ_SCHOOL),
    "timeline": Endpoint("GET", "/census/records/{record_id}/timeline", "/census/records/{record}/timeline",
                         READ_SCHOOL),
    "put record": Endpoint("PUT", "/census/records/{school_code}/{year}/{level}",
                           "/census/records/{school}/{year}/primary", EDIT,
                           body={"values": {"books": 30001}, "expected_version": 1}),
    "submit": Endpoint("POST", "/census/records/{record_id}/submit", "/census/records/{record}/submit", EDIT),
    "approve": Endpoint("POST", "/census/records/{record_id}/approve", "/census/records/{record}/approve",
                        REVIEW_RECORD, state="submitted"),
    "return": Endpoint("POST", "/census/records/{record_id}/return", "/census/records/{record}/return",
                       REVIEW_RECORD, state="submitted", body={"reason": "教师数有误"}),
    "lock": Endpoint("POST", "/census/years/{county}/{year}/lock", "/census/years/{county}/{year}/lock",
                     REVIEW_COUNTY),
    "unlock": Endpoint("POST", "/census/years/{county}/{year}/unlock", "/census/years/{county}/{year}/unlock",
                       REVIEW_COUNTY, state="locked", body={"reason": "补录一所学校"}),
    "import": Endpoint("POST", "/census/imports", "/census/imports", REVIEW_COUNTY.replace(" 200", " 201"),
                       body={"year": YEAR, "county": "{county}"}, upload=True),
    "latest evaluation": Endpoint("GET", "/evaluations", "/evaluations?county={county}&year={year}", READ_COUNTY),
    "evaluate": Endpoint("POST", "/evaluations", "/evaluations", REVIEW_COUNTY.replace(" 200", " 201"),
                         body={"county": "{county}", "year": YEAR}),
    "enrolment forecast": Endpoint("GET", "/planning/forecast/{code}/{year}", "/planning/forecast/{county}/{year}",
                                   READ_COUNTY),
    "seats": Endpoint("GET", "/planning/seats/{code}/{year}", "/planning/seats/{county}/{year}", READ_COUNTY),
    "plans": Endpoint("GET", "/planning/plans/{code}/{year}", "/planning/plans/{county}/{year}", READ_COUNTY),
    "a plan": Endpoint("GET", "/planning/plans/{code}/{year}/{plan_id}", "/planning/plans/{county}/{year}/999999",
                       NO_SUCH_PLAN),
    # the matrix world's runs kept no inputs: who may compute gets 409 no_inputs (tests/planning/test_plans_api.py: 201)
    "compute a plan": Endpoint("POST", "/planning/plans/{code}/{year}", "/planning/plans/{county}/{year}",
                               REVIEW_COUNTY.replace(" 200", " 409"), body={"costs": {"sports_area_m2": 800}}),
}  # fmt: skip

# Administration (/orgs: dudao/api/orgs.py). Targets add {town}, {department}, {clerk} (a school clerk of
# the county, by user name), {role} (that clerk's role id) and {second} (another school of the county).
ORG = REVIEW_COUNTY
ADMIN_ACCOUNT = """
    anonymous             401 401 401
    province_inspector    404 404 404
    city_inspector        404 404 404
    county_supervisor     200 404 404
    observer              404 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""


def _list(home: str, neighbour: str) -> str:
    """A list's grid: ``home`` and ``neighbour`` rows; inspectors see both, each county's people their own."""
    return f"""
        anonymous             401   401   401
        province_inspector    200/{home} 200/{neighbour} 200/0
        city_inspector        200/{home} 200/{neighbour} 200/0
        county_supervisor     200/{home} 200/0 200/0
        observer              200/{home} 200/0 200/0
        school_clerk          200/0 200/0 200/0
        department_clerk      200/0 200/0 200/0
        neighbour_supervisor  200/0 200/{neighbour} 200/0
        neighbour_clerk       200/0 200/0 200/0
    """


ENDPOINTS.update({
    "orgs regions": Endpoint("GET", "/orgs/regions", "/orgs/regions?parent={county}", _list("1", "1")),
    "orgs create region": Endpoint("POST", "/orgs/regions", "/orgs/regions", ORG.replace(" 200", " 201"),
                                   body={"parent": "{county}", "code": "{county}101", "name": "新镇"}),
    "orgs change region": Endpoint("PATCH", "/orgs/regions/{code}", "/orgs/regions/{town}", ORG,
                                   body={"name": "新名称"}),
    "orgs close region": Endpoint("POST", "/orgs/regions/{code}/close", "/orgs/regions/{town}/close", ORG,
                                  body={"year": YEAR, "why": "撤销"}),
    "orgs departments": Endpoint("GET", "/orgs/departments", "/orgs/departments?county={county}", _list("1", "1")),
    "orgs create department": Endpoint("POST", "/orgs/departments", "/orgs/departments", ORG.replace(" 200", " 201"),
                                       body={"county": "{county}", "name": "新部门", "kind": "other"}),
    "orgs change department": Endpoint("PATCH", "/orgs/departments/{department_id}", "/orgs/departments/{department}",
                                       ORG, body={"name": "改名"}),
    "orgs register": Endpoint("GET", "/orgs/register", "/orgs/register?county={county}&year={year}",
                              _list("3", "2")),
    "orgs open school": Endpoint("POST", "/orgs/register", "/orgs/register", ORG.replace(" 200", " 201"),
                                 body={"county": "{county}", "code": "{county}9999", "year": YEAR, "name": "新校",
                                       "school_type": "primary"}),
    "orgs change school": Endpoint("PATCH", "/orgs/register/{code}", "/orgs/register/{school}", ORG,
                                   body={"year": YEAR + 1, "name": "新校名"}),
    "orgs merge school": Endpoint("POST", "/orgs/register/{code}/merge", "/orgs/register/{school}/merge", ORG,
                                  body={"year": YEAR + 1, "into": "{second}", "why": "合并"}),
    "orgs close school": Endpoint("POST", "/orgs/register/{code}/close", "/orgs/register/{school}/close", ORG,
                                  body={"year": YEAR + 1, "why": "撤销"}),
    "orgs accounts": Endpoint("GET", "/orgs/accounts", "/orgs/accounts?region={county}", """
        anonymous             401   401   401
        province_inspector    200/0 200/0 200/0
        city_inspector        200/0 200/0 200/0
        county_supervisor     200/3 200/0 200/0
        observer              200/0 200/0 200/0
        school_clerk          200/0 200/0 200/0
        department_clerk      200/0 200/0 200/0
        neighbour_supervisor  200/0 200/1 200/0
        neighbour_clerk       200/0 200/0 200/0
    """),
    "orgs create account": Endpoint("POST", "/orgs/accounts", "/orgs/accounts", ORG.replace(" 200", " 201"),
                                    body={"username": "new-{county}", "name": "新人", "role": "school_clerk",
                                          "unit": "school:{school}"}),
    "orgs change account": Endpoint("PATCH", "/orgs/accounts/{username}", "/orgs/accounts/{clerk}", ADMIN_ACCOUNT,
                                    body={"name": "新名字"}),
    "orgs grant": Endpoint("POST", "/orgs/accounts/{username}/roles", "/orgs/accounts/{clerk}/roles",
                           ADMIN_ACCOUNT.replace(" 200", " 201"),
                           body={"role": "school_clerk", "unit": "school:{second}", "why": "代管"}),
    "orgs revoke": Endpoint("POST", "/orgs/accounts/{username}/roles/{role_id}/revoke",
                            "/orgs/accounts/{clerk}/roles/{role}/revoke", ADMIN_ACCOUNT, body={"why": "交接"}),
    "orgs deactivate": Endpoint("POST", "/orgs/accounts/{username}/deactivate", "/orgs/accounts/{clerk}/deactivate",
                                ADMIN_ACCOUNT, body={"why": "调离"}),
    "orgs activate": Endpoint("POST", "/orgs/accounts/{username}/activate", "/orgs/accounts/{clerk}/activate",
                              ADMIN_ACCOUNT.replace(" 200", " 422"), body={"why": "已启用"}),
    "orgs reset password": Endpoint("POST", "/orgs/accounts/{username}/reset-password",
                                    "/orgs/accounts/{clerk}/reset-password", ADMIN_ACCOUNT, body={}),
    "orgs audit": Endpoint("GET", "/orgs/audit", "/orgs/audit?region={county}", """
        anonymous             401   401   401
        province_inspector    200/1 200/1 200/0
        city_inspector        200/1 200/1 200/0
        county_supervisor     200/1 200/0 200/0
        observer              200/0 200/0 200/0
        school_clerk          200/0 200/0 200/0
        department_clerk      200/0 200/0 200/0
        neighbour_supervisor  200/0 200/1 200/0
        neighbour_clerk       200/0 200/0 200/0
    """),
    "orgs import register": Endpoint("POST", "/orgs/imports/register", "/orgs/imports/register",
                                     ORG.replace(" 200", " 201"), body={"county": "{county}", "year": YEAR},
                                     sheet="register"),
    "orgs import accounts": Endpoint("POST", "/orgs/imports/accounts", "/orgs/imports/accounts", """
        anonymous             401 401 401
        province_inspector    403 403 403
        city_inspector        403 403 403
        county_supervisor     201 400 400
        observer              403 403 403
        school_clerk          403 403 403
        department_clerk      403 403 403
        neighbour_supervisor  400 201 400
        neighbour_clerk       403 403 403
    """, body={}, sheet="accounts"),
})  # fmt: skip

ORGS_SHEETS = {
    "register": lambda p: ("名录.csv", f"学校标识码,学校名称,学校类型\n{p['county']}8888,导入的学校,小学\n"),
    "accounts": lambda p: (
        "账号.csv",
        f"用户名,姓名,角色,单位\nimported-{p['county']},导入,学校填报员,{p['school']}\n",
    ),
}


@pytest.fixture
def orgs_params(world: World) -> Callable[[str], dict[str, str]]:
    """Per target, made on first use (only the /orgs rows need them): a town, a department, a school
    clerk and their role, a second school, an audit event."""
    from dudao.audit.record import record_event
    from dudao.orgs.models import Department, Membership, Region, Role, School, SchoolYear

    made: dict[str, dict[str, str]] = {}
    schools = {"home": world.primary, "neighbour": world.neighbour_school, "far": world.other_school}
    clerks = {"home": world.school_clerk, "neighbour": world.neighbour_clerk}

    def make(target: str) -> dict[str, str]:
        if target in made:
            return made[target]
        school = schools[target]
        county = school.county
        town = Region.objects.filter(parent=county).first() or Region.objects.create(
            code=f"{county.code}100", name=f"{county.name}城关镇", level="town", parent=county
        )
        department = Department.objects.filter(county=county).first() or Department.objects.create(
            county=county, name=f"{county.name}财政局", kind="finance"
        )
        second = School.objects.filter(county=county).exclude(pk=school.pk).order_by("code").first()
        if second is None:
            second = School.objects.create(code=f"{county.code}0002", county=county)
            SchoolYear.objects.create(school=second, year=YEAR, name="第二小学", school_type="primary")
        clerk = clerks.get(target)
        if clerk is None:
            clerk = User.objects.create_user(f"clerk-{county.code}")
            Membership.objects.create(user=clerk, role=Role.SCHOOL_CLERK, school=school)
        role = Membership.objects.get(user=clerk, school=school)
        record_event(SYSTEM, "orgs.region.rename", target=town, region=county, why="test")
        made[target] = {"town": town.code, "department": str(department.pk), "clerk": clerk.username,
                        "role": str(role.pk), "second": second.code}  # fmt: skip
        return made[target]

    return make


def _prepare(world: World, records: dict[str, CensusRecord], endpoint: Endpoint) -> None:
    """Each target's record (and year) in the state the endpoint acts on, plus a stored evaluation."""
    counties = {"home": world.county, "neighbour": world.neighbour, "far": world.other_county}
    for target, county in counties.items():
        if endpoint.state == "submitted":
            submit(SYSTEM, records[target])
        elif endpoint.state == "locked":
            lock_year(SYSTEM, county, YEAR)
        EvaluationRun.objects.create(
            county=county, year=YEAR, standard_id="national-2017", standard_version="test", data_version="-",
            result={}, passed=None,
        )  # fmt: skip


def _fill(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**params)
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value


def _status(response: Any, cell: str) -> str:
    """The response as a grid cell: ``200``, or ``200/n`` where the expected cell gives a count."""
    if "/" in cell and response.status_code == 200:
        return f"200/{response.json()['count']}"
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_access(
    world: World,
    records: dict[str, CensusRecord],
    orgs_params: Callable[[str], dict[str, str]],
    as_user: Callable[[User | None], Client],
    name: str,
    role: str,
) -> None:
    endpoint = ENDPOINTS[name]
    expected = endpoint.expected()[role]
    _prepare(world, records, endpoint)
    # The /orgs rows' objects, made before the calls so every target exists for each of them.
    extra = {target: orgs_params(target) if name.startswith("orgs ") else {} for target in TARGETS}
    client = as_user(None if role == "anonymous" else getattr(world, role))
    schools = {"home": world.primary, "neighbour": world.neighbour_school, "far": world.other_school}
    got = []
    for target, cell in zip(TARGETS, expected, strict=True):
        school = schools[target]
        params = {"county": school.county.code, "school": school.code, "record": str(records[target].pk),
                  "year": str(YEAR), **extra[target]}  # fmt: skip
        # Each call on its own, rolled back: a refused call must change nothing, an allowed one
        # must not change what the next target sees.
        with transaction.atomic():
            if endpoint.upload:
                response = upload(client, census_csv(school), **_fill(endpoint.body, params))
            elif endpoint.sheet:
                filename, text = ORGS_SHEETS[endpoint.sheet](params)
                file = SimpleUploadedFile(filename, text.encode())
                response = client.post(API + endpoint.url, {"file": file, **_fill(endpoint.body, params)})
            else:
                response = call(client, endpoint.method, _fill(endpoint.url, params), _fill(endpoint.body, params))
            got.append(_status(response, cell))
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message_zh", "message_en", "details"}
            transaction.set_rollback(True)
    assert tuple(got) == expected, f"{role} on {name}: got {got}, expected {list(expected)} for {TARGETS}"


def test_every_operation_has_a_row() -> None:
    document = api.get_openapi_schema(path_prefix="")
    operations = {(method.upper(), path) for path, methods in document["paths"].items() for method in methods}
    # /rectification acts on tasks, not schools: its own matrix is tests/rectification/test_api.py
    operations = {(method, path) for method, path in operations if not path.startswith("/rectification/")}
    assert operations == {(e.method, e.path) for e in ENDPOINTS.values()}


def test_a_refused_change_changes_nothing(world: World, records: dict[str, CensusRecord], as_user: Any) -> None:
    """Beyond the status: what a refused call would have changed is untouched."""
    record = records["home"]
    for user in (world.observer, world.neighbour_supervisor, world.city_inspector):
        client = as_user(user)
        call(client, "PUT", f"/census/records/{world.primary.code}/{YEAR}/primary",
             {"values": {"books": 1}, "expected_version": 1})  # fmt: skip
        call(client, "POST", f"/census/records/{record.pk}/submit")
        call(client, "POST", f"/census/years/{world.county.code}/{YEAR}/lock")
    record.refresh_from_db()
    assert (record.books, record.version, record.status) == (30000, 1, "draft")
    assert not CensusYear.objects.filter(county=world.county, locked=True).exists()
    assert set(record.changes.values_list("user", flat=True)) == {None}  # only the system's entry
