"""The columns of the school data sheet: every field of ``fields.FIELDS``, the county-item figures of
``fields.ITEM_FIELDS`` and the per-level teacher columns of a whole-school one-through row, with the
headers the reader accepts for each."""

from __future__ import annotations

from dataclasses import dataclass

from dudao.engine.fields import (
    ENUMS,
    FIELD_BY_KEY,
    FIELDS,
    ITEM_FIELDS,
    LEVEL_TEACHER_FIELDS,
    LEVEL_ZH,
    ONE_THROUGH_PARTS,
    TYPE_LEVEL,
    Field,
    Kind,
)
from dudao.sheets.cells import normalize_header
from dudao.sheets.table import ColumnSpec

# The Chinese prefix of a per-level column header, e.g. 小学部专任教师数.
LEVEL_PART_ZH = {"primary": "小学部", "junior": "初中部", "senior": "高中部"}
LEVEL_PART_EN = {"primary": "primary", "junior": "junior secondary", "senior": "senior secondary"}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    note_zh: str = ""
    note_en: str = ""
    required: bool = False
    # For per-level columns (students_primary, pe_art_teachers_junior, ...): the level part they
    # describe. They apply only on a whole-school row of a one-through school holding that part.
    level: str | None = None
    # The count column this one describes (``Field.requires``): where that count is 0 this column does
    # not apply (empty or 0 is fine there).
    requires: str | None = None
    # A cell may be left empty (``Field.may_be_empty``): the figure is not given for that row (NaN).
    may_be_empty: bool = False


def _level_teacher_column(key: str) -> Column:
    base, level = key.rsplit("_", 1)
    field = FIELD_BY_KEY[base]
    part_zh, short_zh = LEVEL_PART_ZH[level], LEVEL_ZH[level]
    aliases = (short_zh + field.zh, *(p + a for p in (part_zh, short_zh) for a in field.aliases))
    return Column(
        key=key,
        zh=part_zh + field.zh,
        kind="int",
        aliases=aliases,
        note_zh=f"仅一贯制学校以整校一行（学段为“全校”或留空）填报时填写：{part_zh}的{field.zh}；"
        "已分学段填报的行和其他学校留空",
        note_en=f"only for a one-through school given as one whole-school row (level all or empty): "
        f"the {LEVEL_PART_EN[level]} part's {base}; leave empty on other rows",
        level=level,
    )


def _field_column(f: Field) -> Column:
    level = f.key.removeprefix("students_") if f.key.startswith("students_") else None
    return Column(f.key, f.zh, f.kind, f.aliases, f.note_zh, f.note_en, f.required, level, f.requires, f.may_be_empty)


COLUMNS: tuple[Column, ...] = (
    *(_field_column(f) for f in FIELDS),
    *(_field_column(f) for f in ITEM_FIELDS),
    *(_level_teacher_column(k) for k in LEVEL_TEACHER_FIELDS),
)
COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# Columns that apply only on whole-school rows of one-through schools.
LEVEL_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.level)


def _header_index() -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    index: dict[str, str] = {}
    collisions: list[tuple[str, str, str]] = []
    for col in COLUMNS:
        for name in (col.key, col.zh, *col.aliases):
            norm = normalize_header(name)
            if not norm:
                continue
            other = index.setdefault(norm, col.key)
            if other != col.key:
                collisions.append((name, other, col.key))
    return index, collisions


# Normalised header -> canonical key. HEADER_COLLISIONS should stay empty (checked by a test).
HEADER_INDEX, HEADER_COLLISIONS = _header_index()
KEY_NAMES = frozenset(normalize_header(c.key) for c in COLUMNS)


def allowed_levels(school_type: str) -> tuple[str, ...]:
    """The levels a school of ``school_type`` is entered by ("all": one whole-school row)."""
    if school_type in ONE_THROUGH_PARTS:
        return (*[lvl for lvl in ONE_THROUGH_PARTS[school_type] if lvl != "senior"], "all")
    if school_type in TYPE_LEVEL:
        return (TYPE_LEVEL[school_type],)
    return ("primary", "junior")  # special schools: entered by the level they teach


# The columns as the generic table reader takes them (:mod:`dudao.sheets.table`).
SPECS: tuple[ColumnSpec, ...] = tuple(
    ColumnSpec(c.key, c.zh, c.kind, c.aliases, required=c.required, choices=ENUMS.get(c.key)) for c in COLUMNS
)

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "HEADER_INDEX",
    "KEY_NAMES",
    "LEVEL_COLUMNS",
    "SPECS",
    "Column",
    "normalize_header",
]
