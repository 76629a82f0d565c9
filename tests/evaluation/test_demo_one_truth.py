"""One truth in the demo: the steps of ``make demo`` (read from the Makefile, run as it runs them, without
the server) leave 示范县's items and survey rate in the database, so the website judges every area; the
terminal's report evaluates the same profile and figures as the website; the demo county's briefing
written by ``dudao briefing`` opens in LibreOffice and says what the web page says."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dudao.evaluation.actions import stored_run
from dudao.evaluation.render import to_text
from dudao.orgs.models import Region
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


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("demo")
    printed: dict[str, str] = {}
    with django_db_blocker.unblock():
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
