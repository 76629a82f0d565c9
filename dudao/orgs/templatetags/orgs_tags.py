"""``{% load orgs_tags %}``: whether to offer the administration menu link (机构与账号)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from dudao.orgs.access import admin_regions

register = template.Library()


@register.filter
def administers(user: User | AnonymousUser) -> bool:
    """True for someone who may open 机构设置 (reads the user's roles once per request, as the access
    functions do)."""
    return bool(user.is_authenticated and admin_regions(user))
