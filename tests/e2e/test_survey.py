"""In the browser: a parent fills the survey on a 360 px phone (no account, no JavaScript needed), a
token works once, and the supervisor sees the results with their charts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from dudao.surveys import actions
from dudao.surveys.models import Response, Survey
from tests.e2e.conftest import ARTIFACTS, log_in, screenshot
from tests.personas import World

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def survey(world: World) -> Survey:
    s = actions.create_survey(world.county_supervisor, world.county, 2025, "2025年示范县社会认可度调查")
    actions.set_status(world.county_supervisor, s, "open")
    return s


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False,
        base_url=live_server.url,  # type: ignore[attr-defined]
    )  # fmt: skip
    yield context.new_page()
    context.close()


def fill(page: Page) -> None:
    page.get_by_role("group", name="您的孩子就读于").get_by_label("初中").check()
    for n in range(1, 9):
        page.locator(f"#f-q{n}").get_by_label("比较满意" if n % 2 else "满意", exact=True).check()
    page.locator("#f-overall").get_by_label("满意", exact=True).check()
    page.get_by_label("请填写（可不填）").fill("希望增加体育活动时间")


def test_parent_fills_the_form_on_a_phone_without_javascript(phone: Page, survey: Survey) -> None:
    phone.goto(f"/s/{survey.key}/parent/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="提交答卷").click()  # nothing chosen: the server says what is missing
    assert phone.get_by_role("alert").inner_text() == "请检查标出的题目。"
    fill(phone)
    screenshot(phone, ARTIFACTS / "survey-phone-form.png")
    phone.get_by_role("button", name="提交答卷").click()
    assert "提交成功" in phone.locator("main").inner_text()
    stored = Response.objects.get()
    assert stored.answers["stage"] == "初中" and stored.answers["advice"] == "希望增加体育活动时间"


def test_a_token_slip_works_once(phone: Page, world: World, survey: Survey) -> None:
    token = actions.make_tokens(world.county_supervisor, survey, "parent", 1, "一小三年级")[0]
    phone.goto(f"/s/{survey.key}/parent/?t={token.code}")
    fill(phone)
    phone.get_by_role("button", name="提交答卷").click()
    assert "提交成功" in phone.locator("main").inner_text()
    phone.goto(f"/s/{survey.key}/parent/?t={token.code}")
    fill(phone)
    phone.get_by_role("button", name="提交答卷").click()
    assert "已经使用过" in phone.locator("main").inner_text()
    assert Response.objects.filter(token=token).count() == 1


def test_supervisor_sees_results_with_charts(page: Page, world: World, survey: Survey) -> None:
    data = {"s": actions.form_stamp(survey, "parent", 0), "v": "1"}
    for overall in ("满意", "不满意"):
        sheet = {**{k: [v] for k, v in data.items()}, "stage": ["小学"], "overall": [overall]}
        sheet.update({f"q{n}": ["满意"] for n in range(1, 9)})
        sub = actions.Submission(survey.key, "parent", sheet, "10.0.0.1")
        sub.now = 3600
        actions.submit(sub)
    log_in(page, world.county_supervisor)
    page.goto(f"/surveys/{survey.pk}/results/")
    assert page.locator("#chart-rates canvas").count() == 1
    assert "50.0%" in page.locator("#table-recognition").inner_text()
    assert "未达标" in page.locator("main").inner_text()
