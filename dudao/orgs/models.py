"""Regions (province > city > county > town), departments, schools effective per school year, roles
and accounts.

A region keeps a parent pointer and a derived ``path`` ("/13/1301/130102/") so "everything under
this city" is one indexed prefix query; moving a region rewrites its whole subtree's paths in one
statement (``dudao.orgs.actions.regions.move_region``). A school's identity (学校标识码) never changes;
what it is in a given school year (name, type, location, town, open or merged) lives in
:class:`SchoolYear`, so a school that closes or merges keeps its history (docs/adr/0014). Every change
goes through ``dudao.orgs.actions``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from dudao.engine.fields import LOCATIONS, OWNERSHIP, SCHOOL_TYPES


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（市、区）")
        TOWN = "town", _("乡镇（街道）")

    PARENT_LEVEL = {"city": "province", "county": "city", "town": "county"}

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=128, db_index=True, editable=False)
    resident_population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    # The school year from which the region no longer exists (撤销); None while it exists. A closed
    # region keeps its row: past school years still name it.
    closed_from = models.PositiveSmallIntegerField(_("撤销学年"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id is not None:
            raise ValidationError(_("省级区域没有上级"))
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(_("上级区域层级不符"))

    def is_within(self, other: Region) -> bool:
        """True when this region is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def ancestor(self, level: str) -> Region | None:
        node: Region | None = self
        while node is not None and node.level != level:
            node = node.parent
        return node


class Department(models.Model):
    """A county government department (or a section of the education bureau) that receives tasks."""

    class Kind(models.TextChoices):
        FINANCE = "finance", _("财政局")
        STAFFING = "staffing", _("编办")
        HR = "hr", _("人社局")
        POLICE = "police", _("公安局")
        MARKET = "market", _("市场监管局")
        TRANSPORT = "transport", _("交通运输局")
        DEVELOPMENT = "development", _("发改局")
        HOUSING = "housing", _("住建局")
        EDUCATION = "education", _("教育局")
        EDUCATION_SECTION = "education_section", _("教育局科室")
        SUPERVISION = "supervision", _("督导室")
        TOWN = "town", _("乡镇（街道）")
        OTHER = "other", _("其他")

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="sections")

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school's lasting identity. What it is in a given year is in :class:`SchoolYear`."""

    code = models.CharField(_("学校标识码"), max_length=20, unique=True)
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="schools")
    # Contact details of the register (学校名录): the current ones, each change an audit event.
    address = models.CharField(_("地址"), max_length=200, blank=True)
    head = models.CharField(_("校长"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


# The engine's Chinese names, translated when shown (each is a msgid of the catalogue through
# dudao/evaluation/render.py, which names them literally; the two short one-through names only here).
ONE_THROUGH_NAMES = (gettext_noop("九年一贯制"), gettext_noop("十二年一贯制"))
SCHOOL_TYPE_CHOICES = [(code, _(names[0])) for code, names in SCHOOL_TYPES.items()]
LOCATION_CHOICES = [(code, _(names[0])) for code, names in LOCATIONS.items()]
OWNERSHIP_CHOICES = [(code, _(names[0])) for code, names in OWNERSHIP.items()]


class SchoolYear(models.Model):
    """A school as it was in one school year (the year the school year starts, e.g. 2025 for 2025–26)."""

    class Status(models.TextChoices):
        OPEN = "open", _("在办")
        CLOSED = "closed", _("已撤销")
        MERGED = "merged", _("已合并")

    # no index of its own: ``school_year_unique`` (school, year) serves the look-ups by school
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="years", db_index=False)
    year = models.PositiveSmallIntegerField(_("学年"))
    name = models.CharField(_("学校名称"), max_length=100)
    school_type = models.CharField(_("学校类型"), max_length=20, choices=SCHOOL_TYPE_CHOICES)
    location = models.CharField(_("城乡类型"), max_length=8, choices=LOCATION_CHOICES, blank=True)
    ownership = models.CharField(_("办学性质"), max_length=8, choices=OWNERSHIP_CHOICES, default="public")
    town = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="school_years", verbose_name=_("乡镇")
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    merged_into = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("学校学年信息")
        verbose_name_plural = _("学校学年信息")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="school_year_unique")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class Role(models.TextChoices):
    PROVINCE_INSPECTOR = "province_inspector", _("省级督学")
    CITY_INSPECTOR = "city_inspector", _("市级督学")
    COUNTY_SUPERVISOR = "county_supervisor", _("县级督导室")
    DEPARTMENT_CLERK = "department_clerk", _("部门联络员")
    SCHOOL_CLERK = "school_clerk", _("学校填报员")
    OBSERVER = "observer", _("只读观察员")
    REGION_ADMIN = "region_admin", _("管理员")


class Membership(models.Model):
    """A user's role on one unit: a region (inspectors, supervisors, observers), a department, or a school."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    UNIT = {
        Role.PROVINCE_INSPECTOR: "region",
        Role.CITY_INSPECTOR: "region",
        Role.COUNTY_SUPERVISOR: "region",
        Role.OBSERVER: "region",
        Role.REGION_ADMIN: "region",
        Role.DEPARTMENT_CLERK: "department",
        Role.SCHOOL_CLERK: "school",
    }
    REGION_LEVEL = {Role.PROVINCE_INSPECTOR: "province", Role.CITY_INSPECTOR: "city", Role.COUNTY_SUPERVISOR: "county"}

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {getattr(self, self.UNIT[Role(self.role)])}"

    @property
    def unit(self) -> Region | Department | School:
        """Where the role is held: its region, department or school (exactly one, as clean() checks)."""
        unit: Region | Department | School | None = getattr(self, self.UNIT[Role(self.role)])
        if unit is None:
            raise ValueError(f"membership {self.pk} ({self.role}) names no {self.UNIT[Role(self.role)]}")
        return unit

    def clean(self) -> None:
        wanted = self.UNIT[Role(self.role)]
        given = [name for name in ("region", "department", "school") if getattr(self, f"{name}_id")]
        if given != [wanted]:
            raise ValidationError(_("该角色须且只须关联一个%(unit)s") % {"unit": wanted})
        level = self.REGION_LEVEL.get(Role(self.role))
        if level and self.region is not None and self.region.level != level:
            raise ValidationError(_("角色与区域层级不符"))


class Account(models.Model):
    """What an account needs beyond Django's user: the unit whose administrators manage it (its
    ``region``: the county of a clerk, the city of a city inspector), a phone number, and whether the
    password was set by an administrator and must be changed at the next login.

    Accounts are never deleted: a deactivated user (``is_active=False``) keeps its row, so history
    keeps the name; it can no longer log in nor use an API token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="account"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所属单位")
    )
    phone = models.CharField(_("手机号码"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return str(self.user)


class TownGroup(models.Model):
    """The group a county puts one of its towns in (南部, 北部 …): a grouping of its own for the analysis of
    where inequality comes from (``dudao.engine.decomposition``, the balance page). A town is in at
    most one group; a town in none has no row. Changed by ``dudao.orgs.actions.town_groups``."""

    county = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("县（市、区）"))
    town = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="town_group", verbose_name=_("乡镇"))
    name = models.CharField(_("分组"), max_length=32)

    class Meta:
        verbose_name = _("乡镇分组")
        verbose_name_plural = _("乡镇分组")

    def __str__(self) -> str:
        return f"{self.town_id} → {self.name}"
