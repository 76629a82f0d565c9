"""From input rows to the level parts that are evaluated.

* A single-level school (小学, 初中, 教学点) is one part; its level may be left empty.
* A one-through school (九年一贯制, 十二年一贯制, 完全中学) comes either as rows already split by
  level (``level`` = primary/junior; taken as they are), or as one whole-school row (``level``
  empty or ``all``) with per-level students (``students_primary`` ...) and per-level teacher
  columns (``pe_art_teachers_primary`` ...). Such a row is split: teachers by the level they
  teach, facility fields apportioned by enrolment weighted with the standard's split weights,
  e.g. primary share = A / (A + 1.1·B) for a nine-year school with A primary and B junior pupils.
* The standard's school scope then excludes types (special schools ...), small teaching points,
  private schools where configured, and parts without pupils, each with a stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dudao.engine.fields import (
    FACILITY_FIELDS,
    FIELD_BY_KEY,
    LEVEL_ZH,
    ONE_THROUGH_PARTS,
    ONE_THROUGH_TYPES,
    SCHOOL_TYPE_ZH,
    TEACHER_FIELDS,
    TYPE_LEVEL,
)
from dudao.engine.problems import InputError, Problem
from dudao.standards import Standard

IDENTITY = ["county_code", "county_name", "school_code", "school_name", "school_type", "location", "ownership"]
EVALUATED_LEVELS = ("primary", "junior")


@dataclass
class Prepared:
    parts: pd.DataFrame  # one row per evaluated level part
    excluded: pd.DataFrame  # school_code, school_name, level, reason, reason_zh, reason_en
    present: frozenset[str]
    warnings: list[Problem] = field(default_factory=list)


def _num(frame: pd.DataFrame, key: str) -> np.ndarray:
    return frame[key].to_numpy(dtype=float) if key in frame else np.full(len(frame), np.nan)


def prepare(frame: pd.DataFrame, standard: Standard, present: frozenset[str] | None = None) -> Prepared:
    """Validate the rows as a whole, split one-through schools, apply the school scope.

    ``frame`` has canonical column names (see ``dudao.engine.fields``); ``source_row`` (the
    spreadsheet row) is used in messages when present. Raises :class:`InputError` with every problem.
    """
    present = frozenset(present if present is not None else frame.columns)
    df = frame.reset_index(drop=True).copy()
    if "source_row" not in df:
        df["source_row"] = np.arange(2, len(df) + 2)
    for key in IDENTITY:
        if key not in df:
            df[key] = None
    df["county_code"] = df["county_code"].map(code_text)
    df["school_code"] = df["school_code"].map(code_text)
    if "equipment_value_wan" in df and "equipment_value_yuan" not in df:
        df["equipment_value_yuan"] = pd.to_numeric(df["equipment_value_wan"], errors="coerce") * 10_000
        present = present | {"equipment_value_yuan"}
    if "level" not in df:
        df["level"] = None
    df["level"] = df["level"].where(df["level"].notna() & (df["level"] != ""), None)

    problems: list[Problem] = []
    one_through = df["school_type"].isin(ONE_THROUGH_TYPES)
    # "全校" (the whole school) of a single-level school is simply its one level.
    df.loc[~one_through & (df["level"] == "all"), "level"] = None
    whole = one_through & (df["level"].isna() | (df["level"] == "all"))
    type_level = df["school_type"].map(TYPE_LEVEL)
    single_bad = type_level.notna() & df["level"].notna() & (df["level"] != type_level)
    allowed = df["school_type"].map(lambda t: ONE_THROUGH_PARTS.get(t, ()))
    part_bad = (
        one_through
        & df["level"].notna()
        & (df["level"] != "all")
        & pd.Series([lvl not in ok for lvl, ok in zip(df["level"], allowed, strict=True)], index=df.index)
    )
    for row in df[single_bad | part_bad].itertuples():
        where = {"row": int(row.source_row), "column": "level"}
        type_zh = SCHOOL_TYPE_ZH.get(row.school_type, row.school_type)
        level_zh = LEVEL_ZH.get(row.level, row.level)
        problems.append(
            Problem(
                "level_type_mismatch",
                f"“{type_zh}”没有“{level_zh}”学段",
                f"a {row.school_type} school has no {row.level!r} level",
                value=str(row.level),
                **where,
            )
        )

    # Single-level schools may leave the level empty: take it from the type.
    df["level"] = df["level"].where(df["level"].notna(), type_level)
    problems += _duplicates(df, whole)
    if problems:
        raise InputError(problems)

    # Teacher figures given only in per-level columns (every school a whole-school row) still count.
    level_only = {
        f for f in TEACHER_FIELDS if f not in present and any(f"{f}_{lvl}" in present for lvl in EVALUATED_LEVELS)
    }
    if level_only and not whole.all():
        problems += [
            Problem(
                "missing_column",
                f"缺少“{FIELD_BY_KEY[f].zh}”列：单学段学校和分学段行须填写",
                f"column {f} is missing: single-level schools and per-level rows need it",
                column=f,
            )
            for f in sorted(level_only)
        ]
        raise InputError(problems)
    present = present | level_only

    warnings: list[Problem] = []
    split_rows, split_problems = _split_whole_rows(df[whole], standard, present)
    problems += split_problems
    if problems:
        raise InputError(problems)
    parts = pd.concat([df[~whole], split_rows], ignore_index=True) if len(split_rows) else df[~whole].copy()
    if "part_of_whole" not in parts:
        parts["part_of_whole"] = False
    parts["part_of_whole"] = parts["part_of_whole"].fillna(False).astype(bool)

    _check_values(parts, present)
    parts, excluded, scope_warnings = _apply_scope(parts, standard)
    warnings += scope_warnings
    parts = parts.sort_values(["county_code", "level", "school_code"], kind="stable").reset_index(drop=True)
    return Prepared(parts=parts, excluded=excluded, present=present, warnings=warnings)


def code_text(value: object) -> str:
    """A county or school code as text: 130102 and 130102.0 (numbers from a spreadsheet) are "130102"."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _duplicates(df: pd.DataFrame, whole: pd.Series) -> list[Problem]:
    problems: list[Problem] = []
    keys = pd.DataFrame({"county": df["county_code"], "school": df["school_code"].astype(str),
                         "level": df["level"].fillna("all").astype(str)})  # fmt: skip
    first_row: dict[tuple[str, str, str], int] = {}
    repeated = keys.duplicated(keep=False)
    for county, code, level, source_row in zip(
        keys["county"][repeated],
        keys["school"][repeated],
        keys["level"][repeated],
        df["source_row"][repeated],
        strict=True,
    ):
        key = (county, code, level)
        if key in first_row:
            problems.append(
                Problem(
                    "duplicate_school",
                    f"学校标识码“{code}”同一学段重复（首次出现在第{first_row[key]}行）",
                    f"school code {code!r} appears twice for the same level (first at row {first_row[key]})",
                    row=int(source_row), column="school_code", value=code,
                )
            )  # fmt: skip
        else:
            first_row[key] = int(source_row)
    whole_schools = set(zip(keys["county"][whole], keys["school"][whole], strict=True))
    for county, code, is_whole, source_row in zip(keys["county"], keys["school"], whole, df["source_row"], strict=True):
        if not is_whole and (county, code) in whole_schools:
            problems.append(
                Problem(
                    "mixed_split",
                    f"学校“{code}”既有整校一行又有分学段行，只能选一种填法",
                    f"school {code!r} has both a whole-school row and per-level rows; use one form",
                    row=int(source_row), column="level", value=code,
                )
            )  # fmt: skip
    return problems


def _split_whole_rows(
    rows: pd.DataFrame, standard: Standard, present: frozenset[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    if rows.empty:
        return rows, []
    if standard.split is None:
        raise InputError(
            [
                Problem(
                    "no_split_rule",
                    "该标准未配置一贯制学校拆分规则",
                    "this standard has no rule for splitting one-through schools",
                )
            ]
        )
    weights = {k: float(v) for k, v in standard.split.weights.value.items()}
    cm_weights = {k: float(v) for k, v in standard.split.complete_middle_weights.value.items()}
    teacher_present = [f for f in TEACHER_FIELDS if f in present]
    facility = [f for f in standard.split.facility_fields if f in present]
    problems: list[Problem] = []
    out: list[dict] = []
    for row in rows.to_dict("records"):
        levels = ONE_THROUGH_PARTS[row["school_type"]]
        r = int(row["source_row"])
        students = {}
        for lvl in levels:
            value = row.get(f"students_{lvl}")
            if value is None or pd.isna(value):
                problems.append(
                    Problem(
                        "missing_level_students",
                        f"一贯制学校整校一行须填写“{LEVEL_ZH[lvl]}部在校生数”",
                        f"a whole-school one-through row needs students_{lvl}",
                        row=r,
                        column=f"students_{lvl}",
                    )
                )
            else:
                students[lvl] = float(value)
        row_ok = len(students) == len(levels)
        for f in teacher_present:
            for lvl in levels:
                col = f"{f}_{lvl}"
                if lvl in EVALUATED_LEVELS and (row.get(col) is None or pd.isna(row.get(col))):
                    row_ok = False
                    problems.append(
                        Problem(
                            "missing_level_teachers",
                            f"一贯制学校整校一行须分学段填写教师数（缺“{col}”）",
                            f"a whole-school one-through row needs teachers per level (missing {col})",
                            row=r,
                            column=col,
                        )
                    )
        if not row_ok:
            continue
        total = row.get("students")
        if total is not None and not pd.isna(total) and abs(float(total) - sum(students.values())) > 1e-9:
            problems.append(
                Problem(
                    "students_mismatch",
                    f"在校生数{int(total)}不等于各学段之和{int(sum(students.values()))}",
                    f"students {int(total)} is not the sum of the levels ({int(sum(students.values()))})",
                    row=r,
                    column="students",
                    value=str(total),
                )
            )
            continue
        w = cm_weights if row["school_type"] == "complete_middle" else weights
        weighted = {lvl: w[lvl] * students[lvl] for lvl in levels}
        denominator = sum(weighted.values())
        for lvl in levels:
            if lvl not in EVALUATED_LEVELS:
                continue
            part = {k: row.get(k) for k in [*IDENTITY, "source_row"]}
            part["level"] = lvl
            part["students"] = students[lvl]
            part["part_of_whole"] = True
            share = weighted[lvl] / denominator if denominator > 0 else 0.0
            part["facility_share"] = share
            for f in teacher_present:
                part[f] = float(row[f"{f}_{lvl}"])
            for f in facility:
                part[f] = float(row[f]) * share
            out.append(part)
    return pd.DataFrame(out), problems


def _check_values(parts: pd.DataFrame, present: frozenset[str]) -> None:
    """Figures must be numbers ≥ 0. A figure missing for *every* school of a county is "no data"
    for that county; missing for only some of its schools is an error naming them."""
    problems: list[Problem] = []
    for key in ["students", *[f for f in TEACHER_FIELDS + FACILITY_FIELDS if f in present]]:
        if key not in parts:
            continue
        values = pd.to_numeric(parts[key], errors="coerce")
        missing = values.isna()
        if key != "students" and missing.any():
            missing &= ~missing.groupby(parts["county_code"]).transform("all")
        for row in parts[missing].itertuples():
            problems.append(Problem(
                "empty_value", f"“{FIELD_BY_KEY[key].zh}”为空：请填写数值，没有请填0",
                f"{key} is empty: enter a number, or 0 if there are none",
                row=int(row.source_row), column=key))  # fmt: skip
        for row, value in zip(parts[values < 0].itertuples(), values[values < 0], strict=True):
            problems.append(Problem(
                "negative", f"“{FIELD_BY_KEY[key].zh}”不能为负数", f"{key} must not be negative",
                row=int(row.source_row), column=key, value=str(value)))  # fmt: skip
    if problems:
        raise InputError(problems)


REASONS = {
    "type_excluded": ("该类学校不参与资源配置评估", "school type not evaluated for resource allocation"),
    "small_teaching_point": ("不足{n}人的教学点不参与评估", "teaching point with fewer than {n} pupils"),
    "private_excluded": ("民办学校不参与评估", "private schools are not evaluated"),
    "no_students": ("在校生数为0，不参与差异系数计算", "no pupils enrolled; left out of the CV"),
    "senior_part": ("高中学段不在义务教育评估范围", "senior level is outside compulsory education"),
}


def _apply_scope(parts: pd.DataFrame, standard: Standard) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    reason = pd.Series(None, index=parts.index, dtype=object)
    students = _num(parts, "students")
    n_small = None
    if standard.school_scope is not None:
        scope = standard.school_scope
        reason[parts["school_type"].isin(list(scope.exclude_types.value or []))] = "type_excluded"
        n_small = scope.exclude_teaching_points_below.value
        if n_small is not None:
            small = (parts["school_type"] == "teaching_point") & (students < float(n_small))
            reason[small & reason.isna()] = "small_teaching_point"
        if not scope.include_private.value:
            reason[(parts["ownership"] == "private") & reason.isna()] = "private_excluded"
    reason[(parts["level"] == "senior") & reason.isna()] = "senior_part"
    reason[~(students > 0) & reason.isna()] = "no_students"

    warnings: list[Problem] = []
    for row in parts[reason == "no_students"].itertuples():
        warnings.append(
            Problem(
                "no_students",
                f"学校“{row.school_name}”（{LEVEL_ZH.get(row.level, row.level)}）在校生数为0，已排除",
                f"school {row.school_name!r} ({row.level}) has no pupils and is left out",
                row=int(row.source_row),
                column="students",
                value="0",
            )
        )
    mask = reason.notna()
    excluded = parts.loc[
        mask, ["county_code", "school_code", "school_name", "school_type", "level", "students", "source_row"]
    ].copy()
    excluded["reason"] = reason[mask]
    fmt = {"n": n_small if n_small is not None else ""}
    excluded["reason_zh"] = [REASONS[r][0].format(**fmt) for r in excluded["reason"]]
    excluded["reason_en"] = [REASONS[r][1].format(**fmt) for r in excluded["reason"]]
    kept = parts.loc[~mask].copy()
    unknown_level = ~kept["level"].isin(EVALUATED_LEVELS)
    if unknown_level.any():
        raise InputError(
            [
                Problem(
                    "level_required",
                    "无法确定学段：请在“学段”列填写小学或初中",
                    "cannot tell the level: fill in primary or junior",
                    row=int(r.source_row),
                    column="level",
                    value=str(r.school_type),
                )
                for r in kept[unknown_level].itertuples()
            ]
        )
    return kept, excluded.reset_index(drop=True), warnings
