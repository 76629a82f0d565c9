"""Task lists as county offices keep them in Excel: 序号, 任务, 责任单位, 配合单位, 完成时限, 进展情况.

:func:`read_task_list` reads the *whole* file and checks every row against the county (its
departments, dates, indicators) before anything is written; any problem raises
:class:`~dudao.engine.problems.InputError` listing every problem with sheet, row, column, value and
rule in Chinese and English, and nothing is imported. Title rows above the header, section rows
("一、师资配备"), notes ("注：…") and blank rows are passed over; a 责任单位 merged down over several
rows applies to each of them. A row equal to a task already in the plan (same 任务 and 责任单位) is
left as it is, so importing an exported list again adds nothing.

:func:`write_task_list` writes a plan's tasks in the same layout (importable again).

The file is read by the generic sheet reader (:func:`dudao.sheets.table.read_table`, within the
upload bounds and at most 5 MB), as every spreadsheet import is.

Rule codes: the reader's (``unknown_format``, ``xls_not_supported``, ``file_too_large``, ``not_xlsx``,
the bounds, ``no_header``, ``missing_column``, ``duplicate_column``, ``formula_not_calculated``, …) and
``no_rows``, ``required``, ``too_long``, ``unknown_department``, ``bad_date``, ``deadline_past``,
``unknown_indicator``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
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
from dudao.sheets.limits import current_limits
from dudao.sheets.table import ColumnSpec, Row, read_table
from dudao.sheets.writer import workbook_bytes

MAX_BYTES = 5 * 1024 * 1024
# The task list's columns: key, header as written in the layout, other headers accepted, English.
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
_DEADLINE_RULE = (
    "bad_date", "完成时限无法识别，请写成 2025-12-31、2025年12月31日 或 2025年12月底",
    "the deadline is not a date; write it as 2025-12-31, 2025年12月31日 or 2025年12月底",
)  # fmt: skip


def _specs() -> list[ColumnSpec]:
    """The columns for :func:`dudao.sheets.table.read_table`: every cell read as written (text), but the
    deadline, read as a date; each is then checked against the county by the task rules."""
    return [
        ColumnSpec(key, zh, "date" if key == "deadline" else "text", aliases, required=key in REQUIRED,
                   nonempty=False, parse=parse_deadline if key == "deadline" else None,
                   invalid=_DEADLINE_RULE if key == "deadline" else None)
        for key, (zh, aliases, _en) in COLUMNS.items()
    ]  # fmt: skip


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


def read_task_list(name: str, data: bytes | BinaryIO, plan: WorkPlan, on: dt.date | None = None) -> ImportPlan:
    """Check the whole file for ``plan``; raise :class:`InputError` with every problem found. The file
    is read within the upload bounds, at most 5 MB (:func:`dudao.sheets.table.read_table`)."""
    raw = data if isinstance(data, bytes) else data.read(MAX_BYTES + 1)
    county = Region.objects.get(pk=plan.county_id)
    limits = replace(current_limits(), file_bytes=min(MAX_BYTES, current_limits().file_bytes))
    table = read_table(raw, _specs(), name=Path(name).name or "upload.xlsx", formats=("xlsx",), limits=limits,
                       strict=False)  # fmt: skip
    problems: list[Problem] = list(table.problems)
    existing = {(t.title, t.department_id) for t in Task.objects.filter(plan=plan)}
    out = ImportPlan(sheet=table.sheet)
    seen_rows = 0
    for row in table.rows:
        first, title = row["number"] or "", row["title"] or ""
        if not row["department"] and row["deadline"] is None and (_SECTION.match(first) or _SECTION.match(title)):
            continue  # a section heading: 一、师资配备
        seen_rows += 1
        checked = _check_row(county, row, table.headers, on or today(), table.sheet, problems)
        if checked is None:
            continue
        if (checked.title, checked.department.pk) in existing:
            out.unchanged += 1
            continue
        out.tasks.append(checked)
    if not seen_rows and not problems:
        problems.append(_problem("no_rows", "表中没有任务行", "the sheet holds no task rows", table.sheet,
                                 table.header_row + 1))  # fmt: skip
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.row or 0))
    return out


def _check_row(
    county: Region, row: Row, written: dict[str, str], on: dt.date, sheet: str, problems: list[Problem]
) -> CheckedTask | None:
    """Each field by its own rule, so every problem of the row names its column; None if any (a
    deadline that is no date was named by the reader already)."""
    before = len(problems)
    out: dict[str, Any] = {}
    units = [u for u in _SPLIT.split(row["cooperating"] or "") if u.strip()]
    codes = [c for c in re.split(r"[、，,\s]+", row["indicators"] or "") if c]
    unreadable = "deadline" in row.invalid

    checks = (
        ("title", lambda: check_text(row["title"] or "", "任务内容", "the task")),
        ("department", lambda: check_department(county, row["department"] or None)),
        ("deadline", lambda: None if unreadable else check_deadline(row["deadline"], on)),
        ("indicators", lambda: check_indicators(codes)),
    )
    for key, check in checks:
        try:
            out[key] = check()
        except RectificationError as error:
            value = error.details[0].get("value") if error.details else row[key]
            if isinstance(value, dt.date):
                value = value.isoformat()
            problems.append(_problem(error.code, error.message_zh, error.message_en, sheet, row.row,
                                     written.get(key, COLUMNS[key][0]), value))  # fmt: skip
    lead = out.get("department")
    cooperating = _cooperating(county, units, lead, written.get("cooperating", "配合单位"), sheet, row.row, problems)
    if len(problems) > before or unreadable:
        return None
    return CheckedTask(out["title"], out["department"], out["deadline"], cooperating, out["indicators"], [],
                       row["progress"] or "")  # fmt: skip


def _cooperating(
    county: Region, units: list[str], lead: Any, column: str, sheet: str, row: int, problems: list[Problem]
) -> list[Any]:
    """The cooperating units named (each checked; the lead unit and repeats left out)."""
    cooperating: list[Any] = []
    for unit in units:
        try:
            dept = check_department(county, unit)
        except RectificationError as error:
            problems.append(_problem(error.code, error.message_zh, error.message_en, sheet, row, column, unit))
            continue
        if (lead is None or dept.pk != lead.pk) and dept not in cooperating:
            cooperating.append(dept)
    return cooperating


def write_task_list(plan: WorkPlan, tasks: list[Task]) -> bytes:
    """The plan's tasks in the familiar layout, with a title row; importable again."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
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
            if cell.column == 5 and cell.row is not None and cell.row > 2:
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate((6, 48, 20, 24, 13, 40), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    return workbook_bytes(wb)
