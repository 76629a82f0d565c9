"""Projected compliance (dudao.engine.projected): future years evaluated with the projected pupils and
today's resources, hand-computed on small counties."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.demo.synthetic import synthetic_schools
from dudao.engine import county_result, evaluate_table
from dudao.engine.fields import ONE_THROUGH_PARTS, TYPE_LEVEL
from dudao.engine.projected import projected_compliance, projected_frame
from tests.engine.schools import NATIONAL, PRIMARY

# X passes today on 6 of 7: L7 is 11 rooms for 500 pupils = 2.2 per 100 (< 2.3, but 95.7 % of it).
# Its pupils grow 500 → 520 → 540 → 560 while its 2500 m² of teaching rooms stay:
# L4 = 5.0, 4.81, 4.63, then 4.46 m² per pupil (< 4.5) in the third year, so 5 of 7 are met: it fails.
# At 560 pupils everything else still holds: L1 25/5.6 = 4.46 ≥ 4.2, L2 6/5.6 = 1.07, L3 6/5.6 = 1.07,
# L5 5000/560 = 8.9, L6 1.3 M/560 = 2321 yuan, L7 11/5.6 = 1.96 per 100 = 85.4 % of 2.3 (≥ 85 %).
X = {**PRIMARY, "school_code": "X", "school_name": "城关小学", "pe_art_teachers": 6, "sports_area_m2": 5000,
     "equipment_value_yuan": 1_300_000, "multimedia_classrooms": 11}  # fmt: skip
Y = {**PRIMARY, "school_code": "Y", "school_name": "东关小学"}
Z = {**PRIMARY, "school_code": "Z", "school_name": "西关小学"}
GROWS = {
    "X": {2025: {"primary": 520}, 2026: {"primary": 540}, 2027: {"primary": 560}},
    "Y": {y: {"primary": 500} for y in (2025, 2026, 2027)},
    "Z": {y: {"primary": 500} for y in (2025, 2026, 2027)},
}


def test_a_school_fails_l4_in_the_third_year_because_its_pupils_grow():
    pc = projected_compliance(pd.DataFrame([X, Y, Z]), NATIONAL, GROWS, 2024)
    assert sorted(pc.years) == [2025, 2026, 2027]
    x = {y: next(s for s in r.schools if s.school_code == "X") for y, r in pc.years.items()}
    assert [round(x[y].indicators["L4"].value, 2) for y in (2025, 2026, 2027)] == [4.81, 4.63, 4.46]
    assert [x[y].passed for y in (2025, 2026, 2027)] == [True, True, False]
    assert [len(pc.schools), pc.schools[0].school_code, pc.schools[0].first_year] == [1, "X", 2027]
    change = pc.schools[0]
    assert (change.change, change.indicators, change.students_today, change.students_then) == (
        "fails",
        ["L4"],
        500,
        560,
    )
    assert [(r.rule, r.indicator) for r in change.reasons] == [
        ("indicator_unmet", "L4"),
        ("indicator_unmet", "L7"),
        ("too_few_met", None),
    ]
    # L4's gap in 2027: 4.5 × 560 = 2520 m² needed, 2500 held → 20 m².
    assert x[2027].indicators["L4"].gap == 20
    # The county's primary level fails with it in 2027 and passed before.
    assert pc.level_verdicts()[2024]["primary"] is True
    assert [pc.level_verdicts()[y]["primary"] for y in (2025, 2026, 2027)] == [True, True, False]


def test_a_cv_fails_when_pupils_move_to_one_school():
    # Two identical schools: every CV is 0 today. In 2026 W has 2000 pupils and V 500, with today's
    # resources: W's per-pupil figures are a quarter of V's. L4: W 2500/2000 = 1.25, V 5.0;
    # mean = 5000/2500 = 2.0; variance = 0.8 × 0.75² + 0.2 × 3² = 2.25; CV = 1.5 / 2.0 = 0.75 > 0.50.
    v = {**PRIMARY, "school_code": "V", "school_name": "一小"}
    w = {**PRIMARY, "school_code": "W", "school_name": "二小"}
    projected = {"V": {2025: {"primary": 500}, 2026: {"primary": 500}},
                 "W": {2025: {"primary": 500}, 2026: {"primary": 2000}}}  # fmt: skip
    pc = projected_compliance(pd.DataFrame([v, w]), NATIONAL, projected, 2024)
    l4 = next(c for c in pc.cvs if c.code == "L4")
    assert (l4.level, l4.change, l4.first_year, l4.cv_today, l4.limit) == ("primary", "fails", 2026, 0.0, 0.5)
    assert abs(l4.cv_then - 0.75) < 1e-12
    assert {c.code for c in pc.cvs} == {f"L{i}" for i in range(1, 8)}  # every figure is split the same way
    assert pc.years[2025].levels["primary"].passed is True
    assert pc.years[2026].levels["primary"].passed is False


def test_a_failing_school_that_loses_pupils_recovers():
    # X at 560 pupils today fails (above); its pupils fall back to 500 in 2026.
    x = {**X, "students": 560}
    projected = {"X": {2025: {"primary": 560}, 2026: {"primary": 500}}, "Y": {2025: {"primary": 500}}}
    pc = projected_compliance(pd.DataFrame([x, Y]), NATIONAL, projected, 2024)
    change = next(s for s in pc.schools if s.school_code == "X")
    assert (change.change, change.first_year, change.indicators) == ("recovers", 2026, ["L4"])
    # Y has no projection for 2026: today's pupils are used, and said.
    assert [(p.rule, p.value) for p in pc.problems] == [("no_projection", "Y")]


def test_a_whole_school_row_gets_its_projected_pupils_per_level():
    nine = {
        "school_code": "N", "school_name": "九年", "school_type": "nine_year", "students": 600,
        "students_primary": 400, "students_junior": 200,
    }  # fmt: skip
    frame, missing = projected_frame(pd.DataFrame([nine]), {"N": {2026: {"primary": 450.4, "junior": 249.5}}}, 2026)
    assert frame.iloc[0][["students_primary", "students_junior", "students"]].tolist() == [450, 250, 700]
    assert missing == []


def test_a_single_level_school_given_as_its_whole_school_takes_its_levels_projection():
    # A reader gives an empty level as "all" (全校); a primary school's whole school is its primary level.
    rows = [{**X, "level": "all"}, {**Y, "level": ""}, {**Z, "level": "primary"}]
    frame, missing = projected_frame(pd.DataFrame(rows), GROWS, 2027)
    assert frame["students"].tolist() == [560, 500, 500] and missing == []


def _today(frame: pd.DataFrame, year: int) -> dict:
    """Each school's pupils per level as they are today, in the projection's shape."""
    out: dict = {}
    for r in frame.to_dict("records"):
        t, lvl = r["school_type"], r.get("level")
        if t in ONE_THROUGH_PARTS and (lvl is None or pd.isna(lvl) or lvl in ("", "all")):
            pupils = {p: r[f"students_{p}"] for p in ONE_THROUGH_PARTS[t] if p in ("primary", "junior")}
        elif t in TYPE_LEVEL or t in ONE_THROUGH_PARTS:
            pupils = {lvl if isinstance(lvl, str) and lvl else TYPE_LEVEL[t]: r["students"]}
        else:
            continue
        out[str(r["school_code"])] = {year: pupils, year + 1: pupils}
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_a_projection_equal_to_today_reproduces_todays_result(seed):
    frame = synthetic_schools(1, (6, 14), seed=seed, one_through_share=0.3)
    today = county_result(evaluate_table(frame, NATIONAL))
    pc = projected_compliance(frame, NATIONAL, _today(frame, 2025), 2024)
    assert pc.today.to_dict() == today.to_dict()
    for result in pc.years.values():
        assert result.to_dict() == today.to_dict()
    assert pc.cvs == [c for c in pc.cvs if c.change == "still_fails"]
    assert pc.schools == [] and pc.problems == []
