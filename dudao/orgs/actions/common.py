"""What the administration actions share: the refusal, permission checks, text checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language

from dudao.actors import Actor, is_system
from dudao.orgs.access import Permission, region_permissions
from dudao.orgs.models import Region

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_REASON = 2000


class OrgsError(Exception):
    """A refused administration action: a stable ``code``, messages in both languages, and
    ``details`` (e.g. the open schools that keep a town from closing)."""

    def __init__(self, code: str, message_zh: str, message_en: str, details: list[dict[str, Any]] | None = None):
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        self.details = details or []
        super().__init__(f"{code}: {message_en}")

    def text(self, lang: str | None = None) -> str:
        return self.message_en if (lang or get_language() or "zh").startswith("en") else self.message_zh


def require(actor: Actor, region: Region, perm: Permission) -> None:
    """People need ``perm`` on ``region``; the system acts unchecked (docs/adr/0008)."""
    if not is_system(actor) and perm not in region_permissions(actor, region):
        raise PermissionDenied


def text(value: object, label_zh: str, label_en: str, limit: int, *, required: bool = True) -> str:
    """A trimmed text field, or a refusal naming it."""
    cleaned = " ".join(str(value or "").split())
    if required and not cleaned:
        raise OrgsError("required", f"请填写{label_zh}", f"{label_en} is required", [{"field": label_en}])
    if len(cleaned) > limit:
        raise OrgsError(
            "too_long",
            f"{label_zh}不能超过 {limit} 个字",
            f"{label_en} is longer than {limit} characters",
            [{"field": label_en, "limit": limit}],
        )
    return cleaned


def reason(why: str, *, required: bool = True) -> str:
    """The reason given for a change (kept in the audit trail)."""
    cleaned = str(why or "").strip()
    if required and not cleaned:
        raise OrgsError("reason_required", "请填写原因", "a reason is required")
    if len(cleaned) > MAX_REASON:
        raise OrgsError(
            "too_long", f"原因不能超过 {MAX_REASON} 个字", f"the reason is longer than {MAX_REASON} characters"
        )
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
            f"学年“{year}”无效：应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份（学年开始的年份）",
            f"invalid school year {year!r}: give the year it starts, {MIN_YEAR}–{MAX_YEAR}",
        )
    return value


def region_of_event(region: Region) -> Region:
    """Where an event about ``region`` is filed: its parent (whose people see it change), or itself
    for a province."""
    return region.parent if region.parent_id is not None else region
