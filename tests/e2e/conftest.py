"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, language, viewport) and one page per
test. Every test leaves a full-page screenshot in ``var/test-artifacts/e2e/<test>.png`` (also when it
fails: that is when it is most useful). The tests are marked ``e2e`` (``pytest -m e2e`` runs only them,
``-m "not e2e"`` skips them); they run by default, under ``make test``, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, sync_playwright

from dudao.census.actions import save_record
from dudao.evaluation.actions import evaluate_county
from dudao.orgs.models import School, SchoolYear
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World

# Playwright's sync API keeps an event loop in the main thread; Django refuses ORM calls made while a
# loop runs there unless told that this is deliberate (the test's own set-up and checks run here).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("DUDAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "e2e"
# The screenshots left in ARTIFACTS are for a person to look at; CI, where no one does, turns them off
# (DUDAO_E2E_SCREENSHOTS=0 in .ci/run), which saves about a quarter of the browser tests' time.
KEEP_SCREENSHOTS = os.environ.get("DUDAO_E2E_SCREENSHOTS", "1") != "0"
LAPTOP = {"width": 1280, "height": 800}
STANDARD = "national-2017"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium is installed by `make test` (make system-deps); not found: {CHROMIUM}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: object, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context: a Chinese-language browser on a laptop screen, no JavaScript errors allowed."""
    context = browser.new_context(locale="zh-CN", viewport=LAPTOP, base_url=live_server.url)  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        try:
            screenshot(tab, name)
        finally:
            context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@contextmanager
def phone_page(browser: Browser, live_server: object, viewport: dict[str, int]) -> Iterator[Page]:
    """A phone: touch, and a mobile viewport (so a page wider than the screen makes the browser zoom
    out: ``innerWidth`` grows beyond the screen's width)."""
    context = browser.new_context(
        locale="zh-CN", viewport=viewport, is_mobile=True, has_touch=True,
        base_url=live_server.url,  # type: ignore[attr-defined]
    )  # fmt: skip
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Page, user: User | str, password: str = PASSWORD) -> None:
    """Through the login form, as a person would (a persona, or a username); waits for the landing page.
    The browser's counterpart of ``tests.personas.client_for``."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user if isinstance(user, str) else user.username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()


def screenshot(page: Page, name: str | Path, *, full_page: bool = True, always: bool = False) -> Path:
    """A screenshot of the page for a person to look at: ``name`` under ARTIFACTS (``.png`` added) or a
    path; the fixture takes one at the end of every test. Taken only where screenshots are kept
    (``KEEP_SCREENSHOTS``), unless the test reads the picture itself (``always``)."""
    path = name if isinstance(name, Path) else ARTIFACTS / f"{name}.png"
    if KEEP_SCREENSHOTS or always:
        page.screenshot(path=path, full_page=full_page)
    return path


# A county with one school that fails: 示范县第一小学 and 示范县第一中学 meet every indicator (the shared
# test schools); 示范县河西小学 (rural, 200 pupils) has 1,200 m² of sports ground, 6.0 m² a pupil against
# the 7.5 m² of the standard (80 %, under the 85 % floor), so it fails the per-school rule.
FAILING_SCHOOL = ("1399010011", "示范县河西小学")
SPORTS_BEFORE, SPORTS_FIXED = 1200, 1600


@pytest.fixture
def census(world: World) -> World:
    """The census of 示范县 for the world's school year, entered as drafts by the system, and a stored run."""
    primary = {k: v for k, v in PRIMARY.items() if k != "school_type"}
    junior = {k: v for k, v in JUNIOR.items() if k != "school_type"}
    hexi = School.objects.create(code=FAILING_SCHOOL[0], county=world.county)
    SchoolYear.objects.create(school=hexi, year=YEAR, name=FAILING_SCHOOL[1], school_type="primary", location="rural")
    save_record(SYSTEM, world.primary, YEAR, "primary", primary)
    save_record(SYSTEM, world.junior, YEAR, "junior", junior)
    small = {**primary, "students": 200, "teachers_above_qualification": 10, "backbone_teachers": 3,
             "pe_art_teachers": 2, "teaching_aux_area_m2": 1000, "sports_area_m2": SPORTS_BEFORE,
             "equipment_value_yuan": 440_000, "multimedia_classrooms": 5}  # fmt: skip
    save_record(SYSTEM, hexi, YEAR, "primary", small)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    return world


def platform_fonts(page: Page, selector: str) -> list[dict]:
    """The fonts Chromium really drew the text of the first ``selector`` node with (DevTools protocol:
    ``CSS.getPlatformFontsForNode``): family names and glyph counts. A glyph missing from every font
    shows as a box drawn from whatever font came last, so "every font is a CJK font" means no tofu."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector} on the page"
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def chinese_left(text: str, allowed: set[str]) -> list[str]:
    """Runs of Chinese characters in ``text`` that are not in ``allowed`` (names of places, schools and
    people are data, not interface)."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return HAN.findall(text)
