"""The interactive API page (Swagger UI) served entirely from this server.

ninja's default page loads Swagger UI from a CDN unless ``"ninja"`` is in INSTALLED_APPS (then it uses
``{% static %}``, which needs static files to be served). Neither is a given here, so this page points
at ``docs/assets/<name>``, a small view that streams the few Swagger UI files ninja ships in its package.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"})

PAGE = """<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="{icon}" type="image/png">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def asset_url(api: NinjaAPI, name: str) -> str:
    return reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": name})


class LocalSwagger(DocsBase):
    """Swagger UI with its scripts and styles from this server. Logged-in users' calls carry the CSRF token."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        html = PAGE.format(
            title=escape(api.title),
            css=asset_url(api, "swagger-ui.css"),
            icon=asset_url(api, "favicon.png"),
            csrf=escape(get_token(request)),
            settings=json.dumps(settings).replace("<", "\\u003c"),  # raw text inside <script>
            bundle=asset_url(api, "swagger-ui-bundle.js"),
            init=asset_url(api, "swagger-ui-init.js"),
        )
        return HttpResponse(html)


def asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
