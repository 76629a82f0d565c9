"""In the browser, the county supervisor's morning: read the cockpit, open the failing school, correct
its census figure, submit and approve it, and see the cockpit change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page

from dudao.evaluation.actions import latest_run
from tests.e2e.conftest import FAILING_SCHOOL, SPORTS_FIXED, STANDARD, log_in, screenshot
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e


def cv_cell(page: Page, code: str) -> Locator:
    """The primary-school CV of indicator ``code`` in the cockpit's CV table (its second column)."""
    row = page.locator("#cv-table tbody tr").filter(has_text=code)
    return row.locator("td").nth(1)


def stored_cv(world: World, code: str) -> float:
    run = latest_run(world.county, YEAR, STANDARD)
    assert run is not None
    return run.result["levels"]["primary"]["indicators"][code]["cv"]


def test_a_correction_approved_by_the_county_shows_in_the_cockpit(page: Page, census: World) -> None:
    log_in(page, census.county_supervisor)
    with page.expect_navigation():  # from the work home to the county's cockpit
        page.get_by_role("navigation", name="主菜单").get_by_role("link", name="县域总览").click()
    assert f"/overview/county/{census.county.code}/{YEAR}/{STANDARD}/" in page.url
    cockpit = page.url
    assert census.county.name in page.locator("#cockpit-title").inner_text()

    # Read: a verdict, a CV, the failing school.
    assert "未达标" in page.locator("#verdict").inner_text()
    assert page.locator("#school-count-primary .tile-value").inner_text() == "1/2"
    before = stored_cv(census, "L5")
    shown = cv_cell(page, "L5").inner_text()
    assert abs(float(shown) - before) < 0.0005, (shown, before)
    failing = page.locator("#failing-schools")
    assert FAILING_SCHOOL[1] in failing.inner_text() and "缺" in failing.inner_text()
    screenshot(page, "cockpit-before")

    # Open the failing school and correct its sports ground on the census form.
    with page.expect_navigation():
        failing.get_by_role("link", name=FAILING_SCHOOL[1]).click()
    assert FAILING_SCHOOL[1] in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.locator("#census-entry-link").click()
    page.get_by_label("体育运动场馆面积(平方米)").fill(str(SPORTS_FIXED))
    page.get_by_label("修改原因").fill("按新建操场面积更正")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "已保存，1 项数值有变化。" in page.locator(".messages").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()
    assert "已审核" in page.locator("section.card h2").first.inner_text()

    # Back on the cockpit: the school passes, the CV is the new run's.
    page.goto(cockpit)
    after = stored_cv(census, "L5")
    assert after != before
    shown = cv_cell(page, "L5").inner_text()
    assert abs(float(shown) - after) < 0.0005, (shown, after)
    assert page.locator("#school-count-primary .tile-value").inner_text() == "2/2"
    assert FAILING_SCHOOL[1] not in page.locator("#failing-schools").inner_text()
    screenshot(page, "cockpit-after")
