"""The rectification demo for 示范县 (after ``dudao seed_demo``): ``dudao seed_rectification_demo``.

Written through the actions, as the people who would have done it, so the timelines, notifications
and figures are the application's own:

- the 2025 evaluation's shortfalls as items and tasks (the county's rectification list);
- the county's work plan 示政办〔2025〕17号 with tasks for departments and town governments, some
  done and accepted, one returned, some reported, some at risk and some overdue;
- an inspector's finding; three county leaders with their liaison schools, visits and things done;
- two consultation meetings, the second following up the first one's decisions;
- a bulletin for the last 90 days naming the units with overdue tasks.

Deadlines are counted from the day the demo is written (overdue tasks had their deadlines in the
past, as if the demo had been running for months). Running it again changes nothing; ``reset()``
deletes what it wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from dudao.actors import Actor, system
from dudao.notifications.models import Notification
from dudao.orgs.demo import COUNTY_CODE, CURRENT_YEAR
from dudao.orgs.models import Department, Region, SchoolYear
from dudao.rectification import actions
from dudao.rectification.actions import task_url
from dudao.rectification.models import (
    Bulletin,
    Decision,
    Leader,
    LiaisonSchool,
    Meeting,
    Milestone,
    PracticalMatter,
    ProgressReport,
    RectificationItem,
    Task,
    TaskEvent,
    TaskEvidence,
    Visit,
    WorkPlan,
)

STANDARD = "national-2017"
PLAN = ("示范县推进义务教育优质均衡发展工作方案", "示政办〔2025〕17号",
        "到2027年，全县义务教育学校各项资源配置指标达到国家优质均衡标准，校际差异系数小学不高于0.50、初中不高于0.45，"
        "通过国家义务教育优质均衡发展督导评估。")  # fmt: skip

# (task, responsible unit, cooperating units, days to the deadline (negative: overdue), what happens:
#  "accepted", "returned", "submitted", "report:<percent>", "" (nothing reported yet))
TASKS: tuple[tuple[str, str, tuple[str, ...], int, str], ...] = (
    (
        "落实义务教育经费“两个只增不减”，2025年一般公共预算教育支出增长不低于5%",
        "示范县财政局",
        ("示范县教育局",),
        40,
        "accepted",
    ),
    ("核增中小学教职工编制120名，建立编制动态调整机制", "示范县编办", ("示范县教育局人事科",), -20, "report:60"),
    (
        "公开招聘体育、艺术专任教师45名，补齐农村学校学科教师缺口",
        "示范县人力资源和社会保障局",
        ("示范县编办", "示范县教育局人事科"),
        25,
        "report:50",
    ),
    (
        "新建城区第八小学（36个班），2026年秋季投入使用，化解城区大班额",
        "示范县发展和改革局",
        ("示范县财政局", "示范县住房和城乡建设局"),
        300,
        "report:35",
    ),
    (
        "完成示范县第五小学运动场改造，生均体育运动场馆面积达到7.5平方米",
        "示范县住房和城乡建设局",
        ("示范县财政局",),
        -35,
        "",
    ),
    (
        "为农村学校补充教学仪器设备，生均教学仪器设备值小学达到2000元、初中达到2500元",
        "示范县教育局装备中心",
        ("示范县财政局",),
        120,
        "returned",
    ),
    ("开展校园周边交通秩序整治，设置学校周边交通安全设施", "示范县公安局", ("示范县交通运输局",), 15, "report:30"),
    ("完成东关街道中心小学扩建用地征收", "东关街道办事处", ("示范县自然资源局",), -10, "report:80"),
    ("落实双庙乡中心小学寄宿制学校改造配套资金", "双庙乡人民政府", ("示范县财政局",), 60, "submitted"),
    ("推进县域内教师交流轮岗，每年交流比例不低于符合条件教师的10%", "示范县教育局人事科", (), 200, "report:40"),
)
LEADERS = (
    ("张建国", "县长", ("示范县第五小学", "双庙乡中心小学")),
    ("李明", "常务副县长", ("示范县实验中学", "马店镇初级中学")),
    ("王芳", "副县长（分管教育）", ("示范县第七小学", "杨庄镇中心小学")),
)
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Summary:
    seeded: bool
    items: int = 0
    tasks: int = 0
    overdue_units: tuple[str, ...] = ()


class DemoMissing(Exception):
    """The county demo (``dudao seed_demo``) is not there."""


def is_seeded(county: Region) -> bool:
    return WorkPlan.objects.filter(county=county).exists()


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _pdf(name: str) -> ContentFile:
    return ContentFile(_PDF, name=name)


def _unit(county: Region, name: str) -> Department | None:
    return Department.objects.filter(county=county, name=name).first()


def seed() -> Summary:
    county = Region.objects.filter(code=COUNTY_CODE, level=Region.Level.COUNTY).first()
    if county is None or not User.objects.filter(username="county").exists():
        raise DemoMissing("请先运行 dudao seed_demo / run dudao seed_demo first")
    if is_seeded(county):
        return Summary(seeded=False)
    supervisor = _user("county")
    today = actions.today()
    with transaction.atomic():
        result = actions.generate_items(supervisor, county, CURRENT_YEAR, STANDARD)
        _plan(county, supervisor, today)
        _finding(county, today)
        _liaison(county, supervisor, today)
        _meetings(county, supervisor, today)
        bulletin = actions.issue_bulletin(supervisor, county, today - dt.timedelta(days=90), today)
    return Summary(True, len(result.created), Task.objects.filter(county=county).count(),
                   tuple(bulletin.overdue_units))  # fmt: skip


def _clerk_of(unit: Department) -> Actor:
    """The department's clerk, or the seeder itself for a department without one."""
    return User.objects.filter(memberships__department=unit).first() or system("seed_rectification_demo")


def _plan(county: Region, supervisor: User, today: dt.date) -> None:
    plan = actions.create_plan(supervisor, county, PLAN[0], CURRENT_YEAR, PLAN[1], PLAN[2])
    for title, lead, partners, days, story in TASKS:
        unit = _unit(county, lead)
        if unit is None:
            continue
        known = [p for p in partners if _unit(county, p) is not None]
        deadline = today + dt.timedelta(days=max(days, 30))
        spec = actions.TaskSpec(title, unit, deadline, known)
        task = actions.create_task(supervisor, plan, spec)
        if days > 60:
            actions.add_milestone(supervisor, task, "完成方案编制并报县政府审定", today + dt.timedelta(days=days // 3))
        if days < 30:  # the deadline as it was set months ago (the past cannot be chosen through the form)
            Task.objects.filter(pk=task.pk).update(deadline=today + dt.timedelta(days=days))
            task.refresh_from_db()
        _story(task, unit, story, supervisor)


def _story(task: Task, unit: Department, story: str, supervisor: User) -> None:
    clerk = _clerk_of(unit)
    if not story:
        return
    if story.startswith("report:"):
        percent = int(story.split(":")[1])
        actions.report_progress(clerk, task, f"已完成约{percent}%：方案已制定，正在按节点推进。", percent,
                                files=[_pdf("阶段性工作材料.pdf")])  # fmt: skip
        return
    actions.report_progress(clerk, task, "任务已完成，附相关文件。", 100, done=True, files=[_pdf("完成情况报告.pdf")])
    if story == "accepted":
        actions.accept_task(supervisor, task, "材料齐全，同意验收。")
    elif story == "returned":
        actions.return_task(supervisor, task, "佐证材料缺少设备验收清单和资产入账凭证，请补充后重新报送。")


def _finding(county: Region, today: dt.date) -> None:
    school = SchoolYear.objects.filter(school__county=county, year=CURRENT_YEAR, name="示范县第五小学").first()
    bureau = _unit(county, "示范县教育局")
    if bureau is None:
        return
    actions.add_item(
        _user("city"), county, "inspection", "恢复音乐、美术专用教室，不得挪作普通教室使用", bureau,
        today + dt.timedelta(days=60), finding="市级督导检查发现：示范县第五小学2间功能教室被改作普通教室使用。",
        year=CURRENT_YEAR, school=school.school if school else None,
    )  # fmt: skip


def _liaison(county: Region, supervisor: User, today: dt.date) -> None:
    names = {
        sy.name: sy.school
        for sy in SchoolYear.objects.filter(school__county=county, year=CURRENT_YEAR).select_related("school")
    }
    for i, (name, post, schools) in enumerate(LEADERS):
        leader = actions.add_leader(supervisor, county, name, post)
        for school_name in schools:
            school = names.get(school_name)
            if school is None:
                continue
            actions.link_school(supervisor, leader, school, today - dt.timedelta(days=300))
            actions.record_visit(supervisor, leader, school, today - dt.timedelta(days=40 + 20 * i),
                                 "实地查看校舍和运动场地，听取学校关于学位和师资的汇报。")  # fmt: skip
        first = names.get(schools[0])
        if first is None or i == 2:  # 王芳 has nothing done yet this year: shown as not met
            continue
        matter = actions.add_matter(supervisor, leader, first, today.year, "协调解决学校饮水和供暖设施改造")
        actions.complete_matter(supervisor, matter, today - dt.timedelta(days=15))
        actions.add_matter(supervisor, leader, first, today.year, "协调增设校门口护学岗和减速带")


def _meetings(county: Region, supervisor: User, today: dt.date) -> None:
    attendees = "王芳 县政府副县长\n赵敏 县教育局局长\n孙强 县编办主任\n周涛 县财政局局长\n吴磊 县人社局局长"
    room = "县政府三楼会议室"
    topics = "教师编制与招聘\n城区学位缺口\n农村学校设备配备"
    held = today - dt.timedelta(days=75)
    first = actions.record_meeting(
        supervisor, county, "第三季度义务教育优质均衡发展会商会", held, attendees, topics, room
    )
    staffing, finance, hr = (_unit(county, n) for n in ("示范县编办", "示范县财政局", "示范县人力资源和社会保障局"))
    if staffing:
        actions.add_decision(supervisor, first, "县编办于年底前完成中小学教职工编制核增方案", staffing,
                             today + dt.timedelta(days=20))  # fmt: skip
    if finance:
        actions.add_decision(supervisor, first, "县财政局将农村学校设备购置资金列入下年度预算", finance,
                             today + dt.timedelta(days=45))  # fmt: skip
    actions.add_decision(supervisor, first, "研究利用闲置校舍缓解城区学位紧张问题")
    topics, held = "跟踪上次会商议定事项落实情况\n下年度预算安排", today - dt.timedelta(days=5)
    second = actions.record_meeting(
        supervisor, county, "第四季度义务教育优质均衡发展会商会", held, attendees, topics, room
    )
    if hr:
        actions.add_decision(supervisor, second, "县人社局会同教育局于下季度完成体育艺术教师招聘", hr,
                             today + dt.timedelta(days=80))  # fmt: skip


def reset(county: Region | None = None) -> int:
    """Delete every rectification row of 示范县 (or ``county``); returns the number of rows deleted."""
    county = county or Region.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return 0
    tasks = Task.objects.filter(county=county)
    leaders = Leader.objects.filter(county=county)
    deleted = 0
    for bulletin in Bulletin.objects.filter(county=county):
        bulletin.file.delete(save=False)
    for doc in TaskEvidence.objects.filter(report__task__in=tasks):
        doc.file.delete(save=False)
    for queryset in (
        Notification.objects.filter(url__in=[task_url(t) for t in tasks]),
        Notification.objects.filter(key__startswith=f"digest:{county.pk}:"),
        Bulletin.objects.filter(county=county),
        Decision.objects.filter(meeting__county=county),
        Meeting.objects.filter(county=county),
        PracticalMatter.objects.filter(leader__in=leaders),
        Visit.objects.filter(leader__in=leaders),
        LiaisonSchool.objects.filter(leader__in=leaders),
        leaders,
        RectificationItem.objects.filter(county=county),
        TaskEvidence.objects.filter(report__task__in=tasks),
        ProgressReport.objects.filter(task__in=tasks),
        TaskEvent.objects.filter(task__in=tasks),
        Milestone.objects.filter(task__in=tasks),
        tasks,
        WorkPlan.objects.filter(county=county),
    ):
        deleted += queryset.delete()[0]
    return deleted
