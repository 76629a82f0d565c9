"""Who may import is decided before a byte of the file is read, and what the import says before that
decision tells nothing of other units (security issue F1, F4): through the API, the page and the command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from dudao.census import actions
from dudao.census.importing import import_census
from dudao.census.models import CensusRecord, CensusYear, ImportBatch
from dudao.orgs.models import Region
from dudao.sheets.template import write_rows
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def row(county: str, school: str, name: str = "学校") -> dict[str, Any]:
    return {"county_code": county, "school_code": school, "school_name": name, "school_type": "primary",
            "level": "primary", "location": "urban", "students": 500, "teachers": 30}  # fmt: skip


def workbook(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "file.xlsx"
    write_rows(path, rows)
    return path


def api_upload(user: User, path: Path, **form: Any) -> Any:
    client = client_for(user)
    with path.open("rb") as fh:
        return client.post("/api/v1/census/imports", {"file": fh, "year": YEAR, **form})


def test_one_who_reviews_no_county_is_refused_before_the_file_is_read(
    world: World, tmp_path: Path, hostile_files: dict[str, Path]
) -> None:
    named = workbook(tmp_path, [row(world.other_county.code, world.other_school.code, "其他县第一小学")])
    for person in (world.department_clerk, world.school_clerk, world.province_inspector, world.observer):
        for path in (named, hostile_files["huge_comment_45kb"], hostile_files["billion_laughs"]):
            response = api_upload(person, path)
            assert response.status_code == 403, (person, path.name)
            assert response.json()["code"] == "forbidden"
            assert "其他县" not in response.text and world.other_county.code not in response.text
        with pytest.raises(PermissionDenied):
            import_census(named, YEAR, county=None, user=person)
    with pytest.raises(CommandError, match="无权导入"):
        call_command("import_census", str(named), "--year", str(YEAR), "--user", world.department_clerk.username)
    assert not ImportBatch.objects.exists()


def test_a_county_one_may_not_import_is_named_only_as_written(world: World, tmp_path: Path) -> None:
    actions.lock_year(SYSTEM, world.other_county, YEAR)
    rows = [
        row(world.county.code, world.primary.code, "示范县第一小学"),
        row(world.other_county.code, world.other_school.code),  # another province's county, locked
        row(world.neighbour.code, "1399029999"),  # a county of the same city
        row("999999", "9999990001"),  # no such county
        row(world.town.code, "1399011001"),  # a town of the user's own county
        row(world.city.code, "1399000001"),  # a city
    ]
    response = api_upload(world.county_supervisor, workbook(tmp_path, rows))
    assert response.status_code == 400
    details = response.json()["details"]
    assert [(p["rule"], p["row"], p["value"]) for p in details] == [
        ("not_permitted", 4, world.other_county.code), ("not_permitted", 5, world.neighbour.code),
        ("not_permitted", 6, "999999"), ("not_permitted", 7, world.town.code), ("not_permitted", 8, world.city.code),
    ]  # fmt: skip
    said = response.text
    for secret in ("其他县", "另一省", "邻县", "城关镇", "示范市", "year_locked", "unknown_county", "不存在", "锁定"):
        assert secret not in said, secret
    # the wording is the same whether the code exists or not: only the code, as written, differs
    shapes = {p["message_en"].replace(p["value"], "?") for p in details}
    assert len(shapes) == 1
    assert not CensusRecord.objects.exists() and CensusYear.objects.filter(locked=True).count() == 1


def test_the_system_still_hears_everything(world: World, tmp_path: Path) -> None:
    rows = [row(world.county.code, world.primary.code), row("999999", "9999990001")]
    with pytest.raises(Exception) as info:
        import_census(workbook(tmp_path, rows), YEAR, county=None, user=SYSTEM)
    assert [p.rule for p in info.value.problems] == ["unknown_county"]  # type: ignore[attr-defined]


def test_the_page_decides_before_reading(world: World, tmp_path: Path, hostile_files: dict[str, Path]) -> None:
    client = client_for(world.neighbour_supervisor)
    with hostile_files["huge_comment_45kb"].open("rb") as fh:
        response = client.post(f"/census/county/{world.county.code}/{YEAR}/import/", {"file": fh})
    assert response.status_code == 404  # another county's page does not exist for them
    assert Region.objects.filter(code=world.county.code).exists()
