"""One county's result as typed objects, and the JSON of docs/evaluate-json.md as their serialisation.

:func:`dudao.engine.county_result` builds a :class:`CountyResult`; pages, reports, the API and the
CLI read its attributes. ``to_dict()`` / ``to_json()`` give the documented JSON (the CLI's
``--format json``, what :class:`~dudao.evaluation.models.EvaluationRun` stores) and
``from_dict()`` / ``from_json()`` read it back, runs stored by earlier releases included
(docs/adr/0022-typed-result.md).

A key of the JSON is written when the engine set it. Most keys always are; a few are present only
where they apply and are never written as ``null`` instead: a level without schools has only
``schools_total``, ``passed`` and ``reasons``; the ``composite_cv*`` keys belong to the 2012 rule;
``decomposition`` to results computed since issue #14; ``top_contributors`` to a failing (2017) or
any (2012) CV; an area's ``items`` to the areas judged from county items; a school indicator's
``threshold`` … ``gap_unit`` to indicators with a threshold;
a reason carries the figures of its rule only. The objects keep which keys were set
(pydantic's ``model_fields_set``), so reading a stored result and writing it again gives the same
JSON, byte for byte; the properties below (``Level.has_schools``, ``Level.is_composite``,
``SchoolIndicator.judged``) say it in words.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict

from dudao.engine.problems import Problem

Verdict = bool | None  # True passed, False failed, None undetermined (never a pass)
CvStatus = Literal["ok", "undefined", "no_data"]
AreaStatus = Literal["passed", "failed", "undetermined", "incomplete", "not_assessed"]
Direction = Literal["above", "below"]
# A county item's value as entered: a yes/no judgement or a figure (JSON scalars, kept as given).
ItemValue = bool | int | float | str | None


class Part(BaseModel):
    """A piece of the result: immutable, no unknown keys, JSON written in field order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (plain dicts, lists and scalars), keys in the documented order."""
        return self.model_dump(exclude_unset=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read the JSON object back (raises pydantic's ``ValidationError`` for one that is not this part)."""
        return cls.model_validate(data)

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON text, as ``dudao evaluate --format json`` writes it (``indent=None``: one line, as stored)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        return cls.from_dict(json.loads(text))


class Reason(Part):
    """Why a verdict is what it is: a stable ``rule`` code, the figures of that rule and the sentence in
    Chinese and English. Only the figures the rule names are set (see :mod:`dudao.engine.messages`);
    their order here is the order they are written in."""

    rule: str
    level: str | None = None
    area: str | None = None
    code: str | None = None
    indicator: str | None = None
    cv: float | None = None
    limit: float | None = None
    n: int | None = None
    value: ItemValue = None
    threshold: float | None = None
    ratio: float | None = None
    gap: int | None = None
    gap_unit: str | None = None
    met: int | None = None
    min_met: int | None = None
    message_zh: str
    message_en: str

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang.startswith("en") else self.message_zh


class StandardInfo(Part):
    id: str
    version: str
    title_zh: str
    title_en: str
    doc_no: str
    province: str | None


class CountyInfo(Part):
    code: str | None
    name: str | None


class Contributor(Part):
    """A school whose distance from the county mean makes up a share of the weighted variance."""

    school_code: str
    school_name: str
    value: float
    students: int
    share_of_variance: float
    direction: Direction


class MeasureSplit(Part):
    """A measure of inequality (Theil index or CV²) and its between-group and within-group parts
    (between + within = total); all null where the measure is undefined (:mod:`dudao.engine.decomposition`)."""

    total: float | None
    between: float | None
    within: float | None

    @property
    def between_share(self) -> float | None:
        """The share of the total between the groups (None for an undefined or zero total)."""
        if self.total is None or self.between is None or not self.total > 0:
            return None
        return self.between / self.total


class GroupingSplit(Part):
    """Both measures of one indicator split by one grouping (location, ownership, town, town_groups)."""

    theil: MeasureSplit
    cv2: MeasureSplit


class LevelIndicator(Part):
    """One indicator in one level: the county's enrolment-weighted mean and CV against the limit."""

    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    mean: float | None
    cv: float | None
    cv_3dp: float | None
    cv_status: CvStatus
    cv_limit: float | None
    cv_passed: Verdict
    threshold: float | None
    threshold_op: str | None
    threshold_confirmation: str | None
    schools_met: int | None
    schools: int
    students: int
    top_contributors: list[Contributor] | None = None  # set for a failing (2017) or any (2012) CV
    # grouping → split; "location" always (not in results stored before issue #14)
    decomposition: dict[str, GroupingSplit] | None = None


class Level(Part):
    """One school level (primary, junior) of the county."""

    indicators: dict[str, LevelIndicator] = {}
    schools_total: int
    students: int = 0
    composite_cv: float | None = None  # the 2012 rule: one composite CV per level
    composite_cv_3dp: float | None = None
    composite_cv_limit: float | None = None
    composite_cv_passed: Verdict = None
    schools_passed: int | None = None  # None where the standard has no per-school rule
    schools_failed: int | None = None
    schools_undetermined: int | None = None
    passed: Verdict
    reasons: list[Reason]

    @property
    def has_schools(self) -> bool:
        """False for a level without evaluated schools (no indicators, nothing but the reason)."""
        return bool(self.indicators)

    @property
    def is_composite(self) -> bool:
        """Judged by the composite CV (2012) rather than by each indicator's CV (2017)."""
        return "composite_cv" in self.model_fields_set


class AreaItem(Part):
    """A county-level item (government guarantee, quality, recognition) and its verdict."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    scope: str
    value: ItemValue
    threshold: float | None
    op: str | None
    confirmation: str
    passed: Verdict


class Area(Part):
    """An area of the standard (资源配置, 政府保障程度, 教育质量, 社会认可度) and its verdict."""

    code: str
    name_zh: str
    name_en: str
    status: AreaStatus
    passed: Verdict
    items: list[AreaItem] | None = None  # set for the areas judged from county items
    reasons: list[Reason]


class SchoolIndicator(Part):
    """One indicator of one school part: its value and, where the standard sets a threshold, the verdict,
    the share of the threshold reached and the gap in planning units."""

    value: float | None
    threshold: float | None = None
    met: Verdict = None
    ratio: float | None = None
    gap: int | None = None
    gap_unit: str | None = None

    @property
    def judged(self) -> bool:
        """The indicator has a threshold for schools (an unjudged one carries only its value)."""
        return "threshold" in self.model_fields_set


class School(Part):
    """One school level part (a one-through school has one per level)."""

    school_code: str
    school_name: str
    school_type: str
    level: str
    location: str | None
    ownership: str | None
    town: str | None = None  # set when the input names the school's town (乡镇)
    students: int
    part_of_whole: bool
    source_row: int
    indicators: dict[str, SchoolIndicator]
    met_count: int | None
    indicator_count: int
    passed: Verdict
    reasons: list[Reason]


class Excluded(Part):
    """A school part left out of the evaluation, and why."""

    school_code: str
    school_name: str
    level: str | None
    students: float | None
    reason: str
    reason_zh: str
    reason_en: str


class Setting(Part):
    """A value the result rests on that is tagged unconfirmed in the standards data."""

    path: str
    name_zh: str | None = None  # not in results stored before names were added
    name_en: str | None = None
    value: Any
    note: str | None


class CountyResult(Part):
    """The result for one county: verdicts per level and area, every school part, what was left out."""

    standard: StandardInfo
    county: CountyInfo
    levels: dict[str, Level]
    areas: dict[str, Area]
    vetoes: list[Reason]
    passed: Verdict
    schools: list[School]
    excluded: list[Excluded]
    warnings: list[Problem]
    settings: list[Setting]

    def school_parts(self, level: str) -> list[School]:
        """The school parts of ``level``, in the result's order."""
        return [s for s in self.schools if s.level == level]

    def indicator(self, level: str, code: str) -> LevelIndicator | None:
        """The county figures of indicator ``code`` in ``level`` (None when the level has no schools)."""
        lv = self.levels.get(level)
        return None if lv is None else lv.indicators.get(code)


class IndicatorSummary(Part):
    mean: float | None = None
    cv: float | None = None
    cv_3dp: float | None = None
    cv_status: CvStatus | None = None
    cv_limit: float | None = None
    cv_passed: Verdict = None


class LevelSummary(Part):
    passed: Verdict = None
    schools_total: int = 0
    schools_passed: int | None = None
    schools_failed: int | None = None
    students: int = 0
    composite_cv: float | None = None
    composite_cv_3dp: float | None = None
    composite_cv_passed: Verdict = None
    indicators: dict[str, IndicatorSummary] = {}


class ResultSummary(Part):
    """What a list of counties shows of one result (verdicts, CVs, counts), small enough to read twenty
    at once (``EvaluationRun.summary``). Every figure is copied from the result."""

    passed: Verdict = None
    areas: dict[str, AreaStatus] = {}
    vetoes: list[str] = []
    levels: dict[str, LevelSummary] = {}
    schools: int = 0
    schools_failing: int = 0
    students: int = 0

    def cv_3dp(self, level: str, code: str) -> float | None:
        """The published CV of indicator ``code`` in ``level``; None when there is none."""
        lv = self.levels.get(level)
        ind = None if lv is None else lv.indicators.get(code)
        return None if ind is None else ind.cv_3dp


__all__ = [
    "Area",
    "AreaItem",
    "Contributor",
    "CountyInfo",
    "CountyResult",
    "Excluded",
    "GroupingSplit",
    "IndicatorSummary",
    "Level",
    "LevelIndicator",
    "LevelSummary",
    "MeasureSplit",
    "Part",
    "Reason",
    "ResultSummary",
    "School",
    "SchoolIndicator",
    "Setting",
    "StandardInfo",
]
