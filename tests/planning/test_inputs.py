"""``forecast_inputs(county, year)`` on the demo county (示范县, ``dudao seed_demo``): the three frames of the
enrolment forecast with exactly their columns, the census's grades and the grade history before it, level
totals as grade 0 where grades are not given, births per town and the housing estate — and the demo's births
consistent with its grade-1 intake six years later."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from dudao.census.models import CensusRecord
from dudao.orgs import demo
from dudao.orgs.models import Region
from dudao.planning.inputs import forecast_inputs
from dudao.planning.models import Births, GradeHistory, KnownChange


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        call_command("seed_demo", stdout=StringIO())
        try:
            yield
        finally:
            demo.reset()


@pytest.fixture
def county(seeded: None, db: None) -> Region:
    return Region.objects.get(code=demo.COUNTY_CODE)


def test_the_frames_have_exactly_the_agreed_columns_and_types(county: Region) -> None:
    inputs = forecast_inputs(county, 2025)
    assert list(inputs.enrolment.columns) == [
        "school_code",
        "school_name",
        "town",
        "year",
        "level",
        "grade",
        "students",
    ]
    assert list(inputs.births.columns) == ["town", "year", "births"]
    assert list(inputs.changes.columns) == ["name", "town", "school_code", "level", "from_year", "pupils"]
    for frame, ints in ((inputs.enrolment, ("year", "grade", "students")), (inputs.births, ("year", "births")),
                        (inputs.changes, ("from_year", "pupils"))):  # fmt: skip
        assert all(pd.api.types.is_integer_dtype(frame[c]) for c in ints)
    e = inputs.enrolment
    assert set(e["level"]) == {"primary", "junior"} and set(e["grade"]) == set(range(10))
    assert e.groupby("year").size().to_dict() == {
        2018: 318,
        2019: 318,
        2020: 318,
        2021: 318,
        2022: 318,
        2023: 319,
        2024: 319,
        2025: 325,
    }
    assert len(inputs.births) == 14 * 14 and set(inputs.births["year"]) == set(range(2012, 2026))
    assert sorted(set(e["town"])) == sorted(set(inputs.births["town"]))  # every school in a town with births


def test_grades_come_from_the_census_and_the_history_before_it(county: Region) -> None:
    e = forecast_inputs(county, 2025).enrolment
    experimental = e[e["school_name"] == "示范县实验小学"]
    assert set(experimental["town"]) == {"西关街道"}
    assert experimental[experimental["year"] == 2018]["students"].tolist() == [147, 153, 140, 133, 140, 129]
    assert experimental[experimental["year"] == 2025]["students"].tolist() == [170, 182, 194, 201, 176, 185]
    # the census years' grades add up to each record's pupils
    record = CensusRecord.objects.get(school__code=experimental["school_code"].iloc[0], year=2025)
    assert record.students == 1108 == experimental[experimental["year"] == 2025]["students"].sum()
    # 2018–2022 from the grade history, nothing of it where the census holds the year
    history_years = set(GradeHistory.objects.filter(county=county).values_list("year", flat=True))
    assert history_years == {2018, 2019, 2020, 2021, 2022}
    nine = e[(e["school_name"] == "杨庄镇九年一贯制学校") & (e["year"] == 2018)]
    assert nine[["level", "grade", "students"]].values.tolist() == [
        ["junior", 7, 169], ["junior", 8, 185], ["junior", 9, 178],
        ["primary", 1, 66], ["primary", 2, 61], ["primary", 3, 67], ["primary", 4, 71], ["primary", 5, 69],
        ["primary", 6, 63],
    ]  # fmt: skip


def test_a_school_giving_only_totals_is_a_level_total_and_special_schools_are_left_out(county: Region) -> None:
    e = forecast_inputs(county, 2025).enrolment
    totals = e[e["grade"] == 0]
    assert totals[["school_name", "year", "level", "students"]].values.tolist() == [
        ["示范英才小学", 2023, "primary", 1285], ["示范英才小学", 2024, "primary", 1300],
        ["示范英才小学", 2025, "primary", 1401],
    ]  # fmt: skip
    assert not e["school_name"].str.contains("特殊教育").any()
    # the school merged in 2024 is not open in 2025; the new school of 2025 has one year
    assert "王岗乡后楼小学" not in set(e["school_name"])
    assert set(e[e["school_name"] == "示范县第七小学"]["year"]) == {2025}


def test_a_year_before_the_last_reads_only_the_years_up_to_it(county: Region) -> None:
    e = forecast_inputs(county, 2023).enrolment
    assert e["year"].max() == 2023 and "示范县第七小学" not in set(e["school_name"])
    assert "王岗乡后楼小学" in set(e["school_name"])  # still open in 2023


def test_births_and_the_housing_estate(county: Region) -> None:
    inputs = forecast_inputs(county, 2025)
    births = inputs.births
    assert births[births["town"] == "东关街道"]["births"].tolist() == [
        252,
        267,
        265,
        266,
        317,
        321,
        297,
        338,
        280,
        259,
        231,
        221,
        246,
        225,
    ]
    assert inputs.changes.values.tolist() == [["锦绣华庭小区（城东新区）", "东关街道", "", "primary", 2027, 90]]
    assert (
        Births.objects.filter(county=county).count() == 196 and KnownChange.objects.filter(county=county).count() == 1
    )


def test_the_demo_intake_follows_the_births_six_years_before(county: Region) -> None:
    """Entry ≈ births six years earlier × a ratio near 1 (county town above 1, villages below), with noise (the
    private school of 西关街道 gives its total only, so its town's grade 1 is lower; 王岗乡's school merged in
    2024 is not open any more)."""
    inputs = forecast_inputs(county, 2025)
    e = inputs.enrolment
    entrants = e[e["grade"] == 1].groupby(["town", "year"])["students"].sum()
    births = inputs.births.set_index(["town", "year"])["births"]
    ratios = {}
    for (town, year), n in entrants.items():
        ratios[(town, year)] = n / births[(town, year - 6)]
    values = pd.Series(ratios)
    assert values.between(0.7, 1.3).all()
    by_kind = values.groupby(
        [("街道" if t.endswith("街道") else "乡" if t.endswith("乡") else "镇") for t, _ in values.index]
    ).mean()
    assert by_kind["乡"] < by_kind["镇"] < 1 < by_kind["街道"]
