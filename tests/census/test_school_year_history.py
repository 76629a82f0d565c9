"""A school's attributes in a school year (name, type, location, ownership) changed by an import are
kept in the census history like a changed figure — who, when, old, new and why (the import) — and
shown in the school's timeline: the census page, the school page and the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusChange, CensusRecord
from dudao.orgs.models import SchoolYear
from tests.census.test_import import county_rows, workbook
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def renamed_and_moved() -> list[dict]:
    """The county's file a year on: 第一小学 renamed, now in a town and private; the nine-year school rural."""
    rows = county_rows()
    rows[0].update(school_name="示范县实验小学", location="town", ownership="private")
    rows[2].update(location="rural")
    return rows


@pytest.fixture
def imported(world: World, tmp_path: Path) -> object:
    """The county's file imported, then the changed one (the second batch)."""
    import_census(workbook(tmp_path), YEAR, county=world.county, user=world.county_supervisor)
    assert not CensusChange.objects.exists()  # the attributes were those stored
    return import_census(
        workbook(tmp_path, renamed_and_moved(), "2025-更正.xlsx"),
        YEAR,
        county=world.county,
        user=world.county_supervisor,
    )


def test_an_import_that_changes_a_schools_attributes_keeps_who_when_old_and_new(world: World, imported) -> None:
    assert (imported.updated, imported.unchanged, imported.school_years_updated) == (0, 4, 2)
    primary_year = SchoolYear.objects.get(school=world.primary, year=YEAR)
    assert (primary_year.name, primary_year.location, primary_year.ownership) == ("示范县实验小学", "town", "private")
    changes = CensusChange.objects.filter(school_year__isnull=False).order_by("school_year__school__code", "field")
    assert [(c.school_year.school.code, c.school_year.year, c.field, c.old, c.new) for c in changes] == [
        ("1399010001", YEAR, "location", "urban", "town"),
        ("1399010001", YEAR, "name", "示范县第一小学", "示范县实验小学"),
        ("1399010001", YEAR, "ownership", "public", "private"),
        ("1399010003", YEAR, "location", "town", "rural"),
    ]
    assert {(c.record, c.user, c.batch, c.reason) for c in changes} == {
        (None, world.county_supervisor, imported.batch, "")
    }
    # What did not change stays as it was (the nine-year school keeps its name while its location changes).
    nine_year = SchoolYear.objects.get(school=world.nine_year, year=YEAR)
    assert (nine_year.name, nine_year.location, nine_year.ownership) == ("示范县城关九年一贯制学校", "rural", "public")
    # The year before is not touched.
    before = SchoolYear.objects.get(school=world.primary, year=YEAR - 1)
    assert (before.name, before.location) == ("示范县第一小学", "urban")


def test_the_same_file_again_adds_no_history(world: World, imported, tmp_path: Path) -> None:
    count = CensusChange.objects.count()
    again = import_census(
        workbook(tmp_path, renamed_and_moved(), "again.xlsx"), YEAR, county=world.county, user=world.county_supervisor
    )
    assert again.school_years_updated == 0 and CensusChange.objects.count() == count


def test_a_dry_run_writes_no_history(world: World, tmp_path: Path) -> None:
    import_census(workbook(tmp_path), YEAR, county=world.county, user=SYSTEM)
    result = import_census(workbook(tmp_path, renamed_and_moved(), "v2.xlsx"), YEAR, county=world.county, user=SYSTEM,
                           dry_run=True)  # fmt: skip
    assert result.school_years_updated == 2
    assert not CensusChange.objects.exists()
    assert SchoolYear.objects.get(school=world.primary, year=YEAR).location == "urban"


def test_the_records_timeline_shows_the_schools_changes_with_the_import_as_why(world: World, imported) -> None:
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    entries = [e for e in actions.timeline(record) if e["kind"] == "school_change"]
    assert [(e["field"], str(e["label"]), e["old"], e["new"], e["old_label"], e["new_label"]) for e in entries] == [
        ("name", "学校名称", "示范县第一小学", "示范县实验小学", "示范县第一小学", "示范县实验小学"),
        ("location", "城乡类型", "urban", "town", "城区", "镇区"),
        ("ownership", "办学性质", "public", "private", "公办", "民办"),
    ]
    assert {(e["user"], e["batch"], e["batch_file"], e["why"]) for e in entries} == {
        ("县督导", imported.batch.pk, "2025-更正.xlsx", "导入 2025-更正.xlsx")
    }
    # Only this school's changes of this year: not the nine-year school's, not another year's.
    other = CensusRecord.objects.get(school=world.nine_year, year=YEAR)
    assert [e["field"] for e in actions.timeline(other) if e["kind"] == "school_change"] == ["location"]


def test_the_census_page_shows_the_change(world: World, imported) -> None:
    page = client_for(world.school_clerk).get(reverse("census:school", args=[world.primary.code, YEAR]))
    assert page.status_code == 200
    shown = text(page.content.decode())
    for line in ("城乡类型：城区 → 镇区", "办学性质：公办 → 民办", "学校名称：示范县第一小学 → 示范县实验小学"):
        assert line in shown
    assert "导入 2025-更正.xlsx" in shown and "县督导" in shown


def test_the_census_page_in_english(world: World, imported) -> None:
    client = client_for(world.county_supervisor)
    page = client.get(reverse("census:school", args=[world.primary.code, YEAR]), headers={"accept-language": "en"})
    shown = text(page.content.decode())
    assert page.status_code == 200 and "Imported from 2025-更正.xlsx" in shown


def test_the_school_page_shows_the_change(world: World, imported) -> None:
    url = reverse("overview:school", args=[world.primary.code, YEAR, "national-2017"])
    page = client_for(world.county_supervisor).get(url)
    assert page.status_code == 200
    timeline = re.search(r'<table data-table="timeline-primary">.*?</table>', page.content.decode(), re.S).group(0)
    assert "城乡类型：城区 → 镇区" in text(timeline) and "导入 2025-更正.xlsx" in text(timeline)


def test_the_api_timeline_gives_codes_and_names(world: World, imported) -> None:
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    response = client_for(world.school_clerk).get(f"/api/v1/census/records/{record.pk}/timeline")
    assert response.status_code == 200
    location = next(e for e in response.json() if e["kind"] == "school_change" and e["field"] == "location")
    assert {k: location[k] for k in ("label", "old", "new", "old_label", "new_label", "user", "reason")} == {
        "label": "城乡类型", "old": "urban", "new": "town", "old_label": "城区", "new_label": "镇区",
        "user": "县督导", "reason": "",
    }  # fmt: skip
    assert (location["batch"], location["batch_file"]) == (imported.batch.pk, "2025-更正.xlsx")
    # Another county's supervisor cannot read it (404, as for a record that does not exist).
    assert client_for(world.neighbour_supervisor).get(f"/api/v1/census/records/{record.pk}/timeline").status_code == 404


def test_a_town_is_shown_by_its_name(world: World, imported) -> None:
    school_year = SchoolYear.objects.get(school=world.primary, year=YEAR)
    CensusChange.objects.create(school_year=school_year, field="town", old=None, new=world.town.code)
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    town = next(e for e in actions.timeline(record) if e.get("field") == "town")
    assert (str(town["label"]), town["old_label"], town["new_label"], town["why"]) == ("乡镇", None, "城关镇", "")


def test_a_change_names_a_record_or_a_school_year_never_both_nor_neither(world: World, imported) -> None:
    record = CensusRecord.objects.get(school=world.primary, year=YEAR)
    school_year = SchoolYear.objects.get(school=world.primary, year=YEAR)
    for target in ({}, {"record": record, "school_year": school_year}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CensusChange.objects.create(field="name", old="a", new="b", **target)
