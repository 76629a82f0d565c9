"""The planning figures as data (``data/planning/seats.yaml``), validated on load (pure: no Django).

Standard class sizes (seats per classroom), the class-size risk bands (大班额, 超大班额) and the staffing
ratios (students per staff post) that :mod:`dudao.engine.seats` turns into capacity, seat gaps and teacher
demand. Each figure is a :class:`~dudao.standards.schema.Sourced` value with its source and confirmation.

A provincial profile changes them in its own ``planning:`` section (``provinces/<name>.yaml``), merged
key by key; an override file does the same on top. ``load_planning(province="hebei")``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from dudao.standards.loader import (
    DATA_DIR,
    PROVINCE_DIR,
    StandardError,
    Unconfirmed,
    _named,
    _read_yaml,
    merge,
    validation_text,
)
from dudao.standards.schema import LEVELS, Level, Source, Sourced, Threshold

PLANNING_FILE = DATA_DIR / "planning" / "seats.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Strict):
    """A default of dudao's own (no standard sets it) and why it was chosen."""

    value: int
    basis: str


def _positive(node: Sourced, what: str) -> Decimal:
    try:
        value = Decimal(str(node.value))
    except ArithmeticError as exc:
        raise ValueError(f"{what}: {node.value!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what}: {node.value!r} must be a number above 0")
    return value


class ClassSizes(_Strict):
    standard: dict[Level, Sourced]  # seats in one classroom (标准班额)
    large: Threshold  # 大班额: a class of this size or more (op from the wording)
    very_large: Threshold  # 超大班额

    @model_validator(mode="after")
    def _sizes(self) -> ClassSizes:
        missing = [lvl for lvl in LEVELS if lvl not in self.standard]
        if missing:
            raise ValueError(f"class_size.standard: a standard class size is needed for {', '.join(missing)}")
        for lvl, node in self.standard.items():
            size = _positive(node, f"class_size.standard.{lvl}")
            if size != size.to_integral_value():
                raise ValueError(f"class_size.standard.{lvl}: a class size is a whole number of pupils")
            if size > self.large.value:
                raise ValueError(f"class_size.standard.{lvl}: {size} is above the 大班额 bound {self.large.value}")
        if self.large.value >= self.very_large.value:
            raise ValueError("class_size: the 大班额 bound must be below the 超大班额 bound")
        return self

    def seats(self, level: str) -> int:
        return int(self.standard[level].value)  # type: ignore[index]


class Staffing(_Strict):
    students_per_post: dict[Level, Sourced]  # 教职工与学生比 1:x
    compared_with: str  # the census figure the demand is compared with (专任教师: teachers)

    @model_validator(mode="after")
    def _ratios(self) -> Staffing:
        missing = [lvl for lvl in LEVELS if lvl not in self.students_per_post]
        if missing:
            raise ValueError(f"staffing.students_per_post: a ratio is needed for {', '.join(missing)}")
        for lvl, node in self.students_per_post.items():
            _positive(node, f"staffing.students_per_post.{lvl}")
        return self

    def ratio(self, level: str) -> float:
        return float(self.students_per_post[level].value)  # type: ignore[index]


class Warning_(_Strict):
    years: Figure

    @field_validator("years")
    @classmethod
    def _ahead(cls, v: Figure) -> Figure:
        if v.value < 1:
            raise ValueError("warning.years: look at least one year ahead")
        return v


class PlanningStandard(_Strict):
    version: str
    title_zh: str
    title_en: str
    province: str | None = None  # set when a provincial profile was applied
    sources: dict[str, Source]
    class_size: ClassSizes
    staffing: Staffing
    warning: Warning_

    @model_validator(mode="after")
    def _sources_known(self) -> PlanningStandard:
        cited = [s for node in self.sourced().values() for s in node.source]
        unknown = sorted(set(cited) - set(self.sources))
        if unknown:
            raise ValueError(f"sources cited but not listed under sources: {', '.join(unknown)}")
        return self

    def sourced(self) -> dict[str, Sourced]:
        """Every sourced figure by its path, e.g. ``class_size.standard.primary``."""
        out: dict[str, Sourced] = {f"class_size.standard.{k}": v for k, v in self.class_size.standard.items()}
        out["class_size.large"] = self.class_size.large
        out["class_size.very_large"] = self.class_size.very_large
        out.update({f"staffing.students_per_post.{k}": v for k, v in self.staffing.students_per_post.items()})
        return out


# The figures' names, for the settings list of a page (zh, en).
NAMES: dict[str, tuple[str, str]] = {
    "class_size.standard.primary": ("小学标准班额", "standard class size, primary"),
    "class_size.standard.junior": ("初中标准班额", "standard class size, junior"),
    "class_size.large": ("大班额下限", "large class (大班额) bound"),
    "class_size.very_large": ("超大班额下限", "very large class (超大班额) bound"),
    "staffing.students_per_post.primary": ("小学教职工与学生比", "students per staff post, primary"),
    "staffing.students_per_post.junior": ("初中教职工与学生比", "students per staff post, junior"),
}


@cache
def _base() -> dict[str, Any]:
    return _read_yaml(PLANNING_FILE)


def load_planning(
    province: str | None = None, override: Path | str | None = None, provinces: Path = PROVINCE_DIR
) -> PlanningStandard:
    """The national planning figures with the province's ``planning:`` section and the override file
    (if any) merged in. A province without a ``planning:`` section keeps the national figures."""
    data = copy.deepcopy(_base())
    where = PLANNING_FILE.name
    if province:
        path = provinces / f"{province}.yaml"
        if not _named(province) or not path.exists():
            raise StandardError(f"unknown province profile {province!r} / 未知省级配置")
        profile = _read_yaml(path)
        changes = profile.get("planning")
        if changes:
            data = merge(data, changes)
            data["sources"] = {**data.get("sources", {}), **profile.get("sources", {})}
            data["version"] = f"{data['version']}+{province}-{profile.get('version', '1')}"
            where += f" + provinces/{province}.yaml"
        data["province"] = profile.get("province", {}).get("name_zh")
    if override:
        data = merge(data, _read_yaml(Path(override)))
        data["version"] = f"{data['version']}+override"
        where += f" + {override}"
    try:
        return PlanningStandard.model_validate(data)
    except ValidationError as exc:
        raise StandardError(f"{where}: invalid planning figures / 规划测算标准无效: {validation_text(exc)}") from exc


def unconfirmed_planning(planning: PlanningStandard) -> list[Unconfirmed]:
    """The planning figures tagged ``memory`` (unconfirmed): settings a page lists with its result."""
    return [
        Unconfirmed(path, *NAMES[path], node.value, node.note, tuple(node.source))
        for path, node in planning.sourced().items()
        if node.confirmation == "memory"
    ]
