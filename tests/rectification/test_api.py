"""The REST API for tasks and progress (/api/v1/rectification): the same access rules as the pages,
the usual error bodies and pagination."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from dudao.api.api import api
from dudao.api.models import ApiToken
from dudao.rectification import actions
from dudao.rectification.models import ProgressReport, Task
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for

API = "/api/v1/rectification"


@pytest.fixture
def tasks(rect: Rect, settings, tmp_path) -> dict[str, Task]:
    settings.MEDIA_ROOT = tmp_path
    plan = plan_of(rect.world)
    return {
        "finance": task_for(plan, rect.finance, title="落实经费", cooperating=[rect.hr]),
        "overdue": task_for(plan, rect.development, days=-4, title="第八小学立项"),
        "section": task_for(plan, rect.personnel, title="核定编制"),
    }


def client(user) -> Client:
    c = client_for(user)
    return c


def bearer(user) -> dict[str, str]:
    name = f"test {ApiToken.objects.filter(user=user).count()}"
    return {"Authorization": f"Bearer {ApiToken.issue(user, name)[1]}"}


def test_a_clerk_lists_and_reads_only_their_tasks(rect: Rect, tasks: dict[str, Task]) -> None:
    response = Client().get(f"{API}/tasks", headers=bearer(rect.finance_clerk))
    body = response.json()
    assert response.status_code == 200 and body["count"] == 1
    task = body["items"][0]
    assert (task["title"], task["department"], task["state"], task["cooperating"]) == (
        "落实经费", "示范县财政局", "on_time", ["示范县人力资源和社会保障局"]
    )  # fmt: skip
    other = Client().get(f"{API}/tasks/{tasks['overdue'].pk}", headers=bearer(rect.finance_clerk))
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_the_county_filters_by_state_and_pages(rect: Rect, tasks: dict[str, Task]) -> None:
    county = client(rect.world.county_supervisor)
    assert county.get(f"{API}/tasks").json()["count"] == 3
    overdue = county.get(f"{API}/tasks", {"state": "overdue"}).json()
    assert [t["title"] for t in overdue["items"]] == ["第八小学立项"]
    page = county.get(f"{API}/tasks", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert county.get(f"{API}/tasks", {"county": rect.world.neighbour.code}).json()["count"] == 0
    bad = county.get(f"{API}/tasks", {"state": "late"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"
    assert client(rect.world.neighbour_supervisor).get(f"{API}/tasks").json()["count"] == 0


def test_progress_with_a_file_then_acceptance(rect: Rect, tasks: dict[str, Task]) -> None:
    task = tasks["finance"]
    clerk = Client()
    headers = bearer(rect.finance_clerk)
    response = clerk.post(
        f"{API}/tasks/{task.pk}/progress",
        {"text": "预算已批复", "percent": 100, "done": "true", "files": [SimpleUploadedFile("批复.pdf", PDF)]},
        headers=headers,
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["done"] is True and report["evidence"][0]["name"] == "批复.pdf"
    accepted = Client().post(f"{API}/tasks/{task.pk}/accept", {"note": "材料齐全"}, content_type="application/json",
                             headers=bearer(rect.world.county_supervisor))  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["state"] == "done"
    timeline = Client().get(f"{API}/tasks/{task.pk}/timeline", headers=headers).json()
    assert [e["action"] for e in timeline] == ["create", "done", "accept"]


@pytest.mark.parametrize(
    ("who", "path", "body", "status", "code"),
    [
        ("finance_clerk", "accept", {}, 403, "forbidden"),
        ("hr_clerk", "progress", {"text": "x", "percent": 10}, 403, "forbidden"),
        ("neighbour_clerk", "progress", {"text": "x", "percent": 10}, 404, "not_found"),
        ("county_supervisor", "accept", {}, 422, "bad_state"),
        ("county_supervisor", "return", {"reason": " "}, 400, "required"),
        ("finance_clerk", "progress", {"text": "x", "percent": 100, "done": "true"}, 422, "evidence_required"),
        ("finance_clerk", "progress", {"text": "x", "percent": 150}, 400, "invalid_request"),
        ("finance_clerk", "progress", {"text": " ", "percent": 10}, 400, "required"),
        ("finance_clerk", "progress", {"percent": 10}, 400, "invalid_request"),
    ],
)
def test_refusals_have_the_usual_body_and_write_nothing(
    rect: Rect, tasks: dict[str, Task], who: str, path: str, body: dict, status: int, code: str
) -> None:
    user = getattr(rect, who, None) or getattr(rect.world, who)
    url = f"{API}/tasks/{tasks['finance'].pk}/{path}"
    if path == "progress":
        response = Client().post(url, body, headers=bearer(user))
    else:
        response = Client().post(url, body, content_type="application/json", headers=bearer(user))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message_zh"]
    assert not ProgressReport.objects.exists()
    assert Task.objects.get(pk=tasks["finance"].pk).status == "assigned"


def test_a_bad_file_is_refused_with_its_code(rect: Rect, tasks: dict[str, Task], settings) -> None:
    url = f"{API}/tasks/{tasks['finance'].pk}/progress"
    bad = Client().post(url, {"text": "x", "percent": 10, "files": [SimpleUploadedFile("a.exe", b"MZ..")]},
                        headers=bearer(rect.finance_clerk))  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "bad_file_type"
    settings.DUDAO_EVIDENCE_MAX_BYTES = 16
    big = Client().post(url, {"text": "x", "percent": 10, "files": [SimpleUploadedFile("a.pdf", PDF)]},
                        headers=bearer(rect.finance_clerk))  # fmt: skip
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    assert not ProgressReport.objects.exists()


def test_anonymous_is_401(tasks: dict[str, Task]) -> None:
    response = Client().get(f"{API}/tasks")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_the_openapi_document_lists_the_endpoints(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/rectification/tasks", "/api/v1/rectification/tasks/{task_id}/progress"} <= set(paths)


def test_the_reports_list_names_the_evidence(rect: Rect, tasks: dict[str, Task]) -> None:
    task = tasks["finance"]
    actions.report_progress(SYSTEM, task, "进展", 30, files=[SimpleUploadedFile("照片.pdf", PDF)])
    reports = Client().get(f"{API}/tasks/{task.pk}/reports", headers=bearer(rect.hr_clerk)).json()
    assert reports[0]["evidence"][0]["name"] == "照片.pdf" and reports[0]["percent"] == 30


# ---------------------------------------------------------------------------------------------
# Every role × every endpoint × three tasks: 财政局's in 示范县 (人社局 cooperates), 发改局's in 示范县,
# and 邻县财政局's. List rows give ``200/n`` (a list holds only what may be seen).

ROLES = {
    "anonymous": None, "province_inspector": "world", "city_inspector": "world", "county_supervisor": "world",
    "observer": "world", "school_clerk": "world", "finance_clerk": "rect", "hr_clerk": "rect",
    "neighbour_supervisor": "world", "neighbour_clerk": "rect",
}  # fmt: skip
TARGETS = ("own", "other", "neighbour")
READ = """
    anonymous             401 401 401
    province_inspector    200 200 200
    city_inspector        200 200 200
    county_supervisor     200 200 404
    observer              200 200 404
    school_clerk          404 404 404
    finance_clerk         200 404 404
    hr_clerk              200 404 404
    neighbour_supervisor  404 404 200
    neighbour_clerk       404 404 200
"""
REPORT = """
    anonymous             401 401 401
    province_inspector    403 403 403
    city_inspector        403 403 403
    county_supervisor     403 403 404
    observer              403 403 404
    school_clerk          404 404 404
    finance_clerk         201 404 404
    hr_clerk              403 404 404
    neighbour_supervisor  404 404 403
    neighbour_clerk       404 404 201
"""
REVIEW = """
    anonymous             401 401 401
    province_inspector    403 403 403
    city_inspector        403 403 403
    county_supervisor     200 200 404
    observer              403 403 404
    school_clerk          404 404 404
    finance_clerk         403 404 404
    hr_clerk              403 404 404
    neighbour_supervisor  404 404 200
    neighbour_clerk       404 404 403
"""
LIST = """
    anonymous             401
    province_inspector    200/3
    city_inspector        200/3
    county_supervisor     200/2
    observer              200/2
    school_clerk          200/0
    finance_clerk         200/1
    hr_clerk              200/1
    neighbour_supervisor  200/1
    neighbour_clerk       200/1
"""
# (method, route, grid, body); review calls find the task reported done (with a file)
MATRIX = {
    "list": ("GET", "/tasks", LIST, None),
    "get": ("GET", "/tasks/{task_id}", READ, None),
    "reports": ("GET", "/tasks/{task_id}/reports", READ, None),
    "timeline": ("GET", "/tasks/{task_id}/timeline", READ, None),
    "progress": ("POST", "/tasks/{task_id}/progress", REPORT, {"text": "进展", "percent": 20}),
    "accept": ("POST", "/tasks/{task_id}/accept", REVIEW, {"note": ""}),
    "return": ("POST", "/tasks/{task_id}/return", REVIEW, {"reason": "材料不全"}),
}


def _grid(text: str) -> dict[str, list[str]]:
    rows = {line.split()[0]: line.split()[1:] for line in text.strip().splitlines()}
    assert list(rows) == list(ROLES)
    return rows


@pytest.fixture
def targets(rect: Rect, settings, tmp_path) -> dict[str, Task]:
    settings.MEDIA_ROOT = tmp_path
    plan = plan_of(rect.world)
    neighbour_plan = actions.create_plan(SYSTEM, rect.world.neighbour, "邻县工作方案", 2025)
    return {
        "own": task_for(plan, rect.finance, title="落实经费", cooperating=[rect.hr]),
        "other": task_for(plan, rect.development, title="第八小学立项"),
        "neighbour": task_for(neighbour_plan, rect.neighbour_finance, title="邻县经费"),
    }


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(MATRIX))
def test_access_matrix(rect: Rect, targets: dict[str, Task], name: str, role: str) -> None:
    method, route, grid, body = MATRIX[name]
    expected = _grid(grid)[role]
    owner = ROLES[role]
    user = None if owner is None else getattr(rect if owner == "rect" else rect.world, role)
    headers = bearer(user) if user is not None else {}
    if name in ("accept", "return"):
        for task in targets.values():
            actions.report_progress(SYSTEM, task, "已完成", 100, done=True, files=[SimpleUploadedFile("a.pdf", PDF)])
    got = []
    for target, cell in zip(TARGETS if len(expected) == 3 else ("own",), expected, strict=True):
        url = API + route.format(task_id=targets[target].pk)
        with transaction.atomic():
            if method == "GET":
                response = Client().get(url, headers=headers)
            elif name == "progress":
                response = Client().post(url, body, headers=headers)
            else:
                response = Client().post(url, body, content_type="application/json", headers=headers)
            got.append(f"200/{response.json()['count']}" if "/" in cell and response.status_code == 200
                       else str(response.status_code))  # fmt: skip
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message_zh", "message_en", "details"}
            transaction.set_rollback(True)
    assert got == expected, f"{role} on {name}"


def test_every_rectification_operation_has_a_row() -> None:
    document = api.get_openapi_schema(path_prefix="")
    operations = {(m.upper(), p) for p, ms in document["paths"].items() for m in ms if p.startswith("/rectification/")}
    assert operations == {(method, "/rectification" + route) for method, route, _, _ in MATRIX.values()}
