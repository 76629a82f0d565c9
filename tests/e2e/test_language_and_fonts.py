"""In the browser: the interface switches to English, and Chinese text is drawn with a CJK font."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from dudao.standards import load
from tests.e2e.conftest import FAILING_SCHOOL, STANDARD, chinese_left, log_in, platform_fonts, screenshot
from tests.personas import World

pytestmark = pytest.mark.e2e


def data_names(world: World) -> set[str]:
    """Names that stay Chinese in English: they are the data (regions, schools, people, the standard's
    document number)."""
    names = {world.county.name, world.city.name, world.province.name, FAILING_SCHOOL[1], load(STANDARD).doc_no}
    names |= {s.years.get(year=2025).name for s in (world.primary, world.junior, world.nine_year)}
    return names | {world.county_supervisor.username}


def test_switching_to_english_keeps_the_page(page: Page, census: World) -> None:
    log_in(page, census.county_supervisor)
    landing = page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url == landing
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Work home" in page.locator("#home-title").inner_text()
    assert chinese_left(page.locator("main").inner_text(), data_names(census)) == []
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("link", name="Change password").is_visible()
    screenshot(page, "english")
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    assert page.url == landing and page.locator("html").get_attribute("lang") == "zh-hans"


def test_chinese_is_drawn_with_a_cjk_font(page: Page, census: World) -> None:
    log_in(page, census.county_supervisor)
    heading = page.locator("h1").first
    assert census.county.name in heading.inner_text()
    # What the brief names; it is true for any font the page never loads, so it is not the real check.
    assert page.evaluate("""document.fonts.check('16px "Noto Sans CJK SC"', '示范县')""")
    fonts = platform_fonts(page, "h1")
    assert fonts and all("CJK" in f["familyName"] for f in fonts), fonts
    assert sum(f["glyphCount"] for f in fonts) >= len(heading.inner_text().replace(" ", ""))
    shot = screenshot(page, "chinese-fonts", always=True)
    assert shot.stat().st_size > 10_000
