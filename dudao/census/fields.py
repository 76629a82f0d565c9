"""The census columns: every figure the engine reads (same keys as ``dudao.engine.fields``) and
the figures the county-level items need (classes, class size, music and art rooms, certificates,
rotation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dudao.engine.fields import FIELD_BY_KEY, FIELDS, LEVEL_TEACHER_FIELDS


@dataclass(frozen=True)
class CensusField:
    key: str
    label: str  # Chinese label, as in the template
    kind: Literal["int", "number"]


_ENGINE = [
    CensusField(f.key, f.zh, "int" if f.kind == "int" else "number")
    for f in FIELDS
    if f.kind in ("int", "number") and f.key != "equipment_value_wan"  # 万元 is converted to 元 on entry
]
_LEVEL_TEACHERS = [
    CensusField(
        key, ("小学部" if key.endswith("_primary") else "初中部") + FIELD_BY_KEY[key.rsplit("_", 1)[0]].zh, "int"
    )
    for key in LEVEL_TEACHER_FIELDS
]
_ITEMS = [
    CensusField("classes", "班级数", "int"),
    CensusField("max_class_size", "最大班额(人)", "int"),
    CensusField("music_rooms", "音乐专用教室数(间)", "int"),
    CensusField("art_rooms", "美术专用教室数(间)", "int"),
    CensusField("music_room_min_area_m2", "最小音乐专用教室面积(平方米)", "number"),
    CensusField("art_room_min_area_m2", "最小美术专用教室面积(平方米)", "number"),
    CensusField("certified_teachers", "持教师资格证专任教师数", "int"),
    CensusField("teachers_rotated", "本学年交流轮岗教师数", "int"),
    CensusField("backbone_teachers_rotated", "其中：骨干教师数", "int"),
]

CENSUS_FIELDS: tuple[CensusField, ...] = (*_ENGINE, *_LEVEL_TEACHERS, *_ITEMS)
CENSUS_FIELD_BY_KEY = {f.key: f for f in CENSUS_FIELDS}
