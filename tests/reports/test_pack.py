"""The evidence pack: one streamed .zip with the manifest and a folder per indicator, gathering the
county items' evidence and the rectification tasks' report files; for supervisor and inspectors."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dudao.evaluation.actions import attach_evidence
from dudao.evaluation.models import CountyItemValue
from dudao.rectification import actions
from dudao.rectification.models import RectificationItem
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import PDF, PNG, STANDARD, Rect


@pytest.fixture
def documents(stored: Rect, settings, tmp_path) -> Rect:
    settings.MEDIA_ROOT = tmp_path / "media"
    county = stored.world.county
    item = CountyItemValue.objects.get(county=county, year=YEAR, standard_id=STANDARD, code="SR-01")
    attach_evidence(SYSTEM, item, SimpleUploadedFile("问卷统计.pdf", PDF))
    attach_evidence(SYSTEM, item, SimpleUploadedFile("问卷统计.pdf", PDF + b"2"))  # same name: kept apart
    task = RectificationItem.objects.filter(county=county, indicator="L3").first().task
    actions.report_progress(SYSTEM, task, "已招聘体育教师", 50, files=[SimpleUploadedFile("招聘公告.png", PNG)])
    return stored


def url(code: str) -> str:
    return reverse("reports:pack", args=[code, YEAR, STANDARD])


def test_the_pack_streams_a_zip_with_a_manifest_and_a_folder_per_indicator(documents: Rect) -> None:
    response = client_for(documents.world.county_supervisor).get(url(documents.world.county.code))
    assert response.status_code == 200 and response.streaming and response["Content-Type"] == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert pack.testzip() is None
    names = pack.namelist()
    assert names[0] == "清单.xlsx"
    l3 = [n for n in names if n.startswith("L3 ")]
    sr = [n for n in names if n.startswith("SR-01 ")]
    assert [n.rsplit("/", 1)[1] for n in l3] == ["招聘公告.png"]
    assert sorted(n.rsplit("/", 1)[1] for n in sr) == ["问卷统计 (2).pdf", "问卷统计.pdf"]
    assert pack.read(l3[0]) == PNG
    manifest = load_workbook(io.BytesIO(pack.read("清单.xlsx"))).active
    rows = list(manifest.iter_rows(min_row=3, values_only=True))
    assert [r[5] for r in rows] == names[1:]
    assert {r[2] for r in rows} == {"县级指标", "整改任务"} and all(isinstance(r[6], int) for r in rows)
    page = client_for(documents.world.city_inspector).get(reverse("reports:county", args=["139901", YEAR, STANDARD]))
    assert "共 3 份" in page.text and url("139901") in page.text


@pytest.mark.parametrize(
    ("who", "expected"),
    [("county_supervisor", 200), ("city_inspector", 200), ("province_inspector", 200), ("observer", 404),
     ("school_clerk", 404), ("department_clerk", 404), ("neighbour_supervisor", 404)],
)  # fmt: skip
def test_only_the_supervisor_and_the_inspectors_get_the_pack(documents: Rect, who: str, expected: int) -> None:
    assert client_for(getattr(documents.world, who)).get(url(documents.world.county.code)).status_code == expected


def test_an_empty_pack_holds_only_the_manifest(stored: Rect) -> None:
    response = client_for(stored.world.county_supervisor).get(url(stored.world.county.code))
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist() == ["清单.xlsx"]
