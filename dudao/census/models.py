"""The yearly census: one record per school (per level part, or one whole-school record for a
one-through school) per school year, in the engine's field names, with its review status and a
full history of every value.

Figures are stored exactly (Decimal for areas and money, integers for counts); ``None`` means "not
given". The workflow: draft → submitted → approved, or returned (with a reason) → submitted again; the
county locks a year, after which any change needs an unlock with a reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.census.fields import CENSUS_FIELDS
from dudao.orgs.models import Region, School, SchoolYear

# A census figure as stored: an IntegerField's int or a DecimalField's Decimal; None where not given.
Figure: TypeAlias = int | Decimal | None


class CensusYear(models.Model):
    """A county's census for one school year: its deadline and whether it is locked."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="census_years")
    year = models.PositiveSmallIntegerField(_("学年"))
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True)
    locked = models.BooleanField(_("已锁定"), default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("年度统计")
        verbose_name_plural = _("年度统计")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="census_year_unique")]

    def __str__(self) -> str:
        return f"{self.county.name} {self.year}"


class CensusRecord(models.Model):
    class Level(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        ALL = "all", _("全校（一贯制整校）")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    # no index of its own: ``census_record_unique`` (school, year, level) serves the look-ups by school
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="census_records", db_index=False)
    year = models.PositiveSmallIntegerField(_("学年"))
    level = models.CharField(_("学段"), max_length=8, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Optimistic concurrency: a save names the version it started from; a stale version is refused.
    version = models.PositiveIntegerField(default=1)
    note = models.TextField(_("情况说明"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("学校年度统计记录")
        verbose_name_plural = _("学校年度统计记录")
        constraints = [models.UniqueConstraint(fields=["school", "year", "level"], name="census_record_unique")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.school.code} {self.year} {self.level}"

    def values(self) -> dict[str, Figure]:
        """The figures as entered (None where not given)."""
        return {f.key: getattr(self, f.key) for f in CENSUS_FIELDS}


for _field in CENSUS_FIELDS:
    CensusRecord.add_to_class(
        _field.key,
        models.PositiveIntegerField(_field.label, null=True, blank=True)
        if _field.kind == "int"
        else models.DecimalField(_field.label, max_digits=16, decimal_places=4, null=True, blank=True),
    )


class ImportBatch(models.Model):
    """One import of a census file: who, when, which file, what changed (see ``census.importing``).

    Every import that passed validation is a batch, one that changed nothing too (0 created, 0
    updated). A created record's figures are those of the batch named by its ``import`` event; later
    changes are ``CensusChange`` rows naming their batch."""

    # The county of the file; None when the file holds several counties (listed in ``counties``).
    county = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, related_name="+")
    counties = models.JSONField(default=list)  # county codes
    year = models.PositiveSmallIntegerField()
    filename = models.CharField(max_length=255)
    sheet = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)  # data rows read
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    schools_created = models.PositiveIntegerField(default=0)
    not_submitted = models.JSONField(default=list)  # codes of the county's schools expected but absent

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.filename} ({self.year})"


class CensusChange(models.Model):
    """One value changed: who, when, old and new, and why. Never edited, never deleted.

    Either a figure of a census record (``record``; ``field`` is a census field), or an attribute of a
    school in a school year (``school_year``; ``field`` is name, school_type, location, ownership or
    town, ``old`` and ``new`` the stored codes, the town by its region code) — the school's timeline
    shows both."""

    record = models.ForeignKey(CensusRecord, on_delete=models.PROTECT, null=True, related_name="changes")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, null=True, related_name="census_changes")
    field = models.CharField(max_length=64)
    old = models.TextField(null=True)  # noqa: DJ001 - None is "not given", distinct from any value
    new = models.TextField(null=True)  # noqa: DJ001
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, related_name="changes")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(record__isnull=False, school_year__isnull=True)
                | models.Q(record__isnull=True, school_year__isnull=False),
                name="census_change_record_or_school_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id or f'school year {self.school_year_id}'} {self.field}: {self.old} -> {self.new}"


class CensusEvent(models.Model):
    """A workflow step on a record (submit, approve, return) or a year (lock, unlock)."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        LOCK = "lock", _("锁定年度")
        UNLOCK = "unlock", _("解锁年度")
        IMPORT = "import", _("导入")

    record = models.ForeignKey(CensusRecord, on_delete=models.PROTECT, null=True, related_name="events")
    census_year = models.ForeignKey(CensusYear, on_delete=models.PROTECT, null=True, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, related_name="events")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.record_id or self.census_year_id}"


class PendingImport(models.Model):
    """A census file uploaded for import and waiting for its confirmation after the preview
    (docs/adr/0017-import-preview.md): kept server-side under a random name with its SHA-256 until it is
    imported, discarded or expired. Only the person who uploaded it may see its preview or confirm it."""

    token = models.CharField(max_length=64, unique=True)  # the preview's URL: random, unguessable
    county = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)  # as uploaded (the batch keeps it)
    stored_as = models.CharField(max_length=255)  # the file under MEDIA_ROOT/census-imports/, a random name
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("待确认的导入")
        verbose_name_plural = _("待确认的导入")

    def __str__(self) -> str:
        return f"{self.filename} ({self.county_id} {self.year})"


class CensusReminder(models.Model):
    """催报: a school of the county reminded, on one day (Asia/Shanghai), to submit its census for ``year``.

    At most one per school, year and day (a constraint): a second reminder the same day sends nothing.
    The reminders of one click share ``sent_at`` and ``sent_by``."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("学年"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="census_reminders")
    day = models.DateField()
    state = models.CharField(max_length=10)  # the school's state when reminded: missing, draft or returned
    recipients = models.PositiveSmallIntegerField(default=0)  # the school's clerks notified
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    sent_by_label = models.CharField(max_length=150)  # the person's username, or "system (why)"
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        constraints = [models.UniqueConstraint(fields=["school", "year", "day"], name="census_reminder_once_a_day")]
        indexes = [models.Index(fields=["county", "year", "day"])]

    def __str__(self) -> str:
        return f"{self.school_id} {self.year} {self.day}"


class CensusReadiness(models.Model):
    """A county's census readiness for a school year as :func:`dudao.census.readiness.readiness`
    counts it, stored by the actions that change it so that region views read one row per county
    (docs/adr/0033-stored-county-summaries.md). Derived data: never edited by hand."""

    county = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("学年"))
    expected = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    not_submitted = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    locked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("填报进度汇总")
        verbose_name_plural = _("填报进度汇总")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="census_readiness_unique")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"
