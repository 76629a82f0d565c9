"""Plausibility checks on a census record: figures that look wrong but may be right. They warn and allow
saving with an explanation note (情况说明); they never refuse.

:data:`RULES` is the one definition. Each rule compares two figures — of the record, or the student count of
the school's previous-year record of the same level — as ``left > right × factor``; a missing figure never
fires. :func:`evaluate` applies the rules column-wise to arrays (the import checks a whole file at once);
:func:`plausibility` is the same evaluation for one record (the form and the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Source = Literal["now", "before"]


@dataclass
class Warning:
    rule: str
    field: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Rule:
    """Fires when ``left > right × factor``. ``field`` is the figure the warning names (its column);
    the messages may use ``{left}`` and ``{right}`` (the two figures)."""

    code: str
    field: str
    left: tuple[Source, str]
    right: tuple[Source, str]
    factor: float
    message_zh: str
    message_en: str

    def messages(self, left: float, right: float) -> tuple[str, str]:
        shown = {"left": f"{left:g}", "right": f"{right:g}"}
        return self.message_zh.format(**shown), self.message_en.format(**shown)


def _more_than_teachers(key: str, zh: str) -> Rule:
    return Rule("more_than_teachers", key, ("now", key), ("now", "teachers"), 1.0, f"{zh}数多于专任教师数",
                f"{key} exceeds teachers")  # fmt: skip


RULES: tuple[Rule, ...] = (
    _more_than_teachers("pe_art_teachers", "体育艺术专任教师"),
    _more_than_teachers("teachers_above_qualification", "高于规定学历教师"),
    _more_than_teachers("backbone_teachers", "骨干教师"),
    _more_than_teachers("certified_teachers", "持证教师"),
    # students < before / 2, i.e. before > 2 × students
    Rule("students_halved", "students", ("before", "students"), ("now", "students"), 2.0,
         "在校生数比上学年（{left}）减少一半以上", "students fell by more than half since last year ({left})"),
    Rule("class_larger_than_school", "max_class_size", ("now", "max_class_size"), ("now", "students"), 1.0,
         "最大班额大于在校生数", "largest class exceeds students"),
)  # fmt: skip

# The figures the rules read, of the record itself and of its previous-year record.
FIELDS_NOW: tuple[str, ...] = tuple(
    dict.fromkeys(key for r in RULES for source, key in (r.left, r.right) if source == "now")
)
FIELDS_BEFORE: tuple[str, ...] = tuple(
    dict.fromkeys(key for r in RULES for source, key in (r.left, r.right) if source == "before")
)


def evaluate(now: Mapping[str, np.ndarray], before: Mapping[str, np.ndarray]) -> list[tuple[Rule, np.ndarray]]:
    """Each rule with the indexes where it fires. ``now`` and ``before`` hold float arrays of one length
    (NaN: not given), by figure; a figure absent from its mapping counts as not given."""
    fired = []
    for rule in RULES:
        left, right = ((now, before)[source == "before"].get(key) for source, key in (rule.left, rule.right))
        if left is None or right is None:
            continue
        with np.errstate(invalid="ignore"):
            hits = np.flatnonzero(left > right * rule.factor)  # NaN compares False: not given never fires
        if len(hits):
            fired.append((rule, hits))
    return fired


def _column(value: object) -> np.ndarray:
    return np.array([np.nan if value is None else float(value)])  # type: ignore[arg-type]


def plausibility(values: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[Warning]:
    """The warnings for one record's ``values`` against its previous-year record's figures (or None)."""
    now = {k: _column(values.get(k)) for k in FIELDS_NOW}
    before = {k: _column((previous or {}).get(k)) for k in FIELDS_BEFORE}
    warnings = []
    for rule, _hits in evaluate(now, before):
        left, right = (float((now, before)[s == "before"][k][0]) for s, k in (rule.left, rule.right))
        warnings.append(Warning(rule.code, rule.field, *rule.messages(left, right)))
    return warnings
