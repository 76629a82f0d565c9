"""A county's enrolment forecast from what the platform stores (issue #14 §1).

:func:`county_forecast` reads the county's frames (:func:`dudao.planning.inputs.forecast_inputs`: the
census records and grade history up to ``year``, births, known changes) and runs the pure forecast
(:func:`dudao.engine.forecast.forecast`). Nothing is stored: a page or API call computes it when asked
(a few tens of milliseconds for the demo county, docs/benchmarks.md), so it always follows the data and a
GET never writes. Raises :class:`~dudao.engine.problems.InputError` when the county has no enrolment in
``year``.
"""

from __future__ import annotations

from dudao.engine.forecast import CountyForecast, Scenario, forecast
from dudao.orgs.models import Region
from dudao.planning.inputs import forecast_inputs

HORIZON = 6  # years ahead: the span of primary school, so a forecast follows this year's births through it


def county_forecast(county: Region, year: int, scenario: Scenario = "medium", horizon: int = HORIZON) -> CountyForecast:
    """The forecast of ``county``'s schools for ``year + 1 … year + horizon`` from the history up to ``year``;
    ``projected_students()`` gives the scenario asked by default."""
    return forecast(forecast_inputs(county, year), base_year=year, horizon=horizon, scenario=scenario)
