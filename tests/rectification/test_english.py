"""Every rectification page is complete in English: no Chinese is left but the data (names of
places, units, schools, people, and the tasks' own text)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.rectification import actions
from dudao.rectification.models import Task
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
TAG = re.compile(r"<[^>]+>")
DATA = {
    "示范县", "示范市", "河北省", "城关镇", "财政局", "联络员", "县督导", "第一小学", "第一中学", "示范县第一小学",
    "人力资源和社会保障局", "编办", "发展和改革局", "住房和城乡建设局", "教育局", "人事科", "装备中心", "人民政府",
    "城关九年一贯制学校", "邻县", "简体中文", "落实经费", "第八小学立项", "已拨付", "拨付", "李明", "副县长", "会商",
    "议题", "王刚", "推进", "工作方案", "示政办", "号", "年通过国家评估", "完成城区学校扩容", "拨付文件", "整改",
    "补充", "名体育艺术专任教师", "为", "新增教学及辅助用房", "教学及辅助用房", "体育艺术", "专任教师",
    "每百名学生拥有体育、艺术", "美术、音乐", "专任教师数", "低于标准", "为标准的", "需补充", "需新增", "平方米",
    "生均教学及辅助用房面积", "第三季度会商", "示范县推进义务教育优质均衡发展工作方案", "导入任务清单",
    "示范县2025年义务教育优质均衡发展对标整改任务清单", "示范县2026年会商决定事项督办清单",  # the lists' titles
    "教督〔2017〕6号", "教督〔2012〕3号",  # the standards' document numbers
}  # fmt: skip


# The task-list file's headers are named as written in the file, in Chinese, on the plan page.
HEADERS = {"序号", "任务", "责任单位", "配合单位", "完成时限", "进展情况", "服务指标", "示政办〔2025〕17号"}


def chinese_left(html: str, allowed: set[str] = frozenset()) -> list[str]:
    body = html[html.index("<main>") :]
    text = TAG.sub(" ", body)
    for name in sorted(DATA | allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return HAN.findall(text)


@pytest.fixture
def pages(rect: Rect, census: None, settings, tmp_path) -> dict[str, str]:
    settings.MEDIA_ROOT = tmp_path
    actions.generate_items(SYSTEM, rect.world.county, YEAR, "national-2017")
    task = task_for(plan_of(rect.world), rect.finance, title="落实经费", cooperating=[rect.hr])
    actions.report_progress(SYSTEM, task, "已拨付", 100, done=True, files=[SimpleUploadedFile("拨付文件.pdf", PDF)])
    overdue = task_for(task.plan, rect.development, days=-3, title="第八小学立项")
    leader = actions.add_leader(SYSTEM, rect.world.county, "李明", "副县长")
    actions.link_school(SYSTEM, leader, rect.world.primary)
    meeting = actions.record_meeting(SYSTEM, rect.world.county, "第三季度会商", actions.today(), "王刚", "议题")
    actions.add_decision(SYSTEM, meeting, "推进", rect.finance, actions.today())
    item_task = Task.objects.filter(item__indicator="L3").get()
    code = rect.world.county.code
    return {
        "dashboard": reverse("rectification:dashboard", args=[code]),
        "items": reverse("rectification:items", args=[code]),
        "plans": reverse("rectification:plans", args=[code]),
        "plan": reverse("rectification:plan", args=[task.plan_id]),
        "task": reverse("rectification:task", args=[task.pk]),
        "overdue task": reverse("rectification:task", args=[overdue.pk]),
        "item task": reverse("rectification:task", args=[item_task.pk]),
        "liaison": reverse("rectification:liaison", args=[code]),
        "meetings": reverse("rectification:meetings", args=[code]),
        "meeting": reverse("rectification:meeting", args=[meeting.pk]),
        "bulletins": reverse("rectification:bulletins", args=[code]),
    }


def test_the_pages_are_english_when_asked(rect: Rect, pages: dict[str, str]) -> None:
    county = client_for(rect.world.county_supervisor)
    county.cookies["django_language"] = "en"
    for name, url in pages.items():
        response = county.get(url)
        assert response.status_code == 200, name
        assert chinese_left(response.text, HEADERS if name == "plan" else set()) == [], name
    clerk = client_for(rect.finance_clerk)
    clerk.cookies["django_language"] = "en"
    for url in (reverse("rectification:mine"), reverse("notifications:centre")):
        assert chinese_left(clerk.get(url).text) == [], url
