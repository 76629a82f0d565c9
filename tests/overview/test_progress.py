"""Long operations show progress: the city view's one-county evaluation (a form post or JSON, offered only
for the counties the person may evaluate; "evaluate all" is a background job, tests/jobs) and the census
upload sent with XMLHttpRequest, where the server must behave exactly as for a plain form post."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dudao.census import actions as census
from dudao.census.models import CensusRecord
from dudao.evaluation import actions
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Membership, Role
from dudao.sheets.template import write_rows
from tests.census.web import confirm, upload
from tests.engine.schools import PRIMARY
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for

STANDARD = "national-2017"
JSON = {"HTTP_ACCEPT": "application/json"}


def evaluate_url(code: str, year: int = YEAR, standard: str = STANDARD) -> str:
    return reverse("overview:evaluate_county", args=[code, year, standard])


def region_url(code: str) -> str:
    return reverse("overview:region", args=[code, YEAR, STANDARD])


def fill(school) -> CensusRecord:
    return census.save_record(
        SYSTEM, school, YEAR, "primary", {k: v for k, v in PRIMARY.items() if k != "school_type"}
    ).record


@pytest.fixture
def two_hats(world: World) -> User:
    """A city inspector of 示范市 who is also 示范县's supervisor (may evaluate 示范县 only)."""
    user = User.objects.create_user("市县督学", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.CITY_INSPECTOR, region=world.city)
    Membership.objects.create(user=user, role=Role.COUNTY_SUPERVISOR, region=world.county)
    return user


def test_the_endpoint_evaluates_and_returns_the_summary_and_the_rows(world: World) -> None:
    fill(world.primary)
    response = client_for(world.county_supervisor, **JSON).post(evaluate_url(world.county.code), {"layout": "city"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    run = EvaluationRun.objects.get()
    assert run.created_by == world.county_supervisor
    assert data["ok"] is True and data["run"] == run.pk and data["summary"] == run.summary
    assert data["status"] == "evaluated" and data["passed"] is run.passed
    assert set(data["rows"]) == {"county-table", "cv-table"}
    for html in data["rows"].values():
        assert html.startswith(f'<tr data-county="{world.county.code}"') and html.endswith("</tr>")
        assert "已评估" in html and "所属市" not in html and world.city.name not in html
    # the province layout has the city column
    data = client_for(world.county_supervisor, **JSON).post(evaluate_url(world.county.code), {"layout": "province"})
    assert world.city.name in data.json()["rows"]["county-table"]


def test_a_county_without_data_gets_the_error_in_both_languages(world: World) -> None:
    response = client_for(world.county_supervisor, **JSON).post(evaluate_url(world.county.code))
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False and data["code"] == "no_records"
    assert data["error"] == data["message_zh"] == f"示范县{YEAR}学年没有学校统计数据，无法评估"
    assert data["message_en"] == f"{world.county.code} has no census records for {YEAR}; nothing to evaluate"
    english = client_for(world.county_supervisor, HTTP_ACCEPT_LANGUAGE="en", **JSON)
    assert english.post(evaluate_url(world.county.code)).json()["error"] == data["message_en"]
    assert not EvaluationRun.objects.exists()


def test_without_javascript_the_form_posts_and_comes_back(world: World, two_hats: User) -> None:
    county = client_for(two_hats)
    back = region_url(world.city.code)
    # an error comes back as a message on the page
    page = county.post(evaluate_url(world.county.code), {"next": back}, follow=True)
    assert page.redirect_chain == [(back, 302)] and f"示范县：示范县{YEAR}学年没有学校统计数据，无法评估" in page.text
    fill(world.primary)
    page = county.post(evaluate_url(world.county.code), {"next": back}, follow=True)
    assert "示范县 已重新评估" in page.text and EvaluationRun.objects.count() == 1
    # somewhere else is not followed: back to the county's city
    response = county.post(evaluate_url(world.county.code), {"next": "https://example.com/"})
    assert response.status_code == 302 and response.url == back
    # 邻县 is seen (through the city), not reviewed: evaluating it is not theirs to do (F13)
    fill(world.neighbour_school)
    assert county.post(evaluate_url(world.neighbour.code), {"next": back}).status_code == 403
    assert actions.latest_run(world.neighbour, YEAR, STANDARD) is None


def test_bad_addresses_and_methods(world: World) -> None:
    fill(world.primary)
    county = client_for(world.county_supervisor, **JSON)
    assert county.get(evaluate_url(world.county.code)).status_code == 405
    assert county.post(evaluate_url(world.county.code, year=1900)).status_code == 404
    assert county.post(evaluate_url(world.county.code, standard="nonsense")).status_code == 404
    assert county.post(evaluate_url(world.county.code, standard="preschool-2020")).status_code == 404
    assert county.post(evaluate_url(world.city.code)).status_code == 404  # not theirs, and not a county
    assert county.post(evaluate_url(world.town.code)).status_code == 404  # a town is not evaluated
    assert not EvaluationRun.objects.exists()
    # CSRF protects the endpoint like any form
    strict = Client(enforce_csrf_checks=True, **JSON)
    strict.login(username=world.county_supervisor.username, password=PASSWORD)
    assert strict.post(evaluate_url(world.county.code)).status_code == 403


def test_evaluate_all_offers_the_counties_whose_result_is_out_of_date(world: World, two_hats: User) -> None:
    fill(world.primary)
    fill(world.neighbour_school)
    html = client_for(two_hats).get(region_url(world.city.code)).text
    section = html.split('id="evaluate"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<li data-county="(\d+)"', section) == [world.county.code]  # 邻县 is not theirs
    assert f'action="{evaluate_url(world.county.code)}"' in section
    # "evaluate all" is one form post that queues one background job (tests/jobs)
    all_url = reverse("jobs:evaluate", args=[world.city.code, YEAR, STANDARD])
    assert f'action="{all_url}"' in section and "全部评估（1 个，后台进行）" in section
    # the city inspector only reads: how many results are waiting, and no way to store one (F13)
    city = client_for(world.city_inspector)
    waiting = city.get(region_url(world.city.code)).text
    assert 'id="evaluate"' not in waiting and "2 个县（市、区）的评估结果尚未生成或待更新" in waiting
    assert city.post(evaluate_url(world.neighbour.code), **JSON).status_code == 403
    assert not EvaluationRun.objects.exists()
    # once evaluated, nothing left to offer; when the data changes, it is offered again as stale
    client_for(two_hats, **JSON).post(evaluate_url(world.county.code))
    assert actions.latest_run(world.county, YEAR, STANDARD).created_by == two_hats
    assert 'id="evaluate"' not in client_for(two_hats).get(region_url(world.city.code)).text
    record = CensusRecord.objects.get(school=world.primary)
    census.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 490}, expected_version=record.version)
    html = client_for(two_hats).get(region_url(world.city.code)).text
    assert "已过期（数据有变化）" in html.split('id="evaluate"', 1)[1].split("</section>", 1)[0]


def test_a_county_without_census_records_is_not_offered(world: World, two_hats: User) -> None:
    html = client_for(two_hats).get(region_url(world.city.code)).text
    assert 'id="evaluate"' not in html


# --- census upload ------------------------------------------------------------------------------


def _file(tmp_path, rows: list[dict]) -> bytes:
    path = tmp_path / "schools.xlsx"
    write_rows(path, rows)
    return path.read_bytes()


def _row(code: str, name: str, **figures: object) -> dict:
    return {"school_code": code, "school_name": name, "school_type": "primary", "level": "primary",
            "location": "urban", "ownership": "public", "students": 500, "teachers": 30, **figures}  # fmt: skip


def _post(client: Client, world: World, content: bytes, xhr: bool) -> Any:
    """The upload, as a plain form post or as progress.js sends it: the same answer (a file with problems
    lists them on the upload page; a good one is redirected to its preview)."""
    headers = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "*/*"} if xhr else {}
    response = upload(client, world.county.code, YEAR, content, **headers)
    assert response.status_code == 200
    return response


def _main(response: Any) -> str:
    """The preview's problems, without what differs between two uploads (token, expiry)."""
    section = response.content.decode().split('id="upload-problems"', 1)[1].split("</section>", 1)[0]
    section = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", section)
    return re.sub(r"/import/[\w-]+/", "/import/TOKEN/", section)


def test_the_upload_page_shows_progress_and_falls_back_to_a_plain_form(world: World) -> None:
    html = client_for(world.county_supervisor).get(reverse("census:upload", args=[world.county.code, YEAR])).text
    form = html.split('<form method="post" enctype="multipart/form-data"', 1)[1].split("</form>", 1)[0]
    assert "data-upload-progress" in form and 'name="file"' in form and 'type="submit"' in form
    assert '<progress id="upload-bar"' in html and 'id="upload-status" role="status" aria-live="polite"' in html
    assert 'data-validating="上传完成，正在检查文件……"' in html and "dudao/progress.js" in html


def test_the_server_answers_an_xhr_upload_exactly_as_a_form_post(world: World, tmp_path) -> None:
    county = client_for(world.county_supervisor)
    bad = _file(
        tmp_path,
        [_row(world.primary.code, "示范县第一小学", students=-5), _row(world.junior.code, "一中", teachers=-1)],
    )
    plain, xhr = _post(county, world, bad, xhr=False), _post(county, world, bad, xhr=True)
    assert _main(plain) == _main(xhr) and "发现 2 处错误，未导入任何数据" in _main(xhr)
    assert not CensusRecord.objects.exists()
    good = _file(tmp_path, [_row(world.primary.code, "示范县第一小学")])
    done = confirm(county, _post(county, world, good, xhr=True))
    assert "新建 1 条" in done.content.decode() and CensusRecord.objects.get().students == 500
    again = confirm(county, _post(county, world, good, xhr=False))
    assert "未变 1 条" in again.content.decode() and CensusRecord.objects.count() == 1
