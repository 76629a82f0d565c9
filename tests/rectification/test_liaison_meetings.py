"""Leaders' liaison schools (挂钩联系学校) with visits and things done for schools (办实事, target 1–2 a
year), and consultation meetings (会商) whose decisions become tasks followed up at the next meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from dudao.rectification import actions
from dudao.rectification.models import Decision, Leader, LiaisonSchool, Meeting, PracticalMatter, Task, Visit
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import Rect


def change(rect: Rect, what: str, **form: Any) -> Any:
    return client_for(rect.world.county_supervisor).post(
        reverse("rectification:liaison_change", args=[rect.world.county.code, what]), form
    )


def test_a_leader_links_schools_visits_and_gets_things_done(rect: Rect) -> None:
    assert change(rect, "leader", name="李明", post="副县长").status_code == 302
    leader = Leader.objects.get()
    school = rect.world.primary.code
    change(rect, "link", leader=leader.pk, school=school)
    assert LiaisonSchool.objects.get().school == rect.world.primary
    change(rect, "visit", leader=leader.pk, school=school, on=actions.today().isoformat(), note="调研大班额问题")
    assert Visit.objects.get().note == "调研大班额问题"
    change(rect, "matter", leader=leader.pk, school=school, year=YEAR, title="协调解决学校饮水改造")
    matter = PracticalMatter.objects.get()
    page = client_for(rect.world.county_supervisor).get(
        reverse("rectification:liaison", args=[rect.world.county.code]), {"year": YEAR}
    )
    assert "未完成（目标 1–2 件）" in page.text and "示范县第一小学" in page.text
    change(rect, "matter-done", matter=matter.pk, on=actions.today().isoformat())
    matter.refresh_from_db()
    assert matter.status == "done"
    page = client_for(rect.world.county_supervisor).get(
        reverse("rectification:liaison", args=[rect.world.county.code]), {"year": YEAR}
    )
    assert "已完成（目标 1–2 件）" in page.text


@pytest.mark.parametrize(
    ("what", "form", "text"),
    [
        ("visit", {"school": "1399010001", "on": "2099-01-01", "note": "x"}, "须为今天或以前的日期"),
        ("visit", {"school": "1399010002", "on": "2025-01-01", "note": "x"}, "未挂钩联系该学校"),
        ("matter", {"school": "1399020001", "year": 2025, "title": "x"}, "没有学校"),
        ("link", {"school": "no-such"}, "没有学校"),
        ("leader", {"name": "李明", "post": "副县长"}, "已有县领导"),
    ],
)
def test_bad_liaison_input_is_refused(rect: Rect, what: str, form: dict, text: str) -> None:
    leader = actions.add_leader(SYSTEM, rect.world.county, "李明", "副县长")
    actions.link_school(SYSTEM, leader, rect.world.primary)
    response = change(rect, what, leader=leader.pk, **form)
    assert response.status_code == 400 and text in response.text
    assert not Visit.objects.exists() and not PracticalMatter.objects.exists()
    assert Leader.objects.count() == 1 and LiaisonSchool.objects.count() == 1


def test_an_unknown_liaison_action_or_leader_is_refused(rect: Rect) -> None:
    assert change(rect, "dance").status_code == 404
    response = change(rect, "link", leader="999", school=rect.world.primary.code)
    assert response.status_code == 400 and "请选择县领导" in response.text


def test_decisions_become_tasks_and_are_followed_up_at_the_next_meeting(rect: Rect) -> None:
    county = client_for(rect.world.county_supervisor)
    first_day = actions.today() - dt.timedelta(days=90)
    response = county.post(reverse("rectification:meetings", args=[rect.world.county.code]), {
        "title": "第三季度教育工作会商会", "held_on": first_day.isoformat(), "place": "县政府三楼会议室",
        "attendees": "王刚 县政府副县长\n赵敏 教育局局长\n\n孙强 编办主任", "topics": "教师编制\n城区学位",
    })  # fmt: skip
    first = Meeting.objects.get()
    assert response.status_code == 302 and first.attendees.splitlines() == [
        "王刚 县政府副县长",
        "赵敏 教育局局长",
        "孙强 编办主任",
    ]
    deadline = (actions.today() + dt.timedelta(days=60)).isoformat()
    decide = reverse("rectification:add_decision", args=[first.pk])
    county.post(decide, {"text": "编办年底前核增教职工编制80名", "department": rect.staffing.pk, "deadline": deadline})
    county.post(reverse("rectification:add_decision", args=[first.pk]), {"text": "研究城区学位缺口"})
    with_task, without = Decision.objects.order_by("number")
    assert with_task.task.department == rect.staffing and with_task.task.plan.kind == "meeting"
    assert without.task is None
    county.post(reverse("rectification:decision_task", args=[without.pk]),
                {"department": rect.development.pk, "deadline": deadline})  # fmt: skip
    without.refresh_from_db()
    assert without.task.department == rect.development
    again = county.post(reverse("rectification:decision_task", args=[without.pk]),
                        {"department": rect.development.pk, "deadline": deadline})  # fmt: skip
    assert again.status_code == 400 and "已转为任务" in again.text and Task.objects.count() == 2
    second = actions.record_meeting(SYSTEM, rect.world.county, "第四季度会商会", actions.today(), "王刚", "跟踪落实")
    page = county.get(reverse("rectification:meeting", args=[second.pk]))
    assert f"上次会商（{first_day:%Y-%m-%d}）议定事项落实情况" in page.text
    assert "编办年底前核增教职工编制80名" in page.text and "未开始" in page.text


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ({"title": "会商", "held_on": "2099-01-01", "attendees": "a", "topics": "b"}, "会议日期不能晚于今天"),
        ({"title": "会商", "held_on": "2025-01-01", "attendees": " \n ", "topics": "b"}, "请填写参会人员"),
        ({"title": "", "held_on": "2025-01-01", "attendees": "a", "topics": "b"}, "请填写会议名称"),
        ({"title": "会商", "held_on": "", "attendees": "a", "topics": "b"}, "请填写会议日期"),
    ],
)
def test_a_bad_meeting_is_refused(rect: Rect, form: dict, text: str) -> None:
    response = client_for(rect.world.county_supervisor).post(
        reverse("rectification:meetings", args=[rect.world.county.code]), form
    )
    assert response.status_code == 400 and text in response.text and not Meeting.objects.exists()


def test_a_decision_with_an_unknown_owner_or_past_deadline_writes_nothing(rect: Rect) -> None:
    meeting = actions.record_meeting(SYSTEM, rect.world.county, "会商", actions.today(), "王刚", "议题")
    county = client_for(rect.world.county_supervisor)
    url = reverse("rectification:add_decision", args=[meeting.pk])
    bad = county.post(url, {"text": "x", "department": rect.neighbour_finance.pk, "deadline": "2099-01-01"})
    assert bad.status_code == 400 and "请从本县部门中选择" in bad.text
    past = county.post(url, {"text": "x", "department": rect.finance.pk, "deadline": "2001-01-01"})
    assert past.status_code == 400 and not Decision.objects.exists() and not Task.objects.exists()
