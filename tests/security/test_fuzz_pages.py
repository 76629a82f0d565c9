"""Every page's URL parameters and forms, fuzzed: no input gives a server error (issue #13, F9; ADR 0021).

Every URL pattern of ``dudao/urls.py`` (the API has its own fuzz, ``test_fuzz_api.py``) gets a real URL:
one the county supervisor reaches by following links and forms from the landing page in a populated
county, or, for a pattern no link leads to, one filled with the county's code, the year and the standard.
Then, for each:

- every path parameter in turn takes hostile values (ids past 32, 63 and 64 bits, long strings, a NUL,
  ``../``, markup, non-digits where digits are expected), GET and POST;
- the parameters the views read (``QUERY_NAMES``: ``matter``, ``year``, ``id``, ``page``, …) take hostile
  values, as a query string (GET) and as a form (POST), as each persona and as nobody.

The answer is never a 5xx. Bounded: each page gets ``DUDAO_FUZZ_VALUES`` of the hostile values (default 2,
a different two per page, chosen by position, so the run is the same every time) as the county
supervisor, one as each other persona; the whole list with ``DUDAO_FUZZ_VALUES=99``.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from dudao.census.actions import save_record
from dudao.evaluation.actions import current_run
from dudao.notifications import notify
from dudao.rectification import actions as rectification
from dudao.surveys import actions as surveys
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World
from tests.rectification.conftest import PDF, STANDARD, figures, make_rect, plan_of, task_for
from tests.security.fuzzing import one_request
from tests.surveys.helpers import answers, post

VALUES = int(os.environ.get("DUDAO_FUZZ_VALUES", "2"))
# Pages that build a whole document (seconds each): one hostile value per persona, whatever VALUES says.
SLOW = ("report.docx", "accounts/template.xlsx")
PERSONAS = (
    "anonymous", "province_inspector", "city_inspector", "county_supervisor", "observer", "school_clerk",
    "department_clerk", "neighbour_supervisor",
)  # fmt: skip
SKIP = ("admin/", "api/v1/", "accounts/logout/", "i18n/")
# What the views read from request.GET / request.POST (grep): each takes the hostile value at once.
QUERY_NAMES = (
    "matter", "year", "school", "page", "sort", "id", "status", "level", "standard", "rank", "verb", "since",
    "until", "state", "download", "format", "next", "t", "deadline", "count", "parent", "record", "leader",
    "department", "start", "end", "value", "decision", "on", "digest", "unapproved", "school_id", "items",
    "done", "role", "region", "code", "group", "kind", "visited", "due", "percent", "task", "item",
)  # fmt: skip
HOSTILE_INTS = ("0", str(2**31), str(2**63), str(2**64), "9" * 40)
HOSTILE_TEXT = (
    "abc",
    "-1",
    "1.5",
    "１２",
    "²",
    "",
    "x" * 3000,
    "\x00",
    "../../etc/passwd",
    "<script>'\"",
    "%00",
    str(2**64),
)
LINK = re.compile(r'(?:href|action)="(/[^"#]*)"')


@dataclass
class Page:
    route: str  # the pattern, e.g. "rectification/task/<id:pk>/"
    url: str  # a real URL of it
    found: bool  # reached by following links (else filled in)


def populate(world: World) -> None:
    """示范县 with a bit of everything: census, a stored evaluation, items, a plan and a task with
    progress and evidence, a milestone, a meeting with a decision, liaison, a bulletin, an open survey with
    answers, a notification."""
    make_rect(world)
    save_record(SYSTEM, world.primary, YEAR, "primary", figures(PRIMARY, pe_art_teachers=2, teaching_aux_area_m2=2000))
    save_record(SYSTEM, world.junior, YEAR, "junior", figures(JUNIOR))
    current_run(world.county, YEAR, STANDARD)
    rectification.generate_items(world.county_supervisor, world.county, YEAR, STANDARD)
    task = task_for(plan_of(world), world.finance)
    rectification.report_progress(world.department_clerk, task, "进展", 50, files=[SimpleUploadedFile("a.pdf", PDF)])
    rectification.add_milestone(world.county_supervisor, task, "第一阶段", task.deadline)
    today = rectification.today()
    meeting = rectification.record_meeting(world.county_supervisor, world.county, "专题会", today, "县长", "扩容")
    rectification.add_decision(world.county_supervisor, meeting, "完成扩容")
    leader = rectification.add_leader(world.county_supervisor, world.county, "张三", "副县长")
    rectification.link_school(world.county_supervisor, leader, world.primary)
    rectification.add_matter(world.county_supervisor, leader, world.primary, YEAR, "修操场")
    rectification.issue_bulletin(world.county_supervisor, world.county, today, today)
    world.county.resident_population = 300_000
    world.county.save()
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "2025年示范县社会认可度调查")
    surveys.set_status(world.county_supervisor, survey, "open")
    data = answers(survey, "parent", started=time.time() - 600, town=world.town.code)
    assert post(Client(), survey, data).status_code == 200
    notify([world.county_supervisor], "task_assigned", "fuzz", "通知", "notice", "/")


def routes() -> list[tuple[str, URLPattern]]:
    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    return [(route, p) for route, p in walk(get_resolver().url_patterns) if not route.startswith(SKIP)]


def crawl(client: Client, limit: int = 400) -> dict[str, str]:
    """The first URL of each pattern the county supervisor reaches by links and form actions from "/"."""
    found: dict[str, str] = {}
    queue, seen = deque(["/"]), {"/"}
    while queue and len(seen) < limit:
        url = queue.popleft()
        try:
            route = resolve(urlsplit(url).path).route
        except Resolver404:
            continue
        if route.startswith(SKIP) or route in found:
            continue
        found[route] = url
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in LINK.findall(response.content.decode()):
            href = unescape(href).split("?")[0]
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return found


FILL = {"year": str(YEAR), "standard_id": STANDARD, "fmt": "png", "group": "parent", "level": "primary"}


def fill(route: str, world: World) -> str:
    """A URL of ``route`` with the county's values for its parameters (``1`` for ids)."""

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in FILL:
            return FILL[name]
        if name == "code" and "school" in route:
            return world.primary.code
        if name == "code":
            return world.county.code
        return "1" if converter == "id" else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def pages(world: World, client: Client) -> list[Page]:
    found = crawl(client)
    return [
        Page(route, found[route], True) if route in found else Page(route, fill(route, world), False)
        for route, _ in routes()
    ]


def with_path_value(page: Page, name: str, value: str) -> str:
    """``page.url`` with path parameter ``name`` replaced by ``value``."""
    match = resolve(urlsplit(page.url).path)
    pieces = re.split(r"(<(?:\w+:)?\w+>)", page.route)
    out = []
    for piece in pieces:
        param = re.fullmatch(r"<(?:\w+:)?(\w+)>", piece)
        if param is None:
            out.append(piece)
        else:
            key = param.group(1)
            out.append(quote(value if key == name else str(match.kwargs[key]), safe=""))
    return "/" + "".join(out)


def pick(values: tuple[str, ...], offset: int) -> list[str]:
    """``VALUES`` of ``values``, starting at ``offset``: a different few per page, the same every run."""
    n = min(VALUES, len(values))
    return [values[(offset + i) % len(values)] for i in range(n)]


def server_error(client: Client, method: str, url: str, data: dict[str, str] | None, who: str) -> str | None:
    """None, or what went wrong (the request and the exception) when the answer is a 5xx."""
    with one_request() as caught:
        response = client.get(url, data) if method == "GET" else client.post(url, data or {})
    if response.status_code < 500:
        return None
    shown = url if len(url) < 200 else url[:200] + "…"
    return f"{who}: {method} {shown} {str(data)[:100]} → {response.status_code} {'; '.join(caught)}"


class Failures:
    """The 5xx seen, one per route and exception (the first request that gave it)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def add(self, route: str, failure: str | None) -> None:
        if failure is not None:
            self.seen.setdefault((route, failure.split(" → ")[-1]), failure)

    def __bool__(self) -> bool:
        return bool(self.seen)

    def __str__(self) -> str:
        return "\n".join(sorted(self.seen.values()))


@pytest.fixture
def populated(world: World) -> World:
    populate(world)
    return world


def clients(world: World) -> dict[str, Client]:
    out = {}
    for name in PERSONAS:
        client = Client(raise_request_exception=False)
        if name != "anonymous":
            client.force_login(getattr(world, name))
        out[name] = client
    return out


def test_no_path_parameter_gives_a_server_error(populated: World) -> None:
    people = clients(populated)
    supervisor = people["county_supervisor"]
    all_pages = pages(populated, supervisor)
    assert sum(p.found for p in all_pages) > len(all_pages) // 2, [p.route for p in all_pages if not p.found]
    failures = Failures()
    for i, page in enumerate(all_pages):
        for converter, key in re.findall(r"<(?:(\w+):)?(\w+)>", page.route):
            hostile = HOSTILE_INTS if converter in ("id", "year") else HOSTILE_TEXT
            for value in pick(hostile, i):
                url = with_path_value(page, key, value)
                for method in ("GET", "POST"):
                    failures.add(page.route, server_error(supervisor, method, url, None, "county_supervisor"))
    assert not failures, str(failures)


def test_no_query_or_form_value_gives_a_server_error(populated: World) -> None:
    people = clients(populated)
    all_pages = pages(populated, people["county_supervisor"])
    failures = Failures()
    for i, page in enumerate(all_pages):
        for j, who in enumerate(PERSONAS):  # the supervisor sees the most: VALUES values; the others one
            many = who == "county_supervisor" and not page.route.endswith(SLOW)
            for value in pick(HOSTILE_TEXT, i + j)[: None if many else 1]:
                data = dict.fromkeys(QUERY_NAMES, value)
                for method in ("GET", "POST"):
                    failures.add(page.route, server_error(people[who], method, page.url, data, who))
    assert not failures, str(failures)


def test_every_number_in_a_url_is_bounded() -> None:
    """Django's ``int`` takes any run of digits (2**64 reached the database): ``year`` and ``id`` instead."""
    assert not [route for route, _ in routes() if "<int:" in route]


def test_the_two_known_instances(populated: World) -> None:
    """F9 as the audit found it: ``matter=abc`` on the liaison's matter-done; a notification id past 64 bits."""
    client = clients(populated)["county_supervisor"]
    url = f"/rectification/county/{populated.county.code}/liaison/matter-done/"
    for value in ("abc", str(2**64), "-1", "²"):
        response = client.post(url, {"matter": value})
        assert response.status_code in (302, 400, 404), (value, response.status_code)
    for value in (str(2**64), "²", "abc"):
        response = client.post("/notifications/read/", {"id": value})
        assert response.status_code < 500, (value, response.status_code)


@pytest.mark.parametrize(
    "url", ["/census/school/a%00b/2025/", "/overview/county/%00/", "/surveys/county/139901/?year=%00",
            "/api/v1/schools/%00", "/api/v1/schools?year=2025&county=%00"],
)  # fmt: skip
def test_a_nul_is_refused_before_the_database_sees_it(world: World, url: str) -> None:
    """PostgreSQL cannot hold a NUL in text: it was a 500 there (dudao.security.nul)."""
    client = Client()
    client.force_login(world.county_supervisor)
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["code"] == "invalid_request"
    form = client.post("/rectification/county/139901/liaison/link/", {"leader": "1", "school": "a\x00"})
    assert form.status_code == 400
    body = client.put(
        f"/api/v1/census/records/{world.primary.code}/2025/primary", '{"values": {}, "note": "\\u0000"}',
        content_type="application/json",
    )  # fmt: skip
    assert body.status_code == 400


def test_a_form_posted_where_json_is_expected_is_refused_not_a_server_error(populated: World) -> None:
    """The what-if reads its JSON body; a form there (the body already read as a form) was a 500."""
    client = Client()
    client.force_login(populated.county_supervisor)
    url = f"/overview/county/{populated.county.code}/{YEAR}/{STANDARD}/whatif/compute/"
    for data in ({"school": "x"}, {"f": SimpleUploadedFile("a.txt", b"x")}):
        assert client.post(url, data).status_code == 400
