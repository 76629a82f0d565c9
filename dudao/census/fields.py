"""The census columns: every figure the engine reads (same keys as ``dudao.engine.fields``) and
the figures the county-level items need (classes, class size, music and art rooms, certificates,
rotation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dudao.engine.fields import FIELD_BY_KEY, FIELDS, ITEM_FIELDS, LEVEL_TEACHER_FIELDS, Field


@dataclass(frozen=True)
class CensusField:
    key: str
    label: str  # Chinese label, as in the template
    kind: Literal["int", "number"]


def _census_field(f: Field) -> CensusField:
    return CensusField(f.key, f.zh, "int" if f.kind == "int" else "number")


_ENGINE = [
    _census_field(f)
    for f in FIELDS
    if f.kind in ("int", "number") and f.key != "equipment_value_wan"  # 万元 is converted to 元 on entry
]
_LEVEL_TEACHERS = [
    CensusField(
        key, ("小学部" if key.endswith("_primary") else "初中部") + FIELD_BY_KEY[key.rsplit("_", 1)[0]].zh, "int"
    )
    for key in LEVEL_TEACHER_FIELDS
]
_ITEMS = [_census_field(f) for f in ITEM_FIELDS]

CENSUS_FIELDS: tuple[CensusField, ...] = (*_ENGINE, *_LEVEL_TEACHERS, *_ITEMS)
CENSUS_FIELD_BY_KEY = {f.key: f for f in CENSUS_FIELDS}
