"""Seats, class sizes and teachers under projected enrolment (issue #14 §2; pure: no Django).

From one county's input table (the columns ``dudao evaluate`` reads, plus ``classrooms`` 普通教室数 and
``classes`` 班级数 where given) and a projection ``school_code → year → level → pupils``:

* **capacity** of each school level part = classrooms × the standard class size of its level (45 primary,
  50 junior: :mod:`dudao.standards.planning`). Where ``classrooms`` is not given, the school's ``classes``
  stand in for its rooms and the capacity is marked *estimated*; with neither, it is unknown. A one-through
  school given as one whole-school row shares its rooms among its levels by today's pupils
  (primary share = A / (A + B + C) for A primary, B junior and C senior pupils), the share kept for every
  projected year;
* the **seat gap** per school, town and year: pupils − capacity (above 0: pupils without a seat; below 0: a
  surplus). A town's figures add up its parts of known capacity, so a surplus in one school offsets a gap
  in another of the same town and level;
* the **学位预警** list: schools and towns whose pupils exceed their capacity (by half a pupil or more: a
  forecast's fraction below a half is no pupil) within N years (the planning
  figures' default, or the caller's N), with the first such year, the gap then and the largest gap;
* the **class-size risk**: pupils per classroom at or above the 大班额 (56) and 超大班额 (66) bounds;
* **teacher demand** per school, level and year: staff posts by the staffing ratio (students per post,
  compared with today's full-time teachers, the nearest census figure), and for each indicator the standard
  computes from teacher figures alone (L1–L3 of 2017) the teachers needed to stay at its threshold with the
  projected pupils, against today's; the shortfall is what is needed beyond what the school has.

The base year (the census year of the table) is the first year of every series, with today's pupils.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dudao.engine.fields import LEVEL_ZH, TEACHER_FIELDS
from dudao.engine.prepare import EVALUATED_LEVELS, code_text, prepare
from dudao.engine.problems import Problem
from dudao.engine.rules import TOLERANCE, compare
from dudao.standards import Standard
from dudao.standards.planning import PlanningStandard

Projected = Mapping[str, Mapping[int, Mapping[str, float]]]

# How a part's rooms were found: counted classrooms, classes standing in for them, or nothing.
BASIS_ZH = {"classrooms": "普通教室数", "classes": "班级数（估算）", "none": "无数据"}
BASIS_EN = {"classrooms": "classrooms", "classes": "classes (estimated)", "none": "no data"}
BANDS = ("", "large", "very_large")  # class-size risk: none, 大班额, 超大班额
BAND_ZH = {"": "", "large": "大班额", "very_large": "超大班额"}

OVER = 0.5  # pupils beyond capacity from which a part or town counts as over it (see over_capacity)
PART_COLUMNS = ["school_code", "school_name", "school_type", "town", "level"]


@dataclass(frozen=True)
class Seats:
    """Capacity, gaps, warnings and teacher demand of one county; tables, so pages and downloads read them."""

    base_year: int
    years: tuple[int, ...]  # the base year, then the projected years, ascending
    warning_years: int  # N of "over capacity within N years"
    schools: pd.DataFrame  # one row per school level part (PART_COLUMNS + students, rooms, basis, capacity, ...)
    school_years: pd.DataFrame  # part × year: pupils, capacity, gap, class_size, band, projected
    town_years: pd.DataFrame  # town × level × year: pupils, capacity, gap, schools, schools_unknown
    warnings: pd.DataFrame  # scope, school_code, name, town, level, first_year, gap, max_gap, max_gap_year, ...
    teachers: pd.DataFrame  # part × year × basis: pupils, needed, now, shortfall
    problems: list[Problem] = field(default_factory=list)

    def county_teachers(self) -> pd.DataFrame:
        """Per year, level and basis: teachers needed, held and the sum of the schools' shortfalls."""
        if self.teachers.empty:
            return self.teachers
        grouped = self.teachers.groupby(["year", "level", "basis"], sort=True, observed=True)
        return grouped[["pupils", "needed", "now", "shortfall"]].sum(min_count=1).reset_index()


def seats(
    frame: pd.DataFrame,
    standard: Standard,
    planning: PlanningStandard,
    projected: Projected,
    base_year: int,
    *,
    towns: Mapping[str, str] | None = None,
    warning_years: int | None = None,
) -> Seats:
    """Capacity and projected seats of the schools in ``frame`` (one county). ``towns``: school_code →
    town (a ``town`` column of the frame otherwise; "" where unknown). ``warning_years``: N of the
    学位预警 list (the planning figures' default when None)."""
    n_years = planning.warning.years.value if warning_years is None else warning_years
    if n_years < 1:
        raise ValueError("warning_years must be at least 1")
    parts = _parts(frame, standard, planning, towns)
    school_years, problems = _school_years(parts, planning, projected, base_year)
    years = tuple(sorted(set(school_years["year"]))) if len(school_years) else (base_year,)
    town_years = _town_years(school_years)
    warnings = _warnings(school_years, town_years, base_year, n_years)
    teachers = _teachers(parts, school_years, standard, planning)
    return Seats(base_year, years, n_years, parts, school_years, town_years, warnings, teachers, problems)


def _parts(
    frame: pd.DataFrame, standard: Standard, planning: PlanningStandard, towns: Mapping[str, str] | None
) -> pd.DataFrame:
    """The evaluated level parts (as ``prepare`` makes them) with their rooms, capacity and town."""
    prepared = prepare(frame, standard).parts
    source = frame["source_row"].to_numpy() if "source_row" in frame else np.arange(2, len(frame) + 2)
    position = {int(r): i for i, r in enumerate(source)}
    at = np.array([position[int(r)] for r in prepared["source_row"]], dtype=np.int64)
    rooms, basis = _rooms(frame, prepared, at)
    parts = prepared[[c for c in PART_COLUMNS if c != "town"] + ["students"]].copy()
    parts["school_type"] = parts["school_type"].astype(object)
    parts["level"] = parts["level"].astype(object)
    town_of = dict(towns) if towns is not None else _frame_towns(frame)
    parts.insert(3, "town", [town_of.get(c, "") or "" for c in parts["school_code"]])
    whole = prepared["part_of_whole"].to_numpy(dtype=bool)
    for f in TEACHER_FIELDS:
        if f in prepared:
            parts[f] = prepared[f].to_numpy(dtype=float)
        elif f == planning.staffing.compared_with and ({f, f"{f}_primary", f"{f}_junior"} & set(frame.columns)):
            # A figure the standard does not read (专任教师 for the 2017 standard): from the rows, a whole
            # school's from its per-level column.
            by_level = {lvl: _column(frame, f"{f}_{lvl}")[at] for lvl in EVALUATED_LEVELS}
            per_level = np.where(parts["level"] == "primary", by_level["primary"], by_level["junior"])
            parts[f] = np.where(whole, per_level, _column(frame, f)[at])
    parts["rooms"] = rooms
    parts["basis"] = basis
    parts["estimated"] = basis != "classrooms"
    seats_per_room = np.array([planning.class_size.seats(lvl) for lvl in parts["level"]], dtype=float)
    parts["seats_per_room"] = seats_per_room
    parts["capacity"] = rooms * seats_per_room
    return parts.reset_index(drop=True)


def _frame_towns(frame: pd.DataFrame) -> dict[str, str]:
    if "town" not in frame:
        return {}
    pairs = zip(frame["school_code"], frame["town"], strict=True)
    return {code_text(c): ("" if pd.isna(t) else str(t)) for c, t in pairs}


def _rooms(frame: pd.DataFrame, parts: pd.DataFrame, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each part's rooms and where they come from: its row's classrooms, else its classes, else none;
    a whole-school row's rooms shared among its levels by today's pupils. ``at``: each part's row."""
    classrooms = _column(frame, "classrooms")[at]
    classes = _column(frame, "classes")[at]
    rooms = np.where(np.isnan(classrooms), classes, classrooms)
    basis = np.where(~np.isnan(classrooms), "classrooms", np.where(~np.isnan(classes), "classes", "none"))
    whole = parts["part_of_whole"].to_numpy(dtype=bool)
    if whole.any():
        total = sum(np.nan_to_num(_column(frame, f"students_{lvl}")[at]) for lvl in ("primary", "junior", "senior"))
        students = parts["students"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, students / total, 0.0)
        rooms = np.where(whole, rooms * share, rooms)
    return rooms, basis.astype(object)


def _column(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _school_years(
    parts: pd.DataFrame, planning: PlanningStandard, projected: Projected, base_year: int
) -> tuple[pd.DataFrame, list[Problem]]:
    """Part × year: today's pupils in the base year, the projection's after it."""
    rows: list[tuple[int, int, float, bool]] = []  # part index, year, pupils, projected
    problems: list[Problem] = []
    for i, (code, name, level, students) in enumerate(
        zip(parts["school_code"], parts["school_name"], parts["level"], parts["students"], strict=True)
    ):
        rows.append((i, base_year, float(students), False))
        by_year = projected.get(code) or {}
        found = [(y, float(by_year[y][level])) for y in sorted(by_year) if y > base_year and level in by_year[y]]
        if not found:
            problems.append(_no_projection(code, name, level))
        rows += [(i, y, p, True) for y, p in found]
    index, year, pupils, is_projected = (np.array(c) for c in zip(*rows, strict=True)) if rows else ([],) * 4
    out = parts.loc[np.asarray(index, dtype=np.int64), [*PART_COLUMNS, "rooms", "basis", "estimated", "capacity"]]
    out = out.reset_index(drop=True)
    out.insert(5, "year", np.asarray(year, dtype=np.int64))
    out.insert(6, "pupils", np.asarray(pupils, dtype=float))
    out["projected"] = np.asarray(is_projected, dtype=bool)
    out["gap"] = out["pupils"] - out["capacity"]
    with np.errstate(divide="ignore", invalid="ignore"):
        class_size = np.where(out["rooms"] > 0, out["pupils"] / out["rooms"], np.nan)
    out["class_size"] = class_size
    out["band"] = _bands(class_size, planning)
    return out, problems


def _no_projection(code: str, name: str, level: str) -> Problem:
    return Problem(
        "no_projection",
        f"学校“{name}”（{LEVEL_ZH.get(level, level)}）没有预测在校生数，只列出当年数据",
        f"school {name!r} ({level}) has no projected pupils: only the base year is shown",
        column="school_code",
        value=code,
    )


def _bands(class_size: np.ndarray, planning: PlanningStandard) -> np.ndarray:
    large, very = planning.class_size.large, planning.class_size.very_large
    known = ~np.isnan(class_size)
    is_very = known & compare(class_size, very.op, float(very.value))
    is_large = known & compare(class_size, large.op, float(large.value))
    return np.where(is_very, "very_large", np.where(is_large, "large", "")).astype(object)


def over_capacity(gap: np.ndarray) -> np.ndarray:
    """Over capacity: at least half a pupil more than the seats (a forecast's pupils are not whole; a
    fraction under a half is no pupil, as the pages round). NaN (no capacity) is not over."""
    over: np.ndarray = np.nan_to_num(gap, nan=-np.inf) >= OVER
    return over


def _town_years(school_years: pd.DataFrame) -> pd.DataFrame:
    """Town × level × year over the parts of known capacity; ``schools_unknown`` counts the others."""
    columns = ["town", "level", "year", "pupils", "capacity", "gap", "schools", "schools_over", "schools_unknown"]
    if school_years.empty:
        return pd.DataFrame(columns=columns)
    df = school_years.assign(
        known=school_years["capacity"].notna(),
        over=over_capacity(school_years["gap"].to_numpy(dtype=float)),
    )
    keys = ["town", "level", "year"]
    known = df[df["known"]].groupby(keys, sort=True)[["pupils", "capacity"]].sum()
    counts = df.groupby(keys, sort=True).agg(
        schools=("known", "sum"), schools_over=("over", "sum"), all_parts=("known", "size")
    )
    out = counts.join(known, how="left").reset_index()
    out["schools_unknown"] = out["all_parts"] - out["schools"]
    out["gap"] = out["pupils"] - out["capacity"]
    return out[columns].astype({"schools": int, "schools_over": int, "schools_unknown": int})


def _warnings(school_years: pd.DataFrame, town_years: pd.DataFrame, base_year: int, n_years: int) -> pd.DataFrame:
    """Schools and towns over capacity in some year from the base year to base year + N."""
    keys = ["school_code", "school_name", "town", "level"]
    school = _first_over(school_years, keys, base_year, n_years).assign(scope="school")
    town = _first_over(town_years.assign(school_code="", school_name=""), keys, base_year, n_years).assign(scope="town")
    out = pd.concat([school, town], ignore_index=True)
    out = out.sort_values(["first_year", "gap", "scope"], ascending=[True, False, True], kind="stable")
    return out.reset_index(drop=True)


def _first_over(table: pd.DataFrame, keys: list[str], base_year: int, n_years: int) -> pd.DataFrame:
    columns = [*keys, "first_year", "gap", "pupils", "capacity", "max_gap", "max_gap_year", "already_over"]
    window = table[(table["year"] >= base_year) & (table["year"] <= base_year + n_years)]
    over = window[over_capacity(window["gap"].to_numpy(dtype=float))]
    if over.empty:
        return pd.DataFrame(columns=columns)
    over = over.sort_values([*keys, "year"], kind="stable")
    first = over.groupby(keys, sort=False).head(1).set_index(keys)
    worst = over.sort_values("gap", ascending=False, kind="stable").groupby(keys, sort=False).head(1).set_index(keys)
    out = first[["year", "gap", "pupils", "capacity"]].rename(columns={"year": "first_year"})
    out["max_gap"] = worst["gap"]
    out["max_gap_year"] = worst["year"]
    out["already_over"] = out["first_year"] == base_year
    return out.reset_index()[columns]


Basis = tuple[str, tuple[float, float], tuple[float, float], np.ndarray]


def _teacher_bases(standard: Standard, parts: pd.DataFrame) -> list[Basis]:
    """(basis code, per how many pupils (primary, junior), bound (primary, junior), today's figure) of every
    indicator computed from teacher figures alone; the staffing ratio is added by the caller."""
    out = []
    for ind in standard.indicators:
        terms = ind.terms()
        if not ind.thresholds or any(name not in TEACHER_FIELDS for _, name in terms):
            continue
        if any(name not in parts for _, name in terms):
            continue  # no data for it: nothing to compare with
        now = sum(sign * parts[name].to_numpy(dtype=float) for sign, name in terms)
        bounds = [float(ind.thresholds[lvl].value) if lvl in ind.thresholds else np.nan for lvl in EVALUATED_LEVELS]
        per = float(ind.per_students)
        out.append((ind.code, (per, per), (bounds[0], bounds[1]), np.asarray(now, dtype=float)))
    return out


def _teachers(
    parts: pd.DataFrame, school_years: pd.DataFrame, standard: Standard, planning: PlanningStandard
) -> pd.DataFrame:
    """Part × year × basis: teachers needed for the year's pupils, today's, and the shortfall."""
    columns = [*PART_COLUMNS, "year", "basis", "pupils", "needed", "now", "shortfall"]
    if school_years.empty:
        return pd.DataFrame(columns=columns)
    part_index = pd.Index(list(zip(parts["school_code"], parts["level"], strict=True))).get_indexer(
        list(zip(school_years["school_code"], school_years["level"], strict=True))
    )
    pupils = school_years["pupils"].to_numpy(dtype=float)
    is_primary = school_years["level"].to_numpy() == "primary"
    staff = planning.staffing.compared_with
    staff_now = parts[staff].to_numpy(dtype=float) if staff in parts else np.full(len(parts), np.nan)
    ratios = (planning.staffing.ratio("primary"), planning.staffing.ratio("junior"))
    bases: list[Basis] = [("staffing", ratios, (1.0, 1.0), staff_now), *_teacher_bases(standard, parts)]
    pieces = []
    for code, per, bound, now in bases:
        needed = _whole(np.where(is_primary, bound[0], bound[1]) * pupils / np.where(is_primary, per[0], per[1]))
        held = now[part_index]
        piece = school_years[[*PART_COLUMNS, "year", "pupils"]].assign(basis=code, needed=needed, now=held)
        piece["shortfall"] = np.where(np.isnan(held), np.nan, np.maximum(needed - held, 0.0))
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)[columns]


def _whole(needed: np.ndarray) -> np.ndarray:
    """The smallest whole number of teachers ≥ ``needed``, float noise aside (as the engine's gaps)."""
    whole: np.ndarray = np.ceil(np.maximum(needed - TOLERANCE * np.maximum(np.abs(needed), 1.0), 0.0))
    return whole


__all__ = ["BANDS", "BAND_ZH", "BASIS_EN", "BASIS_ZH", "OVER", "Projected", "Seats", "over_capacity", "seats"]
