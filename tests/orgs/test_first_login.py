"""A temporary password must be changed at the first login: the login is completed only once the
person has chosen their own password."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dudao.orgs.actions import create_account, reset_password
from dudao.orgs.models import Account
from tests.orgs.conftest import events
from tests.personas import World, client_for
from tests.test_auth_pages import NEW_PASSWORD, logged_in_as


def log_in(client: Client, username: str, password: str, next_url: str = "") -> object:
    data = {"username": username, "password": password, **({"next": next_url} if next_url else {})}
    return client.post(reverse("login"), data)


def test_a_new_account_sets_its_own_password_before_anything_else(client: Client, world: World) -> None:
    user, temporary = create_account(world.county_supervisor, "新填报员", "李", "school_clerk", world.junior)
    response = log_in(client, "新填报员", temporary, next_url="/orgs/")
    assert response.status_code == 302 and response["Location"] == reverse("first_password")
    assert logged_in_as(client) is None  # not logged in yet: no page, no API
    assert client.get("/api/v1/schools?year=2025").status_code == 401
    page = client.get(reverse("first_password"))
    assert page.status_code == 200 and "设置新密码" in page.text
    same = client.post(reverse("first_password"), {"new_password1": temporary, "new_password2": temporary})
    assert "新密码不能与临时密码相同" in same.text and logged_in_as(client) is None
    short = client.post(reverse("first_password"), {"new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 200 and logged_in_as(client) is None
    done = client.post(reverse("first_password"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/orgs/"
    assert logged_in_as(client) == "新填报员"
    assert Account.objects.get(user=user).must_change_password is False
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert events()[-1].verb == "orgs.account.password_set" and events()[-1].actor == user


def test_the_first_password_page_needs_the_temporary_password(client: Client, world: World) -> None:
    response = client.get(reverse("first_password"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") and "请先用临时密码登录" in response.text
    create_account(world.county_supervisor, "新填报员", "李", "school_clerk", world.junior)
    assert log_in(client, "新填报员", "wrong-password").status_code == 200  # the form again, an error
    assert client.get(reverse("first_password")).status_code == 302


def test_a_reset_again_ends_the_pending_change(client: Client, world: World) -> None:
    temporary = reset_password(world.county_supervisor, world.school_clerk, why="忘记密码")
    log_in(client, world.school_clerk.username, temporary)
    reset_password(world.county_supervisor, world.school_clerk, why="又重置")
    response = client.post(reverse("first_password"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_as(client) is None


def test_a_reset_ends_the_sessions_of_the_account(world: World) -> None:
    client = client_for(world.school_clerk)
    assert logged_in_as(client) == world.school_clerk.username
    reset_password(world.county_supervisor, world.school_clerk)
    assert logged_in_as(client) is None


@pytest.mark.parametrize("person", ["county_supervisor", "school_clerk"])
def test_an_ordinary_login_is_unchanged(client: Client, world: World, person: str) -> None:
    user = getattr(world, person)
    response = log_in(client, user.username, "dudao-test")
    assert response.status_code == 302 and response["Location"] != reverse("first_password")
    assert logged_in_as(client) == user.username
