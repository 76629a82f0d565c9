"""A request body over the upload limit is refused from its Content-Length, before it is received: 413
with the API's error body under /api/, a readable page elsewhere."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.census.models import CensusRecord, ImportBatch
from tests.personas import YEAR, World, client_for

MIB = 1024 * 1024


def raw_post(url: str, path: str, length: int) -> bytes:
    """POST ``path`` declaring a body of ``length`` bytes but sending only its first line, then read the
    answer. A server that waited for the body would never answer: the socket's timeout fails the test."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"--b\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and (b"</html>" in answer or b"}" in answer.split(b"\r\n\r\n", 1)[1]):
                break
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_21_mb_upload_is_refused_after_its_headers(live_server: Any) -> None:
    api = raw_post(live_server.url, "/api/v1/census/imports", 21 * MIB)
    assert api.startswith(b"HTTP/1.1 413") and b'"code": "too_large"' in api and b"20 MB" in api
    page = raw_post(live_server.url, "/census/county/139901/2025/import/", 21 * MIB)
    assert page.startswith(b"HTTP/1.1 413") and b"text/html" in page
    assert "上传的文件过大".encode() in page and b"20 MB" in page


def test_the_page_says_why_in_the_users_language(world: World, settings: Any) -> None:
    settings.DUDAO_UPLOAD_MAX_BYTES = settings.DUDAO_IMPORT_MAX_BYTES = settings.DUDAO_EVIDENCE_MAX_BYTES = 1000
    client = client_for(world.county_supervisor)
    url = reverse("census:upload", args=[world.county.code, YEAR])

    def big() -> dict[str, Any]:
        return {"file": SimpleUploadedFile("big.xlsx", b"x" * (100 * 1024))}

    page = client.post(url, big(), HTTP_REFERER=f"http://testserver{url}")
    assert page.status_code == 413
    assert "上传的文件过大" in page.text and "超过了 1,000 字节 的上限" in page.text and url in page.text
    english = client.post(url, big(), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 413 and "The upload is too large" in english.text
    assert not CensusRecord.objects.exists() and not ImportBatch.objects.exists()
    # within the limit and its allowance for the form: the view's own check names the file's size
    assert client.post(url, {"file": SimpleUploadedFile("a.xlsx", b"x" * 2000)}).status_code == 200


def test_the_api_answers_with_its_error_body(world: World, settings: Any) -> None:
    settings.DUDAO_UPLOAD_MAX_BYTES = settings.DUDAO_IMPORT_MAX_BYTES = settings.DUDAO_EVIDENCE_MAX_BYTES = 1000
    client = client_for(world.county_supervisor)
    response = client.post("/api/v1/census/imports", {"file": SimpleUploadedFile("big.csv", b"x" * (100 * 1024)),
                                                       "year": YEAR})  # fmt: skip
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and body["message_zh"] and body["message_en"]
    assert body["details"][0]["content_length"] > 100 * 1024
