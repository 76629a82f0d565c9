"""What the web application checks before it serves anything."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """With DEBUG off the web application does not start without DJANGO_SECRET_KEY (or its _FILE):
    sessions, CSRF tokens and the survey form's signed start time rest on it."""
    if not settings.DEBUG and not settings.SECRET_KEY_GIVEN:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: the web application does not start without it (DEBUG is off). "
            "Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` (docs/security.md). / "
            "未设置 DJANGO_SECRET_KEY：关闭调试模式时网站不能启动，请设置 DJANGO_SECRET_KEY 或 DJANGO_SECRET_KEY_FILE。"
        )
