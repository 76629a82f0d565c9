"""F11, F12 (issue #13): the password change refuses the current password; the password-reset pages
exist only where the site delivers mail."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

import dudao.urls
from tests.personas import PASSWORD, World, client_for


def test_the_current_password_is_refused_as_the_new_one(world: World) -> None:
    client = client_for(world.county_supervisor)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 200 and "新密码不能与当前密码相同" in response.text
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert "The new password must differ from the current one" in response.text


@pytest.mark.django_db
def test_no_password_reset_without_mail() -> None:
    assert Client().get("/accounts/password_reset/").status_code == 404
    assert Client().get("/accounts/reset/MQ/set-password/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    assert "password_reset" not in Client().get(reverse("login")).text


@pytest.mark.django_db
def test_password_reset_where_mail_is_delivered(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    try:
        importlib.reload(dudao.urls)
        clear_url_caches()
        assert Client().get("/accounts/password_reset/").status_code == 200
    finally:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        importlib.reload(dudao.urls)
        clear_url_caches()
    assert Client().get("/accounts/password_reset/").status_code == 404
