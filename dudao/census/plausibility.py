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
    if entry.change is not None:
        ratio, least = float(entry.change.ratio.value), float(entry.change.min_difference.value)
        out = []
        for f in CENSUS_FIELDS:
            now: tuple[Source, str] = ("now", f.key)
            before: tuple[Source, str] = ("before", f.key)
            out.append(rule(field=f.key, left=now, right=before, factor=ratio, min_difference=least, change="rise"))
            out.append(rule(field=f.key, left=before, right=now, factor=ratio, min_difference=least, change="fall"))
        return out
    assert entry.compare is not None and entry.factor is not None and entry.field is not None
    least = float(entry.min_difference.value) if entry.min_difference is not None else 0.0
    return [
        rule(field=_side(entry.field)[1], left=_side(entry.compare.left), right=_side(entry.compare.right),
             factor=float(entry.factor.value), min_difference=least)
    ]  # fmt: skip


@dataclass(frozen=True)
class RuleTable:
    """The rules of a :class:`CheckTable`, and the figures they read of a record and of its previous year."""

    source: CheckTable
    rules: tuple[Rule, ...]

    @property
    def fields_now(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for r in self.rules for s, k in (r.left, r.right) if s == "now"))

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


def evaluate(
    now: Mapping[str, np.ndarray],
    before: Mapping[str, np.ndarray],
    types: Sequence[str] | np.ndarray | None = None,
    table: RuleTable | None = None,
) -> list[tuple[Rule, np.ndarray]]:
    """Each rule with the indexes where it fires. ``now`` and ``before`` hold float arrays of one length
    (NaN: not given), by figure; a figure absent from its mapping counts as not given. ``types`` are the
    rows' school type codes (None: unknown, so rules limited to some types do not fire)."""
    table = table or rule_table()
    kinds = np.asarray(types, dtype=object) if types is not None else None
    fired: list[tuple[Rule, np.ndarray]] = []
    for rule in table.rules:
        left, right = ((now, before)[source == "before"].get(key) for source, key in (rule.left, rule.right))
        if left is None or right is None:
            continue
        with np.errstate(invalid="ignore"):  # NaN compares False: a figure not given never fires
            mask = (left > right * rule.factor) & (np.abs(left - right) > rule.min_difference)
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
    left, right = ((now, before)[source == "before"][key][k] for source, key in (rule.left, rule.right))
    return float(left), float(right)


def _column(value: float | Decimal | None) -> np.ndarray:
    return np.array([np.nan if value is None else float(value)])


def plausibility(
    values: Mapping[str, Any], previous: Mapping[str, Any] | None, school_type: str | None = None
) -> list[Warning]:
    """The findings for one record's ``values`` against its previous-year record's figures (or None), for a
    school of ``school_type``: impossible ones first, then unusual ones, each in the table's order."""
    table = rule_table()
    now = {k: _column(values.get(k)) for k in table.fields_now}
    before = {k: _column((previous or {}).get(k)) for k in table.fields_before}
    found = []
    for rule, _hits in evaluate(now, before, None if school_type is None else [school_type], table):
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
    rows = frame["source_row"].tolist()
    impossible: list[Problem] = []
    unusual: list[Problem] = []
    for rule, hits in evaluate(now, {}, types, rule_set):
        for k in hits.tolist():
            zh, en = rule.messages(*figures(rule, now, {}, k))
            column = table.headers.get(rule.field) or rule.field
            problem = Problem(rule.code, zh, en, sheet=table.sheet, row=int(rows[k]), column=column,
                              value=shown(now[rule.field][k]))  # fmt: skip
            (impossible if rule.kind == IMPOSSIBLE else unusual).append(problem)
    return sorted(impossible, key=lambda p: p.row or 0), sorted(unusual, key=lambda p: p.row or 0)
