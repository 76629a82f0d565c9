"""At login, whether the person administers anything (``request.session["dudao_administers"]``):
the header menu shows its 机构与账号 link from it without reading the roles on every page. A role
granted or revoked meanwhile shows in the menu at the next login; the pages themselves always check
the roles (``dudao.orgs.access``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from dudao.orgs.access import admin_regions

SESSION_KEY = "dudao_administers"


def remember_administration(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = bool(admin_regions(user))
