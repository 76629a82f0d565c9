"""The reports' world: 示范县 with the rectification fixtures' census (示范县第一小学 short of PE/art
teachers and teaching space), its items generated from the run, and a recognition rate entered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.evaluation.actions import attach_evidence, set_county_item
from dudao.evaluation.models import CountyItemValue
from dudao.rectification import actions
from dudao.rectification.models import RectificationItem
from tests.personas import SYSTEM, YEAR
from tests.rectification.conftest import (  # noqa: F401
    PDF,
    PNG,
    STANDARD,
    Rect,
    census,
    plan_of,
    rect,
    shared_census,
    shared_rect,
)


@pytest.fixture
def stored(rect: Rect, census: None) -> Rect:  # noqa: F811
    set_county_item(
        SYSTEM, rect.world.county, YEAR, STANDARD, "SR-01", "0.912", note="来自社会认可度调查：120份有效回答"
    )
    actions.generate_items(SYSTEM, rect.world.county, YEAR, STANDARD)
    return rect


@pytest.fixture
def documents(stored: Rect, settings, tmp_path) -> Rect:
    """Files from every place a county uploads evidence: a county item (two of the same name), a
    rectification item's task, a meeting decision's task (held in the next calendar year, as a school
    year's consultations are), and a work plan's task."""
    settings.MEDIA_ROOT = tmp_path / "media"
    world = stored.world
    item = CountyItemValue.objects.get(county=world.county, year=YEAR, standard_id=STANDARD, code="SR-01")
    attach_evidence(SYSTEM, item, SimpleUploadedFile("问卷统计.pdf", PDF))
    attach_evidence(SYSTEM, item, SimpleUploadedFile("问卷统计.pdf", PDF + b"2"))  # same name: kept apart
    task = RectificationItem.objects.filter(county=world.county, indicator="L3").first().task
    actions.report_progress(SYSTEM, task, "已招聘体育教师", 50, files=[SimpleUploadedFile("招聘公告.png", PNG)])
    meeting = actions.record_meeting(SYSTEM, world.county, "第一次会商", dt.date(YEAR + 1, 3, 10), "县长", "扩容")
    decision = actions.add_decision(
        SYSTEM, meeting, "研究扩容用地", stored.finance, actions.today() + dt.timedelta(days=30)
    )
    decision.refresh_from_db()
    actions.report_progress(SYSTEM, decision.task, "已选址", 30, files=[SimpleUploadedFile("会商纪要.pdf", PDF)])
    plan_task = actions.create_task(SYSTEM, plan_of(world), actions.TaskSpec(
        "完成城区学校扩容", stored.finance, actions.today() + dt.timedelta(days=60)))  # fmt: skip
    actions.report_progress(SYSTEM, plan_task, "资金已拨付", 50, files=[SimpleUploadedFile("拨付.pdf", PDF)])
    return stored
