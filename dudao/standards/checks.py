"""The census plausibility rule table as data (``data/checks/census.yaml``), validated on load (pure: no
Django). ``dudao.census.plausibility`` turns it into the rules the form, the API and the import apply.

An override file (the setting ``DUDAO_CENSUS_CHECKS``) changes the table rule by rule, merged on ``code``
as a provincial profile merges into a standard: ``rules: [{code: year_on_year, change: {ratio: {value: 3}}}]``
changes one figure, ``[{code: few_students_per_teacher, kind: impossible}]`` makes a warning a refusal.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dudao.standards.loader import DATA_DIR, StandardError, _read_yaml, merge

CHECKS_FILE = DATA_DIR / "checks" / "census.yaml"
Kind = Literal["impossible", "unusual"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Strict):
    """A configurable number and why it was chosen."""

    value: Decimal
    basis: str = ""


class Compare(_Strict):
    left: str  # a census figure, or ``before.<figure>`` for the previous year's
    right: str


class Change(_Strict):
    ratio: Figure
    min_difference: Figure


class SumOf(_Strict):
    """The figures ``parts`` must add up to ``total`` where any of them is given (a part not given counts 0);
    without ``total`` each of them must be 0 or not given (grades a record's level does not have)."""

    parts: list[str]
    total: str | None = None


class CheckRule(_Strict):
    code: str
    kind: Kind
    message_zh: str
    message_en: str
    field: str | None = None  # the figure the message names (compare rules); a change rule names each figure
    compare: Compare | None = None
    factor: Figure | None = None
    min_difference: Figure | None = None
    change: Change | None = None
    sum: SumOf | None = None
    school_types: list[str] | None = None
    except_school_types: list[str] = []
    # the record levels the rule applies to (primary, junior, all: a whole one-through school); None: every one
    levels: list[Literal["primary", "junior", "all"]] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> CheckRule:
        if sum(shape is not None for shape in (self.compare, self.change, self.sum)) != 1:
            raise ValueError(f"rule {self.code}: give one of compare (with factor), change or sum")
        if self.sum is not None and self.sum.total is not None and self.field is None:
            raise ValueError(f"rule {self.code}: a sum rule with a total needs field")
        if self.compare is not None and (self.factor is None or self.field is None):
            raise ValueError(f"rule {self.code}: a compare rule needs field and factor")
        return self


class CheckTable(_Strict):
    version: str
    title_zh: str
    title_en: str
    rules: list[CheckRule]

    @model_validator(mode="after")
    def _unique_codes(self) -> CheckTable:
        codes = [r.code for r in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError(f"rule codes must be unique: {sorted({c for c in codes if codes.count(c) > 1})}")
        return self


@cache
def _base() -> dict[str, Any]:
    return _read_yaml(CHECKS_FILE)


def load_checks(override: Path | str | None = None) -> CheckTable:
    """The rule table, with the override file (if any) merged in on ``code``."""
    data = copy.deepcopy(_base())
    where = str(CHECKS_FILE.name)
    if override:
        changes = _read_yaml(Path(override))
        data = merge(data, changes)
        data["version"] = f"{data['version']}+override"
        where += f" + {override}"
    try:
        return CheckTable.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors())
        raise StandardError(f"{where}: invalid census rule table / 统计数据合理性规则无效: {problems}") from exc
