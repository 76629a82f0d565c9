"""In the browser: a file over the upload limit is refused before it is sent (the page knows the
limit) or, sent anyway, by the server from its declared size — a readable page either way."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import log_in, screenshot
from tests.personas import PASSWORD, YEAR, World

pytestmark = pytest.mark.e2e


def test_a_file_over_the_limit(page: Page, world: World, settings: Any) -> None:
    # every upload limit of the site at 100 KB, so the body is refused from its declared size
    settings.DUDAO_UPLOAD_MAX_BYTES = settings.DUDAO_IMPORT_MAX_BYTES = settings.DUDAO_EVIDENCE_MAX_BYTES = 100 * 1024
    log_in(page, world.county_supervisor.username, PASSWORD)
    page.goto(f"/census/county/{world.county.code}/{YEAR}/import/")
    page.set_input_files("#file", files=[{"name": "示范县.xlsx", "mimeType": "application/octet-stream",
                                          "buffer": b"x" * (300 * 1024)}])  # fmt: skip
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("text=上传的文件过大")
    assert "300 KB" in page.locator("main").inner_text() and "100 KB" in page.locator("main").inner_text()
    for name, size in (("desktop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        screenshot(page, f"upload-too-large-{name}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
