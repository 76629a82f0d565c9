"""The enrolment forecast of a county: ``GET /planning/forecast/{code}/{year}`` (issue #14 §1).

The body is the forecast's JSON (docs/forecast-json.md), as ``dudao forecast --format json`` writes it;
``?scenario=low|high`` makes that scenario the one ``projected_students`` gives (every scenario is in the
body either way). Reading needs ``view`` on the county; nothing is stored or written. 404 ``no_enrolment``
when the county has no enrolment in ``year`` (the problems in ``details``).
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Router

from dudao.api.common import request_user
from dudao.api.errors import READ, ApiError
from dudao.api.planning_checks import checked_year
from dudao.engine.problems import InputError
from dudao.orgs.access import access_county
from dudao.planning.forecasting import county_forecast

router = Router()


@router.get(
    "/forecast/{code}/{year}",
    response={200: dict[str, Any], **READ},
    summary="入学预测 / the enrolment forecast of a county",
)
def forecast(
    request: HttpRequest,
    code: str,
    year: Path[int],
    scenario: Literal["low", "medium", "high"] = "medium",
) -> dict[str, Any]:
    """Every school's, town's and the county's forecast for the six years after ``year``, with the
    method, the back-test error (MAPE) and the interval (docs/forecast-json.md)."""
    county = access_county(request_user(request), code)
    checked_year(year)
    try:
        result = county_forecast(county, year, scenario)
    except InputError as error:
        raise ApiError(
            404,
            "no_enrolment",
            f"{county.name}没有 {year} 学年可用于预测的在校生数据",
            f"{county.code} has no enrolment in {year} to forecast from",
            [p.as_dict() for p in error.problems[:50]],
        ) from error
    return json.loads(result.to_json(indent=None))  # the JSON's keys: years as text
