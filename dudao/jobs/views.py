"""The background jobs page (后台任务): the jobs a person asked for and those of the places they supervise,
each with its state, progress and error; a job's own page with each county's outcome and its result
file; the small JSON endpoint jobs.js polls for progress; and the two POSTs that queue a job for a city or
province (evaluate every out-of-date county, write every county's reports into one .zip)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.actors import person
from dudao.jobs import actions
from dudao.jobs.access import access_job, visible_jobs
from dudao.jobs.actions import JobError
from dudao.jobs.models import Job
from dudao.orgs.access import Permission, access_region
from dudao.orgs.models import Region
from dudao.overview.cockpit import evaluable_standard
from dudao.overview.views.county import valid_year
from dudao.parsing import local_path
from dudao.surveys.access import access_survey

SHOWN = 100  # jobs on the page, newest first


def _english() -> bool:
    return (get_language() or "").startswith("en")


def status(job: Job) -> dict[str, Any]:
    """What the page and jobs.js show of a job."""
    return {
        "id": job.pk, "state": job.state, "label": job.get_state_display(), "done": job.done, "total": job.total,
        "percent": job.percent, "active": job.active, "error": job.error, "attempts": job.attempts,
        "failed_items": len(job.failed_items()), "url": reverse("jobs:detail", args=[job.pk]),
    }  # fmt: skip


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(visible_jobs(request.user)[:SHOWN])
    return render(request, "jobs/list.html", {"jobs": jobs, "active": any(j.active for j in jobs)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    language = "en" if _english() else "zh"
    done = {o["county"]: {**o, "message": o.get(f"message_{language}", "")} for o in job.outcomes}
    counties = Region.objects.in_bulk(job.counties())
    pending = _("等待中") if job.active else _("未完成")
    outcomes = [
        done.get(pk) or {"code": counties[pk].code, "name": counties[pk].name, "ok": None, "message": pending}
        for pk in job.counties()
        if pk in done or pk in counties
    ]
    return render(request, "jobs/detail.html", {"job": job, "outcomes": outcomes})


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(status(access_job(request.user, pk)))


@login_required
def result(request: HttpRequest, pk: int) -> FileResponse:
    job = access_job(request.user, pk)
    if job.state != Job.State.DONE or not job.result:
        raise Http404
    name = job.result_name or str(job.result.name).rsplit("/", 1)[-1]
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=name)


def _queued(
    request: HttpRequest, place_code: str, year: int, standard_id: str, queue: Any, perm: Permission = "view"
) -> HttpResponse:
    place = access_region(request.user, place_code, perm)
    if not valid_year(year) or evaluable_standard(standard_id) is None:
        raise Http404
    back = local_path(request, request.POST.get("next")) or reverse("jobs:list")
    try:
        job = queue(person(request.user), place, year, standard_id)
    except JobError as error:
        messages.error(request, error.text())
        return redirect(back)
    messages.success(request, _("已提交后台任务：%(job)s，共 %(n)s 个县（市、区）。") % {"job": job, "n": job.total})
    return redirect(back)


@login_required
@require_POST
def evaluate(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """Queue one job evaluating every out-of-date county below the place that the person may evaluate."""
    return _queued(request, code, year, standard_id, actions.queue_evaluation)


@login_required
@require_POST
def reports(request: HttpRequest, code: str, year: int, standard_id: str) -> HttpResponse:
    """Queue one job writing the reports (and evidence packs) of every county below the place into a .zip."""
    with_pack = request.POST.get("pack", "1") != "0"

    def queue(actor: Any, place: Any, year: int, standard_id: str) -> Job:
        return actions.queue_reports(actor, place, year, standard_id, with_pack=with_pack)

    return _queued(request, code, year, standard_id, queue, "inspect")


@login_required
@require_POST
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue one job writing the survey's result tables into a .zip."""
    job = actions.queue_survey_export(person(request.user), access_survey(request.user, pk))
    messages.success(request, _("已提交后台任务：%(job)s。") % {"job": job})
    return redirect("jobs:detail", pk=job.pk)
