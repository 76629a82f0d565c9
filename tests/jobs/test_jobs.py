"""Background jobs in the queue's eager mode (no broker: a job runs in-process once its transaction
commits, ADR 0020/0028): the city view's "evaluate all" as one job, the reports of many counties as a
.zip, who sees which job, and the beat schedule's tasks. The same jobs on a real worker against Redis:
tests/jobs/test_worker.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.census.models import CensusRecord, ImportBatch, PendingImport
from dudao.evaluation.actions import evaluate_county, set_county_item
from dudao.evaluation.models import EvaluationRun
from dudao.jobs.actions import JobError, queue_evaluation, queue_reports
from dudao.jobs.models import Job
from dudao.jobs.tasks import run_job
from dudao.rectification.tasks import send_task_reminders
from dudao.surveys import actions as surveys
from tests.api.conftest import census_csv
from tests.census.web import confirm, upload
from tests.jobs.helpers import STANDARD, city_supervisor, evaluate_url, fill, region_url
from tests.personas import SYSTEM, YEAR, World, client_for
from tests.surveys.helpers import answers
from tests.surveys.helpers import post as answer


def test_evaluate_all_is_one_post_that_queues_one_job(world: World, django_capture_on_commit_callbacks: Any) -> None:
    fill(world.primary)
    fill(world.neighbour_school)
    user = city_supervisor(world)
    page = client_for(user).get(region_url(world)).content.decode()
    assert f'action="{evaluate_url(world)}"' in page and "全部评估（2 个，后台进行）" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(evaluate_url(world), {"next": region_url(world)})
    assert response.status_code == 302 and response["Location"] == region_url(world)
    job = Job.objects.get()
    assert (job.kind, job.state, job.done, job.total, job.attempts) == ("evaluate", "done", 2, 2, 1)
    assert job.requested_by == user and job.region == world.city and job.finished_at is not None
    assert sorted(o["code"] for o in job.outcomes) == [world.county.code, world.neighbour.code]
    assert all(o["ok"] and o["message_zh"].startswith("已评估") for o in job.outcomes)
    runs = EvaluationRun.objects.filter(year=YEAR, standard_id=STANDARD)
    assert {r.county_id for r in runs} == {world.county.pk, world.neighbour.pk}
    assert {r.created_by for r in runs} == {user}  # evaluated as the person who asked, with their permission
    event = AuditEvent.objects.get(verb="job.queue")
    assert event.actor == user and event.target_id == str(job.pk) and event.data == {"kind": "evaluate", "counties": 2}
    # the page comes back with the message; nothing is left to evaluate
    page = client_for(user).get(region_url(world)).content.decode()
    assert 'id="evaluate-all"' not in page and "更新中" not in page
    status = client_for(user).get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "done" and (status["done"], status["total"], status["percent"]) == (2, 2, 100)


def test_a_running_job_shows_the_stored_result_marked_updating(world: World) -> None:
    fill(world.primary)
    user = city_supervisor(world)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    set_county_item(SYSTEM, world.county, YEAR, STANDARD, "GG-01", "是")  # the data changed: stale
    job = queue_evaluation(user, world.city, YEAR, STANDARD)  # not committed: the job waits in the queue
    assert job.state == "queued" and job.counties() == [world.county.pk]
    page = client_for(world.city_inspector).get(region_url(world)).content.decode()
    assert f'id="updating-{job.pk}"' in page and reverse("jobs:status", args=[job.pk]) in page
    assert "已过期（数据有变化） · 更新中" in page and "dudao/jobs.js" in page
    assert "0 / 1" in page
    cockpit = reverse("overview:county", args=[world.county.code, YEAR, STANDARD])
    page = client_for(world.county_supervisor).get(cockpit).content.decode()
    assert 'id="updating"' in page and "后台任务正在重新评估本县" in page and 'id="cockpit-title"' in page
    # the county is not offered again, and a second job for it is refused
    assert 'id="evaluate-all"' not in client_for(user).get(region_url(world)).content.decode()
    with pytest.raises(JobError) as refused:
        queue_evaluation(user, world.city, YEAR, STANDARD)
    assert refused.value.code == "nothing_to_evaluate"


def test_who_sees_a_job(world: World) -> None:
    fill(world.primary)
    job = queue_evaluation(world.county_supervisor, world.county, YEAR, STANDARD)
    for person, seen in [
        (world.county_supervisor, True), (world.city_inspector, True), (world.province_inspector, True),
        (world.observer, False), (world.neighbour_supervisor, False), (world.school_clerk, False),
    ]:  # fmt: skip
        client = client_for(person)
        listed = f'id="job-{job.pk}"' in client.get(reverse("jobs:list")).content.decode()
        detail = client.get(reverse("jobs:detail", args=[job.pk])).status_code
        status = client.get(reverse("jobs:status", args=[job.pk])).status_code
        assert (listed, detail, status) == ((True, 200, 200) if seen else (False, 404, 404)), person.username
    assert client_for(None).get(reverse("jobs:list")).status_code == 302


def test_nothing_to_evaluate_is_said_and_queues_nothing(world: World) -> None:
    user = city_supervisor(world)
    response = client_for(user).post(evaluate_url(world), {"next": region_url(world)}, follow=True)
    assert "没有需要您评估的县（市、区），或已在更新中" in response.content.decode()
    assert not Job.objects.exists()
    # an inspector without review on any county: refused the same way (the page offers them nothing)
    response = client_for(world.city_inspector).post(evaluate_url(world), follow=True)
    assert "没有需要您评估的县" in response.content.decode() and not Job.objects.exists()


def test_the_reports_of_every_county_as_one_zip(world: World, django_capture_on_commit_callbacks: Any) -> None:
    fill(world.primary)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    client = client_for(world.city_inspector)
    page = client.get(region_url(world)).content.decode()
    assert reverse("jobs:reports", args=[world.city.code, YEAR, STANDARD]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:reports", args=[world.city.code, YEAR, STANDARD]))
    job = Job.objects.get()
    assert (job.kind, job.state, job.done, job.total) == ("reports", "done", 2, 2)
    by_code = {o["code"]: o for o in job.outcomes}
    assert by_code[world.county.code]["ok"] and by_code[world.county.code]["message_zh"].startswith("报告、附表已生成")
    assert not by_code[world.neighbour.code]["ok"]  # no census: no report, and the job says why
    assert "没有学校统计数据" in by_code[world.neighbour.code]["message_zh"]
    detail = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "邻县" in detail and "没有学校统计数据" in detail and reverse("jobs:result", args=[job.pk]) in detail
    download = client.get(reverse("jobs:result", args=[job.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    folder = f"{world.county.code} 示范县/"
    assert any(n.startswith(folder) and n.endswith(".docx") for n in names)
    assert any(n.startswith(folder) and n.endswith(".xlsx") for n in names)
    assert folder + "佐证材料.zip" in names and not any(n.startswith(world.neighbour.code) for n in names)
    # the county supervisor does not supervise the city: the city's job does not exist for them
    assert client_for(world.county_supervisor).get(reverse("jobs:result", args=[job.pk])).status_code == 404


def test_queue_reports_needs_inspect(world: World) -> None:
    with pytest.raises(JobError) as refused:
        queue_reports(world.observer, world.county, YEAR, STANDARD)
    assert refused.value.code == "nothing_to_report"


def test_the_beat_schedule_runs_the_reminders_and_the_due_deliveries() -> None:
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule == {
        "dudao.evaluation.jobs.refresh_stale",
        "dudao.rectification.tasks.send_task_reminders",
        "dudao.notifications.tasks.deliver_due_notifications",
    }  # each known to the worker: tests/jobs/test_worker.py


def test_the_reminders_task_runs_as_the_command_did(world: World) -> None:
    assert send_task_reminders.delay().get() == {"due_soon": 0, "overdue": 0, "digests": 0}


def test_a_large_census_file_is_imported_in_the_background(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Above DUDAO_IMPORT_BACKGROUND_BYTES the confirmation queues a job; the preview is the same page."""
    settings.DUDAO_IMPORT_BACKGROUND_BYTES = 1  # every file is "large" here
    client = client_for(world.county_supervisor)
    content = census_csv(world.primary, "示范县第一小学", students=1010).read()
    preview = upload(client, world.county.code, YEAR, content, "示范县.csv")
    assert preview.status_code == 200 and "digest" in preview.context
    with django_capture_on_commit_callbacks(execute=True):
        page = confirm(client, preview)
    job = Job.objects.get()
    assert page.redirect_chain[-1][0] == reverse("jobs:detail", args=[job.pk])
    assert "文件较大，已在后台导入" in page.content.decode()
    job.refresh_from_db()
    assert (job.kind, job.state, job.done, job.total, job.region) == ("import", "done", 1, 1, world.county)
    (result,) = job.outcomes
    assert result["ok"] and result["message_zh"].startswith("已导入 示范县.csv：新建 1 条")
    batch = ImportBatch.objects.get()  # imported as the person who uploaded it
    assert (batch.filename, batch.user, batch.created) == ("示范县.csv", world.county_supervisor, 1)
    assert not PendingImport.objects.exists()  # the staged file is dropped, as after a confirmation in the request
    assert AuditEvent.objects.filter(verb="job.queue", data__file="示范县.csv").exists()
    # run again (a redelivery): nothing imported twice
    run_job.apply(args=[job.pk])
    assert CensusRecord.objects.filter(school=world.primary, year=YEAR).count() == 1


def test_a_small_census_file_is_still_imported_in_the_request(world: World) -> None:
    client = client_for(world.county_supervisor)
    preview = upload(client, world.county.code, YEAR, census_csv(world.primary, "示范县第一小学").read(), "示范县.csv")
    page = confirm(client, preview)
    assert "已导入 示范县.csv" in page.content.decode() and not Job.objects.exists()


def test_a_survey_s_results_exported_as_a_job(world: World, django_capture_on_commit_callbacks: Any) -> None:
    survey = surveys.create_survey(world.county_supervisor, world.county, YEAR, "示范县社会认可度调查")
    surveys.set_status(world.county_supervisor, survey, "open")
    answer(Client(), survey, answers(survey))
    page = client_for(world.observer).get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert reverse("jobs:survey_export", args=[survey.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.observer).post(reverse("jobs:survey_export", args=[survey.pk]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.state, job.done, job.requested_by) == ("survey_export", "done", 1, world.observer)
    download = client_for(world.observer).get(reverse("jobs:result", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert names[0].startswith("01 ") and all(n.endswith(".xlsx") for n in names) and len(names) >= 4
    assert archive.read(names[0])[:2] == b"PK"  # each table a workbook
    # another county's supervisor does not see the survey: no job for them
    assert (
        client_for(world.neighbour_supervisor).post(reverse("jobs:survey_export", args=[survey.pk])).status_code == 404
    )
