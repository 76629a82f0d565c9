"""On-site sampling: a stratified draw with a recorded seed (same run and seed → same schools),
weighted to failing schools on request; the printable checklist shows the reported values; an
inspector's finding becomes a rectification item; only the supervisor and inspectors see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dudao.engine.result import School
from dudao.evaluation.actions import current_run
from dudao.rectification.models import RectificationItem
from dudao.reports import actions, sampling
from dudao.reports.models import Finding, SampledSchool, SamplingDraw
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import STANDARD, Rect


def schools(n: int) -> list[School]:
    return [
        School(school_code=f"S{i:03d}", school_name=f"学校{i}", school_type="primary",
               level="primary" if i % 3 else "junior", location=("urban", "town", "rural")[i % 4 % 3],
               ownership="public", students=100, part_of_whole=False, source_row=i + 2, indicators={},
               met_count=None, indicator_count=7, passed=i % 5 != 0, reasons=[])
        for i in range(n)
    ]  # fmt: skip


def test_the_draw_is_stratified_and_the_same_seed_gives_the_same_schools() -> None:
    pool = schools(300)
    drawn, strata = sampling.draw_schools(pool, 3, seed=42)
    assert sorted((s["level"], s["location"]) for s in strata) == sorted({(s.level, s.location) for s in pool})
    assert all(s["drawn"] == 3 for s in strata) and len(drawn) == 3 * len(strata)
    for s in drawn:
        assert sum(1 for x in drawn if (x.level, x.location) == (s.level, s.location)) == 3
    assert sampling.draw_schools(list(reversed(pool)), 3, seed=42)[0] == drawn  # order of the input is irrelevant
    assert sampling.draw_schools(pool, 3, seed=43)[0] != drawn


def test_weighting_draws_failing_schools_more_often() -> None:
    pool = schools(300)
    failing = {s.school_code for s in pool if not s.passed}

    def share(weight: float) -> float:
        hits = total = 0
        for seed in range(60):
            drawn, _ = sampling.draw_schools(pool, 3, seed, weight)
            hits += sum(1 for s in drawn if s.school_code in failing)
            total += len(drawn)
        return hits / total

    assert share(10) > share(1) + 0.2


def draws_url(code: str = "139901") -> str:
    return reverse("reports:draws", args=[code, YEAR, STANDARD])


def test_an_inspector_draws_and_records_a_finding_that_becomes_an_item(stored: Rect) -> None:
    world = stored.world
    inspector = client_for(world.city_inspector)
    response = inspector.post(draws_url(), {"per_stratum": "1", "seed": "20251", "failing_weight": "3"})
    draw = SamplingDraw.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:draw", args=[draw.pk])
    assert draw.seed == 20251 and draw.run == current_run(world.county, YEAR, STANDARD) and sampling.reproduce(draw)
    run_schools = {(s["school_code"], s["level"]) for s in draw.run.result["schools"]}
    assert {(s.school_code, s.level) for s in draw.schools.all()} <= run_schools
    page = inspector.get(reverse("reports:draw", args=[draw.pk]))
    assert page.status_code == 200 and "20251" in page.text and "结果一致" in page.text
    sampled = SampledSchool.objects.filter(draw=draw, school_name="示范县第一小学").first() or draw.schools.first()
    checklist = reverse("reports:checklist", args=[draw.pk, sampled.pk])
    page = inspector.get(checklist)
    reported = sampling.school_result(sampled).indicators["L1"]
    assert page.status_code == 200 and f"{reported.value:.2f}" in page.text and "L1" in page.text
    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    form = {"indicator": "L3", "text": "体育教师实际在岗2人，与填报不符", "observed": "2", "target": "补足体育教师",
            "department": str(stored.bureau.pk), "deadline": deadline}  # fmt: skip
    assert inspector.post(checklist, form).status_code == 302
    finding = Finding.objects.get()
    item = finding.item
    assert item.source == RectificationItem.Source.INSPECTION and item.indicator == "L3"
    assert item.school.code == sampled.school_code and item.task.department == stored.bureau
    assert finding.observed == 2.0 and "体育教师实际在岗2人" in inspector.get(checklist).text
    bad = inspector.post(checklist, {**form, "deadline": "soon"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text and Finding.objects.count() == 1
    # the county's own supervisor sees the draw but does not draw its own sample
    assert client_for(world.county_supervisor).get(reverse("reports:draw", args=[draw.pk])).status_code == 200
    assert client_for(world.county_supervisor).post(draws_url(), {"per_stratum": "1"}).status_code == 403


@pytest.mark.parametrize(
    ("form", "text"),
    [({"per_stratum": "0"}, "每层抽取校数应在1至50之间"), ({"per_stratum": "x"}, "请填写整数"),
     ({"per_stratum": "1", "failing_weight": "99"}, "未达标学校权重应在1至10之间"),
     ({"per_stratum": "1", "seed": "-1"}, "随机种子应为非负整数")],
)  # fmt: skip
def test_bad_draw_parameters_are_refused(stored: Rect, form: dict, text: str) -> None:
    response = client_for(stored.world.province_inspector).post(draws_url(), form)
    assert response.status_code == 400 and text in response.text and not SamplingDraw.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("county_supervisor", 200), ("city_inspector", 200), ("province_inspector", 200), ("observer", 404),
     ("school_clerk", 404), ("department_clerk", 404), ("neighbour_supervisor", 404)],
)  # fmt: skip
def test_sampling_pages_are_for_the_supervisor_and_the_inspectors(stored: Rect, who: str, expected: int) -> None:
    draw = actions.create_draw(SYSTEM, stored.world.county, YEAR, STANDARD, 1, seed=7)
    client = client_for(getattr(stored.world, who))
    sampled = draw.schools.first()
    for url in (draws_url(), reverse("reports:draw", args=[draw.pk]),
                reverse("reports:checklist", args=[draw.pk, sampled.pk])):  # fmt: skip
        assert client.get(url).status_code == expected
    assert client.get(reverse("reports:checklist", args=[draw.pk, 999999])).status_code == 404


def test_the_draws_list_has_a_pinned_query_count(stored: Rect, django_assert_num_queries) -> None:
    for seed in range(3):
        actions.create_draw(SYSTEM, stored.world.county, YEAR, STANDARD, 1, seed=seed)
    client = client_for(stored.world.province_inspector)
    client.get(draws_url())
    with django_assert_num_queries(5):
        assert client.get(draws_url()).status_code == 200


def test_the_demo_resets_with_a_draw_and_a_finding(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    from dudao.orgs.models import Department, Region

    call_command("seed_demo", stdout=StringIO())
    county = Region.objects.get(code="130135")
    draw = actions.create_draw(SYSTEM, county, 2025, STANDARD, 1, seed=1)
    bureau = Department.objects.filter(county=county).first()
    deadline = dt.date.today() + dt.timedelta(days=30)
    actions.record_finding(SYSTEM, draw.schools.first(), "核验发现", "整改", bureau, deadline, "L1", "3")
    call_command("seed_demo", "--reset", stdout=StringIO())
    assert not SamplingDraw.objects.exists() and not Finding.objects.exists()
