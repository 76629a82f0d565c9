"""The census pages through HTTP, as the personas use them: a logged-in client, and the upload as a county's
supervisor does it (upload: kept, redirected to the preview; then confirm what the preview shows)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.personas import client_for  # noqa: F401  (the one login helper; imported from here by older tests)


def upload(client: Client, county: str, year: int, content: bytes, name: str = "示范县2025.xlsx", **extra: Any) -> Any:
    """POST the file; the response of the preview it redirects to (``.redirect_chain`` names it)."""
    url = reverse("census:upload", args=[county, year])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True, **extra)


def confirm(client: Client, preview: Any) -> Any:
    """Confirm the preview's import (its digest), following the redirect to the page it lands on."""
    return client.post(preview.context["confirm_url"], {"digest": preview.context["digest"]}, follow=True)


def upload_and_confirm(client: Client, county: str, year: int, content: bytes, name: str = "示范县2025.xlsx") -> Any:
    preview = upload(client, county, year, content, name)
    assert preview.status_code == 200 and "digest" in preview.context, preview.content.decode()[:2000]
    return confirm(client, preview)
