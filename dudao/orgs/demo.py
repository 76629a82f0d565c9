"""The demo data behind ``dudao seed_demo``: 河北省 › 示范市 (1301) › 示范县 (130135) and two smaller
neighbours, with towns, departments, three school years of census and a user for every role.

示范县 is ``dudao.demo.synthetic.demo_county()`` (the table ``make demo`` writes to
``var/demo/demo-county.xlsx``): its 2025 census holds exactly those 60 schools and figures, so the
stored county and the spreadsheet evaluate alike. 2024 and 2023 are derived backwards from it with
a fixed seed: county-town schools grow, village schools shrink, equipment and books accumulate,
qualifications improve. On top of the drift the history tells a few stories:

* 王岗乡后楼小学 (2023 only) merged into 王岗乡张洼小学 in 2024: its 2023 record stays, its 2024
  ``SchoolYear`` is ``merged`` with ``merged_into`` set, and 张洼小学 took over its pupils and teachers.
* 示范县第七小学 opened in 2025 and took about 500 pupils from the crowded 示范县第五小学.
* Enrolment by grade in every census year (private and special schools give totals only), a grade history
  back to 2018, births per town 2012–2025, a new housing estate from 2027 (``dudao.planning.demo``).
* 杨庄镇中心小学 got its new sports ground in 2025 (before that it failed the sports-area indicator);
  马店镇初级中学 got a new teaching building in 2024.

Every census value goes through ``dudao.census.actions`` (save, submit, approve, return, lock) as
the person who would have done it, so the audit trail (``CensusChange``, ``CensusEvent``) is the one
the application writes. The actions run under a demo clock (autumn 2023, 2024 and 2025), so the
timeline reads like a real one: 2023 and 2024 were approved and locked; 2025 is mid-season (most
records approved, some submitted, two returned with a reason, three drafts).

Nothing here is real: names, codes and figures are invented (see docs/demo.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dudao.census import actions, readiness
from dudao.census.fields import CENSUS_FIELDS
from dudao.census.models import CensusChange, CensusEvent, CensusReadiness, CensusRecord, CensusYear, ImportBatch
from dudao.demo.synthetic import demo_county, synthetic_schools
from dudao.engine.fields import ONE_THROUGH_TYPES
from dudao.orgs.models import Department, Membership, Region, Role, School, SchoolYear
from dudao.planning import demo as planning_demo

PASSWORD = "dudao-demo"  # every demo user's password (docs/demo.md, README)
YEARS = (2023, 2024, 2025)
CURRENT_YEAR = 2025
DEMO_SEED = 2025  # demo_county(seed): the same county as var/demo/demo-county.xlsx
HISTORY_SEED = 20230901  # the drift from year to year
NEIGHBOUR_SEED = 1  # synthetic_schools(2, (25, 35), seed, province="13"): 新乡区 and 淮宁市

PROVINCE = ("13", "河北省", 74_200_000)
CITY = ("1301", "示范市", 1_860_000)
COUNTY_CODE, COUNTY_NAME, COUNTY_POPULATION = "130135", "示范县", 468_000
# The neighbours synthetic_schools(2, (25, 35), NEIGHBOUR_SEED, province="13") draws: code -> (name,
# pinyin for the supervisor's user name, records still waiting for review in 2025).
NEIGHBOURS: dict[str, tuple[str, str, int]] = {"130102": ("新乡区", "xinxiang", 0), "130181": ("淮宁市", "huaining", 6)}

# 示范县's towns and streets: (code suffix, name, pinyin for the clerk's user name, resident population).
# Codes follow the 9-digit pattern: 街道 001–099, 镇 100–199, 乡 200–399.
DEMO_TOWNS: tuple[tuple[str, str, str, int], ...] = (
    ("001", "东关街道", "dongguan", 52_000),
    ("002", "西关街道", "xiguan", 47_000),
    ("003", "南关街道", "nanguan", 39_000),
    ("004", "北关街道", "beiguan", 36_000),
    ("100", "城关镇", "chengguan", 41_000),
    ("101", "柳河镇", "liuhe", 33_000),
    ("102", "石桥镇", "shiqiao", 31_000),
    ("103", "杨庄镇", "yangzhuang", 35_000),
    ("104", "高集镇", "gaoji", 29_000),
    ("105", "马店镇", "madian", 34_000),
    ("200", "王岗乡", "wanggang", 22_000),
    ("201", "李营乡", "liying", 24_000),
    ("202", "白沟乡", "baigou", 21_000),
    ("203", "双庙乡", "shuangmiao", 24_000),
)
# County-town schools named after the county sit in a street; these go to a given one.
URBAN_STREETS = ("东关街道", "西关街道", "南关街道", "北关街道")

# Departments of 示范县 that receive rectification tasks: (name, kind, clerk's user name or "").
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("示范县财政局", "finance", "finance"),
    ("示范县编办", "staffing", "staffing"),
    ("示范县人力资源和社会保障局", "hr", "hr"),
    ("示范县公安局", "police", "police"),
    ("示范县市场监督管理局", "market", "market"),
    ("示范县交通运输局", "transport", "transport"),
    ("示范县发展和改革局", "development", "development"),
    ("示范县住房和城乡建设局", "housing", "housing"),
    ("示范县教育局", "education", "education"),
    ("示范县人民政府教育督导室", "supervision", ""),
)
EDUCATION_SECTIONS: tuple[tuple[str, str], ...] = (
    ("示范县教育局人事科", "edu-personnel"),
    ("示范县教育局计财科", "edu-finance"),
    ("示范县教育局装备中心", "edu-equipment"),
    ("示范县教育局基教科", "edu-basic"),
)

# The schools the stories are about (names from demo_county(DEMO_SEED)).
NEW_SCHOOL = "示范县第七小学"  # opened in 2025
RELIEVED_SCHOOL = "示范县第五小学"  # gave pupils to the new school; returned in 2025
MERGED_SCHOOL = ("2130010061", "王岗乡后楼小学")  # 2023 only, merged into MERGE_TARGET in 2024
MERGE_TARGET = "王岗乡张洼小学"
NEW_SPORTS_GROUND = "杨庄镇中心小学"  # below the sports-area standard until 2025
NEW_BUILDING = "马店镇初级中学"  # new teaching building in 2024
CORRECTED_SCHOOL = "示范县实验中学"  # 2025: equipment first entered in 万元, returned, corrected, approved
NO_BACKBONE_SCHOOL = "双庙乡王沟小学"  # 2025: returned, no backbone teacher
LATE_TOWNSHIP = "双庙乡"  # 2025: three drafts, the rest submitted
UNREVIEWED_TOWNSHIP = "白沟乡"  # 2025: submitted, not yet reviewed
OWN_CLERK_SCHOOL = "示范县实验小学"  # has its own clerk, user "school"

RETURN_REASONS = {
    RELIEVED_SCHOOL: "在校生数比上学年减少约500人，请在情况说明中注明分流至示范县第七小学的学生人数后重新提交。",
    NO_BACKBONE_SCHOOL: "县级及以上骨干教师数填报为0，请核实是否漏填；如确无骨干教师，请在情况说明中说明。",
    CORRECTED_SCHOOL: "教学仪器设备值应以“元”为单位填报，所填数值疑似按“万元”填写，请核实后重新提交。",
}

_TZ = ZoneInfo("Asia/Shanghai")
_CENSUS_KEYS = tuple(f.key for f in CENSUS_FIELDS)
_TEACHER_SUBS = ("teachers_above_qualification", "backbone_teachers", "pe_art_teachers", "senior_title_teachers")
_TEACHER_KEYS = ("teachers", *_TEACHER_SUBS)


@dataclass(frozen=True)
class DemoUser:
    username: str
    label: str  # shown as the user's name
    role: str
    unit: str  # region code, department name or school name (described in docs/demo.md)


@dataclass
class Summary:
    seeded: bool
    counts: dict[str, int] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)


class DemoConflict(Exception):
    """The database holds other data under the demo's codes or user names; nothing was written."""


# ---------------------------------------------------------------------------------------------
# Figures: the 2025 table, the years before it, the county-level item fields
# ---------------------------------------------------------------------------------------------


@dataclass
class SchoolPlan:
    """One school of the demo: identity, town, and its census values per year."""

    code: str
    name: str
    school_type: str
    location: str
    ownership: str
    level: str  # census record level: primary, junior or all (whole one-through school)
    town: str  # town or street name
    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # year -> census values (no None)
    merged_into: str | None = None  # school name
    merged_in: int | None = None  # year
    # The grade history before the census (学籍): year -> grade -> pupils (public ordinary schools).
    history: dict[int, dict[int, int]] = field(default_factory=dict)


def _row_values(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A synthetic row's census values as plain numbers (empty cells left out)."""
    out: dict[str, Any] = {}
    for key in _CENSUS_KEYS:
        value = row.get(key)
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            continue
        out[key] = round(float(value), 2) if isinstance(value, float) else int(value)
    return out


def _record_level(school_type: str, level: object) -> str:
    if school_type in ONE_THROUGH_TYPES:
        return "all"
    return str(level) if level in ("primary", "junior") else "primary"  # special schools: the level they teach


def _parts(values: dict[str, Any]) -> list[str]:
    """The level parts a row's per-level figures are kept for ("" is the row itself)."""
    return ["primary", "junior", "senior"] if "students_junior" in values else [""]


def _students(values: dict[str, Any], part: str) -> int:
    return int(values.get(f"students_{part}", 0) if part else values["students"])


def _teachers(values: dict[str, Any], key: str, part: str) -> int:
    """A teacher figure of one part; the senior part of a whole-school row is the rest."""
    if not part:
        return int(values.get(key, 0))
    if part == "senior":
        return int(values.get(key, 0)) - int(values.get(f"{key}_primary", 0)) - int(values.get(f"{key}_junior", 0))
    return int(values.get(f"{key}_{part}", 0))


def _set_parts(values: dict[str, Any], students: dict[str, int], teachers: dict[str, dict[str, int]]) -> None:
    """Write per-part students and teachers back (totals are the sums of the parts)."""
    if "" in students:
        values["students"] = students[""]
        for key in _TEACHER_KEYS:
            if key in values:
                values[key] = teachers[""][key]
        return
    for part in ("primary", "junior", "senior"):
        if f"students_{part}" in values:
            values[f"students_{part}"] = students[part]
    values["students"] = sum(students.values())
    for key in _TEACHER_KEYS:
        for part in ("primary", "junior"):
            if f"{key}_{part}" in values:
                values[f"{key}_{part}"] = teachers[part][key]
        if key in values:
            values[key] = sum(teachers[p][key] for p in teachers)


# Enrolment growth per year, forward (county town grows, villages shrink).
_GROWTH = {"urban": 0.025, "town": -0.012, "rural": -0.05}
_GROWTH_TYPE = {"teaching_point": -0.09, "special": 0.03}


def _year_before(plan: SchoolPlan, values: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The school's figures one year earlier: the drift of one year, undone."""
    before = dict(values)
    growth = _GROWTH_TYPE.get(plan.school_type, _GROWTH[plan.location] + (0.03 if plan.ownership == "private" else 0))
    parts = _parts(values)
    students: dict[str, int] = {}
    teachers: dict[str, dict[str, int]] = {}
    qualification = rng.uniform(0.97, 0.995)  # fewer teachers above the required degree a year earlier
    for part in parts:
        now = _students(values, part)
        ratio = math.exp(rng.normal(0, 0.025)) / (1 + growth)
        students[part] = max(round(now * ratio), 1 if now else 0)
        t_now = _teachers(values, "teachers", part)
        t_before = round(t_now * (1 + 0.5 * (ratio - 1))) + int(rng.choice([-1, 0, 0, 0, 1])) if t_now else 0
        t_before = max(t_before, 1 if t_now else 0)
        scale = t_before / t_now if t_now else 0.0
        teachers[part] = {"teachers": t_before}
        for key in _TEACHER_SUBS:
            sub = _teachers(values, key, part)
            factor = scale * (qualification if key == "teachers_above_qualification" else 1.0)
            teachers[part][key] = min(t_before, max(round(sub * factor), 0))
    _set_parts(before, students, teachers)
    before["equipment_value_yuan"] = round(values["equipment_value_yuan"] / rng.uniform(1.04, 1.09), 2)
    before["multimedia_classrooms"] = max(0, values["multimedia_classrooms"] - int(rng.integers(0, 2)))
    before["computers"] = round(values["computers"] / rng.uniform(1.03, 1.10))
    before["books"] = round(values["books"] / rng.uniform(1.02, 1.06))
    return before


def _move(values: dict[str, Any], pupils: int, teachers: int) -> None:
    """Add (or with negative numbers take away) pupils and teachers of a single-level school."""
    values["students"] += pupils
    values["teachers"] += teachers
    for key in _TEACHER_SUBS:
        values[key] = min(values[key], values["teachers"])


_CLASS_SIZE = {"urban": (45, 50, 52), "town": (40, 46, 50), "rural": (30, 40, 48)}  # primary, junior, senior


def _add_items(plan: SchoolPlan, values: dict[str, Any], rng: np.random.Generator, crowded: bool = False) -> None:
    """The county-level item fields (classes, largest class, music and art rooms, certificates,
    rotation) from the school's pupils and teachers."""
    students = int(values["students"])
    if plan.school_type == "teaching_point":
        classes = min(6, max(1, math.ceil(students / 9)))
    elif plan.school_type == "special":
        classes = max(1, math.ceil(students / 10))
    else:
        sizes = dict(zip(("primary", "junior", "senior"), _CLASS_SIZE[plan.location], strict=True))
        if crowded:
            sizes = {k: v + 8 for k, v in sizes.items()}
        if "students_junior" in values:
            per_part = [(values.get(f"students_{p}", 0), sizes[p]) for p in ("primary", "junior", "senior")]
        else:
            per_part = [(students, sizes[plan.level])]
        classes = sum(math.ceil(n / size) for n, size in per_part if n)
    classes = max(classes, 1)
    largest = min(students, math.ceil(students / classes * rng.uniform(1.04, 1.16)))
    rooms = 0 if plan.school_type == "teaching_point" else max(1, round(classes / 20))
    teachers = int(values["teachers"])
    uncertified = int(rng.binomial(teachers, 0.02 if plan.location == "rural" else 0.005))
    rotated = int(rng.binomial(teachers, rng.uniform(0.08, 0.14)))
    values.update(
        classes=classes,
        max_class_size=largest,
        music_rooms=rooms,
        art_rooms=rooms,
        certified_teachers=teachers - uncertified,
        teachers_rotated=rotated,
        backbone_teachers_rotated=min(int(values["backbone_teachers"]), int(rng.binomial(rotated, 0.25))),
    )
    if rooms:
        values["music_room_min_area_m2"] = float(rng.integers(120, 200)) / 2
        values["art_room_min_area_m2"] = float(rng.integers(120, 200)) / 2


def _town_of(name: str, towns: list[str], streets: list[str], index: int) -> str:
    """The town a school lies in: the one its name starts with, else (a county-town school) the
    street named in it, else one of the county town's streets in turn."""
    for town in towns:
        if name.startswith(town):
            return town
    for street in streets:
        if street.removesuffix("街道") in name:
            return street
    return streets[index % len(streets)]


def demo_plans() -> list[SchoolPlan]:
    """示范县's schools with their figures for 2023–2025 (deterministic)."""
    frame = demo_county(DEMO_SEED)
    if set(frame["county_code"]) != {COUNTY_CODE}:
        raise RuntimeError(f"demo_county() is no longer county {COUNTY_CODE}; update dudao/orgs/demo.py")
    rng = np.random.default_rng(HISTORY_SEED)
    town_names = [name for _, name, _, _ in DEMO_TOWNS]
    plans: list[SchoolPlan] = []
    urban = 0
    for row in frame.to_dict("records"):
        if row["location"] == "urban":
            urban += 1
        plan = SchoolPlan(
            code=row["school_code"],
            name=row["school_name"],
            school_type=row["school_type"],
            location=row["location"],
            ownership=row["ownership"],
            level=_record_level(row["school_type"], row["level"]),
            town=_town_of(row["school_name"], town_names, list(URBAN_STREETS), urban),
        )
        plan.values[2025] = _row_values(row)
        plans.append(plan)
    by_name = {p.name: p for p in plans}
    missing = {
        NEW_SCHOOL,
        RELIEVED_SCHOOL,
        MERGE_TARGET,
        NEW_SPORTS_GROUND,
        NEW_BUILDING,
        CORRECTED_SCHOOL,
        NO_BACKBONE_SCHOOL,
        OWN_CLERK_SCHOOL,
    } - set(by_name)
    if missing:
        raise RuntimeError(f"demo_county({DEMO_SEED}) no longer holds {sorted(missing)}; update dudao/orgs/demo.py")

    for year in (2024, 2023):
        for plan in plans:
            if plan.name == NEW_SCHOOL:
                continue
            plan.values[year] = _year_before(plan, plan.values[year + 1], rng)
    # 2025: 示范县第七小学 opened and took pupils (and teachers) from 示范县第五小学.
    moved = round(by_name[NEW_SCHOOL].values[2025]["students"] * 0.6)
    for year in (2024, 2023):
        _move(by_name[RELIEVED_SCHOOL].values[year], moved, round(moved / 19))
    # 2024: 王岗乡后楼小学 merged into 王岗乡张洼小学; 2023 figures split between the two.
    target = by_name[MERGE_TARGET]
    merged = SchoolPlan(
        code=MERGED_SCHOOL[0],
        name=MERGED_SCHOOL[1],
        school_type="primary",
        location="rural",
        ownership="public",
        level="primary",
        town=target.town,
        merged_into=target.name,
        merged_in=2024,
    )
    base = target.values[2023]
    pupils = 64
    share = pupils / base["students"]
    small = {key: min(base[key], max(round(base[key] * share * 1.6), 1)) for key in _TEACHER_KEYS}
    small["teachers"] = max(small["teachers"], 6)
    small = {key: min(value, small["teachers"]) for key, value in small.items()}
    merged.values[2023] = {
        "students": pupils,
        **small,
        "teaching_aux_area_m2": round(base["teaching_aux_area_m2"] * share * 1.8, 2),
        "indoor_gym_area_m2": 0.0,
        "sports_area_m2": round(base["sports_area_m2"] * share * 1.5, 2),
        "equipment_value_yuan": round(base["equipment_value_yuan"] * share * 0.8, 2),
        "multimedia_classrooms": 2,
        "computers": max(round(base["computers"] * share), 4),
        "books": round(base["books"] * share * 1.3),
    }
    base["students"] -= pupils
    base["teachers"] -= small["teachers"]
    for key in _TEACHER_SUBS:
        base[key] = max(0, min(base[key] - small[key], base["teachers"]))
    plans.append(merged)
    # 2025: a new sports ground at 杨庄镇中心小学; 2024: a new teaching building at 马店镇初级中学.
    for year in (2024, 2023):
        by_name[NEW_SPORTS_GROUND].values[year]["sports_area_m2"] = round(
            by_name[NEW_SPORTS_GROUND].values[2025]["sports_area_m2"] * 0.45, 2
        )
    by_name[NEW_BUILDING].values[2023]["teaching_aux_area_m2"] = round(
        by_name[NEW_BUILDING].values[2024]["teaching_aux_area_m2"] * 0.68, 2
    )
    for plan in plans:
        for year, values in sorted(plan.values.items()):
            _add_items(plan, values, rng, crowded=plan.name == RELIEVED_SCHOOL and year < 2025)
    _add_grades(plans, np.random.default_rng(GRADES_SEED))
    return plans


# ---------------------------------------------------------------------------------------------
# Enrolment by grade, its history before the census, classrooms (the forecast's inputs, issue #14)
# ---------------------------------------------------------------------------------------------

# Births in China by calendar year, millions (国家统计局, 中国统计年鉴): only the *shape* of the demo's
# intakes and births (the peak of 2016, the fall after 2017); the demo county's figures are its own.
NATIONAL_BIRTHS: dict[int, float] = {
    2000: 17.71, 2001: 17.02, 2002: 16.47, 2003: 15.99, 2004: 15.93, 2005: 16.17, 2006: 15.85, 2007: 15.94,
    2008: 16.08, 2009: 15.91, 2010: 15.92, 2011: 16.04, 2012: 16.35, 2013: 16.40, 2014: 16.87, 2015: 16.55,
    2016: 17.86, 2017: 17.23, 2018: 15.23, 2019: 14.65, 2020: 12.00, 2021: 10.62, 2022: 9.56, 2023: 9.02,
    2024: 9.54, 2025: 8.80,
}  # fmt: skip
HISTORY_FROM = 2018  # the grade history (学籍) the demo county gives for the years before its census
GRADES_SEED = 20180901
ENTRY_AGE = {"primary": 6, "junior": 12}  # the age a cohort enters grade 1 / grade 7
_GRADES = {"primary": (1, 2, 3, 4, 5, 6), "junior": (7, 8, 9)}
_TEACHING_POINT_GRADES = (1, 2, 3, 4)  # a teaching point keeps the youngest; grades 5 and 6 go to the centre
# A cohort from one grade to the next: the county town gains pupils, villages lose them.
_SURVIVAL = {"urban": 1.012, "town": 0.99, "rural": 0.975}


def _level_totals(plan: SchoolPlan, values: dict[str, Any]) -> dict[str, int]:
    """The pupils of each level a school's record holds (by grade: ordinary public schools only)."""
    if plan.school_type == "special" or plan.ownership == "private":
        return {}  # these give their totals only
    if plan.level == "all":
        return {lvl: int(values.get(f"students_{lvl}", 0)) for lvl in _GRADES if f"students_{lvl}" in values}
    return {plan.level: int(values["students"])}


def _shape(plan: SchoolPlan, level: str, year: int, intake: dict[int, float]) -> dict[int, float]:
    """Each grade's share of the level in ``year`` by the cohort model: entrants of the year the cohort
    entered, times the survival from grade to grade."""
    grades = _TEACHING_POINT_GRADES if plan.school_type == "teaching_point" else _GRADES[level]
    first = _GRADES[level][0]
    survival = _SURVIVAL[plan.location]
    return {g: (intake[year - (g - first)] * survival ** (g - first) if g in grades else 0.0) for g in _GRADES[level]}


def _apportion(total: int, weights: dict[int, float]) -> dict[int, int]:
    """``total`` split by ``weights`` in whole pupils (largest remainder): the parts sum to ``total``."""
    weight = sum(weights.values())
    if weight <= 0:
        return dict.fromkeys(weights, 0)
    exact = {g: total * w / weight for g, w in weights.items()}
    out = {g: math.floor(v) for g, v in exact.items()}
    for g in sorted(exact, key=lambda g: out[g] - exact[g])[: total - sum(out.values())]:
        out[g] += 1
    return out


def _add_grades(plans: list[SchoolPlan], rng: np.random.Generator) -> None:
    """Grades 1–9 of every census year (summing to each level's pupils), the grade history back to
    ``HISTORY_FROM`` (``SchoolPlan.history``) and the classrooms (the classes and a few spare rooms)."""
    for plan in plans:
        first_year = min(plan.values)
        growth = _GROWTH[plan.location] + (0.03 if plan.ownership == "private" else 0)
        levels = _level_totals(plan, plan.values[first_year])
        for level in levels:
            entered = range(HISTORY_FROM - len(_GRADES[level]), CURRENT_YEAR + 1)
            intake = {
                e: NATIONAL_BIRTHS[e - ENTRY_AGE[level]]
                * (1 + growth) ** (e - CURRENT_YEAR)
                * math.exp(rng.normal(0, 0.04))
                for e in entered
            }
            for year, values in plan.values.items():
                values.update(
                    {
                        f"grade_{g}": n
                        for g, n in _apportion(
                            _level_totals(plan, values)[level], _shape(plan, level, year, intake)
                        ).items()
                    }
                )
            if first_year == CURRENT_YEAR:
                continue  # a new school has no history
            shape = _shape(plan, level, first_year, intake)
            scale = levels[level] / sum(shape.values()) if sum(shape.values()) else 0.0
            for year in range(HISTORY_FROM, first_year):
                grades = {g: round(w * scale) for g, w in _shape(plan, level, year, intake).items()}
                plan.history.setdefault(year, {}).update(grades)
        for values in plan.values.values():
            spare = int(rng.integers(0, 2)) if plan.location == "urban" else int(rng.integers(1, 4))
            values["classrooms"] = int(values["classes"]) + spare


def neighbour_plans() -> dict[str, list[SchoolPlan]]:
    """The two neighbouring counties' schools (2025 only), by county code."""
    frame = synthetic_schools(2, (25, 35), seed=NEIGHBOUR_SEED, province=PROVINCE[0])
    drawn = dict(zip(frame["county_code"], frame["county_name"], strict=False))
    if drawn != {code: name for code, (name, _, _) in NEIGHBOURS.items()}:
        raise RuntimeError(f"synthetic_schools() now draws {drawn}; update NEIGHBOURS in dudao/orgs/demo.py")
    rng = np.random.default_rng(NEIGHBOUR_SEED)
    out: dict[str, list[SchoolPlan]] = {}
    for serial, (code, rows) in enumerate(frame.groupby("county_code", sort=False), start=2):
        names = list(rows["school_name"])
        places = sorted({m.group(1) for n in names if (m := re.match(r"^(.{2,4}?(?:镇|乡|街道))", n))})
        streets = [t for t in places if t.endswith("街道")] or [t for t in places if t.startswith("城关")]
        towns = [t for t in places if t not in streets]
        plans = []
        for i, row in enumerate(rows.to_dict("records")):
            plan = SchoolPlan(
                # synthetic_schools numbers its counties from 001 (the code's digits 4–6); 示范县 holds 001.
                code=f"2{PROVINCE[0]}{serial:03d}{row['school_code'][-4:]}",
                name=row["school_name"],
                school_type=row["school_type"],
                location=row["location"],
                ownership=row["ownership"],
                level=_record_level(row["school_type"], row["level"]),
                town=_town_of(row["school_name"], towns, streets, i),
            )
            plan.values[CURRENT_YEAR] = _row_values(row)
            _add_items(plan, plan.values[CURRENT_YEAR], rng)
            plans.append(plan)
        out[str(code)] = plans
    return out


def _town_code(county: str, town: str, taken: set[str]) -> str:
    start = 1 if town.endswith("街道") else 100 if town.endswith("镇") else 200
    n = start
    while f"{county}{n:03d}" in taken:
        n += 1
    taken.add(f"{county}{n:03d}")
    return f"{county}{n:03d}"


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------


def demo_users() -> list[DemoUser]:
    """Every demo user with role and unit (all share :data:`PASSWORD`)."""
    users = [
        DemoUser("province", "河北省督学", Role.PROVINCE_INSPECTOR, PROVINCE[0]),
        DemoUser("city", "示范市督学", Role.CITY_INSPECTOR, CITY[0]),
        DemoUser("county", "示范县督导室", Role.COUNTY_SUPERVISOR, COUNTY_CODE),
        DemoUser("observer", "示范县观察员（只读）", Role.OBSERVER, COUNTY_CODE),
        # 示范市's administrator: manages the city's counties (their supervisors and administrators).
        DemoUser("admin", "示范市管理员", Role.REGION_ADMIN, CITY[0]),
    ]
    for code, (name, pinyin, _) in NEIGHBOURS.items():
        users.append(DemoUser(f"county-{pinyin}", f"{name}督导室", Role.COUNTY_SUPERVISOR, code))
    for name, _, username in DEPARTMENTS:
        if username:
            users.append(DemoUser(username, f"{name.removeprefix(COUNTY_NAME)}联络员", Role.DEPARTMENT_CLERK, name))
    for name, username in EDUCATION_SECTIONS:
        label = f"教育局{name.removeprefix(COUNTY_NAME + '教育局')}联络员"
        users.append(DemoUser(username, label, Role.DEPARTMENT_CLERK, name))
    users.append(DemoUser("school", f"{OWN_CLERK_SCHOOL}填报员", Role.SCHOOL_CLERK, OWN_CLERK_SCHOOL))
    for _, town, pinyin, _ in DEMO_TOWNS:
        users.append(DemoUser(f"school-{pinyin}", f"{town}学校填报员", Role.SCHOOL_CLERK, town))
    return users


def demo_usernames() -> list[str]:
    return [u.username for u in demo_users()]


# ---------------------------------------------------------------------------------------------
# The demo clock
# ---------------------------------------------------------------------------------------------


class _Clock:
    """The time the actions see while the demo is written (their timestamps come from ``timezone.now``)."""

    def __init__(self) -> None:
        self.at = datetime(2023, 9, 1, 9, 0, tzinfo=_TZ)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


@contextmanager
def _demo_clock() -> Iterator[_Clock]:
    """While the demo is written, ``django.utils.timezone.now`` (read by the actions and by every
    ``auto_now``/``auto_now_add`` field) returns the demo clock's time, so the audit trail is dated
    in the census seasons it tells of rather than all at the moment of seeding."""
    clock = _Clock()
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def _entry_time(year: int, i: int) -> datetime:
    """When the i-th school entered its figures: from 16 September, six schools a day."""
    return datetime(year, 9, 16, 9, 0, tzinfo=_TZ) + timedelta(days=i // 6, minutes=(i % 6) * 70)


def _review_time(year: int, i: int) -> datetime:
    """When the county reviewed the i-th record: from 9 October, fifteen a day."""
    return datetime(year, 10, 9, 9, 0, tzinfo=_TZ) + timedelta(days=i // 15, minutes=(i % 15) * 20)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def is_seeded() -> bool:
    return Region.objects.filter(code=COUNTY_CODE, name=COUNTY_NAME).exists()


def _check_free(plans: list[SchoolPlan]) -> None:
    """Refuse, before writing anything, when other data sits under the demo's codes or user names."""
    clashes = []
    expected = {PROVINCE[0]: PROVINCE[1], CITY[0]: CITY[1], COUNTY_CODE: COUNTY_NAME}
    expected |= {code: name for code, (name, _, _) in NEIGHBOURS.items()}
    for region in Region.objects.filter(code__in=list(expected)):
        if region.code != PROVINCE[0] or region.name != PROVINCE[1]:  # only the province may exist already
            clashes.append(f"区划代码 {region.code}（{region.name}）")
    taken = School.objects.filter(code__in=[p.code for p in plans]).values_list("code", flat=True)
    clashes += [f"学校标识码 {code}" for code in taken]
    users = User.objects.filter(username__in=demo_usernames()).values_list("username", flat=True)
    clashes += [f"用户 {name}" for name in users]
    if clashes:
        raise DemoConflict(
            "数据库中已有与示范数据冲突的记录，未写入任何数据 / the database already holds data under the demo's "
            "codes or user names; nothing was written: " + "、".join(clashes)
        )


def counts() -> dict[str, int]:
    """Row counts of every table the demo writes (for the command's report and the tests)."""
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "schools": School.objects.count(),
        "school_years": SchoolYear.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "census_years": CensusYear.objects.count(),
        "census_records": CensusRecord.objects.count(),
        "census_changes": CensusChange.objects.count(),
        "census_events": CensusEvent.objects.count(),
    }


@transaction.atomic
def seed(password: str = PASSWORD) -> Summary:
    """Write the demo unless it is there already (then nothing is written). All or nothing."""
    if is_seeded():
        return Summary(seeded=False, counts=counts(), users=demo_users())
    plans = demo_plans()
    neighbours = neighbour_plans()
    _check_free(plans + [p for ps in neighbours.values() for p in ps])
    with _demo_clock() as clock:
        province = Region.objects.filter(code=PROVINCE[0]).first() or Region.objects.create(
            code=PROVINCE[0], name=PROVINCE[1], level="province", resident_population=PROVINCE[2]
        )
        city = Region.objects.create(
            code=CITY[0], name=CITY[1], level="city", parent=province, resident_population=CITY[2]
        )
        county = Region.objects.create(
            code=COUNTY_CODE, name=COUNTY_NAME, level="county", parent=city, resident_population=COUNTY_POPULATION
        )
        towns = {
            name: Region.objects.create(
                code=f"{COUNTY_CODE}{suffix}", name=name, level="town", parent=county, resident_population=population
            )
            for suffix, name, _, population in DEMO_TOWNS
        }
        departments = _departments(county, list(towns))
        schools = _schools(county, plans, towns)
        regions = {r.code: r for r in (province, city, county)}
        others: dict[str, dict[str, School]] = {}
        rng = np.random.default_rng(NEIGHBOUR_SEED)
        for code, nplans in neighbours.items():
            regions[code] = other = Region.objects.create(
                code=code,
                name=NEIGHBOURS[code][0],
                level="county",
                parent=city,
                resident_population=int(rng.integers(280, 520)) * 1000,
            )
            taken: set[str] = set()
            other_towns = {
                town: Region.objects.create(code=_town_code(code, town, taken), name=town, level="town", parent=other)
                for town in sorted({p.town for p in nplans}, key=lambda t: (not t.endswith("街道"), t))
            }
            others[code] = _schools(other, nplans, other_towns)
        clerk_schools = {
            OWN_CLERK_SCHOOL: [schools[p.code] for p in plans if p.name == OWN_CLERK_SCHOOL],
            **{
                town: [schools[p.code] for p in plans if p.town == town and p.name != OWN_CLERK_SCHOOL]
                for town in towns
            },
        }
        users = _users(password, clock.at, regions, departments, clerk_schools)
        _census_demo(clock, county, plans, schools, users)
        clock.set(datetime(CURRENT_YEAR, 11, 20, 9, 0, tzinfo=_TZ))
        planning_demo.seed_inputs(county, plans, NATIONAL_BIRTHS, ENTRY_AGE["primary"], HISTORY_FROM)
        for code, nplans in neighbours.items():
            supervisor = users[f"county-{NEIGHBOURS[code][1]}"]
            _census_neighbour(clock, regions[code], nplans, others[code], supervisor, NEIGHBOURS[code][2])
        # the schools were written past the register's actions: their readiness is stored as
        # ``dudao store_summaries`` stores it (docs/adr/0033)
        readiness.register_changed([county.pk, *(regions[code].pk for code in neighbours)], YEARS)
    return Summary(seeded=True, counts=counts(), users=demo_users())


def _departments(county: Region, towns: list[str]) -> dict[str, Department]:
    out = {name: Department.objects.create(county=county, name=name, kind=kind) for name, kind, _ in DEPARTMENTS}
    bureau = out[f"{COUNTY_NAME}教育局"]
    for name, _ in EDUCATION_SECTIONS:
        out[name] = Department.objects.create(county=county, name=name, kind="education_section", parent=bureau)
    for town in towns:
        name = f"{town}办事处" if town.endswith("街道") else f"{town}人民政府"
        out[name] = Department.objects.create(county=county, name=name, kind="town")
    return out


def _schools(county: Region, plans: list[SchoolPlan], towns: dict[str, Region]) -> dict[str, School]:
    School.objects.bulk_create(School(code=p.code, county=county) for p in plans)
    schools = {s.code: s for s in School.objects.filter(code__in=[p.code for p in plans])}
    by_name = {p.name: schools[p.code] for p in plans}
    rows = []
    for p in plans:
        attributes = dict(
            name=p.name, school_type=p.school_type, location=p.location, ownership=p.ownership, town=towns[p.town]
        )
        for year in sorted(p.values):
            rows.append(SchoolYear(school=schools[p.code], year=year, **attributes))
        if p.merged_into and p.merged_in:
            rows.append(
                SchoolYear(
                    school=schools[p.code],
                    year=p.merged_in,
                    status=SchoolYear.Status.MERGED,
                    merged_into=by_name[p.merged_into],
                    **attributes,
                )
            )
    SchoolYear.objects.bulk_create(rows)
    return schools


def _users(
    password: str,
    joined: datetime,
    regions: dict[str, Region],
    departments: dict[str, Department],
    clerk_schools: dict[str, list[School]],
) -> dict[str, User]:
    """The demo users and their roles, by user name. The password is hashed once for all of them."""
    hashed = make_password(password)
    out: dict[str, User] = {}
    memberships = []
    for demo in demo_users():
        user = User.objects.create(username=demo.username, first_name=demo.label, password=hashed, date_joined=joined)
        if demo.role == Role.DEPARTMENT_CLERK:
            memberships.append(Membership(user=user, role=demo.role, department=departments[demo.unit]))
        elif demo.role == Role.SCHOOL_CLERK:
            memberships += [Membership(user=user, role=demo.role, school=s) for s in clerk_schools[demo.unit]]
        else:
            memberships.append(Membership(user=user, role=demo.role, region=regions[demo.unit]))
        out[demo.username] = user
    Membership.objects.bulk_create(memberships)
    return out


def _clerk_for(users: dict[str, User], plan: SchoolPlan) -> User:
    if plan.name == OWN_CLERK_SCHOOL:
        return users["school"]
    return users["school-" + next(pinyin for _, town, pinyin, _ in DEMO_TOWNS if town == plan.town)]


def _note(values: dict[str, Any], previous: dict[str, Any] | None, plan: SchoolPlan) -> str | None:
    """The clerk's explanation where the figures would raise a plausibility question."""
    stored = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in values.items()}
    if not actions.plausibility(stored, previous, plan.school_type, plan.level):
        return None
    if plan.school_type == "special":
        return "特殊教育学校：专任教师含康复训练教师，按实际在岗人数填报。"
    return "已核实：数据与学校人事、资产台账一致。"


def _enter(
    clock: _Clock,
    at: datetime,
    user: User,
    school: School,
    year: int,
    plan: SchoolPlan,
    values: dict[str, Any],
    previous: dict[str, Any] | None,
    version: int | None = None,
) -> CensusRecord:
    clock.set(at)
    note = _note(values, previous, plan)
    return actions.save_record(user, school, year, plan.level, values, note=note, expected_version=version).record


def _census_demo(
    clock: _Clock, county: Region, plans: list[SchoolPlan], schools: dict[str, School], users: dict[str, User]
) -> None:
    """示范县's three years, entered by the school clerks and reviewed by the county (see the module doc)."""
    supervisor = users["county"]
    drafts = _late_drafts(plans)
    for year in YEARS:
        cy = actions.census_year(county, year)
        cy.deadline = date(year, 10, 31)
        cy.save(update_fields=["deadline"])
        current = year == CURRENT_YEAR
        in_year = [p for p in plans if year in p.values]
        records: dict[str, CensusRecord] = {}
        for i, plan in enumerate(in_year):
            clerk, school, values = _clerk_for(users, plan), schools[plan.code], plan.values[year]
            previous = plan.values.get(year - 1)
            at = _entry_time(year, i) + timedelta(days=7 if plan.town == LATE_TOWNSHIP else 0)
            if current and plan.name == NEW_SCHOOL:
                at = datetime(year, 10, 13, 15, 0, tzinfo=_TZ)  # a new school, late with its first census
            version = None
            if current and plan.name == CORRECTED_SCHOOL:
                # First entered in 万元: returned by the county, corrected, then approved (below).
                values = {**values, "equipment_value_yuan": round(values["equipment_value_yuan"] / 10_000, 2)}
            if current and plan.name == drafts[0]:
                # Entered in two sittings: pupils and teachers first, the rest a week later (still a draft).
                first = {k: v for k, v in values.items() if k.startswith(("students", "teachers"))}
                version = _enter(clock, at, clerk, school, year, plan, first, previous).version
                at += timedelta(days=7)
            record = _enter(clock, at, clerk, school, year, plan, values, previous, version)
            if not (current and plan.name in drafts):
                clock.set(clock.at + timedelta(minutes=25))
                record = actions.submit(clerk, record)
            records[plan.name] = record
        for i, plan in enumerate(in_year):
            record = records[plan.name]
            clock.set(_review_time(year, i))
            if not current:
                actions.approve(supervisor, record)
            elif plan.name in RETURN_REASONS:
                actions.return_record(supervisor, record, RETURN_REASONS[plan.name])
                if plan.name == CORRECTED_SCHOOL:
                    _correct(clock, users, plan, schools[plan.code], year)
            elif (
                plan.name not in drafts
                and plan.name != NEW_SCHOOL
                and plan.town not in (LATE_TOWNSHIP, UNREVIEWED_TOWNSHIP)
            ):
                actions.approve(supervisor, record)
        if not current:
            clock.set(datetime(year + 1, 1, 12, 10, 0, tzinfo=_TZ))
            actions.lock_year(supervisor, county, year)


def _correct(clock: _Clock, users: dict[str, User], plan: SchoolPlan, school: School, year: int) -> None:
    """The clerk corrects the returned figure and submits again; the county approves."""
    clerk = _clerk_for(users, plan)
    record = CensusRecord.objects.get(school=school, year=year, level=plan.level)
    clock.set(clock.at + timedelta(days=1, hours=2))
    record = actions.save_record(
        clerk,
        school,
        year,
        plan.level,
        {"equipment_value_yuan": plan.values[year]["equipment_value_yuan"]},
        expected_version=record.version,
        reason="更正：教学仪器设备值改按“元”填报",
    ).record
    clock.set(clock.at + timedelta(minutes=10))
    record = actions.submit(clerk, record)
    clock.set(clock.at + timedelta(hours=3))
    actions.approve(users["county"], record)


def _late_drafts(plans: list[SchoolPlan]) -> list[str]:
    """The three 2025 records of the late township still in draft."""
    late = [p.name for p in plans if p.town == LATE_TOWNSHIP and CURRENT_YEAR in p.values]
    return [n for n in late if n not in RETURN_REASONS][:3]


def _census_neighbour(
    clock: _Clock,
    county: Region,
    plans: list[SchoolPlan],
    schools: dict[str, School],
    supervisor: User,
    unreviewed: int,
) -> None:
    """A neighbour's 2025 census, entered by its county office: approved, the last ``unreviewed`` submitted."""
    cy = actions.census_year(county, CURRENT_YEAR)
    cy.deadline = date(CURRENT_YEAR, 10, 31)
    cy.save(update_fields=["deadline"])
    for i, plan in enumerate(plans):
        values = plan.values[CURRENT_YEAR]
        record = _enter(
            clock, _entry_time(CURRENT_YEAR, i), supervisor, schools[plan.code], CURRENT_YEAR, plan, values, None
        )
        clock.set(clock.at + timedelta(minutes=5))
        record = actions.submit(supervisor, record)
        if i < len(plans) - unreviewed:
            clock.set(_review_time(CURRENT_YEAR, i))
            actions.approve(supervisor, record)


# ---------------------------------------------------------------------------------------------
# Reset
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def reset() -> int:
    """Delete the demo (regions under 示范市, their schools, census and departments, the demo users;
    the province too when nothing else is under it). Returns the number of rows deleted."""
    city = Region.objects.filter(code=CITY[0], name=CITY[1]).first()
    deleted = 0
    if city is not None:
        regions = Region.objects.filter(path__startswith=city.path)
        counties = regions.filter(level="county")
        records = CensusRecord.objects.filter(school__county__in=counties)
        census_years = CensusYear.objects.filter(county__in=counties)
        deleted += planning_demo.reset(counties)
        for queryset in (
            CensusChange.objects.filter(record__in=records),
            CensusChange.objects.filter(school_year__school__county__in=counties),
            CensusEvent.objects.filter(record__in=records),
            CensusEvent.objects.filter(census_year__in=census_years),
            records,
            census_years,
            CensusReadiness.objects.filter(county__in=counties),
            ImportBatch.objects.filter(county__in=counties),
            SchoolYear.objects.filter(school__county__in=counties),
            School.objects.filter(county__in=counties),
            Department.objects.filter(county__in=counties, parent__isnull=False),
            Department.objects.filter(county__in=counties),
        ):
            deleted += queryset.delete()[0]
        for level in ("town", "county", "city"):
            deleted += Region.objects.filter(path__startswith=city.path, level=level).delete()[0]
    deleted += User.objects.filter(username__in=demo_usernames()).delete()[0]
    province = Region.objects.filter(code=PROVINCE[0], name=PROVINCE[1]).first()
    if province is not None and not province.children.exists():
        deleted += Region.objects.filter(pk=province.pk).delete()[0]
    return deleted


def status_mix(year: int = CURRENT_YEAR) -> dict[str, int]:
    """Records of 示范县 by workflow status."""
    rows = CensusRecord.objects.filter(school__county__code=COUNTY_CODE, year=year).values_list("status", flat=True)
    return dict(Counter(rows))


__all__ = [
    "PASSWORD",
    "YEARS",
    "DemoConflict",
    "DemoUser",
    "Summary",
    "counts",
    "demo_plans",
    "demo_users",
    "is_seeded",
    "neighbour_plans",
    "reset",
    "seed",
    "status_mix",
]
