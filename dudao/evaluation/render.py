"""Render one county's result (a :class:`~dudao.engine.result.CountyResult`) as terminal text or .xlsx
(its JSON is ``CountyResult.to_json()``).

Labels go through Django i18n (Chinese source strings, English catalogue); the engine's reasons
carry both languages and the renderer picks one. Numbers are never recomputed here.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from wcwidth import wcswidth

from dudao.engine.messages import UNITS, fmt_cv, fmt_number
from dudao.engine.problems import Problem
from dudao.engine.result import Area, CountyResult, Level, LevelIndicator, Reason
from dudao.sheets.writer import save_workbook
from dudao.standards import StandardError, available_provinces, load

SCHOOL_TYPES = {
    "primary": gettext_lazy("小学"),
    "junior": gettext_lazy("初中"),
    "nine_year": gettext_lazy("九年一贯制学校"),
    "twelve_year": gettext_lazy("十二年一贯制学校"),
    "complete_middle": gettext_lazy("完全中学"),
    "special": gettext_lazy("特殊教育学校"),
    "teaching_point": gettext_lazy("教学点"),
    "vocational": gettext_lazy("职业学校"),
}
LOCATIONS = {"urban": gettext_lazy("城区"), "town": gettext_lazy("镇区"), "rural": gettext_lazy("乡村")}

GREEN = PatternFill("solid", fgColor="E2F0D9")
RED = PatternFill("solid", fgColor="F8CBAD")
GREY = PatternFill("solid", fgColor="EDEDED")
BOLD = Font(bold=True)


def _lang_code(lang: str) -> str:
    return "en" if lang.startswith("en") else "zh-hans"


def _msg(entry: Reason | Problem, lang: str) -> str:
    return entry.message_en if lang.startswith("en") else entry.message_zh


def _name(entry: LevelIndicator | Area, lang: str) -> str:
    return entry.name_en if lang.startswith("en") else entry.name_zh


def verdict_label(passed: bool | None) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("未判定")}[passed]


def status_label(status: str) -> str:
    return {
        "passed": _("达标"),
        "failed": _("未达标"),
        "undetermined": _("未判定"),
        "incomplete": _("填报不全"),
        "not_assessed": _("未评估"),
    }[status]


def level_label(level: str) -> str:
    return {"primary": _("小学"), "junior": _("初中")}[level]


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = max(width - max(wcswidth(text), 0), 0)
    return " " * gap + text if right else text + " " * gap


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(max(wcswidth(r[i]), 0) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def to_text(result: CountyResult, lang: str = "zh") -> str:
    with override(_lang_code(lang)):
        return "\n".join(_text_lines(result, lang)) + "\n"


def _text_lines(result: CountyResult, lang: str) -> list[str]:
    """The terminal report: heading, each level, failing schools, areas, then what was left out,
    warnings and the unconfirmed settings the result rests on."""
    out = _heading(result, lang)
    for level, lv in result.levels.items():
        out += _level_lines(level, lv, lang)
    out += _failing_lines(result, lang)
    out += _area_lines(result, lang)
    out += _excluded_lines(result, lang) + _warning_lines(result, lang) + _setting_lines(result, lang)
    return out


def _heading(result: CountyResult, lang: str) -> list[str]:
    std = result.standard
    title = std.title_en if lang.startswith("en") else std.title_zh
    county = result.county.name or result.county.code or _("（未命名县）")
    out = [_("%(title)s（%(doc_no)s）") % {"title": title, "doc_no": std.doc_no}]
    if std.province:
        out.append(_("省级配置：%(province)s") % {"province": std.province})
    out.append(_("县（市、区）：%(county)s    标准版本：%(version)s") % {"county": county, "version": std.version})
    out.append(_("总体结论：%(verdict)s") % {"verdict": verdict_label(result.passed)})
    return [*out, ""]


def _cv_text(ind: LevelIndicator) -> str:
    if ind.cv_status == "no_data":
        return _("无数据")
    return fmt_cv(ind.cv) if ind.cv is not None else _("无定义")


def _indicator_rows(lv: Level, lang: str) -> list[list[str]]:
    header = [_("指标"), _("县均值"), _("标准"), _("达标校数"), _("差异系数"), _("限值"), _("结果")]
    rows = [header]
    for code, ind in lv.indicators.items():
        rows.append(
            [
                f"{code} {_name(ind, lang)}",
                fmt_number(ind.mean),
                "—" if ind.threshold is None else fmt_number(ind.threshold),
                "—" if ind.schools_met is None else f"{ind.schools_met}/{ind.schools}",
                _cv_text(ind),
                "—" if ind.cv_limit is None else f"≤{fmt_number(ind.cv_limit, 3)}",
                "—" if lv.is_composite else verdict_label(ind.cv_passed),
            ]
        )
    return rows


def _level_lines(level: str, lv: Level, lang: str) -> list[str]:
    out = [_("【%(level)s】") % {"level": level_label(level)}]
    if not lv.schools_total:
        return [*out, *(f"  {_msg(r, lang)}" for r in lv.reasons), ""]
    out.append(_("  参评学校 %(n)d 所，在校生 %(students)s 人") % {"n": lv.schools_total, "students": lv.students})
    out += ["  " + line for line in _table(_indicator_rows(lv, lang), right={1, 2, 3, 4})]
    if lv.is_composite:
        out.append(
            _("  综合差异系数：%(cv)s（限值 ≤%(limit)s）%(verdict)s")
            % {
                "cv": fmt_cv(lv.composite_cv),
                "limit": fmt_number(lv.composite_cv_limit, 3),
                "verdict": verdict_label(lv.composite_cv_passed),
            }
        )
    if lv.schools_passed is not None:
        out.append(
            _("  达到每校要求的学校：%(passed)d/%(total)d") % {"passed": lv.schools_passed, "total": lv.schools_total}
        )
    out.append(_("  %(level)s结论：%(verdict)s") % {"level": level_label(level), "verdict": verdict_label(lv.passed)})
    out += [f"    - {_msg(r, lang)}" for r in lv.reasons]
    out += _contributor_lines(lv)
    return [*out, ""]


def _contributor_lines(lv: Level) -> list[str]:
    """For each failing CV, the schools it mostly comes from."""
    out = []
    for code, ind in lv.indicators.items():
        if ind.top_contributors and ind.cv_passed is False:
            names = _("、").join(
                _("%(school)s（%(value)s，占方差 %(share)s）")
                % {
                    "school": c.school_name,
                    "value": fmt_number(c.value),
                    "share": f"{c.share_of_variance * 100:.0f}%",
                }
                for c in ind.top_contributors[:3]
            )
            out.append(_("    %(code)s 差异主要来自：%(names)s") % {"code": code, "names": names})
    return out


def _failing_lines(result: CountyResult, lang: str) -> list[str]:
    failing = [s for s in result.schools if s.passed is not True and s.reasons]
    if not failing:
        return []
    out = [_("【未达到每校要求的学校及差距】")]
    for school in failing:
        label = _("%(school)s（%(level)s，%(verdict)s）") % {
            "school": school.school_name,
            "level": level_label(school.level),
            "verdict": verdict_label(school.passed),
        }
        out.append(f"  {label}")
        out += [f"    - {_msg(r, lang)}" for r in school.reasons]
    return [*out, ""]


def _area_lines(result: CountyResult, lang: str) -> list[str]:
    out = [_("【各领域结论】")]
    for area in result.areas.values():
        out.append("  " + _("%(area)s：%(status)s") % {"area": _name(area, lang), "status": status_label(area.status)})
        if area.status not in ("passed",) and area.code != "RA":
            out += [f"    - {_msg(r, lang)}" for r in area.reasons[:8]]
    out += [f"  ! {_msg(veto, lang)}" for veto in result.vetoes]
    return [*out, ""]


def _excluded_lines(result: CountyResult, lang: str) -> list[str]:
    if not result.excluded:
        return []
    out = [_("【未参评学校】")]
    for e in result.excluded:
        reason = e.reason_en if lang.startswith("en") else e.reason_zh
        out.append("  " + _("%(school)s：%(reason)s") % {"school": e.school_name, "reason": reason})
    return [*out, ""]


def _warning_lines(result: CountyResult, lang: str) -> list[str]:
    if not result.warnings:
        return []
    return [_("【提示】"), *(f"  {_warning_text(w, lang)}" for w in result.warnings), ""]


def _setting_lines(result: CountyResult, lang: str) -> list[str]:
    """One plain line: the settings are explained, each with its default and source, on the website's
    settings page of the profile (``evaluation:settings``; the JSON result lists them one by one)."""
    if not result.settings:
        return []
    where = settings_path(result.standard.id, profile_named(result.standard.id, result.standard.province))
    return [
        _("【说明】本结果用到 %(n)d 项可由省级确定的取值（国家文件未写明的，用默认值），逐项说明见 %(where)s")
        % {"n": len(result.settings), "where": where}
    ]


def settings_path(standard_id: str, province: str | None) -> str:
    """The path of the settings page of ``standard_id`` under the province's profile (national without)."""
    return reverse("evaluation:settings", args=[standard_id, province or NATIONAL])


NATIONAL = "national"


@functools.cache
def profile_named(standard_id: str, province: str | None) -> str | None:
    """The profile (``hebei``) whose province a result names (河北省), None for the national standard."""
    for profile in available_provinces() if province else []:
        try:
            if load(standard_id, province=profile).province == province:
                return profile
        except StandardError:
            continue
    return None


def setting_value(value: Any) -> str:
    """A setting's value as people read it (是/否, 不启用, a list, a figure)."""
    return _setting_value(value)


def _setting_value(value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return _("不启用")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return fmt_number(value, 4)
    return str(value)


def _warning_text(w: Problem, lang: str) -> str:
    where = _("第%(row)d行：") % {"row": w.row} if w.row else ""
    return where + _msg(w, lang)


def write_xlsx(result: CountyResult, path: Path, lang: str = "zh") -> None:
    """Write the result workbook atomically (a temp file renamed into place: never half-written)."""
    with override(_lang_code(lang)):
        wb = _workbook(result, lang)
    save_workbook(wb, path)


def _header(ws: Any, headers: list[str]) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = GREY
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"


def _fill(cell: Any, passed: bool | None) -> None:
    if passed is True:
        cell.fill = GREEN
    elif passed is False:
        cell.fill = RED


def _workbook(result: CountyResult, lang: str) -> Workbook:
    wb = Workbook()
    _cv_sheet(wb.active, result, lang)
    _schools_sheet(wb.create_sheet(_("学校")), result)
    _gaps_sheet(wb.create_sheet(_("差距")), result, lang)
    ws = wb.create_sheet(_("结论"))
    _header(ws, [_("领域"), _("结论"), _("说明")])
    for area in result.areas.values():
        reasons = "；".join(_msg(r, lang) for r in area.reasons)
        ws.append([_name(area, lang), status_label(area.status), reasons])
        _fill(ws.cell(ws.max_row, 2), area.passed)
    ws.append([_("总体结论"), verdict_label(result.passed), "；".join(_msg(v, lang) for v in result.vetoes)])
    _widths(ws, [16, 10, 100])
    return wb


def _cv_sheet(ws: Any, result: CountyResult, lang: str) -> None:
    ws.title = _("差异系数")
    _header(
        ws, [_("学段"), _("指标代码"), _("指标"), _("县均值"), _("差异系数"), _("差异系数(3位)"), _("限值"), _("结果")]
    )
    for level, lv in result.levels.items():
        for code, ind in lv.indicators.items():
            verdict = verdict_label(ind.cv_passed) if not lv.is_composite else ""
            ws.append([level_label(level), code, _name(ind, lang), ind.mean, ind.cv, ind.cv_3dp, ind.cv_limit, verdict])
            _fill(ws.cell(ws.max_row, 8), ind.cv_passed)
        if lv.is_composite:
            ws.append(
                [
                    level_label(level),
                    "",
                    _("综合差异系数"),
                    None,
                    lv.composite_cv,
                    lv.composite_cv_3dp,
                    lv.composite_cv_limit,
                    verdict_label(lv.composite_cv_passed),
                ]
            )
            _fill(ws.cell(ws.max_row, 8), lv.composite_cv_passed)
    for row in ws.iter_rows(min_row=2):
        row[3].number_format = "0.00"
        row[4].number_format = "0.000000"
        row[5].number_format = "0.000"
        row[6].number_format = "0.00"
    _widths(ws, [8, 10, 40, 12, 14, 14, 8, 10])


def _schools_sheet(ws: Any, result: CountyResult) -> None:
    codes = list(dict.fromkeys(c for lv in result.levels.values() for c in lv.indicators))
    headers = [_("学校标识码"), _("学校名称"), _("学校类型"), _("学段"), _("城乡类型"), _("在校生数")]
    headers += [f"{c}" for c in codes] + [_("达标项数"), _("每校要求")]
    _header(ws, headers)
    for s in result.schools:
        ws.append(
            [
                s.school_code,
                s.school_name,
                str(SCHOOL_TYPES.get(s.school_type, s.school_type)),
                level_label(s.level),
                str(LOCATIONS.get(s.location or "", "")),
                s.students,
                *[s.indicators[c].value for c in codes],
                s.met_count,
                verdict_label(s.passed),
            ]
        )
        for i, c in enumerate(codes):
            cell = ws.cell(ws.max_row, 7 + i)
            cell.number_format = "0.00"
            _fill(cell, s.indicators[c].met)
        _fill(ws.cell(ws.max_row, 8 + len(codes)), s.passed)
    _widths(ws, [14, 28, 12, 6, 8, 10] + [9] * len(codes) + [9, 10])


def _gaps_sheet(ws: Any, result: CountyResult, lang: str) -> None:
    headers = [_("学校名称"), _("学段"), _("指标代码"), _("指标"), _("现值"), _("标准"), _("达标比例"), _("需补足")]
    _header(ws, [*headers, _("单位")])
    for s in result.schools:
        for code, e in s.indicators.items():
            if e.met is not False or e.gap_unit is None:
                continue
            name = _name(result.levels[s.level].indicators[code], lang)
            unit = UNITS[e.gap_unit][1 if lang.startswith("en") else 0].strip()
            ws.append([s.school_name, level_label(s.level), code, name, e.value, e.threshold, e.ratio, e.gap, unit])
            row = ws[ws.max_row]
            row[4].number_format = "0.00"
            row[6].number_format = "0.0%"
            row[7].number_format = "#,##0"
    _widths(ws, [28, 6, 8, 40, 10, 10, 10, 12, 8])


def _widths(ws: Any, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
