"""Evaluations of a county's stored census: ``GET /evaluations`` (the latest stored run, and whether the
data has changed since) and ``POST /evaluations`` (evaluate now and store the run).

Reading needs ``view`` on the county, evaluating needs ``review`` (checked by the action).
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime to build its models.

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dudao.api.common import LocalDateTime, Status, county_for, request_user
from dudao.api.errors import CHANGE, READ, ApiError
from dudao.converters import MAX_YEAR, MIN_YEAR
from dudao.evaluation import actions
from dudao.evaluation.models import EvaluationRun
from dudao.orgs.models import Region

router = Router()


def _default_standard() -> str:
    return str(settings.DUDAO_DEFAULT_STANDARD)


class EvaluationOut(Schema):
    id: int
    county: str
    year: int
    standard: str
    province: str
    standard_version: str
    data_version: str
    created_at: LocalDateTime
    created_by: str | None
    passed: bool | None
    census_locked: bool
    records_by_status: dict[str, int]
    stale: bool = Field(description="the census or county items changed since this run; evaluate again")
    result: dict[str, Any]


class EvaluationQuery(Schema):
    county: str
    year: int = Field(..., ge=MIN_YEAR, le=MAX_YEAR)
    standard: str = Field(default_factory=_default_standard)


class EvaluationIn(Schema):
    county: str
    year: int = Field(..., ge=MIN_YEAR, le=MAX_YEAR)
    standard: str = Field(default_factory=_default_standard)
    province: str | None = Field(None, description="a provincial profile of the standard, e.g. 'hebei'")


def _out(run: EvaluationRun, county: Region) -> dict[str, Any]:
    return {
        "id": run.pk,
        "county": county.code,
        "year": run.year,
        "standard": run.standard_id,
        "province": run.province,
        "standard_version": run.standard_version,
        "data_version": run.data_version,
        "created_at": run.created_at,
        "created_by": run.created_by.get_username() if run.created_by else None,
        "passed": run.passed,
        "census_locked": run.census_locked,
        "records_by_status": run.records_by_status,
        "stale": run.is_stale(),
        "result": run.result,
    }


@router.get("", response={200: EvaluationOut, **READ}, summary="最新评估结果 / the latest stored evaluation")
def latest_evaluation(request: HttpRequest, query: Query[EvaluationQuery]) -> dict[str, Any]:
    """The most recent stored run for the county, year and standard. 404 ``no_run`` when the county
    has not been evaluated yet."""
    county = county_for(request, query.county)
    run = actions.latest_run(county, query.year, query.standard)
    if run is None:
        raise ApiError(
            404,
            "no_run",
            f"{county.name}{query.year}学年尚未按该标准评估",
            f"{county.code} has not been evaluated for {query.year} against {query.standard}",
        )
    return _out(run, county)


@router.post("", response={201: EvaluationOut, **CHANGE}, summary="评估 / evaluate the stored census now")
def run_evaluation(request: HttpRequest, payload: EvaluationIn) -> Any:
    """Evaluate the county's stored census and county items and store the result (201)."""
    county = county_for(request, payload.county)
    run = actions.evaluate_county(request_user(request), county, payload.year, payload.standard, payload.province)
    return Status(201, _out(run, county))
