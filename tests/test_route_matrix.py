"""Every route × every persona: what each person gets on 示范县's objects. One table, ``ROUTES``.

The walk (:func:`test_every_route_is_declared`) lists every URL pattern of the project (recursively,
through every ``include``) and every operation of the REST API: a route missing from ``ROUTES`` (or, for
the API, from its matrices in ``tests/api/test_access_matrix.py`` and ``tests/rectification/test_api.py``)
fails the test with the line to add. Then :func:`test_route` requests each declared route as each persona
(``tests/personas.py``), with the ids of real objects of 示范县 (a record, a staged upload, a stored run
and its evidence, a plan, a task with its milestone and evidence, a meeting and its decision, a bulletin,
a survey and an answer, a sampling draw and its school, an account, a department), and compares the
outcome with the row:

    ok     access granted: any answer but those below (a page, a redirect after an action, a 400 for
           the empty form the test posts)
    login  redirected to a login page (anonymous)
    403    may see the object but not do this
    404    the object does not exist for this person (the same answer as for an id that does not exist)
    405    the method is not allowed (checked before access)

Columns, in order: anonymous, 省督学 (province inspector), 市督学 (city inspector), 县督导 (county
supervisor of 示范县), 观察员 (observer of 示范县), 一小填报员 (school clerk of 示范县第一小学), 财政联络员
(department clerk of 示范县财政局, responsible for the task), 邻县督导 and 邻县填报员 (邻县's supervisor and
school clerk: another county of the same city).

Each request runs in its own transaction, rolled back, so an allowed action does not change what the
next person sees. The world is built once for the module. :func:`test_a_missing_id_is_a_404` holds the
other half of the doors' promise: an id that does not exist gets the same 404 as another unit's object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dudao.api.api import api
from tests.personas import SYSTEM, YEAR, build_world

PERSONAS = (
    "anonymous", "province_inspector", "city_inspector", "county_supervisor", "observer", "school_clerk",
    "department_clerk", "neighbour_supervisor", "neighbour_clerk",
)  # fmt: skip
STANDARD = "national-2017"
PERIOD = timezone.localdate().strftime("%Y-%m")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The usual rows. A route's row may also be written out.
PUBLIC = "ok ok ok ok ok ok ok ok ok"
SIGNED_IN = "login ok ok ok ok ok ok ok ok"
COUNTY_VIEW = "login ok ok ok ok 404 404 404 404"  # view on 示范县
COUNTY_REVIEW = "login 403 403 ok 403 404 404 404 404"  # review (or edit) on 示范县: its supervision office
COUNTY_INSPECT = "login ok ok ok 404 404 404 404 404"  # reports: inspect on 示范县, anyone else 404
REPORT_WRITE = "login 403 403 ok 404 404 404 404 404"  # the report's texts: the county's office writes, inspectors read
SCHOOL_VIEW = "login ok ok ok ok ok 404 404 404"  # view on 示范县第一小学
SCHOOL_EDIT = "login 403 403 ok 403 ok 404 404 404"  # edit on 示范县第一小学
AUDIT = "login ok ok ok 403 404 404 404 404"  # audit on 示范县
TASK_VIEW = "login ok ok ok ok 404 ok 404 404"  # the 财政局's task
TASK_REPORT = "login 403 403 403 403 404 ok 404 404"
TASK_REVIEW = "login 403 403 ok 403 404 403 404 404"
TASK_REPORT_OR_REVIEW = "login 403 403 ok 403 404 ok 404 404"
CITY_VIEW = "login ok ok 404 404 404 404 404 404"  # view on 示范市
BRIEFING_WRITE = "login 403 403 ok 404 404 404 404 404"  # review on 示范县; those who may not read it: 404
NOBODY = "404 404 404 404 404 404 404 404 404"
STAFF = "login login login login login login login login login"  # the Django admin: staff only


@dataclass(frozen=True)
class Route:
    method: str  # "get" or "post"
    url: Callable[[Any], str]  # the objects → the URL
    row: str  # one outcome per persona, in the order of PERSONAS
    data: dict[str, Any] | None = None  # the form posted (empty by default)

    def expected(self) -> tuple[str, ...]:
        cells = tuple(self.row.split())
        assert len(cells) == len(PERSONAS), "a row has one outcome per persona"
        return cells


def get(name: str, args: Callable[[Any], list[Any]] = lambda o: [], row: str = PUBLIC) -> Route:
    return Route("get", lambda o: reverse(name, args=args(o)), row)


def post(name: str, args: Callable[[Any], list[Any]] = lambda o: [], row: str = PUBLIC, **data: Any) -> Route:
    return Route("post", lambda o: reverse(name, args=args(o)), row, data or None)


def county(o: Any) -> list[Any]:
    return [o.w.county.code, YEAR]


def evaluation(o: Any) -> list[Any]:
    return [o.w.county.code, YEAR, STANDARD]


def code(o: Any) -> list[Any]:
    return [o.w.county.code]


ROUTES: dict[str, Route] = {
    # the work home, shortcuts, accounts, language
    "home": get("home", row=SIGNED_IN),
    "region_latest": get("region_latest", lambda o: [o.w.city.code], CITY_VIEW),
    "school_latest": get("school_latest", lambda o: [o.w.primary.code], SCHOOL_VIEW),
    "login": get("login"),
    "first_password": get("first_password", row="login login login login login login login login login"),
    "logout": post("logout", row="login login login login login login login login login"),  # to the login page
    "password_change": get("password_change", row=SIGNED_IN),
    "password_change_done": get("password_change_done", row=SIGNED_IN),
    "password_reset": get("password_reset"),
    "password_reset_done": get("password_reset_done"),
    "password_reset_confirm": get("password_reset_confirm", lambda o: ["MQ", "no-token"]),
    "password_reset_complete": get("password_reset_complete"),
    "set_language": post("set_language", language="en"),
    # the deployment's health (dudao.ops): public, the same answer for everyone
    "healthz": get("healthz"),
    # census
    "census:completeness": get("census:completeness", county, COUNTY_VIEW),
    # the county's office, and a school clerk for their own schools' rows
    "census:upload": get("census:upload", county, "login 403 403 ok 403 ok 404 404 404"),
    "census:preview": get("census:preview", lambda o: [*county(o), o.pending.token],
                          "login 403 403 ok 403 404 404 404 404"),
    "census:confirm": post("census:confirm", lambda o: [*county(o), o.pending.token], COUNTY_REVIEW),
    "census:discard": post("census:discard", lambda o: [*county(o), o.pending.token], COUNTY_REVIEW),
    "census:county_template": get("census:county_template", county, COUNTY_REVIEW),
    "census:templates": get("census:templates", lambda o: [YEAR], SIGNED_IN),
    "census:my_template": get("census:my_template", lambda o: [YEAR], "login 404 404 404 404 ok 404 404 ok"),
    "census:blank_template": get("census:blank_template", row=SIGNED_IN),
    "census:deadline": post("census:deadline", county, COUNTY_REVIEW),
    "census:lock": get("census:lock", county, COUNTY_REVIEW),
    "census:unlock": post("census:unlock", county, COUNTY_REVIEW),
    "census:remind": post("census:remind", county, COUNTY_REVIEW),
    "census:review": get("census:review", county, COUNTY_REVIEW),
    "census:approve_clean": post("census:approve_clean", county, COUNTY_REVIEW),
    "census:review_record": get("census:review_record", lambda o: [*county(o), o.record.pk], COUNTY_REVIEW),
    "census:decide": post("census:decide", lambda o: [*county(o), o.record.pk, "approve"], COUNTY_REVIEW),
    "census:school": get("census:school", lambda o: [o.w.primary.code, YEAR], SCHOOL_VIEW),
    "census:save": post("census:save", lambda o: [o.w.primary.code, YEAR, "primary"], SCHOOL_EDIT),
    "census:transition": post("census:transition", lambda o: [o.record.pk, "approve"],
                              "login 403 403 ok 403 403 404 404 404"),
    # evaluation
    "evaluation:items": get("evaluation:items", evaluation, COUNTY_VIEW),
    "evaluation:save_item": post("evaluation:save_item", lambda o: [*evaluation(o), "GG-01"], COUNTY_REVIEW),
    "evaluation:save_items": post("evaluation:save_items", evaluation, COUNTY_REVIEW),
    "evaluation:upload_evidence": post("evaluation:upload_evidence", lambda o: [*evaluation(o), "GG-01"],
                                       COUNTY_REVIEW),
    "evaluation:evaluate": post("evaluation:evaluate", evaluation, COUNTY_REVIEW),
    "evaluation:run": get("evaluation:run", lambda o: [o.run.pk], COUNTY_VIEW),
    "evaluation:evidence": get("evaluation:evidence", lambda o: [o.item_evidence.pk], COUNTY_VIEW),
    # overview
    "overview:county_latest": get("overview:county_latest", code, COUNTY_VIEW),
    "overview:county_switch": get("overview:county_switch", code, COUNTY_VIEW),
    "overview:county": get("overview:county", evaluation, COUNTY_VIEW),
    "overview:schools": get("overview:schools", evaluation, COUNTY_VIEW),
    "overview:balance": get("overview:balance", evaluation, COUNTY_VIEW),
    # planning (规划测算)
    "planning:forecast_latest": get("planning:forecast_latest", code, COUNTY_VIEW),
    "planning:forecast": get("planning:forecast", evaluation, COUNTY_VIEW),
    "overview:whatif": get("overview:whatif", evaluation, COUNTY_VIEW),
    "overview:whatif_compute": post("overview:whatif_compute", evaluation, COUNTY_VIEW),
    "planning:plan": get("planning:plan", evaluation, COUNTY_VIEW),
    "planning:plan_run": post("planning:plan_run", evaluation, COUNTY_REVIEW),
    # no stored plan in this world: the door answers 404 to everyone signed in (tests/planning has the rest)
    "planning:plan_items": post(
        "planning:plan_items", lambda o: [*evaluation(o), 1], "login 404 404 404 404 404 404 404 404"
    ),
    "overview:school": get("overview:school", lambda o: [o.w.primary.code, YEAR, STANDARD], SCHOOL_VIEW),
    "overview:region": get("overview:region", lambda o: [o.w.city.code, YEAR, STANDARD], CITY_VIEW),
    # the nation: the provinces one may view (a superuser: all), else none
    "overview:nation": get("overview:nation", lambda o: [YEAR, STANDARD], "login ok 404 404 404 404 404 404 404"),
    "overview:evaluate_county": post("overview:evaluate_county", evaluation, COUNTY_REVIEW),
    # planning (规划测算): the forecast's seats and projected compliance, for whoever may view the county
    "planning:seats": get("planning:seats", evaluation, COUNTY_VIEW),
    "planning:projected": get("planning:projected", evaluation, COUNTY_VIEW),
    # background jobs: one's own and those of the places one supervises (inspect)
    "jobs:list": get("jobs:list", row=SIGNED_IN),
    "jobs:detail": get("jobs:detail", lambda o: [o.job.pk], COUNTY_INSPECT),
    "jobs:status": get("jobs:status", lambda o: [o.job.pk], COUNTY_INSPECT),
    "jobs:result": get("jobs:result", lambda o: [o.job.pk], COUNTY_INSPECT),
    "jobs:evaluate": post("jobs:evaluate", lambda o: [o.w.city.code, YEAR, STANDARD], CITY_VIEW),
    "jobs:reports": post("jobs:reports", evaluation, "login ok ok ok 403 404 404 404 404"),
    "jobs:survey_export": post("jobs:survey_export", lambda o: [o.survey.pk], COUNTY_VIEW),
    # notifications: one's own
    "notifications:centre": get("notifications:centre", row=SIGNED_IN),
    "notifications:unread": get("notifications:unread", row=SIGNED_IN),
    "notifications:read": post("notifications:read", row=SIGNED_IN),
    "notifications:preferences": get("notifications:preferences", row=SIGNED_IN),
    # rectification
    "rectification:mine": get("rectification:mine", row=SIGNED_IN),
    "rectification:dashboard": get("rectification:dashboard", code, COUNTY_VIEW),
    "rectification:items": get("rectification:items", code, COUNTY_VIEW),
    "rectification:generate": post("rectification:generate", code, COUNTY_REVIEW),
    "rectification:add_item": post("rectification:add_item", code, "login ok ok ok 403 404 404 404 404"),  # inspect
    "rectification:bulletins": get("rectification:bulletins", code, COUNTY_VIEW),
    "rectification:bulletin": get("rectification:bulletin", lambda o: [o.bulletin.pk], COUNTY_VIEW),
    "rectification:plans": get("rectification:plans", code, COUNTY_VIEW),
    "rectification:plan": get("rectification:plan", lambda o: [o.plan.pk], COUNTY_VIEW),
    "rectification:add_task": post("rectification:add_task", lambda o: [o.plan.pk], COUNTY_REVIEW),
    "rectification:import_tasks": post("rectification:import_tasks", lambda o: [o.plan.pk], COUNTY_REVIEW),
    "rectification:export_tasks": get("rectification:export_tasks", lambda o: [o.plan.pk], COUNTY_VIEW),
    "rectification:task": get("rectification:task", lambda o: [o.task.pk], TASK_VIEW),
    "rectification:report": post("rectification:report", lambda o: [o.task.pk], TASK_REPORT),
    "rectification:accept": post("rectification:accept", lambda o: [o.task.pk], TASK_REVIEW),
    "rectification:return": post("rectification:return", lambda o: [o.task.pk], TASK_REVIEW),
    "rectification:edit": post("rectification:edit", lambda o: [o.task.pk], TASK_REVIEW),
    "rectification:add_milestone": post("rectification:add_milestone", lambda o: [o.task.pk], TASK_REVIEW),
    "rectification:milestone_done": post("rectification:milestone_done", lambda o: [o.milestone.pk],
                                         TASK_REPORT_OR_REVIEW),
    "rectification:close_item": post("rectification:close_item", lambda o: [o.item_task.pk], TASK_REVIEW),
    "rectification:evidence": get("rectification:evidence", lambda o: [o.task_evidence.pk], TASK_VIEW),
    "rectification:liaison": get("rectification:liaison", code, COUNTY_VIEW),
    "rectification:liaison_change": post("rectification:liaison_change", lambda o: [o.w.county.code, "leader"],
                                         COUNTY_REVIEW),
    "rectification:liaison_files": post("rectification:liaison_files", code, COUNTY_REVIEW),
    "rectification:liaison_evidence": get("rectification:liaison_evidence", lambda o: [o.liaison_evidence.pk],
                                          COUNTY_VIEW),
    "rectification:meetings": get("rectification:meetings", code, COUNTY_VIEW),
    "rectification:meeting": get("rectification:meeting", lambda o: [o.meeting.pk], COUNTY_VIEW),
    "rectification:add_decision": post("rectification:add_decision", lambda o: [o.meeting.pk], COUNTY_REVIEW),
    "rectification:decision_task": post("rectification:decision_task", lambda o: [o.decision.pk], COUNTY_REVIEW),
    # planning (规划测算): the forecast's inputs — births, known changes, grade history
    "planning:births": get("planning:births", code, COUNTY_VIEW),
    "planning:births_template": get("planning:births_template", lambda o: [o.w.county.code, "births"], COUNTY_VIEW),
    "planning:births_upload": post("planning:births_upload", code, COUNTY_REVIEW),
    "planning:births_confirm": post("planning:births_confirm", code, COUNTY_REVIEW),
    "planning:change_new": get("planning:change_new", code, COUNTY_REVIEW),
    "planning:change_edit": get("planning:change_edit", lambda o: [o.w.county.code, o.known_change.pk], COUNTY_REVIEW),
    "planning:change_delete": post(
        "planning:change_delete", lambda o: [o.w.county.code, o.known_change.pk], COUNTY_REVIEW
    ),
    # surveys
    "surveys:county": get("surveys:county", code, COUNTY_VIEW),
    "surveys:survey": get("surveys:survey", lambda o: [o.survey.pk], COUNTY_VIEW),
    "surveys:settings": post("surveys:settings", lambda o: [o.survey.pk], COUNTY_REVIEW),
    "surveys:close": post("surveys:close", lambda o: [o.survey.pk], COUNTY_REVIEW),
    "surveys:results": get("surveys:results", lambda o: [o.survey.pk], COUNTY_VIEW),
    "surveys:to_evaluation": post("surveys:to_evaluation", lambda o: [o.survey.pk], COUNTY_REVIEW),
    "surveys:review": post("surveys:review", lambda o: [o.survey.pk, o.response.pk], COUNTY_REVIEW),
    "surveys:sheets": get("surveys:sheets", lambda o: [o.survey.pk], COUNTY_VIEW),
    "surveys:sheets_all": get("surveys:sheets_all", lambda o: [o.survey.pk], COUNTY_VIEW),
    "surveys:sheet_school": get("surveys:sheet_school", lambda o: [o.survey.pk, o.w.primary.code], COUNTY_VIEW),
    "surveys:sheet_classes": get("surveys:sheet_classes", lambda o: [o.survey.pk, o.w.primary.code], COUNTY_VIEW),
    "surveys:questionnaire": get("surveys:questionnaire", lambda o: [o.survey.pk, "parent"], COUNTY_VIEW),
    "surveys:tokens": get("surveys:tokens", lambda o: [o.survey.pk, "parent"], COUNTY_REVIEW),
    "surveys:qr": get("surveys:qr", lambda o: [o.survey.pk, "parent", "svg"], COUNTY_VIEW),
    "surveys_public:public": get("surveys_public:public", lambda o: [o.survey.key, "parent"]),
    # reports
    "reports:home": get("reports:home", row=SIGNED_IN),
    "reports:county": get("reports:county", evaluation, COUNTY_INSPECT),
    "reports:report": get("reports:report", evaluation, COUNTY_INSPECT),
    "reports:annex": get("reports:annex", evaluation, COUNTY_INSPECT),
    "reports:note": get("reports:note", evaluation, COUNTY_INSPECT),  # county items missing: a note to read
    "reports:practice": get("reports:practice", evaluation, COUNTY_INSPECT),
    "reports:heading": post("reports:heading", evaluation, REPORT_WRITE),
    "reports:practice_text": post("reports:practice_text", lambda o: [*evaluation(o), o.practice.pk], REPORT_WRITE),
    "reports:template": get("reports:template", evaluation, COUNTY_INSPECT),
    "reports:pack": get("reports:pack", evaluation, COUNTY_INSPECT),
    "reports:draws": get("reports:draws", evaluation, COUNTY_INSPECT),
    "reports:draw": get("reports:draw", lambda o: [o.draw.pk], COUNTY_INSPECT),
    "reports:checklist": get("reports:checklist", lambda o: [o.draw.pk, o.sampled.pk], COUNTY_INSPECT),
    # evidence by indicator: seen by those who inspect 示范县, linked by its supervision office only
    "evidence:by_indicator": get("evidence:by_indicator", evaluation, COUNTY_INSPECT),
    "evidence:link": post("evidence:link", lambda o: [*evaluation(o), f"task-{o.task_evidence.pk}"],
                          "login 403 403 ok 404 404 404 404 404", codes="GG-01"),
    # administration
    "orgs:index": get("orgs:index", row="login ok ok ok ok 404 404 ok 404"),  # who administers a region
    "orgs:region": get("orgs:region", code, COUNTY_VIEW),
    "orgs:create_child": post("orgs:create_child", code, COUNTY_REVIEW),
    "orgs:rename": post("orgs:rename", lambda o: [o.w.town.code], COUNTY_REVIEW),
    "orgs:move": post("orgs:move", lambda o: [o.w.town.code], COUNTY_REVIEW, parent="139901"),
    "orgs:close": post("orgs:close", lambda o: [o.w.town.code], COUNTY_REVIEW),
    "orgs:create_department": post("orgs:create_department", code, COUNTY_REVIEW),
    "orgs:department": get("orgs:department", lambda o: [o.w.finance.pk], COUNTY_VIEW),
    "orgs:schools": get("orgs:schools", code, COUNTY_VIEW),
    "orgs:town_groups": get("orgs:town_groups", code, COUNTY_VIEW),
    "orgs:open_school": post("orgs:open_school", code, COUNTY_REVIEW),
    "orgs:register_import": get("orgs:register_import", code, COUNTY_REVIEW),
    "orgs:register_template": get("orgs:register_template", code, COUNTY_VIEW),
    "orgs:school": get("orgs:school", lambda o: [o.w.primary.code], COUNTY_VIEW),
    "orgs:change_school": post("orgs:change_school", lambda o: [o.w.primary.code], COUNTY_REVIEW),
    "orgs:end_school": post("orgs:end_school", lambda o: [o.w.primary.code, "close"], COUNTY_REVIEW),
    "orgs:accounts": get("orgs:accounts", code, "login 403 403 ok 403 404 404 404 404"),
    "orgs:create_account": post("orgs:create_account", code, COUNTY_REVIEW, unit="school:1399010001"),
    "orgs:accounts_import": get("orgs:accounts_import", code, COUNTY_REVIEW),
    "orgs:accounts_template": get("orgs:accounts_template", code, COUNTY_REVIEW),
    "orgs:account": get("orgs:account", lambda o: [o.w.school_clerk.pk], "login 404 404 ok 404 404 404 404 404"),
    "orgs:account_action": post("orgs:account_action", lambda o: [o.w.school_clerk.pk, "deactivate"],
                                "login 404 404 ok 404 404 404 404 404"),
    "orgs:audit": get("orgs:audit", code, AUDIT),
    # briefings: a county's (inspect to read, its office to write) and its city's calls (the city's inspectors)
    "briefings:county_latest": get("briefings:county_latest", code, COUNTY_INSPECT),
    "briefings:county": get("briefings:county", lambda o: [*code(o), PERIOD], COUNTY_INSPECT),
    "briefings:download": get("briefings:download", lambda o: [*code(o), PERIOD], COUNTY_INSPECT),
    "briefings:save": post("briefings:save", lambda o: [*code(o), PERIOD], BRIEFING_WRITE),
    "briefings:submit": post("briefings:submit", lambda o: [*code(o), PERIOD], BRIEFING_WRITE),
    "briefings:city": get("briefings:city", lambda o: [o.w.city.code], CITY_VIEW),
    "briefings:make_call": post("briefings:make_call", lambda o: [o.w.city.code], CITY_VIEW),
    "briefings:call": get("briefings:call", lambda o: [o.call.pk], CITY_VIEW),
    "briefings:call_zip": get("briefings:call_zip", lambda o: [o.call.pk], CITY_VIEW),
    "briefings:call_document": get("briefings:call_document", lambda o: [o.call.pk, o.w.county.code], CITY_VIEW),
    # the settings a result rests on, explained (any signed-in person)
    "evaluation:settings": get("evaluation:settings", lambda o: [STANDARD, "hebei"], SIGNED_IN),
    # the Django admin (every one of its routes; its index stands for them) and the API's own pages
    "admin:*": Route("get", lambda o: "/admin/", STAFF),
    "api:docs-asset": Route("get", lambda o: "/api/v1/docs/assets/swagger-ui.css", PUBLIC),
    "api:openapi-json": Route("get", lambda o: "/api/v1/openapi.json", PUBLIC),
    "api:openapi-view": Route("get", lambda o: "/api/v1/docs", PUBLIC),
    "api:api-root": Route("get", lambda o: "/api/v1/", NOBODY),
    "api:<^(?P<rest>.*)$>": Route("get", lambda o: "/api/v1/no-such-route", NOBODY),  # the API's own 404
}  # fmt: skip

# Routes that exist only with some settings (password reset needs mail that is delivered).
OPTIONAL = {"password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete"}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    """(key, pattern, view) of every URL pattern below ``patterns``; the key is ``namespace:name`` (a
    pattern without a name: ``namespace:<pattern>``)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            for key, pattern, view in _walk(entry.url_patterns, inner):
                yield key, f"{entry.pattern}{pattern}", view
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<{entry.pattern}>"
            yield ":".join(filter(None, [namespace, name])), str(entry.pattern), entry.callback


def _api_operations() -> set[tuple[str, str]]:
    document = api.get_openapi_schema(path_prefix="")
    return {(method.upper(), path) for path, methods in document["paths"].items() for method in methods}


def test_every_route_is_declared() -> None:
    """Every URL pattern is in ``ROUTES`` (the API's operations in their own matrices), and every
    declared route exists."""
    from tests.api.test_access_matrix import ENDPOINTS
    from tests.rectification.test_api import MATRIX

    api_operations = _api_operations()
    found: dict[str, str] = {}
    for key, pattern, view in _walk(get_resolver().url_patterns):
        if key.startswith("admin:"):
            key = "admin:*"
        if view.__module__ == "ninja.operation":
            continue  # an API operation: checked against the API's matrices below
        found.setdefault(key, pattern)
    missing = sorted(set(found) - set(ROUTES))
    assert not missing, "Declare these routes in ROUTES (tests/test_route_matrix.py), with each persona's outcome: " + (
        "; ".join(f"{key} ({found[key]})" for key in missing)
    )
    gone = sorted(set(ROUTES) - set(found) - OPTIONAL)
    assert not gone, f"ROUTES declares routes that do not exist: {gone}"
    declared = {(e.method, e.path) for e in ENDPOINTS.values()}
    declared |= {(method, "/rectification" + route) for method, route, _, _ in MATRIX.values()}
    undeclared = sorted(api_operations - declared)
    assert not undeclared, (
        "Declare these API operations in tests/api/test_access_matrix.py (ENDPOINTS) or, for /rectification, "
        f"tests/rectification/test_api.py (MATRIX): {undeclared}"
    )


# ---------------------------------------------------------------------------------------------
# The world, once for the module


@pytest.fixture(scope="module")
def objects(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    media = tmp_path_factory.mktemp("route-matrix-media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers):
        with transaction.atomic():
            yield _build()
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_in_tmp() -> None:
    """The module's files live in the module's MEDIA_ROOT (``objects``), not a folder per test."""


def _build() -> Any:
    from dudao.briefings.actions import call_briefings, submit_briefing
    from dudao.census.actions import save_record, submit
    from dudao.census.actions.uploads import stage_upload
    from dudao.evaluation.actions import attach_evidence, evaluate_county, set_county_item
    from dudao.jobs.actions import queue_reports
    from dudao.jobs.tasks import run_job
    from dudao.rectification import actions as rect
    from dudao.reports.actions import create_draw, save_practice
    from dudao.surveys import actions as surveys
    from dudao.surveys.models import Response
    from tests.api.conftest import census_csv
    from tests.engine.schools import JUNIOR, PRIMARY
    from tests.rectification.conftest import figures
    from tests.surveys.helpers import answers
    from tests.surveys.helpers import post as answer

    w = build_world()
    record = save_record(SYSTEM, w.primary, YEAR, "primary",
                         figures(PRIMARY, pe_art_teachers=2, teaching_aux_area_m2=2000)).record  # fmt: skip
    save_record(SYSTEM, w.junior, YEAR, "junior", figures(JUNIOR))
    submit(SYSTEM, record)
    run = evaluate_county(SYSTEM, w.county, YEAR, STANDARD)
    item = set_county_item(SYSTEM, w.county, YEAR, STANDARD, "GG-01", "是")
    item_evidence = attach_evidence(SYSTEM, item, SimpleUploadedFile("文件.pdf", PDF))
    pending = stage_upload(w.county_supervisor, w.county, YEAR, "示范县.csv", [census_csv(w.primary).read()])
    plan = rect.create_plan(SYSTEM, w.county, "示范县推进义务教育优质均衡发展工作方案", YEAR)
    deadline = rect.today() + dt.timedelta(days=90)
    task = rect.create_task(SYSTEM, plan, rect.TaskSpec("完成城区学校扩容", w.finance, deadline))
    milestone = rect.add_milestone(SYSTEM, task, "完成选址", deadline)
    report = rect.report_progress(SYSTEM, task, "资金已拨付", 50, files=[SimpleUploadedFile("拨付.pdf", PDF)])
    rect.generate_items(SYSTEM, w.county, YEAR, STANDARD)
    from dudao.rectification.models import RectificationItem

    item_task = RectificationItem.objects.filter(county=w.county, task__department=w.finance).first().task
    meeting = rect.record_meeting(SYSTEM, w.county, "第一次会商", rect.today(), "县长", "扩容")
    decision = rect.add_decision(SYSTEM, meeting, "研究扩容用地")
    leader = rect.add_leader(SYSTEM, w.county, "李明", "副县长")
    rect.link_school(SYSTEM, leader, w.primary)
    visit = rect.record_visit(SYSTEM, leader, w.primary, rect.today(), "调研大班额问题")
    (liaison_evidence,) = rect.attach_liaison_files(SYSTEM, visit, [SimpleUploadedFile("走访.pdf", PDF)])
    bulletin = rect.issue_bulletin(SYSTEM, w.county, rect.today() - dt.timedelta(days=30), rect.today())
    w.county.resident_population = 300_000
    w.county.save()
    survey = surveys.create_survey(w.county_supervisor, w.county, YEAR, "2025年示范县社会认可度调查")
    surveys.set_status(w.county_supervisor, survey, "open")
    answer(Client(), survey, answers(survey))
    draw = create_draw(SYSTEM, w.county, YEAR, STANDARD, 1, seed=7)
    practice = save_practice(SYSTEM, w.county, YEAR, "高位推动，强化保障", "成立领导小组。")
    call = call_briefings(SYSTEM, w.city, PERIOD, timezone.localdate() + dt.timedelta(days=7))
    submit_briefing(SYSTEM, w.county, PERIOD)
    job = queue_reports(w.county_supervisor, w.county, YEAR, STANDARD, with_pack=False)
    run_job.apply(args=[job.pk])  # done, with its .zip (the module's transaction never commits)
    from dudao.planning.models import KnownChange

    known_change = KnownChange.objects.create(county=w.county, name="新区小区", town=w.town, level="primary",
                                              from_year=YEAR + 2, pupils=60)  # fmt: skip
    sessions = {}
    for persona in PERSONAS[1:]:
        client = Client()
        client.force_login(getattr(w, persona))
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        w=w, sessions=sessions, record=record, run=run, item_evidence=item_evidence, pending=pending, plan=plan,
        task=task, milestone=milestone, task_evidence=report.evidence.get(), item_task=item_task, meeting=meeting,
        decision=decision, bulletin=bulletin, survey=survey, response=Response.objects.get(survey=survey),
        draw=draw, sampled=draw.schools.first(), practice=practice, call=call, job=job,
        liaison_evidence=liaison_evidence, known_change=known_change,
    )  # fmt: skip


def outcome(response: Any) -> str:
    """A response as a cell of the table (see the module's docstring)."""
    status = response.status_code
    if status in (301, 302) and "/login/" in response.get("Location", ""):
        return "login"
    if status in (401, 403, 404, 405) or status >= 500:
        return str(status)
    return "ok"


@pytest.mark.parametrize("name", list(ROUTES))
def test_route(objects: Any, db: None, name: str) -> None:
    route = ROUTES[name]
    try:
        url = route.url(objects)
    except NoReverseMatch:
        if name not in OPTIONAL:
            raise
        pytest.skip(f"{name} is not mounted with these settings")
    got = []
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":  # signed in once for the module; a fresh client keeps no cookie between routes
            client.cookies[settings.SESSION_COOKIE_NAME] = objects.sessions[persona]
        with transaction.atomic():
            response = getattr(client, route.method)(url, route.data or {})
            got.append(outcome(response))
            transaction.set_rollback(True)
    expected = route.expected()
    wrong = [f"{p}: got {g}, expected {e}" for p, g, e in zip(PERSONAS, got, expected, strict=True) if g != e]
    assert not wrong, f"{name} ({route.method.upper()} {url}): " + "; ".join(wrong)


# Every door answers a missing id as it answers another unit's object: 404 (the supervisor of 示范县, who
# sees all of 示范县, asks for ids that do not exist).
NO = 10**9
MISSING: dict[str, Callable[[Any], list[Any]]] = {
    "census:transition": lambda o: [NO, "approve"],
    "census:review_record": lambda o: [*county(o), NO],
    "census:preview": lambda o: [*county(o), "no-such-token"],
    "evaluation:run": lambda o: [NO],
    "evaluation:evidence": lambda o: [NO],
    "rectification:bulletin": lambda o: [NO],
    "rectification:plan": lambda o: [NO],
    "rectification:task": lambda o: [NO],
    "rectification:accept": lambda o: [NO],
    "rectification:milestone_done": lambda o: [NO],
    "rectification:close_item": lambda o: [NO],
    "rectification:evidence": lambda o: [NO],
    "rectification:meeting": lambda o: [NO],
    "rectification:liaison_evidence": lambda o: [NO],
    "rectification:decision_task": lambda o: [NO],
    "planning:change_edit": lambda o: [o.w.county.code, NO],
    "planning:change_delete": lambda o: [o.w.county.code, NO],
    "planning:births_template": lambda o: [o.w.county.code, "no-such-kind"],
    "surveys:survey": lambda o: [NO],
    "surveys:review": lambda o: [o.survey.pk, NO],
    "reports:draw": lambda o: [NO],
    "briefings:call": lambda o: [NO],
    "briefings:call_zip": lambda o: [NO],
    "briefings:call_document": lambda o: [NO, o.w.county.code],
    "reports:checklist": lambda o: [o.draw.pk, NO],
    "evidence:link": lambda o: [*evaluation(o), f"task-{NO}"],
    "jobs:detail": lambda o: [NO],
    "jobs:status": lambda o: [NO],
    "jobs:result": lambda o: [NO],
    "jobs:survey_export": lambda o: [NO],
    "orgs:department": lambda o: [NO],
    "orgs:account": lambda o: [NO],
}


@pytest.mark.parametrize("name", list(MISSING))
def test_a_missing_id_is_a_404(objects: Any, db: None, name: str) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = objects.sessions["county_supervisor"]
    url = reverse(name, args=MISSING[name](objects))
    assert getattr(client, ROUTES[name].method)(url).status_code == 404, url
