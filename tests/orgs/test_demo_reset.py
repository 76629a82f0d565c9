"""`seed_demo --reset` after the whole `make demo` (runs, county items with evidence, rectification):
the apps' rows go first, then the demo is written afresh."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from dudao.evaluation.actions import attach_evidence, set_county_item
from dudao.evaluation.models import CountyItemValue, EvaluationRun
from dudao.orgs import demo
from dudao.orgs.models import Region
from dudao.rectification.models import RectificationItem, Task
from tests.personas import SYSTEM


@pytest.mark.django_db(transaction=True)
def test_reset_after_the_whole_demo(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    call_command("seed_demo", stdout=StringIO())
    call_command("evaluate_county", "--all", "--province", "hebei", stdout=StringIO(), stderr=StringIO())
    call_command("seed_rectification_demo", stdout=StringIO())
    county = Region.objects.get(code=demo.COUNTY_CODE)
    item = set_county_item(SYSTEM, county, demo.CURRENT_YEAR, "national-2017", "GG-01", True)
    attach_evidence(SYSTEM, item, SimpleUploadedFile("方案.pdf", b"%PDF-1.4 demo"))
    assert EvaluationRun.objects.exists() and Task.objects.exists() and RectificationItem.objects.exists()
    schools = county.schools.count()

    out = StringIO()
    call_command("seed_demo", "--reset", stdout=out)
    assert "已删除示范数据" in out.getvalue() and "示范数据已写入" in out.getvalue()
    assert not EvaluationRun.objects.exists() and not CountyItemValue.objects.exists()
    assert not Task.objects.exists() and not RectificationItem.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))  # type: ignore[attr-defined]
    assert Region.objects.get(code=demo.COUNTY_CODE).schools.count() == schools == 61
