"""The demo's evaluation rows: the demo county's own county items (``dudao seed_evaluation_demo``, so
the cockpit judges every area, as a county preparing its inspection would have entered them) and their
removal (``dudao seed_demo --reset``; see EvaluationConfig.reset_demo)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db import DatabaseError
from django.db.models import QuerySet

from dudao.actors import system
from dudao.census.tables import census_table
from dudao.evaluation.actions import current_items, set_county_items
from dudao.evaluation.models import CountyItemChange, CountyItemValue, EvaluationRun, Evidence
from dudao.orgs.models import Region

COUNTY, YEAR, STANDARD = "130135", 2025, "national-2017"
ACTOR = system("seed_evaluation_demo")
NOTE = "示范数据"

# The demo county's own figures for the county-level items (政府保障、教育质量、一票否决): most are met, a
# few are not, as in a county preparing for its inspection. SR-01 (社会认可度) is not here: the demo's
# survey (dudao seed_survey_demo) writes its recognition rate, as a county does from the survey's page.
DEMO_ITEMS: dict[str, Any] = {
    "GG-01": True, "GG-02": True, "GG-03a": True, "GG-03b": 98, "GG-03c": 92, "GG-05a": 48, "GG-05b": 50, "GG-06": True,
    "GG-07": 6500, "GG-08a": 1.02, "GG-08b": True, "GG-09": 0.97,
    "GG-10": True, "GG-11a": 0.123, "GG-11b": 0.21, "GG-12": 1.0, "GG-13a": 1.0, "GG-13b": 0.962, "GG-14": 0.55,
    "GG-15a": True, "GG-15b": 0.91,
    "EQ-01": 0.973, "EQ-02": 0.961, "EQ-03": True, "EQ-04": 0.052, "EQ-05": True, "EQ-06": True, "EQ-07": True,
    "EQ-08": True, "EQ-09a": "Ⅲ", "EQ-09b": 0.128,
    "VETO-01": False, "VETO-02": False, "VETO-03": False, "VETO-04": False, "VETO-06": False, "VETO-07": False,
    "VETO-08": False,
}  # fmt: skip


def school_sizes(schools: pd.DataFrame) -> dict[str, int]:
    """GG-04a/b (the largest school) from the school table itself, so the items agree with it."""
    single = schools[schools["school_type"].isin(["primary", "junior"])]
    whole = schools[schools["school_type"].isin(["nine_year", "twelve_year"])]
    sizes = {"GG-04a": int(single["students"].max())}
    if len(whole):
        sizes["GG-04b"] = int((whole["students_primary"] + whole["students_junior"]).max())
    return sizes


def seed_items() -> int:
    """Store the demo county's items for the demo year (a second run changes nothing); how many changed."""
    county = Region.objects.get(code=COUNTY, level=Region.Level.COUNTY)
    frame, _present = census_table([county], YEAR)
    entries = {code: (value, NOTE) for code, value in {**DEMO_ITEMS, **school_sizes(frame)}.items()}
    return set_county_items(ACTOR, county, YEAR, STANDARD, entries, reason=NOTE)


def stored_items() -> dict[str, Any]:
    """The demo county's items as stored (what ``dudao demo_county`` writes beside its school table); none
    when the database is not set up yet (the command also serves before ``migrate``)."""
    try:
        county = Region.objects.filter(code=COUNTY, level=Region.Level.COUNTY).first()
        return current_items(county, YEAR, STANDARD) if county is not None else {}
    except DatabaseError:
        return {}


def reset(counties: QuerySet[Region]) -> int:
    """Delete the runs, county items, their history and evidence files of ``counties``."""
    items = CountyItemValue.objects.filter(county__in=counties)
    for doc in Evidence.objects.filter(item__in=items):
        doc.file.delete(save=False)
    deleted = 0
    for queryset in (
        Evidence.objects.filter(item__in=items),
        CountyItemChange.objects.filter(item__in=items),
        items,
        EvaluationRun.objects.filter(county__in=counties),
    ):
        deleted += queryset.delete()[0]
    return deleted
