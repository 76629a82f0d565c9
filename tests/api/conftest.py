"""Fixtures for the API tests: clients logged in as a persona (session) or holding a token, and a
stored census record per county of the ``world``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dudao.api.models import ApiToken
from dudao.census.actions import save_record
from dudao.census.models import CensusRecord
from dudao.orgs.models import School
from tests.personas import SYSTEM, YEAR, World, client_for

API = "/api/v1"
# A primary school's figures, plausible (no warnings) and enough for the engine to evaluate.
FIGURES: dict[str, Any] = {
    "students": 1000, "teachers": 60, "teachers_above_qualification": 50, "backbone_teachers": 12,
    "pe_art_teachers": 10, "senior_title_teachers": 30, "teaching_aux_area_m2": 5000, "sports_area_m2": 8000,
    "equipment_value_yuan": 2500000, "multimedia_classrooms": 25, "computers": 120, "books": 30000,
}  # fmt: skip


def census_csv(school: School, name: str = "学校", school_type: str = "小学", **values: Any) -> SimpleUploadedFile:
    """A one-row census file for ``school`` in the template's layout (English headers)."""
    figures = {**FIGURES, **values}
    keys = ["county_code", "school_code", "school_name", "school_type", "level", "location", *figures]
    row = [school.county.code, school.code, name, school_type, "小学", "城区", *figures.values()]
    text = ",".join(keys) + "\n" + ",".join("" if v is None else str(v) for v in row) + "\n"
    return SimpleUploadedFile(f"{school.code}.csv", text.encode("utf-8"), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile, **form: Any) -> Any:
    """``POST /census/imports`` as a browser form would send it (multipart)."""
    headers = form.pop("headers", {})
    data = {"file": file, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}}
    return client.post(f"{API}/census/imports", data, headers=headers)


def call(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    """One request to the API; JSON body for anything but GET."""
    url = url if url.startswith(API) else API + url
    if method == "GET":
        return client.get(url, headers=headers)
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json", headers=headers)


@pytest.fixture
def as_user() -> Callable[[User | None], Client]:
    """A client logged in (session) as ``user``; anonymous for None."""

    return client_for


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        return ApiToken.issue(user, f"test {user.pk}")[1]

    return make


def store(school: School, level: str = "primary", year: int = YEAR, **values: Any) -> CensusRecord:
    """A record entered by the system (no user), as an import would."""
    return save_record(SYSTEM, school, year, level, {**FIGURES, **values}).record


@pytest.fixture
def records(world: World) -> dict[str, CensusRecord]:
    """One draft record for a primary school in each county: 示范县, 邻县 and 其他县."""
    return {
        "home": store(world.primary),
        "neighbour": store(world.neighbour_school),
        "far": store(world.other_school),
    }
