"""操作记录: the audit trail of a region (docs/adr/0009), filterable by action and date, downloadable.

A region's trail holds the events filed under it or anywhere below it, and the events about its own
regions and schools wherever they were filed (a town moved in brings its history along)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit.models import AuditEvent
from dudao.http import AuthenticatedHttpRequest
from dudao.orgs.access import access_region
from dudao.orgs.lists import trail
from dudao.orgs.models import LOCATION_CHOICES, OWNERSHIP_CHOICES, SCHOOL_TYPE_CHOICES, Department, Role, SchoolYear
from dudao.orgs.views.common import nav
from dudao.tables import Table, columns, download

LIMIT = 500  # events shown (and downloaded) at once; narrow by date or action for older ones
VERBS: dict[str, Any] = {
    "orgs.region.create": gettext_lazy("新增区域"),
    "orgs.region.rename": gettext_lazy("区域更名"),
    "orgs.region.move": gettext_lazy("区域调整隶属"),
    "orgs.region.close": gettext_lazy("撤销区域"),
    "orgs.department.create": gettext_lazy("新增部门"),
    "orgs.department.change": gettext_lazy("修改部门"),
    "orgs.school.open": gettext_lazy("开办学校"),
    "orgs.school.change": gettext_lazy("变更学校信息"),
    "orgs.school.merge": gettext_lazy("学校合并"),
    "orgs.school.close": gettext_lazy("撤销学校"),
    "orgs.account.create": gettext_lazy("新建账号"),
    "orgs.account.change": gettext_lazy("修改账号信息"),
    "orgs.account.deactivate": gettext_lazy("停用账号"),
    "orgs.account.activate": gettext_lazy("启用账号"),
    "orgs.account.reset_password": gettext_lazy("重置密码"),
    "orgs.account.password_set": gettext_lazy("本人设置密码"),
    "orgs.role.grant": gettext_lazy("授予角色"),
    "orgs.role.revoke": gettext_lazy("撤销角色"),
    "orgs.import.register": gettext_lazy("导入学校名录"),
    "orgs.import.accounts": gettext_lazy("导入账号"),
}


CODES: dict[str, dict[str, Any]] = {
    "school_type": dict(SCHOOL_TYPE_CHOICES), "location": dict(LOCATION_CHOICES),
    "ownership": dict(OWNERSHIP_CHOICES), "status": dict(SchoolYear.Status.choices), "role": dict(Role.choices),
    "kind": dict(Department.Kind.choices),
}  # fmt: skip
KEYS: dict[str, Any] = {
    "name": gettext_lazy("名称"),
    "year": gettext_lazy("学年"),
    "code": gettext_lazy("代码"),
    "level": gettext_lazy("层级"),
    "parent": gettext_lazy("上级"),
    "path": gettext_lazy("路径"),
    "regions": gettext_lazy("涉及区域数"),
    "schools": gettext_lazy("学校"),
    "closed_from": gettext_lazy("撤销学年"),
    "schools_to": gettext_lazy("学校改属"),
    "kind": gettext_lazy("类别"),
    "school_type": gettext_lazy("学校类型"),
    "location": gettext_lazy("城乡类型"),
    "ownership": gettext_lazy("办学性质"),
    "town": gettext_lazy("乡镇（街道）"),
    "status": gettext_lazy("状态"),
    "merged_into": gettext_lazy("并入学校"),
    "into": gettext_lazy("并入学校"),
    "years": gettext_lazy("涉及学年"),
    "address": gettext_lazy("地址"),
    "head": gettext_lazy("校长"),
    "phone": gettext_lazy("电话"),
    "email": gettext_lazy("电子邮箱"),
    "username": gettext_lazy("用户名"),
    "role": gettext_lazy("角色"),
    "unit": gettext_lazy("单位"),
    "unit_name": gettext_lazy("单位名称"),
    "file": gettext_lazy("文件"),
    "created": gettext_lazy("新增"),
    "changed": gettext_lazy("变更"),
    "unchanged": gettext_lazy("未变化"),
    "rows": gettext_lazy("行数"),
}


def _shown(key: str, value: Any) -> Any:
    """A stored code as shown (小学 for ``primary``, 管理员 for ``region_admin``)."""
    return CODES.get(key, {}).get(value, value) if isinstance(value, str) else value


def _details(data: dict[str, Any]) -> str:
    """The event's data as one readable line: ``名称：旧 → 新；学年：2025``."""
    parts = []
    for key, value in data.items():
        label = str(KEYS.get(key, key))
        if isinstance(value, list) and len(value) == 2 and key not in ("years", "schools"):
            old, new = ("—" if v in (None, "") else _shown(key, v) for v in value)
            parts.append(f"{label}: {old} → {new}")
        elif isinstance(value, list):
            parts.append(f"{label}: {', '.join(map(str, value[:20]))}{' …' if len(value) > 20 else ''}")
        elif value not in (None, ""):
            parts.append(f"{label}: {_shown(key, value)}")
    return "; ".join(parts)


def events_table(events: QuerySet[AuditEvent], name: str, title: str) -> Table:
    rows = []
    for e in events.select_related("region").order_by("-at", "-pk")[:LIMIT]:
        rows.append(
            {
                "at": timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                "actor": e.actor_label,
                "verb": str(VERBS.get(e.verb, e.verb)),
                "target": e.target_label,
                "region": e.region.name if e.region else "",
                "why": e.why,
                "details": _details(e.data),
            }
        )
    cols = columns(
        ("at", _("时间")),
        ("actor", _("操作人")),
        ("verb", _("操作")),
        ("target", _("对象")),
        ("region", _("所属区域")),
        ("why", _("原因")),
        ("details", _("详情")),
    )
    note = _("只显示最近 %(n)d 条；更早的记录请按日期筛选。") % {"n": LIMIT} if len(rows) == LIMIT else ""
    return Table(name, title, cols, rows, note=note)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def audit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    region = access_region(request.user, code, "audit")
    events = trail(region)
    verb = request.GET.get("verb", "")
    if verb:
        events = events.filter(verb__startswith=verb) if verb.endswith(".") else events.filter(verb=verb)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    if since:
        events = events.filter(at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min)))
    if until:
        events = events.filter(
            at__lt=timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
        )
    table = events_table(events, "audit", _("操作记录"))
    if (response := download(request, [table])) is not None:
        return response
    context = {
        **nav(request, region, "audit"),
        "table": table,
        "verbs": [(k, str(v)) for k, v in VERBS.items()],
        "verb": verb,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    return render(request, "orgs/audit.html", context)
