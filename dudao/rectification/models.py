"""Rectification (对标整改) and the departments' task lists (部门任务清单).

- :class:`WorkPlan` — a county's work plan (工作方案) with its document number, year and goal, or
  one of the lists the system keeps per county and year: the rectification list (对标整改清单, the
  tasks of the evaluation's shortfalls and of inspectors' findings) and the follow-up list of
  consultation-meeting decisions (会商决定事项).
- :class:`Task` — one task of a plan for a responsible department or town government (责任单位),
  with cooperating units (配合单位), a deadline, milestones, the indicators it serves, progress
  reports with evidence files, and its status: 未开始 → 推进中 → 待验收 (reported done) → 已完成
  (accepted by the supervision office) or 已退回 (returned with a reason) → 推进中 again.
- :class:`RectificationItem` — a measurable shortfall (整改事项: "为XX小学补充2名体育艺术专任教师")
  with its own task; from the evaluation it is closed by a later run that shows the target met.
- :class:`TaskEvent` — the timeline of a task (and its item); never edited, never deleted.
- Leaders' liaison schools (:class:`Leader`, :class:`LiaisonSchool`, :class:`Visit`,
  :class:`PracticalMatter`, their evidence files :class:`LiaisonEvidence`), consultation meetings
  (:class:`Meeting`, :class:`Decision`),
  and :class:`Bulletin` (notifications: :mod:`dudao.notifications`).

Every change goes through :mod:`dudao.rectification.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.evaluation.models import EvaluationRun
from dudao.evidence import StoredFile
from dudao.orgs.models import Department, Region, School

USER = settings.AUTH_USER_MODEL


class WorkPlan(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", _("工作方案")
        RECTIFICATION = "rectification", _("对标整改清单")
        MEETING = "meeting", _("会商决定事项")

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="work_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.PLAN)
    title = models.CharField(_("方案名称"), max_length=200)
    doc_no = models.CharField(_("文号"), max_length=64, blank=True)
    goal = models.TextField(_("工作目标"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")
        ordering = ["-year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "kind"], condition=~Q(kind="plan"), name="work_plan_one_list_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        SUBMITTED = "submitted", _("待验收")
        ACCEPTED = "accepted", _("已完成")
        RETURNED = "returned", _("已退回")

    OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED)

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="tasks")
    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveIntegerField(_("序号"))
    title = models.TextField(_("任务"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("责任单位")
    )
    cooperating = models.ManyToManyField(
        Department, blank=True, related_name="cooperating_tasks", verbose_name=_("配合单位")
    )
    # The town the task concerns: the town government responsible, or the town of the school.
    town = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deadline = models.DateField(_("完成时限"))
    indicators = models.JSONField(_("服务指标"), default=list, blank=True)  # indicator codes, e.g. ["L3"]
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    progress = models.TextField(_("进展情况"), blank=True)  # the latest report's text
    return_reason = models.TextField(_("退回原因"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)  # the latest report
    submitted_at = models.DateTimeField(null=True, blank=True)  # reported done
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="task_number_in_plan")]
        indexes = [models.Index(fields=["county", "status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:40]}"


class Milestone(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("节点时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    done = models.BooleanField(_("报告完成"), default=False)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.percent}%"


class TaskEvidence(StoredFile):
    """A supporting document (佐证材料) of a progress report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="rectification/%Y/", max_length=255)

    class Meta(StoredFile.Meta):
        pass


class RectificationItem(models.Model):
    class Source(models.TextChoices):
        EVALUATION = "evaluation", _("评估短板")
        MANUAL = "manual", _("县级录入")
        INSPECTION = "inspection", _("督导检查发现")

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        MET = "met", _("已达标")
        CLOSED = "closed", _("已销号")
        VOID = "void", _("已撤销")

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="rectification_items")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="item")
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # From the evaluation: "school:<code>:<level>:<indicator>" or "cv:<level>:<indicator>"; one open
    # item per key and standard, so generating again never duplicates. Empty for other sources.
    key = models.CharField(max_length=64, blank=True)
    standard_id = models.CharField(_("评估标准"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("学年"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    school_name = models.CharField(_("学校名称"), max_length=100, blank=True)  # as named when the item was made
    level = models.CharField(_("学段"), max_length=8, blank=True)
    indicator = models.CharField(_("指标"), max_length=16, blank=True)
    finding = models.TextField(_("问题"), blank=True)
    finding_en = models.TextField(blank=True)  # the engine's English wording, for evaluation items
    target = models.TextField(_("整改目标"))
    target_en = models.TextField(blank=True)
    gap = models.FloatField(_("差距"), null=True, blank=True)
    gap_unit = models.CharField(max_length=12, blank=True)  # the engine's unit, or "cv"
    value = models.FloatField(_("现值"), null=True, blank=True)
    threshold = models.FloatField(_("标准值"), null=True, blank=True)
    opened_run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    # Closed by a run: what changed, {"indicator", "old": {...}, "new": {...}, "runs": [old, new]}.
    close_data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "standard_id", "key"],
                condition=Q(status="open") & ~Q(key=""),
                name="rectification_item_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.target


class TaskEvent(models.Model):
    """One step in a task's (and its item's) life."""

    class Action(models.TextChoices):
        CREATE = "create", _("下达任务")
        EDIT = "edit", _("修改任务")
        REPORT = "report", _("报送进展")
        DONE = "done", _("报告完成")
        ACCEPT = "accept", _("验收通过")
        RETURN = "return", _("退回")
        MILESTONE = "milestone", _("节点完成")
        ITEM_UPDATED = "item_updated", _("评估差距变化")
        ITEM_MET = "item_met", _("评估显示已达标")
        ITEM_CLOSED = "item_closed", _("整改事项销号")
        ITEM_VOID = "item_void", _("整改事项撤销")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"


# ---------------------------------------------------------------------------------------------
# Leaders' liaison schools and things done for schools


class Leader(models.Model):
    """A county leader (县领导) who keeps in touch with some schools (挂钩联系学校)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=32)
    post = models.CharField(_("职务"), max_length=64)
    schools = models.ManyToManyField(School, through="LiaisonSchool", related_name="+")

    class Meta:
        verbose_name = _("县领导")
        verbose_name_plural = _("县领导")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="leader_unique_name")]

    def __str__(self) -> str:
        return f"{self.post} {self.name}"


class LiaisonSchool(models.Model):
    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="links")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("联系起始日期"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["leader", "school"], name="liaison_unique")]

    def __str__(self) -> str:
        return f"{self.leader_id} · {self.school_id}"


class Visit(models.Model):
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="visits")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("走访日期"))
    note = models.TextField(_("走访情况"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.note[:20]}"


class PracticalMatter(models.Model):
    """A practical matter handled for a school (为学校办实事)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("办理中")
        DONE = "done", _("已办结")

    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="matters")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("实事"), max_length=200)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["year", "pk"]

    def __str__(self) -> str:
        return self.title


class LiaisonEvidence(StoredFile):
    """A supporting document (佐证材料: photos, minutes) of a leader's visit or of a practical matter,
    exactly one of the two."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    matter = models.ForeignKey(
        PracticalMatter, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="liaison/%Y/", max_length=255)

    class Meta(StoredFile.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=True, matter__isnull=False) | Q(visit__isnull=False, matter__isnull=True),
                name="liaison_evidence_one_owner",
            )
        ]


# ---------------------------------------------------------------------------------------------
# Consultation meetings


class Meeting(models.Model):
    """A consultation meeting (会商), e.g. the quarterly bureau–district consultation."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.TextField(_("参会人员"))  # one per line: 姓名 单位职务
    topics = models.TextField(_("会商议题"))  # one per line
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会商")
        verbose_name_plural = _("会商")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))
    task = models.OneToOneField(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="decision")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="decision_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


# ---------------------------------------------------------------------------------------------
# Bulletins


class Bulletin(models.Model):
    """A bulletin (督导通报) for a period, generated once as .docx and kept as issued."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("期号"))
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    file = models.FileField(upload_to="bulletins/%Y/", max_length=255)
    overdue_units = models.JSONField(default=list)  # the units named as overdue
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督导通报")
        verbose_name_plural = _("督导通报")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "number"], name="bulletin_number")]

    def __str__(self) -> str:
        return self.title
