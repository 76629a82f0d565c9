"""What each kind of job does, item by item (one county at a time), reporting each item's outcome to
``progress`` as it goes. An item already in ``job.outcomes`` is not done again, so a retried or
redelivered job takes up where it stopped (idempotent)."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from dudao.actors import Actor, system
from dudao.census.actions.uploads import confirm_upload
from dudao.census.models import PendingImport
from dudao.census.views_import import imported_message
from dudao.engine import InputError
from dudao.errors import ActionError
from dudao.evaluation.actions import evaluate_county, latest_run, stored_run
from dudao.jobs.models import Job
from dudao.orgs.models import Region
from dudao.reports.actions import county_template
from dudao.reports.annex import annex_xlsx
from dudao.reports.content import file_names, report_data
from dudao.reports.document import report_docx
from dudao.reports.pack import pack_entries, stream_pack
from dudao.surveys import results
from dudao.surveys.models import Survey

Progress = Callable[[dict[str, Any]], None]


def actor_of(job: Job) -> Actor:
    """The person who asked (their permissions are checked again as each item is done), else the system."""
    return job.requested_by or system(f"job {job.pk}")


def _both(text: Callable[[], str]) -> dict[str, str]:
    out = {}
    for language in ("zh", "en"):
        with override(language):
            out[f"message_{language}"] = text()
    return out


def outcome(county: Region, ok: bool, message: Callable[[], str], **more: Any) -> dict[str, Any]:
    """One item's outcome, its message in both languages (the page shows the reader's)."""
    return {"county": county.pk, "code": county.code, "name": county.name, "ok": ok, **_both(message), **more}


def refused(county: Region, error: Exception) -> dict[str, Any]:
    if isinstance(error, ActionError):
        return {"county": county.pk, "code": county.code, "name": county.name, "ok": False,
                "message_zh": error.message_zh, "message_en": error.message_en}  # fmt: skip
    return outcome(county, False, lambda: _("无权操作该县（市、区）"))


def _verdict(passed: bool | None) -> str:
    return _("已评估：达标") if passed is True else _("已评估：未达标") if passed is False else _("已评估：未判定")


def _evaluate_one(actor: Actor, county: Region, job: Job) -> dict[str, Any]:
    try:
        with transaction.atomic():
            # One evaluation of a county at a time: a county another worker is evaluating raises
            # OperationalError here (PostgreSQL), and the job is retried later (dudao.jobs.tasks).
            Region.objects.select_for_update(nowait=True).filter(pk=county.pk).first()
            previous = latest_run(county, job.year, job.standard_id)
            if previous is not None and not previous.is_stale():
                return outcome(county, True, lambda: _("已是最新"), passed=previous.passed)
            province = previous.province if previous else None
            run = evaluate_county(actor, county, job.year, job.standard_id, province=province)
    except (ActionError, PermissionDenied) as error:
        return refused(county, error)
    return outcome(county, True, lambda: _verdict(run.passed), passed=run.passed, run=run.pk)


def evaluate(job: Job, progress: Progress) -> None:
    """Evaluate each county of the job that is not done yet."""
    actor, done = actor_of(job), {o["county"] for o in job.outcomes}
    counties = Region.objects.in_bulk(job.counties())
    for pk in job.counties():
        if pk not in done and pk in counties:
            progress(_evaluate_one(actor, counties[pk], job))


def _folder(county: Region) -> str:
    return f"{county.code} {county.name}".replace("/", "／")


def _write_county(zf: zipfile.ZipFile, county: Region, job: Job) -> dict[str, Any]:
    try:
        data = report_data(stored_run(county, job.year, job.standard_id))
        docx_name, xlsx_name = file_names(data)
        own = county_template(county)
        if own is None:
            document = report_docx(data)
        else:
            with own.file.open("rb") as template:
                document = report_docx(data, template)
    except ActionError as error:
        return refused(county, error)
    folder = _folder(county)
    zf.writestr(f"{folder}/{docx_name}", document)
    zf.writestr(f"{folder}/{xlsx_name}", annex_xlsx(data))
    files = 0
    if job.params.get("pack", True):
        entries = pack_entries(county, job.year, job.standard_id)
        with zf.open(f"{folder}/佐证材料.zip", "w") as out:
            for chunk in stream_pack(county, job.year, entries):
                out.write(chunk)
        files = len(entries)
    return outcome(county, True, lambda: _("报告、附表已生成，佐证材料 %(n)s 份") % {"n": files})


def reports(job: Job, progress: Progress) -> None:
    """Every county's report, annex and evidence pack into one .zip, kept as the job's result (written anew
    when the job runs again: a half-written zip is never kept)."""
    job.outcomes = []
    counties = Region.objects.in_bulk(job.counties())
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
            for pk in job.counties():
                if pk in counties:
                    progress(_write_county(zf, counties[pk], job))
        _keep(job, tmp, f"{job.region.name}-{job.year}-自查自评报告.zip")


def census_import(job: Job, progress: Progress) -> None:
    """Import the staged census file as previewed. Done once: the staged file is dropped by the import, and a
    second import of the same plan would be refused (its digest no longer matches the data)."""
    if job.outcomes:
        return
    county = job.region
    pending = PendingImport.objects.filter(pk=job.params["pending"]).select_related("county").first()
    if pending is None or job.requested_by is None:  # an upload is always someone's
        progress(outcome(county, False, lambda: _("待导入的文件已不存在（已导入、已放弃或已过期）")))
        return
    try:
        result = confirm_upload(job.requested_by, pending, job.params["digest"])
    except (ActionError, PermissionDenied) as error:
        progress(refused(county, error))
        return
    except InputError as error:
        progress({**outcome(county, False, lambda: _("预览之后数据已有变化，文件不再能导入，未写入任何数据")),
                  "problems": len(error.problems)})  # fmt: skip
        return
    progress(outcome(county, True, lambda: imported_message(result)))


def _keep(job: Job, tmp: IO[bytes], name: str) -> None:
    """The finished file as the job's result (``tmp`` written to its end)."""
    tmp.seek(0)
    job.result.save(name, File(tmp, name=name), save=False)
    job.result_name = name
    Job.objects.filter(pk=job.pk).update(result=job.result.name, result_name=name)


def survey_export(job: Job, progress: Progress) -> None:
    """Every table of the survey's results page, one .xlsx each, in one .zip (written anew if run again)."""
    job.outcomes = []
    survey = Survey.objects.select_related("county").get(pk=job.params["survey"])
    res = results.compute(survey)
    tables = [results.rate_table(res), *results.progress_tables(survey), *results.question_tables(survey, res),
              results.text_table(res), results.flagged_table(survey)]  # fmt: skip
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for number, table in enumerate(tables, 1):
                zf.writestr(f"{number:02d} {table.title}.xlsx".replace("/", "／"), table.to_xlsx())
        _keep(job, tmp, f"{survey.title}-调查结果.zip")
    progress(outcome(job.region, True, lambda: _("已导出 %(n)s 张表") % {"n": len(tables)}))


WORK: dict[str, Callable[[Job, Progress], None]] = {
    Job.Kind.EVALUATE: evaluate,
    Job.Kind.REPORTS: reports,
    Job.Kind.IMPORT: census_import,
    Job.Kind.SURVEY_EXPORT: survey_export,
}
