"""County items, evidence and stored runs through the browser pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.census import actions as census
from dudao.evaluation.models import CountyItemValue, EvaluationRun, Evidence
from tests.engine.schools import PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def items_url(world: World, county=None) -> str:
    return reverse("evaluation:items", args=[(county or world.county).code, YEAR, STANDARD])


@pytest.fixture
def figures(world: World) -> None:
    values = {k: v for k, v in PRIMARY.items() if k != "school_type"}
    census.save_record(SYSTEM, world.primary, YEAR, "primary", values)


def test_the_county_enters_items_with_evidence_and_evaluates(world: World, figures: None, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    county = client_for(world.county_supervisor)
    page = county.get(items_url(world))
    assert page.status_code == 200 and "GG-01" in page.text and "SR-01" in page.text
    save = reverse("evaluation:save_item", args=[world.county.code, YEAR, STANDARD, "SR-01"])
    county.post(save, {"value": "0.84", "note": "县自评调查 1,230 份"})
    assert CountyItemValue.objects.get(code="SR-01").value == 0.84
    upload = reverse("evaluation:upload_evidence", args=[world.county.code, YEAR, STANDARD, "SR-01"])
    county.post(upload, {"file": SimpleUploadedFile("调查报告.pdf", PDF, content_type="application/pdf")})
    doc = Evidence.objects.get()
    assert doc.original_name == "调查报告.pdf"
    download = county.get(reverse("evaluation:evidence", args=[doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    response = county.post(reverse("evaluation:evaluate", args=[world.county.code, YEAR, STANDARD]), follow=True)
    run = EvaluationRun.objects.get()
    assert response.status_code == 200 and run.result["vetoes"][0]["code"] == "SR-01"
    assert "一票否决" in response.text and "已过期" not in response.text
    county.post(save, {"value": "0.91", "note": ""})
    assert "已过期" in county.get(reverse("evaluation:run", args=[run.pk])).text


def test_a_bad_value_is_refused_with_a_message(world: World) -> None:
    county = client_for(world.county_supervisor)
    save = reverse("evaluation:save_item", args=[world.county.code, YEAR, STANDARD, "SR-01"])
    page = county.post(save, {"value": "85"}, follow=True)
    assert "比例应在0到1之间" in page.text and not CountyItemValue.objects.exists()


def test_the_items_page_saves_every_item_at_once_or_none(world: World) -> None:
    county = client_for(world.county_supervisor)
    save = reverse("evaluation:save_items", args=[world.county.code, YEAR, STANDARD])
    bad = {"value-SR-01": "85", "value-GG-01": "是", "note-GG-01": "规划已批复", "value-GG-07": ""}
    page = county.post(save, bad, follow=True)
    assert "未保存任何指标" in page.text and "比例应在0到1之间" in page.text
    assert not CountyItemValue.objects.exists()
    page = county.post(save, {**bad, "value-SR-01": "0.9"}, follow=True)
    assert "已保存县级指标：2 项有变化。" in page.text
    stored = {i.code: (i.value, i.note) for i in CountyItemValue.objects.all()}
    assert stored == {"SR-01": (0.9, ""), "GG-01": (True, "规划已批复")}  # a blank never entered: not stored
    page = county.post(save, {**bad, "value-SR-01": "0.9"}, follow=True)
    assert "已保存县级指标：0 项有变化。" in page.text
    assert client_for(world.observer).post(save, {"value-GG-01": "否"}).status_code == 403
    assert CountyItemValue.objects.get(code="GG-01").value is True


OUTSIDERS = [
    ("observer", 403), ("city_inspector", 403), ("neighbour_supervisor", 404), ("school_clerk", 404),
    ("department_clerk", 404),
]  # fmt: skip


@pytest.mark.parametrize(("person", "status"), OUTSIDERS)
def test_others_cannot_enter_items_or_evaluate(world: World, person: str, status: int) -> None:
    client = client_for(getattr(world, person))
    save = reverse("evaluation:save_item", args=[world.county.code, YEAR, STANDARD, "GG-01"])
    assert client.post(save, {"value": "是"}).status_code == status
    evaluate = reverse("evaluation:evaluate", args=[world.county.code, YEAR, STANDARD])
    assert client.post(evaluate).status_code == status
    assert not CountyItemValue.objects.exists() and not EvaluationRun.objects.exists()


def test_evidence_and_runs_stay_inside_the_county(world: World, figures: None, settings, tmp_path) -> None:
    from dudao.evaluation import actions

    settings.MEDIA_ROOT = tmp_path
    item = actions.set_county_item(SYSTEM, world.county, YEAR, STANDARD, "GG-01", True)
    doc = actions.attach_evidence(SYSTEM, item, SimpleUploadedFile("规划.pdf", PDF, content_type="application/pdf"))
    run = actions.evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    outsider = client_for(world.neighbour_supervisor)
    assert outsider.get(reverse("evaluation:evidence", args=[doc.pk])).status_code == 404
    assert outsider.get(reverse("evaluation:run", args=[run.pk])).status_code == 404
    assert outsider.get(items_url(world)).status_code == 404
    assert client_for(world.observer).get(reverse("evaluation:run", args=[run.pk])).status_code == 200
