"""The administration pages through HTTP: each change a form makes, its confirmation page, its
refusal (a message, nothing written), and the tables' downloads."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from dudao.orgs.models import Department, Membership, Region, SchoolYear
from tests.orgs.conftest import events, table_counts
from tests.personas import YEAR, World, client_for


@pytest.fixture
def county(client: Client, world: World) -> Client:
    client.force_login(world.county_supervisor)
    return client


def messages_of(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_towns_are_created_renamed_and_closed_with_a_confirmation(county: Client, world: World) -> None:
    response = county.post(
        f"/orgs/region/{world.county.code}/new/", {"code": "139901101", "name": "柳河镇"}, follow=True
    )
    assert "已新增“柳河镇”。" in messages_of(response)
    assert "柳河镇" in response.text
    county.post("/orgs/region/139901101/rename/", {"name": "柳河街道", "why": "撤镇设街道"})
    assert Region.objects.get(code="139901101").name == "柳河街道"
    SchoolYear.objects.filter(school=world.primary).update(town=world.town)
    before = table_counts()
    page = county.get(f"/orgs/region/{world.town.code}/close/", {"year": YEAR})
    assert page.status_code == 200 and "撤销的影响" in page.text and "示范县第一小学" in page.text
    assert table_counts() == before  # a GET never writes
    refused = county.post(f"/orgs/region/{world.town.code}/close/", {"year": YEAR, "why": "撤乡并镇"})
    assert refused.status_code == 200 and "请选择这些学校" in " ".join(messages_of(refused))
    assert table_counts() == before
    done = county.post(
        f"/orgs/region/{world.town.code}/close/", {"year": YEAR, "why": "撤乡并镇", "schools_to": "139901101"}
    )
    assert done.status_code == 302 and Region.objects.get(pk=world.town.pk).closed_from == YEAR


def test_departments_and_sections(county: Client, world: World) -> None:
    county.post(f"/orgs/region/{world.county.code}/departments/new/", {"name": "示范县教育局", "kind": "education"})
    bureau = Department.objects.get(name="示范县教育局")
    county.post(
        f"/orgs/region/{world.county.code}/departments/new/",
        {"name": "示范县教育局计财科", "kind": "education_section", "parent": bureau.pk},
    )
    section = Department.objects.get(name="示范县教育局计财科")
    assert section.parent == bureau
    page = county.get(f"/orgs/region/{world.county.code}/")
    assert "└ 示范县教育局计财科" in page.text
    county.post(
        f"/orgs/department/{section.pk}/",
        {"name": "示范县教育局计划财务科", "kind": "education_section", "parent": bureau.pk},
    )
    assert Department.objects.get(pk=section.pk).name == "示范县教育局计划财务科"
    response = county.post(
        f"/orgs/region/{world.county.code}/departments/new/", {"name": "示范县财政局", "kind": "finance"}, follow=True
    )
    assert any("已有部门" in m for m in messages_of(response))


def test_the_register_opens_changes_merges_and_closes_schools(county: Client, world: World) -> None:
    response = county.post(
        f"/orgs/county/{world.county.code}/schools/new/",
        {
            "code": "1399010010",
            "year": YEAR,
            "name": "示范县第二小学",
            "school_type": "primary",
            "town": world.town.code,
            "location": "urban",
            "ownership": "public",
            "head": "王校长",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/orgs/school/1399010010/" and "示范县第二小学" in response.text
    county.post(
        "/orgs/school/1399010010/change/",
        {
            "year": YEAR + 1,
            "name": "示范县实验二小",
            "school_type": "primary",
            "town": world.town.code,
            "location": "urban",
            "ownership": "public",
            "why": "更名",
        },
    )
    names = dict(SchoolYear.objects.filter(school__code="1399010010").values_list("year", "name"))
    assert names == {YEAR: "示范县第二小学", YEAR + 1: "示范县实验二小"}
    page = county.get(f"/orgs/school/{world.junior.code}/merge/", {"year": YEAR, "into": "1399010010"})
    assert "确认前请看清影响" in page.text and "示范县第二小学" in page.text
    county.post(f"/orgs/school/{world.junior.code}/merge/", {"year": YEAR, "into": "1399010010", "why": "布局调整"})
    assert SchoolYear.objects.get(school=world.junior, year=YEAR).status == "merged"
    county.post(f"/orgs/school/{world.nine_year.code}/close/", {"year": YEAR, "why": "撤销"})
    assert SchoolYear.objects.get(school=world.nine_year, year=YEAR).status == "closed"
    listed = county.get(f"/orgs/county/{world.county.code}/schools/", {"year": YEAR})
    assert "示范县城关九年一贯制学校" not in listed.text  # open schools by default
    listed = county.get(f"/orgs/county/{world.county.code}/schools/", {"year": YEAR, "status": "all"})
    assert "示范县城关九年一贯制学校" in listed.text and "已撤销" in listed.text
    assert [e.verb for e in events()] == [
        "orgs.school.open",
        "orgs.school.change",
        "orgs.school.merge",
        "orgs.school.close",
    ]


def test_a_refused_school_change_says_why_and_writes_nothing(county: Client, world: World) -> None:
    before = table_counts()
    response = county.post(f"/orgs/school/{world.primary.code}/close/", {"year": YEAR, "why": ""}, follow=True)
    assert "请填写原因" in messages_of(response)
    assert table_counts() == before


def test_an_account_is_created_and_its_password_shown_once(county: Client, world: World) -> None:
    response = county.post(
        f"/orgs/region/{world.county.code}/accounts/new/",
        {
            "username": "二中填报员",
            "name": "赵",
            "role": "school_clerk",
            "unit": f"school:{world.junior.code}",
        },
    )
    password = response.context["password"]
    assert password in response.text and response["Cache-Control"] == "no-store"
    user = User.objects.get(username="二中填报员")
    assert user.check_password(password)
    page = county.get(f"/orgs/account/{user.pk}/")
    assert password not in page.text and "持临时密码" in page.text
    listing = county.get(f"/orgs/region/{world.county.code}/accounts/")
    assert "二中填报员" in listing.text and password not in listing.text


def test_a_role_on_an_invisible_unit_is_a_404(county: Client, world: World) -> None:
    before = table_counts()
    response = county.post(
        f"/orgs/region/{world.county.code}/accounts/new/",
        {
            "username": "x",
            "name": "x",
            "role": "school_clerk",
            "unit": f"school:{world.neighbour_school.code}",
        },
    )
    assert response.status_code == 404 and table_counts() == before


def test_grant_revoke_deactivate_and_reset(county: Client, world: World) -> None:
    clerk = world.school_clerk
    county.post(
        f"/orgs/account/{clerk.pk}/grant/",
        {"role": "school_clerk", "unit": f"school:{world.junior.code}", "why": "代管"},
    )
    membership = Membership.objects.get(user=clerk, school=world.junior)
    response = county.post(f"/orgs/account/{clerk.pk}/revoke/", {"membership": membership.pk, "why": ""}, follow=True)
    assert "请填写原因" in messages_of(response) and Membership.objects.filter(pk=membership.pk).exists()
    county.post(f"/orgs/account/{clerk.pk}/revoke/", {"membership": membership.pk, "why": "交接完毕"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    county.post(f"/orgs/account/{clerk.pk}/deactivate/", {"why": "调离"})
    assert not User.objects.get(pk=clerk.pk).is_active
    listing = county.get(f"/orgs/region/{world.county.code}/accounts/", {"state": "inactive"})
    assert clerk.username in listing.text
    county.post(f"/orgs/account/{clerk.pk}/activate/", {"why": "返岗"})
    reset = county.post(f"/orgs/account/{clerk.pk}/reset/", {"why": "忘记密码"})
    assert User.objects.get(pk=clerk.pk).check_password(reset.context["password"])
    assert [e.verb for e in events()] == [
        "orgs.role.grant",
        "orgs.role.revoke",
        "orgs.account.deactivate",
        "orgs.account.activate",
        "orgs.account.reset_password",
    ]
    history = county.get(f"/orgs/account/{clerk.pk}/")
    assert "交接完毕" in history.text and "调离" in history.text


def test_a_peer_account_cannot_be_managed(county: Client, world: World) -> None:
    peer = User.objects.create_user("另一督导")
    Membership.objects.create(user=peer, role="county_supervisor", region=world.county)
    assert county.post(f"/orgs/account/{peer.pk}/reset/", {}).status_code == 404
    assert county.post(f"/orgs/account/{world.county_supervisor.pk}/deactivate/", {"why": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/orgs/county/{county}/schools/?year=2025", "register"),
        ("/orgs/region/{county}/accounts/", "accounts"),
        ("/orgs/region/{county}/audit/", "audit"),
        ("/orgs/region/{county}/", "regions"),
        ("/orgs/region/{county}/", "departments"),
    ],
)
def test_every_table_downloads_as_shown(county: Client, world: World, url: str, name: str) -> None:
    county.post(f"/orgs/region/{world.county.code}/new/", {"code": "139901101", "name": "柳河镇"})
    url = url.format(county=world.county.code)
    separator = "&" if "?" in url else "?"
    page = county.get(url)
    tables = page.context.get("tables") or [page.context["table"]]
    table = next(t for t in tables if t.name == name)
    xlsx = county.get(f"{url}{separator}download={name}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == [c.label for c in table.columns]
    assert sheet.max_row - 1 == len(table.rows) + (2 if table.note else 0)
    csv = county.get(f"{url}{separator}download={name}&format=csv")
    assert (
        csv.content.startswith("\ufeff".encode())
        and len(csv.content.decode("utf-8-sig").splitlines()) == len(table.rows) + 1
    )


def test_the_audit_trail_filters_by_action_and_date(county: Client, world: World) -> None:
    county.post(f"/orgs/region/{world.county.code}/new/", {"code": "139901101", "name": "柳河镇"})
    county.post(f"/orgs/account/{world.school_clerk.pk}/deactivate/", {"why": "调离"})
    page = county.get(f"/orgs/region/{world.county.code}/audit/")
    assert len(page.context["table"].rows) == 2
    only = county.get(f"/orgs/region/{world.county.code}/audit/", {"verb": "orgs.account."})
    assert [r["verb"] for r in only.context["table"].rows] == ["停用账号"]
    later = county.get(f"/orgs/region/{world.county.code}/audit/", {"since": "2999-01-01"})
    assert later.context["table"].rows == []
    # The neighbour's trail does not hold 示范县's events.
    other = client_for(world.neighbour_supervisor)
    assert other.get(f"/orgs/region/{world.neighbour.code}/audit/").context["table"].rows == []


@pytest.mark.parametrize(
    ("person", "shown"),
    [("county_supervisor", True), ("province_inspector", True), ("observer", True), ("school_clerk", False),
     ("department_clerk", False)],
)  # fmt: skip
def test_the_menu_offers_administration_to_those_who_may_open_it(world: World, person: str, shown: bool) -> None:
    client = client_for(getattr(world, person))  # a login: the menu remembers whether they administer
    page = client.get(f"/orgs/region/{world.county.code}/" if shown else "/", follow=True)
    assert ('href="/orgs/"' in page.text) is shown
