"""One truth in the demo: the steps of ``make demo`` (read from the Makefile, run as it runs them, without
the server) leave 示范县's items and survey rate in the database, so the website judges every area; the
terminal's report evaluates the same profile and figures as the website; the demo county's briefing
written by ``dudao briefing`` opens in LibreOffice and says what the web page says; the documents the
county hands in (the self-evaluation report, its annex, the evidence pack and its index) open in
LibreOffice, carry a 落款, no system to-do wording, and the pack holds every stored evidence file."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dudao.evaluation.actions import stored_run
from dudao.evaluation.render import to_text
from dudao.orgs.models import Region
from tests.office import pdf_pages_and_text
from tests.personas import client_for

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
COUNTY, YEAR, STANDARD = "130135", 2025, "national-2017"


def demo_steps(out: Path) -> list[list[str]]:
    """The ``dudao`` commands of the Makefile's demo target (without migrate and runserver), as run."""
    text = MAKEFILE.read_text(encoding="utf-8")
    profile = re.search(r"^DEMO_PROFILE := (.*)$", text, re.M)[1]  # type: ignore[index]
    recipe = text.split("\ndemo: install\n", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    steps = []
    for line in recipe.splitlines():
        line = line.strip()
        if not line.startswith("$(BIN)/dudao "):
            continue
        line = line.replace("$(DEMO_DIR)", str(out)).replace("$(DEMO_PROFILE)", profile)
        line = line.replace("$$(date +%Y-%m)", timezone.localdate().strftime("%Y-%m"))
        args = shlex.split(line)[1:]
        if args[0] not in ("migrate", "runserver"):
            steps.append(args)
    return steps


@pytest.fixture(autouse=True)
def _media_in_tmp() -> None:
    """The demo's files live in the module's MEDIA_ROOT (``demo``), not a folder per test."""


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("demo")
    printed: dict[str, str] = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=out / "media"):
        from django.db import transaction

        with transaction.atomic():
            for args in demo_steps(out):
                stdout = io.StringIO()
                call_command(*args, stdout=stdout, stderr=io.StringIO())
                printed[" ".join(args)] = stdout.getvalue()
            yield out, printed
            transaction.set_rollback(True)


def test_the_terminal_report_is_the_websites_result(demo: Any, db: None) -> None:
    _out, printed = demo
    report = next(text for cmd, text in printed.items() if cmd.startswith("evaluate ") and "--format" not in cmd)
    assert "--province hebei" in next(cmd for cmd in printed if cmd.startswith("evaluate "))
    run = stored_run(Region.objects.get(code=COUNTY), YEAR, STANDARD)
    assert run.province == "hebei" and not run.stale
    assert report == to_text(run.result_obj)
    # every area judged (no 未评估), the county items and the survey's rate among the run's inputs
    assert "未评估" not in report and "需由县级录入指标后评估" not in report
    assert {a.status for a in run.result_obj.areas.values()} <= {"passed", "failed"}
    assert 0.8 < run.inputs["items"]["SR-01"] < 0.95


def test_the_cockpit_shows_a_full_verdict_and_one_plain_line_on_settings(demo: Any, db: None) -> None:
    from dudao.orgs.models import Membership

    county = Region.objects.get(code=COUNTY)
    supervisor = Membership.objects.filter(region=county, role="county_supervisor").first().user
    page = client_for(supervisor).get(reverse("overview:county", args=[COUNTY, YEAR, STANDARD])).content.decode()
    verdict = page.split('id="verdict"', 1)[1].split("</section>", 1)[0]
    assert "未评估" not in verdict and "社会认可度" in verdict
    assert "未经核实" not in page and reverse("evaluation:settings", args=[STANDARD, "hebei"]) in page
    settings = client_for(supervisor).get(reverse("evaluation:settings", args=[STANDARD, "hebei"])).content.decode()
    assert "国家默认值" in settings and "民办学校是否计入优质均衡差异系数" in settings and "不启用" not in settings


@pytest.mark.libreoffice
def test_the_demo_countys_briefing_opens_in_libreoffice_with_the_pages_figures(
    demo: Any, db: None, tmp_path: Path
) -> None:
    out, _printed = demo
    [source] = out.glob("*.docx")
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by `make test` (make system-deps)"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )  # fmt: skip
    reader = PdfReader(tmp_path / source.with_suffix(".pdf").name)
    quotes = r"[\s“”\"']"  # lines wrap anywhere; PDF text gives the quotation marks as it likes
    pdf = re.sub(quotes, "", "".join(page.extract_text() for page in reader.pages))
    assert "示范县教育督导工作简报" in pdf and "第1期" in pdf and "报送：示范市人民政府教育督导室" in pdf
    from dudao.orgs.models import Membership

    supervisor = Membership.objects.filter(region__code=COUNTY, role="county_supervisor").first().user
    period = timezone.localdate().strftime("%Y-%m")
    page = client_for(supervisor).get(reverse("briefings:county", args=[COUNTY, period])).content.decode()
    preview = page.split('id="briefing-preview"', 1)[1].split("</section>", 1)[0]
    paragraphs = re.findall(r"<p>([^<]+)</p>", preview)
    assert len(paragraphs) == 4  # 统计填报, 整改推进, 社会认可度调查, 评估结果与全市位次
    for text in paragraphs:
        plain = re.sub(quotes, "", text.replace("&#x27;", "'").replace("&quot;", '"'))
        assert plain in pdf, plain
    assert "已审核通过" in pdf and "整改任务共" in pdf and "有效答卷568份" in pdf and "排名第" in pdf


def _supervisor() -> Any:
    from dudao.orgs.models import Membership

    return Membership.objects.filter(region__code=COUNTY, role="county_supervisor").first().user


@pytest.mark.libreoffice
def test_the_demo_countys_report_annex_and_evidence_pack_open_in_libreoffice_ready_to_hand_in(
    demo: Any, db: None, tmp_path: Path
) -> None:
    from dudao.evaluation.models import Evidence
    from dudao.rectification.models import LiaisonEvidence, TaskEvidence
    from tests.reports.test_self_evaluation import TODO_WORDING

    county = Region.objects.get(code=COUNTY)
    client = client_for(_supervisor())
    got = {}
    for name in ("report", "annex", "pack"):
        response = client.get(reverse(f"reports:{name}", args=[COUNTY, YEAR, STANDARD]))
        assert response.status_code == 200, name
        got[name] = b"".join(response.streaming_content) if response.streaming else response.content
    # the report: every section in PDF, ending with the 落款 (the unit over the date), no to-do wording
    pages, report = pdf_pages_and_text(tmp_path, "report.docx", got["report"])
    assert pages >= 3 and "自查自评报告" in report and "四、存在的问题" in report
    signature = re.search(rf"{county.name}人民政府(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日", report)
    assert signature is not None and signature.end() > len(report) - 40, report[-200:]  # at the end
    for wording in TODO_WORDING:
        assert wording not in report, wording
    # the annex prints as pages with its figures
    pages, annex = pdf_pages_and_text(tmp_path, "annex.xlsx", got["annex"])
    assert pages >= 1 and "学校名称" in annex and "第1页" in annex  # the header row and the page numbers
    # the pack: each stored evidence file of the county and year once, listed in both indexes
    pack = zipfile.ZipFile(io.BytesIO(got["pack"]))
    assert pack.testzip() is None and pack.namelist()[:2] == ["目录.xlsx", "目录.docx"]
    stored = (
        list(Evidence.objects.filter(item__county=county, item__year=YEAR, item__standard_id=STANDARD))
        + list(TaskEvidence.objects.filter(report__task__county=county))
        + list(LiaisonEvidence.objects.filter(visit__leader__county=county))
        + list(LiaisonEvidence.objects.filter(matter__leader__county=county, matter__year=YEAR))
    )
    assert stored and len(pack.namelist()) - 2 >= len(stored)
    contents = [pack.read(n) for n in pack.namelist()[2:]]
    for doc in stored:
        assert doc.file.open("rb").read() in contents, doc.original_name
    _pages, index_xlsx = pdf_pages_and_text(tmp_path, "index.xlsx", pack.read("目录.xlsx"))
    _pages, index_docx = pdf_pages_and_text(tmp_path, "index-docx.docx", pack.read("目录.docx"))
    for doc in stored:
        name = re.sub(r"\s+", "", doc.original_name)
        assert name in index_xlsx and name in index_docx, doc.original_name
    for text in (index_xlsx, index_docx):
        assert "佐证材料目录" in text and not any(w in text for w in TODO_WORDING)
