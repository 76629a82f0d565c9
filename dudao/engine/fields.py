"""The raw per-school fields the engine reads: canonical English keys, Chinese headers, kinds.

These are the columns of the input table (``dudao template``), of the census (later) and of the
engine's plain tables. Teacher fields are given per school level; facility fields belong to the
whole school and are apportioned among the level parts of a one-through school (see ``split``).

``ITEM_FIELDS`` are the census figures the county-level items need (classes, class size, music and
art rooms, certified and rotated teachers): columns of the input table and of the census, which the
engine does not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "int", "number", "enum"]
Group = Literal["identity", "students", "teacher", "facility", "item"]


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    kind: Kind
    group: Group
    note_zh: str = ""
    note_en: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    # A count field this one describes (the smallest music room's area: music_rooms). Where that count
    # is 0 this field does not apply: it may be left empty and is stored as not given.
    requires: str | None = None
    # A cell may be left empty: the figure is then not given for that school (grade enrolment, classrooms:
    # optional per school, a school giving only its total stays valid).
    may_be_empty: bool = False


# Canonical codes of school types, levels, locations and ownership with their accepted spellings.
SCHOOL_TYPES: dict[str, tuple[str, ...]] = {
    "primary": ("小学", "primary", "primary school"),
    "junior": ("初中", "初级中学", "junior", "junior secondary"),
    "nine_year": ("九年一贯制", "九年一贯制学校", "nine_year", "nine-year"),
    "twelve_year": ("十二年一贯制", "十二年一贯制学校", "twelve_year", "twelve-year"),
    "complete_middle": ("完全中学", "complete_middle", "complete middle school"),
    "special": ("特殊教育学校", "特教学校", "special", "special education"),
    "teaching_point": ("教学点", "小学教学点", "teaching_point", "teaching point"),
    "vocational": ("职业学校", "职业中学", "vocational"),
}
SCHOOL_TYPE_ZH = {code: names[0] for code, names in SCHOOL_TYPES.items()}
ONE_THROUGH_TYPES = ("nine_year", "twelve_year", "complete_middle")
# The levels each one-through type holds, in order (senior only matters for the split).
ONE_THROUGH_PARTS: dict[str, tuple[str, ...]] = {
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
}
# The level a single-level school type belongs to when its row names none.
TYPE_LEVEL = {"primary": "primary", "teaching_point": "primary", "junior": "junior"}

LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    "primary": ("小学", "primary", "小学部"),
    "junior": ("初中", "junior", "初中部"),
    "senior": ("高中", "senior", "高中部"),
    "all": ("全校", "all", "一贯制", ""),
}
LEVEL_ZH = {"primary": "小学", "junior": "初中", "senior": "高中", "all": "全校"}

LOCATIONS: dict[str, tuple[str, ...]] = {
    "urban": ("城区", "urban"),
    "town": ("镇区", "town"),
    "rural": ("乡村", "rural"),
}
LOCATION_ZH = {code: names[0] for code, names in LOCATIONS.items()}

OWNERSHIP: dict[str, tuple[str, ...]] = {
    "public": ("公办", "public"),
    "private": ("民办", "private"),
}
OWNERSHIP_ZH = {code: names[0] for code, names in OWNERSHIP.items()}

ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "school_type": SCHOOL_TYPES,
    "level": LEVEL_NAMES,
    "location": LOCATIONS,
    "ownership": OWNERSHIP,
}

FIELDS: tuple[Field, ...] = (
    Field(
        "county_code",
        "县级行政区划代码",
        "text",
        "identity",
        "可选；一个文件含多个县时必填",
        "optional; required when a file holds several counties",
        ("县代码", "区县代码"),
    ),
    Field("county_name", "县（市、区）名称", "text", "identity", "可选", "optional", ("县名称", "区县名称")),
    Field(
        "school_code",
        "学校标识码",
        "text",
        "identity",
        "10位学校标识码，唯一",
        "the school's unique identifier",
        ("学校代码", "学校编码"),
        required=True,
    ),
    Field("school_name", "学校名称", "text", "identity", "", "", ("校名",), required=True),
    Field(
        "school_type",
        "学校类型",
        "enum",
        "identity",
        "小学/初中/九年一贯制/十二年一贯制/完全中学/特殊教育学校/教学点",
        "primary/junior/nine_year/twelve_year/complete_middle/special/teaching_point",
        ("办学类型",),
        required=True,
    ),
    Field(
        "level",
        "学段",
        "enum",
        "identity",
        "小学/初中；一贯制学校整校一行时填“全校”或留空，已分学段时每学段一行",
        "primary/junior; one-through school as one row: all or empty; or one row per level",
        ("学部",),
    ),
    Field("location", "城乡类型", "enum", "identity", "城区/镇区/乡村", "urban/town/rural", ("城乡分类", "所在地")),
    Field("ownership", "办学性质", "enum", "identity", "公办/民办", "public/private", ("举办者",)),
    Field(
        "students",
        "在校生数",
        "int",
        "students",
        "人；一贯制整校一行时可留空（取各学段之和）",
        "persons; may be empty on a whole-school one-through row (sum of levels)",
        ("学生数", "在校学生数"),
    ),
    Field(
        "students_primary",
        "小学部在校生数",
        "int",
        "students",
        "仅一贯制学校整校一行时填写",
        "one-through whole-school rows only",
    ),
    Field(
        "students_junior",
        "初中部在校生数",
        "int",
        "students",
        "仅一贯制学校整校一行时填写",
        "one-through whole-school rows only",
    ),
    Field(
        "students_senior",
        "高中部在校生数",
        "int",
        "students",
        "十二年一贯制、完全中学整校一行时填写",
        "twelve-year and complete middle schools, whole-school rows only",
    ),
    Field(
        "grade_1",
        "一年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("一年级学生数", "一年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_2",
        "二年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("二年级学生数", "二年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_3",
        "三年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("三年级学生数", "三年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_4",
        "四年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("四年级学生数", "四年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_5",
        "五年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("五年级学生数", "五年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_6",
        "六年级在校生数",
        "int",
        "students",
        "可选；人；小学学段",
        "optional; persons; primary level",
        ("六年级学生数", "六年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_7",
        "七年级在校生数",
        "int",
        "students",
        "可选；人；初中学段",
        "optional; persons; junior level",
        ("七年级学生数", "七年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_8",
        "八年级在校生数",
        "int",
        "students",
        "可选；人；初中学段",
        "optional; persons; junior level",
        ("八年级学生数", "八年级"),
        may_be_empty=True,
    ),
    Field(
        "grade_9",
        "九年级在校生数",
        "int",
        "students",
        "可选；人；初中学段",
        "optional; persons; junior level",
        ("九年级学生数", "九年级"),
        may_be_empty=True,
    ),
    Field("teachers", "专任教师数", "int", "teacher", "人", "persons", ("专任教师",)),
    Field(
        "teachers_above_qualification",
        "高于规定学历专任教师数",
        "int",
        "teacher",
        "小学专科及以上、初中本科及以上（默认口径）",
        "primary: junior college or above; junior: bachelor or above",
        ("高于规定学历教师数",),
    ),
    Field(
        "backbone_teachers",
        "县级及以上骨干教师数",
        "int",
        "teacher",
        "人",
        "persons",
        ("县级以上骨干教师数", "骨干教师数"),
    ),
    Field(
        "pe_art_teachers",
        "体育、艺术(美术、音乐)专任教师数",
        "int",
        "teacher",
        "人",
        "persons",
        ("体育艺术专任教师数", "体艺教师数"),
    ),
    Field(
        "senior_title_teachers",
        "中级及以上专业技术职务教师数",
        "int",
        "teacher",
        "人（基本均衡指标）",
        "persons (2012 indicator)",
        ("中级及以上职称教师数",),
    ),
    Field(
        "teaching_aux_area_m2",
        "教学及辅助用房面积(平方米)",
        "number",
        "facility",
        "平方米",
        "m²",
        ("教学及辅助用房面积",),
    ),
    Field(
        "indoor_gym_area_m2",
        "其中：室内体育用房面积(平方米)",
        "number",
        "facility",
        "可选；教学及辅助用房中的室内体育用房",
        "optional; indoor gym inside the teaching area",
        ("室内体育用房面积",),
    ),
    Field(
        "sports_area_m2",
        "体育运动场馆面积(平方米)",
        "number",
        "facility",
        "运动场 + 体育馆",
        "grounds + halls",
        ("体育运动场馆面积",),
    ),
    Field(
        "equipment_value_yuan",
        "教学仪器设备值(元)",
        "number",
        "facility",
        "元；与“万元”列二选一",
        "yuan; give this or the 万元 column",
        ("教学仪器设备值",),
    ),
    Field(
        "equipment_value_wan",
        "教学仪器设备值(万元)",
        "number",
        "facility",
        "万元；与“元”列二选一",
        "10,000 yuan; give this or the yuan column",
    ),
    Field("multimedia_classrooms", "网络多媒体教室数(间)", "int", "facility", "间", "rooms", ("网络多媒体教室数",)),
    Field(
        "classrooms",
        "普通教室数(间)",
        "int",
        "facility",
        "可选；间；测算学位容量用",
        "optional; rooms; for the seat capacity",
        ("普通教室数", "普通教室间数"),
        may_be_empty=True,
    ),
    Field(
        "computers",
        "计算机数(台)",
        "int",
        "facility",
        "台（基本均衡指标）",
        "units (2012 indicator)",
        ("计算机台数", "计算机数"),
    ),
    Field(
        "books", "图书(册)", "int", "facility", "册（基本均衡指标）", "volumes (2012 indicator)", ("图书册数", "图书")
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
# Enrolment by grade (grade_1 … grade_9): optional; grades 1–6 belong to primary, 7–9 to junior.
GRADE_FIELDS = tuple(f"grade_{g}" for g in range(1, 10))
LEVEL_GRADES: dict[str, tuple[int, ...]] = {"primary": (1, 2, 3, 4, 5, 6), "junior": (7, 8, 9)}
TEACHER_FIELDS = tuple(f.key for f in FIELDS if f.group == "teacher")
FACILITY_FIELDS = tuple(f.key for f in FIELDS if f.group == "facility" and f.key != "equipment_value_wan")
NUMERIC_FIELDS = tuple(f.key for f in FIELDS if f.kind in ("int", "number"))
# Per-level teacher columns of a whole-school one-through row, e.g. "pe_art_teachers_primary".
LEVEL_TEACHER_FIELDS = tuple(f"{key}_{lvl}" for key in TEACHER_FIELDS for lvl in ("primary", "junior"))

# The figures the county-level items need; the engine does not read them (see the module's docstring).
ITEM_FIELDS: tuple[Field, ...] = (
    Field("classes", "班级数", "int", "item", "个；本行学校（或学段）的教学班数",
          "teaching classes of the row's school (or level part)", ("教学班数", "班数")),
    Field("max_class_size", "最大班额(人)", "int", "item", "人；人数最多的一个班的学生数",
          "persons; pupils in the largest class", ("最大班额", "最大班级人数")),
    Field("music_rooms", "音乐专用教室数(间)", "int", "item", "间；没有的填 0", "rooms; 0 if there are none",
          ("音乐专用教室数", "音乐教室数")),
    Field("art_rooms", "美术专用教室数(间)", "int", "item", "间；没有的填 0", "rooms; 0 if there are none",
          ("美术专用教室数", "美术教室数")),
    Field("music_room_min_area_m2", "最小音乐专用教室面积(平方米)", "number", "item",
          "平方米；面积最小的一间；音乐专用教室数为 0 时留空",
          "m²; the smallest music room; leave empty when there is no music room",
          ("最小音乐专用教室面积", "音乐专用教室最小面积"), requires="music_rooms"),
    Field("art_room_min_area_m2", "最小美术专用教室面积(平方米)", "number", "item",
          "平方米；面积最小的一间；美术专用教室数为 0 时留空",
          "m²; the smallest art room; leave empty when there is no art room",
          ("最小美术专用教室面积", "美术专用教室最小面积"), requires="art_rooms"),
    Field("certified_teachers", "持教师资格证专任教师数", "int", "item", "人；持有教师资格证的专任教师",
          "persons; full-time teachers holding a teacher's certificate", ("持证专任教师数", "持教师资格证教师数")),
    Field("teachers_rotated", "本学年交流轮岗教师数", "int", "item", "人；本学年参加县域内交流轮岗的教师",
          "persons; teachers rotated between schools of the county this school year", ("交流轮岗教师数",)),
    Field("backbone_teachers_rotated", "其中：骨干教师数", "int", "item", "人；交流轮岗教师中的骨干教师",
          "persons; backbone teachers among the rotated teachers", ("交流轮岗骨干教师数", "其中骨干教师数")),
)  # fmt: skip
