"""In the browser: a department's clerk sees the new task in the header, reports it done with an
evidence file, and the county supervision office accepts it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Page

from dudao.rectification import actions
from dudao.rectification.models import Task, TaskEvidence
from tests.e2e import test_phone
from tests.e2e.conftest import log_in, screenshot
from tests.personas import SYSTEM, World
from tests.rectification.conftest import PDF, Rect, make_rect, plan_of, task_for

pytestmark = pytest.mark.e2e
phone = test_phone.phone  # the 360 px phone of the phone checks


@pytest.fixture
def rect(world: World) -> Rect:
    return make_rect(world)


def test_a_clerk_reports_a_task_done_with_a_file_and_the_office_accepts_it(
    page: Page,
    rect: Rect,
    settings,
    tmp_path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    task = task_for(plan_of(rect.world), rect.finance, title="落实教育经费“两个只增不减”")

    # The clerk lands on the work home with their tasks; the header counts the new-task notification.
    log_in(page, rect.finance_clerk)
    assert "落实教育经费“两个只增不减”" in page.locator("#my-tasks").inner_text()
    page.locator("#notices .notice-count").wait_for(state="visible")
    assert page.locator("#notices .notice-count").inner_text() == "1"
    page.locator("#notices summary").click()
    assert "落实教育经费" in page.locator("#notices .notice-list").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="落实教育经费“两个只增不减”").first.click()

    # Report it done, with the budget approval as evidence.
    page.get_by_label("进展情况").fill("全年教育经费预算已足额安排，一般公共预算教育支出同比增长 6.2%。")
    page.get_by_label("完成进度（%）").fill("100")
    page.locator("#r-files").set_input_files([{"name": "预算批复.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_label("任务已完成，提请督导室验收（须附佐证材料）").check()
    with page.expect_navigation():
        page.get_by_role("button", name="报送").click()
    assert "已报告完成，等待督导室验收" in page.locator(".messages").inner_text()
    assert page.locator("[data-status]").inner_text() == "待验收"
    assert "预算批复.pdf" in page.locator("#table-evidence").inner_text()
    screenshot(page, "rectification-reported")
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()

    # The supervision office accepts it.
    log_in(page, rect.world.county_supervisor)
    page.goto(f"/rectification/task/{task.pk}/")
    assert "预算批复.pdf" in page.locator("#table-evidence").inner_text()
    page.get_by_label("验收意见（可不填）").fill("材料齐全，同意验收")
    with page.expect_navigation():
        page.get_by_role("button", name="验收通过").click()
    assert page.locator("[data-status]").inner_text() == "已完成"
    assert "验收通过" in page.locator("#table-timeline").inner_text()
    screenshot(page, "rectification-accepted")

    task.refresh_from_db()
    assert task.status == "accepted" and TaskEvidence.objects.get().original_name == "预算批复.pdf"
    assert Task.objects.get(pk=task.pk).percent == 100


def test_the_rectification_pages_fit_a_phone(phone: Page, rect: Rect, settings, tmp_path) -> None:
    """On a 360 px phone every rectification page stays the screen's width (tables scroll in their box)."""
    settings.MEDIA_ROOT = tmp_path
    task = task_for(
        plan_of(rect.world), rect.finance, title="落实教育经费“两个只增不减”，一般公共预算教育支出逐年只增不减"
    )
    actions.report_progress(SYSTEM, task, "已拨付", 40, files=[SimpleUploadedFile("拨付凭证.pdf", PDF)])
    meeting = actions.record_meeting(
        SYSTEM, rect.world.county, "第三季度会商会", actions.today(), "王刚 副县长", "师资"
    )
    code = rect.world.county.code
    log_in(phone, rect.world.county_supervisor)
    pages = {
        "rect-dashboard": reverse("rectification:dashboard", args=[code]),
        "rect-items": reverse("rectification:items", args=[code]),
        "rect-plans": reverse("rectification:plans", args=[code]),
        "rect-plan": reverse("rectification:plan", args=[task.plan_id]),
        "rect-task": reverse("rectification:task", args=[task.pk]),
        "rect-meetings": reverse("rectification:meetings", args=[code]),
        "rect-meeting": reverse("rectification:meeting", args=[meeting.pk]),
        "rect-liaison": reverse("rectification:liaison", args=[code]),
        "rect-bulletins": reverse("rectification:bulletins", args=[code]),
        "rect-notifications": reverse("notifications:centre"),
    }
    for name, address in pages.items():
        phone.goto(address)
        test_phone.fits(phone, name)
    phone.locator("#notices summary").click()  # the header's list opens within the screen
    box = phone.locator("#notices .notice-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
