"""Plausibility of a school's census figures: the one rule table the entry form, the API and the import
apply (docs/adr/0016-census-rule-table.md).

The table is data, ``dudao/standards/data/checks/census.yaml`` (changed by the override file the setting
``DUDAO_CENSUS_CHECKS`` names). Each rule is of one of two kinds:

- ``impossible`` — the figures cannot both be true of one school (more teachers than pupils in an ordinary
  school, a class larger than the school): refused, with the reason;
- ``unusual`` — possible but worth a second look (a special school with more teachers than pupils, fewer
  than four pupils per teacher, a figure that doubled or halved since last year): a warning; the record
  then needs an explanation note (情况说明).

Each rule compares two figures — of the record, or of the school's previous-year record of the same level —
as ``left > right × factor`` (and ``|left − right| > min_difference``); a missing figure never fires. A
``change`` rule in the table becomes two such comparisons (rise and fall) for every census figure. Where an
impossible rule fires on a figure, the unusual findings on that figure are left out (the refusal says it).

:func:`evaluate` applies the rules column-wise to arrays (the import checks a whole file at once);
:func:`plausibility` is the same evaluation for one record (the form and the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from typing import Any, Literal

import numpy as np

from dudao.census.fields import CENSUS_FIELD_BY_KEY, CENSUS_FIELDS
from dudao.engine.fields import TYPE_LEVEL
from dudao.engine.problems import Problem
from dudao.sheets.reader import SchoolTable
from dudao.standards.checks import CheckRule, CheckTable, Kind, load_checks

Source = Literal["now", "before"]
IMPOSSIBLE: Kind = "impossible"
UNUSUAL: Kind = "unusual"


@dataclass
class Warning:
    """One finding on one record: ``kind`` impossible (refused) or unusual (needs a note)."""

    rule: str
    field: str
    message_zh: str
    message_en: str
    kind: Kind = UNUSUAL

    @property
    def impossible(self) -> bool:
        return self.kind == IMPOSSIBLE


def shown(value: float) -> str:
    """A figure as a person writes it: 36000, 1234567.5 (no exponent, no trailing zeros)."""
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Rule:
    """Fires when ``left > right × factor`` and ``|left − right| > min_difference``. ``field`` is the figure
    the finding names (its column). ``change`` is "rise" or "fall" for the two halves of a year-on-year rule
    (left is this year's figure on a rise, last year's on a fall), None for a comparison."""

    code: str
    kind: Kind
    field: str
    left: tuple[Source, str]
    right: tuple[Source, str]
    factor: float
    min_difference: float
    message_zh: str
    message_en: str
    only_types: frozenset[str] | None = None
    except_types: frozenset[str] = frozenset()
    change: Literal["rise", "fall"] | None = None
    # A sum rule: these figures add up to ``left`` (the total; ``right`` is then the sum). None otherwise.
    parts: tuple[str, ...] | None = None
    levels: frozenset[str] | None = None  # the record levels it applies to (None: all)

    def messages(self, left: float, right: float) -> tuple[str, str]:
        shown_values: dict[str, str] = {"left": shown(left), "right": shown(right), "factor": shown(self.factor)}
        if self.change is not None:
            now, before = (left, right) if self.change == "rise" else (right, left)
            label = CENSUS_FIELD_BY_KEY[self.field].label
            ratio = "∞" if before == 0 else f"{now / before:.2f}".rstrip("0").rstrip(".")
            shown_values |= {"label": label, "key": self.field, "now": shown(now), "before": shown(before),
                             "ratio": ratio}  # fmt: skip
        return self.message_zh.format(**shown_values), self.message_en.format(**shown_values)


def _side(name: str) -> tuple[Source, str]:
    source, _, key = name.rpartition(".")
    if source not in ("", "before") or key not in CENSUS_FIELD_BY_KEY:
        raise ValueError(f"census rule table: {name!r} is not a census figure (or before.<figure>)")
    return ("before" if source else "now", key)


def _rules(entry: CheckRule) -> list[Rule]:
    rule = partial(
        Rule, code=entry.code, kind=entry.kind, message_zh=entry.message_zh, message_en=entry.message_en,
        only_types=frozenset(entry.school_types) if entry.school_types is not None else None,
        except_types=frozenset(entry.except_school_types),
    )  # fmt: skip
    levels = frozenset(entry.levels) if entry.levels is not None else None
    if entry.sum is not None:
        parts = [_side(part)[1] for part in entry.sum.parts]
        if entry.sum.total is None:  # each part must be 0 (or not given): one rule per part, naming it
            return [rule(field=p, left=("now", ""), right=("now", ""), factor=1.0, min_difference=0.0, parts=(p,),
                         levels=levels) for p in parts]  # fmt: skip
        assert entry.field is not None
        total = _side(entry.sum.total)
        return [rule(field=_side(entry.field)[1], left=total, right=total, factor=1.0, min_difference=0.0,
                     parts=tuple(parts), levels=levels)]  # fmt: skip
    if entry.change is not None:
        ratio, least = float(entry.change.ratio.value), float(entry.change.min_difference.value)
        out = []
        for f in CENSUS_FIELDS:
            now: tuple[Source, str] = ("now", f.key)
            before: tuple[Source, str] = ("before", f.key)
            out.append(rule(field=f.key, left=now, right=before, factor=ratio, min_difference=least, change="rise",
                            levels=levels))  # fmt: skip
            out.append(rule(field=f.key, left=before, right=now, factor=ratio, min_difference=least, change="fall",
                            levels=levels))  # fmt: skip
        return out
    assert entry.compare is not None and entry.factor is not None and entry.field is not None
    least = float(entry.min_difference.value) if entry.min_difference is not None else 0.0
    return [
        rule(field=_side(entry.field)[1], left=_side(entry.compare.left), right=_side(entry.compare.right),
             factor=float(entry.factor.value), min_difference=least, levels=levels)
    ]  # fmt: skip


@dataclass(frozen=True)
class RuleTable:
    """The rules of a :class:`CheckTable`, and the figures they read of a record and of its previous year."""

    source: CheckTable
    rules: tuple[Rule, ...]

    @property
    def fields_now(self) -> tuple[str, ...]:
        sides = (k for r in self.rules for s, k in (r.left, r.right) if s == "now" and k)
        return tuple(dict.fromkeys([*sides, *(k for r in self.rules for k in r.parts or ())]))

    @property
    def fields_before(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for r in self.rules for s, k in (r.left, r.right) if s == "before"))


def build(table: CheckTable) -> RuleTable:
    return RuleTable(table, tuple(rule for entry in table.rules for rule in _rules(entry)))


@cache
def _table(override: str) -> RuleTable:
    return build(load_checks(override or None))


def rule_table() -> RuleTable:
    """The table in force: the data file, with the override file of ``DUDAO_CENSUS_CHECKS`` if set."""
    try:
        from django.conf import settings

        override = str(settings.DUDAO_CENSUS_CHECKS or "")
    except ImportError:  # pragma: no cover - the pure use, without Django
        override = ""
    return _table(override)


def _sum_mask(rule: Rule, now: Mapping[str, np.ndarray], n: int) -> np.ndarray | None:
    """Where a sum rule fires: some part given, the total given (0 without one), the parts' sum not it."""
    assert rule.parts is not None
    parts = [now[k] for k in rule.parts if k in now]
    total = now.get(rule.left[1]) if rule.left[1] else np.zeros(n)
    if not parts or total is None:
        return None
    stacked = np.vstack(parts)
    given = ~np.isnan(stacked).all(axis=0)
    return given & ~np.isnan(total) & (np.nansum(stacked, axis=0) != total)


def _mask(rule: Rule, now: Mapping[str, np.ndarray], before: Mapping[str, np.ndarray], n: int) -> np.ndarray | None:
    if rule.parts is not None:
        return _sum_mask(rule, now, n)
    left, right = ((now, before)[source == "before"].get(key) for source, key in (rule.left, rule.right))
    if left is None or right is None:
        return None
    with np.errstate(invalid="ignore"):  # NaN compares False: a figure not given never fires
        return (left > right * rule.factor) & (np.abs(left - right) > rule.min_difference)


def evaluate(
    now: Mapping[str, np.ndarray],
    before: Mapping[str, np.ndarray],
    types: Sequence[str] | np.ndarray | None = None,
    table: RuleTable | None = None,
    levels: Sequence[str | None] | np.ndarray | None = None,
) -> list[tuple[Rule, np.ndarray]]:
    """Each rule with the indexes where it fires. ``now`` and ``before`` hold float arrays of one length
    (NaN: not given), by figure; a figure absent from its mapping counts as not given. ``types`` are the
    rows' school type codes (None: unknown, so rules limited to some types do not fire); ``levels`` the
    records' levels (primary, junior, all; None: unknown, so rules limited to some levels do not fire)."""
    table = table or rule_table()
    kinds = np.asarray(types, dtype=object) if types is not None else None
    record_levels = np.asarray(levels, dtype=object) if levels is not None else None
    n = len(next(iter(now.values()))) if now else 0
    fired: list[tuple[Rule, np.ndarray]] = []
    for rule in table.rules:
        mask = _mask(rule, now, before, n)
        if mask is None:
            continue
        if rule.levels is not None:
            mask &= np.isin(record_levels, list(rule.levels)) if record_levels is not None else False
        if rule.only_types is not None:
            mask &= np.isin(kinds, list(rule.only_types)) if kinds is not None else False
        if rule.except_types and kinds is not None:
            mask &= ~np.isin(kinds, list(rule.except_types))
        if mask.any():
            fired.append((rule, mask))
    refused: dict[str, np.ndarray] = {}
    for rule, mask in fired:
        if rule.kind == IMPOSSIBLE:
            refused[rule.field] = refused.get(rule.field, False) | mask
    out = []
    for rule, mask in fired:
        if rule.kind == UNUSUAL and rule.field in refused:
            mask = mask & ~refused[rule.field]
        hits = np.flatnonzero(mask)
        if len(hits):
            out.append((rule, hits))
    return out


def figures(rule: Rule, now: Mapping[str, np.ndarray], before: Mapping[str, np.ndarray], k: int) -> tuple[float, float]:
    """The two figures ``rule`` compared at row ``k``."""
    if rule.parts is not None:  # the total (0 where there is none) and the sum of the parts given
        total = float(now[rule.left[1]][k]) if rule.left[1] else 0.0
        return total, float(np.nansum([now[p][k] for p in rule.parts if p in now]))
    left, right = ((now, before)[source == "before"][key][k] for source, key in (rule.left, rule.right))
    return float(left), float(right)


def _column(value: float | Decimal | None) -> np.ndarray:
    return np.array([np.nan if value is None else float(value)])


def record_level(school_type: str | None, level: str | None) -> str | None:
    """A record's level: its own, or a single-level school's from its type (None when it cannot be told)."""
    if level in ("primary", "junior", "all"):
        return level
    return TYPE_LEVEL.get(school_type or "")


def plausibility(
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    school_type: str | None = None,
    level: str | None = None,
) -> list[Warning]:
    """The findings for one record's ``values`` against its previous-year record's figures (or None), for a
    school of ``school_type`` and a record of ``level`` (primary, junior, all; by default a single-level
    school's): impossible ones first, then unusual ones, each in the table's order."""
    table = rule_table()
    now = {k: _column(values.get(k)) for k in table.fields_now}
    before = {k: _column((previous or {}).get(k)) for k in table.fields_before}
    found = []
    types = None if school_type is None else [school_type]
    for rule, _hits in evaluate(now, before, types, table, [record_level(school_type, level)]):
        found.append(Warning(rule.code, rule.field, *rule.messages(*figures(rule, now, before, 0)), kind=rule.kind))
    return sorted(found, key=lambda w: not w.impossible)


def refusals(findings: Sequence[Warning]) -> list[Warning]:
    return [w for w in findings if w.impossible]


def warnings_only(findings: Sequence[Warning]) -> list[Warning]:
    return [w for w in findings if not w.impossible]


def table_findings(table: SchoolTable) -> tuple[list[Problem], list[Problem]]:
    """The rule table on a school data sheet as read (``dudao evaluate``: no stored data, so no year-on-year
    comparison): the impossible findings (to refuse, as any other problem of the file) and the unusual ones
    (warnings), each naming sheet, row, column as written, value and rule."""
    frame = table.frame
    rule_set = rule_table()
    now = {k: frame[k].to_numpy(dtype=float) for k in rule_set.fields_now if k in table.present and k in frame}
    types = frame["school_type"].astype(str).to_numpy(dtype=object) if "school_type" in frame else None
    given = frame["level"].astype(str).tolist() if "level" in frame else [None] * len(frame)
    kinds = types.tolist() if types is not None else [None] * len(frame)
    levels = [
        record_level(t, None if lv == "all" and t in TYPE_LEVEL else lv) for t, lv in zip(kinds, given, strict=True)
    ]
    rows = frame["source_row"].tolist()
    impossible: list[Problem] = []
    unusual: list[Problem] = []
    for rule, hits in evaluate(now, {}, types, rule_set, levels):
        for k in hits.tolist():
            zh, en = rule.messages(*figures(rule, now, {}, k))
            column = table.headers.get(rule.field) or rule.field
            problem = Problem(rule.code, zh, en, sheet=table.sheet, row=int(rows[k]), column=column,
                              value=shown(now[rule.field][k]))  # fmt: skip
            (impossible if rule.kind == IMPOSSIBLE else unusual).append(problem)
    return sorted(impossible, key=lambda p: p.row or 0), sorted(unusual, key=lambda p: p.row or 0)
