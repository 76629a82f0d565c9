"""The enrolment forecast's inputs of a county, from what the platform stores (issue #14).

:func:`forecast_inputs` builds the frames of :class:`dudao.engine.forecast.ForecastInputs`:

* **enrolment** — the census records of the county's schools for every census year up to ``year`` (whatever
  their review status: a draft of the current year is the latest figure there is) and the
  grade history (:class:`~dudao.planning.models.GradeHistory`) of the years before; where the census has a
  school's level in a year, the history of that school, year and level is not read. A level given by grade
  is one row per grade (a grade left empty among given ones counts 0); a level given only as its total is
  one row with grade 0. A whole-school record of a one-through school gives grades 1–6 to primary and 7–9
  to junior (its per-level students where grades are not given). The schools are those open in ``year``
  (their name and town as of ``year``), ordinary schools only: special and vocational schools do not
  follow the births and are left out.
* **births** — per town (its name; "" for figures of the county as a whole) and calendar year of birth.
* **changes** — the county's known changes (a new housing estate …).

Towns are named by their names, as a county writes them in its files.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dudao.census.models import CensusRecord
from dudao.engine.fields import LEVEL_GRADES, ONE_THROUGH_PARTS
from dudao.engine.forecast import BIRTHS_COLUMNS, CHANGES_COLUMNS, ENROLMENT_COLUMNS, ForecastInputs
from dudao.orgs.models import Region, SchoolYear
from dudao.planning.models import Births, GradeHistory, KnownChange

__all__ = ["ForecastInputs", "forecast_inputs", "open_schools"]

LEFT_OUT_TYPES = ("special", "vocational")
LEVELS = ("primary", "junior")
_GRADE_LEVEL = {g: lvl for lvl, grades in LEVEL_GRADES.items() for g in grades}


def open_schools(county: Region, year: int) -> dict[int, SchoolYear]:
    """The county's ordinary schools open in ``year``: school id → its register entry as of ``year``."""
    latest: dict[int, SchoolYear] = {}
    query = (
        SchoolYear.objects.filter(school__county=county, year__lte=year)
        .select_related("school", "town")
        .order_by("school_id", "-year")
    )
    for sy in query:
        latest.setdefault(sy.school_id, sy)
    return {
        pk: sy
        for pk, sy in latest.items()
        if sy.status == SchoolYear.Status.OPEN and sy.school_type not in LEFT_OUT_TYPES
    }


def _record_levels(record: dict[str, Any], school_type: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """The levels of one census record as (level, [(grade, students), …]); grade 0 for a level total."""
    if record["level"] == "all":
        held = [lvl for lvl in ONE_THROUGH_PARTS.get(school_type, ()) if lvl in LEVELS]
        parts = [(lvl, record.get(f"students_{lvl}")) for lvl in held]
    elif record["level"] in LEVELS:
        parts = [(record["level"], record.get("students"))]
    else:
        return []
    out = []
    for level, total in parts:
        grades = {g: record.get(f"grade_{g}") for g in LEVEL_GRADES[level]}
        if any(v is not None for v in grades.values()):
            out.append((level, [(g, int(v or 0)) for g, v in grades.items()]))
        elif total is not None:
            out.append((level, [(0, int(total))]))
    return out


def _enrolment(county: Region, year: int, schools: dict[int, SchoolYear]) -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[int, int, str]] = set()  # (school id, year, level) the census holds

    def add(sy: SchoolYear, record_year: int, level: str, grade: int, students: int) -> None:
        town = sy.town.name if sy.town is not None else ""
        rows.append((sy.school.code, sy.name, town, record_year, level, grade, students))

    keys = ["school_id", "year", "level", "students", "students_primary", "students_junior"]
    keys += [f"grade_{g}" for g in range(1, 10)]
    records = CensusRecord.objects.filter(school_id__in=list(schools), year__lte=year).order_by("year", "school_id")
    for record in records.values(*keys):
        sy = schools[record["school_id"]]
        for level, grades in _record_levels(record, sy.school_type):
            seen.add((record["school_id"], record["year"], level))
            for grade, students in grades:
                add(sy, record["year"], level, grade, students)
    history = GradeHistory.objects.filter(school_id__in=list(schools), year__lte=year).order_by("year", "school_id")
    for school_id, hist_year, grade, students in history.values_list("school_id", "year", "grade", "students"):
        level = _GRADE_LEVEL[grade]
        if (school_id, hist_year, level) not in seen:
            add(schools[school_id], hist_year, level, grade, students)
    frame = pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))
    return (
        frame.astype({"year": "int64", "grade": "int64", "students": "int64"})
        .sort_values(["school_code", "year", "level", "grade"], kind="stable")
        .reset_index(drop=True)
    )


def _births(county: Region) -> pd.DataFrame:
    rows = [
        (town or "", y, n)
        for town, y, n in Births.objects.filter(county=county).values_list("town__name", "year", "births")
    ]
    frame = pd.DataFrame(rows, columns=list(BIRTHS_COLUMNS)).astype({"year": "int64", "births": "int64"})
    return frame.sort_values(["town", "year"], kind="stable").reset_index(drop=True)


def _changes(county: Region) -> pd.DataFrame:
    query = KnownChange.objects.filter(county=county).order_by("from_year", "name", "pk")
    rows = [
        (name, town or "", code or "", level, from_year, pupils)
        for name, town, code, level, from_year, pupils in query.values_list(
            "name", "town__name", "school__code", "level", "from_year", "pupils"
        )
    ]
    return pd.DataFrame(rows, columns=list(CHANGES_COLUMNS)).astype({"from_year": "int64", "pupils": "int64"})


def forecast_inputs(county: Region, year: int) -> ForecastInputs:
    """The forecast's frames for ``county`` with the history up to school year ``year`` (see the module)."""
    schools = open_schools(county, year)
    return ForecastInputs(enrolment=_enrolment(county, year, schools), births=_births(county), changes=_changes(county))
