"""The annex tables (附表) as .xlsx, laid out like the application forms a county fills in: one sheet
per level with each school's indicator values and the thresholds, the CV table, the per-school rule
results, the county items (government, quality, recognition) with values and evidence, and where the
inequality comes from (each indicator's Theil index and CV² split between and within groups).

Numbers are written as numbers with formats (0.00 for values, 0.000 for CVs, 0 for counts, 0.0%
for ratios); every figure comes from :class:`dudao.reports.content.ReportData`.

Every sheet prints as a county hands it in: A4 landscape, fitted to the page's width (as many pages
down as it needs), the title and the column headings repeated on every page, margins, and a footer
"第 1 页，共 3 页". Columns are narrow and their headings wrap, so that fitting to the width keeps the
text at a readable size (``tests/reports/test_reports.py`` converts the workbook to PDF in LibreOffice
and measures it).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from dudao.engine.balance import decomposition
from dudao.engine.decomposition import GROUPINGS
from dudao.engine.fields import LEVEL_ZH
from dudao.engine.result import Level
from dudao.reports.content import AREA_STATUS_ZH, ReportData, location_zh, school_type_zh, unmet_codes, verdict_zh
from dudao.sheets.writer import workbook_bytes

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = Font(name="黑体", bold=True)
UNMET = Font(bold=True, color="C00000")
VALUE, CV, COUNT, PERCENT, SPLIT = "0.00", "0.000", "0", "0.0%", "0.0000"


def _width(text: str) -> float:
    """Columns wide enough for a heading wrapped on up to three lines, or for the values under it."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in str(text))


def _print_setup(ws: Worksheet, header_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    fit = ws.sheet_properties.pageSetUpPr or PageSetupProperties()
    fit.fitToPage = True
    ws.sheet_properties.pageSetUpPr = fit
    ws.print_title_rows = header_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    footer = ws.oddFooter
    if footer is not None:  # openpyxl always has one; the stubs allow None
        footer.center.text = "第 &P 页，共 &N 页"
        footer.center.size = 12


def _sheet(
    ws: Worksheet,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    formats: list[str | None],
    header_rows: str = "1:2",
) -> None:
    """A form-like sheet: the title over the columns, bordered cells, numbers with their formats."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.border = HEAD, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [min(max(_width(h) / 4 + 2, 6), 9) for h in header]
    for values in rows:
        ws.append(values)
        for i, (cell, number_format) in enumerate(zip(ws[ws.max_row], formats, strict=True)):
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if number_format and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = number_format
            elif isinstance(cell.value, str):
                widths[i] = max(widths[i], min(_width(cell.value) + 2, 20))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    lines = max(_width(h) // max(int(widths[i]) - 1, 1) + 1 for i, h in enumerate(header))
    ws.row_dimensions[2].height = 14 * max(1, min(7, lines))
    ws.freeze_panes = "A3"
    _print_setup(ws, header_rows)


def _schools_sheet(wb: Workbook, data: ReportData, level: str, result: Level, number: int) -> None:
    """Each school's indicator values under the standard's thresholds; a value below its threshold in bold
    red, and the school's unmet indicators named in the last column (which a black-and-white print keeps)."""
    ws = wb.create_sheet(f"附表{number} {LEVEL_ZH[level]}指标")
    codes = list(result.indicators)
    header = ["序号", "学校代码", "学校名称", "类型", "城乡", "学生数"]
    formats: list[str | None] = [COUNT, None, None, None, None, COUNT]
    for code in codes:
        ind = result.indicators[code]
        header.append(f"{code} {ind.name_zh}（{ind.unit_zh}）")
        formats.append(VALUE)
    header += ["达标指标数", "未达标指标"]
    formats += [None, None]
    thresholds = [result.indicators[c].threshold for c in codes]
    rows: list[list[Any]] = [["", "", "标准值", "", "", None, *thresholds, "", ""]]
    unmet: list[list[int]] = []
    for i, s in enumerate(data.schools(level), start=1):
        row: list[Any] = [i, s.school_code, s.school_name, school_type_zh(s.school_type),
                          location_zh(s.location), s.students]  # fmt: skip
        parts = [s.indicators.get(code) for code in codes]
        row += [part.value if part else None for part in parts]
        met = "—" if s.met_count is None else f"{s.met_count}/{s.indicator_count}"
        row += [met, "、".join(unmet_codes(s)) or "—"]
        unmet.append([7 + j for j, part in enumerate(parts) if part is not None and part.met is False])
        rows.append(row)
    _sheet(ws, f"{data.county.name}{data.year}年度{LEVEL_ZH[level]}学校指标值", header, rows, formats, "1:3")
    for row_number, columns in enumerate(unmet, start=4):
        for column in columns:
            ws.cell(row_number, column).font = UNMET


def _cv_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    ws = wb.create_sheet(f"附表{number} 差异系数")
    header = ["学段", "指标", "指标名称", "单位", "县域均值", "差异系数", "限值", "学校数", "达标学校数", "结论"]
    formats = [None, None, None, None, VALUE, CV, VALUE, COUNT, COUNT, None]
    rows = [
        [LEVEL_ZH[lv], code, ind.name_zh, ind.unit_zh, ind.mean, ind.cv_3dp, ind.cv_limit,
         ind.schools, ind.schools_met, verdict_zh(ind.cv_passed)]
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
    rows: list[list[Any]] = []
    for level, _ in data.levels:
        for s in data.schools(level):
            reasons = "；".join(r.message_zh for r in s.reasons)
            rows.append([
                len(rows) + 1, LEVEL_ZH[level], s.school_code, s.school_name, location_zh(s.location),
                s.students, s.met_count, s.indicator_count, "、".join(unmet_codes(s)), verdict_zh(s.passed),
                reasons,
            ])  # fmt: skip
    _sheet(ws, f"{data.county.name}{data.year}年度学校达标情况", header, rows, formats)


def _items_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    ws = wb.create_sheet(f"附表{number} 县级指标")
    header = ["领域", "领域结论", "代码", "指标", "取值", "比较", "标准值", "结论", "佐证材料", "说明"]
    formats: list[str | None] = [None] * len(header)
    rows = []
    for area in data.item_areas():
        for item in area.items or []:
            value = item.value
            if isinstance(value, bool):
                value = "是" if value else "否"
            rows.append([area.name_zh, AREA_STATUS_ZH.get(area.status, "待定"), item.code, item.name_zh,
                         value, item.op or "", item.threshold, verdict_zh(item.passed),
                         "、".join(data.evidence.get(item.code, [])), data.notes.get(item.code, "")])  # fmt: skip
    _sheet(ws, f"{data.county.name}{data.year}年度政府保障、教育质量与社会认可度", header, rows, formats)
    for row in ws.iter_rows(min_row=3):
        for cell in (row[4], row[6]):
            if isinstance(cell.value, float) and 0 <= cell.value <= 1:
                cell.number_format = PERCENT
            elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = VALUE


def _decomposition_sheet(wb: Workbook, data: ReportData, number: int) -> None:
    """Each indicator's Theil index and CV² with the parts between and within the groups of each grouping
    (as the run stored them; for a run stored before, computed from its school parts by location and
    ownership)."""
    ws = wb.create_sheet(f"附表{number} 差异来源")
    header = ["学段", "指标", "指标名称", "分组方式", "泰尔指数", "组间", "组内", "组间占比",
              "差异系数平方", "组间", "组内", "组间占比"]  # fmt: skip
    formats = [None, None, None, None, SPLIT, SPLIT, SPLIT, PERCENT, SPLIT, SPLIT, SPLIT, PERCENT]
    rows: list[list[Any]] = []
    for lv, code, ind in data.cvs():
        if ind.decomposition is not None:
            splits = {
                key: {
                    m: (s.total, s.between, s.within, s.between_share) for m, s in (("theil", g.theil), ("cv2", g.cv2))
                }
                for key, g in ind.decomposition.items()
            }
        else:
            splits = {
                key: {m: (f["total"], f["between"], f["within"], f["between_share"]) for m, f in g.items()}
                for key, g in decomposition(data.schools(lv), code).items()
            }
        for key, split in splits.items():
            rows.append([LEVEL_ZH[lv], code, ind.name_zh, GROUPINGS[key][0], *split["theil"], *split["cv2"]])
    _sheet(ws, f"{data.county.name}{data.year}年度差异来源（组间与组内）", header, rows, formats)
    note = ws.max_row + 2
    ws.cell(note, 1).value = (
        "说明：组间是各组平均水平之间的差距，组内是同一组内各校之间的差距，组间 + 组内 = 合计；"
        "泰尔指数与差异系数平方均按在校生数加权。"
    )
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=len(header))
    ws.cell(note, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[note].height = 32


def annex_sheet_titles(data: ReportData) -> list[str]:
    """The annex's sheets as the report lists them: 附表1 小学指标 …"""
    titles = [f"附表{i} {LEVEL_ZH[level]}指标" for i, (level, _) in enumerate(data.levels, start=1)]
    n = len(titles)
    return [
        *titles,
        f"附表{n + 1} 差异系数",
        f"附表{n + 2} 学校达标",
        f"附表{n + 3} 县级指标",
        f"附表{n + 4} 差异来源",
    ]


def annex_xlsx(data: ReportData) -> bytes:
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook has
    number = 1
    for level, result in data.levels:
        _schools_sheet(wb, data, level, result, number)
        number += 1
    _cv_sheet(wb, data, number)
    _rules_sheet(wb, data, number + 1)
    _items_sheet(wb, data, number + 2)
    _decomposition_sheet(wb, data, number + 3)
    return workbook_bytes(wb)
