"""Every administration page × every role × its own county and other counties: the exact status
(the API's matrix is tests/api/test_access_matrix.py). A page the role may not see is a 404, one it
sees but may not use a 403. The list pages' query counts are pinned."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver

from dudao.orgs.actions import create_account, create_department, create_region, open_school
from dudao.orgs.models import Department, Membership, Role
from tests.orgs.conftest import admin_of
from tests.personas import SYSTEM, YEAR, World

ROLES = (
    "anonymous",
    "province_inspector",
    "city_inspector",
    "city_admin",
    "county_supervisor",
    "observer",
    "school_clerk",
    "department_clerk",
    "neighbour_supervisor",
    "neighbour_clerk",
)
TARGETS = ("home", "neighbour", "far")

VIEW = """
    anonymous             302 302 302
    province_inspector    200 200 404
    city_inspector        200 200 404
    city_admin            200 200 404
    county_supervisor     200 404 404
    observer              200 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""
ORG = """
    anonymous             302 302 302
    province_inspector    403 403 404
    city_inspector        403 403 404
    city_admin            200 200 404
    county_supervisor     200 404 404
    observer              403 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""
ACCOUNT = """
    anonymous             302 302 302
    province_inspector    404 404 404
    city_inspector        404 404 404
    city_admin            404 404 404
    county_supervisor     200 404 404
    observer              404 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 200 404
    neighbour_clerk       404 404 404
"""
AUDIT = ORG.replace("province_inspector    403 403", "province_inspector    200 200").replace(
    "city_inspector        403 403", "city_inspector        200 200"
)
CLOSE_TOWN = ORG
CLOSE_COUNTY = """
    anonymous             302 302 302
    province_inspector    403 403 404
    city_inspector        403 403 404
    city_admin            200 200 404
    county_supervisor     403 404 404
    observer              403 404 404
    school_clerk          404 404 404
    department_clerk      404 404 404
    neighbour_supervisor  404 403 404
    neighbour_clerk       404 404 404
"""

PAGES = {
    "orgs:region": ("/orgs/region/{county}/", VIEW),
    "orgs:region (town)": ("/orgs/region/{town}/", VIEW),
    "orgs:close": ("/orgs/region/{town}/close/?year=2026", CLOSE_TOWN),
    "orgs:close (county)": ("/orgs/region/{county}/close/?year=2026", CLOSE_COUNTY),
    "orgs:department": ("/orgs/department/{department}/", VIEW),
    "orgs:schools": ("/orgs/county/{county}/schools/?year=2025", VIEW),
    "orgs:town_groups": ("/orgs/county/{county}/town-groups/", VIEW),
    "orgs:register_import": ("/orgs/county/{county}/schools/import/", ORG),
    "orgs:register_template": ("/orgs/county/{county}/schools/template.xlsx", VIEW),
    "orgs:school": ("/orgs/school/{school}/", VIEW),
    "orgs:end_school": ("/orgs/school/{school}/close/?year=2026", ORG),
    "orgs:accounts": ("/orgs/region/{county}/accounts/", ORG),
    "orgs:accounts_import": ("/orgs/region/{county}/accounts/import/", ORG),
    "orgs:accounts_template": ("/orgs/region/{county}/accounts/template.xlsx", ORG),
    "orgs:account": ("/orgs/account/{account}/", ACCOUNT),
    "orgs:audit": ("/orgs/region/{county}/audit/", AUDIT),
}
# Pages that only answer a POST (their refusals are the same access functions: tests/orgs/test_pages.py).
POST_ONLY = {
    "orgs:create_child",
    "orgs:rename",
    "orgs:move",
    "orgs:create_department",
    "orgs:open_school",
    "orgs:change_school",
    "orgs:create_account",
    "orgs:account_action",
}


def grid(text: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for line in text.strip().splitlines():
        role, *cells = line.split()
        rows[role] = tuple(cells)
    assert tuple(rows) == ROLES
    return rows


@dataclass
class Targets:
    params: dict[str, dict[str, str]]
    people: dict[str, User | None]


@pytest.fixture
def targets(world: World) -> Targets:
    neighbour_town = create_region(SYSTEM, world.neighbour, "139902100", "邻县城关镇")
    far_town = create_region(SYSTEM, world.other_county, "149901100", "其他县城关镇")
    far_clerk = User.objects.create_user("其他县填报员")
    Membership.objects.create(user=far_clerk, role=Role.SCHOOL_CLERK, school=world.other_school)
    params = {
        "home": {
            "county": world.county.code,
            "town": world.town.code,
            "department": str(world.finance.pk),
            "school": world.primary.code,
            "account": str(world.school_clerk.pk),
        },
        "neighbour": {
            "county": world.neighbour.code,
            "town": neighbour_town.code,
            "department": str(create_department(SYSTEM, world.neighbour, "邻县财政局", "finance").pk),
            "school": world.neighbour_school.code,
            "account": str(world.neighbour_clerk.pk),
        },
        "far": {
            "county": world.other_county.code,
            "town": far_town.code,
            "department": str(create_department(SYSTEM, world.other_county, "其他县财政局", "finance").pk),
            "school": world.other_school.code,
            "account": str(far_clerk.pk),
        },
    }
    people: dict[str, User | None] = {role: getattr(world, role, None) for role in ROLES}
    people["city_admin"] = admin_of(world.city, "市管理员")
    return Targets(params, people)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_access(targets: Targets, name: str, role: str) -> None:
    url, text = PAGES[name]
    expected = grid(text)[role]
    client = Client()
    if targets.people[role] is not None:
        client.force_login(targets.people[role])
    got = tuple(str(client.get(url.format(**targets.params[t])).status_code) for t in TARGETS)
    assert got == expected, f"{role} on {name}: got {got}, expected {expected}"


def test_every_page_has_a_row() -> None:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "orgs")
    names = {f"orgs:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)}
    covered = {name.split(" ")[0] for name in PAGES} | POST_ONLY | {"orgs:index"}
    assert names == covered


def test_the_index_opens_the_highest_region_administered(world: World, client: Client) -> None:
    client.force_login(world.county_supervisor)
    assert client.get("/orgs/")["Location"] == f"/orgs/region/{world.county.code}/"
    client.force_login(world.province_inspector)
    assert client.get("/orgs/")["Location"] == f"/orgs/region/{world.province.code}/"
    client.force_login(world.school_clerk)
    assert client.get("/orgs/").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        ("/orgs/county/{county}/schools/?year=2025", 7),
        ("/orgs/region/{county}/accounts/", 11),
        ("/orgs/region/{county}/audit/", 5),
        ("/orgs/region/{county}/", 10),
    ],
)
def test_list_pages_pin_their_queries(world: World, client: Client, url: str, pinned: int) -> None:
    """The count stays the same with 3 or 33 schools, clerks and events."""
    client.force_login(world.county_supervisor)
    url = url.format(county=world.county.code)
    small = _queries(client, url)
    for i in range(30):
        code = f"13990101{i:02d}"
        school = open_school(SYSTEM, world.county, code, YEAR, name=f"学校{i}", school_type="primary", town=world.town)
        create_account(SYSTEM, f"clerk{i}", f"填报员{i}", "school_clerk", school)
        Department.objects.create(county=world.county, name=f"部门{i}", kind="other")
    large = _queries(client, url)
    assert small == large == pinned, (small, large)
