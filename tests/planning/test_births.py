"""The births page (planning:births): births per town and year and the grade history from Excel — a good file
previewed then confirmed, or imported directly; a bad file refused with every problem (sheet, row, column,
value, rule; Chinese and English) and nothing written — the known changes' forms, the downloads, and who may
see and change what (404 for a county one may not view, 403 for one viewed but not changed)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dudao.audit.models import AuditEvent
from dudao.census import actions as census_actions
from dudao.orgs.models import Region
from dudao.planning.inputs import forecast_inputs
from dudao.planning.models import Births, GradeHistory, KnownChange
from tests.personas import SYSTEM, World, client_for

pytestmark = pytest.mark.django_db

BIRTHS_HEADER = ["乡镇（街道）", "出生年份", "出生人口数", "数据来源"]
HISTORY_HEADER = ["学校标识码", "学校名称", "学年", *(f"{n}年级在校生数" for n in "一二三四五六七八九"), "数据来源"]


def xlsx(
    header: list[str], rows: list[list[Any]], title: str = "出生人口", name: str = "births.xlsx"
) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client: Any, world: World, kind: str, file: SimpleUploadedFile, button: str = "preview") -> Any:
    url = reverse("planning:births_upload", args=[world.county.code])
    return client.post(url, {"kind": kind, "file": file, button: "1"})


def test_a_good_births_file_is_previewed_then_confirmed(world: World) -> None:
    county = client_for(world.county_supervisor)
    Births.objects.create(county=world.county, town=world.town, year=2018, births=300)
    good = xlsx(
        BIRTHS_HEADER, [["城关镇", 2018, 310, "卫健局"], ["城关镇", 2019, 295, "卫健局"], ["全县", 2019, 4100, ""]]
    )
    preview = upload(county, world, "births", good)
    assert preview.status_code == 200
    assert preview.context["plan"].count_create == 2 and preview.context["plan"].count_update == 1
    assert Births.objects.get(year=2018).births == 300  # a preview writes nothing
    page = preview.content.decode()
    assert "将新增 2 项，修改 1 项，0 项不变" in page
    plan = preview.context["plan"]
    confirmed = county.post(
        reverse("planning:births_confirm", args=[world.county.code]),
        {"kind": "births", "payload": plan.payload(), "digest": plan.digest(), "filename": "births.xlsx"},
    )
    assert confirmed.status_code == 302
    stored = sorted(
        Births.objects.values_list("town__name", "year", "births", "source", "updated_by__username"),
        key=lambda b: (b[0] or "", b[1]),
    )
    assert stored == [(None, 2019, 4100, "", "县督导"), ("城关镇", 2018, 310, "卫健局", "县督导"),
                      ("城关镇", 2019, 295, "卫健局", "县督导")]  # fmt: skip
    event = AuditEvent.objects.get(verb="planning.import_births")
    assert event.data == {"filename": "births.xlsx", "sheet": "", "create": 2, "update": 1, "unchanged": 0}
    births = forecast_inputs(world.county, 2025).births
    assert births.values.tolist() == [["", 2019, 4100], ["城关镇", 2018, 310], ["城关镇", 2019, 295]]


def test_a_confirmation_of_figures_changed_since_the_preview_is_refused(world: World) -> None:
    county = client_for(world.county_supervisor)
    preview = upload(county, world, "births", xlsx(BIRTHS_HEADER, [["城关镇", 2018, 310]]))
    plan = preview.context["plan"]
    Births.objects.create(county=world.county, town=world.town, year=2018, births=280)  # meanwhile
    refused = county.post(
        reverse("planning:births_confirm", args=[world.county.code]),
        {"kind": "births", "payload": plan.payload(), "digest": plan.digest()},
        follow=True,
    )
    assert "预览之后数据已有变化，未写入" in refused.content.decode()
    assert Births.objects.get().births == 280
    for payload in ("x", "[1, 2]", '{"sources": [], "rows": [["139901100", 2018, 0, 5, 3]]}'):
        forged = county.post(
            reverse("planning:births_confirm", args=[world.county.code]),
            {"kind": "births", "payload": payload, "digest": "0"},
            follow=True,
        )
        assert "预览数据无效，请重新上传" in forged.content.decode()
    assert Births.objects.get().births == 280


def test_a_bad_births_file_lists_every_problem_and_writes_nothing(world: World) -> None:
    county = client_for(world.county_supervisor)
    bad_rows = [
        ["城关镇", 2018, 310, ""],
        ["柳河镇", 2018, 200, ""],  # not a town of the county
        ["城关镇", 1985, 300, ""],  # too early
        ["城关镇", 2019, "三百", ""],  # not a number
        ["城关镇", 2020, -4, ""],  # negative
        ["城关镇", 2018, 312, ""],  # the town and year again
        ["城关镇", 2021, None, ""],  # empty
    ]
    refused = upload(county, world, "births", xlsx(BIRTHS_HEADER, bad_rows), "import")
    assert refused.status_code == 400
    found = [(p["sheet"], p["row"], p["column"], p["value"], p["rule"]) for p in refused.context["problems"].rows]
    assert found == [
        ("出生人口", 3, "乡镇（街道）", "柳河镇", "unknown_town"),
        ("出生人口", 4, "出生年份", "1985", "bad_year"),
        ("出生人口", 5, "出生人口数", "三百", "not_a_number"),
        ("出生人口", 6, "出生人口数", "-4", "negative"),
        ("出生人口", 7, "出生年份", "2018", "duplicate_row"),
        ("出生人口", 8, "出生人口数", "", "empty_value"),
    ]
    messages = {p["rule"]: p["message"] for p in refused.context["problems"].rows}
    assert messages["unknown_town"] == "“示范县”没有名为“柳河镇”的乡镇（街道）；全县合计请填“全县”"
    assert messages["bad_year"] == "年份 1985 不在 1990–2026 年之间"
    assert messages["duplicate_row"] == "与第 2 行重复（同一对象、同一年份只能填一行）"
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    refused_en = upload(english, world, "births", xlsx(BIRTHS_HEADER, bad_rows), "import")
    messages_en = {p["rule"]: p["message"] for p in refused_en.context["problems"].rows}
    assert messages_en["unknown_town"] == "示范县 has no town called '柳河镇'; write 全县 for the county as a whole"
    assert messages_en["duplicate_row"] == "repeats row 2 (one row per unit and year)"
    page = refused.content.decode()
    assert "发现 6 处错误，未导入任何数据" in page
    assert not Births.objects.exists() and not AuditEvent.objects.filter(verb__startswith="planning.").exists()


def test_the_grade_history_imports_directly_and_a_bad_one_is_refused_whole(world: World) -> None:
    county = client_for(world.county_supervisor)
    good = xlsx(HISTORY_HEADER, [
        [world.primary.code, "示范县第一小学", 2020, 160, 158, 150, 149, 152, 147, None, None, None, "学籍系统"],
        [world.nine_year.code, "", 2020, 50, 50, 50, 50, 50, 50, 40, 41, 39, ""],
    ], title="分年级在校生", name="history.xlsx")  # fmt: skip
    done = upload(county, world, "history", good, "import")
    assert done.status_code == 302
    assert GradeHistory.objects.count() == 15
    assert GradeHistory.objects.get(school=world.nine_year, year=2020, grade=8).students == 41
    # the forecast reads it for the years the census does not hold
    census_actions.save_record(SYSTEM, world.primary, 2020, "primary", {"students": 900})
    e = forecast_inputs(world.county, 2025).enrolment
    assert e[e["school_code"] == world.primary.code][["year", "grade", "students"]].values.tolist() == [[2020, 0, 900]]
    assert e[(e["school_code"] == world.nine_year.code) & (e["level"] == "junior")]["students"].tolist() == [40, 41, 39]
    bad = xlsx(HISTORY_HEADER, [
        [world.other_school.code, "", 2020, 10, None, None, None, None, None, None, None, None, ""],  # another county's
        [world.primary.code, "", 2021, None, None, None, None, None, None, None, None, None, ""],  # no grade
        [world.primary.code, "", 2020, 161, None, None, None, None, None, None, None, None, ""],
        [world.primary.code, "", 2020, 162, None, None, None, None, None, None, None, None, ""],  # again
        [world.junior.code, "", 2030, None, None, None, None, None, None, 300, None, None, ""],  # a future year
    ], title="分年级在校生", name="history.xlsx")  # fmt: skip
    refused = upload(county, world, "history", bad, "import")
    found = [(p["row"], p["column"], p["value"], p["rule"]) for p in refused.context["problems"].rows]
    assert found == [
        (2, "学校标识码", world.other_school.code, "unknown_school"),
        (3, "", "", "no_grades"),
        (5, "学校标识码", world.primary.code, "duplicate_row"),
        (6, "学年", "2030", "bad_year"),
    ]
    assert GradeHistory.objects.get(school=world.primary, year=2020, grade=1).students == 160  # nothing written


def test_the_page_shows_births_by_town_and_year_and_downloads_them(world: World) -> None:
    for year, n in ((2018, 310), (2019, 295)):
        Births.objects.create(county=world.county, town=world.town, year=year, births=n)
    page = client_for(world.observer).get(reverse("planning:births", args=[world.county.code]))
    assert page.status_code == 200
    table = page.context["births"]
    assert [c.label for c in table.columns] == ["乡镇（街道）", "2018", "2019"]
    assert table.rows == [{"town": "城关镇", "y2018": 310, "y2019": 295}]
    text = page.content.decode()
    assert 'id="planning-tabs"' in text and "出生人口" in text
    assert 'id="upload"' not in text and 'id="add-change"' not in text  # an observer changes nothing
    download = client_for(world.observer).get(
        reverse("planning:births", args=[world.county.code]), {"download": "births", "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows == [("乡镇（街道）", "2018", "2019"), ("城关镇", 310, 295)]
    template = client_for(world.observer).get(reverse("planning:births_template", args=[world.county.code, "births"]))
    assert list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True)) == [
        tuple(BIRTHS_HEADER),
        ("城关镇", 2018, 310, None),
        ("城关镇", 2019, 295, None),
    ]


def test_known_changes_are_added_edited_and_deleted_with_their_audit_trail(world: World) -> None:
    county = client_for(world.county_supervisor)
    new = reverse("planning:change_new", args=[world.county.code])
    assert county.get(new).status_code == 200
    form = {"name": "锦绣华庭小区", "town": world.town.pk, "school": "", "level": "primary", "from_year": 2027,
            "pupils": 90, "note": "2026 年交付"}  # fmt: skip
    assert county.post(new, form).status_code == 302
    change = KnownChange.objects.get()
    assert (change.name, change.town, change.school, change.pupils, change.updated_by) == (
        "锦绣华庭小区",
        world.town,
        None,
        90,
        world.county_supervisor,
    )
    edit = reverse("planning:change_edit", args=[world.county.code, change.pk])
    assert county.post(edit, {**form, "school": world.primary.code, "pupils": 120}).status_code == 302
    assert forecast_inputs(world.county, 2025).changes.values.tolist() == [
        ["锦绣华庭小区", "城关镇", world.primary.code, "primary", 2027, 120]
    ]
    missing = county.post(new, {**form, "town": "", "school": ""})
    assert missing.status_code == 400 and "请选择乡镇（街道）或学校" in missing.content.decode()
    assert county.post(reverse("planning:change_delete", args=[world.county.code, change.pk])).status_code == 302
    assert not KnownChange.objects.exists()
    verbs = list(AuditEvent.objects.filter(verb__startswith="planning.").order_by("pk").values_list("verb", "data"))
    assert [v for v, _ in verbs] == ["planning.change_added", "planning.change_edited", "planning.change_deleted"]
    assert verbs[1][1] == {"pupils": [90, 120], "school": [None, world.primary.code]}


def test_who_may_see_and_change_the_inputs(world: World) -> None:
    change = KnownChange.objects.create(county=world.county, name="新区", town=world.town, level="primary",
                                        from_year=2027, pupils=50)  # fmt: skip
    page = reverse("planning:births", args=[world.county.code])
    edit = reverse("planning:change_edit", args=[world.county.code, change.pk])
    file = xlsx(BIRTHS_HEADER, [["城关镇", 2018, 310]])
    for user in (world.county_supervisor, world.observer, world.city_inspector, world.province_inspector):
        assert client_for(user).get(page).status_code == 200
    for user in (world.observer, world.city_inspector, world.province_inspector):  # they view, not change
        client = client_for(user)
        assert upload(client, world, "births", file, "import").status_code == 403
        assert client.get(edit).status_code == 403
        assert client.post(reverse("planning:change_delete", args=[world.county.code, change.pk])).status_code == 403
        assert client.get(reverse("planning:change_new", args=[world.county.code])).status_code == 403
    for user in (world.neighbour_supervisor, world.department_clerk, world.school_clerk, world.neighbour_clerk):
        client = client_for(user)
        assert client.get(page).status_code == 404
        assert upload(client, world, "births", file, "import").status_code == 404
        assert client.get(edit).status_code == 404
    # another county's change through this county's address is no change at all
    neighbour = client_for(world.neighbour_supervisor)
    assert neighbour.get(reverse("planning:change_edit", args=[world.neighbour.code, change.pk])).status_code == 404
    assert client_for(None).get(page).status_code == 302  # to the login
    assert not Births.objects.exists() and KnownChange.objects.count() == 1


def test_the_page_reads_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    county = client_for(world.county_supervisor)
    url = reverse("planning:births", args=[world.county.code])
    Births.objects.create(county=world.county, town=world.town, year=2018, births=300)
    county.get(url)
    with CaptureQueriesContext(connection) as few:
        county.get(url)
    for i in range(5):
        town = Region.objects.create(code=f"13990120{i}", name=f"新镇{i}", level="town", parent=world.county)
        Births.objects.bulk_create(
            Births(county=world.county, town=town, year=y, births=100 + y % 7) for y in range(2012, 2026)
        )
        KnownChange.objects.create(county=world.county, name=f"小区{i}", town=town, school=world.primary,
                                   level="primary", from_year=2027, pupils=30)  # fmt: skip
    GradeHistory.objects.bulk_create(
        GradeHistory(county=world.county, school=s, year=y, grade=g, students=50)
        for s in (world.primary, world.nine_year) for y in range(2018, 2023) for g in range(1, 7)
    )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        assert "新镇4" in county.get(url).text
    assert len(few.captured_queries) == 9  # session, user, county, roles, years, births, changes, names, history


def test_the_command_imports_a_file_or_lists_every_problem(world: World, tmp_path: Any) -> None:
    good, bad = tmp_path / "births.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(BIRTHS_HEADER, [["城关镇", 2018, 310], ["城关镇", 2019, 295]]).read())
    bad.write_bytes(xlsx(BIRTHS_HEADER, [["城关镇", 2018, 310], ["柳河镇", 2019, 200]]).read())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 problem\\(s\\); nothing was imported"):
        call_command("import_planning", "births", str(bad), "--county", world.county.code, "--lang", "en",
                     stdout=out, stderr=err)  # fmt: skip
    assert "row 3" in err.getvalue() and "示范县 has no town called '柳河镇'" in err.getvalue()
    call_command("import_planning", "births", str(good), "--county", world.county.code, "--dry-run", stdout=out)
    assert "births.xlsx：检查完成（未写入），新增 2 项，修改 0 项，未变 0 项" in out.getvalue()
    assert not Births.objects.exists()
    call_command("import_planning", "births", str(good), "--county", world.county.code, stdout=out)
    assert Births.objects.count() == 2
    assert AuditEvent.objects.get(verb="planning.import_births").actor_label == "system (command import_planning)"
