"""F2 (issue #13): no download holds a live formula. Text that people or the public can write —
school names, survey answers, task titles, progress reports, evidence file names, notes — is
planted with formula payloads; then every page each persona can reach is walked from the landing
page (following links, as a person would), every .xlsx/.csv/.zip it links to is downloaded, and
every cell is checked: no formula cell, and text beginning with = + - @ tab CR is marked as text
(``quotePrefix`` in .xlsx, a leading quote in .csv). LibreOffice, the real client, shows the
payload as text. A check of the source keeps every writer on ``dudao.sheets.writer``."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import time
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from openpyxl import Workbook, load_workbook

from dudao.census.actions import save_record
from dudao.engine.result import CountyResult
from dudao.evaluation.actions import current_run, set_county_item
from dudao.evaluation.render import write_xlsx
from dudao.orgs.models import SchoolYear
from dudao.rectification import actions as rectification
from dudao.rectification.models import Task
from dudao.sheets import write_rows
from dudao.sheets.writer import csv_bytes, workbook_bytes
from dudao.surveys import actions as surveys
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for
from tests.rectification.conftest import PDF, STANDARD, figures, make_rect, plan_of, task_for
from tests.surveys.helpers import answers, post

DANGER = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$")  # a figure the project formatted (-0.25, -12.3%)
EQ = '=HYPERLINK("http://x.example","y")'
PLUS = '+1+cmd|"/C calc"!A0'
MINUS = "-1+1进展"
AT = "@SUM(A1)任务"
TAB = "\t=1+1学校"
CR = "\r=2+2"
PAYLOADS = (EQ, PLUS, MINUS, AT, TAB)
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/accounts/logout", "/i18n/", "/admin/", "/api/", "/static/", "/s/")
PER_ROUTE = 3  # pages visited per URL pattern (and query keys): a walk, not a load test
PEOPLE = ["county_supervisor", "observer", "school_clerk", "department_clerk", "city_inspector"]


@pytest.fixture
def planted(world: World, settings, tmp_path) -> World:
    """示范县 with formula payloads in every kind of free text a person or the public writes."""
    settings.MEDIA_ROOT = tmp_path
    SchoolYear.objects.filter(school=world.primary).update(name=EQ)
    SchoolYear.objects.filter(school=world.junior).update(name=TAB)
    rect = make_rect(world)
    save_record(SYSTEM, world.primary, YEAR, "primary", figures(PRIMARY, pe_art_teachers=2, teaching_aux_area_m2=2000))
    save_record(SYSTEM, world.junior, YEAR, "junior", figures(JUNIOR))
    current_run(world.county, YEAR, STANDARD)
    set_county_item(world.county_supervisor, world.county, YEAR, STANDARD, "SR-01", "0.912", note=EQ)
    rectification.generate_items(world.county_supervisor, world.county, YEAR, STANDARD)
    task = task_for(plan_of(world), rect.finance, title=AT)
    files = [SimpleUploadedFile("-1+evidence.pdf", PDF), SimpleUploadedFile("@file.pdf", PDF)]
    rectification.report_progress(world.department_clerk, task, MINUS, 50, files=files)
    world.county.resident_population = 300_000
    world.county.save()
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "2025年示范县社会认可度调查")
    surveys.set_status(world.county_supervisor, survey, "open")
    for text in (EQ, PLUS, MINUS, AT, CR):
        data = answers(survey, "parent", started=time.time() - 600, advice=text, town=world.town.code)
        assert post(Client(), survey, data).status_code == 200
    return world


@dataclass
class Found:
    files: dict[str, bytes] = field(default_factory=dict)  # url → body
    pages: int = 0


def _route(url: str) -> str:
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return f"{route}?{','.join(keys)}"


def walk(client: Client, start: str = "/", limit: int = 400) -> Found:
    """Every page reachable by links from ``start`` (a few per URL pattern), and every file linked."""
    found, queue, seen, per_route = Found(), deque([start]), {start}, Counter()
    while queue and found.pages < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response.url
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code != 200:
            continue
        kind = response.get("Content-Type", "")
        if not kind.startswith("text/html"):
            if url.endswith((".xlsx", ".zip")) or "download=" in url or "spreadsheet" in kind or "zip" in kind:
                found.files[url] = b"".join(response.streaming_content) if response.streaming else response.content
            continue
        found.pages += 1
        for href in LINK.findall(response.text):
            href = unescape(href)
            if href in seen or href.startswith(SKIP):
                continue
            seen.add(href)
            if "download=" in href or href.endswith((".xlsx", ".zip")):
                queue.appendleft(href)
                continue
            route = _route(href)
            if per_route[route] < PER_ROUTE:
                per_route[route] += 1
                queue.append(href)
    return found


def cells_of(url: str, body: bytes) -> list[tuple[str, str, bool]]:
    """(format, text, marked as text) for every text cell of a downloaded file; fails on a formula."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            if "[Content_Types].xml" not in zf.namelist():  # the evidence pack: its manifest
                return [c for n in zf.namelist() if n.endswith(".xlsx") for c in cells_of(n, zf.read(n))]
        out = []
        for ws in load_workbook(io.BytesIO(body)).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (url, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        out.append(("xlsx", cell.value, bool(cell.quotePrefix)))
        return out
    text = body.decode("utf-8-sig")
    return [("csv", value, value.startswith("'")) for row in csv.reader(io.StringIO(text)) for value in row]


def check(url: str, body: bytes) -> list[tuple[str, str, bool]]:
    cells = cells_of(url, body)
    for fmt, value, marked in cells:
        if fmt == "xlsx" and value.startswith(DANGER):
            assert marked, (url, value)
        if fmt == "csv" and value.startswith(DANGER):
            assert NUMBER.match(value), (url, value)  # dangerous text arrives behind a quote
    return cells


@pytest.mark.django_db
def test_every_download_of_every_page_keeps_text_inert(planted: World) -> None:
    seen: list[tuple[str, str, bool]] = []
    visited = 0
    for person in PEOPLE:
        client = client_for(getattr(planted, person))
        found = walk(client)
        visited += found.pages
        assert found.files, person
        for url, body in found.files.items():
            seen += check(url, body)
    assert visited > 40
    for payload in PAYLOADS:
        assert ("xlsx", payload, True) in seen, payload
        assert ("csv", "'" + payload, True) in seen, payload
    assert ("xlsx", CR.strip(), True) in seen  # a survey answer is stored stripped: "=2+2"


@pytest.mark.django_db
def test_the_task_list_and_the_annex_keep_text_inert(planted: World) -> None:
    client = client_for(planted.county_supervisor)
    plan = Task.objects.get(title=AT).plan
    urls = [
        reverse("rectification:export_tasks", args=[plan.pk]),
        reverse("reports:annex", args=[planted.county.code, YEAR, STANDARD]),
        reverse("reports:pack", args=[planted.county.code, YEAR, STANDARD]),
    ]
    seen = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        seen += check(url, b"".join(response.streaming_content) if response.streaming else response.content)
    assert {("xlsx", AT, True), ("xlsx", MINUS, True), ("xlsx", EQ, True)} <= set(seen)
    assert {("xlsx", "-1+evidence.pdf", True), ("xlsx", "@file.pdf", True)} <= set(seen)  # the pack's manifest


def test_the_command_line_workbooks_keep_text_inert(tmp_path: Path) -> None:
    """The result workbook of ``dudao evaluate`` and a filled template (write_rows) — files, not pages."""
    rows = [{"school_code": "1", "school_name": EQ, "county_name": PLUS, "students": 100}]
    write_rows(tmp_path / "filled.xlsx", rows)
    texts = check("filled.xlsx", (tmp_path / "filled.xlsx").read_bytes())
    assert ("xlsx", EQ, True) in texts and ("xlsx", PLUS, True) in texts
    result = CountyResult.from_dict({
        "standard": {"id": "national-2017", "version": "1", "title_zh": "", "title_en": "", "doc_no": "",
                     "province": None},
        "county": {"code": None, "name": None}, "levels": {}, "areas": {}, "vetoes": [], "passed": None,
        "schools": [{"school_code": "1", "school_name": AT, "school_type": "primary", "level": "primary",
                     "location": "urban", "ownership": None, "students": 100, "part_of_whole": False,
                     "source_row": 2, "indicators": {}, "met_count": 0, "indicator_count": 0, "passed": None,
                     "reasons": []}],
        "excluded": [], "warnings": [], "settings": [],
    })  # fmt: skip
    write_xlsx(result, tmp_path / "result.xlsx")
    assert ("xlsx", AT, True) in check("result.xlsx", (tmp_path / "result.xlsx").read_bytes())


def test_the_writer_keeps_numbers_numbers_and_text_text() -> None:
    wb = Workbook()
    wb.active.append([EQ, -1.5, 3, "正常文字", MINUS, None])
    cells = next(load_workbook(io.BytesIO(workbook_bytes(wb))).active.iter_rows())
    assert [c.data_type for c in cells[:5]] == ["s", "n", "n", "s", "s"]
    assert [c.value for c in cells[:5]] == [EQ, -1.5, 3, "正常文字", MINUS]  # read back unchanged
    assert [bool(c.quotePrefix) for c in cells[:5]] == [True, False, False, False, True]
    lines = csv_bytes([[EQ, -1.5, "正常文字", TAB, CR, "@x"]]).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(lines))) == ["'" + EQ, "-1.5", "正常文字", "'" + TAB, "'" + CR, "'@x"]


def test_no_module_writes_a_workbook_or_a_csv_any_other_way() -> None:
    root = Path(__file__).resolve().parent.parent / "dudao"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "writer.py" and path.parent.name == "sheets":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(
            r"\bwb\.save\(|\bworkbook\.save\(|csv\.writer\(|csv\.DictWriter\(|\.to_excel\(|(?<!table)\.to_csv\(", source
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == [], "write spreadsheets through dudao.sheets.writer"


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_libreoffice_shows_the_payload_as_text(planted: World, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    client = client_for(planted.county_supervisor)
    survey = planted.county.surveys.get()
    response = client.get(reverse("surveys:results", args=[survey.pk]), {"download": "free-text", "format": "xlsx"})
    assert response.status_code == 200
    (tmp_path / "free-text.xlsx").write_bytes(response.content)
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
         "--outdir", str(tmp_path / "out"), str(tmp_path / "free-text.xlsx")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = (tmp_path / "out" / "free-text.csv").read_text(encoding="utf-8")
    assert EQ.replace('"', '""') in shown and PLUS.replace('"', '""') in shown and "@SUM(A1)任务" in shown
    assert "\ny\n" not in shown and ",y\n" not in shown and ",y\r" not in shown  # the formula was not evaluated
