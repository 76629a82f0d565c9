"""Login, landing on one's own unit, password change, logout and the language switch, through HTTP."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.personas import PASSWORD, World

NEW_PASSWORD = "新的-Passwort-2025"
# Who lands where: the work home (工作台) of their own unit, which names it.
LANDINGS = [
    ("county_supervisor", "county"), ("observer", "county"), ("school_clerk", "primary"),
    ("city_inspector", "city"), ("province_inspector", "province"),
    ("neighbour_supervisor", "neighbour"), ("neighbour_clerk", "neighbour_school"),
]  # fmt: skip


def log_in(client: Client, user: User, password: str = PASSWORD, next_url: str = "") -> object:
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, follow=True)


def heading(html: str) -> str:
    """The text of the page's first <h1>."""
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def logged_in_as(client: Client) -> str | None:
    """The user name the server sees for this client's session (None when anonymous)."""
    response = client.get(reverse("password_change"))
    return response.context["user"].get_username() if response.status_code == 200 else None


@pytest.mark.parametrize(("person", "unit"), LANDINGS)
def test_each_person_lands_on_their_own_unit(client: Client, world: World, person: str, unit: str) -> None:
    own = getattr(world, unit)
    response = log_in(client, getattr(world, person))
    assert response.status_code == 200
    final_url = response.redirect_chain[-1][0]
    name = own.name if hasattr(own, "name") else own.years.order_by("-year").first().name
    assert final_url == "/" and heading(response.text).startswith("工作台"), (final_url, heading(response.text))
    assert name in response.text
    others = {"county": "邻县", "neighbour": "示范县", "neighbour_school": "示范县", "primary": "邻县"}
    if unit in others:
        assert others[unit] not in response.text


def test_a_wrong_password_is_refused_with_a_message(client: Client, world: World) -> None:
    response = log_in(client, world.county_supervisor, "not-the-password")
    assert response.status_code == 200 and "用户名或密码不正确。" in response.text
    assert logged_in_as(client) is None


def test_login_goes_back_to_the_page_asked_for(client: Client, world: World) -> None:
    wanted = reverse("census:school", args=[world.primary.code, 2025])
    first = client.get(wanted)
    assert first.status_code == 302 and first.url.startswith(reverse("login"))
    response = log_in(client, world.county_supervisor, next_url=wanted)
    assert response.redirect_chain[-1][0] == wanted and "示范县第一小学" in response.text


def test_the_header_offers_password_change_logout_and_language(client: Client, world: World) -> None:
    anonymous = client.get(reverse("login")).text
    assert reverse("password_change") not in anonymous and "退出" not in anonymous
    assert 'name="language" value="en"' in anonymous and 'lang="en"' in anonymous
    log_in(client, world.school_clerk)
    page = client.get(reverse("password_change")).text
    assert f'href="{reverse("password_change")}"' in page and "退出" in page and "一小填报员" in page


def test_logout_ends_the_session(client: Client, world: World) -> None:
    log_in(client, world.county_supervisor)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") and "登录" in response.text
    assert logged_in_as(client) is None


def test_password_change_needs_a_login(client: Client, world: World) -> None:
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("password_change"), {"old_password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_wrong_old_password_changes_nothing_and_says_why(client: Client, world: World) -> None:
    log_in(client, world.county_supervisor)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "密码未修改" in response.text and "你的旧密码不正确。请重新输入。" in response.text
    assert 'aria-invalid="true"' in response.text and 'aria-describedby="id_old_password_error"' in response.text
    assert Client().login(username=world.county_supervisor.username, password=PASSWORD)
    assert not Client().login(username=world.county_supervisor.username, password=NEW_PASSWORD)


def test_new_passwords_that_differ_are_refused(client: Client, world: World) -> None:
    log_in(client, world.county_supervisor)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 200 and "输入的两个密码不一致。" in response.text
    assert Client().login(username=world.county_supervisor.username, password=PASSWORD)


def test_a_changed_password_is_the_one_that_logs_in(client: Client, world: World) -> None:
    log_in(client, world.school_clerk)
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "<h1>修改密码</h1>" in form.text
    assert 'autocomplete="current-password"' in form.text and 'autocomplete="new-password"' in form.text
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "密码已修改" in response.text and "新密码已生效" in response.text
    assert logged_in_as(client) == world.school_clerk.username  # the session that changed it stays in
    assert not Client().login(username=world.school_clerk.username, password=PASSWORD)
    fresh = Client()
    landing = log_in(fresh, world.school_clerk, NEW_PASSWORD)
    assert landing.status_code == 200 and "示范县第一小学" in landing.text


def test_an_anonymous_visitor_switches_language_and_keeps_the_page(client: Client, world: World) -> None:
    login_page = reverse("login") + "?next=/census/school/1399010001/2025/"
    response = client.post(reverse("set_language"), {"language": "en", "next": login_page}, follow=True)
    assert response.redirect_chain[-1][0] == login_page
    assert '<html lang="en">' in response.text and "<h1>Log in</h1>" in response.text
    assert 'value="zh-hans" lang="zh-hans"' in response.text and ">简体中文<" in response.text
    assert response.context["next"] == "/census/school/1399010001/2025/"
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": login_page}, follow=True)
    assert '<html lang="zh-hans">' in back.text and "<h1>登录</h1>" in back.text


def test_a_logged_in_user_switches_language_on_any_page(client: Client, world: World) -> None:
    log_in(client, world.county_supervisor)
    page = reverse("password_change")
    response = client.post(reverse("set_language"), {"language": "en", "next": page}, follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "<h1>Change password</h1>" in response.text and "Log out" in response.text
    wrong = client.post(page, {"old_password": "wrong", "new_password1": "a", "new_password2": "a"})
    assert "Your old password was entered incorrectly" in wrong.text and "correct what is marked" in wrong.text


def test_the_switch_never_sends_anyone_off_site(client: Client, world: World) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response.url.startswith("http")


def test_a_unit_out_of_reach_gets_a_plain_not_found_page(client: Client, world: World) -> None:
    log_in(client, world.neighbour_clerk)
    response = client.get(reverse("census:completeness", args=[world.county.code, 2025]))
    assert response.status_code == 404
    assert "<h1>找不到该页面</h1>" in response.text and 'href="/"' in response.text
    assert "示范县" not in response.text and "邻县填报员" in response.text  # the header still says who is in


def test_a_refused_action_gets_a_plain_forbidden_page(client: Client, world: World) -> None:
    log_in(client, world.observer)
    response = client.post(reverse("census:lock", args=[world.county.code, 2025]))
    assert response.status_code == 403 and "<h1>无权执行此操作</h1>" in response.text


def test_a_department_clerk_lands_on_their_tasks(client: Client, world: World) -> None:
    response = log_in(client, world.department_clerk)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/"
    assert 'id="my-tasks"' in response.text  # the work home lists their tasks


@pytest.mark.parametrize(
    ("new", "reason"),
    [("1a2b", "密码太短，至少需要 8 个字符"), ("12345678901", "密码只包含数字"), ("password123", "这个密码太常见了")],
)
def test_a_weak_new_password_is_refused_and_changes_nothing(
    client: Client, world: World, new: str, reason: str
) -> None:
    log_in(client, world.county_supervisor)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200 and reason in response.text
    assert Client().login(username=world.county_supervisor.username, password=PASSWORD)
