"""The checks the planning routers (forecast, seats, plans) share: the school year asked for and the
standard a county is evaluated against, each refused with the same 400 and bilingual message."""

from __future__ import annotations

from django.conf import settings

from dudao.api.errors import ApiError
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.overview.cockpit import evaluable_standard


def checked_year(year: int) -> int:
    """``year`` when the platform keeps it, else 400 ``bad_year``."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ApiError(
            400, "bad_year", f"学年应在 {MIN_YEAR}–{MAX_YEAR} 之间", f"the year must be {MIN_YEAR}–{MAX_YEAR}"
        )
    return year


def checked_standard(standard: str | None) -> str:
    """The standard asked for (the deployment's default when none) if it is judged from school figures,
    else 400 ``bad_standard``."""
    standard_id = standard or str(settings.DUDAO_DEFAULT_STANDARD)
    if evaluable_standard(standard_id) is None:
        raise ApiError(400, "bad_standard", "没有该评估标准", f"no standard {standard_id!r} judged from school figures")
    return standard_id
