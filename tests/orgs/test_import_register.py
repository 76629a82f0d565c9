"""Importing the school register from Excel: template, dry run, precise errors with nothing written,
effective from a school year, re-import changes nothing."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from dudao.engine.problems import InputError
from dudao.orgs.actions import create_region
from dudao.orgs.importing import import_register, register_template
from dudao.orgs.models import School, SchoolYear
from tests.orgs.conftest import events, sheet, table_counts
from tests.personas import SYSTEM, YEAR, World

HEADERS = ["学校标识码", "学校名称", "学校类型", "乡镇（街道）", "城乡类型", "办学性质", "地址", "校长", "联系电话"]


def register(tmp_path: Path, rows: list[list[object]], name: str = "学校名录.xlsx") -> Path:
    return sheet(tmp_path / name, HEADERS, rows, "学校名录")  # type: ignore[return-value]


GOOD = [
    ["1399010001", "示范县第一小学", "小学", "城关镇", "城区", "公办", "城关镇一路1号", "张校长", "0311-0000001"],
    ["1399010020", "示范县第二小学", "小学", "139901100", "城区", "", "", "", ""],
    ["1399010021", "示范县民办实验学校", "九年一贯制学校", "", "镇区", "民办", "", "", ""],
]


def test_the_template_has_headers_keys_an_example_lists_and_notes() -> None:
    wb = load_workbook(io.BytesIO(register_template()))
    ws = wb["学校名录"]
    assert [c.value for c in ws[1]][:3] == ["学校标识码*", "学校名称*", "学校类型*"]
    assert [c.value for c in ws[2]][:3] == ["code", "name", "school_type"]
    assert ws["A3"].value == "示例"
    lists = {str(v.sqref)[0] for v in ws.data_validations.dataValidation}
    assert lists == {"C", "E", "F"}  # school type, location, ownership
    assert ws["A1"].comment is not None and "说明" in wb.sheetnames


def test_the_template_read_back_is_empty(world: World, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(register_template())
    with pytest.raises(InputError) as refused:
        import_register(path, world.county, actor=SYSTEM, year=YEAR)
    assert [p.rule for p in refused.value.problems] == ["no_rows"]


def test_a_dry_run_says_what_would_change_and_writes_nothing(world: World, tmp_path: Path) -> None:
    before = table_counts()
    result = import_register(
        register(tmp_path, GOOD), world.county, actor=world.county_supervisor, year=YEAR, dry_run=True
    )
    assert [p.code for p in result.created] == ["1399010020", "1399010021"]
    (changed,) = result.updated
    assert changed.code == "1399010001" and changed.changes["town"] == [None, "139901100"]
    assert changed.changes["address"] == ["", "城关镇一路1号"]
    assert table_counts() == before


def test_an_import_opens_and_changes_schools_from_its_year_and_again_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    path = register(tmp_path, GOOD)
    result = import_register(path, world.county, actor=world.county_supervisor, year=YEAR)
    assert (len(result.created), len(result.updated), result.unchanged) == (2, 1, 0)
    new = SchoolYear.objects.get(school__code="1399010021")
    assert (new.year, new.school_type, new.location, new.ownership, new.town) == (
        YEAR,
        "nine_year",
        "town",
        "private",
        None,
    )
    assert SchoolYear.objects.get(school__code="1399010020").ownership == "public"
    primary = dict(SchoolYear.objects.filter(school=world.primary).values_list("year", "town__code"))
    assert primary == {YEAR - 1: None, YEAR: "139901100"}  # the year before keeps its state
    assert School.objects.get(code="1399010001").head == "张校长"
    verbs = [e.verb for e in events()]
    assert verbs.count("orgs.school.open") == 2 and verbs.count("orgs.school.change") == 1
    assert verbs[-1] == "orgs.import.register" and events()[-1].data["created"] == 2
    before = table_counts()
    again = import_register(path, world.county, actor=world.county_supervisor, year=YEAR)
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 3)
    assert table_counts() == before


def test_every_problem_is_listed_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        ["1399010001", "重复", "小学", "", "", "", "", "", ""],  # duplicate code
        ["1399020001", "邻县的学校", "小学", "", "", "", "", "", ""],  # another county's school
        ["1399010030", "", "大学", "柳河镇", "郊区", "", "", "", ""],  # empty name, bad type, town, location
        ["13-99", "坏代码", "小学", "", "", "", "", "", ""],
    ]
    before = table_counts()
    with pytest.raises(InputError) as refused:
        import_register(register(tmp_path, rows), world.county, actor=world.county_supervisor, year=YEAR)
    found = [(p.sheet, p.row, p.column, p.value, p.rule) for p in refused.value.problems]
    assert ("学校名录", 5, "学校名称", None, "empty_value") in found
    assert ("学校名录", 5, "学校类型", "大学", "unknown_value") in found
    assert ("学校名录", 5, "城乡类型", "郊区", "unknown_value") in found
    assert table_counts() == before
    # The cell rules pass; the rows are then checked against what is stored.
    rows[3] = ["1399010030", "新校", "小学", "柳河镇", "乡村", "", "", "", ""]
    with pytest.raises(InputError) as refused:
        import_register(register(tmp_path, rows), world.county, actor=world.county_supervisor, year=YEAR)
    found = [(p.row, p.column, p.value, p.rule) for p in refused.value.problems]
    assert found == [
        (3, "学校标识码", "1399010001", "duplicate_code"),
        (4, "学校标识码", "1399020001", "other_county"),
        (5, "乡镇（街道）", "柳河镇", "bad_town"),
        (6, "学校标识码", "13-99", "bad_code"),
    ]
    assert all(p.message_zh and p.message_en for p in refused.value.problems)
    assert table_counts() == before


def test_a_closed_school_is_not_changed_by_an_import(world: World, tmp_path: Path) -> None:
    from dudao.orgs.actions import close_school

    close_school(SYSTEM, world.junior, YEAR, why="撤销")
    rows = [["1399010002", "示范县第一中学（新名）", "初中", "", "", "", "", "", ""]]
    with pytest.raises(InputError) as refused:
        import_register(register(tmp_path, rows), world.county, actor=world.county_supervisor, year=YEAR)
    assert [p.rule for p in refused.value.problems] == ["not_open"]


def test_a_town_by_name_and_a_closed_town(world: World, tmp_path: Path) -> None:
    other = create_region(SYSTEM, world.county, "139901101", "柳河镇")
    rows = [["1399010040", "柳河镇小学", "小学", "柳河镇", "乡村", "公办", "", "", ""]]
    import_register(register(tmp_path, rows), world.county, actor=SYSTEM, year=YEAR)
    assert SchoolYear.objects.get(school__code="1399010040").town == other


def test_csv_files_are_read_too(world: World, tmp_path: Path) -> None:
    path = tmp_path / "名录.csv"
    path.write_text("学校标识码,学校名称,学校类型\n1399010050,示范县第三小学,小学\n", encoding="utf-8-sig")
    result = import_register(path, world.county, actor=SYSTEM, year=YEAR)
    assert [p.code for p in result.created] == ["1399010050"]


def test_only_who_manages_the_county_imports(world: World, tmp_path: Path) -> None:
    path = register(tmp_path, GOOD)
    for person in (world.observer, world.neighbour_supervisor, world.school_clerk):
        with pytest.raises(PermissionDenied):
            import_register(path, world.county, actor=person, year=YEAR)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_the_template_filled_and_saved_by_a_real_client_imports(world: World, tmp_path: Path) -> None:
    """The template, filled below its example row and saved again by LibreOffice (as a county office's
    spreadsheet program would), reads back: keys row and example skipped, the rows imported."""
    wb = load_workbook(io.BytesIO(register_template()))
    ws = wb["学校名录"]
    ws.append(["1399010070", "示范县第七小学", "小学", "城关镇", "城区", "公办", "", "", "0311-7777777"])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx", "--outdir",
         str(out), str(filled)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    result = import_register(out / "filled.xlsx", world.county, actor=SYSTEM, year=YEAR)
    assert [(p.code, p.name) for p in result.created] == [("1399010070", "示范县第七小学")]
    assert School.objects.get(code="1399010070").phone == "0311-7777777"
