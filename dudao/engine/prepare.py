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
from typing import Any

import numpy as np
import pandas as pd

from dudao.engine.fields import (
    FACILITY_FIELDS,
    FIELD_BY_KEY,
    LEVEL_ZH,
    LOCATIONS,
    ONE_THROUGH_PARTS,
    ONE_THROUGH_TYPES,
    OWNERSHIP,
    SCHOOL_TYPE_ZH,
    SCHOOL_TYPES,
    TEACHER_FIELDS,
    TYPE_LEVEL,
)
from dudao.engine.problems import InputError, Problem
from dudao.standards import Standard
from dudao.standards.schema import Split

IDENTITY = [
    "county_code", "county_name", "school_code", "school_name", "school_type", "location", "ownership", "town"
]  # fmt: skip
EVALUATED_LEVELS = ("primary", "junior")
CATEGORIES = {
    "school_type": list(SCHOOL_TYPES),
    "level": ["primary", "junior", "senior", "all"],
    "location": list(LOCATIONS),
    "ownership": list(OWNERSHIP),
}


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
    df, present = _columns(frame, standard, frozenset(present if present is not None else frame.columns))
    problems = _categorise(df)
    whole, level_problems = _levels(df)
    problems += level_problems
    problems += _duplicates(df, whole)
    if problems:
        raise InputError(problems)
    present = present | _per_level_teachers(present, whole)
    split_rows, split_problems = _split_whole_rows(df[whole], standard, present)
    if split_problems:
        raise InputError(split_problems)
    pieces = [(df, ~whole.to_numpy()), (split_rows, np.ones(len(split_rows), dtype=bool))]
    _check_values(pieces, present)
    parts, excluded, warnings = _scope(pieces, standard)
    return Prepared(parts=parts, excluded=excluded, present=present, warnings=warnings)


def _columns(frame: pd.DataFrame, standard: Standard, present: frozenset[str]) -> tuple[pd.DataFrame, frozenset[str]]:
    """Only the columns the evaluation reads, figures as float64 (every later step copies less); codes as
    text; equipment given in 万元 as yuan."""
    n = len(frame)
    if n == 0:
        raise InputError([Problem("no_rows", "没有学校数据行", "there are no school rows")])
    columns: dict[str, Any] = {
        "source_row": frame["source_row"].to_numpy() if "source_row" in frame else np.arange(2, n + 2)
    }
    for key in [*IDENTITY, "level"]:
        if key not in frame:
            columns[key] = np.full(n, None, dtype=object)
        elif isinstance(frame[key].dtype, pd.CategoricalDtype):
            columns[key] = frame[key].array  # kept as it is: look-ups go through its few categories
        else:
            columns[key] = frame[key].to_numpy(dtype=object)
    needed = needed_fields(standard)
    for key in frame.columns:
        if key in needed:
            column = frame[key]
            if column.dtype != np.float64:
                column = pd.to_numeric(column, errors="coerce")
            columns[key] = column.to_numpy(dtype=float, na_value=np.nan)
    df = pd.DataFrame(columns, copy=False)
    df["county_code"] = codes_text(df["county_code"])
    df["school_code"] = codes_text(df["school_code"])
    if "equipment_value_wan" in df and "equipment_value_yuan" not in df:
        df["equipment_value_yuan"] = df["equipment_value_wan"] * 10_000
        present = present | {"equipment_value_yuan"}
    return df, present


def _categorise(df: pd.DataFrame) -> list[Problem]:
    """Type, level, location and ownership as categorical columns (few distinct values: every later
    look-up and copy is cheap); a value that is none of the accepted ones is a problem."""
    problems: list[Problem] = []
    for key, names in CATEGORIES.items():
        raw = df[key]
        column = categorical(raw, names)
        unknown = pd.isna(column)
        if key != "school_type" and unknown.any():  # an empty cell is fine, an unknown value is not
            unknown &= raw.notna().to_numpy() & (raw != "").to_numpy()
        problems += [
            Problem(
                "unknown_value", f"“{FIELD_BY_KEY[key].zh}”的值无法识别，可填：{'、'.join(names)}",
                f"unknown {key}; accepted: {', '.join(names)}", row=int(r), column=key, value=str(v),
            )
            for r, v in zip(df["source_row"][unknown], raw[unknown], strict=True)
        ]  # fmt: skip
        df[key] = column
    return problems


def _levels(df: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """Each row's level (a single-level school's from its type when left empty), and which rows are
    whole one-through schools to split; a level the school type does not have is a problem."""
    level = lookup(df["level"], {lvl: lvl for lvl in (*EVALUATED_LEVELS, "senior", "all")}, None)
    one_through = lookup(df["school_type"], dict.fromkeys(ONE_THROUGH_TYPES, True), False).astype(bool)
    # "全校" (the whole school) of a single-level school is simply its one level.
    level[~one_through & (level == "all")] = None
    whole = one_through & ((level == None) | (level == "all"))  # noqa: E711 - element-wise
    type_level = lookup(df["school_type"], TYPE_LEVEL, None)
    single_bad = (type_level != None) & (level != None) & (level != type_level)  # noqa: E711
    part_bad = one_through & (level != None) & (level != "all")  # noqa: E711
    part_bad[part_bad] = [
        lvl not in ONE_THROUGH_PARTS[t] for t, lvl in zip(df["school_type"][part_bad], level[part_bad], strict=True)
    ]
    bad = single_bad | part_bad
    problems = [
        Problem(
            "level_type_mismatch",
            f"“{SCHOOL_TYPE_ZH.get(school_type, school_type)}”没有“{LEVEL_ZH.get(lvl, lvl)}”学段",
            f"a {school_type} school has no {lvl!r} level",
            value=str(lvl), row=int(r), column="level",
        )
        for r, school_type, lvl in zip(df["source_row"][bad], df["school_type"][bad], level[bad], strict=True)
    ]  # fmt: skip
    # Single-level schools may leave the level empty: take it from the type.
    df["level"] = pd.Categorical(np.where(level == None, type_level, level), categories=CATEGORIES["level"])  # noqa: E711
    return pd.Series(whole, index=df.index), problems


def _per_level_teachers(present: frozenset[str], whole: pd.Series) -> set[str]:
    """Teacher fields given only in per-level columns (every school a whole-school row): they still
    count. Raises :class:`InputError` when a single-level school or per-level row would lack them."""
    level_only = {
        f for f in TEACHER_FIELDS if f not in present and any(f"{f}_{lvl}" in present for lvl in EVALUATED_LEVELS)
    }
    if level_only and not whole.all():
        raise InputError(
            [
                Problem(
                    "missing_column",
                    f"缺少“{FIELD_BY_KEY[f].zh}”列：单学段学校和分学段行须填写",
                    f"column {f} is missing: single-level schools and per-level rows need it",
                    column=f,
                )
                for f in sorted(level_only)
            ]
        )
    return level_only


def _scope(
    pieces: list[tuple[pd.DataFrame, np.ndarray]], standard: Standard
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """The parts evaluated, the parts the standard's scope leaves out (with why) and the warnings
    about them. Scope first, then one selection: the rows kept are copied once. Raises
    :class:`InputError` for a part whose level cannot be told."""
    scoped = [(frame, rows, _scope_reasons(frame, standard)) for frame, rows in pieces if len(frame)]
    excluded, warnings = _excluded(
        [frame[rows & (reason != None)].assign(reason=reason[rows & (reason != None)])  # noqa: E711
         for frame, rows, reason in scoped],
        standard,
    )  # fmt: skip
    kept = [frame[rows & (reason == None)] for frame, rows, reason in scoped]  # noqa: E711
    parts = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)
    parts["part_of_whole"] = parts["part_of_whole"].fillna(False).astype(bool) if "part_of_whole" in parts else False
    unknown_level = ~parts["level"].isin(EVALUATED_LEVELS)
    if unknown_level.any():
        raise InputError(
            [
                Problem(
                    "level_required", "无法确定学段：请在“学段”列填写小学或初中",
                    "cannot tell the level: fill in primary or junior", row=int(r), column="level", value=str(t),
                )
                for r, t in zip(parts["source_row"][unknown_level], parts["school_type"][unknown_level], strict=True)
            ]
        )  # fmt: skip
    return parts, excluded, warnings


def needed_fields(standard: Standard) -> set[str]:
    """The numeric columns the standard's indicators read, with what splitting them needs."""
    terms = {name for ind in standard.indicators for _, name in ind.terms()}
    students = {"students", *(f"students_{lvl}" for lvl in ("primary", "junior", "senior"))}
    per_level = {f"{f}_{lvl}" for f in terms & set(TEACHER_FIELDS) for lvl in EVALUATED_LEVELS}
    wan = {"equipment_value_wan"} if "equipment_value_yuan" in terms else set()
    return terms | students | per_level | wan


def categorical(values: pd.Series, names: list[str]) -> pd.Categorical[str]:
    """``pd.Categorical(values, categories=names)`` through the distinct values (faster on text)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    index = {name: i for i, name in enumerate(names)}
    table = np.array([index.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(table[codes], categories=pd.Index(names))


def lookup(values: pd.Series, mapping: dict[Any, Any], default: Any) -> np.ndarray:
    """``values.map(mapping)`` for a column of few distinct values, through its distinct values only."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    table = np.array([mapping.get(u, default) for u in uniques] + [default], dtype=object)
    return table[codes]  # code -1 (missing) takes the last entry, the default


def codes_text(codes: pd.Series) -> pd.Series:
    """Codes as text, column-wise (see :func:`code_text`); a categorical column stays categorical."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        names = [code_text(c) for c in codes.cat.categories]
        if len(set(names)) == len(names) and "" not in names:
            text = codes.cat.rename_categories(names)
            return text.cat.add_categories([""]).fillna("") if text.isna().any() else text
        codes = codes.astype(object)
    if pd.api.types.infer_dtype(codes, skipna=True) in ("string", "empty"):
        return codes.fillna("").astype(str)  # text codes are taken as given (the reader strips them)
    return codes.map(code_text)


def code_text(value: object) -> str:
    """A county or school code as text: 130102 and 130102.0 (numbers from a spreadsheet) are "130102"."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _duplicates(df: pd.DataFrame, whole: pd.Series) -> list[Problem]:
    problems: list[Problem] = []
    county_id = pd.factorize(df["county_code"])[0].astype(np.int64)
    school_id = pd.factorize(df["school_code"])[0].astype(np.int64)
    level_id = pd.factorize(df["level"].fillna("all"))[0].astype(np.int64)
    school = pd.Series(county_id * (school_id.max() + 1) + school_id, index=df.index)
    key = school * (level_id.max() + 1) + level_id
    first_row: dict[int, int] = {}
    repeated = key.duplicated(keep=False)
    for k, code, source_row in zip(key[repeated], df["school_code"][repeated], df["source_row"][repeated], strict=True):
        if k in first_row:
            problems.append(
                Problem(
                    "duplicate_school",
                    f"学校标识码“{code}”同一学段重复（首次出现在第{first_row[k]}行）",
                    f"school code {code!r} appears twice for the same level (first at row {first_row[k]})",
                    row=int(source_row), column="school_code", value=code,
                )
            )  # fmt: skip
        else:
            first_row[k] = int(source_row)
    mixed = ~whole & school.isin(school[whole])
    for code, source_row in zip(df["school_code"][mixed], df["source_row"][mixed], strict=True):
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
    """Whole-school rows -> one row per evaluated level, column-wise (a province has thousands)."""
    if rows.empty:
        return rows, []
    if standard.split is None:
        raise InputError(
            [Problem("no_split_rule", "该标准未配置一贯制学校拆分规则", "no rule for splitting one-through schools")]
        )  # fmt: skip
    # Only the fields the standard reads were carried over (see needed_fields).
    carried = set(rows.columns)
    teacher_present = [f for f in TEACHER_FIELDS if f in present and ({f, f"{f}_primary", f"{f}_junior"} & carried)]
    facility = [f for f in standard.split.facility_fields if f in present and f in carried]
    weights_by_type = _split_weights(standard.split)
    students, problems = _level_students(rows, teacher_present)
    if problems:
        return pd.DataFrame(), problems
    school_type = rows["school_type"].to_numpy()
    weighted = {
        lvl: students[lvl] * np.array([weights_by_type[t].get(lvl, 0.0) for t in school_type])
        for lvl in ("primary", "junior", "senior")
    }
    denominator = weighted["primary"] + weighted["junior"] + weighted["senior"]
    pieces = []
    for lvl in EVALUATED_LEVELS:
        has = np.isin(school_type, [t for t, parts in ONE_THROUGH_PARTS.items() if lvl in parts])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(denominator > 0, weighted[lvl] / denominator, 0.0)[has]
        part = rows.loc[has, [*IDENTITY, "source_row"]].copy()
        part["level"] = pd.Categorical([lvl] * len(part), categories=CATEGORIES["level"])
        part["students"] = students[lvl][has]
        part["part_of_whole"] = True
        part["facility_share"] = share
        for f in teacher_present:
            part[f] = _num(rows, f"{f}_{lvl}")[has]
        for f in facility:
            part[f] = _num(rows, f)[has] * share
        pieces.append(part)
    return pd.concat(pieces, ignore_index=True), []


def _split_weights(split: Split) -> dict[str, dict[str, float]]:
    """Each one-through type's weights of its levels' pupils (a complete middle school's its own)."""
    return {
        t: {k: float(v) for k, v in (
            split.complete_middle_weights.value if t == "complete_middle" else split.weights.value
        ).items()}
        for t in ONE_THROUGH_PARTS
    }  # fmt: skip


def _level_students(rows: pd.DataFrame, teacher_present: list[str]) -> tuple[dict[str, np.ndarray], list[Problem]]:
    """Each level's pupils of the whole-school rows (0 for a level the type does not have); a row
    without its levels' pupils or teachers, or whose total is not the sum of its levels, is a problem."""
    source_row = rows["source_row"].to_numpy()
    school_type = rows["school_type"].to_numpy()
    problems: list[Problem] = []
    bad = np.zeros(len(rows), dtype=bool)
    students: dict[str, np.ndarray] = {}
    for lvl in ("primary", "junior", "senior"):
        needed = np.isin(school_type, [t for t, parts in ONE_THROUGH_PARTS.items() if lvl in parts])
        col = _num(rows, f"students_{lvl}")
        missing = needed & np.isnan(col)
        problems += [
            Problem(
                "missing_level_students", f"一贯制学校整校一行须填写“{LEVEL_ZH[lvl]}部在校生数”",
                f"a whole-school one-through row needs students_{lvl}", row=int(r), column=f"students_{lvl}",
            )
            for r in source_row[missing]
        ]  # fmt: skip
        bad |= missing
        students[lvl] = np.where(needed, col, 0.0)
        for f in teacher_present if lvl in EVALUATED_LEVELS else []:
            gone = needed & np.isnan(_num(rows, f"{f}_{lvl}"))
            problems += [
                Problem(
                    "missing_level_teachers", f"一贯制学校整校一行须分学段填写教师数（缺“{f}_{lvl}”）",
                    f"a whole-school one-through row needs teachers per level (missing {f}_{lvl})",
                    row=int(r), column=f"{f}_{lvl}",
                )
                for r in source_row[gone]
            ]  # fmt: skip
            bad |= gone
    level_sum = students["primary"] + students["junior"] + students["senior"]
    total = _num(rows, "students")
    mismatch = ~bad & ~np.isnan(total) & (np.abs(total - level_sum) > 1e-9)
    problems += [
        Problem(
            "students_mismatch", f"在校生数{int(t)}不等于各学段之和{int(s)}",
            f"students {int(t)} is not the sum of the levels ({int(s)})", row=int(r), column="students", value=str(t),
        )
        for r, t, s in zip(source_row[mismatch], total[mismatch], level_sum[mismatch], strict=True)
    ]  # fmt: skip
    return students, problems


def _check_values(pieces: list[tuple[pd.DataFrame, np.ndarray]], present: frozenset[str]) -> None:
    """Figures must be numbers ≥ 0. A figure missing for *every* school of a county is "no data"
    for that county; missing for only some of its schools is an error naming them.

    ``pieces`` are (frame, rows to check) pairs: the single-level rows and the split parts."""
    problems: list[Problem] = []
    for key in ["students", *[f for f in TEACHER_FIELDS + FACILITY_FIELDS if f in present]]:
        found = [(frame, rows, frame[key].to_numpy(dtype=float)) for frame, rows in pieces if key in frame]
        missing = [rows & np.isnan(values) for _, rows, values in found]
        if any(m.any() for m in missing):
            source_row = np.concatenate(
                [frame["source_row"].to_numpy()[m] for (frame, _, _), m in zip(found, missing, strict=True)]
            )
            if key != "students":  # a county with no figure at all for this field is "no data", not an error
                county = np.concatenate([frame["county_code"].to_numpy() for frame, _, _ in found])
                checked = np.concatenate([rows for _, rows, _ in found])
                blank = np.concatenate(missing)
                all_blank = pd.Series(blank[checked]).groupby(county[checked]).transform("all").to_numpy()
                partly = np.zeros(len(blank), dtype=bool)
                partly[checked] = ~all_blank
                source_row = np.concatenate([frame["source_row"].to_numpy() for frame, _, _ in found])[blank & partly]
            problems += [
                Problem(
                    "empty_value", f"“{FIELD_BY_KEY[key].zh}”为空：请填写数值，没有请填0",
                    f"{key} is empty: enter a number, or 0 if there are none", row=int(r), column=key,
                )
                for r in source_row
            ]  # fmt: skip
        for frame, rows, values in found:
            negative = rows & (values < 0)
            problems += [
                Problem(
                    "negative", f"“{FIELD_BY_KEY[key].zh}”不能为负数", f"{key} must not be negative",
                    row=int(r), column=key, value=str(v),
                )
                for r, v in zip(frame["source_row"].to_numpy()[negative], values[negative], strict=True)
            ]  # fmt: skip
    if problems:
        raise InputError(problems)


REASONS = {
    "type_excluded": ("该类学校不参与资源配置评估", "school type not evaluated for resource allocation"),
    "small_teaching_point": ("不足{n}人的教学点不参与评估", "teaching point with fewer than {n} pupils"),
    "private_excluded": ("民办学校不参与评估", "private schools are not evaluated"),
    "no_students": ("在校生数为0，不参与差异系数计算", "no pupils enrolled; left out of the CV"),
    "senior_part": ("高中学段不在义务教育评估范围", "senior level is outside compulsory education"),
}


def _scope_reasons(parts: pd.DataFrame, standard: Standard) -> np.ndarray:
    """Why each row is left out of the evaluation (None: it is evaluated). The first reason stands."""
    students = _num(parts, "students")
    reason = np.full(len(parts), None, dtype=object)

    def mark(mask: np.ndarray, why: str) -> None:
        reason[mask & (reason == None)] = why  # noqa: E711 - element-wise

    if standard.school_scope is not None:
        scope = standard.school_scope
        school_type = parts["school_type"]
        mark(lookup(school_type, dict.fromkeys(scope.exclude_types.value or [], True), False).astype(bool),
             "type_excluded")  # fmt: skip
        n_small = scope.exclude_teaching_points_below.value
        if n_small is not None:
            is_point = lookup(school_type, {"teaching_point": True}, False).astype(bool)
            mark(is_point & (students < float(n_small)), "small_teaching_point")
        if not scope.include_private.value:
            mark(lookup(parts["ownership"], {"private": True}, False).astype(bool), "private_excluded")
    mark(lookup(parts["level"], {"senior": True}, False).astype(bool), "senior_part")
    mark(~(students > 0), "no_students")
    return reason


def _excluded(pieces: list[pd.DataFrame], standard: Standard) -> tuple[pd.DataFrame, list[Problem]]:
    """The excluded rows with their reasons in both languages, and a warning for each without pupils."""
    columns = ["county_code", "school_code", "school_name", "school_type", "level", "students", "source_row", "reason"]
    excluded = pd.concat([p[columns] for p in pieces], ignore_index=True) if pieces else pd.DataFrame(columns=columns)
    n_small = standard.school_scope.exclude_teaching_points_below.value if standard.school_scope else None
    fmt = {"n": n_small if n_small is not None else ""}
    excluded["reason_zh"] = [REASONS[r][0].format(**fmt) for r in excluded["reason"]]
    excluded["reason_en"] = [REASONS[r][1].format(**fmt) for r in excluded["reason"]]
    empty = excluded[excluded["reason"] == "no_students"]
    warnings = [
        Problem(
            "no_students", f"学校“{name}”（{LEVEL_ZH.get(level, level)}）在校生数为0，已排除",
            f"school {name!r} ({level}) has no pupils and is left out", row=int(r), column="students", value="0",
        )
        for name, level, r in zip(empty["school_name"], empty["level"], empty["source_row"], strict=True)
    ]  # fmt: skip
    return excluded, warnings
