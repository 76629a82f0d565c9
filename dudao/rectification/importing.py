"""Task lists as county offices keep them in Excel: 序号, 任务, 责任单位, 配合单位, 完成时限, 进展情况.

:func:`read_task_list` reads the *whole* file and checks every row against the county (its
departments, dates, indicators) before anything is written; any problem raises
:class:`~dudao.engine.problems.InputError` listing every problem with sheet, row, column, value and
rule in Chinese and English, and nothing is imported. Title rows above the header, section rows
("一、师资配备"), notes ("注：…") and blank rows are passed over; a 责任单位 merged down over several
rows applies to each of them. A row equal to a task already in the plan (same 任务 and 责任单位) is
left as it is, so importing an exported list again adds nothing.

:func:`write_task_list` writes a plan's tasks in the same layout (importable again).

Rule codes: ``unknown_format``, ``file_too_large``, ``not_xlsx``, ``no_header``, ``missing_column``,
``no_rows``, ``required``, ``too_long``, ``unknown_department``, ``bad_date``, ``deadline_past``,
``unknown_indicator``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from dudao.engine.problems import InputError, Problem
from dudao.orgs.models import Region
from dudao.rectification.actions import (
    CheckedTask,
    RectificationError,
    check_deadline,
    check_department,
    check_indicators,
    check_text,
    today,
)
from dudao.rectification.models import Task, WorkPlan
from dudao.sheets.writer import workbook_bytes

MAX_BYTES = 5 * 1024 * 1024
HEADER_SCAN_ROWS = 10
# Column key → (header as written in the layout, other headers accepted, English).
COLUMNS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "number": ("序号", ("编号", "no", "no.", "number"), "No."),
    "title": ("任务", ("任务内容", "工作任务", "重点任务", "整改任务", "具体任务", "task"), "Task"),
    "department": (
        "责任单位",
        ("牵头单位", "责任部门", "牵头部门", "responsible unit", "department"),
        "Responsible unit",
    ),
    "cooperating": ("配合单位", ("协同单位", "配合部门", "参与单位", "cooperating units"), "Cooperating units"),
    "deadline": ("完成时限", ("时限", "完成时间", "时间节点", "截止时间", "deadline"), "Deadline"),
    "progress": ("进展情况", ("推进情况", "完成情况", "工作进展", "progress"), "Progress"),
    "indicators": ("服务指标", ("对应指标", "指标", "indicators"), "Indicators"),
}
REQUIRED = ("title", "department", "deadline")
_SPLIT = re.compile(r"[、，,；;/\n]+")
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")
_NOTE = re.compile(r"^\s*(注|备注|说明|填表|制表)")


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


_HEADERS = {_norm(name): key for key, (zh, aliases, _en) in COLUMNS.items() for name in (zh, *aliases)}


@dataclass
class ImportPlan:
    """What an import would add: tasks checked and ready, and rows equal to tasks already there."""

    tasks: list[CheckedTask] = field(default_factory=list)
    unchanged: int = 0
    sheet: str = ""


def _problem(rule: str, zh: str, en: str, sheet: str, row: int | None = None, column: str | None = None,
             value: Any = None) -> Problem:  # fmt: skip
    return Problem(rule, zh, en, sheet=sheet, row=row, column=column,
                   value=None if value is None or value == "" else str(value))  # fmt: skip


def _workbook(name: str, data: bytes) -> Any:
    suffix = Path(name).suffix.lower()
    if suffix != ".xlsx":
        raise InputError([_problem(
            "unknown_format",
            f"不支持的文件类型“{suffix or '（无扩展名）'}”：请上传 .xlsx 文件（可在 Excel 或 WPS 中另存为）",
            f"unsupported file type {suffix or '(none)'!r}: upload an .xlsx file", "", value=name,
        )])  # fmt: skip
    if len(data) > MAX_BYTES:
        raise InputError([_problem(
            "file_too_large", f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 5 MB",
            f"the file is too large ({len(data) / 1024 / 1024:.1f} MB; the limit is 5 MB)", "", value=name,
        )])  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise InputError([_problem(
            "not_xlsx", "文件不是有效的 .xlsx 工作簿（可能已损坏或改了扩展名）",
            "the file is not a valid .xlsx workbook (damaged, or another file renamed)", "", value=name,
        )]) from None  # fmt: skip


def _rows(ws: Any) -> list[list[Any]]:
    """The sheet's values with merged ranges filled (a unit merged over rows applies to each)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(rows[r - 1]):
                    rows[r - 1][c - 1] = value
    return rows


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int], dict[str, str]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        written: dict[str, str] = {}
        for col, cell in enumerate(row):
            key = _HEADERS.get(_norm(cell))
            if key and key not in found:
                found[key], written[key] = col, str(cell).strip()
        if "title" in found and ("department" in found or "deadline" in found):
            return index, found, written
    return None


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:底|末)?$"),
    re.compile(r"^(\d{4})年?(?:底|末|年底)$"),
)


def parse_deadline(value: Any) -> dt.date | None:
    """A date cell, 2025-12-31, 2025/12/31, 2025.12.31, 2025年12月31日, 2025年6月(底) → its last day,
    2025年底 → 31 December. None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = re.sub(r"\s+", "", str(value or ""))
    text = text.removeprefix("完成时限").removesuffix("前")
    if m := _DATE_FORMS[0].match(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := _DATE_FORMS[1].match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
            return first_next - dt.timedelta(days=1)
        return None
    if m := _DATE_FORMS[2].match(text):
        return dt.date(int(m[1]), 12, 31)
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_task_list(name: str, data: bytes | BinaryIO, plan: WorkPlan, on: dt.date | None = None) -> ImportPlan:
    """Check the whole file for ``plan``; raise :class:`InputError` with every problem found."""
    raw = data if isinstance(data, bytes) else data.read()
    county = Region.objects.get(pk=plan.county_id)
    wb = _workbook(name, raw)
    found = None
    for ws in wb.worksheets:
        rows = _rows(ws)
        header = _header(rows)
        if header is not None:
            found = (ws.title, rows, header)
            break
    if found is None:
        sheets = "、".join(f"“{ws.title}”" for ws in wb.worksheets)
        raise InputError([_problem(
            "no_header",
            f"所有工作表（{sheets}）的前 {HEADER_SCAN_ROWS} 行中都找不到表头"
            "（序号、任务、责任单位、配合单位、完成时限、进展情况）",
            f"no sheet has the header row (序号, 任务, 责任单位, 配合单位, 完成时限, 进展情况) in its first "
            f"{HEADER_SCAN_ROWS} rows", "", value=name,
        )])  # fmt: skip
    sheet, rows, (header_index, cols, written) = found
    problems = [
        _problem("missing_column", f"缺少“{COLUMNS[key][0]}”列",
                 f"the {COLUMNS[key][2]} ({COLUMNS[key][0]}) column is missing", sheet, header_index + 1,
                 COLUMNS[key][0])
        for key in REQUIRED if key not in cols
    ]  # fmt: skip
    if problems:
        raise InputError(problems)
    existing = {(t.title, t.department_id) for t in Task.objects.filter(plan=plan)}
    out = ImportPlan(sheet=sheet)
    seen_rows = 0
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cell = {key: row[col] if col < len(row) else None for key, col in cols.items()}
        title, unit = _text(cell.get("title")), _text(cell.get("department"))
        first = _text(row[0]) if row else ""
        if not any(_text(v) for v in row):
            continue
        if _NOTE.match(first) or _NOTE.match(title):
            continue
        if not unit and not _text(cell.get("deadline")) and (_SECTION.match(first) or _SECTION.match(title)):
            continue  # a section heading: 一、师资配备
        seen_rows += 1
        checked = _check_row(county, cell, written, on or today(), sheet, offset, problems)
        if checked is None:
            continue
        if (checked.title, checked.department.pk) in existing:
            out.unchanged += 1
            continue
        out.tasks.append(checked)
    if not seen_rows and not problems:
        problems.append(_problem("no_rows", "表中没有任务行", "the sheet holds no task rows", sheet, header_index + 2))
    if problems:
        raise InputError(problems)
    return out


def _check_row(
    county: Region,
    cell: dict[str, Any],
    written: dict[str, str],
    on: dt.date,
    sheet: str,
    row: int,
    problems: list[Problem],
) -> CheckedTask | None:
    """Each field by its own rule, so every problem of the row names its column; None if any."""
    before = len(problems)
    out: dict[str, Any] = {}
    units = [u for u in _SPLIT.split(_text(cell.get("cooperating"))) if u.strip()]
    codes = [c for c in re.split(r"[、，,\s]+", _text(cell.get("indicators"))) if c]
    deadline = parse_deadline(cell.get("deadline"))

    def check_date() -> dt.date:
        if deadline is None and _text(cell.get("deadline")):  # a missing one is check_deadline's
            raise RectificationError(
                "bad_date", "完成时限无法识别，请写成 2025-12-31、2025年12月31日 或 2025年12月底",
                "the deadline is not a date; write it as 2025-12-31, 2025年12月31日 or 2025年12月底",
            )  # fmt: skip
        return check_deadline(deadline, on)

    checks = (
        ("title", lambda: check_text(_text(cell.get("title")), "任务内容", "the task")),
        ("department", lambda: check_department(county, _text(cell.get("department")) or None)),
        ("deadline", check_date),
        ("indicators", lambda: check_indicators(codes)),
    )
    for key, check in checks:
        try:
            out[key] = check()
        except RectificationError as error:
            value = error.details[0].get("value") if error.details else _text(cell.get(key))
            problems.append(_problem(error.code, error.message_zh, error.message_en, sheet, row,
                                     written.get(key, COLUMNS[key][0]), value))  # fmt: skip
    lead = out.get("department")
    cooperating = []
    for unit in units:
        try:
            dept = check_department(county, unit)
        except RectificationError as error:
            problems.append(_problem(error.code, error.message_zh, error.message_en, sheet, row,
                                     written.get("cooperating", "配合单位"), unit))  # fmt: skip
            continue
        if (lead is None or dept.pk != lead.pk) and dept not in cooperating:
            cooperating.append(dept)
    if len(problems) > before:
        return None
    return CheckedTask(out["title"], lead, out["deadline"], cooperating, out["indicators"], [],
                       _text(cell.get("progress")))  # fmt: skip


def write_task_list(plan: WorkPlan, tasks: list[Task]) -> bytes:
    """The plan's tasks in the familiar layout, with a title row; importable again."""
    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    headers = ["序号", "任务", "责任单位", "配合单位", "完成时限", "进展情况"]
    title = plan.title + (f"（{plan.doc_no}）" if plan.doc_no else "")
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append(headers)
    thin = Side(style="thin", color="000000")
    for task in tasks:
        ws.append([
            task.number, task.title, task.department.name, "、".join(d.name for d in task.cooperating.all()),
            task.deadline, task.progress,
        ])  # fmt: skip
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="center" if cell.column in (1, 5) else "left"
            )
            if cell.row == 2:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center")
            if cell.column == 5 and cell.row > 2:
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate((6, 48, 20, 24, 13, 40), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    return workbook_bytes(wb)
