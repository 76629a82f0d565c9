"""The annex tables (附表) as .xlsx, laid out like the application forms a county fills in: one sheet
per level with each school's indicator values and the thresholds, the CV table, the per-school rule
results, and the county items (government, quality, recognition) with values and evidence.

Numbers are written as numbers with formats (0.00 for values, 0.000 for CVs, 0 for counts, 0.0%
for ratios); every figure comes from :class:`dudao.reports.content.ReportData`.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dudao.engine.fields import LEVEL_ZH
from dudao.reports.content import AREA_STATUS_ZH, ReportData, location_zh, school_type_zh, unmet_codes, verdict_zh
from dudao.sheets.writer import workbook_bytes

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = Font(name="黑体", bold=True)
VALUE, CV, COUNT, PERCENT = "0.00", "0.000", "0", "0.0%"


def _sheet(ws: Worksheet, title: str, header: list[str], rows: list[list[Any]], formats: list[str | None]) -> None:
    """A form-like sheet: the title over the columns, bordered cells, numbers with their formats."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.border = HEAD, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in rows:
        ws.append(values)
        for cell, number_format in zip(ws[ws.max_row], formats, strict=True):
            cell.border = BORDER
            if number_format and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = number_format
    for i, text in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(40, len(str(text)) * 2 + 2))
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0


def _schools_sheet(wb: Workbook, data: ReportData, level: str, result: dict[str, Any], number: int) -> None:
    ws = wb.create_sheet(f"附表{number} {LEVEL_ZH[level]}指标")
    codes = list(result["indicators"])
    header = ["序号", "学校代码", "学校名称", "类型", "城乡", "学生数"]
    formats: list[str | None] = [COUNT, None, None, None, None, COUNT]
    for code in codes:
        ind = result["indicators"][code]
        header += [f"{code} {ind['name_zh']}（{ind['unit_zh']}）", f"{code}达标"]
        formats += [VALUE, None]
    thresholds = [x for c in codes for x in (result["indicators"][c]["threshold"], "")]
    rows: list[list[Any]] = [["", "", "标准值", "", "", None, *thresholds]]
    for i, s in enumerate(data.schools(level), start=1):
        row: list[Any] = [i, s["school_code"], s["school_name"], school_type_zh(s["school_type"]),
                          location_zh(s["location"]), s["students"]]  # fmt: skip
        for code in codes:
            ind = s["indicators"].get(code) or {}
            met = ind.get("met")
            row += [ind.get("value"), "达标" if met else "未达标" if met is False else "—"]
        rows.append(row)
    _sheet(ws, f"{data.county.name}{data.year}年度{LEVEL_ZH[level]}学校指标值", header, rows, formats)


def _cv_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    ws = wb.create_sheet(f"附表{number} 差异系数")
    header = ["学段", "指标", "指标名称", "单位", "县域均值", "差异系数", "限值", "学校数", "达标学校数", "结论"]
    formats = [None, None, None, None, VALUE, CV, VALUE, COUNT, COUNT, None]
    rows = [
        [LEVEL_ZH[lv], code, ind["name_zh"], ind["unit_zh"], ind["mean"], ind["cv_3dp"], ind["cv_limit"],
         ind["schools"], ind["schools_met"], verdict_zh(ind["cv_passed"])]
        for lv, code, ind in data.cvs()
    ]  # fmt: skip
    _sheet(ws, f"{data.county.name}{data.year}年度校际差异系数", header, rows, formats)


def _rules_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    ws = wb.create_sheet(f"附表{number} 学校达标")
    header = [
        "序号",
        "学段",
        "学校代码",
        "学校名称",
        "城乡",
        "学生数",
        "达标指标数",
        "指标数",
        "未达标指标",
        "结论",
        "原因",
    ]
    formats = [COUNT, None, None, None, None, COUNT, COUNT, COUNT, None, None, None]
    rows = []
    for level, _ in data.levels:
        for s in data.schools(level):
            reasons = "；".join(r["message_zh"] for r in s.get("reasons") or [])
            rows.append([
                len(rows) + 1, LEVEL_ZH[level], s["school_code"], s["school_name"], location_zh(s["location"]),
                s["students"], s["met_count"], s["indicator_count"], "、".join(unmet_codes(s)), verdict_zh(s["passed"]),
                reasons,
            ])  # fmt: skip
    _sheet(ws, f"{data.county.name}{data.year}年度学校达标情况", header, rows, formats)


def _items_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    ws = wb.create_sheet(f"附表{number} 县级指标")
    header = ["领域", "领域结论", "代码", "指标", "取值", "比较", "标准值", "结论", "佐证材料", "说明"]
    formats: list[str | None] = [None] * len(header)
    rows = []
    for area in data.item_areas():
        for item in area["items"]:
            value = item.get("value")
            if isinstance(value, bool):
                value = "是" if value else "否"
            rows.append([area["name_zh"], AREA_STATUS_ZH.get(area["status"], "待定"), item["code"], item["name_zh"],
                         value, item.get("op") or "", item.get("threshold"), verdict_zh(item["passed"]),
                         "、".join(data.evidence.get(item["code"], [])), data.notes.get(item["code"], "")])  # fmt: skip
    _sheet(ws, f"{data.county.name}{data.year}年度政府保障、教育质量与社会认可度", header, rows, formats)
    for row in ws.iter_rows(min_row=3):
        for cell in (row[4], row[6]):
            if isinstance(cell.value, float) and 0 <= cell.value <= 1:
                cell.number_format = PERCENT
            elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = VALUE


def annex_xlsx(data: ReportData) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    number = 1
    for level, result in data.levels:
        _schools_sheet(wb, data, level, result, number)
        number += 1
    _cv_sheet(wb, data, number)
    _rules_sheet(wb, data, number + 1)
    _items_sheet(wb, data, number + 2)
    return workbook_bytes(wb)
