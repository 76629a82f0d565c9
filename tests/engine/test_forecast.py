"""The enrolment forecast (dudao.engine.forecast): a hand-computed county, properties, the method choice.

The hand-computed county: one town 甲镇, three schools, four years (2022–2025), base year 2025.

    P1 一小 (primary, by grade)      g1   g2   g3   g4   g5   g6   total
        2022                      100  100  100  100  100  100   600
        2023                      110  100  100  100  100  100   610
        2024                      105  110  100  100  100  100   615
        2025                       95  105  110  100  100  100   610
    P2 二小 (primary, totals only)  2022: 300, 2023: 310, 2024: 320, 2025: 330
    J1 一中 (junior, by grade)       g7   g8   g9
        2022                       80   80   80   240
        2023                       80   80   80   240
        2024                       90   80   80   250
        2025                       80   90   80   250
    births 甲镇: 2016 1000, 2017 1100, 2018 1050, 2019 950, 2020 900, 2021 1000

Back-test: four years → the last two (2024, 2025) are held out and forecast from 2022–2023.
  P1 cohort_births: progression ratios (one pair, 2023/2022) all 1; entry ratio (100 + 110) / (1000 +
    1100) = 0.1; 2024 g1 = 1050 × 0.1 = 105 → 615, 2025 g1 = 95 → 610: exact, MAPE 0.
    cohort_trend: entry line through 100, 110 → 120, 130 → 630, 660: MAPE (15/615 + 50/610) / 2.
    naive: 610, 610 → MAPE (5/615 + 0) / 2. total_trend: 620, 630 → (5/615 + 20/610) / 2.
    → cohort_births (MAPE 0).
  P2 total_trend: 300, 310 → 320, 330: exact; naive 310 → (10/320 + 20/330) / 2 → total_trend.
  J1: the town's grade 6 is P1's 100 every year; cohort_transition: ratio 80 / 100 (2023 over 2022's
    grade 6) = 0.8 → 2024 g7 80 → 240, 2025 240: APE 10/250 = 0.04 both years, MAPE 0.04; every other
    method also gives 240, 240 (MAPE 0.04): the tie goes to the first in order, cohort_transition.
Forecast from 2025 (ratios over the last three pairs 2023–2025):
  P1: progression ratios all 1; entry ratio (110 + 105 + 95) / (1100 + 1050 + 950) = 0.1;
    2026 g1 = 900 × 0.1 = 90 → 90 95 105 110 100 100 = 600; 2027 g1 = 100 → 600;
    2028 (births 2022 unknown) g1 from the trend on 100 110 105 95: slope −2, mean 102.5 at 2023.5
    → 102.5 − 2 × 4.5 = 93.5 → 93.5 100 90 95 105 110 = 593.5.
  P2: the line through 300 … 330 → 340, 350 …
  J1: transition ratio (80 + 90 + 80) / (100 + 100 + 100) = 5/6; g8, g9 ratios 1;
    2026: g7 = 100 × 5/6 = 83.33 → 83.33 + 80 + 90 = 253.33; 2027: 83.33 + 83.33 + 80 = 246.67.
Interval: primary errors all 0 → half-width min_error 2 % × √k; junior errors 0.04 (1 year ahead) and
  0.04/√2 (2 years ahead): their 0.8 quantile (linear) 0.02828 + 0.8 × (0.04 − 0.02828) = 0.03766, below
  J1's own largest error 0.04 → J1's half-width is 0.04 × √k.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.engine.forecast import (
    CHANGES_COLUMNS,
    ENROLMENT_COLUMNS,
    CountyForecast,
    ForecastInputs,
    ForecastSettings,
    forecast,
)
from dudao.engine.problems import InputError

P1 = {
    2022: [100, 100, 100, 100, 100, 100],
    2023: [110, 100, 100, 100, 100, 100],
    2024: [105, 110, 100, 100, 100, 100],
    2025: [95, 105, 110, 100, 100, 100],
}
P2 = {2022: 300, 2023: 310, 2024: 320, 2025: 330}
J1 = {2022: [80, 80, 80], 2023: [80, 80, 80], 2024: [90, 80, 80], 2025: [80, 90, 80]}
BIRTHS = {2016: 1000, 2017: 1100, 2018: 1050, 2019: 950, 2020: 900, 2021: 1000}


def enrolment_frame() -> pd.DataFrame:
    rows = []
    for year, grades in P1.items():
        rows += [("P1", "一小", "甲镇", year, "primary", g, v) for g, v in enumerate(grades, 1)]
    for year, grades in J1.items():
        rows += [("J1", "一中", "甲镇", year, "junior", g, v) for g, v in enumerate(grades, 7)]
    rows += [("P2", "二小", "甲镇", year, "primary", 0, total) for year, total in P2.items()]
    return pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))


def births_frame() -> pd.DataFrame:
    return pd.DataFrame([("甲镇", y, b) for y, b in BIRTHS.items()], columns=["town", "year", "births"])


@pytest.fixture(scope="module")
def result() -> CountyForecast:
    return forecast(ForecastInputs(enrolment_frame(), births_frame()), base_year=2025)


def test_back_test_holds_out_the_last_two_years_and_picks_the_best_method(result: CountyForecast) -> None:
    assert result.backtest_years == [2024, 2025]
    p1, p2, j1 = (result.unit(c, lv) for c, lv in (("P1", "primary"), ("P2", "primary"), ("J1", "junior")))
    assert p1 and p2 and j1
    assert (p1.method, p1.mape) == ("cohort_births", 0.0)
    assert p1.backtest is not None
    assert p1.backtest.mape["cohort_trend"] == pytest.approx((15 / 615 + 50 / 610) / 2)
    assert p1.backtest.mape["naive"] == pytest.approx((5 / 615) / 2)
    assert p1.backtest.mape["total_trend"] == pytest.approx((5 / 615 + 20 / 610) / 2)
    assert "cohort_transition" not in p1.backtest.mape  # a junior method
    assert (p2.method, p2.mape, p2.by_grade) == ("total_trend", 0.0, False)
    assert p2.backtest and p2.backtest.mape["naive"] == pytest.approx((10 / 320 + 20 / 330) / 2)
    assert set(p2.backtest.mape) == {"total_trend", "total_ratio", "naive"}  # totals only
    assert (j1.method, j1.mape) == ("cohort_transition", 0.04)
    assert j1.backtest and set(j1.backtest.mape.values()) == {0.04}


def test_hand_computed_forecast(result: CountyForecast) -> None:
    p1, p2, j1 = result.unit("P1", "primary"), result.unit("P2", "primary"), result.unit("J1", "junior")
    assert p1 and p2 and j1
    assert p1.grades[2026] == pytest.approx({1: 90, 2: 95, 3: 105, 4: 110, 5: 100, 6: 100})
    assert p1.medium[2026] == pytest.approx(600)
    assert p1.medium[2027] == pytest.approx(600)
    assert p1.grades[2028][1] == pytest.approx(93.5)
    assert p1.medium[2028] == pytest.approx(593.5)
    assert [p2.medium[y] for y in (2026, 2027, 2031)] == pytest.approx([340, 350, 390])
    assert j1.medium[2026] == pytest.approx(100 * 5 / 6 + 80 + 90)
    assert j1.medium[2027] == pytest.approx(2 * 100 * 5 / 6 + 80)
    assert result.years == [2026, 2027, 2028, 2029, 2030, 2031]
    projected = result.projected_students()
    assert projected["J1"][2026] == {"junior": pytest.approx(253.3333333)}
    assert projected["P1"][2027]["primary"] == pytest.approx(600)


def test_interval_from_the_back_test_errors(result: CountyForecast) -> None:
    p1, j1 = result.unit("P1", "primary"), result.unit("J1", "junior")
    assert p1 and j1
    # primary: a perfect back-test → the floor of 2 %, growing with √k
    assert p1.high[2026] == pytest.approx(600 * 1.02)
    assert p1.low[2029] == pytest.approx(p1.medium[2029] * (1 - 0.02 * 2))
    q = 0.04 / math.sqrt(2) + 0.8 * (0.04 - 0.04 / math.sqrt(2))
    assert q == pytest.approx(0.03766, abs=1e-5)  # the pooled quantile; J1's own 0.04 is larger
    q = 0.04
    assert j1.high[2026] / j1.medium[2026] - 1 == pytest.approx(q)
    assert j1.low[2027] == pytest.approx(j1.medium[2027] * (1 - q * math.sqrt(2)))
    assert result.projected_students("high")["J1"][2026]["junior"] == pytest.approx(j1.high[2026])


def test_town_and_county_are_sums_with_their_own_mape(result: CountyForecast) -> None:
    town, county = result.area("甲镇", "primary"), result.area("*", "junior")
    assert town and county
    assert town.medium[2026] == pytest.approx(600 + 340)
    assert town.history[2025] == 610 + 330
    assert town.mape == 0.0
    assert county.mape == 0.04
    assert town.schools == 2


def test_json_round_trip(result: CountyForecast) -> None:
    again = CountyForecast.from_json(result.to_json())
    assert again.projected_students() == result.projected_students()


def test_known_change_spread_over_the_towns_schools_by_entry_share() -> None:
    """30 pupils a year from 2027 for 甲镇's primary: P1's grade 1 in 2025 is 95, P2 (totals only)
    counts 330 / 6 = 55 → P1 gets 30 × 95/150 = 19 a year, P2 11; P1's 2027 grade 1 is 100 + 19 and
    2028's grade 2 is 119 (ratio 1); P2 gains 11 in 2027 and 22 in 2028 (two intakes)."""
    changes = pd.DataFrame(
        [("新城小区", "甲镇", "", "primary", 2027, 30), ("旧小区", "甲镇", "", "primary", 2020, 50)],
        columns=list(CHANGES_COLUMNS),
    )
    base = forecast(ForecastInputs(enrolment_frame(), births_frame()), 2025)
    changed = forecast(ForecastInputs(enrolment_frame(), births_frame(), changes), 2025)
    p1, p2 = changed.unit("P1", "primary"), changed.unit("P2", "primary")
    b1, b2 = base.unit("P1", "primary"), base.unit("P2", "primary")
    assert p1 and p2 and b1 and b2
    assert p1.grades[2027][1] == pytest.approx(119)
    assert p1.grades[2028][2] == pytest.approx(119)
    assert p1.medium[2026] == pytest.approx(b1.medium[2026])
    assert p2.medium[2027] - b2.medium[2027] == pytest.approx(11)
    assert p2.medium[2028] - b2.medium[2028] == pytest.approx(22)
    assert [n.rule for n in changed.notes] == ["change_applied", "change_in_history"]  # 2020: in the history
    assert changed.notes[0].message_zh == "已知变化“新城小区”：自 2027 年起每年 30 人进入一年级，分到 2 所学校"


def test_selection_picks_the_better_method_on_a_constructed_case() -> None:
    """A school whose intake swings with the births: the births method back-tests exactly and wins; with
    the births taken away it cannot be used, and the trend (worse here) is not chosen over naive
    unless it back-tests better."""
    with_births = forecast(ForecastInputs(enrolment_frame(), births_frame()), 2025).unit("P1", "primary")
    without = forecast(ForecastInputs(enrolment_frame()), 2025).unit("P1", "primary")
    assert with_births and without and without.backtest
    assert with_births.method == "cohort_births"
    assert "cohort_births" not in without.backtest.mape
    # naive (0.004) back-tests better than the entry trend (0.053) and the total methods (≈ 0.02)
    assert without.method == "naive"
    assert without.mape == pytest.approx(5 / 615 / 2)
    # P1 keeps feeding the town's grade 6 (by its cohort method: grade 5 of 2025 moves up, ratio 1), so J1's
    # grade 7 of 2027 is that 100 × 5/6, not a trend
    j1 = forecast(ForecastInputs(enrolment_frame()), 2025).unit("J1", "junior")
    assert j1 and j1.method == "cohort_transition"
    assert j1.grades[2027][7] == pytest.approx(100 * 5 / 6)


def test_short_history_has_no_mape_and_a_wider_default_interval() -> None:
    frame = enrolment_frame()
    short = forecast(ForecastInputs(frame[frame.year >= 2024], births_frame()), 2025)
    assert short.backtest_years == []
    assert [n.rule for n in short.notes] == ["history_too_short"]
    p1 = short.unit("P1", "primary")
    assert p1 and p1.mape is None and p1.backtest is None
    assert p1.method == "cohort_births"  # the default method
    default = ForecastSettings.load().default_error
    assert p1.high[2026] == pytest.approx(p1.medium[2026] * (1 + default))
    assert all(a.mape is None for a in short.towns + short.county)


def test_bad_rows_are_listed_in_both_languages() -> None:
    frame = enrolment_frame()
    frame.loc[0, "grade"] = 8  # a junior grade in a primary school
    frame.loc[1, "students"] = -3
    with pytest.raises(InputError) as caught:
        forecast(ForecastInputs(frame), 2025)
    assert [p.rule for p in caught.value.problems] == ["bad_enrolment_row", "bad_enrolment_row"]
    with pytest.raises(InputError, match="base year 2030"):
        forecast(ForecastInputs(enrolment_frame()), 2030)
    with pytest.raises(InputError, match="no column 'grade'"):
        forecast(ForecastInputs(enrolment_frame().drop(columns="grade")), 2025)


# -- properties ------------------------------------------------------------------------------------

_counts = st.integers(min_value=0, max_value=400)


@st.composite
def histories(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    years = draw(st.integers(min_value=1, max_value=6))
    for s in range(draw(st.integers(min_value=1, max_value=3))):
        level = draw(st.sampled_from(["primary", "junior"]))
        grades = range(1, 7) if level == "primary" else range(7, 10)
        totals_only = draw(st.booleans())
        for year in range(2025 - years + 1, 2026):
            if totals_only:
                rows.append((f"S{s}", f"校{s}", draw(st.sampled_from(["甲", "乙", ""])), year, level, 0, draw(_counts)))
            else:
                rows += [(f"S{s}", f"校{s}", "甲", year, level, g, draw(_counts)) for g in grades]
    return pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))


@given(histories(), st.lists(st.integers(min_value=0, max_value=5000), min_size=10, max_size=10))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_forecast_is_never_negative(frame: pd.DataFrame, births: list[int]) -> None:
    births_df = pd.DataFrame({"town": "甲", "year": range(2012, 2022), "births": births})
    result = forecast(ForecastInputs(frame, births_df), 2025)
    for part in [*result.schools, *result.towns, *result.county]:
        for name in ("low", "medium", "high"):
            assert all(v >= 0 and math.isfinite(v) for v in getattr(part, name).values())
        assert all(part.low[y] <= part.medium[y] <= part.high[y] for y in result.years)


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=6), st.integers(1, 20000))
@settings(max_examples=40, deadline=None)
def test_constant_enrolment_forecasts_constant(pupils: int, years: int, births: int) -> None:
    """Every grade the same every year, births constant: every ratio is constant, so is the forecast."""
    rows = [("S", "校", "甲", y, "primary", g, pupils) for y in range(2025 - years + 1, 2026) for g in range(1, 7)]
    frame = pd.DataFrame(rows, columns=list(ENROLMENT_COLUMNS))
    births_df = pd.DataFrame({"town": "甲", "year": range(2010, 2026), "births": births})
    unit = forecast(ForecastInputs(frame, births_df), 2025).unit("S", "primary")
    assert unit
    assert all(v == pytest.approx(6 * pupils) for v in unit.medium.values())
