"""In the browser: the county's QR sheets printed to PDF by Chromium (print media, A4): one page per
school with the school's name and no page chrome, and class slips several to a page."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from dudao.surveys.models import Survey
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.personas import World
from tests.surveys import conftest as surveys

pytestmark = pytest.mark.e2e
survey = surveys.survey  # the fixture of tests/surveys: an open 2025 survey of 示范县


def pdf_pages(page: Page, name: str) -> list[str]:
    """The text of each page of the current page printed to an A4 PDF (kept in the artifacts), without
    white space (lines wrap anywhere) and NFKC-normalised (the font's map gives some characters as
    Kangxi radicals: ⽰ for 示)."""
    data = page.pdf(path=ARTIFACTS / f"{name}.pdf", format="A4", prefer_css_page_size=True, print_background=True)
    return [
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", p.extract_text())) for p in PdfReader(io.BytesIO(data)).pages
    ]


def test_print_all_schools_gives_one_page_per_school(page: Page, world: World, survey: Survey) -> None:
    log_in(page, world.county_supervisor)
    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_role("link", name="按学校、班级打印二维码").click()
    page.get_by_role("link", name="打印全部学校（每校一页）").click()
    assert page.locator("section.qr-sheet").count() == 3
    texts = pdf_pages(page, "survey-sheets-all")
    names = ["示范县第一小学", "示范县第一中学", "示范县城关九年一贯制学校"]  # no towns: by code
    assert len(texts) == len(names)
    for flat, name, school in zip(texts, names, (world.primary, world.junior, world.nine_year), strict=True):
        assert name in flat and survey.title in flat and flat.count("匿名填写") == 4  # four codes on each page
        assert "学生问卷" in flat and "教师问卷" in flat  # (家长, 校长: 长 comes back as the radical ⻓)
        assert flat.count(f"/?school={school.code}") == 4
        assert "督导·教育督导评估" not in flat and "每校一页" not in flat  # header and hint are not printed


def test_class_slips_print_several_to_a_page(page: Page, world: World, survey: Survey) -> None:
    log_in(page, world.county_supervisor)
    page.goto(f"/surveys/{survey.pk}/sheets/{world.primary.code}/classes/")
    page.get_by_label("起始年级").select_option(label="一年级")
    page.get_by_label("结束年级").select_option(label="三年级")
    page.get_by_label("每年级班数").fill("6")
    page.get_by_role("button", name="按年级生成").click()
    expect(page.locator(".class-slip")).to_have_count(18)  # waits for the page the form posts to
    texts = pdf_pages(page, "survey-sheets-classes")
    flat = "".join(texts)
    assert all(f"{g}年级{n}班" in flat for g in "一二三" for n in range(1, 7))
    assert 1 < len(texts) <= 3 and "生成小条" not in flat  # several to a page; the form is not printed
