"""Template tags available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def download_url(context: template.Context, name: str, fmt: str) -> str:
    """This page's URL with ``download=name&format=fmt``: the file holds what the page shows."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query["download"], query["format"] = name, fmt
    return f"{request.path}?{query.urlencode()}"


@register.simple_tag
def colon() -> str:
    """A label's colon in the page's language: "：" in Chinese, ": " in English."""
    return ": " if (get_language() or "").startswith("en") else "："
