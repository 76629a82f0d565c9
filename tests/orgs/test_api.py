"""The administration API (/api/v1/orgs): the same actions, refusals and audit events as the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dudao.orgs.models import Department, Membership, Region, SchoolYear
from tests.api.conftest import API, call
from tests.orgs.conftest import events, table_counts
from tests.personas import YEAR, World, client_for


@pytest.fixture
def county(world: World) -> Client:
    return client_for(world.county_supervisor)


def test_towns(county: Client, world: World) -> None:
    created = call(
        county, "POST", "/orgs/regions", {"parent": world.county.code, "code": "139901101", "name": "柳河镇"}
    )
    assert created.status_code == 201
    assert created.json() == {
        "code": "139901101",
        "name": "柳河镇",
        "level": "town",
        "parent": "139901",
        "closed_from": None,
    }
    listed = call(county, "GET", f"/orgs/regions?parent={world.county.code}")
    assert [r["code"] for r in listed.json()["items"]] == ["139901100", "139901101"]
    renamed = call(county, "PATCH", "/orgs/regions/139901101", {"name": "柳河街道", "why": "撤镇设街道"})
    assert renamed.json()["name"] == "柳河街道"
    refused = call(county, "PATCH", "/orgs/regions/139901101", {"parent": world.neighbour.code, "why": "x"})
    assert refused.status_code == 404  # 邻县 is not theirs to see
    closed = call(county, "POST", "/orgs/regions/139901101/close", {"year": YEAR, "why": "撤销"})
    assert closed.json()["closed_from"] == YEAR


def test_refusals_have_the_usual_body_and_status(county: Client, world: World) -> None:
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    before = table_counts()
    cases = [
        ("POST", "/orgs/regions", {"parent": world.county.code, "code": "1", "name": "x"}, 400, "bad_code"),
        ("POST", "/orgs/regions", {"parent": world.county.code, "code": "139901100", "name": "x"}, 409, "code_taken"),
        ("POST", f"/orgs/regions/{world.town.code}/close", {"year": YEAR, "why": "撤销"}, 422, "has_open_schools"),
        ("PATCH", f"/orgs/regions/{world.county.code}", {"name": "示范区"}, 403, "forbidden"),
        (
            "POST",
            "/orgs/accounts",
            {"username": "x", "name": "x", "role": "school_clerk", "unit": f"school:{world.neighbour_school.code}"},
            404,
            "not_found",
        ),
        (
            "POST",
            "/orgs/accounts",
            {"username": "x", "name": "x", "role": "county_supervisor", "unit": f"region:{world.county.code}"},
            403,
            "out_of_scope",
        ),
        ("POST", f"/orgs/register/{world.primary.code}/close", {"year": YEAR, "why": ""}, 400, "reason_required"),
    ]
    for method, url, body, status, code in cases:
        response = call(county, method, url, body)
        assert (response.status_code, response.json()["code"]) == (status, code), (url, response.json())
        assert set(response.json()) == {"code", "message_zh", "message_en", "details"}
    assert table_counts() == before
    details = call(county, "POST", f"/orgs/regions/{world.town.code}/close", {"year": YEAR, "why": "撤销"}).json()
    assert details["details"] == [{"code": world.primary.code, "name": "示范县第一小学"}]


def test_departments(county: Client, world: World) -> None:
    bureau = call(
        county, "POST", "/orgs/departments", {"county": world.county.code, "name": "示范县教育局", "kind": "教育局"}
    )
    assert bureau.status_code == 201 and bureau.json()["kind"] == "education"
    section = call(
        county,
        "POST",
        "/orgs/departments",
        {"county": world.county.code, "name": "计财科", "kind": "education_section", "parent": bureau.json()["id"]},
    )
    assert section.json()["parent"] == bureau.json()["id"]
    moved = call(county, "PATCH", f"/orgs/departments/{section.json()['id']}", {"parent": 0})
    assert moved.json()["parent"] is None
    listed = call(county, "GET", f"/orgs/departments?county={world.county.code}")
    assert listed.json()["count"] == 3
    assert Department.objects.get(pk=section.json()["id"]).parent is None


def test_the_register(county: Client, world: World) -> None:
    opened = call(
        county,
        "POST",
        "/orgs/register",
        {
            "county": world.county.code,
            "code": "1399010010",
            "year": YEAR,
            "name": "示范县第二小学",
            "school_type": "小学",
            "town": world.town.code,
        },
    )
    assert opened.status_code == 201 and opened.json()["town"] == world.town.code
    changed = call(county, "PATCH", "/orgs/register/1399010010", {"year": YEAR + 1, "name": "实验二小", "why": "更名"})
    assert changed.json()["changed"]["name"] == ["示范县第二小学", "实验二小"]
    listed = call(county, "GET", f"/orgs/register?county={world.county.code}&year={YEAR}")
    assert [s["name"] for s in listed.json()["items"]][-1] == "示范县第二小学"
    later = call(county, "GET", f"/orgs/register?county={world.county.code}&year={YEAR + 1}")
    assert later.json()["items"][-1]["name"] == "实验二小" and later.json()["items"][-1]["year"] == YEAR + 1
    merged = call(
        county,
        "POST",
        f"/orgs/register/{world.junior.code}/merge",
        {"year": YEAR, "into": "1399010010", "why": "布局调整"},
    )
    assert merged.json()["changed"]["status"] == ["open", "merged"]
    closed = call(county, "POST", f"/orgs/register/{world.nine_year.code}/close", {"year": YEAR, "why": "撤销"})
    assert closed.status_code == 200


def test_accounts(county: Client, world: World) -> None:
    created = call(
        county,
        "POST",
        "/orgs/accounts",
        {
            "username": "zhao",
            "name": "赵",
            "role": "school_clerk",
            "unit": f"school:{world.junior.code}",
            "why": "新聘",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert len(body["temporary_password"]) == 12 and body["account"]["must_change_password"] is True
    assert body["account"]["roles"][0]["unit"] == f"school:{world.junior.code}"
    granted = call(
        county,
        "POST",
        "/orgs/accounts/zhao/roles",
        {"role": "school_clerk", "unit": f"school:{world.primary.code}", "why": "代管"},
    )
    role_id = granted.json()["roles"][1]["id"]
    revoked = call(county, "POST", f"/orgs/accounts/zhao/roles/{role_id}/revoke", {"why": "交接"})
    assert len(revoked.json()["roles"]) == 1
    edited = call(county, "PATCH", "/orgs/accounts/zhao", {"phone": "13800000000"})
    assert edited.json()["phone"] == "13800000000"
    assert call(county, "POST", "/orgs/accounts/zhao/deactivate", {"why": "调离"}).json()["is_active"] is False
    assert call(county, "POST", "/orgs/accounts/zhao/reset-password", {}).status_code == 422  # inactive
    assert call(county, "POST", "/orgs/accounts/zhao/activate", {"why": "返岗"}).json()["is_active"] is True
    reset = call(county, "POST", "/orgs/accounts/zhao/reset-password", {"why": "忘记"})
    assert User.objects.get(username="zhao").check_password(reset.json()["temporary_password"])
    listed = call(county, "GET", f"/orgs/accounts?region={world.county.code}")
    assert "zhao" in [a["username"] for a in listed.json()["items"]]
    assert call(county, "PATCH", f"/orgs/accounts/{world.neighbour_clerk.username}", {"name": "x"}).status_code == 404
    assert [e.verb for e in events()][:2] == ["orgs.account.create", "orgs.role.grant"]


def test_the_audit_trail(county: Client, world: World) -> None:
    call(county, "POST", "/orgs/regions", {"parent": world.county.code, "code": "139901101", "name": "柳河镇"})
    call(county, "POST", f"/orgs/accounts/{world.school_clerk.username}/deactivate", {"why": "调离"})
    trail = call(county, "GET", f"/orgs/audit?region={world.county.code}")
    assert [e["verb"] for e in trail.json()["items"]] == ["orgs.account.deactivate", "orgs.region.create"]
    assert trail.json()["items"][0]["why"] == "调离"
    only = call(county, "GET", f"/orgs/audit?region={world.county.code}&verb=orgs.region.")
    assert only.json()["count"] == 1
    observer = client_for(world.observer)  # may view the county, not read its trail
    assert call(observer, "GET", f"/orgs/audit?region={world.county.code}").json()["count"] == 0


def test_imports(county: Client, world: World, tmp_path: Path) -> None:
    register = SimpleUploadedFile("名录.csv", "学校标识码,学校名称,学校类型\n1399010060,示范县第六小学,小学\n".encode())
    dry = county.post(
        f"{API}/orgs/imports/register", {"file": register, "county": world.county.code, "year": YEAR, "dry_run": "true"}
    )
    assert dry.status_code == 200 and dry.json()["created"][0]["code"] == "1399010060"
    register.seek(0)
    done = county.post(f"{API}/orgs/imports/register", {"file": register, "county": world.county.code, "year": YEAR})
    assert done.status_code == 201 and SchoolYear.objects.filter(school__code="1399010060").exists()
    accounts = SimpleUploadedFile("账号.csv", "用户名,姓名,角色,单位\nliu,刘,学校填报员,1399010060\n".encode())
    made = county.post(f"{API}/orgs/imports/accounts", {"file": accounts})
    assert made.status_code == 201 and set(made.json()["temporary_passwords"]) == {"liu"}
    assert Membership.objects.get(user__username="liu").school.code == "1399010060"
    bad = SimpleUploadedFile("bad.csv", "学校标识码,学校名称,学校类型\n1399010061,x,大学\n".encode())
    refused = county.post(f"{API}/orgs/imports/register", {"file": bad, "county": world.county.code})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_file"
    assert refused.json()["details"][0]["rule"] == "unknown_value" and refused.json()["details"][0]["row"] == 2
    assert Region.objects.filter(code="139901100").exists()
