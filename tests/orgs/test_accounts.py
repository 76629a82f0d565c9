"""Accounts: who manages whom, grants and revokes with a reason, deactivation, temporary passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dudao.api.models import ApiToken
from dudao.orgs.access import access_account, account_permissions, may_grant, visible_accounts
from dudao.orgs.actions import (
    OrgsError,
    activate_account,
    create_account,
    deactivate_account,
    grant_role,
    reset_password,
    revoke_role,
    update_account,
)
from dudao.orgs.models import Account, Membership, Role
from tests.orgs.conftest import events
from tests.personas import World


def test_a_county_supervisor_creates_a_school_clerk(world: World) -> None:
    user, password = create_account(
        world.county_supervisor,
        "二小填报员",
        "李老师",
        "school_clerk",
        world.junior,
        phone="13800000001",
        email="li@example.cn",
        why="新学年填报员",
    )
    assert (user.first_name, user.email, user.is_active) == ("李老师", "li@example.cn", True)
    assert user.check_password(password) and len(password) == 12
    account = Account.objects.get(user=user)
    assert (account.region, account.phone, account.must_change_password) == (world.county, "13800000001", True)
    assert list(Membership.objects.filter(user=user).values_list("role", "school")) == [
        ("school_clerk", world.junior.pk)
    ]
    created, granted = events()
    assert (created.verb, granted.verb) == ("orgs.account.create", "orgs.role.grant")
    assert granted.data == {"role": "school_clerk", "unit": world.junior.code, "unit_name": "示范县第一中学"}
    assert (granted.actor, granted.region, granted.why) == (world.county_supervisor, world.county, "新学年填报员")
    assert password not in str(created.data) + str(granted.data)


@pytest.mark.parametrize(
    ("person", "role", "unit", "allowed"),
    [
        ("county_supervisor", "department_clerk", "finance", True),
        ("county_supervisor", "school_clerk", "primary", True),
        ("county_supervisor", "observer", "county", True),
        ("county_supervisor", "observer", "town", True),
        ("county_supervisor", "county_supervisor", "county", False),  # a peer: the city's business
        ("county_supervisor", "school_clerk", "neighbour_school", False),  # another county
        ("county_supervisor", "city_inspector", "city", False),
        ("city_admin", "county_supervisor", "county", True),
        ("city_admin", "region_admin", "county", True),
        ("city_admin", "city_inspector", "city", True),
        ("city_admin", "region_admin", "city", False),  # their own level's administrator: the province's
        ("city_admin", "school_clerk", "primary", False),  # the county's business
        ("province_admin", "city_inspector", "city", True),
        ("province_admin", "region_admin", "city", True),
        ("province_admin", "county_supervisor", "county", False),  # two levels down: the city's
        ("province_admin", "province_inspector", "other_province", False),
        ("observer", "school_clerk", "primary", False),
        ("city_inspector", "county_supervisor", "county", False),
    ],
)
def test_who_may_grant_what(
    world: World, province_admin: User, city_admin: User, person: str, role: str, unit: str, allowed: bool
) -> None:
    people = {"province_admin": province_admin, "city_admin": city_admin}
    actor = people.get(person) or getattr(world, person)
    assert may_grant(actor, role, getattr(world, unit)) is allowed


def test_a_role_outside_the_scope_is_refused_and_nothing_is_written(world: World) -> None:
    before = User.objects.count()
    with pytest.raises(OrgsError) as refused:
        create_account(world.county_supervisor, "邻县二小", "张", "school_clerk", world.neighbour_school)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied):  # no right to manage accounts at all
        create_account(world.observer, "x", "张", "school_clerk", world.primary)
    with pytest.raises(OrgsError) as refused:  # the role does not fit the unit
        create_account(world.county_supervisor, "x", "张", "school_clerk", world.finance)
    assert refused.value.code == "bad_unit"
    assert User.objects.count() == before and events() == []


def test_a_county_supervisor_manages_clerks_not_peers(world: World) -> None:
    peer = User.objects.create_user("另一督导")
    Membership.objects.create(user=peer, role=Role.COUNTY_SUPERVISOR, region=world.county)
    assert set(visible_accounts(world.county_supervisor)) == {
        world.department_clerk,
        world.school_clerk,
        world.observer,
    }
    assert account_permissions(world.county_supervisor, world.school_clerk) == {"view", "manage"}
    assert account_permissions(world.county_supervisor, peer) == frozenset()
    assert account_permissions(world.county_supervisor, world.county_supervisor) == frozenset()  # never oneself
    with pytest.raises(Http404):
        access_account(world.county_supervisor, pk=peer.pk)
    with pytest.raises(Http404):
        access_account(world.county_supervisor, pk=world.neighbour_clerk.pk)
    with pytest.raises(PermissionDenied):
        reset_password(world.county_supervisor, peer)
    # A clerk who is also something the supervisor cannot grant is seen but not managed.
    Membership.objects.create(user=world.school_clerk, role=Role.CITY_INSPECTOR, region=world.city)
    assert account_permissions(world.county_supervisor, world.school_clerk) == {"view"}
    with pytest.raises(PermissionDenied):
        access_account(world.county_supervisor, pk=world.school_clerk.pk, perm="manage")


def test_grant_and_revoke_record_who_when_and_why(world: World) -> None:
    membership = grant_role(
        world.county_supervisor, world.school_clerk, "school_clerk", world.junior, why="代管第一中学填报"
    )
    with pytest.raises(OrgsError) as refused:
        grant_role(world.county_supervisor, world.school_clerk, "school_clerk", world.junior, why="again")
    assert refused.value.code == "already_granted"
    with pytest.raises(OrgsError) as refused:
        revoke_role(world.county_supervisor, membership, why="")
    assert refused.value.code == "reason_required"
    revoke_role(world.county_supervisor, membership, why="第一中学已有填报员")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    grant, revoke = events()
    assert (grant.verb, grant.why, grant.target_id) == (
        "orgs.role.grant",
        "代管第一中学填报",
        str(world.school_clerk.pk),
    )
    assert (revoke.verb, revoke.why, revoke.actor_label) == ("orgs.role.revoke", "第一中学已有填报员", "县督导")
    assert revoke.data["unit"] == world.junior.code and revoke.at >= grant.at


def test_deactivation_keeps_the_row_and_blocks_login_and_tokens(world: World, client: object) -> None:
    _token, key = ApiToken.issue(world.school_clerk, "填报程序")
    deactivate_account(world.county_supervisor, world.school_clerk, why="调离")
    clerk = User.objects.get(pk=world.school_clerk.pk)
    assert clerk.is_active is False and Membership.objects.filter(user=clerk).exists()
    assert authenticate(username=clerk.username, password="dudao-test") is None
    assert ApiToken.user_for_key(key) is None
    with pytest.raises(OrgsError) as refused:
        deactivate_account(world.county_supervisor, clerk, why="again")
    assert refused.value.code == "already_inactive"
    activate_account(world.county_supervisor, clerk, why="返岗")
    assert [e.verb for e in events()] == ["orgs.account.deactivate", "orgs.account.activate"]


def test_reset_password_gives_a_temporary_one(world: World) -> None:
    password = reset_password(world.county_supervisor, world.school_clerk, why="忘记密码")
    clerk = User.objects.get(pk=world.school_clerk.pk)
    assert clerk.check_password(password) and not clerk.check_password("dudao-test")
    assert Account.objects.get(user=clerk).must_change_password is True
    (event,) = events()
    assert event.verb == "orgs.account.reset_password" and password not in str(event.data)


def test_update_account_details(world: World) -> None:
    changed = update_account(world.county_supervisor, world.department_clerk, name="财政局 王", phone="0311-555")
    assert changed == {"name": ["", "财政局 王"], "phone": ["", "0311-555"]}
    with pytest.raises(OrgsError) as refused:
        update_account(world.county_supervisor, world.department_clerk, email="not-an-email")
    assert refused.value.code == "bad_email"
    assert len(events()) == 1


def test_a_city_administrator_manages_the_level_below(world: World, city_admin: User) -> None:
    user, _ = create_account(city_admin, "示范县管理员", "赵", "region_admin", world.county, why="县管理员")
    assert account_permissions(city_admin, user) == {"view", "manage"}
    assert account_permissions(city_admin, world.county_supervisor) == {"view", "manage"}
    assert world.school_clerk not in set(visible_accounts(city_admin))  # the county's business
    # The new county administrator manages the county's supervisor and clerks, not the city's people.
    assert account_permissions(user, world.county_supervisor) == {"view", "manage"}
    assert account_permissions(user, world.school_clerk) == {"view", "manage"}
    assert account_permissions(user, city_admin) == frozenset()
