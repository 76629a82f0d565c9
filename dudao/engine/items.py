"""County-level items (government guarantee, quality, recognition, veto) judged against the standard.

Values come from the county (a figure, a yes/no judgement, a monitoring level). A ``bool`` or
``qualitative`` item is met when its value is true; a veto item *triggers* when its value is true
(the condition exists). An item not entered is "missing": its area cannot pass, but is not failed.
"""

from __future__ import annotations

import math
from typing import Any

from dudao.engine.messages import fmt_number, message
from dudao.engine.problems import InputError, Problem
from dudao.engine.result import Area, AreaItem, AreaStatus, ItemValue, Reason
from dudao.engine.rules import all_of, compare
from dudao.standards import CountyItem, Standard

_TRUE = {"true", "yes", "y", "1", "是", "达到", "满足", "存在", "有"}
_FALSE = {"false", "no", "n", "0", "否", "未达到", "不满足", "不存在", "无"}
_STATUS: dict[bool | None, AreaStatus] = {True: "passed", False: "failed", None: "incomplete"}
ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "I": 1, "II": 2, "III": 3, "IV": 4}


def item_catalogue(standard: Standard) -> dict[str, CountyItem]:
    items = {item.code: item for area in standard.areas for item in area.items}
    items.update({item.code: item for item in standard.veto})
    return items


def parse_item_values(standard: Standard, raw: dict[str, Any]) -> dict[str, Any]:
    """Check and convert entered values; raises :class:`InputError` naming each bad entry."""
    catalogue = item_catalogue(standard)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for code, value in raw.items():
        item = catalogue.get(code)
        if item is None:
            problems.append(
                Problem(
                    "unknown_item",
                    f"标准 {standard.id} 中没有指标“{code}”",
                    f"standard {standard.id} has no item {code!r}",
                    column=code,
                )
            )
            continue
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue  # a blank cell: not entered
        try:
            values[code] = _convert(item, value)
        except ValueError as exc:
            problems.append(
                Problem(
                    "bad_item_value",
                    f"指标 {code} 的值无效：{exc.args[0]}",
                    f"item {code}: invalid value: {exc.args[1]}",
                    column=code,
                    value=str(value),
                )
            )
    if problems:
        raise InputError(problems)
    return values


def _convert(item: CountyItem, value: Any) -> Any:
    if item.kind in ("bool", "qualitative"):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("应为 是/否", "expected yes/no (true/false)")
    if item.kind == "level" and isinstance(value, str) and value.strip().upper() in ROMAN:
        return float(ROMAN[value.strip().upper()])
    if isinstance(value, bool):
        raise ValueError("应为数值", "expected a number")
    try:
        number = float(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except ValueError:
        raise ValueError("应为数值", "expected a number") from None
    if number < 0:
        raise ValueError("不能为负数", "must not be negative")
    if item.share and number > 1:
        raise ValueError(
            "比例应在0到1之间（85%请填0.85或85%）", "a share lies between 0 and 1 (write 85% as 0.85 or 85%)"
        )
    return number


def judge_item(item: CountyItem, value: Any) -> bool | None:
    """True when an area item is met; None when it has not been entered."""
    if value is None:
        return None
    if item.kind in ("bool", "qualitative"):
        return bool(value)
    assert item.threshold is not None  # a number or level item has one (checked when the standard loads)
    return compare(float(value), item.threshold.op, float(item.threshold.value))


def judge_areas(standard: Standard, values: dict[str, Any]) -> tuple[dict[str, Area], list[Reason]]:
    """Verdicts of the item-based areas and the list of vetoes triggered, with reasons."""
    areas: dict[str, Area] = {}
    vetoes: list[Reason] = []
    for area in standard.areas:
        if area.basis != "items":
            continue
        entries: list[AreaItem] = []
        verdicts: list[bool | None] = []
        reasons: list[Reason] = []
        for item in area.items:
            value = values.get(item.code)
            ok = judge_item(item, value)
            verdicts.append(ok)
            entries.append(_entry(item, value, ok))
            if ok is None:
                reasons.append(
                    message(
                        "item_missing", {"code": item.code}, code=item.code, name_zh=item.name_zh, name_en=item.name_en
                    )
                )
            elif ok is False:
                reasons.append(
                    message(
                        "item_failed",
                        {"code": item.code, "value": value},
                        code=item.code,
                        name_zh=item.name_zh,
                        name_en=item.name_en,
                        value=_show(item, value),
                    )
                )
                if item.veto:
                    vetoes.append(
                        message("veto", {"code": item.code}, code=item.code, name_zh=item.name_zh, name_en=item.name_en)
                    )
        passed, assessed = all_of(verdicts), any(v is not None for v in verdicts)
        if not assessed:
            reasons = [message("area_not_assessed", {"area": area.code}, name_zh=area.name_zh, name_en=area.name_en)]
        areas[area.code] = Area(
            code=area.code,
            name_zh=area.name_zh,
            name_en=area.name_en,
            status=_STATUS[passed] if assessed else "not_assessed",
            passed=passed,
            items=entries,
            reasons=reasons,
        )
    for item in standard.veto:
        value = values.get(item.code)
        if value is True:
            vetoes.append(
                message("veto", {"code": item.code}, code=item.code, name_zh=item.name_zh, name_en=item.name_en)
            )
    return areas, vetoes


def _show(item: CountyItem, value: Any) -> str:
    if item.kind in ("bool", "qualitative"):
        return "否 / no" if not value else "是 / yes"
    return fmt_number(float(value), 4)


def _entry(item: CountyItem, value: ItemValue, ok: bool | None) -> AreaItem:
    return AreaItem(
        code=item.code,
        name_zh=item.name_zh,
        name_en=item.name_en,
        kind=item.kind,
        scope=item.scope,
        value=value,
        threshold=float(item.threshold.value) if item.threshold else None,
        op=item.threshold.op if item.threshold else None,
        confirmation=item.confirmation,
        passed=ok,
    )
