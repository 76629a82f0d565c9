"""The supervision bulletin (督导通报) for a period: issued from the page as .docx in a county
office's layout, numbered per year, kept as issued, naming the units with overdue tasks — and it
opens in LibreOffice (converted to PDF here, whose text is read back)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from dudao.rectification import actions
from dudao.rectification.models import Bulletin
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for


@pytest.fixture
def tasks(rect: Rect, settings, tmp_path) -> None:
    """示范县发展和改革局 and 城关镇人民政府 have overdue tasks; 示范县财政局 has done its task."""
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = plan_of(rect.world)
    task_for(plan, rect.development, days=-12, title="第八小学完成立项批复")
    task_for(plan, rect.development, days=-3, title="第九小学完成选址")
    task_for(plan, rect.town_government, days=-1, title="城关镇中心小学周边交通整治")
    done = task_for(plan, rect.finance, title="落实教育经费")
    actions.report_progress(SYSTEM, done, "已足额安排", 100, done=True, files=[SimpleUploadedFile("a.pdf", PDF)])
    actions.accept_task(SYSTEM, done)
    task_for(plan, rect.hr, days=300, title="招聘体育艺术教师")


def issue(rect: Rect, start: str, end: str) -> object:
    return client_for(rect.world.county_supervisor).post(
        reverse("rectification:bulletins", args=[rect.world.county.code]), {"start": start, "end": end}
    )


def test_the_bulletin_names_the_overdue_units_in_the_office_layout(rect: Rect, tasks: None) -> None:
    today = actions.today()
    response = issue(rect, (today - dt.timedelta(days=90)).isoformat(), today.isoformat())
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert (bulletin.year, bulletin.number) == (today.year, 1)
    assert bulletin.overdue_units == ["示范县发展和改革局", "城关镇人民政府"]  # most overdue tasks first
    download = client_for(rect.world.county_supervisor).get(reverse("rectification:bulletin", args=[bulletin.pk]))
    assert download.status_code == 200
    assert "督导通报" in download["Content-Disposition"] or "filename*=" in download["Content-Disposition"]
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("督导通报\n" + f"{today.year}年第1期")
    assert "示范县人民政府教育督导室" in text and "各乡镇人民政府、街道办事处，县直有关部门：" in text
    assert "示范县发展和改革局（2项）、城关镇人民政府（1项）" in text and "逾期未完成2项" not in text
    assert "逾期未完成3项" in text and "抄送：" in text
    units_table, overdue_table = doc.tables
    assert [c.text for c in units_table.rows[0].cells][:3] == ["序号", "单位", "任务数"]
    first = [c.text for c in overdue_table.rows[1].cells]
    assert first[:2] == ["示范县发展和改革局", "第八小学完成立项批复"] and first[3] == "12"
    # the list page shows it; a second one the same year is number 2
    page = client_for(rect.world.county_supervisor).get(
        reverse("rectification:bulletins", args=[rect.world.county.code])
    )
    assert f"{today.year}年第1期" in page.text and "示范县发展和改革局、城关镇人民政府" in page.text
    issue(rect, today.isoformat(), today.isoformat())
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.libreoffice
def test_the_bulletin_opens_in_libreoffice_and_its_pdf_names_the_overdue_units(
    rect: Rect, tasks: None, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    today = actions.today()
    issue(rect, (today - dt.timedelta(days=30)).isoformat(), today.isoformat())
    bulletin = Bulletin.objects.get()
    source = tmp_path / "bulletin.docx"
    source.write_bytes(bulletin.file.read())
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    reader = PdfReader(tmp_path / "bulletin.pdf")
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))  # lines wrap anywhere
    assert "督导通报" in text and "以下单位有任务超过完成时限仍未完成，予以通报" in text
    for unit in ("示范县发展和改革局", "城关镇人民政府"):
        assert unit in text
    assert "第八小学完成立项批复" in text and "城关镇中心小学周边交通整治" in text


def test_the_bulletin_counts_tasks_as_they_stood_on_the_periods_last_day(rect: Rect, tasks: None) -> None:
    """Ending before the deadlines passed, nothing was overdue yet."""
    day = actions.today() - dt.timedelta(days=13)
    issue(rect, (day - dt.timedelta(days=30)).isoformat(), day.isoformat())
    bulletin = Bulletin.objects.get()
    assert bulletin.overdue_units == []
    text = "\n".join(p.text for p in Document(bulletin.file.open("rb")).paragraphs)
    assert "本期无逾期未完成任务" in text


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2026-03-01", "2026-01-01", "起始日期晚于截止日期"),
        ("2026-01-01", "2099-01-01", "截止日期不能晚于今天"),
        ("", "", "请填写通报的起止日期"),
        ("1/1/2026", "2026-02-01", "格式应为 YYYY-MM-DD"),
    ],
)
def test_a_bad_period_is_refused_and_nothing_is_issued(rect: Rect, start: str, end: str, text: str) -> None:
    response = issue(rect, start, end)
    assert response.status_code == 400 and text in response.text and not Bulletin.objects.exists()
