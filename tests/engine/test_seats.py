"""Seats, class sizes and teachers under a projection (dudao.engine.seats), hand-computed on four schools.

Base year 2024. Planning figures: 45 seats per primary room, 50 per junior room; 大班额 ≥ 56, 超大班额 ≥ 66;
students per staff post 19 (primary) and 13.5 (junior).

  A 一小 (城关镇, primary): 500 pupils, 12 classrooms → 540 seats; projected 520, 560, 600.
  D 二小 (城关镇, primary): 200 pupils, 8 classrooms → 360 seats; projected 200, 190, 180.
  B 一中 (北镇, junior): 500 pupils, no classrooms, 10 classes → 500 seats (estimated); projected 480, 560, 680.
  C 九年 (北镇, nine-year, one whole-school row): 300 primary + 200 junior pupils, 10 classrooms shared
    300 : 200 → 6 primary rooms (270 seats) and 4 junior rooms (200 seats); projected primary 290, 280,
    270 and junior 220, 230, 240.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dudao.engine.seats import seats
from dudao.standards.planning import load_planning
from tests.engine.schools import JUNIOR, NATIONAL, PRIMARY

PLANNING = load_planning()
LEVEL_TEACHERS = ("teachers", "teachers_above_qualification", "backbone_teachers", "pe_art_teachers")


def county() -> pd.DataFrame:
    nine_year = {
        "school_code": "C", "school_name": "九年", "school_type": "nine_year", "town": "北镇",
        "students_primary": 300, "students_junior": 200, "classrooms": 10,
        **{f"{f}_primary": n for f, n in zip(LEVEL_TEACHERS, (20, 15, 3, 3), strict=True)},
        **{f"{f}_junior": n for f, n in zip(LEVEL_TEACHERS, (16, 12, 2, 2), strict=True)},
        "teaching_aux_area_m2": 2600, "sports_area_m2": 4500, "equipment_value_yuan": 1_200_000,
        "multimedia_classrooms": 12,
    }  # fmt: skip
    return pd.DataFrame(
        [
            {"school_code": "A", "school_name": "一小", "town": "城关镇", **PRIMARY, "teachers": 30, "classrooms": 12},
            {"school_code": "D", "school_name": "二小", "town": "城关镇", **PRIMARY, "students": 200, "teachers": 12,
             "classrooms": 8},
            {"school_code": "B", "school_name": "一中", "town": "北镇", **JUNIOR, "teachers": 40, "classes": 10},
            nine_year,
        ]
    )  # fmt: skip


PROJECTED = {
    "A": {2025: {"primary": 520}, 2026: {"primary": 560}, 2027: {"primary": 600}},
    "D": {2025: {"primary": 200}, 2026: {"primary": 190}, 2027: {"primary": 180}},
    "B": {2025: {"junior": 480}, 2026: {"junior": 560}, 2027: {"junior": 680}},
    "C": {
        2025: {"primary": 290, "junior": 220},
        2026: {"primary": 280, "junior": 230},
        2027: {"primary": 270, "junior": 240},
    },
}


@pytest.fixture(scope="module")
def result():
    return seats(county(), NATIONAL, PLANNING, PROJECTED, 2024)


def row(table: pd.DataFrame, **keys) -> dict:
    mask = pd.Series(True, index=table.index)
    for k, v in keys.items():
        mask &= table[k] == v
    found = table[mask]
    assert len(found) == 1, (keys, found)
    return found.iloc[0].to_dict()


def test_capacity_is_classrooms_times_the_standard_class_size(result):
    caps = {(r["school_code"], r["level"]): (r["capacity"], r["basis"], r["estimated"])
            for r in result.schools.to_dict("records")}  # fmt: skip
    assert caps == {
        ("A", "primary"): (540, "classrooms", False),  # 12 × 45
        ("D", "primary"): (360, "classrooms", False),  # 8 × 45
        ("B", "junior"): (500, "classes", True),  # 10 classes × 50, no classroom count: estimated
        ("C", "primary"): (270, "classrooms", False),  # 10 × 300/500 = 6 rooms × 45
        ("C", "junior"): (200, "classrooms", False),  # 4 rooms × 50
    }


def test_a_school_with_neither_classrooms_nor_classes_has_no_capacity():
    frame = county().drop(columns=["classes"])
    s = seats(frame, NATIONAL, PLANNING, PROJECTED, 2024)
    b = row(s.schools, school_code="B")
    assert b["basis"] == "none" and pd.isna(b["capacity"])
    assert not (s.warnings["school_code"] == "B").any()
    # The town adds up the parts of known capacity only, and counts the other.
    town = row(s.town_years, town="北镇", level="junior", year=2026)
    assert (town["pupils"], town["capacity"], town["schools"], town["schools_unknown"]) == (230, 200, 1, 1)


def test_seat_gaps_per_school_and_year(result):
    gaps = result.school_years.pivot_table(index=["school_code", "level"], columns="year", values="gap")
    assert gaps.loc[("A", "primary")].tolist() == [-40, -20, 20, 60]
    assert gaps.loc[("D", "primary")].tolist() == [-160, -160, -170, -180]
    assert gaps.loc[("B", "junior")].tolist() == [0, -20, 60, 180]
    assert gaps.loc[("C", "primary")].tolist() == [30, 20, 10, 0]
    assert gaps.loc[("C", "junior")].tolist() == [0, 20, 30, 40]
    assert result.years == (2024, 2025, 2026, 2027)
    assert not row(result.school_years, school_code="A", year=2024)["projected"]
    assert row(result.school_years, school_code="A", year=2025)["projected"]


def test_town_gaps_offset_one_school_against_another(result):
    town = result.town_years.set_index(["town", "level", "year"])
    # 城关镇 primary: A + D, 900 seats; A runs out in 2026 but D's surplus covers the town.
    assert town.loc[("城关镇", "primary")]["gap"].tolist() == [-200, -180, -150, -120]
    assert town.loc[("城关镇", "primary")]["schools_over"].tolist() == [0, 0, 1, 1]
    # 北镇 junior: B + C's junior part, 700 seats: 700, 700, 790, 920 pupils.
    assert town.loc[("北镇", "junior")]["gap"].tolist() == [0, 0, 90, 220]
    assert town.loc[("北镇", "primary")]["gap"].tolist() == [30, 20, 10, 0]


def test_warning_list_first_year_over_and_gap(result):
    w = {(r["scope"], r["school_code"] or r["town"], r["level"]): (r["first_year"], r["gap"], r["max_gap"],
         r["max_gap_year"], r["already_over"]) for r in result.warnings.to_dict("records")}  # fmt: skip
    assert result.warning_years == 3  # the planning figures' default
    assert w == {
        ("school", "C", "primary"): (2024, 30, 30, 2024, True),  # over already today
        ("town", "北镇", "primary"): (2024, 30, 30, 2024, True),
        ("school", "C", "junior"): (2025, 20, 40, 2027, False),
        ("school", "A", "primary"): (2026, 20, 60, 2027, False),
        ("school", "B", "junior"): (2026, 60, 180, 2027, False),
        ("town", "北镇", "junior"): (2026, 90, 220, 2027, False),
    }
    # Sorted by the first year over, the larger gap first.
    assert result.warnings["first_year"].tolist() == sorted(result.warnings["first_year"])
    assert list(result.warnings["gap"][result.warnings["first_year"] == 2026]) == [90, 60, 20]


def test_warning_window_is_n_years():
    one = seats(county(), NATIONAL, PLANNING, PROJECTED, 2024, warning_years=1)
    assert set(zip(one.warnings["scope"], one.warnings["school_code"], one.warnings["level"], strict=True)) == {
        ("school", "C", "primary"), ("town", "", "primary"), ("school", "C", "junior")
    }  # fmt: skip
    with pytest.raises(ValueError):
        seats(county(), NATIONAL, PLANNING, PROJECTED, 2024, warning_years=0)


def test_class_size_risk(result):
    b = result.school_years[result.school_years["school_code"] == "B"].set_index("year")
    # 10 rooms: 50, 48, 56 (大班额: 56人以上 includes 56), 68 (超大班额: 66人以上).
    assert b["class_size"].tolist() == [50, 48, 56, 68]
    assert b["band"].tolist() == ["", "", "large", "very_large"]
    a = result.school_years[result.school_years["school_code"] == "A"]
    assert a["band"].tolist() == ["", "", "", ""]  # 600 / 12 = 50 at most


def test_teacher_demand_from_the_staffing_ratio_and_l1_to_l3(result):
    t = result.teachers.set_index(["school_code", "level", "year", "basis"])
    # A in 2027: 600 pupils. Staff posts 600/19 = 31.6 → 32, 30 teachers → 2 short.
    assert t.loc[("A", "primary", 2027, "staffing"), ["needed", "now", "shortfall"]].tolist() == [32, 30, 2]
    # L1 4.2 per 100 → 25.2 → 26 against 25; L2 1 per 100 → 6 against 6; L3 0.9 per 100 → 5.4 → 6 against 5.
    assert t.loc[("A", "primary", 2027, "L1"), ["needed", "now", "shortfall"]].tolist() == [26, 25, 1]
    assert t.loc[("A", "primary", 2027, "L2"), ["needed", "now", "shortfall"]].tolist() == [6, 6, 0]
    assert t.loc[("A", "primary", 2027, "L3"), ["needed", "now", "shortfall"]].tolist() == [6, 5, 1]
    # B in 2027: 680 pupils. 680/13.5 = 50.4 → 51 posts against 40; L1 5.3 per 100 → 36.04 → 37 against 30.
    assert t.loc[("B", "junior", 2027, "staffing"), ["needed", "now", "shortfall"]].tolist() == [51, 40, 11]
    assert t.loc[("B", "junior", 2027, "L1"), ["needed", "now", "shortfall"]].tolist() == [37, 30, 7]
    # C's junior part counts its per-level teachers (16): 240/13.5 = 17.8 → 18.
    assert t.loc[("C", "junior", 2027, "staffing"), ["needed", "now", "shortfall"]].tolist() == [18, 16, 2]
    # Today (2024) A needs 500/19 = 26.3 → 27 posts and has 30: no shortfall.
    assert t.loc[("A", "primary", 2024, "staffing"), "shortfall"] == 0


def test_teachers_exactly_at_the_ratio_need_no_extra_post():
    # 380 pupils / 19 = 20 posts exactly; in floats 380 × (1/19) is not 20, the division must not add one.
    frame = pd.DataFrame([{"school_code": "A", "school_name": "一小", **PRIMARY, "teachers": 20, "classrooms": 12}])
    s = seats(frame, NATIONAL, PLANNING, {"A": {2025: {"primary": 380}}}, 2024)
    t = s.teachers.set_index(["year", "basis"])
    assert t.loc[(2025, "staffing"), ["needed", "shortfall"]].tolist() == [20, 0]
    assert t.loc[(2025, "L1"), "needed"] == 16  # 4.2 × 3.8 = 15.96 → 16


def test_county_teacher_totals(result):
    totals = result.county_teachers().set_index(["year", "level", "basis"])
    # 2027 primary staffing: A 32 + D 10 (180/19 = 9.5) + C 15 (270/19 = 14.2) = 57 needed; 30 + 12 + 20 held.
    assert totals.loc[(2027, "primary", "staffing"), ["needed", "now", "shortfall"]].tolist() == [57, 62, 2]


def test_a_school_without_projection_keeps_only_its_base_year():
    projected = {k: v for k, v in PROJECTED.items() if k != "D"}
    s = seats(county(), NATIONAL, PLANNING, projected, 2024)
    assert s.school_years[s.school_years["school_code"] == "D"]["year"].tolist() == [2024]
    assert [(p.rule, p.value) for p in s.problems] == [("no_projection", "D")]


def test_towns_may_be_given_by_the_caller():
    frame = county().drop(columns=["town"])
    s = seats(frame, NATIONAL, PLANNING, PROJECTED, 2024, towns={"A": "东镇", "D": "西镇"})
    assert set(s.town_years["town"]) == {"东镇", "西镇", ""}
    assert row(s.town_years, town="东镇", level="primary", year=2027)["gap"] == 60


def test_a_province_may_change_the_class_size(tmp_path):
    override = tmp_path / "small-classes.yaml"
    override.write_text("class_size:\n  standard:\n    primary: {value: 40}\n", encoding="utf-8")
    planning = load_planning(override=override)
    s = seats(county(), NATIONAL, planning, PROJECTED, 2024)
    assert row(s.schools, school_code="A")["capacity"] == 480  # 12 × 40


def test_a_fraction_of_a_pupil_under_a_half_is_not_over_capacity():
    # 12 rooms × 45 = 540 seats: 540.4 projected pupils are 540 pupils (not over); 540.5 are 541 (over by 1).
    frame = pd.DataFrame([{"school_code": "A", "school_name": "一小", **PRIMARY, "teachers": 30, "classrooms": 12}])
    s = seats(frame, NATIONAL, PLANNING, {"A": {2025: {"primary": 540.4}, 2026: {"primary": 540.5}}}, 2024)
    assert s.warnings[["scope", "first_year"]].values.tolist() == [["school", 2026], ["town", 2026]]
    assert s.town_years["schools_over"].tolist() == [0, 0, 1]
