"""F3 (issue #13): wrong passwords are throttled per account and per address, the lock grows with
each lock-out of the day, even the right password waits it out, an administrator lifts it (with a
reason, audited); bad API tokens are throttled per address the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.api.models import ApiToken
from dudao.audit.models import AuditEvent
from dudao.security.addresses import client_address
from tests.personas import PASSWORD, World, client_for

ADDRESS, OTHER = "198.51.100.7", "203.0.113.9"


def log_in(user: User | str, password: str, address: str = ADDRESS, client: Client | None = None, **extra: str):
    username = user if isinstance(user, str) else user.username
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(user: User | str, times: int, address: str = ADDRESS) -> None:
    for _ in range(times):
        response = log_in(user, "wrong-password", address)
        assert response.status_code in (200, 429)


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def age(minutes: int) -> None:
    """As if the failures so far happened ``minutes`` earlier."""
    earlier = timedelta(minutes=minutes)
    for model in (AccessAttempt, AccessFailureLog):
        for row in model.objects.all():
            model.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - earlier)


def test_the_right_password_after_five_wrong_ones_waits(world: World) -> None:
    fail(world.county_supervisor, 4)
    assert logged_in(log_in(world.county_supervisor, PASSWORD))  # four mistakes, then in: fine
    fail(world.county_supervisor, 5)
    response = log_in(world.county_supervisor, PASSWORD)
    assert response.status_code == 429 and not logged_in(response)
    assert "登录失败次数过多" in response.text and "15分钟" in response.text and "联系系统管理员" in response.text
    assert response["Retry-After"] == "900"
    assert "用户名或密码不正确" not in response.text
    assert logged_in(log_in(world.observer, PASSWORD))  # another account from the same address is not locked


def test_the_lock_is_explained_in_english(world: World) -> None:
    fail(world.county_supervisor, 5)
    client = Client()
    client.cookies["django_language"] = "en"
    response = log_in(world.county_supervisor, PASSWORD, client=client)
    assert response.status_code == 429 and "Too many failed logins" in response.text


def test_the_lock_ends_after_its_time_and_grows_with_each_lock_out(world: World) -> None:
    fail(world.county_supervisor, 5)
    age(16)
    fail(world.county_supervisor, 5)  # the second lock-out of the day: 30 minutes
    response = log_in(world.county_supervisor, PASSWORD)
    assert response.status_code == 429 and response["Retry-After"] == "1800"
    age(16)
    assert log_in(world.county_supervisor, PASSWORD).status_code == 429  # still locked after 16 minutes
    age(15)
    assert logged_in(log_in(world.county_supervisor, PASSWORD))


def test_attempts_during_a_lock_do_not_extend_it(world: World) -> None:
    fail(world.county_supervisor, 5)
    age(10)
    fail(world.county_supervisor, 20)
    age(6)
    assert logged_in(log_in(world.county_supervisor, PASSWORD))


def test_an_address_trying_many_accounts_is_locked(world: World) -> None:
    for n in range(20):
        log_in(f"guess-{n}", "wrong-password")
    response = log_in(world.observer, PASSWORD)
    assert response.status_code == 429 and not logged_in(response)
    assert logged_in(log_in(world.observer, PASSWORD, OTHER))


def test_an_administrator_lifts_the_lock_with_a_reason(world: World) -> None:
    fail(world.county_supervisor, 5)
    with pytest.raises(CommandError):
        call_command("unlock", world.county_supervisor.username, why=" ")
    call_command("unlock", world.county_supervisor.username, why="本人来电确认，已核实身份")
    assert logged_in(log_in(world.county_supervisor, PASSWORD))
    event = AuditEvent.objects.get(verb="security.lockout.lift")
    assert event.actor_label == "system (command unlock)" and event.why == "本人来电确认，已核实身份"
    assert event.data["username"] == world.county_supervisor.username and event.data["records"] >= 1


def test_the_admin_lifts_a_lock_and_the_trail_names_who(world: World) -> None:
    fail(world.county_supervisor, 5)
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    client = client_for(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(changelist, {"action": "lift", "_selected_action": ids})
    assert response.status_code == 302
    assert logged_in(log_in(world.county_supervisor, PASSWORD))
    assert AuditEvent.objects.get(verb="security.lockout.lift").actor == admin


def test_the_test_clients_login_still_meets_the_lock(world: World) -> None:
    assert Client().login(username=world.observer.username, password=PASSWORD)
    fail(world.observer, 5)
    assert not Client().login(username=world.observer.username, password=PASSWORD)


def test_bad_api_tokens_lock_the_address(world: World) -> None:
    _token, key = ApiToken.issue(world.county_supervisor, "数据对接")
    url = "/api/v1/schools?year=2025"
    for _ in range(20):
        assert Client().get(url, HTTP_AUTHORIZATION="Bearer dudao_guess", REMOTE_ADDR=ADDRESS).status_code in (401, 429)
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert "登录失败次数过多" in response.json()["message_zh"] and response.json()["message_en"]
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=OTHER).status_code == 200
    assert logged_in(log_in(world.observer, PASSWORD, OTHER))


def test_behind_a_proxy_the_limit_keys_on_the_forwarded_address(world: World, settings) -> None:
    settings.DUDAO_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(20):  # one client behind the proxy, forging the left part of the header
        log_in(f"guess-{n}", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ADDRESS}")
    locked = log_in(world.observer, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ADDRESS)
    assert locked.status_code == 429
    assert logged_in(log_in(world.observer, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OTHER))


def test_the_client_address_trusts_only_the_configured_proxies(rf, settings) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1")
    assert client_address(request) == "10.0.0.2"  # no proxy configured: the header is ignored
    settings.DUDAO_PROXY_COUNT = 1
    assert client_address(request) == "192.0.2.1"
    settings.DUDAO_PROXY_COUNT = 2
    assert client_address(request) == "6.6.6.6"
    settings.DUDAO_PROXY_COUNT = 3  # fewer entries than proxies: not through them
    assert client_address(request) == "10.0.0.2"
    settings.DUDAO_PROXY_COUNT = 1
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.2"


@pytest.mark.django_db
def test_old_failures_are_forgotten_after_a_day() -> None:
    Client().post(reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR=ADDRESS)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=25))
    Client().post(reverse("login"), {"username": "z", "password": "y"}, REMOTE_ADDR=OTHER)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["z"]
