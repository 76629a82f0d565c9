"""What the administration actions share: the refusal, permission checks, text checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.errors import ActionError, Both
from dudao.orgs.access import Permission, region_permissions
from dudao.orgs.models import Region

MAX_REASON = 2000


class OrgsError(ActionError):
    """A refused administration action; ``details`` name e.g. the open schools that keep a town from closing
    (docs/adr/0026)."""


def require(actor: Actor, region: Region, perm: Permission) -> None:
    """People need ``perm`` on ``region``; the system acts unchecked (docs/adr/0008)."""
    if not is_system(actor) and perm not in region_permissions(actor, region):
        raise PermissionDenied


def text(value: object, label_zh: str, label_en: str, limit: int, *, required: bool = True) -> str:
    """A trimmed text field, or a refusal naming it."""
    cleaned = " ".join(str(value or "").split())
    if required and not cleaned:
        raise OrgsError(
            "required", gettext_lazy("请填写%(label_zh)s"), [{"field": label_en}], label_zh=Both(label_zh, label_en)
        )
    if len(cleaned) > limit:
        raise OrgsError(
            "too_long",
            gettext_lazy("%(label_zh)s不能超过 %(limit)s 个字"),
            [{"field": label_en, "limit": limit}],
            label_zh=Both(label_zh, label_en),
            limit=limit,
        )
    return cleaned


def reason(why: str, *, required: bool = True) -> str:
    """The reason given for a change (kept in the audit trail)."""
    cleaned = str(why or "").strip()
    if required and not cleaned:
        raise OrgsError("reason_required", gettext_lazy("请填写原因"))
    if len(cleaned) > MAX_REASON:
        raise OrgsError("too_long", gettext_lazy("原因不能超过 %(max_reason)s 个字"), max_reason=MAX_REASON)
    return cleaned


def school_year(year: object) -> int:
    """A school year (the year it starts), as given by a form, the API or a file."""
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = 0
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise OrgsError(
            "bad_year",
            gettext_lazy("学年“%(year)s”无效：应为 %(min_year)s–%(max_year)s 之间的年份（学年开始的年份）"),
            year=year,
            min_year=MIN_YEAR,
            max_year=MAX_YEAR,
        )
    return value


def region_of_event(region: Region) -> Region:
    """Where an event about ``region`` is filed: its parent (whose people see it change), or itself
    for a province."""
    return region.parent if region.parent is not None else region
