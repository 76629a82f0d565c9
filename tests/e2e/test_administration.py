"""In the browser: a county supervisor sets the county up (a town, a school, a clerk) and the clerk
logs in with the temporary password and must choose their own; every administration page is
screenshotted at 1366 × 768 and 390 × 844 and fits the phone without sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dudao.orgs.actions import create_account
from tests.e2e.conftest import ARTIFACTS, log_in, screenshot
from tests.personas import YEAR, World

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "Chengguan-2025-xyz"


@pytest.fixture(params=["desktop", "phone"])
def screen(request: pytest.FixtureRequest, browser: Browser, live_server: object) -> Iterator[tuple[str, Page]]:
    phone = request.param == "phone"
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone,
        base_url=live_server.url,  # type: ignore[attr-defined]
    )  # fmt: skip
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page
    context.close()
    assert errors == []


def shot(page: Page, size: str, name: str) -> None:
    """A full-page screenshot, and at phone width no sideways scrolling (wide tables scroll inside their box)."""
    screenshot(page, ARTIFACTS / f"admin-{name}-{size}.png")
    if size == "phone":
        width = page.evaluate("window.innerWidth")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert width == PHONE["width"] and scroll <= width, (name, width, scroll)


def test_a_county_sets_itself_up_in_the_browser(screen: tuple[str, Page], world: World) -> None:
    size, page = screen
    log_in(page, world.county_supervisor)
    page.get_by_role("link", name="机构与账号").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("示范县 · 机构设置")
    page.get_by_text("新增乡镇（街道）").click()
    page.get_by_label("区划代码").fill("139901101")
    page.get_by_label("名称", exact=True).first.fill("柳河镇")
    page.get_by_role("button", name="新增").first.click()
    expect(page.locator(".messages")).to_have_text("已新增“柳河镇”。")
    page.get_by_text("新增部门或科室").click()
    shot(page, size, "tree")

    page.get_by_role("link", name="学校名录", exact=True).first.click()
    page.get_by_text("逐校登记").click()
    page.get_by_label("学校标识码").fill("1399010010")
    page.get_by_label("学校名称").fill("柳河镇中心小学")
    page.get_by_label("乡镇（街道）").select_option(label="柳河镇")
    page.get_by_label("城乡类型").select_option("rural")
    page.get_by_role("button", name="登记开办").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("柳河镇中心小学")
    shot(page, size, "school")
    page.get_by_label("自哪一学年起", exact=True).last.fill(str(YEAR + 1))
    page.get_by_role("button", name="撤销…").click()
    expect(page.locator("main")).to_contain_text("确认前请看清影响")
    shot(page, size, "school-close")
    page.go_back()
    page.get_by_role("link", name="学校名录", exact=True).first.click()
    shot(page, size, "register")

    page.get_by_role("link", name="账号管理").first.click()
    page.get_by_text("逐个新建").click()
    page.get_by_label("用户名").fill("liuhe")
    page.get_by_label("姓名").fill("柳河镇填报员")
    page.get_by_label("角色").select_option("school_clerk")
    page.get_by_label("单位").select_option(label="学校：柳河镇中心小学")
    page.get_by_role("button", name="新建并生成临时密码").click()
    expect(page.locator("#temporary-password")).to_be_visible()
    temporary = page.locator("#temporary-password").inner_text()
    assert len(temporary) == 12
    shot(page, size, "password")
    page.get_by_role("link", name="返回账号管理").click()
    shot(page, size, "accounts")
    page.get_by_role("link", name="liuhe").click()
    shot(page, size, "account")
    page.get_by_role("link", name="操作记录").first.click()
    expect(page.locator("#table-audit tbody tr")).to_have_count(4)  # town, school, account, role
    shot(page, size, "audit")
    page.goto(f"/orgs/county/{world.county.code}/schools/import/")
    shot(page, size, "register-import")
    bad = (
        "学校标识码,学校名称,学校类型,城乡类型\n1399010011,示范县第二小学,大学,郊区\n1399020001,邻县的学校,小学,城区\n"
    )
    page.get_by_label("学校名录（.xlsx 或 .csv，不超过 20 MB）").set_input_files(
        {"name": "学校名录.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="检查并导入").click()
    expect(page.locator("main")).to_contain_text("发现 2 处错误，未导入任何数据")
    shot(page, size, "register-import-problems")
    page.goto(f"/orgs/region/{world.county.code}/accounts/import/")
    shot(page, size, "accounts-import")

    # The new clerk: the temporary password leads to choosing one's own, then to the school.
    page.get_by_role("button", name="退出").click()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("liuhe")
    page.get_by_label("密码").fill(temporary)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    shot(page, size, "first-password")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码并进入").click()
    expect(page.locator(".messages")).to_contain_text("密码已设置")


def test_a_city_administrator_sees_its_counties(screen: tuple[str, Page], world: World) -> None:
    from tests.orgs.conftest import admin_of

    size, page = screen
    admin_of(world.city, "市管理员")
    for i in range(3):
        create_account(world.county_supervisor, f"clerk{i}", f"填报员{i}", "school_clerk", world.primary)
    log_in(page, "市管理员")
    page.goto(f"/orgs/region/{world.city.code}/")
    expect(page.locator("#table-regions")).to_contain_text("示范县")
    shot(page, size, "city")
    page.goto(f"/orgs/region/{world.county.code}/")
    page.get_by_text("新增部门或科室").click()
    shot(page, size, "county-as-city")
