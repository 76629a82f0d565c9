"""Census records over HTTP: create and change (with optimistic concurrency and plausibility notes),
the review workflow, the history, locking a year, and the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from dudao.census.fields import CENSUS_FIELDS
from dudao.census.models import CensusChange, CensusRecord
from dudao.orgs.models import School, SchoolYear
from tests.api.conftest import FIGURES, call, store
from tests.personas import YEAR, World

Login = Callable[[User | None], Client]


def put(client: Client, school: School, body: dict[str, Any], level: str = "primary", year: int = YEAR) -> Any:
    return call(client, "PUT", f"/census/records/{school.code}/{year}/{level}", body)


def test_create_then_change(world: World, as_user: Login) -> None:
    clerk = as_user(world.school_clerk)
    created = put(clerk, world.primary, {"values": FIGURES, "reason": "首次填报"})
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True and body["warnings"] == []
    assert sorted(body["changed"]) == sorted(FIGURES)
    record = body["record"]
    assert (record["school"], record["county"], record["year"], record["level"]) == (
        world.primary.code, world.county.code, YEAR, "primary",
    )  # fmt: skip
    assert (record["status"], record["version"], record["updated_by"]) == ("draft", 1, "一小填报员")
    assert set(record["values"]) == {f.key for f in CENSUS_FIELDS}
    assert record["values"]["students"] == 1000 and record["values"]["sports_area_m2"] == 8000
    assert record["values"]["classes"] is None
    assert record["updated_at"].endswith("+08:00")

    changed = put(clerk, world.primary, {"values": {"sports_area_m2": 8123.25, "classes": 24},
                                         "expected_version": 1, "reason": "补充"})  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["created"] is False
    assert sorted(changed.json()["changed"]) == ["classes", "sports_area_m2"]
    again = call(clerk, "GET", f"/census/records/{record['id']}").json()
    assert again["version"] == 2
    assert again["values"]["sports_area_m2"] == 8123.25 and again["values"]["classes"] == 24
    assert again["values"]["students"] == 1000  # figures not given are left as they were


def test_null_clears_a_figure(world: World, as_user: Login) -> None:
    record = store(world.primary)
    response = put(as_user(world.school_clerk), world.primary, {"values": {"books": None}, "expected_version": 1})
    assert response.status_code == 200
    assert response.json()["record"]["values"]["books"] is None
    assert CensusChange.objects.get(record=record, field="books", user=world.school_clerk).new is None


def test_a_note_alone_changes_no_figure(world: World, as_user: Login) -> None:
    """``values`` may be left out (its default is an empty set of figures, not a 500)."""
    store(world.primary)
    response = put(as_user(world.school_clerk), world.primary, {"note": "学生数含随班就读", "expected_version": 1})
    assert response.status_code == 200
    assert response.json()["changed"] == []
    assert CensusRecord.objects.get(school=world.primary, year=YEAR, level="primary").note == "学生数含随班就读"


def test_figures_are_kept_exactly(world: World, as_user: Login) -> None:
    clerk = as_user(world.school_clerk)
    put(clerk, world.primary, {"values": {"equipment_value_yuan": "2,500,000.55", "sports_area_m2": 0.1}})
    record = CensusRecord.objects.get(school=world.primary)
    assert str(record.equipment_value_yuan) == "2500000.5500" and str(record.sports_area_m2) == "0.1000"


def test_two_editors_from_the_same_version_the_second_is_refused(world: World, as_user: Login) -> None:
    record = store(world.primary)
    clerk, supervisor = as_user(world.school_clerk), as_user(world.county_supervisor)
    first = put(clerk, world.primary, {"values": {"books": 31000}, "expected_version": 1})
    second = put(supervisor, world.primary, {"values": {"books": 99999, "computers": 1}, "expected_version": 1})
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert second.json()["details"] == [{"current_version": 2}]
    record.refresh_from_db()
    assert (record.books, record.computers, record.version) == (31000, 120, 2)
    assert not CensusChange.objects.filter(record=record, user=world.county_supervisor).exists()


def test_a_create_that_finds_the_record_made_meanwhile_is_refused(world: World, as_user: Login) -> None:
    store(world.primary)  # someone else created it
    response = put(as_user(world.school_clerk), world.primary, {"values": {"books": 1}})  # expected_version 0
    assert response.status_code == 409
    assert CensusRecord.objects.get(school=world.primary).books == 30000


def test_unusual_figures_need_a_note(world: World, as_user: Login) -> None:
    clerk = as_user(world.school_clerk)
    unusual = {**FIGURES, "pe_art_teachers": 70}  # more than the 60 teachers
    refused = put(clerk, world.primary, {"values": unusual})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "note_required" and "情况说明" in body["message_zh"]
    assert [(w["rule"], w["field"]) for w in body["details"]] == [("pe_art_exceed_teachers", "pe_art_teachers")]
    assert not CensusRecord.objects.filter(school=world.primary).exists()

    saved = put(clerk, world.primary, {"values": unusual, "note": "含外聘体育教师"})
    assert saved.status_code == 201
    assert [w["rule"] for w in saved.json()["warnings"]] == ["pe_art_exceed_teachers"]
    assert saved.json()["record"]["note"] == "含外聘体育教师"


def test_bad_values_are_400_with_every_problem(world: World, as_user: Login) -> None:
    clerk = as_user(world.school_clerk)
    response = put(clerk, world.primary, {"values": {"students": "很多", "teachers": -3, "books": 1.5}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_values"
    assert {(p["field"], p["rule"]) for p in body["details"]} == {
        ("students", "not_a_number"), ("teachers", "negative"), ("books", "not_whole"),
    }  # fmt: skip
    unknown = put(clerk, world.primary, {"values": {"pupils": 3}})
    assert unknown.status_code == 400
    assert unknown.json()["details"][0]["loc"] == ["body", "payload", "values", "pupils"]
    assert put(clerk, world.primary, {"values": {"students": True}}).status_code == 400  # not taken as 1
    assert put(clerk, world.primary, {"values": {"students": [1]}}).status_code == 400
    assert put(clerk, world.primary, {"values": {}}, level="senior").status_code == 400
    assert put(clerk, world.primary, {"values": {}}, year=3000).status_code == 400
    bad_level = put(clerk, world.primary, {"values": {"students": 1}}, level="junior")
    assert (bad_level.status_code, bad_level.json()["code"]) == (400, "bad_level")
    assert not CensusRecord.objects.exists()


def test_submit_return_resubmit_approve(world: World, as_user: Login) -> None:
    clerk, supervisor = as_user(world.school_clerk), as_user(world.county_supervisor)
    record = put(clerk, world.primary, {"values": FIGURES}).json()["record"]
    url = f"/census/records/{record['id']}"

    assert call(clerk, "POST", f"{url}/submit").json()["status"] == "submitted"
    assert call(supervisor, "POST", f"{url}/approve").json()["status"] == "approved"
    returned = call(supervisor, "POST", f"{url}/return", {"reason": "专任教师数与人事系统不符"}).json()
    assert (returned["status"], returned["return_reason"]) == ("returned", "专任教师数与人事系统不符")
    put(clerk, world.primary, {"values": {"teachers": 61}, "expected_version": 1, "reason": "按人事系统更正"})
    assert call(clerk, "POST", f"{url}/submit").json()["status"] == "submitted"
    assert call(supervisor, "POST", f"{url}/approve").json()["status"] == "approved"

    timeline = call(clerk, "GET", f"{url}/timeline").json()
    steps = [e["kind"] for e in timeline if e["kind"] != "change"]
    assert steps == ["create", "submit", "approve", "return", "submit", "approve"]
    teachers = [e for e in timeline if e.get("field") == "teachers"]
    assert [(e["old"], e["new"], e["reason"]) for e in teachers] == [
        (None, "60", ""), ("60", "61", "按人事系统更正"),
    ]  # fmt: skip
    assert timeline[-1]["user"] == "县督导" and timeline[-1]["label"] == "审核通过"


def test_workflow_refusals(world: World, as_user: Login) -> None:
    record = store(world.primary)
    clerk, supervisor = as_user(world.school_clerk), as_user(world.county_supervisor)
    url = f"/census/records/{record.pk}"
    draft = call(supervisor, "POST", f"{url}/approve")
    assert (draft.status_code, draft.json()["code"]) == (422, "bad_state")
    call(clerk, "POST", f"{url}/submit")
    no_reason = call(supervisor, "POST", f"{url}/return", {"reason": "  "})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert call(supervisor, "POST", f"{url}/return", {}).status_code == 400  # reason missing altogether
    assert call(clerk, "POST", f"{url}/approve").status_code == 403
    record.refresh_from_db()
    assert record.status == "submitted"


def test_a_locked_year_refuses_changes_until_unlocked(world: World, as_user: Login) -> None:
    record = store(world.primary)
    clerk, supervisor = as_user(world.school_clerk), as_user(world.county_supervisor)
    years = f"/census/years/{world.county.code}/{YEAR}"

    locked = call(supervisor, "POST", f"{years}/lock")
    assert locked.status_code == 200
    assert (locked.json()["locked"], locked.json()["locked_by"]) == (True, "县督导")
    twice = call(supervisor, "POST", f"{years}/lock")
    assert (twice.status_code, twice.json()["code"]) == (422, "already_locked")

    refused = put(clerk, world.primary, {"values": {"books": 1}, "expected_version": 1})
    assert (refused.status_code, refused.json()["code"]) == (422, "year_locked")
    assert call(clerk, "POST", f"/census/records/{record.pk}/submit").json()["code"] == "year_locked"

    assert call(supervisor, "POST", f"{years}/unlock", {"reason": ""}).json()["code"] == "reason_required"
    unlocked = call(supervisor, "POST", f"{years}/unlock", {"reason": "补录一所学校"})
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    assert put(clerk, world.primary, {"values": {"books": 1}, "expected_version": 1}).status_code == 200
    again = call(supervisor, "POST", f"{years}/unlock", {"reason": "再次"})
    assert (again.status_code, again.json()["code"]) == (422, "not_locked")


def test_years_are_locked_per_county_only(world: World, as_user: Login) -> None:
    """A town or a city is not a county: there is no such county to lock (404), whoever asks."""
    supervisor = as_user(world.county_supervisor)
    assert call(supervisor, "POST", f"/census/years/{world.town.code}/{YEAR}/lock").status_code == 404
    city = call(as_user(world.city_inspector), "POST", f"/census/years/{world.city.code}/{YEAR}/lock")
    assert city.status_code == 404


def test_the_list_filters(world: World, as_user: Login) -> None:
    store(world.primary)
    store(world.primary, year=YEAR - 1)
    store(world.junior, level="junior")
    submitted = store(world.neighbour_school)
    call(as_user(world.neighbour_supervisor), "POST", f"/census/records/{submitted.pk}/submit")
    city = as_user(world.city_inspector)

    def keys(query: str) -> list[tuple[str, int, str]]:
        return [
            (r["school"], r["year"], r["status"]) for r in call(city, "GET", f"/census/records{query}").json()["items"]
        ]

    assert keys("") == [
        (world.primary.code, YEAR, "draft"), (world.junior.code, YEAR, "draft"),
        (world.neighbour_school.code, YEAR, "submitted"), (world.primary.code, YEAR - 1, "draft"),
    ]  # fmt: skip
    assert keys(f"?year={YEAR - 1}") == [(world.primary.code, YEAR - 1, "draft")]
    assert keys("?status=submitted") == [(world.neighbour_school.code, YEAR, "submitted")]
    assert keys(f"?county={world.county.code}&year={YEAR}") == [
        (world.primary.code, YEAR, "draft"), (world.junior.code, YEAR, "draft"),
    ]  # fmt: skip
    assert keys(f"?school={world.primary.code}") == [(world.primary.code, YEAR, "draft"),
                                                     (world.primary.code, YEAR - 1, "draft")]  # fmt: skip
    assert keys(f"?school={world.other_school.code}") == []
    assert call(city, "GET", "/census/records?status=lost").status_code == 400


def _many_records(world: World, n: int) -> None:
    schools = School.objects.bulk_create(School(code=f"13990180{i:04d}", county=world.county) for i in range(n))
    SchoolYear.objects.bulk_create(
        SchoolYear(school=s, year=YEAR, name=f"学校{i}", school_type="primary") for i, s in enumerate(schools)
    )
    CensusRecord.objects.bulk_create(
        CensusRecord(school=s, year=YEAR, level="primary", updated_by=world.school_clerk, **FIGURES) for s in schools
    )


def test_the_list_costs_the_same_queries_for_1_record_or_80(
    world: World, as_user: Login, django_assert_max_num_queries: Callable
) -> None:
    store(world.primary)
    client = as_user(world.city_inspector)
    url = f"/census/records?county={world.county.code}&page_size=100"
    # session, user, memberships, the region of the filter, count, page
    with django_assert_max_num_queries(6):
        assert call(client, "GET", url).json()["count"] == 1
    _many_records(world, 79)
    with django_assert_max_num_queries(6):
        body = call(client, "GET", url).json()
    assert body["count"] == 80 and len(body["items"]) == 80
    assert {r["updated_by"] for r in body["items"]} == {None, "一小填报员"}


def test_reading_one_record_and_its_history_costs_a_fixed_number_of_queries(
    world: World, as_user: Login, django_assert_max_num_queries: Callable
) -> None:
    record = store(world.primary)
    client = as_user(world.county_supervisor)
    for books in range(30001, 30011):
        put(client, world.primary, {"values": {"books": books}, "expected_version": record.version})
        record.refresh_from_db()
    # session, user, memberships, record, school; then changes and events
    with django_assert_max_num_queries(5):
        assert call(client, "GET", f"/census/records/{record.pk}").status_code == 200
    with django_assert_max_num_queries(7):
        timeline = call(client, "GET", f"/census/records/{record.pk}/timeline").json()
    assert len([e for e in timeline if e.get("field") == "books"]) == 11
