"""The supervision bulletin (督导通报) as .docx, in the layout a county supervision office issues:
red masthead 督导通报 with the issue number, the issuing office and date over a red rule, the
title, the addressees, 一、总体情况 / 二、各单位推进情况 (a table by unit) / 三、逾期未完成任务
(naming the units and their tasks) / 四、下一步工作要求, the signature and date, and the 抄送 line.

Figures are the tasks' states on the period's last day (``reports.county_progress``). Official
documents are in Chinese; the bulletin is not translated.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from dudao.orgs.models import Department, Region
from dudao.rectification.models import ProgressReport, Task
from dudao.rectification.reports import CountyProgress, county_progress, overdue_units
from dudao.rectification.status import days_overdue

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEADING_FONT = "宋体", "仿宋", "黑体"


@dataclass
class BulletinReport:
    county: Region
    number: int
    start: dt.date
    end: dt.date
    office: str
    title: str
    progress: CountyProgress
    overdue_units: list[Department]
    overdue: list[tuple[Department, list[Task]]]
    reports_in_period: dict[int, int]  # department pk → progress reports received in the period


def _office(county: Region) -> str:
    office = Department.objects.filter(county=county, kind=Department.Kind.SUPERVISION).first()
    return office.name if office else f"{county.name}人民政府教育督导室"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_report(county: Region, start: dt.date, end: dt.date, number: int) -> BulletinReport:
    progress = county_progress(county, end)
    overdue = overdue_units(progress)
    received: dict[int, int] = {}
    for dept_id in ProgressReport.objects.filter(
        task__county=county, at__date__gte=start, at__date__lte=end
    ).values_list("task__department_id", flat=True):
        received[dept_id] = received.get(dept_id, 0) + 1
    title = f"关于{county.name}义务教育优质均衡发展整改任务推进情况的通报（{_date(start)}至{_date(end)}）"
    return BulletinReport(
        county, number, start, end, _office(county), title, progress, [d for d, _ in overdue], overdue, received
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _font(run: Run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _para(
    doc: DocumentObject,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    indent: bool = False,
    color: RGBColor | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), font, size, bold, color)
    return p


def _rule(paragraph: Paragraph, color: str = "C00000", where: str = "bottom") -> None:
    """A horizontal line under (or over) a paragraph, as the red rule under a masthead."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc: DocumentObject, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    """A bordered table; ``widths`` in cm (the page holds about 15.6 cm)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 11)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _percent(done: int, total: int) -> str:
    return f"{done / total * 100:.1f}%" if total else "—"


def bulletin_docx(report: BulletinReport) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    progress, totals = report.progress, report.progress.totals
    total = sum(totals.values())

    _para(doc, "督导通报", font=TITLE_FONT, size=42, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _para(doc, f"{report.end.year}年第{report.number}期", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    masthead = _para(doc)
    masthead.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    _font(masthead.add_run(f"{report.office}\t{_date(report.end)}"), BODY_FONT, 14)
    _rule(masthead)
    _para(doc)
    _para(doc, report.title, font=TITLE_FONT, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc)
    _para(doc, "各乡镇人民政府、街道办事处，县直有关部门：")
    _para(doc, (
        f"为推进县域义务教育优质均衡发展，按照县政府工作方案和对标整改任务清单的要求，{report.office}对"
        f"{_date(report.start)}至{_date(report.end)}各单位任务推进情况进行了督查，现将有关情况通报如下："
    ), indent=True)  # fmt: skip

    _para(doc, "一、总体情况", font=HEADING_FONT, indent=True)
    overdue_names = "、".join(d.name for d in report.overdue_units)
    _para(doc, (
        f"截至{_date(report.end)}，全县共有整改及工作任务{total}项，已完成{totals['done']}项，"
        f"按期推进{totals['on_time']}项，存在滞后风险{totals['at_risk']}项，逾期未完成{totals['overdue']}项，"
        f"完成率{_percent(totals['done'], total)}。"
        + (f"{overdue_names}等{len(report.overdue_units)}个单位有任务逾期未完成。" if report.overdue_units else
           "所有任务均在时限内推进，无逾期未完成任务。")
    ), indent=True)  # fmt: skip

    _para(doc, "二、各单位推进情况", font=HEADING_FONT, indent=True)
    rows = []
    for i, unit in enumerate(progress.by_unit, start=1):
        c = unit.counts
        figures = [unit.total, c["done"], c["on_time"], c["at_risk"], c["overdue"]]
        received = report.reports_in_period.get(unit.pk, 0)
        rows.append([str(i), unit.name, *map(str, figures), _percent(c["done"], unit.total), str(received)])
    header = ["序号", "单位", "任务数", "已完成", "按期推进", "存在风险", "逾期", "完成率", "本期报送"]
    _table(doc, header, rows, [1.1, 4.6, 1.2, 1.2, 1.3, 1.3, 1.1, 1.6, 1.3])

    _para(doc, "三、逾期未完成任务", font=HEADING_FONT, indent=True)
    if report.overdue:
        named = "、".join(f"{d.name}（{len(ts)}项）" for d, ts in report.overdue)
        _para(doc, f"以下单位有任务超过完成时限仍未完成，予以通报：{named}。", indent=True)
        rows = []
        for dept, tasks in report.overdue:
            for task in tasks:
                late = str(days_overdue(task, report.end))
                rows.append([dept.name, task.title, f"{task.deadline:%Y-%m-%d}", late, f"{task.percent}%",
                             task.progress or "未报送进展"])  # fmt: skip
        header = ["责任单位", "任务", "完成时限", "逾期天数", "完成进度", "进展情况"]
        _table(doc, header, rows, [3.2, 4.4, 2.2, 1.3, 1.3, 3.2])
    else:
        _para(doc, "本期无逾期未完成任务。", indent=True)

    _para(doc, "四、下一步工作要求", font=HEADING_FONT, indent=True)
    for text in (
        "（一）逾期未完成任务的单位要认真分析原因，制定整改措施，明确完成时限，于通报印发后10个工作日内将整改情况"
        "书面报县人民政府教育督导室。",
        "（二）存在滞后风险的单位要倒排工期，加快推进，确保按期完成。",
        "（三）各单位要按时报送任务进展和佐证材料，县人民政府教育督导室将持续跟踪督办，并将任务完成情况纳入年度考核。",
    ):
        _para(doc, text, indent=True)
    _para(doc)
    _para(doc, report.office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _date(report.end), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc)
    cc = _para(doc, "抄送：县委、县人大、县政府、县政协有关领导。", size=14)
    _rule(cc, "000000", "top")
    _rule(cc, "000000", "bottom")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
