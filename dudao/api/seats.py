"""Seats and projected compliance of a county: ``GET /planning/seats/{code}/{year}`` (issue #14 §2–§3).

The body is ``dudao seats --format json``'s (docs/seats.md), computed from the stored census and the
enrolment forecast (``?scenario=low|medium|high``; ``?years=1…6``, the 学位预警 window; ``?standard=``).
``projected`` is each forecast year evaluated like the county's latest stored evaluation, ``null`` when
the county has none for ``year`` (or it kept no inputs). Reading needs ``view`` on the county; nothing is
stored or written. 404 ``no_enrolment`` when the county has no enrolment in ``year`` to forecast from (the
problems in ``details``).
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Router

from dudao.api.common import request_user
from dudao.api.errors import READ, ApiError
from dudao.api.planning_checks import checked_standard, checked_year
from dudao.engine.problems import InputError
from dudao.evaluation.actions import latest_run
from dudao.orgs.access import access_county
from dudao.planning.forecasting import HORIZON
from dudao.planning.seats import as_json, county_projected, county_seats, has_inputs

router = Router()


@router.get(
    "/seats/{code}/{year}",
    response={200: dict[str, Any], **READ},
    summary="学位预警与达标预测 / seats, class sizes, teachers and projected compliance of a county",
)
def seats(
    request: HttpRequest,
    code: str,
    year: Path[int],
    scenario: Literal["low", "medium", "high"] = "medium",
    years: int | None = None,
    standard: str | None = None,
) -> dict[str, Any]:
    """Capacity per school (classrooms × standard class size), the seat gap per school, town and year, the
    学位预警 list, class-size risk, teacher demand, and each forecast year's verdicts (docs/seats.md)."""
    county = access_county(request_user(request), code)
    checked_year(year)
    if years is not None and not 1 <= years <= HORIZON:
        raise ApiError(400, "bad_years", f"预警年限应为 1–{HORIZON}", f"years must be 1–{HORIZON}")
    standard_id = checked_standard(standard)
    try:
        planning, result, _forecast = county_seats(county, year, standard_id, scenario, years)
        run = latest_run(county, year, standard_id)
        projected = county_projected(run, scenario)[0] if run is not None and has_inputs(run) else None
    except InputError as error:
        raise ApiError(
            404,
            "no_enrolment",
            f"{county.name}没有 {year} 学年可用于测算的在校生数据",
            f"{county.code} has no enrolment in {year} to compute seats from",
            [p.as_dict() for p in error.problems[:50]],
        ) from error
    return as_json(result, projected, planning, scenario)
