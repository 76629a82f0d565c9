"""Importing accounts from Excel: one row per role, temporary passwords once, scope checked per row,
every problem listed and nothing written, re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from dudao.engine.problems import InputError
from dudao.orgs.importing import import_accounts
from dudao.orgs.models import Account, Department, Membership
from tests.orgs.conftest import events, sheet, table_counts
from tests.personas import SYSTEM, World

HEADERS = ["用户名", "姓名", "手机号码", "电子邮箱", "角色", "单位"]


def accounts(tmp_path: Path, rows: list[list[object]]) -> Path:
    return sheet(tmp_path / "账号.xlsx", HEADERS, rows, "账号")  # type: ignore[return-value]


def rows_for(world: World) -> list[list[object]]:
    return [
        ["chengguan", "城关镇填报员", "13800000001", "", "学校填报员", world.primary.code],
        ["chengguan", "城关镇填报员", "13800000001", "", "学校填报员", world.junior.code],
        ["caizheng", "财政局 王", "", "wang@example.cn", "部门联络员", "示范县财政局"],
        ["guancha", "县观察员", "", "", "只读观察员", world.county.code],
    ]


def test_an_import_creates_accounts_with_their_roles_and_passwords_once(world: World, tmp_path: Path) -> None:
    result = import_accounts(accounts(tmp_path, rows_for(world)), actor=world.county_supervisor)
    assert [p.username for p in result.created] == ["chengguan", "caizheng", "guancha"]
    assert [p.username for p in result.granted] == ["chengguan"]  # the second school
    clerk = User.objects.get(username="chengguan")
    assert set(Membership.objects.filter(user=clerk).values_list("school__code", flat=True)) == {
        world.primary.code,
        world.junior.code,
    }
    assert clerk.check_password(result.passwords["chengguan"])
    assert Account.objects.get(user=clerk).must_change_password
    assert Membership.objects.get(user__username="caizheng").department == world.finance
    verbs = [e.verb for e in events()]
    assert verbs.count("orgs.account.create") == 3 and verbs.count("orgs.role.grant") == 4
    assert verbs[-1] == "orgs.import.accounts" and events()[-1].region == world.county
    before = table_counts()
    again = import_accounts(accounts(tmp_path, rows_for(world)), actor=world.county_supervisor)
    assert (again.created, again.granted, again.updated, again.unchanged, again.passwords) == ([], [], [], 4, {})
    assert table_counts() == before


def test_existing_accounts_get_what_differs(world: World, tmp_path: Path) -> None:
    rows = [[world.school_clerk.username, "一小 李", "13900000000", "", "学校填报员", world.nine_year.code]]
    result = import_accounts(accounts(tmp_path, rows), actor=world.county_supervisor)
    assert [p.action for p in result.granted + result.updated] == ["grant", "update"]
    assert result.passwords == {}
    assert User.objects.get(pk=world.school_clerk.pk).first_name == "一小 李"


def test_every_problem_is_listed_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    Department.objects.create(county=world.neighbour, name="示范县财政局", kind="finance")  # same name elsewhere
    rows = [
        ["chengguan", "城关镇填报员", "13800000001", "", "学校填报员", world.primary.code],
        ["chengguan", "另一个名字", "13800000001", "", "学校填报员", world.junior.code],  # inconsistent
        ["lin", "邻县", "", "", "学校填报员", world.neighbour_school.code],  # out of scope
        ["peer", "同级", "", "", "县级督导室", world.county.code],  # out of scope: a peer
        ["x", "无单位", "", "", "学校填报员", "9999999999"],  # unknown unit
        [world.neighbour_supervisor.username, "邻县督导", "", "", "只读观察员", world.county.code],  # not theirs
        ["bad name!", "名", "abc", "not-mail", "学校填报员", world.primary.code],
        ["y", "名", "", "", "校长", world.primary.code],  # unknown role
    ]
    before = table_counts()
    with pytest.raises(InputError) as refused:
        import_accounts(accounts(tmp_path, rows), actor=world.county_supervisor)
    found = {(p.row, p.column, p.rule) for p in refused.value.problems}
    assert (9, "角色", "unknown_value") in found  # the cells first
    assert table_counts() == before
    rows.pop()
    with pytest.raises(InputError) as refused:
        import_accounts(accounts(tmp_path, rows), actor=world.county_supervisor)
    found = [(p.row, p.column, p.rule) for p in refused.value.problems]
    assert found == [
        (3, "用户名", "inconsistent_account"),
        (4, "单位", "unknown_unit"),  # another county's school: as unknown as one that does not exist
        (5, "角色", "out_of_scope"),
        (6, "单位", "unknown_unit"),
        (7, "用户名", "username_taken"),
        (8, "手机号码", "bad_phone"),
        (8, "电子邮箱", "bad_email"),
        (8, "用户名", "bad_username"),
    ]
    assert table_counts() == before


def test_the_system_is_not_limited_by_scope(world: World, tmp_path: Path) -> None:
    rows = [["shi-admin", "市管理员", "", "", "管理员", world.city.code]]
    with pytest.raises(InputError):
        import_accounts(accounts(tmp_path, rows), actor=world.county_supervisor)
    result = import_accounts(accounts(tmp_path, rows), actor=SYSTEM)
    assert [p.username for p in result.created] == ["shi-admin"]


def test_a_department_name_found_in_two_counties_needs_its_county(world: World, tmp_path: Path) -> None:
    Department.objects.create(county=world.neighbour, name="示范县财政局", kind="finance")
    rows = [["caizheng", "财政局", "", "", "部门联络员", "示范县财政局"]]
    with pytest.raises(InputError) as refused:
        import_accounts(accounts(tmp_path, rows), actor=SYSTEM)
    assert [p.rule for p in refused.value.problems] == ["ambiguous_unit"]
    rows[0][5] = f"{world.county.code}/示范县财政局"
    import_accounts(accounts(tmp_path, rows), actor=SYSTEM)
    assert Membership.objects.get(user__username="caizheng").department == world.finance


def test_people_without_an_account_scope_may_not_import(world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_accounts(accounts(tmp_path, rows_for(world)), actor=world.observer)
