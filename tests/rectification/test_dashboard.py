"""The supervision dashboard: each task done / on time / at risk / overdue, counted by department and
by town, the overdue and at-risk lists, downloads of every table, and a pinned number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.rectification import actions
from dudao.rectification.models import Milestone, Task
from dudao.rectification.reports import county_progress
from dudao.rectification.rules import rules_for
from dudao.rectification.status import task_state
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for


def four_states(rect: Rect, settings, tmp_path) -> dict[str, Task]:
    """One task in each state, on different units."""
    settings.MEDIA_ROOT = tmp_path
    plan = plan_of(rect.world)
    done = task_for(plan, rect.finance, title="经费落实")
    actions.report_progress(SYSTEM, done, "已完成", 100, done=True, files=[SimpleUploadedFile("a.pdf", PDF)])
    actions.accept_task(SYSTEM, done)
    overdue = task_for(plan, rect.town_government, days=-5, title="城关镇学校周边整治")
    at_risk = task_for(plan, rect.development, days=10, title="第八小学立项")
    on_time = task_for(plan, rect.hr, days=200, title="招聘教师")
    return {"done": done, "overdue": overdue, "at_risk": at_risk, "on_time": on_time}


def test_each_task_has_one_state(rect: Rect, settings, tmp_path) -> None:
    tasks = four_states(rect, settings, tmp_path)
    rules, today = rules_for(rect.world.county.code), actions.today()
    for state, task in tasks.items():
        task.refresh_from_db()
        assert task_state(task, today, rules) == state, state
    # a milestone past due puts a far-off task at risk
    Milestone.objects.create(task=tasks["on_time"], title="发布公告", due=today - dt.timedelta(days=1))
    assert task_state(Task.objects.get(pk=tasks["on_time"].pk), today, rules) == "at_risk"
    # reported done in time and awaiting acceptance is not overdue, even once the deadline passes
    late = tasks["at_risk"]
    actions.report_progress(SYSTEM, late, "已完成", 100, done=True, files=[SimpleUploadedFile("b.pdf", PDF)])
    late.refresh_from_db()
    assert task_state(late, late.deadline + dt.timedelta(days=3), rules) == "on_time"
    assert task_state(Task.objects.get(pk=tasks["overdue"].pk), today, rules) == "overdue"


def test_the_dashboard_counts_by_department_and_town(rect: Rect, settings, tmp_path) -> None:
    four_states(rect, settings, tmp_path)
    progress = county_progress(rect.world.county, actions.today())
    assert progress.totals == {"done": 1, "on_time": 1, "at_risk": 1, "overdue": 1}
    by_department = {u.name: u.counts for u in progress.by_department}
    assert "城关镇人民政府" not in by_department  # a town government is counted by town
    assert by_department["示范县财政局"]["done"] == 1 and by_department["示范县发展和改革局"]["at_risk"] == 1
    assert [(u.name, u.counts["overdue"]) for u in progress.by_town] == [("城关镇", 1)]
    page = client_for(rect.world.county_supervisor).get(
        reverse("rectification:dashboard", args=[rect.world.county.code])
    )
    assert page.status_code == 200
    for text in ("各部门任务推进情况", "各乡镇（街道）任务推进情况", "城关镇学校周边整治", "逾期 5 天", "第八小学立项"):
        assert text in page.text


def test_every_table_downloads_as_shown(rect: Rect, settings, tmp_path) -> None:
    four_states(rect, settings, tmp_path)
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:dashboard", args=[rect.world.county.code])
    response = county.get(url, {"download": "overdue", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["序号", "任务", "责任单位", "配合单位", "完成时限", "进展情况"]
    assert rows[1][1] == "城关镇学校周边整治" and rows[1][2] == "城关镇人民政府" and rows[1][-1] == "逾期 5 天"
    xlsx = county.get(url, {"download": "by-department", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"] == 'attachment; filename="by-department.xlsx"'
    assert county.get(url, {"download": "nothing"}).status_code == 404


def test_the_dashboard_reads_a_fixed_number_of_queries(
    rect: Rect, settings, tmp_path, django_assert_num_queries: Any
) -> None:
    four_states(rect, settings, tmp_path)
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:dashboard", args=[rect.world.county.code])
    county.get(url)
    # session, user, county, memberships, tasks (+ department, town, plan), milestones, cooperating, items
    with django_assert_num_queries(9):  # 8 + the county subnav's latest year
        county.get(url)
    plan = Task.objects.first().plan
    for i in range(6):
        task_for(plan, rect.personnel, days=-i - 1, title=f"逾期任务{i}", cooperating=[rect.hr, rect.finance])
    with django_assert_num_queries(9):  # 8 + the county subnav's latest year
        assert "逾期任务5" in county.get(url).text


def test_the_items_list_reads_a_fixed_number_of_queries(
    rect: Rect, census: None, django_assert_num_queries: Any
) -> None:
    actions.generate_items(SYSTEM, rect.world.county, 2025, "national-2017")
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:items", args=[rect.world.county.code])
    county.get(url)
    # session, user, county, memberships, items (+ task, department), milestones, current year, departments,
    # schools (the forms)
    with django_assert_num_queries(10):  # 9 + the county subnav's latest year
        assert county.get(url).status_code == 200
