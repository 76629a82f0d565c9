"""A new county runs its year in the browser, from an empty database: the steps of
docs/guide/new-county.zh.md, in the same order, by the people who do them.

Only ``dudao create_admin`` runs outside the browser (the guide's first step). Then the county's
administrator sets the county up (towns; the schools from the register workbook; the accounts from the
accounts workbook, each template downloaded from its page and filled in); a school clerk logs in with the
temporary password, chooses their own, downloads the prefilled census template of their schools, fills it,
uploads it, checks the preview and confirms (their submission); the county supervision office imports the
one school that has no clerk from the county's prefilled template, returns one record with a reason; the
clerk finds the notification, corrects the figure and submits again; the office approves, locks the year
(the confirmation states its effect), enters the county items and evaluates; the cockpit shows the verdict.

Every page passed through is screenshotted at 1366 × 768 and at 390 × 844 (``var/test-artifacts/e2e/
new-county-*.png``); at phone width no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from dudao.census.models import CensusRecord
from dudao.standards import load
from tests.e2e.conftest import ARTIFACTS, screenshot

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The school year running today (it starts in September), as the register's import page proposes it.
YEAR = dt.date.today().year if dt.date.today().month >= 9 else dt.date.today().year - 1
COUNTY, COUNTY_NAME = "130135", "示范县"
STANDARD = "national-2017"

TOWNS = [("130135100", "城关镇"), ("130135101", "柳河镇")]
# The school register (学校名录), as the administrator types it into the downloaded template.
SCHOOLS = [
    # code, name, type, town, location, ownership, address, head, phone
    ("1301350001", "城关镇第一小学", "小学", "城关镇", "城区", "公办", "城关镇育才路 1 号", "王校长", "0311-5550001"),
    ("1301350002", "城关镇中学", "初级中学", "城关镇", "城区", "公办", "城关镇文化路 8 号", "李校长", "0311-5550002"),
    ("1301350003", "柳河镇中心小学", "小学", "柳河镇", "乡村", "公办", "柳河镇柳河村", "赵校长", "0311-5550003"),
]
# The accounts workbook: the county's supervision office, the 城关镇 clerk for two schools (a row per
# school), and 柳河镇's clerk.
ACCOUNTS = [
    # username, name, phone, email, role, unit
    ("dudaoshi", "县督导室张老师", "13800000001", "dudaoshi@example.cn", "县级督导室", COUNTY),
    ("chengguan", "城关镇填报员", "13800000002", "", "学校填报员", "1301350001"),
    ("chengguan", "城关镇填报员", "13800000002", "", "学校填报员", "1301350002"),
    ("liuhe", "柳河镇填报员", "13800000003", "", "学校填报员", "1301350003"),
]
# Each school's figures, as a clerk types them into the census template: every indicator above its
# 2017 threshold (500 pupils; see tests/engine/schools.py).
FIGURES: dict[str, dict[str, Any]] = {
    "1301350001": {"students": 500, "classes": 12, "max_class_size": 45, "teachers": 30,
                   "teachers_above_qualification": 25, "certified_teachers": 30, "senior_title_teachers": 12,
                   "backbone_teachers": 6, "pe_art_teachers": 5, "teachers_rotated": 3, "backbone_teachers_rotated": 1,
                   "teaching_aux_area_m2": 2500, "indoor_gym_area_m2": 300, "sports_area_m2": 4000,
                   "equipment_value_yuan": 1_100_000, "multimedia_classrooms": 12, "computers": 80, "books": 15000,
                   "music_rooms": 1, "art_rooms": 1, "music_room_min_area_m2": 96, "art_room_min_area_m2": 96},
    "1301350002": {"students": 480, "classes": 12, "max_class_size": 45, "teachers": 40,
                   "teachers_above_qualification": 30, "certified_teachers": 40, "senior_title_teachers": 18,
                   "backbone_teachers": 6, "pe_art_teachers": 5, "teachers_rotated": 4, "backbone_teachers_rotated": 1,
                   "teaching_aux_area_m2": 3000, "indoor_gym_area_m2": 400, "sports_area_m2": 5500,
                   "equipment_value_yuan": 1_300_000, "multimedia_classrooms": 13, "computers": 90, "books": 18000,
                   "music_rooms": 1, "art_rooms": 1, "music_room_min_area_m2": 96, "art_room_min_area_m2": 96},
    "1301350003": {"students": 300, "classes": 6, "max_class_size": 50, "teachers": 20,
                   "teachers_above_qualification": 15, "certified_teachers": 20, "senior_title_teachers": 7,
                   "backbone_teachers": 4, "pe_art_teachers": 3, "teachers_rotated": 2, "backbone_teachers_rotated": 1,
                   "teaching_aux_area_m2": 1500, "indoor_gym_area_m2": 150, "sports_area_m2": 2400,
                   "equipment_value_yuan": 660_000, "multimedia_classrooms": 7, "computers": 40, "books": 9000,
                   "music_rooms": 1, "art_rooms": 1, "music_room_min_area_m2": 73, "art_room_min_area_m2": 73},
}  # fmt: skip
RETURNED = "1301350001"


def item_value(item: Any) -> str:
    """What the county enters for a county item so that it is met: a veto 否, any other yes/no 是, a figure
    at its threshold (below it for a strict "<")."""
    if item.threshold is None:
        return "否" if item.veto else "是"
    value = item.threshold.value
    return str(value / 2 if item.threshold.op == "<" else value)


WRONG_SPORTS = 400  # the clerk's typing error: 400 m² for 500 pupils; the office returns the record
RETURN_REASON = "体育运动场馆面积 400 平方米明显偏小，请核对后重新提交"


def shot(page: Page, name: str) -> None:
    """The page at 1366 × 768, and the same address at 390 × 844 in a phone with the same session (no
    sideways scrolling)."""
    screenshot(page, ARTIFACTS / f"new-county-{name}-desktop.png")
    browser = page.context.browser
    assert browser is not None
    phone = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, storage_state=page.context.storage_state()
    )
    try:
        tab = phone.new_page()
        tab.goto(page.url)
        screenshot(tab, ARTIFACTS / f"new-county-{name}-phone.png")
        width, scroll = tab.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert scroll <= width == PHONE["width"], (name, width, scroll)
    finally:
        phone.close()


@pytest.fixture
def people(browser: Browser, live_server: Any) -> Iterator[Callable[[str], Page]]:
    """Opens a fresh browser (its own cookies) on a laptop screen for each person; at the end each one's
    last page is left as a screenshot (also when the test fails), and no page may have had a JavaScript error."""
    opened: dict[str, tuple[Page, list[str]]] = {}

    def open_for(name: str) -> Page:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened[name] = (page, errors)
        return page

    yield open_for
    for name, (page, _errors) in opened.items():
        try:
            screenshot(page, ARTIFACTS / f"new-county-last-{name}.png")
        finally:
            page.context.close()
    assert {name: errors for name, (_page, errors) in opened.items() if errors} == {}


def first_login(page: Page, username: str, temporary: str, password: str) -> None:
    """Log in with the temporary password; the site asks for one's own before anything else."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(temporary)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    page.get_by_label("新密码", exact=True).fill(password)
    page.get_by_label("新密码确认").fill(password)
    page.get_by_role("button", name="设置密码并进入").click()
    expect(page.locator(".messages")).to_contain_text("密码已设置")


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#home-title")).to_be_visible()


def download(page: Page, link: Any, to: Path) -> Path:
    with page.expect_download() as info:
        link.click()
    info.value.save_as(to)
    return to


def fill_sheet(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    """The downloaded template with ``rows`` from row 3 (over the example row), column by column."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def fill_census(path: Path, figures: dict[str, dict[str, Any]]) -> Path:
    """The prefilled census template with each school's figures typed into its row (found by its code, the
    columns by the English keys of row 2)."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    column = {cell.value: cell.column for cell in ws[2] if cell.value}
    for row in range(3, ws.max_row + 1):
        code = ws.cell(row=row, column=column["school_code"]).value
        for key, value in figures.get(str(code), {}).items():
            ws.cell(row=row, column=column[key], value=value)
    wb.save(path)
    return path


def upload_and_check(page: Page, path: Path) -> None:
    """The register or accounts page: a dry run first, then the import itself."""
    page.get_by_label("只检查，不写入").check()
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.locator("main h2.ok")).to_have_text("检查通过（未写入）")
    page.locator("#file").set_input_files(str(path))
    page.get_by_label("只检查，不写入").uncheck()
    page.get_by_role("button", name="检查并导入").click()
    expect(page.locator("main h2.ok")).to_have_text("导入完成")


def test_a_new_county_runs_its_year_in_the_browser(people: Callable[[str], Page], tmp_path: Path) -> None:
    # Guide step 0. The one command: the county's first administrator (its city and province registered by name).
    out = io.StringIO()
    call_command("create_admin", "--county", COUNTY, "--name", COUNTY_NAME, "--username", "shifanxian-admin",
                 "--city-name", "示范市", "--province-name", "河北省", stdout=out, stderr=io.StringIO())  # fmt: skip
    temporary = out.getvalue().strip()

    # Guide steps 1–3. The administrator: first login, towns, the school register, the accounts.
    admin = people("admin")
    first_login(admin, "shifanxian-admin", temporary, "Qiu-shui-2025-lan")
    shot(admin, "admin-home")
    admin.get_by_role("link", name="机构与账号").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"{COUNTY_NAME} · 机构设置")
    for code, name in TOWNS:
        if admin.locator("#child-code").is_hidden():  # the form is open while the county has no town
            admin.get_by_text("新增乡镇（街道）").click()
        admin.get_by_label("区划代码").fill(code)
        admin.locator("#child-name").fill(name)
        admin.get_by_role("button", name="新增").first.click()
        expect(admin.locator(".messages")).to_have_text(f"已新增“{name}”。")
    shot(admin, "towns")

    admin.get_by_role("link", name="从 Excel 导入学校名录").click()
    register = download(admin, admin.get_by_role("link", name="下载学校名录模板（.xlsx）"), tmp_path / "学校名录.xlsx")
    expect(admin.get_by_label("自哪一学年起生效")).to_have_value(str(YEAR))
    upload_and_check(admin, fill_sheet(register, SCHOOLS))
    expect(admin.locator("main")).to_contain_text("新开办 3 所")
    shot(admin, "register-import")
    admin.get_by_role("link", name="学校名录", exact=True).first.click()
    expect(admin.locator("main")).to_contain_text("柳河镇中心小学")
    shot(admin, "register")

    admin.get_by_role("link", name="账号管理").first.click()
    admin.get_by_role("link", name="从 Excel 批量导入账号").click()
    accounts = download(admin, admin.get_by_role("link", name="下载账号模板（.xlsx）"), tmp_path / "账号.xlsx")
    upload_and_check(admin, fill_sheet(accounts, ACCOUNTS))
    passwords = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in admin.locator("main .alert tbody tr").all()
    }
    assert set(passwords) == {"dudaoshi", "chengguan", "liuhe"}
    screenshot(admin, ARTIFACTS / "new-county-accounts-import-desktop.png")
    admin.get_by_role("button", name="退出").click()

    # Guide step 4. The 城关镇 clerk: their own password, the prefilled template of their two schools, the upload.
    clerk = people("clerk")
    first_login(clerk, "chengguan", passwords["chengguan"], "Liu-he-qing-2025")
    expect(clerk.locator("#schools-title")).to_have_text("我负责的学校（2 所）")
    shot(clerk, "clerk-home")
    clerk.get_by_role("link", name="用 Excel 填报：下载预填模板、导入填好的文件").click()
    expect(clerk.locator("#template-downloads")).to_contain_text("城关镇第一小学、城关镇中学")
    shot(clerk, "clerk-templates")
    mine = download(clerk, clerk.get_by_role("link", name="下载预填模板（.xlsx）").first, tmp_path / "城关镇.xlsx")
    typed = {code: FIGURES[code] for code in ("1301350001", "1301350002")}
    typed[RETURNED] = {**typed[RETURNED], "sports_area_m2": WRONG_SPORTS}
    fill_census(mine, typed)
    clerk.get_by_role("link", name="导入填好的文件").click()
    expect(clerk.locator("#clerk-scope")).to_be_visible()
    shot(clerk, "clerk-upload")
    clerk.locator("#file").set_input_files(str(mine))
    clerk.get_by_role("button", name="上传并预览").click()
    expect(clerk.locator("#preview-summary")).to_contain_text("检查通过，尚未写入")
    expect(clerk.locator("#preview-summary li").nth(4)).to_have_text("0条提示")
    expect(clerk.locator("#clerk-submits")).to_contain_text("确认导入即提交县督导室审核")
    screenshot(clerk, ARTIFACTS / "new-county-clerk-preview-desktop.png")
    shot(clerk, "clerk-preview")
    clerk.locator("#confirm-import").click()
    expect(clerk.locator(".messages")).to_contain_text("新建 2 条")
    expect(clerk.locator("#my-schools")).to_contain_text("已提交")
    shot(clerk, "clerk-submitted")
    clerk.get_by_role("button", name="退出").click()

    # Guide steps 5–6. The county supervision office: 柳河镇中心小学 from the county's prefilled template, then review.
    office = people("office")
    first_login(office, "dudaoshi", passwords["dudaoshi"], "Shui-mu-qing-hua-9")
    expect(office.locator("#tile-review")).to_contain_text("2")
    shot(office, "office-home")
    office.get_by_role("link", name="填报进度").first.click()
    expect(office.locator("h1")).to_contain_text("学年学校数据填报进度")
    shot(office, "completeness")
    office.get_by_role("link", name="下载填报模板").click()
    county_file = download(
        office, office.get_by_role("link", name="下载预填模板（.xlsx）").first, tmp_path / "示范县.xlsx"
    )
    fill_census(county_file, {"1301350003": FIGURES["1301350003"]})
    office.get_by_role("link", name="导入填好的文件").first.click()
    office.locator("#file").set_input_files(str(county_file))
    office.get_by_role("button", name="上传并预览").click()
    expect(office.locator("#preview-summary")).to_contain_text("检查通过，尚未写入")
    shot(office, "office-preview")
    office.locator("#confirm-import").click()
    expect(office.locator(".messages")).to_contain_text("新建 1 条")

    office.locator("#review-link").click()
    expect(office.locator("#queue-summary")).to_contain_text("3 条记录待审核")
    shot(office, "review-queue")
    queue = office.locator("[data-table='review-queue'] tbody tr")
    queue.filter(has_text="城关镇第一小学").get_by_role("link").first.click()
    expect(office.locator("h1")).to_contain_text("城关镇第一小学")
    shot(office, "review-record")
    office.locator("#return-reason").fill(RETURN_REASON)
    office.locator("#return").click()
    expect(office.locator(".messages")).to_contain_text("已退回")
    office.get_by_role("button", name="退出").click()

    # Guide step 7. The clerk: the notification, the correction, the submission.
    log_in(clerk, "chengguan", "Liu-he-qing-2025")
    count = clerk.locator("#notices .notice-count")
    expect(count).to_have_text("1")
    clerk.locator("#notices summary").click()
    notice = clerk.locator("#notices .notice-panel a").first
    expect(notice).to_contain_text("退回")
    screenshot(clerk, ARTIFACTS / "new-county-clerk-notice-desktop.png", full_page=False)
    clerk.locator("#notices .notice-panel").get_by_role("link", name="全部通知").click()
    expect(clerk.locator("main")).to_contain_text("未读 1 条")
    shot(clerk, "clerk-notifications")
    clerk.locator("main").get_by_role("link", name=RETURN_REASON, exact=False).click()
    expect(clerk.locator("main")).to_contain_text(RETURN_REASON)
    shot(clerk, "clerk-returned")
    clerk.locator("#id_primary-sports_area_m2").fill(str(FIGURES[RETURNED]["sports_area_m2"]))
    clerk.locator("#id_primary-reason").fill("按退回意见更正")
    clerk.get_by_role("button", name="保存").first.click()
    expect(clerk.locator(".messages")).to_contain_text("已保存")
    clerk.get_by_role("button", name="提交审核").click()
    expect(clerk.locator(".messages")).to_contain_text("已提交")
    shot(clerk, "clerk-resubmitted")

    # Guide steps 8–10. The office: approve all, lock the year (its effect stated), county items, evaluate, the cockpit.
    log_in(office, "dudaoshi", "Shui-mu-qing-hua-9")
    office.get_by_role("link", name="填报进度").first.click()
    office.locator("#review-link").click()
    office.locator("[data-table='review-queue'] tbody tr a").first.click()
    for _ in range(3):  # 城关镇's two and 柳河镇's one: each approval opens the next record
        with office.expect_navigation():
            office.locator("#approve").click()
        expect(office.locator(".messages")).to_contain_text("已审核通过")
    assert set(CensusRecord.objects.filter(year=YEAR).values_list("status", flat=True)) == {"approved"}
    office.get_by_role("link", name="填报进度").first.click()
    office.locator("#lock-link").click()
    expect(office.locator("#effect")).to_have_text("全部记录都已审核")
    shot(office, "lock-confirm")
    office.locator("#confirm-lock").click()
    expect(office.locator(".messages")).to_contain_text("已锁定")
    expect(office.locator("main")).to_contain_text("本学年数据已锁定")
    shot(office, "locked")

    office.get_by_role("link", name="县级指标与评估结果").click()
    expect(office.locator("h1")).to_contain_text("学年县级指标")
    standard = load(STANDARD)
    items = [item for area in standard.areas if area.basis == "items" for item in area.items] + list(standard.veto)
    for item in items:
        field = office.locator(f"#v-{item.code}")
        if item.kind in ("bool", "qualitative"):
            field.select_option(item_value(item))
        else:
            field.fill(item_value(item))
    office.get_by_role("button", name="保存全部指标").last.click()
    expect(office.locator(".messages")).to_have_text(f"已保存县级指标：{len(items)} 项有变化。")
    expect(office.locator("main")).not_to_contain_text("未填报")
    shot(office, "items")
    office.get_by_role("button", name="按当前数据评估并保存结果").click()
    expect(office.locator("main")).to_contain_text("评估")
    shot(office, "run")

    office.get_by_role("link", name="县域总览").first.click()
    expect(office.locator("main")).to_contain_text("总体：达标")
    expect(office.locator("main")).to_contain_text("本学年数据已锁定")
    shot(office, "cockpit")
