"""What-if (模拟测算): change one school's census figures on screen and see its verdict and the
county's CVs recomputed. Nothing is saved.

The recomputation is the engine's, on the run's stored inputs with the changes applied
(:meth:`EvaluationRun.reproduce`): with no change it gives the stored result exactly. The figures a
school can change are the engine's input fields its indicators read (students, teachers per level
for a whole-school one-through record, floor areas, equipment, rooms).

Bad input (a negative number, text, a fraction of a person, a field that is not one of the school's
figures, a school that is not in the run) is a :class:`WhatIfError` with a stable code and Chinese
and English messages; the views answer it with 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from dudao.engine import CountyResult, InputError
from dudao.engine.fields import FIELD_BY_KEY, ONE_THROUGH_PARTS, ONE_THROUGH_TYPES, TEACHER_FIELDS
from dudao.engine.prepare import EVALUATED_LEVELS
from dudao.engine.result import Level, LevelIndicator, School, SchoolIndicator
from dudao.engine.rules import round_half_up
from dudao.errors import ActionError, Both
from dudao.evaluation.models import EvaluationRun
from dudao.evaluation.render import level_label
from dudao.overview.cockpit import gap_text, pick
from dudao.standards import Standard, load
from dudao.tables import Column, Table

LARGEST = Decimal(10) ** 12  # no school figure comes near; keeps the arithmetic finite
# Form fields that are not figures (the school chosen, CSRF, a download asked for).
NOT_FIGURES = frozenset({"school", "csrfmiddlewaretoken", "download", "format"})

LABELS: dict[str, Promise] = {
    "students": gettext_lazy("在校生数"),
    "teachers": gettext_lazy("专任教师数"),
    "teachers_above_qualification": gettext_lazy("高于规定学历专任教师数"),
    "backbone_teachers": gettext_lazy("县级及以上骨干教师数"),
    "pe_art_teachers": gettext_lazy("体育、艺术(美术、音乐)专任教师数"),
    "senior_title_teachers": gettext_lazy("中级及以上专业技术职务教师数"),
    "teaching_aux_area_m2": gettext_lazy("教学及辅助用房面积(平方米)"),
    "indoor_gym_area_m2": gettext_lazy("其中：室内体育用房面积(平方米)"),
    "sports_area_m2": gettext_lazy("体育运动场馆面积(平方米)"),
    "equipment_value_yuan": gettext_lazy("教学仪器设备值(元)"),
    "multimedia_classrooms": gettext_lazy("网络多媒体教室数(间)"),
    "computers": gettext_lazy("计算机数(台)"),
    "books": gettext_lazy("图书(册)"),
}
PART_NAMES = {"primary": gettext_lazy("小学部"), "junior": gettext_lazy("初中部"), "senior": gettext_lazy("高中部")}


class WhatIfError(ActionError):
    """Input the what-if cannot take (docs/adr/0026); ``field`` names the figure it is about, if one."""

    field: str | None = None


def _both(text: Any) -> tuple[str, str]:
    """A lazy text in Chinese and in English."""
    with override("zh-hans"):
        zh = str(text)
    with override("en"):
        en = str(text)
    return zh, en


def label(key: str) -> Promise | str:
    """The figure's name: "体育、艺术(美术、音乐)专任教师数", "小学部在校生数"."""
    if key in LABELS:
        return LABELS[key]
    base, _sep, part = key.rpartition("_")
    if part in PART_NAMES and base in LABELS:
        return gettext_lazy("%(part)s%(figure)s") % {"part": PART_NAMES[part], "figure": LABELS[base]}
    return key


def number_text(value: float | None) -> str:
    """A stored figure as typed: 30, 1200.5, 2500000 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the school and its figures ---------------------------------------------------------------------


def choices(result: CountyResult) -> list[tuple[str, list[tuple[str, str]]]]:
    """The school parts of the run for the picker, by level: (level label, [(selector, name)])."""
    out = []
    for lvl, lv in result.levels.items():
        parts = result.school_parts(lvl)
        if not lv.has_schools or not parts:
            continue
        failing = _("（未达标）")
        out.append(
            (level_label(lvl), [(f"{s.school_code}:{lvl}", s.school_name + failing * (s.passed is False))
                                for s in parts])
        )  # fmt: skip
    return out


def find_part(result: CountyResult, selector: str) -> School:
    """The school part named by ``"code:level"`` (or ``"code"``: its first part)."""
    code, _sep, lvl = str(selector).strip().partition(":")
    for s in result.schools:
        if s.school_code == code and (not lvl or s.level == lvl):
            return s
    raise WhatIfError(
        "unknown_school", gettext_lazy("本次评估中没有学校“%(selector)s”，请从列表中选择参评学校"), selector=selector
    )


def input_row(run: EvaluationRun, source_row: int) -> dict[str, Any]:
    """The stored input row (census record) a school part was evaluated from."""
    columns = run.inputs["columns"]
    at = columns.index("source_row")
    for row in run.inputs["schools"]:
        if row[at] == source_row:
            return dict(zip(columns, row, strict=True))
    raise WhatIfError("unknown_school", gettext_lazy("该学校的统计数据不在本次评估中"))


def whole_school(row: dict[str, Any]) -> bool:
    """A one-through school entered as one row (split into level parts by the engine)."""
    return row.get("school_type") in ONE_THROUGH_TYPES and row.get("level") in (None, "", "all")


def figure_keys(standard: Standard, run: EvaluationRun, row: dict[str, Any]) -> list[str]:
    """The figures of ``row`` the standard's indicators read and the run holds: pupils first, then
    teachers (per level on a whole-school row), then facilities, as in the census form."""
    terms = list(dict.fromkeys(name for ind in standard.indicators for _s, name in ind.terms()))
    if whole_school(row):
        parts = ONE_THROUGH_PARTS[row["school_type"]]
        keys = [f"students_{lvl}" for lvl in parts]
        for term in terms:
            if term in TEACHER_FIELDS:
                keys += [f"{term}_{lvl}" for lvl in parts if lvl in EVALUATED_LEVELS]
            else:
                keys.append(term)
    else:
        keys = ["students", *terms]
    present = set(run.inputs["present"]) & set(run.inputs["numeric"])
    return [k for k in keys if k in present]


@dataclass
class Figure:
    key: str
    label: str
    kind: str  # "int" or "number"
    stored: float | None
    typed: str  # what the form shows: the submitted text, else the stored figure
    changed: bool = False

    @property
    def stored_text(self) -> str:
        return number_text(self.stored) or "—"


def _kind(key: str) -> str:
    base = key.rpartition("_")[0] if key.endswith(("_primary", "_junior", "_senior")) else key
    return "int" if FIELD_BY_KEY[base].kind == "int" else "number"


def _bad(code: str, key: str, zh: str, en: str) -> WhatIfError:
    name_zh, name_en = _both(label(key))
    error = WhatIfError.bilingual(code, f"“{name_zh}”{zh}", f"{name_en}: {en}")
    error.field = key
    return error


def parse_value(key: str, raw: Any) -> float | None:
    """One typed figure: None when blank; else a number ≥ 0 (whole for counts of persons and rooms)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _bad("not_a_number", key, "应为数字", "must be a number")
    try:
        number = Decimal(raw.strip().replace(",", "") if isinstance(raw, str) else repr(raw))
    except InvalidOperation:
        raise _bad("not_a_number", key, f"应为数字，不能是“{raw}”", f"must be a number, not {raw!r}") from None
    if not number.is_finite():
        raise _bad("not_a_number", key, "应为数字", "must be a number")
    if number < 0:
        raise _bad("negative", key, "不能为负数", "cannot be negative")
    if number > LARGEST:
        raise _bad("too_large", key, "数值过大", "is too large")
    if _kind(key) == "int" and number != number.to_integral_value():
        raise _bad("not_whole", key, "应为整数", "must be a whole number")
    return float(number)


def parse_changes(values: Mapping[str, Any], keys: list[str], row: dict[str, Any]) -> dict[str, float | None]:
    """The figures in ``values`` that differ from the stored ``row`` (others are left as stored).
    A field that is not one of ``keys`` is refused, as is clearing a figure that has a value."""
    unknown = sorted(k for k in values if k not in keys and k not in NOT_FIGURES)
    if unknown:
        names = "、".join(unknown)
        raise WhatIfError(
            "unknown_field",
            gettext_lazy("不能修改“%(names)s”：可修改的是该校参与评估的统计数字"),
            names=Both(names, ", ".join(unknown)),
        )
    changes: dict[str, float | None] = {}
    for key in keys:
        if key not in values:
            continue
        value = parse_value(key, values[key])
        stored = row.get(key)
        if value is None and stored is not None:
            raise _bad("missing", key, "不能为空", "cannot be empty")
        if value != stored:
            changes[key] = value
    if changes and whole_school(row) and any(k.startswith("students_") for k in changes):
        changes["students"] = None  # a whole-school row's total is then the sum of its levels
    return changes


# --- the recomputation --------------------------------------------------------------------------


def baseline(run: EvaluationRun, standard: Standard | None = None) -> CountyResult:
    """The result the what-if is compared with: the stored one, or the same inputs under the standard
    as it is now when the standard's data changed since the run (so a what-if with no change is no
    change)."""
    standard = standard or load(run.standard_id, province=run.province or None)
    return run.result_obj if standard.version == run.standard_version else run.reproduce()


def recompute(run: EvaluationRun, source_row: int, changes: dict[str, float | None]) -> CountyResult:
    """The county result on the run's stored inputs with ``changes`` to one input row."""
    if not changes:
        return baseline(run)
    try:
        return run.reproduce({source_row: changes})
    except InputError as exc:
        raise WhatIfError.bilingual(
            "cannot_evaluate",
            "修改后的数据无法评估：" + "；".join(p.message_zh for p in exc.problems[:5]),
            "the changed figures cannot be evaluated: " + "; ".join(p.message_en for p in exc.problems[:5]),
        ) from exc


# --- current against what-if ----------------------------------------------------------------------


def _pair(current: Any, new: Any) -> list[Any]:
    return [current, new]


def _difference(current: float | None, new: float | None, places: int) -> float | None:
    """The difference of two figures as shown (each rounded half-up first)."""
    now, then = round_half_up(new, places), round_half_up(current, places)
    if now is None or then is None:
        return None
    return round_half_up(now - then, places)


@dataclass
class PartOutcome:
    level: str
    label: str
    current: School | None
    new: School | None
    table: Table
    reasons: list[str]  # of the what-if
    excluded: list[str]  # why the part left the evaluation in the what-if


@dataclass
class LevelOutcome:
    level: str
    label: str
    passed: list[bool | None]
    schools_passed: list[int | None]
    schools_total: list[int]
    table: Table


@dataclass
class Outcome:
    part: School
    figures: list[Figure]
    changes: list[tuple[str, str, str]]  # (label, stored, what-if)
    parts: list[PartOutcome]
    levels: list[LevelOutcome]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [p.table for p in self.parts] + [lv.table for lv in self.levels]

    @property
    def query(self) -> dict[str, str]:
        """The what-if as GET parameters (for its download links)."""
        return {"school": f"{self.part.school_code}:{self.part.level}",
                **{f.key: number_text(self.data["changes"][f.key]) for f in self.figures if f.changed}}  # fmt: skip


def _columns(bound: Column, now: str, then: str, places: int) -> list[Column]:
    """Indicator, its bound, the figure now and in the what-if with the change, and both verdicts."""
    return [
        Column("indicator", _("指标")),
        bound,
        Column("current", now, "number", places),
        Column("new", then, "number", places),
        Column("diff", _("变化"), "number", places),
        Column("met", _("当前结论"), "verdict"),
        Column("new_met", _("测算结论"), "verdict"),
    ]


def _row(indicator: str, bound: float | None, figures: list[Any], verdicts: list[Any], places: int) -> dict[str, Any]:
    """``figures`` and ``verdicts`` as [now, what-if]; the row is marked when either moved."""
    return {
        "indicator": indicator,
        "bound": bound,
        "current": figures[0],
        "new": figures[1],
        "diff": _difference(figures[0], figures[1], places),
        "met": verdicts[0],
        "new_met": verdicts[1],
        "_row_class": "changed" if figures[0] != figures[1] or verdicts[0] != verdicts[1] else "",
    }


def _indicator(part: School | None, code: str) -> SchoolIndicator | None:
    return None if part is None else part.indicators.get(code)


def _bound(current: SchoolIndicator | None, new: SchoolIndicator | None) -> float | None:
    """The threshold of the school's indicator (the current one's, else the what-if's)."""
    if current is not None and current.judged:
        return current.threshold
    return new.threshold if new is not None else None


def part_table(level: str, meta: dict[str, LevelIndicator], current: School | None, new: School | None) -> Table:
    """The school part's indicators: value, verdict and gap now and in the what-if."""
    cols = _columns(Column("bound", _("标准"), "number", 2), _("当前值"), _("测算值"), 2)
    cols += [Column("gap", _("当前差距")), Column("new_gap", _("测算差距"))]
    rows = []
    for code, ind in meta.items():
        cur, nxt = _indicator(current, code), _indicator(new, code)
        values = _pair(cur.value if cur else None, nxt.value if nxt else None)
        verdicts = _pair(cur.met if cur else None, nxt.met if nxt else None)
        row = _row(f"{code} {pick(ind, 'name')}", _bound(cur, nxt), values, verdicts, 2)
        rows.append({**row, "gap": gap_text(code, ind, cur) or "—", "new_gap": gap_text(code, ind, nxt) or "—"})
    title = _("%(level)s各项指标：当前与测算") % {"level": level_label(level)}
    return Table(f"whatif-school-{level}", title, cols, rows)


def level_table(level: str, current: Level, new: Level | None) -> Table:
    """The level's CVs (3 decimals, as published) now and in the what-if, against their limits."""
    cols = _columns(Column("bound", _("限值"), "number", 2), _("当前差异系数"), _("测算差异系数"), 3)
    rows = []
    for code, ind in current.indicators.items():
        nxt = new.indicators.get(code) if new is not None else None
        cvs = _pair(ind.cv_3dp, nxt.cv_3dp if nxt else None)
        verdicts = _pair(ind.cv_passed, nxt.cv_passed if nxt else None)
        rows.append(_row(f"{code} {pick(ind, 'name')}", ind.cv_limit, cvs, verdicts, 3))
    if current.is_composite:
        rows.append(_row(_("综合差异系数"), current.composite_cv_limit,
                         _pair(current.composite_cv_3dp, new.composite_cv_3dp if new else None),
                         _pair(current.composite_cv_passed, new.composite_cv_passed if new else None), 3))  # fmt: skip
    title = _("%(level)s校际差异系数：当前与测算") % {"level": level_label(level)}
    return Table(f"whatif-cv-{level}", title, cols, rows)


def _part_data(p: PartOutcome) -> dict[str, Any]:
    """A part's verdict and indicator figures as [current, what-if] pairs (None where absent)."""
    cur = p.current.indicators if p.current is not None else {}
    new = p.new.indicators if p.new is not None else {}

    def figure(entry: SchoolIndicator | None, key: str) -> Any:
        return None if entry is None else getattr(entry, key)

    return {
        "passed": _pair(p.current.passed if p.current else None, p.new.passed if p.new else None),
        "indicators": {
            code: {k: _pair(figure(cur.get(code), k), figure(new.get(code), k)) for k in ("value", "met", "gap")}
            for code in dict.fromkeys([*cur, *new])
        },
    }


def _parts(part: School, current: CountyResult, new: CountyResult) -> list[PartOutcome]:
    """Every level part of the school (the chosen one first), now and in the what-if; a part that left
    the evaluation in the what-if says why."""

    def parts_of(result: CountyResult) -> dict[str, School]:
        return {s.level: s for s in result.schools if s.source_row == part.source_row}

    before, after = parts_of(current), parts_of(new)
    order = list(current.levels)
    parts = []
    for lvl in sorted({*before, *after}, key=lambda lv: (lv != part.level, order.index(lv))):
        cur, nxt = before.get(lvl), after.get(lvl)
        meta = current.levels[lvl].indicators or new.levels[lvl].indicators
        excluded = [
            pick(e, "reason")
            for e in new.excluded
            if e.school_code == part.school_code and e.level == lvl and nxt is None
        ]
        reasons = [pick(r, "message") for r in nxt.reasons] if nxt is not None else []
        parts.append(PartOutcome(lvl, level_label(lvl), cur, nxt, part_table(lvl, meta, cur, nxt), reasons, excluded))
    return parts


def _levels(current: CountyResult, new: CountyResult) -> list[LevelOutcome]:
    """Each level with schools (now or in the what-if): its verdict, schools passing and CVs."""
    levels = []
    for lvl, lv in current.levels.items():
        nlv = new.levels.get(lvl)
        if not lv.has_schools and not (nlv is not None and nlv.has_schools):
            continue
        levels.append(
            LevelOutcome(
                lvl,
                level_label(lvl),
                _pair(lv.passed, nlv.passed if nlv else None),
                _pair(lv.schools_passed, nlv.schools_passed if nlv else None),
                _pair(lv.schools_total, nlv.schools_total if nlv else 0),
                level_table(lvl, lv, nlv),
            )
        )
    return levels


def _level_data(lv: LevelOutcome, current: CountyResult, new: CountyResult) -> dict[str, Any]:
    """A level's verdict, schools passing and each CV as [current, what-if] pairs."""
    after = new.levels[lv.level].indicators

    def figure(code: str, key: str) -> Any:
        entry = after.get(code)
        return None if entry is None else getattr(entry, key)

    return {
        "passed": lv.passed,
        "schools_passed": lv.schools_passed,
        "indicators": {
            code: {k: _pair(getattr(ind, k), figure(code, k)) for k in ("cv", "cv_3dp", "cv_passed")}
            for code, ind in current.levels[lv.level].indicators.items()
        },
    }


def outcome(run: EvaluationRun, selector: str, values: Mapping[str, Any]) -> Outcome:
    """The what-if of one school part: ``values`` are the typed figures (those left out stay as
    stored). Raises :class:`WhatIfError` for input it cannot take."""
    standard = load(run.standard_id, province=run.province or None)
    current = baseline(run, standard)
    part = find_part(current, selector)
    row = input_row(run, part.source_row)
    keys = figure_keys(standard, run, row)
    changes = parse_changes(values, keys, row)
    new = recompute(run, part.source_row, changes) if changes else current

    figures = [
        Figure(k, str(label(k)), _kind(k), row.get(k), str(values.get(k, number_text(row.get(k)))), k in changes)
        for k in keys
    ]
    shown = [(str(label(k)), number_text(row.get(k)) or "—", number_text(v) or "—") for k, v in changes.items()]
    parts, levels = _parts(part, current, new), _levels(current, new)
    data = {
        "school": {"school_code": part.school_code, "school_name": part.school_name, "level": part.level},
        "changes": changes,
        "parts": {p.level: _part_data(p) for p in parts},
        "levels": {lv.level: _level_data(lv, current, new) for lv in levels},
    }
    return Outcome(part, figures, shown, parts, levels, data)
