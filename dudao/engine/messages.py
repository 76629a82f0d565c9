"""Reasons in both languages. The engine is pure (no Django i18n), so every message it produces
carries its Chinese and English text; the renderers pick one."""

from __future__ import annotations

import math
from typing import Any

from dudao.engine.result import Reason

UNITS = {
    "person": ("名", " persons"),
    "m2": ("平方米", " m²"),
    "yuan": ("元", " yuan"),
    "room": ("间", " rooms"),
    "computer": ("台", " computers"),
    "book": ("册", " books"),
}
GAP_VERB = {
    "person": ("补充", "add"),
    "m2": ("新增", "add"),
    "yuan": ("新增", "add"),
    "room": ("新增", "add"),
    "computer": ("新增", "add"),
    "book": ("新增", "add"),
}
LEVEL = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}

TEMPLATES: dict[str, tuple[str, str]] = {
    "indicator_unmet": (
        "{code} {name_zh} {value} 低于标准 {threshold}（为标准的 {ratio}），需{verb_zh} {gap}{unit_zh}",
        "{code} {name_en} {value} is below {threshold} ({ratio} of the standard); {verb_en} {gap}{unit_en}",
    ),
    "indicator_no_data": ("{code} {name_zh} 无数据", "{code} {name_en}: no data"),
    "too_few_met": (
        "达标 {met} 项，少于要求的 {min_met} 项",
        "{met} indicators met, fewer than the required {min_met}",
    ),
    "unmet_below_share": (
        "{code} 仅为标准的 {ratio}，低于余项要求的 {min_ratio}",
        "{code} reaches only {ratio} of the standard, below the {min_ratio} required of the rest",
    ),
    "school_undetermined": (
        "有指标无数据，无法判定是否达到每校要求",
        "some indicators have no data; the per-school rule cannot be decided",
    ),
    "cv_exceeds": (
        "{level_zh}{code} {name_zh} 差异系数 {cv} 高于限值 {limit}",
        "{level_en} {code} {name_en}: CV {cv} exceeds the limit {limit}",
    ),
    "cv_undefined": (
        "{level_zh}{code} {name_zh} 县均值为0，差异系数无定义，不能判为达标",
        "{level_en} {code} {name_en}: the county mean is zero, so the CV is undefined and cannot pass",
    ),
    "cv_no_data": (
        "{level_zh}{code} {name_zh} 无数据，差异系数无法计算",
        "{level_en} {code} {name_en}: no data, the CV cannot be computed",
    ),
    "composite_exceeds": (
        "{level_zh}综合差异系数 {cv} 高于限值 {limit}",
        "{level_en} composite CV {cv} exceeds the limit {limit}",
    ),
    "composite_undefined": (
        "{level_zh}综合差异系数无法计算（有单项差异系数无数据或无定义）",
        "{level_en} composite CV cannot be computed (a single CV has no data or is undefined)",
    ),
    "schools_failing": (
        "{level_zh}有 {n} 所学校未达到每校要求",
        "{level_en}: {n} school(s) do not meet the per-school rule",
    ),
    "schools_undetermined": (
        "{level_zh}有 {n} 所学校因缺少数据无法判定",
        "{level_en}: {n} school(s) cannot be judged for lack of data",
    ),
    "level_no_schools": ("{level_zh}没有参评学校", "no {level_en} schools are evaluated"),
    "item_missing": ("{code} {name_zh} 尚未填报", "{code} {name_en} has not been entered"),
    "item_failed": ("{code} {name_zh} 未达到要求（{value}）", "{code} {name_en} is not met ({value})"),
    "veto": ("一票否决：{code} {name_zh}", "veto: {code} {name_en}"),
    "area_not_assessed": (
        "{name_zh}需由县级录入指标后评估",
        "{name_en} is assessed from county-entered items, none given",
    ),
}


def fmt_number(value: float | None, places: int = 2) -> str:
    """A figure for a message: thousands separators for large values, trailing zeros trimmed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def fmt_cv(value: float | None) -> str:
    """A CV as published: rounded half-up to exactly 3 decimals (0.2 -> "0.200")."""
    from dudao.engine.rules import round_half_up

    rounded = round_half_up(value, 3)
    return "—" if rounded is None else f"{rounded:.3f}"


def fmt_ratio(value: float) -> str:
    return f"{value * 100:.1f}%"


def message(key: str, data: dict[str, Any] | None = None, **text: object) -> Reason:
    """The reason ``key`` with the figures ``data`` (fields of :class:`Reason`); ``text`` fills the templates."""
    zh, en = TEMPLATES[key]
    return Reason(rule=key, **(data or {}), message_zh=zh.format(**text), message_en=en.format(**text))
