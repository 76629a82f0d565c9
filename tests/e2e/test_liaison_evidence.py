"""In the browser: the supervision office uploads a photo of a leader's visit from the liaison page, on a
laptop (1366 × 768) and on a phone (390 × 844); the form and the list of files fit the screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page

from dudao.rectification import actions
from dudao.rectification.models import LiaisonEvidence
from tests.e2e.conftest import ARTIFACTS, log_in, phone_page, screenshot
from tests.personas import SYSTEM, YEAR, World
from tests.rectification.conftest import PNG

pytestmark = pytest.mark.e2e


def _upload(page: Page, world: World, tmp_path: Path, name: str, label: str) -> None:
    log_in(page, world.county_supervisor)
    page.goto(reverse("rectification:liaison", args=[world.county.code]) + f"?year={YEAR}")
    photo = tmp_path / "走访照片.png"
    photo.write_bytes(PNG)
    form = page.locator("form", has=page.get_by_role("heading", name="上传走访或实事的佐证材料"))
    form.get_by_label("走访或实事").select_option(label=label)
    screenshot(page, ARTIFACTS / f"liaison-upload-{name}.png")
    form.get_by_label("佐证材料", exact=False).set_input_files(str(photo))
    with page.expect_navigation():
        form.get_by_role("button", name="上传").click()
    assert "已上传 1 个佐证材料" in page.locator("main").inner_text()
    screenshot(page, ARTIFACTS / f"liaison-uploaded-{name}.png")
    width, scroll = page.evaluate("window.innerWidth"), page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (name, width, scroll)


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_a_visits_photo_is_uploaded_from_the_liaison_page(
    browser: Browser, live_server: object, world: World, tmp_path: Path, size: tuple[int, int]
) -> None:
    leader = actions.add_leader(SYSTEM, world.county, "李明", "副县长")
    actions.link_school(SYSTEM, leader, world.primary)
    actions.record_visit(SYSTEM, leader, world.primary, dt.date(YEAR + 1, 3, 2), "调研大班额问题")
    matter = actions.add_matter(SYSTEM, leader, world.primary, YEAR, "协调解决学校饮水改造")
    width, height = size
    with phone_page(browser, live_server, {"width": width, "height": height}) as page:
        label = f"李明 · 示范县第一小学 · {matter.title}"
        _upload(page, world, tmp_path, f"{width}", label)
    assert LiaisonEvidence.objects.get().matter == matter
