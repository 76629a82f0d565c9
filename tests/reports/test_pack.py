"""The evidence pack: one streamed .zip holding every evidence file of the county and year (county
items, rectification tasks, meeting decisions' tasks, work-plan tasks) in a folder per indicator, the
files not yet linked in 待关联, and the index (目录) as .xlsx and .docx; for supervisor and inspectors."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dudao.evaluation.models import Evidence
from dudao.evidence.access import access_evidence_file
from dudao.evidence.actions import set_links
from dudao.rectification.models import TaskEvidence
from tests.office import pdf_pages_and_text
from tests.personas import YEAR, client_for
from tests.rectification.conftest import PNG, STANDARD, Rect

UNLINKED = "待关联（to link）/"


def url(code: str) -> str:
    return reverse("reports:pack", args=[code, YEAR, STANDARD])


def fetch(rect: Rect) -> zipfile.ZipFile:
    response = client_for(rect.world.county_supervisor).get(url(rect.world.county.code))
    assert response.status_code == 200 and response.streaming and response["Content-Type"] == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert pack.testzip() is None
    return pack


def test_every_stored_file_is_in_the_pack_under_its_indicator_or_to_link(documents: Rect) -> None:
    county = documents.world.county
    pack = fetch(documents)
    names = pack.namelist()
    assert names[:2] == ["目录.xlsx", "目录.docx"]
    files = names[2:]
    stored = (
        Evidence.objects.filter(item__county=county).count()
        + TaskEvidence.objects.filter(report__task__county=county).count()
    )
    assert stored == 5 and len(files) == stored  # each file once: none linked to two indicators yet
    assert [n for n in files if n.startswith("L3 ")] == [
        "L3 每百名学生拥有体育、艺术(美术、音乐)专任教师数/招聘公告.png"
    ]
    assert sorted(n for n in files if n.startswith("SR-01 ")) == [
        "SR-01 社会认可度达到85%以上/问卷统计 (2).pdf", "SR-01 社会认可度达到85%以上/问卷统计.pdf"]  # fmt: skip
    assert sorted(n for n in files if n.startswith(UNLINKED)) == [UNLINKED + "会商纪要.pdf", UNLINKED + "拨付.pdf"]
    assert files[-2:] == sorted(files[-2:]) and all(n.startswith(UNLINKED) for n in files[-2:])  # to link: last
    assert pack.read(files[0]) == PNG  # L3 comes before SR-01, as in the standard


def test_the_index_lists_each_file_with_indicator_source_uploader_and_date(documents: Rect) -> None:
    pack = fetch(documents)
    sheet = load_workbook(io.BytesIO(pack.read("目录.xlsx"))).active
    assert sheet["A1"].value == "示范县2025学年佐证材料目录"
    assert "共 5 份文件" in sheet["A2"].value and "其中 2 份尚未关联指标" in sheet["A2"].value
    header = ["序号", "指标", "文件名", "来源", "关联事项", "上传人", "上传日期", "包内路径"]
    assert [c.value for c in sheet[3]] == header
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[7] for r in rows] == pack.namelist()[2:]
    by_name = {r[2]: r for r in rows}
    assert by_name["会商纪要.pdf"][1:5] == ("待关联（to link）", "会商纪要.pdf", "会商议定事项",
                                       "第一次会商（2026-03-10）第1项：研究扩容用地")  # fmt: skip
    assert by_name["拨付.pdf"][3:5] == ("工作方案任务", "示范县推进义务教育优质均衡发展工作方案：完成城区学校扩容")
    assert by_name["招聘公告.png"][3] == "整改事项" and by_name["问卷统计.pdf"][3] == "县级指标"
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[6]) and r[5] for r in rows)
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"
    table = Document(io.BytesIO(pack.read("目录.docx"))).tables[0]
    assert [c.text for c in table.rows[0].cells] == header[:7]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [[str(v) for v in r[:7]] for r in rows]


def test_a_linked_file_moves_from_to_link_into_each_of_its_indicators(documents: Rect) -> None:
    world = documents.world
    doc = TaskEvidence.objects.get(original_name="会商纪要.pdf")
    set_links(world.county_supervisor, access_evidence_file(world.county_supervisor, f"task-{doc.pk}", "review"),
              STANDARD, ["GG-01", "VETO-06"])  # fmt: skip
    files = fetch(documents).namelist()[2:]
    assert {n.split("/")[0].split()[0] for n in files if n.endswith("会商纪要.pdf")} == {"GG-01", "VETO-06"}
    assert [n for n in files if n.startswith(UNLINKED)] == [UNLINKED + "拨付.pdf"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("county_supervisor", 200), ("city_inspector", 200), ("province_inspector", 200), ("observer", 404),
     ("school_clerk", 404), ("department_clerk", 404), ("neighbour_supervisor", 404)],
)  # fmt: skip
def test_only_the_supervisor_and_the_inspectors_get_the_pack(documents: Rect, who: str, expected: int) -> None:
    assert client_for(getattr(documents.world, who)).get(url(documents.world.county.code)).status_code == expected


def test_an_empty_pack_holds_only_the_index(stored: Rect) -> None:
    pack = fetch(stored)
    assert pack.namelist() == ["目录.xlsx", "目录.docx"]
    assert "共 0 份文件" in load_workbook(io.BytesIO(pack.read("目录.xlsx"))).active["A2"].value


def test_the_reports_page_counts_the_files_and_those_to_link(documents: Rect) -> None:
    page = client_for(documents.world.city_inspector).get(reverse("reports:county", args=["139901", YEAR, STANDARD]))
    assert "共 5 份（2 份待关联指标）" in page.text and url("139901") in page.text
    assert reverse("evidence:by_indicator", args=["139901", YEAR, STANDARD]) in page.text


@pytest.mark.libreoffice
def test_both_index_files_open_in_libreoffice(documents: Rect, tmp_path: Path) -> None:
    pack = fetch(documents)
    for name in ("目录.xlsx", "目录.docx"):
        pages, text = pdf_pages_and_text(tmp_path, f"index{Path(name).suffix}", pack.read(name))
        assert pages == 1, name  # five rows: one landscape page
        assert "示范县2025学年佐证材料目录" in text and "会商纪要.pdf" in text and "待关联" in text, name


def test_the_pack_is_chinese_whatever_the_language_of_the_page(documents: Rect) -> None:
    client = client_for(documents.world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(url(documents.world.county.code))
    pack = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(load_workbook(io.BytesIO(pack.read("目录.xlsx"))).active.iter_rows(min_row=4, values_only=True))
    assert {r[3] for r in rows} == {"县级指标", "整改事项", "会商议定事项", "工作方案任务"}
    assert {r[5] for r in rows} == {"系统"}
