"""One-through schools (一贯制, 完全中学) and the school scope (standards.md §1.3, §1.10).

A whole-school row is split into level parts: teachers are taken per level as given, facility
fields are apportioned by enrolment weighted primary : junior : senior = 1 : 1.1 : 1.32
(完全中学 junior : senior = 1 : 1.2), e.g. primary share = A / (A + 1.1·B).
"""

from __future__ import annotations

import pandas as pd
import pytest

from dudao.engine import InputError, evaluate_table
from dudao.standards import load
from tests.engine.schools import NATIONAL

HEBEI = load("national-2017", province="hebei")

TEACHERS = ("teachers_above_qualification", "backbone_teachers", "pe_art_teachers")
FACILITIES = ("teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms")


def nine_year(code: str = "N1", **overrides) -> dict:
    """A nine-year school as one whole-school row: 600 primary and 400 junior pupils."""
    row = {
        "school_code": code,
        "school_name": f"九年一贯制{code}",
        "school_type": "nine_year",
        "level": None,
        "students": 1000,
        "students_primary": 600,
        "students_junior": 400,
        # Whole-school teacher columns are left blank: teachers are given per level.
        **dict.fromkeys(TEACHERS),
        "teachers_above_qualification_primary": 30,
        "teachers_above_qualification_junior": 24,
        "backbone_teachers_primary": 6,
        "backbone_teachers_junior": 5,
        "pe_art_teachers_primary": 6,
        "pe_art_teachers_junior": 4,
        "teaching_aux_area_m2": 10_400,
        "indoor_gym_area_m2": 520,
        "sports_area_m2": 20_800,
        "equipment_value_yuan": 2_600_000,
        "multimedia_classrooms": 52,
    }
    return {**row, **overrides}


def primary(code: str = "P1", **overrides) -> dict:
    row = {
        "school_code": code,
        "school_name": f"小学{code}",
        "school_type": "primary",
        "students": 500,
        "teachers_above_qualification": 25,
        "backbone_teachers": 6,
        "pe_art_teachers": 5,
        "teaching_aux_area_m2": 2500,
        "sports_area_m2": 4000,
        "equipment_value_yuan": 1_100_000,
        "multimedia_classrooms": 12,
    }
    return {**row, **overrides}


def parts(*rows: dict, standard=NATIONAL) -> pd.DataFrame:
    ev = evaluate_table(pd.DataFrame(list(rows)), standard)
    return ev.schools.set_index(["school_code", "level"]).sort_index()


def problems(*rows: dict) -> list[tuple[str, int | None]]:
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame(list(rows)), NATIONAL)
    return [(p.rule, p.row) for p in info.value.problems]


# --- nine-year school ------------------------------------------------------------------------------


def test_nine_year_facilities_are_apportioned_a_over_a_plus_1_1b():
    # A = 600, B = 400: weighted 600 and 1.1·400 = 440, total 1040.
    # primary share = 600/1040 = 15/26 = 0.576923076923…, junior share = 440/1040 = 11/26 = 0.423076923…
    p = parts(nine_year())
    pri, jun = p.loc[("N1", "primary")], p.loc[("N1", "junior")]
    assert pri["facility_share"] == pytest.approx(15 / 26, rel=1e-12)
    assert jun["facility_share"] == pytest.approx(11 / 26, rel=1e-12)
    assert (pri["students"], jun["students"]) == (600, 400)
    # Teaching area 10 400 m² → 6000 and 4400 m²; sports 20 800 → 12 000 and 8800;
    # equipment 2 600 000 yuan → 1 500 000 and 1 100 000; 52 rooms → 30 and 22. (The indoor gym is not
    # read by the national L4, so it is not carried; see the gym-subtracting profile below.)
    expected = {
        "teaching_aux_area_m2": (6000, 4400),
        "sports_area_m2": (12_000, 8800),
        "equipment_value_yuan": (1_500_000, 1_100_000),
        "multimedia_classrooms": (30, 22),
    }
    for field, (a, b) in expected.items():
        assert pri[field] == pytest.approx(a, rel=1e-12), field
        assert jun[field] == pytest.approx(b, rel=1e-12), field
    # Per pupil: L4 6000/600 = 10 and 4400/400 = 11; L5 20 and 22; L6 2500 and 2750; L7 5.0 and 5.5.
    assert [pri[f"L{i}_value"] for i in (4, 5, 6, 7)] == pytest.approx([10, 20, 2500, 5.0], rel=1e-12)
    assert [jun[f"L{i}_value"] for i in (4, 5, 6, 7)] == pytest.approx([11, 22, 2750, 5.5], rel=1e-12)


def test_nine_year_teachers_are_taken_per_level():
    p = parts(nine_year())
    pri, jun = p.loc[("N1", "primary")], p.loc[("N1", "junior")]
    # L1: 30/600·100 = 5.0 and 24/400·100 = 6.0; L2: 6/600·100 = 1.0 and 5/400·100 = 1.25;
    # L3: 6/600·100 = 1.0 and 4/400·100 = 1.0 — not apportioned by the facility share.
    assert [pri[f"L{i}_value"] for i in (1, 2, 3)] == pytest.approx([5.0, 1.0, 1.0], rel=1e-12)
    assert [jun[f"L{i}_value"] for i in (1, 2, 3)] == pytest.approx([6.0, 1.25, 1.0], rel=1e-12)
    assert (pri["L1_threshold"], jun["L1_threshold"]) == (4.2, 5.3)
    assert bool(pri["passed"]) and bool(jun["passed"])


def test_nine_year_parts_add_up_to_the_whole_school():
    p = parts(nine_year(students_primary=523, students_junior=377, students=900))
    for field in FACILITIES:
        assert p[field].sum() == pytest.approx(nine_year()[field], rel=1e-12), field
    # primary share = 523 / (523 + 1.1·377) = 523 / 937.7
    assert p.loc[("N1", "primary"), "facility_share"] == pytest.approx(523 / 937.7, rel=1e-12)


def test_split_rows_given_by_hand_give_the_same_indicator_values():
    whole = parts(nine_year())
    by_level = [
        primary(
            "N1",
            school_type="nine_year",
            level="primary",
            students=600,
            teachers_above_qualification=30,
            backbone_teachers=6,
            pe_art_teachers=6,
            teaching_aux_area_m2=6000,
            sports_area_m2=12_000,
            equipment_value_yuan=1_500_000,
            multimedia_classrooms=30,
        ),
        primary(
            "N1",
            school_type="nine_year",
            level="junior",
            students=400,
            teachers_above_qualification=24,
            backbone_teachers=5,
            pe_art_teachers=4,
            teaching_aux_area_m2=4400,
            sports_area_m2=8800,
            equipment_value_yuan=1_100_000,
            multimedia_classrooms=22,
        ),
    ]
    split = parts(*by_level)
    for level in ("primary", "junior"):
        for i in range(1, 8):
            assert split.loc[("N1", level), f"L{i}_value"] == pytest.approx(
                whole.loc[("N1", level), f"L{i}_value"], rel=1e-12
            ), (level, i)
        assert split.loc[("N1", level), "passed"] == whole.loc[("N1", level), "passed"]


# --- twelve-year school and complete middle school -------------------------------------------------


def test_twelve_year_school_splits_1_to_1_1_to_1_32():
    # A = 600, B = 400, C = 500 senior: weighted 600, 440, 660 (1.32·500); total 1700.
    # primary 600/1700 = 6/17, junior 440/1700 = 22/85, senior 660/1700 = 33/85 (taken, not evaluated).
    row = nine_year(
        "T1",
        school_type="twelve_year",
        students=1500,
        students_senior=500,
        teaching_aux_area_m2=17_000,
        sports_area_m2=34_000,
        equipment_value_yuan=4_250_000,
        multimedia_classrooms=85,
    )
    ev = evaluate_table(pd.DataFrame([row]), NATIONAL)
    p = ev.schools.set_index(["school_code", "level"])
    assert sorted(ev.schools["level"]) == ["junior", "primary"]
    pri, jun = p.loc[("T1", "primary")], p.loc[("T1", "junior")]
    assert pri["facility_share"] == pytest.approx(6 / 17, rel=1e-12)
    assert jun["facility_share"] == pytest.approx(22 / 85, rel=1e-12)
    # 17 000 m² → 6000 (primary) and 4400 (junior); the senior 6600 m² is not counted anywhere.
    assert pri["teaching_aux_area_m2"] == pytest.approx(6000, rel=1e-12)
    assert jun["teaching_aux_area_m2"] == pytest.approx(4400, rel=1e-12)
    assert p["teaching_aux_area_m2"].sum() == pytest.approx(10_400, rel=1e-12)
    # L4 = 6000/600 = 10 and 4400/400 = 11; L6 = 4 250 000·6/17/600 = 2500 and ·22/85/400 = 2750.
    assert [pri["L4_value"], jun["L4_value"]] == pytest.approx([10, 11], rel=1e-12)
    assert [pri["L6_value"], jun["L6_value"]] == pytest.approx([2500, 2750], rel=1e-12)
    assert [pri["L1_value"], jun["L1_value"]] == pytest.approx([5.0, 6.0], rel=1e-12)
    # Only compulsory pupils count for the CV weights.
    assert ev.levels.set_index("level")["students"].to_dict() == {"junior": 400, "primary": 600}


def test_complete_middle_school_splits_1_to_1_2():
    # B = 500 junior, C = 500 senior: weighted 500 and 600; junior share = 500/1100 = 5/11.
    row = {
        "school_code": "C1",
        "school_name": "完全中学",
        "school_type": "complete_middle",
        "students": 1000,
        "students_junior": 500,
        "students_senior": 500,
        **dict.fromkeys(TEACHERS),
        "teachers_above_qualification_junior": 30,
        "backbone_teachers_junior": 6,
        "pe_art_teachers_junior": 5,
        "teaching_aux_area_m2": 11_000,  # → 5000 m², L4 = 10
        "sports_area_m2": 22_000,  # → 10 000 m², L5 = 20
        "equipment_value_yuan": 3_300_000,  # → 1 500 000 yuan, L6 = 3000
        "multimedia_classrooms": 33,  # → 15 rooms, L7 = 3.0
    }
    ev = evaluate_table(pd.DataFrame([row]), NATIONAL)
    assert list(ev.schools["level"]) == ["junior"]
    jun = ev.schools.iloc[0]
    assert jun["facility_share"] == pytest.approx(5 / 11, rel=1e-12)
    assert jun["students"] == 500
    assert [jun[f"L{i}_value"] for i in range(1, 8)] == pytest.approx([6.0, 1.2, 1.0, 10, 20, 3000, 3.0], rel=1e-12)


def test_senior_row_of_a_split_school_is_excluded():
    rows = [
        primary("T1", school_type="twelve_year", level="primary"),
        primary("T1", school_type="twelve_year", level="senior", students=300),
    ]
    ev = evaluate_table(pd.DataFrame(rows), NATIONAL)
    assert list(ev.schools["level"]) == ["primary"]
    assert ev.excluded.set_index("level").loc["senior", "reason"] == "senior_part"


def test_per_level_teacher_columns_are_enough_when_every_school_is_a_whole_row():
    row = {k: v for k, v in nine_year().items() if k not in TEACHERS}
    ev = evaluate_table(pd.DataFrame([row]), NATIONAL)
    assert ev.no_data == []
    p = ev.schools.set_index("level")
    assert [p.loc["primary", f"L{i}_value"] for i in (1, 2, 3)] == pytest.approx([5.0, 1.0, 1.0], rel=1e-12)
    assert [p.loc["junior", f"L{i}_value"] for i in (1, 2, 3)] == pytest.approx([6.0, 1.25, 1.0], rel=1e-12)


def test_per_level_teacher_columns_alone_do_not_serve_single_level_schools():
    # A 小学 row needs the plain teacher columns; they are absent, only the per-level ones are there.
    rows = [{k: v for k, v in r.items() if k not in TEACHERS} for r in (primary(), nine_year())]
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame(rows), NATIONAL)
    assert sorted((p.rule, p.column) for p in info.value.problems) == [("missing_column", f) for f in sorted(TEACHERS)]


# --- input errors ----------------------------------------------------------------------------------


def test_missing_level_students():
    found = problems(nine_year(students_junior=None))
    assert found == [("missing_level_students", 2)]


def test_missing_level_students_of_a_twelve_year_school():
    found = problems(nine_year(school_type="twelve_year"))  # no students_senior
    assert found == [("missing_level_students", 2)]


def test_missing_level_teachers():
    row = nine_year()
    del row["pe_art_teachers_junior"]
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame([row]), NATIONAL)
    assert [(p.rule, p.column) for p in info.value.problems] == [("missing_level_teachers", "pe_art_teachers_junior")]


def test_blank_level_teachers():
    found = problems(primary(), nine_year(backbone_teachers_primary=None))
    assert found == [("missing_level_teachers", 3)]


def test_whole_row_and_level_rows_for_the_same_school():
    found = problems(nine_year(), primary("N1", school_type="nine_year", level="primary", students=600))
    assert found == [("mixed_split", 3)]


def test_duplicate_school_code_for_a_level():
    assert problems(primary("P1"), primary("P1")) == [("duplicate_school", 3)]
    rows = [primary("N1", school_type="nine_year", level="junior")] * 2
    assert problems(*rows) == [("duplicate_school", 3)]


def test_same_code_for_different_levels_is_not_a_duplicate():
    rows = [primary("N1", school_type="nine_year", level=lvl) for lvl in ("primary", "junior")]
    assert sorted(evaluate_table(pd.DataFrame(rows), NATIONAL).schools["level"]) == ["junior", "primary"]


def test_primary_school_with_level_junior():
    assert problems(primary(level="junior")) == [("level_type_mismatch", 2)]


def test_whole_school_level_on_a_single_level_school_is_its_one_level():
    ev = evaluate_table(pd.DataFrame([primary(level="all")]), NATIONAL)
    assert list(ev.schools["level"]) == ["primary"]


def test_students_not_the_sum_of_the_levels():
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame([nine_year(students=1001)]), NATIONAL)
    [problem] = info.value.problems
    assert (problem.rule, problem.row, problem.column) == ("students_mismatch", 2, "students")


def test_every_problem_is_reported_at_once():
    rows = [primary("P1"), primary("P1"), primary("P2", level="junior")]
    assert sorted(problems(*rows)) == [("duplicate_school", 3), ("level_type_mismatch", 4)]


# --- school scope ----------------------------------------------------------------------------------


def teaching_point(students: int) -> dict:
    return primary(f"TP{students}", school_type="teaching_point", students=students)


def test_hebei_excludes_teaching_points_under_50_pupils():
    ev = evaluate_table(pd.DataFrame([primary(), teaching_point(49), teaching_point(50)]), HEBEI)
    assert sorted(ev.schools["school_code"]) == ["P1", "TP50"]
    excluded = ev.excluded.set_index("school_code")
    assert list(excluded.index) == ["TP49"]
    assert excluded.loc["TP49", "reason"] == "small_teaching_point"
    assert "50" in excluded.loc["TP49", "reason_zh"]
    assert ev.levels.set_index("level").loc["primary", "students"] == 550


def test_national_standard_keeps_small_teaching_points():
    ev = evaluate_table(pd.DataFrame([primary(), teaching_point(49)]), NATIONAL)
    assert sorted(ev.schools["school_code"]) == ["P1", "TP49"]
    assert ev.excluded.empty


def test_special_schools_are_excluded_nationally():
    special = primary("SP1", school_type="special", level="primary", students=80)
    ev = evaluate_table(pd.DataFrame([primary(), special]), NATIONAL)
    assert list(ev.schools["school_code"]) == ["P1"]
    assert ev.excluded.set_index("school_code").loc["SP1", "reason"] == "type_excluded"


def test_hebei_also_excludes_vocational_schools():
    vocational = primary("V1", school_type="vocational", level="junior")
    ev = evaluate_table(pd.DataFrame([primary(), vocational]), HEBEI)
    assert ev.excluded.set_index("school_code").loc["V1", "reason"] == "type_excluded"


def test_whole_school_level_all_is_the_same_as_empty():
    a = parts(nine_year(level=None))
    b = parts(nine_year(level="all"))
    assert sorted(a.index) == sorted(b.index) == [("N1", "junior"), ("N1", "primary")]
    assert a.filter(like="_value").to_dict("records") == b.filter(like="_value").to_dict("records")


def test_negative_figure_is_an_input_error():
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame([primary(), primary("P2", sports_area_m2=-1)]), NATIONAL)
    assert [(p.rule, p.row, p.column) for p in info.value.problems] == [("negative", 3, "sports_area_m2")]


def test_empty_enrolment_is_an_input_error():
    with pytest.raises(InputError) as info:
        evaluate_table(pd.DataFrame([primary(), primary("P2", students=None)]), NATIONAL)
    assert [(p.rule, p.row, p.column) for p in info.value.problems] == [("empty_value", 3, "students")]


def test_a_profile_that_subtracts_the_indoor_gym_splits_it_too(tmp_path):
    # L4 = (teaching area − indoor gym) / pupils, a reading some provinces use (standards.md §1.3).
    override = tmp_path / "gym.yaml"
    override.write_text(
        "indicators:\n  - code: L4\n    numerator: teaching_aux_area_m2 - indoor_gym_area_m2\n", encoding="utf-8"
    )
    from dudao.standards import load

    p = parts(nine_year(), standard=load("national-2017", override=override))
    pri, jun = p.loc[("N1", "primary")], p.loc[("N1", "junior")]
    # Gym 520 m² → 300 and 220; L4 = (6000 − 300)/600 = 9.5 and (4400 − 220)/400 = 10.45.
    assert (pri["indoor_gym_area_m2"], jun["indoor_gym_area_m2"]) == pytest.approx((300, 220), rel=1e-12)
    assert (pri["L4_value"], jun["L4_value"]) == pytest.approx((9.5, 10.45), rel=1e-12)
