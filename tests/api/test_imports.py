"""Importing a census file over HTTP: a dry run reports, an import writes one batch, a bad file is 400
with every problem (sheet, row, column, value, rule, in Chinese and English), an oversized one 413."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dudao.census.models import CensusRecord, ImportBatch
from tests.api.conftest import census_csv, upload
from tests.personas import YEAR, World

Login = Callable[[User | None], Client]


def test_a_dry_run_reports_and_writes_nothing(world: World, as_user: Login) -> None:
    response = upload(as_user(world.county_supervisor), census_csv(world.primary, "示范县第一小学"),
                      year=YEAR, county=world.county.code, dry_run=True)  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["rows"], body["created"], body["batch"]) == (True, 1, 1, None)
    assert body["changes"][0]["school_code"] == world.primary.code and body["changes"][0]["action"] == "create"
    assert {a["code"] for a in body["not_submitted"]} == {world.junior.code, world.nine_year.code}
    assert not CensusRecord.objects.exists() and not ImportBatch.objects.exists()


def test_an_import_writes_one_batch(world: World, as_user: Login) -> None:
    response = upload(as_user(world.county_supervisor), census_csv(world.primary, "示范县第一小学", books=31000),
                      year=YEAR, county=world.county.code)  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    batch = ImportBatch.objects.get()
    assert body["batch"] == batch.pk and batch.filename == f"{world.primary.code}.csv"
    assert batch.user == world.county_supervisor
    record = CensusRecord.objects.get(school=world.primary, year=YEAR, level="primary")
    assert (record.books, record.status) == (31000, "submitted")


def test_a_bad_file_is_400_with_every_problem(world: World, as_user: Login) -> None:
    bad = census_csv(world.primary, "示范县第一小学", students="很多", teachers=-5)
    response = upload(as_user(world.county_supervisor), bad, year=YEAR, county=world.county.code)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_file" and "未导入任何数据" in body["message_zh"]
    problems = {(p["column"], p["row"], p["value"]) for p in body["details"]}
    assert ("students", 2, "很多") in problems and ("teachers", 2, "-5") in problems
    for p in body["details"]:
        assert {"sheet", "row", "column", "value", "rule", "message_zh", "message_en"} <= set(p)
        assert p["sheet"] == f"{world.primary.code}.csv" and p["message_zh"] and p["message_en"]
    assert not CensusRecord.objects.exists() and not ImportBatch.objects.exists()


def test_an_unreadable_file_is_400(world: World, as_user: Login) -> None:
    for name, content in [("census.txt", b"hello"), ("census.xlsx", b"not a zip"), ("census.csv", b"a,b\n1,2\n")]:
        response = upload(as_user(world.county_supervisor), SimpleUploadedFile(name, content),
                          year=YEAR, county=world.county.code)  # fmt: skip
        assert response.status_code == 400, name
        assert response.json()["code"] == "invalid_file" and response.json()["details"][0]["rule"]


def test_a_row_of_another_county_is_refused(world: World, as_user: Login) -> None:
    response = upload(as_user(world.county_supervisor), census_csv(world.neighbour_school),
                      year=YEAR, county=world.county.code)  # fmt: skip
    assert response.status_code == 400
    assert "wrong_county" in {p["rule"] for p in response.json()["details"]}


def test_without_a_county_each_row_needs_permission_on_its_own(world: World, as_user: Login) -> None:
    response = upload(as_user(world.county_supervisor), census_csv(world.neighbour_school), year=YEAR)
    assert response.status_code == 400
    assert "not_permitted" in {p["rule"] for p in response.json()["details"]}
    assert upload(as_user(world.neighbour_supervisor), census_csv(world.neighbour_school), year=YEAR).status_code == 201


def test_the_form_is_checked(world: World, as_user: Login) -> None:
    client = as_user(world.county_supervisor)
    assert upload(client, census_csv(world.primary), county=world.county.code).status_code == 400  # no year
    assert upload(client, census_csv(world.primary), year=1800, county=world.county.code).status_code == 400
    no_file = client.post("/api/v1/census/imports", {"year": YEAR, "county": world.county.code})
    assert no_file.status_code == 400 and no_file.json()["code"] == "invalid_request"


def test_an_oversized_upload_is_413(world: World, as_user: Login, settings: Any) -> None:
    settings.DUDAO_IMPORT_MAX_BYTES = 1000
    client = as_user(world.county_supervisor)
    # Over the limit by its Content-Length: refused before the body is read.
    big = SimpleUploadedFile("big.csv", b"x" * (1000 + 70 * 1024))
    response = upload(client, big, year=YEAR, county=world.county.code)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "1,000 bytes" in response.json()["message_en"]
    # Within the framing allowance but over the limit: refused once its size is known.
    response = upload(client, SimpleUploadedFile("big.csv", b"x" * 2000), year=YEAR, county=world.county.code)
    assert response.status_code == 413 and response.json()["details"] == [{"size": 2000}]
    assert not ImportBatch.objects.exists()
