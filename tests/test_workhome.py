"""The work home (工作台) at ``/``: each role sees what it has to do, read from the functions the other
pages use, and the page never writes (no evaluation run, no row). Query counts are pinned."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from dudao.census import actions as census
from dudao.evaluation.actions import evaluate_county
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Membership, Role
from dudao.rectification import actions as rectify
from dudao.rectification.models import Task
from dudao.surveys import actions as surveys
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for
from tests.rectification.conftest import Rect, make_rect, plan_of, task_for

STANDARD = "national-2017"


def values(base: dict) -> dict:
    return {k: v for k, v in base.items() if k != "school_type"}


@pytest.fixture
def town_clerk(world: World) -> User:
    """A town's clerk answering for three schools: 第一小学 returned, 第一中学 approved, the 九年一贯制 school
    not started; the deadline passed three days ago."""
    clerk = User.objects.create_user("城关镇填报员", password=PASSWORD)
    for school in (world.primary, world.junior, world.nine_year):
        Membership.objects.create(user=clerk, role=Role.SCHOOL_CLERK, school=school)
    primary = census.save_record(SYSTEM, world.primary, YEAR, "primary", values(PRIMARY)).record
    census.submit(SYSTEM, primary)
    census.return_record(SYSTEM, primary, "在校生数与学籍系统不符，请核实")
    junior = census.save_record(SYSTEM, world.junior, YEAR, "junior", values(JUNIOR)).record
    census.submit(SYSTEM, junior)
    census.approve(SYSTEM, junior)
    census.set_deadline(SYSTEM, world.county, YEAR, timezone.localdate() - dt.timedelta(days=3))
    return clerk


def test_a_clerk_of_several_schools_sees_each_with_its_state_and_next_step(
    world: World, town_clerk: User, django_assert_num_queries
) -> None:
    client = client_for(town_clerk)
    with django_assert_num_queries(10):
        page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "我负责的学校（3 所）" in text and "2 所学校需要您处理" in text
    first, second, third = (text.index(n) for n in ("示范县第一小学", "示范县城关九年一贯制学校", "示范县第一中学"))
    assert first < second < third  # returned first, then not started, the approved school last
    assert "退回原因：小学：在校生数与学籍系统不符，请核实" in text
    assert text.count("逾期 3 天") == 2 and "按退回原因修改后重新提交" in text and "填报本校数据" in text
    form = reverse("census:school", args=[world.primary.code, YEAR])
    assert f'<a class="button primary" href="{form}">按退回原因修改后重新提交</a>' in text
    assert "已审核通过" in text


def test_a_single_school_clerk_is_not_sent_elsewhere(world: World) -> None:
    page = client_for(world.school_clerk).get("/")
    assert page.status_code == 200 and "我负责的学校（1 所）" in page.content.decode()
    assert "填报本校数据" in page.content.decode()


@pytest.fixture
def desk(world: World) -> Rect:
    """示范县 with: 第一小学 submitted (awaiting review), 第一中学 approved, the 九年一贯制 school missing;
    a stored run made stale by a later change; a task reported done, one overdue; an open survey."""
    rect = make_rect(world)
    primary = census.save_record(SYSTEM, world.primary, YEAR, "primary", values(PRIMARY)).record
    junior = census.save_record(SYSTEM, world.junior, YEAR, "junior", values(JUNIOR)).record
    census.submit(SYSTEM, junior)
    census.approve(SYSTEM, junior)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {**values(PRIMARY), "books": 40000})
    census.submit(SYSTEM, primary)
    census.set_deadline(SYSTEM, world.county, YEAR, timezone.localdate() + dt.timedelta(days=5))
    plan = plan_of(world)
    done = task_for(plan, rect.finance, title="拨付校舍维修经费")
    rectify.report_progress(rect.finance_clerk, done, "已拨付", 100, done=True, files=[_pdf()])
    task_for(plan, rect.hr, days=-35, title="补充体育艺术教师")
    world.county.resident_population = 300_000
    world.county.save()
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "2025年社会认可度调查")
    surveys.set_status(world.county_supervisor, survey, "open")
    return rect


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.rectification.conftest import PDF

    return SimpleUploadedFile("拨付文件.pdf", PDF)


def test_the_county_desk_reads_what_waits_and_writes_nothing(
    world: World, desk: Rect, django_assert_num_queries, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    runs = EvaluationRun.objects.count()
    client = client_for(world.county_supervisor)
    with django_assert_num_queries(16):
        page = client.get("/")
    text = page.content.decode()
    assert EvaluationRun.objects.count() == runs  # shown as stored, marked as needing an update
    tile = lambda name: text[text.index(f'id="tile-{name}"') :].split("</li>")[0]  # noqa: E731
    assert ">1</a>" in tile("review") and ">1</a>" in tile("unsubmitted") and "还剩 5 天" in tile("unsubmitted")
    assert ">1</a>" in tile("awaiting") and ">1</a>" in tile("overdue") and "需更新" in tile("evaluation")
    assert "0/" in tile("survey") and "进行中" in tile("survey")
    assert "示范县城关九年一贯制学校" in text and "逾期 35 天" in text and "拨付校舍维修经费" in text
    download = client.get("/?download=overdue-139901&format=csv")
    assert "补充体育艺术教师" in download.content.decode("utf-8-sig")


def test_an_observer_sees_the_desk_too(world: World, desk: Rect, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert 'id="tile-review"' in client_for(world.observer).get("/").content.decode()


def test_a_department_clerk_sees_overdue_first_with_reporting_one_click_away(
    world: World, django_assert_num_queries
) -> None:
    rect = make_rect(world)
    plan = plan_of(world)
    later = task_for(plan, rect.finance, days=60, title="安排校舍维修经费")
    late = task_for(plan, rect.finance, days=-35, title="落实教育经费“两个只增不减”")
    task_for(plan, rect.hr, days=-3, title="别的部门的任务")
    client = client_for(rect.finance_clerk)
    with django_assert_num_queries(8):
        page = client.get("/")
    text = page.content.decode()
    assert text.index("落实教育经费") < text.index("安排校舍维修经费") and "别的部门的任务" not in text
    assert "逾期 35 天" in text and "已完成 0 项" in text
    report = reverse("rectification:task", args=[late.pk]) + "#report"
    assert f'<a href="{report}">报送进展</a>' in text
    assert reverse("rectification:task", args=[later.pk]) in text


@pytest.fixture
def evaluated(world: World) -> World:
    for school, level, base in ((world.primary, "primary", PRIMARY), (world.junior, "junior", JUNIOR)):
        record = census.save_record(SYSTEM, school, YEAR, level, values(base)).record
        census.submit(SYSTEM, record)
        census.approve(SYSTEM, record)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    return world


def test_inspectors_see_their_counties_at_a_glance_sortable(evaluated: World, django_assert_num_queries) -> None:
    client = client_for(evaluated.city_inspector)
    # the county rows read the stored readiness and out-of-date flags (docs/adr/0033): 9 queries, not 13
    with django_assert_num_queries(9):
        page = client.get("/")
    text = page.content.decode()
    assert "示范市 · 2025学年各县概况" in text and 'data-glance="glance-data-1399"' in text
    assert 'id="glance-data-1399"' in text and "vendor/echarts/echarts.min.js" in text
    table = text[text.index('id="glance-1399"') :]
    assert table.index("示范县") < table.index("邻县")
    assert "67%" in table  # 示范县: two of its three schools approved
    ordered = client.get("/?sort=census").content.decode()
    ordered = ordered[ordered.index('id="glance-1399"') :]
    assert ordered.index("邻县") < ordered.index("示范县")  # 邻县 has none of its schools approved
    assert client.get("/?sort=nonsense").status_code == 400
    xlsx = client.get("/?download=counties-1399&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    province = client_for(evaluated.province_inspector).get("/").content.decode()
    assert "河北省 · 2025学年各县概况" in province and "其他县" not in province


def test_a_person_without_a_unit_is_told_so(db) -> None:
    User.objects.create_user("新用户", password=PASSWORD)
    client = client_for(User.objects.get(username="新用户"))
    assert "您的账号尚未分配单位" in client.get("/").content.decode()
    assert not Task.objects.exists()


def test_the_work_home_is_english_when_asked(world: World, town_clerk: User) -> None:
    from tests.e2e.conftest import chinese_left

    data = {"示范县第一小学", "示范县第一中学", "示范县城关九年一贯制学校", "示范县", "邻县", "示范市", "河北省"}
    data |= {"在校生数与学籍系统不符，请核实"}
    for person in (town_clerk, world.city_inspector, world.county_supervisor):
        client = client_for(person)
        client.cookies["django_language"] = "en"
        html = client.get("/").content.decode()
        main = html[html.index("<main>") : html.index("</main>")]
        main = main.split('<script id="glance-data')[0] + main.split("</script>")[-1]
        assert chinese_left(re.sub(r"<[^>]+>", " ", main), data) == [], person.username
