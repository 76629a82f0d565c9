"""In the browser: the census cycle as the county's supervisor goes through it — the template page, an upload's
preview and its confirmation, 催报 on the progress page, the review queue by keyboard (j / k / r, Tab to the
buttons, focus visible), the batch approval and the lock's confirmation — at 1366 × 768 and at 390 × 844
(no page scrolls sideways), each page left as a screenshot in var/test-artifacts/e2e/census-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from dudao.census import actions
from dudao.census.models import CensusRecord
from dudao.sheets.template import write_rows
from tests.e2e.conftest import ARTIFACTS, FAILING_SCHOOL, log_in, screenshot
from tests.engine.schools import JUNIOR
from tests.personas import SYSTEM, YEAR, World

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cycle(census: World) -> World:
    """The e2e county's three records submitted; 第一中学's sports ground was 2,000 m² last year (now 5,500:
    a year-on-year warning, explained)."""
    last_year = {**{k: v for k, v in JUNIOR.items() if k != "school_type"}, "sports_area_m2": 2000}
    actions.save_record(SYSTEM, census.junior, YEAR - 1, "junior", last_year)
    actions.save_record(SYSTEM, census.junior, YEAR, "junior", {}, note="新建运动场", expected_version=1)
    for record in CensusRecord.objects.filter(year=YEAR):
        actions.submit(SYSTEM, record)
    return census


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True,
                                  base_url=live_server.url)  # type: ignore[attr-defined]  # fmt: skip
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    screenshot(page, ARTIFACTS / f"census-{name}.png")


def fits(page: Page, name: str) -> None:
    """No sideways scrolling of the page at the viewport's width; a screenshot of the whole page."""
    shot(page, name)
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, (name, width, scroll)


def test_the_review_queue_by_keyboard(page: Page, cycle: World) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, cycle.county_supervisor)
    page.goto(reverse("census:review", args=[cycle.county.code, YEAR]))
    expect(page.locator("#queue-summary")).to_contain_text("3 条记录待审核，其中 2 条没有提示")
    shot(page, "review-queue")
    first = page.locator("[data-table='review-queue'] tbody tr").first.get_by_role("link")
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/review/*/")
    expect(page.locator("h1")).to_contain_text("示范县第一小学")
    shot(page, "review-record")
    page.keyboard.press("j")  # next: 示范县第一中学, with its warning
    expect(page.locator("h1")).to_contain_text("示范县第一中学")
    expect(page.locator("#findings")).to_contain_text("体育运动场馆面积(平方米)由上学年的 2000 变为 5500")
    page.keyboard.press("k")
    expect(page.locator("h1")).to_contain_text("示范县第一小学")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "return-reason"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "return"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused button shows its focus"
    # approve by keyboard: Shift+Tab back to the approve button, Enter; the next record follows
    page.locator("#approve").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("已审核通过：示范县第一小学（小学）。")
    expect(page.locator("h1")).to_contain_text("示范县第一中学")
    assert CensusRecord.objects.get(school=cycle.primary, year=YEAR).status == "approved"
    # the batch: the one left without a warning (河西小学), by keyboard
    page.goto(reverse("census:review", args=[cycle.county.code, YEAR]))
    page.locator("#confirm-clean").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="审核通过 1 条").press("Enter")
    expect(page.locator(".messages")).to_contain_text("已审核通过 1 条。")
    assert CensusRecord.objects.get(school__code=FAILING_SCHOOL[0], year=YEAR).status == "approved"


def test_the_cycles_pages_at_desktop_and_phone_width(page: Page, phone: Page, cycle: World, tmp_path: Path) -> None:
    county = cycle.county.code
    upload = tmp_path / "示范县2025.xlsx"
    write_rows(upload, [{"school_code": cycle.primary.code, "school_name": "示范县第一小学", "school_type": "primary",
                         "level": "primary", "location": "urban", "ownership": "public", "students": 520,
                         "teachers_above_qualification": 25, "backbone_teachers": 6, "pe_art_teachers": 5,
                         "teaching_aux_area_m2": 2500, "sports_area_m2": 4000, "equipment_value_yuan": 1100000,
                         "multimedia_classrooms": 12, "teachers": 40}])  # fmt: skip
    bad = tmp_path / "有错误.xlsx"
    write_rows(bad, [{"school_code": cycle.primary.code, "school_name": "示范县第一小学", "school_type": "primary",
                      "level": "primary", "students": 174, "teachers": 999}])  # fmt: skip
    actions.approve(SYSTEM, CensusRecord.objects.get(school=cycle.primary, year=YEAR))  # it goes back to review
    for tab, size, suffix in ((page, DESKTOP, "desktop"), (phone, PHONE, "phone")):
        tab.set_viewport_size(size)
        log_in(tab, cycle.county_supervisor)
        tab.goto(reverse("census:templates", args=[YEAR]))
        expect(tab.locator("#template-downloads")).to_contain_text("全县 4 所学校")
        fits(tab, f"templates-{suffix}")
        tab.goto(reverse("census:upload", args=[county, YEAR]))
        tab.set_input_files("#file", str(upload))
        tab.get_by_role("button", name="上传并预览").click()
        tab.wait_for_url("**/import/*/")
        expect(tab.locator("#back-to-review")).to_contain_text("示范县第一小学（小学）")
        fits(tab, f"preview-{suffix}")
        tab.goto(reverse("census:upload", args=[county, YEAR]))  # a file with problems: listed, nothing kept
        tab.set_input_files("#file", str(bad))
        tab.get_by_role("button", name="上传并预览").click()
        expect(tab.locator("#upload-problems")).to_contain_text("发现 1 处错误，未导入任何数据")
        fits(tab, f"upload-problems-{suffix}")
        tab.goto(reverse("census:completeness", args=[county, YEAR]))
        fits(tab, f"completeness-{suffix}")
        tab.goto(reverse("census:review", args=[county, YEAR]))
        fits(tab, f"review-queue-{suffix}")
        junior = CensusRecord.objects.get(school=cycle.junior, year=YEAR)
        tab.goto(reverse("census:review_record", args=[county, YEAR, junior.pk]))
        fits(tab, f"review-record-{suffix}")
        tab.goto(reverse("census:lock", args=[county, YEAR]))
        expect(tab.locator("#effect")).to_contain_text("条记录未审核")
        fits(tab, f"lock-{suffix}")
    # the preview's confirmation imports it, and says so
    page.goto(reverse("census:upload", args=[county, YEAR]))
    page.set_input_files("#file", str(upload))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/import/*/")
    page.locator("#confirm-import").click()
    expect(page.locator(".messages")).to_contain_text("更新 1 条（2 项数值）")
    expect(page.locator(".messages")).to_contain_text("1 条已审核的记录已退回重新审核。")
    # 催报 from the progress page
    page.goto(reverse("census:completeness", args=[county, YEAR]))
    page.locator("#remind-all").click()
    expect(page.locator(".messages")).to_contain_text("已催报")
    fits(page, "completeness-reminded-desktop")
