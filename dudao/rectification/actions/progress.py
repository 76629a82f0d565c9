"""Progress on a task: the department's report with evidence, and the supervision office's
acceptance or return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, user_of
from dudao.errors import Both
from dudao.evidence import save_with_file
from dudao.notifications import notify
from dudao.notifications.models import Kind
from dudao.notifications.recipients import clerks, supervisors
from dudao.rectification.actions.common import (
    RectificationError,
    Status,
    _event,
    _require_task,
    check_files,
    check_text,
)
from dudao.rectification.actions.tasks import (
    task_url,
)
from dudao.rectification.models import (
    ProgressReport,
    Task,
    TaskEvent,
    TaskEvidence,
)


def _check_percent(percent: Any) -> int:
    try:
        value = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise RectificationError(
            "bad_percent", gettext_lazy("完成进度“%(percent)s”不是 0–100 的整数"), percent=percent
        ) from None
    if not 0 <= value <= 100:
        raise RectificationError("bad_percent", gettext_lazy("完成进度 %(value)s 应在 0–100 之间"), value=value)
    return value


def report_progress(
    actor: Actor, task: Task, text: str, percent: Any, done: bool = False, files: Sequence[File] = ()
) -> ProgressReport:
    """A progress report of the responsible department (text, percent, evidence files); ``done``
    reports the task completed (100 %), for the supervision office to accept or return. Every file
    is checked before anything is stored: one bad file refuses the whole report."""
    _require_task(actor, task, "report")
    text = check_text(text, "进展情况", "the progress text", 5000)
    value = 100 if done else _check_percent(percent)
    checked = check_files(files)
    if done and not checked and not task.reports.filter(evidence__isnull=False).exists():
        raise RectificationError("evidence_required", gettext_lazy("报告完成须上传佐证材料（如验收报告、照片、文件）"))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status in (Status.SUBMITTED, Status.ACCEPTED):
            label = locked.get_status_display()
            raise RectificationError(
                "bad_state",
                gettext_lazy("任务当前为“%(label)s”，不能再报送进展；如需补充，请联系督导室退回"),
                label=Both(label, locked.status),
            )
        now = timezone.now()
        report = ProgressReport.objects.create(task=locked, text=text, percent=value, done=done, user=user_of(actor))
        for f, c in checked:
            doc = TaskEvidence(report=report)
            doc.describe(c, user_of(actor))
            save_with_file(doc, f, c)
        locked.percent, locked.progress, locked.reported_at = value, text, now
        locked.status = Status.SUBMITTED if done else Status.IN_PROGRESS
        if done:
            locked.submitted_at = now
        locked.save()
        _event(locked, TaskEvent.Action.DONE if done else TaskEvent.Action.REPORT, actor, text,
               percent=value, files=[c.name for _, c in checked], report=report.pk)  # fmt: skip
        if done:
            zh = f"{locked.department.name}报告任务已完成，请验收：{locked.title[:80]}"
            en = f"{locked.department.name} reports a task done; please accept or return it: {locked.title[:80]}"
            notify(supervisors(locked.county), Kind.TASK_SUBMITTED, f"task_submitted:{report.pk}", zh, en,
                   task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return report


def accept_task(actor: Actor, task: Task, note: str = "") -> Task:
    """The supervision office accepts a task reported done."""
    _require_task(actor, task, "review")
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
        if locked.status != Status.SUBMITTED:
            raise RectificationError(
                "bad_state",
                gettext_lazy("任务当前为“%(locked_get_status_display)s”，只有“待验收”的任务可以验收"),
                locked_get_status_display=Both(locked.get_status_display(), locked.status),
            )
        locked.status, locked.accepted_at, locked.return_reason = Status.ACCEPTED, timezone.now(), ""
        locked.save()
        event = _event(locked, TaskEvent.Action.ACCEPT, actor, note.strip())
        zh, en = f"任务已验收通过：{locked.title[:80]}", f"Task accepted: {locked.title[:80]}"
        notify(clerks([locked.department_id]), Kind.TASK_ACCEPTED, f"task_accepted:{event.pk}", zh, en,
               task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return task


def return_task(actor: Actor, task: Task, reason: str) -> Task:
    """The supervision office returns a task reported done (or accepted) with a reason; the
    department reports again."""
    _require_task(actor, task, "review")
    reason = check_text(reason, "退回原因", "a reason", 2000)
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
        if locked.status not in (Status.SUBMITTED, Status.ACCEPTED):
            raise RectificationError(
                "bad_state",
                gettext_lazy("任务当前为“%(locked_get_status_display)s”，只有“待验收”或“已完成”的任务可以退回"),
                locked_get_status_display=Both(locked.get_status_display(), locked.status),
            )
        locked.status, locked.return_reason = Status.RETURNED, reason
        locked.accepted_at = locked.submitted_at = None
        locked.save()
        event = _event(locked, TaskEvent.Action.RETURN, actor, reason)
        zh = f"任务被督导室退回（原因：{reason[:100]}）：{locked.title[:60]}"
        en = f"Task returned by the supervision office (reason: {reason[:100]}): {locked.title[:60]}"
        notify(clerks([locked.department_id]), Kind.TASK_RETURNED, f"task_returned:{event.pk}", zh, en,
               task_url(locked))  # fmt: skip
    task.refresh_from_db()
    return task
