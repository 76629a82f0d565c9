"""In the browser: the header's notification list opens, lists the newest unread notifications as
readable links (not white on white), and each link leads where it says."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from dudao.notifications import Kind, notify
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.visual import assert_readable
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def test_the_header_list_is_readable_and_leads_to_the_record(page: Page, world: World) -> None:
    school_page = reverse("census:school", args=[world.primary.code, YEAR])
    notify([world.school_clerk], Kind.CENSUS_RETURNED, "census_returned:1",
           "示范县第一小学小学数据被退回：请核实在校生数", "Returned: check the pupils", school_page)  # fmt: skip
    notify([world.school_clerk], Kind.CENSUS_REMINDER, "census_reminder:1", "请于 9 月 30 日前提交", "Due 30 Sept")
    log_in(page, world.school_clerk)
    count = page.locator("#notices .notice-count")
    count.wait_for(state="visible")
    assert count.inner_text() == "2"
    page.locator("#notices summary").click()
    panel = page.locator("#notices .notice-panel")
    panel.get_by_role("link", name="示范县第一小学小学数据被退回：请核实在校生数").wait_for()
    screenshot(page, "notifications-open")
    links = assert_readable(page, "#notices .notice-panel a")
    assert {link["text"] for link in links} >= {"示范县第一小学小学数据被退回：请核实在校生数", "全部通知"}
    assert_readable(page, "#notices .notice-panel li")  # a notification without a link is readable too
    with page.expect_navigation():
        panel.get_by_role("link", name="示范县第一小学小学数据被退回：请核实在校生数").click()
    assert page.url.endswith(school_page)
