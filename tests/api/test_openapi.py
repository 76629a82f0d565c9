"""The OpenAPI document at its stable URL, and the interactive page served without any CDN."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from dudao.census.fields import CENSUS_FIELDS
from tests.api.conftest import API

EXPECTED_PATHS = {
    f"{API}/schools": {"get"},
    f"{API}/schools/{{code}}": {"get"},
    f"{API}/census/records": {"get"},
    f"{API}/census/records/{{record_id}}": {"get"},
    f"{API}/census/records/{{school_code}}/{{year}}/{{level}}": {"put"},
    f"{API}/census/records/{{record_id}}/submit": {"post"},
    f"{API}/census/records/{{record_id}}/approve": {"post"},
    f"{API}/census/records/{{record_id}}/return": {"post"},
    f"{API}/planning/forecast/{{code}}/{{year}}": {"get"},
    f"{API}/planning/seats/{{code}}/{{year}}": {"get"},
    f"{API}/planning/plans/{{code}}/{{year}}": {"get", "post"},
    f"{API}/planning/plans/{{code}}/{{year}}/{{plan_id}}": {"get"},
    f"{API}/census/records/{{record_id}}/timeline": {"get"},
    f"{API}/census/years/{{county}}/{{year}}/lock": {"post"},
    f"{API}/census/years/{{county}}/{{year}}/unlock": {"post"},
    f"{API}/census/imports": {"post"},
    f"{API}/evaluations": {"get", "post"},
    f"{API}/rectification/tasks": {"get"},
    f"{API}/rectification/tasks/{{task_id}}": {"get"},
    f"{API}/rectification/tasks/{{task_id}}/reports": {"get"},
    f"{API}/rectification/tasks/{{task_id}}/timeline": {"get"},
    f"{API}/rectification/tasks/{{task_id}}/progress": {"post"},
    f"{API}/rectification/tasks/{{task_id}}/accept": {"post"},
    f"{API}/rectification/tasks/{{task_id}}/return": {"post"},
    f"{API}/orgs/regions": {"get", "post"},
    f"{API}/orgs/regions/{{code}}": {"patch"},
    f"{API}/orgs/regions/{{code}}/close": {"post"},
    f"{API}/orgs/departments": {"get", "post"},
    f"{API}/orgs/departments/{{department_id}}": {"patch"},
    f"{API}/orgs/register": {"get", "post"},
    f"{API}/orgs/register/{{code}}": {"patch"},
    f"{API}/orgs/register/{{code}}/merge": {"post"},
    f"{API}/orgs/register/{{code}}/close": {"post"},
    f"{API}/orgs/accounts": {"get", "post"},
    f"{API}/orgs/accounts/{{username}}": {"patch"},
    f"{API}/orgs/accounts/{{username}}/roles": {"post"},
    f"{API}/orgs/accounts/{{username}}/roles/{{role_id}}/revoke": {"post"},
    f"{API}/orgs/accounts/{{username}}/deactivate": {"post"},
    f"{API}/orgs/accounts/{{username}}/activate": {"post"},
    f"{API}/orgs/accounts/{{username}}/reset-password": {"post"},
    f"{API}/orgs/audit": {"get"},
    f"{API}/orgs/imports/register": {"post"},
    f"{API}/orgs/imports/accounts": {"post"},
}


def document() -> dict:
    response = Client().get(f"{API}/openapi.json")  # public: it describes the API, not the data
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_document_is_at_its_stable_url(db: None) -> None:
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"
    doc = document()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["version"] == "1"
    assert {path: set(methods) for path, methods in doc["paths"].items()} == EXPECTED_PATHS


def test_every_operation_requires_a_session_or_a_token(db: None) -> None:
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_errors_and_figures_are_described(db: None) -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"code", "message_zh", "message_en", "details"}
    put = doc["paths"][f"{API}/census/records/{{school_code}}/{{year}}/{{level}}"]["put"]
    assert {"200", "201", "400", "403", "404", "409", "422"} <= set(put["responses"])
    figures = schemas["CensusValues"]["properties"]
    assert set(figures) == {f.key for f in CENSUS_FIELDS}
    assert figures["students"]["description"] == "在校生数"
    assert set(schemas["CensusValuesIn"]["properties"]) == set(figures)


def test_the_docs_page_loads_nothing_from_elsewhere(db: None) -> None:
    client = Client()
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/v1/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(f"{API}/docs/assets/") for a in assets), assets
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset["Content-Type"].split(";")[0] in {"text/css", "text/javascript", "image/png"}
    assert client.get(f"{API}/docs/assets/settings.py").status_code == 404
    assert client.get(f"{API}/docs/assets/..%2F..%2Fmain.py").status_code == 404
