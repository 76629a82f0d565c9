"""Stored census → the engine's plain table, so a stored county is evaluated by the same function
as a spreadsheet (``dudao.engine.evaluate_table``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from dudao.census.fields import CENSUS_FIELDS
from dudao.census.models import CensusRecord
from dudao.orgs.models import Region, SchoolYear


def census_table(counties: Iterable[Region], year: int) -> tuple[pd.DataFrame, frozenset[str]]:
    """One row per census record of ``year`` in ``counties``, with identity from the school's
    attributes that year. A figure is *present* when at least one record of the table gives it."""
    county_ids = [c.pk for c in counties]
    records = list(
        CensusRecord.objects.filter(school__county_id__in=county_ids, year=year)
        .select_related("school", "school__county")
        .order_by("school__code", "level")  # a fixed order: the same data sums to the same last digit
    )
    # A school's attributes are those of the latest school year up to this one (they carry over until changed).
    attributes: dict[int, SchoolYear] = {}
    school_years = SchoolYear.objects.filter(school__county_id__in=county_ids, year__lte=year).select_related("town")
    for row in school_years.order_by("year"):
        attributes[row.school_id] = row
    keys = [f.key for f in CENSUS_FIELDS]
    rows = []
    for r in records:
        sy = attributes.get(r.school_id)
        rows.append(
            {
                "county_code": r.school.county.code,
                "county_name": r.school.county.name,
                "school_code": r.school.code,
                "school_name": sy.name if sy else r.school.code,
                "school_type": sy.school_type if sy else None,
                "location": (sy.location or None) if sy else None,
                "ownership": sy.ownership if sy else None,
                "town": sy.town.name if sy and sy.town else None,  # the register's town (乡镇), by name
                "level": r.level,
                "source_row": r.pk,
                **{k: getattr(r, k) for k in keys},
            }
        )
    frame = pd.DataFrame(rows, columns=["county_code", "county_name", "school_code", "school_name", "school_type",
                                        "location", "ownership", "town", "level", "source_row", *keys])  # fmt: skip
    for k in keys:
        frame[k] = pd.to_numeric(frame[k].map(lambda v: np.nan if v is None else float(v)), errors="coerce")
    present = frozenset(k for k in keys if frame[k].notna().any())
    return frame, present
