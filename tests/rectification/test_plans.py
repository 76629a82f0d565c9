"""Work plans and their task lists: create a plan and tasks through the pages, refuse bad input with
nothing written, import a task list (.xlsx) checked whole (sheet/row/column/value/rule in Chinese
and English), export it in the familiar layout and import the export again without duplicates."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dudao.engine.problems import InputError
from dudao.notifications.models import Notification
from dudao.rectification import actions
from dudao.rectification.importing import parse_deadline, read_task_list
from dudao.rectification.models import Milestone, Task, TaskEvent, WorkPlan
from tests.personas import YEAR, client_for
from tests.rectification.conftest import Rect, plan_of, task_for

HEADER = ["序号", "任务", "责任单位", "配合单位", "完成时限", "进展情况"]


def later(days: int = 90) -> dt.date:
    return actions.today() + dt.timedelta(days=days)


def xlsx(rows: list[list[Any]], title: str | None = "示范县推进义务教育优质均衡发展任务清单", merge: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    if title:
        ws.append([title])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_county_creates_a_plan_and_assigns_a_task_with_milestones(rect: Rect) -> None:
    county = client_for(rect.world.county_supervisor)
    response = county.post(reverse("rectification:plans", args=[rect.world.county.code]), {
        "title": "示范县推进义务教育优质均衡发展工作方案", "doc_no": "示政办〔2025〕17号", "year": YEAR,
        "goal": "2027年通过国家优质均衡督导评估",
    })  # fmt: skip
    plan = WorkPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("rectification:plan", args=[plan.pk])
    assert (plan.doc_no, plan.kind, plan.created_by) == ("示政办〔2025〕17号", "plan", rect.world.county_supervisor)
    response = county.post(reverse("rectification:add_task", args=[plan.pk]), {
        "title": "新建城区第八小学，增加学位2160个", "department": rect.development.pk,
        "cooperating": [rect.finance.pk, rect.housing.pk], "deadline": later(400).isoformat(),
        "indicators": ["L4", "L5"], "milestone_title": "完成立项", "milestone_due": later(60).isoformat(),
    })  # fmt: skip
    task = Task.objects.get()
    assert response.status_code == 302
    assert (task.number, task.department, task.indicators) == (1, rect.development, ["L4", "L5"])
    assert {d.name for d in task.cooperating.all()} == {"示范县财政局", "示范县住房和城乡建设局"}
    assert Milestone.objects.get(task=task).title == "完成立项"
    assert TaskEvent.objects.get(task=task).action == "create"
    page = county.get(reverse("rectification:plan", args=[plan.pk]))
    assert "新建城区第八小学" in page.text and "示范县发展和改革局" in page.text


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"department": "999999"}, 400, "没有“999999”这个部门"),
        ({"deadline": "2001-09-01"}, 400, "已经过去"),
        ({"deadline": ""}, 400, "请填写完成时限"),
        ({"deadline": "明年"}, 400, "格式应为 YYYY-MM-DD"),
        ({"title": ""}, 400, "请填写任务内容"),
        ({"indicators": ["L9"]}, 400, "未知的指标代码：L9"),
        ({"milestone_title": "立项", "milestone_due": "2099-01-01"}, 400, "晚于任务完成时限"),
    ],
)
def test_a_bad_task_is_refused_with_a_clear_message_and_nothing_written(
    rect: Rect, change: dict, status: int, text: str
) -> None:
    plan = plan_of(rect.world)
    form = {"title": "任务", "department": rect.finance.pk, "deadline": later().isoformat(), **change}
    response = client_for(rect.world.county_supervisor).post(reverse("rectification:add_task", args=[plan.pk]), form)
    assert response.status_code == status and text in response.text
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_another_countys_department_cannot_be_given_a_task(rect: Rect) -> None:
    plan = plan_of(rect.world)
    form = {"title": "任务", "department": rect.neighbour_finance.pk, "deadline": later().isoformat()}
    response = client_for(rect.world.county_supervisor).post(reverse("rectification:add_task", args=[plan.pk]), form)
    assert response.status_code == 400 and not Task.objects.exists()


def test_a_plan_needs_a_title_and_a_year(rect: Rect) -> None:
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:plans", args=[rect.world.county.code])
    assert county.post(url, {"title": "", "year": YEAR}).status_code == 400
    bad = county.post(url, {"title": "方案", "year": "二〇二五"})
    assert bad.status_code == 400 and "不是整数" in bad.text and not WorkPlan.objects.exists()


def test_an_import_adds_every_row_and_reads_the_usual_spellings(rect: Rect) -> None:
    plan = plan_of(rect.world)
    year = later().year + 1
    data = xlsx([
        ["一、师资配备"],
        [1, "核增中小学教职工编制120名", "县编办", "人社局、教育局", f"{year}年6月底", "已完成测算"],
        [2, "公开招聘体育、艺术教师45名", "示范县人力资源和社会保障局", "", dt.datetime(year, 8, 31), ""],
        ["二、办学条件"],
        [3, "城关镇中心小学扩建教学楼", "城关镇", "发改局、财政局", f"{year}.12.31", ""],
        [4, "为城关镇中心小学增加网络多媒体教室", None, "", f"{year}年底", ""],
        ["注：完成时限为最迟完成时间。"],
    ], merge="C7:C8")  # 城关镇 merged down over rows 7 and 8  # fmt: skip
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:import_tasks", args=[plan.pk]),
        {"file": SimpleUploadedFile("任务清单.xlsx", data)},
        follow=True,
    )
    assert response.status_code == 200 and "已导入 4 项任务" in response.text
    tasks = {t.number: t for t in Task.objects.filter(plan=plan)}
    assert tasks[1].department == rect.staffing and tasks[1].deadline == dt.date(year, 6, 30)
    assert {d.name for d in tasks[1].cooperating.all()} == {"示范县人力资源和社会保障局", "示范县教育局"}
    assert tasks[1].progress == "已完成测算"
    assert tasks[2].deadline == dt.date(year, 8, 31)
    assert tasks[3].department == rect.town_government and tasks[3].town == rect.world.town
    assert tasks[4].department == rect.town_government and tasks[4].deadline == dt.date(year, 12, 31)
    assert Notification.objects.filter(user=rect.town_clerk, kind="task_assigned").count() == 2


def test_an_import_with_problems_lists_each_and_writes_nothing(rect: Rect) -> None:
    plan = plan_of(rect.world)
    data = xlsx([
        [1, "核增编制", "县编办", "", later().isoformat(), ""],
        [2, "招聘教师", "县教体局", "", later().isoformat(), ""],
        [3, "建设运动场", "发改局", "县规划局", "2001-01-01", ""],
        [4, "", "财政局", "", "下半年", ""],
    ])  # fmt: skip
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:import_tasks", args=[plan.pk]), {"file": SimpleUploadedFile("清单.xlsx", data)}
    )
    assert response.status_code == 400 and "任务清单有 5 处问题，未导入任何任务" in response.text
    assert "工作表“任务清单”，第4行，列“责任单位”" in response.text and "县教体局" in response.text
    assert not Task.objects.exists() and not Notification.objects.exists()
    with pytest.raises(InputError) as caught:
        read_task_list("清单.xlsx", data, plan)
    found = {(p.row, p.column, p.rule, p.value) for p in caught.value.problems}
    assert found == {
        (4, "责任单位", "unknown_department", "县教体局"),
        (5, "配合单位", "unknown_department", "县规划局"),
        (5, "完成时限", "deadline_past", "2001-01-01"),
        (6, "任务", "required", None),
        (6, "完成时限", "bad_date", "下半年"),
    }
    english = [p.text("en") for p in caught.value.problems]
    assert any("sheet '任务清单', row 4, column '责任单位'" in t and "unknown_department" in t for t in english)


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("清单.xls", b"\xd0\xcf\x11\xe0", "xls_not_supported"),  # the same reading as every workbook
        ("清单.txt", b"1,2", "unknown_format"),
        ("清单.xlsx", b"not a workbook", "not_xlsx"),
        ("清单.xlsx", None, "no_header"),
        ("清单.xlsx", b"PK" + b"\x00" * (5 * 1024 * 1024), "file_too_large"),
    ],
)
def test_a_file_that_is_no_task_list_is_refused(rect: Rect, name: str, data: bytes | None, rule: str) -> None:
    plan = plan_of(rect.world)
    if data is None:
        wb = Workbook()
        wb.active.append(["学校", "人数"])
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
    with pytest.raises(InputError) as caught:
        read_task_list(name, data, plan)
    assert [p.rule for p in caught.value.problems] == [rule]


def test_export_is_the_familiar_layout_and_imports_again_without_duplicates(rect: Rect) -> None:
    plan = plan_of(rect.world)
    task_for(plan, rect.finance, title="保障教育经费“两个只增不减”", cooperating=[rect.bureau])
    task_for(plan, rect.town_government, title="城关镇小学周边交通整治")
    county = client_for(rect.world.county_supervisor)
    response = county.get(reverse("rectification:export_tasks", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "示范县推进义务教育优质均衡发展工作方案（示政办〔2025〕17号）"
    assert [c.value for c in ws[2]] == HEADER
    assert [c.value for c in ws[3]][:4] == [1, "保障教育经费“两个只增不减”", "示范县财政局", "示范县教育局"]
    again = county.post(
        reverse("rectification:import_tasks", args=[plan.pk]),
        {"file": SimpleUploadedFile("export.xlsx", response.content)}, follow=True,
    )  # fmt: skip
    assert "已导入 0 项任务（2 项与清单中已有任务相同" in again.text and Task.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", dt.date(2026, 12, 31)),
        ("2026/6/1", dt.date(2026, 6, 1)),
        ("2026年6月30日", dt.date(2026, 6, 30)),
        ("2026年2月", dt.date(2026, 2, 28)),
        ("2026年12月底", dt.date(2026, 12, 31)),
        ("2026年底", dt.date(2026, 12, 31)),
        ("2026年6月30日前", dt.date(2026, 6, 30)),
        ("2026-02-30", None),
        ("长期坚持", None),
    ],
)
def test_deadlines_as_offices_write_them(text: str, expected: dt.date | None) -> None:
    assert parse_deadline(text) == expected


def test_the_plan_page_reads_a_fixed_number_of_queries(rect: Rect, django_assert_num_queries: Any) -> None:
    plan = plan_of(rect.world)
    for i in range(3):
        task_for(plan, rect.finance, title=f"任务{i}", cooperating=[rect.hr, rect.bureau])
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:plan", args=[plan.pk])
    county.get(url)  # sessions, caches
    # session, user, plan with its county (access), memberships, tasks, cooperating, milestones, departments (form)
    with django_assert_num_queries(9):  # 8 + the county subnav's latest year
        assert county.get(url).status_code == 200
    for i in range(5):
        task_for(plan, rect.hr, title=f"更多任务{i}", cooperating=[rect.finance])
    with django_assert_num_queries(9):  # 8 + the county subnav's latest year
        assert county.get(url).status_code == 200
