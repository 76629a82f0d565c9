"""The enrolment forecast's inputs (issue #14). The method itself is the forecast part's; this module holds
the frames it reads, as long tables with exactly these columns:

* ``enrolment``: school_code (str), school_name (str), town (str, "" unknown), year (int, school year),
  level ("primary" | "junior"), grade (int, 1..9; 0 = only the level's total is known), students (int);
* ``births``: town (str, "" = county-wide), year (int, calendar year of birth), births (int);
* ``changes``: name (str), town (str), school_code (str, "" = the town's schools), level, from_year (int),
  pupils (int: extra pupils entering grade 1 (primary) or 7 (junior) each year from ``from_year`` on).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ENROLMENT_COLUMNS = ("school_code", "school_name", "town", "year", "level", "grade", "students")
BIRTHS_COLUMNS = ("town", "year", "births")
CHANGES_COLUMNS = ("name", "town", "school_code", "level", "from_year", "pupils")


@dataclass(frozen=True)
class ForecastInputs:
    enrolment: pd.DataFrame
    births: pd.DataFrame
    changes: pd.DataFrame
