"""The county-item figures (classes, largest class, music and art rooms and their smallest areas,
certified teachers, teachers rotated and the backbone teachers among them) through the Excel path:
template → filled file → import → stored values, with history on change; bad values named; and the
spreadsheet evaluation, which does not read them, unchanged."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from dudao.census import actions
from dudao.census.importing import IMPORTED_FIELDS, import_census
from dudao.census.models import CensusChange, CensusRecord
from dudao.demo.synthetic import demo_county
from dudao.engine.fields import ITEM_FIELDS
from dudao.sheets import read_school_table, write_template
from dudao.sheets.template import DATA_SHEET, write_rows
from tests.census.test_import import county_rows, problems_of, rules, set_cells
from tests.census.web import upload_and_confirm
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db

ITEM_KEYS = [f.key for f in ITEM_FIELDS]
# Per school code: the item figures as a county fills them in (the teaching point has no music room).
ITEMS: dict[str, dict[str, Any]] = {
    "1399010001": {"classes": 24, "max_class_size": 52, "music_rooms": 2, "art_rooms": 1,
                   "music_room_min_area_m2": 96.5, "art_room_min_area_m2": 90.25, "certified_teachers": 69,
                   "teachers_rotated": 8, "backbone_teachers_rotated": 2},
    "1399010002": {"classes": 18, "max_class_size": 50, "music_rooms": 1, "art_rooms": 1,
                   "music_room_min_area_m2": 120, "art_room_min_area_m2": 110, "certified_teachers": 80,
                   "teachers_rotated": 9, "backbone_teachers_rotated": 3},
    "1399010003": {"classes": 21, "max_class_size": 46, "music_rooms": 1, "art_rooms": 1,
                   "music_room_min_area_m2": 80, "art_room_min_area_m2": 80, "certified_teachers": 66,
                   "teachers_rotated": 7, "backbone_teachers_rotated": 1},
    "1399010004": {"classes": 6, "max_class_size": 38, "music_rooms": 0, "art_rooms": 0,
                   "music_room_min_area_m2": None, "art_room_min_area_m2": None, "certified_teachers": 19,
                   "teachers_rotated": 2, "backbone_teachers_rotated": 0},
}  # fmt: skip


def filled_template(path: Path, items: dict[str, dict[str, Any]] = ITEMS) -> Path:
    """``dudao template``'s workbook filled in by hand: the example row kept, a row per school below it."""
    call_command("template", str(path), stdout=StringIO())
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    keys = [c.value for c in ws[2]]
    for row in county_rows():
        values = {**row, **items[row["school_code"]]}
        ws.append([values.get(k) for k in keys])
    wb.save(path)
    return path


def stored(code: str) -> dict[str, Any]:
    record = CensusRecord.objects.get(school__code=code, year=YEAR)
    return {k: getattr(record, k) for k in ITEM_KEYS}


def test_the_census_imports_every_item_field() -> None:
    assert set(ITEM_KEYS) <= set(IMPORTED_FIELDS)


def test_template_to_filled_file_to_import_to_stored_values(world: World, tmp_path: Path) -> None:
    path = filled_template(tmp_path / "填报.xlsx")

    result = import_census(path, YEAR, county=world.county, user=world.county_supervisor)

    assert (result.created, result.updated) == (4, 0)
    given = {change.school_code: set(change.fields) & set(ITEM_KEYS) for change in result.changes}
    assert given["1399010001"] == set(ITEM_KEYS)
    assert given["1399010004"] == set(ITEM_KEYS) - {"music_room_min_area_m2", "art_room_min_area_m2"}
    assert stored("1399010001") == {
        "classes": 24, "max_class_size": 52, "music_rooms": 2, "art_rooms": 1,
        "music_room_min_area_m2": Decimal("96.5"), "art_room_min_area_m2": Decimal("90.25"),
        "certified_teachers": 69, "teachers_rotated": 8, "backbone_teachers_rotated": 2,
    }  # fmt: skip
    # No music or art room: their smallest areas are not given (None), not 0.
    assert stored("1399010004") == {**ITEMS["1399010004"]}
    assert stored("1399010003")["classes"] == 21  # the nine-year school's whole-school row


def test_the_command_and_the_web_upload_carry_them_too(world: World, tmp_path: Path) -> None:
    path = filled_template(tmp_path / "填报.xlsx")
    call_command("import_census", str(path), "--year", str(YEAR), "--county", "139901", stdout=StringIO())
    assert stored("1399010002")["certified_teachers"] == 80

    items = {code: {**values, "teachers_rotated": values["teachers_rotated"] + 1} for code, values in ITEMS.items()}
    client = client_for(world.county_supervisor)
    content = filled_template(tmp_path / "网页上传.xlsx", items).read_bytes()
    page = upload_and_confirm(client, world.county.code, YEAR, content, "网页上传.xlsx")
    assert page.status_code == 200 and "已导入 网页上传.xlsx" in page.content.decode()
    assert stored("1399010002")["teachers_rotated"] == 10
    change = CensusChange.objects.get(record__school__code="1399010002", field="teachers_rotated")
    assert (change.old, change.new, change.user, change.batch.filename) == (
        "9",
        "10",
        world.county_supervisor,
        "网页上传.xlsx",
    )


def test_importing_the_same_file_again_changes_nothing(world: World, tmp_path: Path) -> None:
    path = filled_template(tmp_path / "填报.xlsx")
    import_census(path, YEAR, county=world.county, user=world.county_supervisor)
    before = {r.pk: (r.version, r.updated_at, r.values()) for r in CensusRecord.objects.all()}

    again = import_census(path, YEAR, county=world.county, user=world.county_supervisor)

    assert (again.created, again.updated, again.unchanged, again.values_changed) == (0, 0, 4, 0)
    assert {r.pk: (r.version, r.updated_at, r.values()) for r in CensusRecord.objects.all()} == before
    assert not CensusChange.objects.exists()


def test_changed_item_figures_are_upserted_with_their_history(world: World, tmp_path: Path) -> None:
    import_census(filled_template(tmp_path / "v1.xlsx"), YEAR, county=world.county, user=world.county_supervisor)
    items = {code: dict(values) for code, values in ITEMS.items()}
    items["1399010001"].update(
        classes=26, music_rooms=0, music_room_min_area_m2=None
    )  # the music room became a classroom
    items["1399010004"].update(art_rooms=1, art_room_min_area_m2=72.5, teachers_rotated=3)

    result = import_census(
        filled_template(tmp_path / "v2.xlsx", items), YEAR, county=world.county, user=world.county_supervisor
    )

    assert (result.updated, result.values_changed) == (2, 6)
    history = {
        (c.record.school.code, c.field): (c.old, c.new, c.batch_id, c.user)
        for c in CensusChange.objects.select_related("record__school")
    }
    batch, who = result.batch.pk, world.county_supervisor
    assert history == {
        ("1399010001", "classes"): ("24", "26", batch, who),
        ("1399010001", "music_rooms"): ("2", "0", batch, who),
        ("1399010001", "music_room_min_area_m2"): ("96.5000", None, batch, who),
        ("1399010004", "art_rooms"): ("0", "1", batch, who),
        ("1399010004", "art_room_min_area_m2"): (None, "72.5000", batch, who),
        ("1399010004", "teachers_rotated"): ("2", "3", batch, who),
    }
    assert stored("1399010004")["art_room_min_area_m2"] == Decimal("72.5")
    record = CensusRecord.objects.get(school__code="1399010001", year=YEAR)
    lines = [(e["label"], e["old"], e["new"]) for e in actions.timeline(record) if e["kind"] == "change"]
    assert ("班级数", "24", "26") in lines and ("最小音乐专用教室面积(平方米)", "96.5000", None) in lines


def test_bad_item_values_are_named_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    items = {code: dict(values) for code, values in ITEMS.items()}
    items["1399010003"]["music_room_min_area_m2"] = None  # it has a music room
    path = filled_template(tmp_path / "填报.xlsx", items)
    # Rows 4–7 hold the four schools (row 3 is the template's example).
    set_cells(path, {(4, "classes"): "二十四", (5, "max_class_size"): -50, (7, "art_room_min_area_m2"): 15,
                     (7, "teachers_rotated"): 2.5})  # fmt: skip

    problems = problems_of(path)

    assert [(p.sheet, p.row, p.column, p.value, p.rule) for p in problems] == [
        (DATA_SHEET, 4, "班级数", "二十四", "not_a_number"),
        (DATA_SHEET, 5, "最大班额(人)", "-50", "negative"),
        (DATA_SHEET, 6, "最小音乐专用教室面积(平方米)", None, "empty_value"),
        (DATA_SHEET, 7, "本学年交流轮岗教师数", "2.5", "not_whole"),
        (DATA_SHEET, 7, "最小美术专用教室面积(平方米)", "15", "not_applicable"),
    ]
    assert "“美术专用教室数(间)”为 0" in problems[-1].message_zh and "does not apply" in problems[-1].message_en


def test_a_figure_too_large_for_the_census(world: World, tmp_path: Path) -> None:
    path = set_cells(filled_template(tmp_path / "填报.xlsx"), {(4, "max_class_size"): 3_000_000_000})
    problems = problems_of(path)
    assert rules(problems) == ["too_large"] and problems[0].column == "最大班额(人)"


def test_the_item_columns_are_optional_for_the_import(world: World, tmp_path: Path) -> None:
    import_census(filled_template(tmp_path / "v1.xlsx"), YEAR, county=world.county, user=SYSTEM)
    path = tmp_path / "without.xlsx"
    write_rows(path, county_rows())  # the same schools, no item columns: the stored item figures stay

    result = import_census(path, YEAR, county=world.county, user=SYSTEM)

    assert (result.updated, result.values_changed) == (0, 0)
    assert stored("1399010001")["classes"] == 24


# -- the spreadsheet evaluation


def evaluate_json(path: Path, *args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("evaluate", str(path), "--format", "json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_evaluate_reads_a_county_workbook_with_the_item_columns_as_without(tmp_path: Path) -> None:
    with_items = filled_template(tmp_path / "with.xlsx")
    without = tmp_path / "without.xlsx"
    write_template(without)
    wb = load_workbook(without)
    ws = wb[DATA_SHEET]
    for column in sorted((c.column for c in ws[2] if c.value in ITEM_KEYS), reverse=True):
        ws.delete_cols(column)
    keys = [c.value for c in ws[2]]
    for row in county_rows():
        ws.append([row.get(k) for k in keys])
    wb.save(without)

    assert set(ITEM_KEYS) <= read_school_table(with_items).present
    assert evaluate_json(with_items) == evaluate_json(without)


def test_the_demo_workbook_carries_the_item_figures_and_evaluates_as_before(tmp_path: Path) -> None:
    call_command("demo_county", str(tmp_path / "demo.xlsx"), stdout=StringIO())
    before = tmp_path / "before.xlsx"
    write_rows(before, demo_county())  # the demo workbook as it was written without the item figures

    table = read_school_table(tmp_path / "demo.xlsx")
    assert table.warnings == [] and set(ITEM_KEYS) <= table.present and len(table.frame) == 60
    assert (table.frame["music_rooms"] == 0).sum() == 3  # the teaching points: no music room, its area empty
    items = ["--items", str(tmp_path / "demo-items.yaml")]
    assert evaluate_json(tmp_path / "demo.xlsx", *items) == evaluate_json(before, *items)
    assert evaluate_json(tmp_path / "demo.xlsx", "--province", "hebei") == evaluate_json(before, "--province", "hebei")
