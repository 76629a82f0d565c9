"""The shape of a standards catalogue, validated on load (pydantic).

Every number a rule uses is a :class:`Sourced` value: the value itself, where it comes from, and
how well it is confirmed (``primary`` / ``secondary`` / ``memory``; see the domain reference).
Values tagged ``memory`` are unconfirmed defaults: they are listed as *settings* in every result
and can be overridden by a provincial profile or an override file, never hard-coded.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Confirmation = Literal["primary", "secondary", "memory"]
Level = Literal["primary", "junior"]
Op = Literal[">=", "<=", "<", ">", "=="]
Scope = Literal["county", "per_school"]
GapUnit = Literal["person", "m2", "yuan", "room", "computer", "book"]

LEVELS: tuple[Level, ...] = ("primary", "junior")

_FIELD_TERM = re.compile(r"\s*([+-])?\s*([a-z][a-z0-9_]*)\s*")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: str
    url: str | None = None


class Sourced(Strict):
    """A value with its provenance."""

    value: Any
    confirmation: Confirmation
    source: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Threshold(Sourced):
    """``value`` compared with ``op``: ``>=`` for 以上/不低于, ``<`` for 低于 (民法典 第1259条)."""

    value: Decimal
    op: Op


class Indicator(Strict):
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    # A sum/difference of raw field names, e.g. "teaching_aux_area_m2 - indoor_gym_area_m2".
    numerator: str
    per_students: int = Field(ge=1)
    gap_unit: GapUnit
    thresholds: dict[Level, Threshold] = Field(default_factory=dict)
    definition: Sourced | None = None

    @field_validator("numerator")
    @classmethod
    def _numerator_is_terms(cls, v: str) -> str:
        parse_numerator(v)
        return v

    def terms(self) -> list[tuple[int, str]]:
        return parse_numerator(self.numerator)


def parse_numerator(expr: str) -> list[tuple[int, str]]:
    """``"a - b + c"`` -> ``[(1, "a"), (-1, "b"), (1, "c")]``. Only field names, + and -."""
    terms: list[tuple[int, str]] = []
    pos = 0
    while pos < len(expr):
        match = _FIELD_TERM.match(expr, pos)
        if not match or match.end() == pos:
            raise ValueError(f"numerator {expr!r}: expected a field name at position {pos}")
        sign, name = match.groups()
        if terms and sign is None:
            raise ValueError(f"numerator {expr!r}: missing + or - before {name!r}")
        terms.append((-1 if sign == "-" else 1, name))
        pos = match.end()
    if not terms or terms[0][0] != 1:
        raise ValueError(f"numerator {expr!r} must start with a field that is added")
    return terms


class SchoolRule(Strict):
    """Per-school rule: at least ``min_met`` indicators met, the others ≥ ``min_ratio_unmet`` × threshold."""

    name_zh: str
    name_en: str
    min_met: Sourced
    min_ratio_unmet: Sourced


class CvRule(Strict):
    mode: Literal["each", "composite"]
    name_zh: str
    name_en: str
    limits: dict[Level, Threshold]
    formula: Sourced


class SchoolScope(Strict):
    """Which schools enter the resource evaluation."""

    exclude_types: Sourced  # list of school types (canonical codes)
    exclude_teaching_points_below: Sourced  # students; None = no exclusion
    include_private: Sourced  # bool


class Split(Strict):
    """How the facility fields of a one-through school are apportioned among its level parts."""

    weights: Sourced  # {primary, junior, senior}
    complete_middle_weights: Sourced  # {junior, senior}
    facility_fields: list[str]


class CountyItem(Strict):
    code: str
    name_zh: str
    name_en: str
    kind: Literal["number", "bool", "qualitative", "level"]
    # "per_school" items are entered as the least favourable school's figure (e.g. the largest
    # school's enrolment for "every school ≤ 2000"), so one comparison decides for all schools.
    scope: Scope = "county"
    threshold: Threshold | None = None
    # A share entered as a fraction from 0 to 1 (85 % is 0.85 or "85%"); 85 alone is refused.
    share: bool = False
    unit_zh: str | None = None
    unit_en: str | None = None
    veto: bool = False
    confirmation: Confirmation
    source: list[str] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _number_has_threshold(self) -> CountyItem:
        if self.kind in ("number", "level") and self.threshold is None:
            raise ValueError(f"county item {self.code}: a {self.kind} item needs a threshold")
        if self.kind in ("bool", "qualitative") and self.threshold is not None:
            raise ValueError(f"county item {self.code}: a {self.kind} item has no threshold")
        return self


class SampleTier(Strict):
    """One row of a tiered sample table: counties with fewer than ``below`` residents (None: the
    last, open-ended row) survey these numbers per respondent group."""

    below: int | None
    groups: dict[str, int]


class SurveySample(Strict):
    """How large the public-recognition survey's sample is. Either a share of the resident
    population with a minimum (``per_mille``, ``minimum``, ``parent_share``), or a table of tiers by
    population. Not an evaluation rule: these values are the survey's defaults and never appear
    among an evaluation's settings."""

    per_mille: Sourced | None = None
    minimum: Sourced | None = None
    parent_share: Sourced | None = None
    tiers: list[SampleTier] = Field(default_factory=list)
    tiers_source: Sourced | None = None  # provenance of the tier table (its value: the rule's name)

    @model_validator(mode="after")
    def _one_rule(self) -> SurveySample:
        rate = (self.per_mille, self.minimum, self.parent_share)
        if any(v is None for v in rate) and any(v is not None for v in rate):
            raise ValueError("survey_sample: per_mille, minimum and parent_share go together")
        if bool(self.tiers) != (self.tiers_source is not None):
            raise ValueError("survey_sample: a tier table needs its tiers_source, and the reverse")
        if self.tiers:
            bounds = [t.below for t in self.tiers]
            inner = [b for b in bounds[:-1] if b is not None]
            if bounds[-1] is not None or len(inner) < len(bounds) - 1 or inner != sorted(set(inner)):
                raise ValueError("survey_sample: tiers ascend by 'below' and end with an open row (below: null)")
        return self


class Area(Strict):
    code: str
    name_zh: str
    name_en: str
    # "school_table": judged from the per-school table by the engine; "items": from county items.
    basis: Literal["school_table", "items"]
    items: list[CountyItem] = Field(default_factory=list)
    all_must_pass: Sourced | None = None


class Standard(Strict):
    id: str
    version: str
    title_zh: str
    title_en: str
    doc_no: str
    issuer: str
    province: str | None = None  # set when a provincial profile was applied
    sources: dict[str, Source]
    levels: list[Level]
    areas: list[Area]
    indicators: list[Indicator] = Field(default_factory=list)
    school_rule: SchoolRule | None = None
    cv_rule: CvRule | None = None
    school_scope: SchoolScope | None = None
    split: Split | None = None
    veto: list[CountyItem] = Field(default_factory=list)
    survey_sample: SurveySample | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Standard:
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.id}: duplicate indicator codes {codes}")
        item_codes = [item.code for area in self.areas for item in area.items] + [v.code for v in self.veto]
        if len(set(item_codes)) != len(item_codes):
            raise ValueError(f"{self.id}: duplicate county item codes")
        unknown = set(_cited_sources(self)) - set(self.sources)
        if unknown:
            raise ValueError(f"{self.id}: sources cited but not listed: {sorted(unknown)}")
        if any(a.basis == "school_table" for a in self.areas):
            if not self.indicators or self.cv_rule is None:
                raise ValueError(f"{self.id}: a school-table area needs indicators and a cv_rule")
            if self.school_rule is not None:
                for ind in self.indicators:
                    missing = set(self.levels) - set(ind.thresholds)
                    if missing:
                        raise ValueError(f"{self.id}: {ind.code} has no threshold for {sorted(missing)}")
                    if any(t.op != ">=" for t in ind.thresholds.values()):
                        raise ValueError(
                            f"{self.id}: {ind.code}: the per-school rule (share of the threshold) needs '>='"
                        )
            if self.school_rule is not None and int(self.school_rule.min_met.value) > len(self.indicators):
                raise ValueError(f"{self.id}: school rule asks for more indicators than exist")
        return self

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)


def _cited_sources(node: Any) -> list[str]:
    """Every source key cited anywhere below ``node``."""
    if isinstance(node, BaseModel):
        own = list(getattr(node, "source", None) or []) if not isinstance(node, Standard) else []
        return own + [
            s for name in type(node).model_fields if name != "source" for s in _cited_sources(getattr(node, name))
        ]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _cited_sources(v)]
    if isinstance(node, list):
        return [s for v in node for s in _cited_sources(v)]
    return []
