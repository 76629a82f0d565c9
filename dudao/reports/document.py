"""The self-evaluation report (自查自评报告) as .docx, written over an editable template.

Why python-docx over a shipped template (and not docxtpl): the report's body is mostly tables whose
rows and columns depend on the standard (2017 has L1–L7, 2012 B1–B8) and on the county's data,
which python-docx writes directly, with no new dependency (it already writes the bulletin). What a
county edits lives in the template, ``dudao/reports/template/self_evaluation.docx`` (or the file
``settings.DUDAO_REPORT_TEMPLATE`` / ``dudao report --template`` names, or the one the county's
supervision office uploaded on its reports page, ``ReportTemplate``): page size and margins,
the footer with the page number (— 1 —), the styles of the headings and body text (黑体 for 一、,
楷体 for （一）, 仿宋 三号 for text, fixed 28 pt lines) and the cover paragraphs before the body,
where ``{县名}``, ``{年度}``, ``{标准}``, ``{文号}`` and ``{日期}`` are filled in. The generated
text follows 一、（一）1. numbering.

Every figure comes from :class:`dudao.reports.content.ReportData` (the stored run).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import CharacterStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from dudao.engine.fields import LEVEL_ZH
from dudao.engine.problems import InputError
from dudao.engine.result import Area, LevelIndicator
from dudao.errors import ActionError, Both
from dudao.reports import charts
from dudao.reports.content import (
    AREA_STATUS_ZH,
    LOCATIONS,
    ReportData,
    item_value_zh,
    location_zh,
    threshold_zh,
    unmet_codes,
    verdict_zh,
)
from dudao.sheets.ooxml import clean_docx

TEMPLATE = Path(__file__).parent / "template" / "self_evaluation.docx"
NUMERALS = "一二三四五六七八九十"
BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "仿宋", "黑体", "楷体"


def template_path() -> Path:
    return Path(settings.DUDAO_REPORT_TEMPLATE or TEMPLATE)


REQUIRED_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid")


class TemplateRefused(ActionError, ValueError):
    """A report template that cannot be used (docs/adr/0026)."""


def safe_template(content: bytes, name: str) -> bytes:
    """A template from outside, made safe (:func:`dudao.sheets.ooxml.clean_docx`: within the upload bounds,
    without external relationships — Word would fetch an attached template, a linked picture or frame from
    wherever they point when the report is opened — nor macros or fields that fetch or run something).
    Refused with ``TemplateRefused`` naming why."""
    try:
        return clean_docx(content, name)
    except InputError as error:
        problem = error.problems[0]
        raise TemplateRefused.bilingual(problem.rule, problem.message_zh, problem.message_en) from None


def check_template(content: bytes) -> None:
    """A county's template must open as a Word document and keep the styles the report uses."""
    try:
        doc = Document(io.BytesIO(content))
    except Exception:  # python-docx raises several kinds for a file that is no .docx
        raise TemplateRefused("not_docx", gettext_lazy("模板无法作为Word文档（.docx）打开")) from None
    names = {style.name for style in doc.styles}
    missing = [name for name in REQUIRED_STYLES if name not in names]
    if missing:
        raise TemplateRefused(
            "styles",
            gettext_lazy("模板缺少样式：%(join_missing)s（请在默认模板上修改）"),
            join_missing=Both("、".join(missing), ", ".join(missing)),
        )


# ---------------------------------------------------------------------------------------------
# The template (run `dudao report --write-template FILE` to start a county's own from this one)


def _style_font(style: CharacterStyle, name: str, size: float, bold: bool = False) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — centred: the page number field as official documents print it."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run(" —")


def build_template() -> bytes:
    """The shipped template: A4, GB/T 9704 margins, styles, footer page number and the cover."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONT, 16)
    fmt = normal.paragraph_format
    fmt.line_spacing, fmt.space_before, fmt.space_after = Pt(28), Pt(0), Pt(0)
    fmt.first_line_indent = Pt(32)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT), ("Heading 3", BODY_FONT)):
        style = doc.styles[name]
        _style_font(style, font, 16, bold=name == "Heading 3")
        style.font.color.rgb = None
        f = style.paragraph_format
        f.line_spacing, f.space_before, f.space_after, f.first_line_indent = Pt(28), Pt(0), Pt(0), Pt(32)
    title = doc.styles["Title"]
    _style_font(title, "宋体", 22, bold=True)
    title.font.color.rgb = None
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.element.get_or_add_pPr()  # keep the style's paragraph properties in the file
    _page_number(section.footer.paragraphs[0])
    doc.add_paragraph("{县名}义务教育优质均衡发展督导评估自查自评报告", style="Title")
    doc.add_paragraph("（{年度}年度）", style="Title")
    doc.add_paragraph("")
    doc.add_paragraph(
        "按照《{标准}》（{文号}）要求，{县名}人民政府组织有关部门对照评估标准，"
        "依据{年度}年度教育事业统计和学校填报数据，对县域义务教育优质均衡发展情况进行了全面自查。"
        "本报告所列数据均取自督导平台于{日期}完成的评估结果。现将自查自评情况报告如下："
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fill(doc: DocumentObject, values: dict[str, str]) -> None:
    """Fill ``{县名}`` … in the template's paragraphs (run by run, then across runs if split)."""
    for paragraph in doc.paragraphs:
        if "{" not in paragraph.text:
            continue
        for run in paragraph.runs:
            for key, value in values.items():
                run.text = run.text.replace(key, value)
        text = paragraph.text
        if any(key in text for key in values):  # a placeholder split over runs by an editor
            for key, value in values.items():
                text = text.replace(key, value)
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = text


# ---------------------------------------------------------------------------------------------
# Writing


class _Writer:
    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.h1 = self.h2 = 0

    def heading1(self, text: str) -> None:
        self.h2 = 0
        self.doc.add_paragraph(f"{NUMERALS[self.h1]}、{text}", style="Heading 1")
        self.h1 += 1

    def heading2(self, text: str) -> None:
        self.doc.add_paragraph(f"（{NUMERALS[self.h2]}）{text}", style="Heading 2")
        self.h2 += 1

    def heading3(self, number: int, text: str) -> None:
        self.doc.add_paragraph(f"{number}.{text}", style="Heading 3")

    def text(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def caption(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        run = p.add_run(text)
        run.font.size = Pt(12)
        run.font.bold = True

    def table(self, header: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, bold=True)
        for values in rows:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                self._cell(cell, text)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)

    @staticmethod
    def _cell(cell: _Cell, text: str, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.font.size = Pt(10.5)
        run.font.bold = bold

    def image(self, png: bytes) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        p.add_run().add_picture(io.BytesIO(png), width=Cm(14.5))


def fmt(value: float | int | None, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{places}f}"


def cv_text(indicator: LevelIndicator) -> str:
    return "—" if indicator.cv_3dp is None else f"{indicator.cv_3dp:.3f}"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _basics(w: _Writer, data: ReportData) -> None:
    w.heading1("基本情况")
    total_schools = sum(b.schools for b in data.basics)
    total_students = sum(b.students for b in data.basics)
    parts = "；".join(
        f"{LEVEL_ZH[b.level]}{b.schools}所，在校生{b.students}人，专任教师{b.teachers}人" for b in data.basics
    )
    w.text(
        f"{data.county.name}纳入本次评估的义务教育学校（一贯制学校按学段分别计）共{total_schools}所，"
        f"在校生{total_students}人。其中{parts}。"
    )
    excluded = data.result.excluded
    if excluded:
        w.text(f"另有{len(excluded)}所学校（教学点等）按标准规定不参与校际差异系数计算。")
    w.caption("表1  义务教育学校基本情况（按学段、城乡分布）")
    header = ["学段", "学校数", "在校生数", "专任教师数"]
    for loc in LOCATIONS:
        header += [f"{location_zh(loc)}学校", f"{location_zh(loc)}学生"]
    rows = []
    for b in data.basics:
        row = [LEVEL_ZH[b.level], str(b.schools), str(b.students), str(b.teachers)]
        for loc in LOCATIONS:
            row += [str(b.by_location[loc][0]), str(b.by_location[loc][1])]
        rows.append(row)
    w.table(header, rows)


def _resources(w: _Writer, data: ReportData, table_no: int) -> int:
    area = data.result.areas.get("RA")
    name, status = (area.name_zh, area.status) if area is not None else ("资源配置", None)
    w.heading2(f"{name}（{AREA_STATUS_ZH.get(status or '', '待定')}）")
    w.heading3(1, "校际差异系数")
    w.caption(f"表{table_no}  校际差异系数")
    rows = [
        [LEVEL_ZH[lv], code, ind.name_zh, fmt(ind.mean), cv_text(ind), fmt(ind.cv_limit), verdict_zh(ind.cv_passed)]
        for lv, code, ind in data.cvs()
    ]  # fmt: skip
    w.table(
        ["学段", "指标", "指标名称", "县域均值", "差异系数", "限值", "结论"], rows, [1.3, 1.3, 5.2, 2.2, 1.8, 1.6, 1.6]
    )
    table_no += 1
    for level, result in data.levels:
        if result.composite_cv_3dp is not None:
            w.text(
                f"{LEVEL_ZH[level]}综合差异系数为{result.composite_cv_3dp:.3f}，限值为{fmt(result.composite_cv_limit)}，"
                f"{verdict_zh(result.composite_cv_passed)}。"
            )
    for level, _ in data.levels:
        w.image(charts.cv_chart(data, level))
    w.heading3(2, "学校达标情况")
    for level, result in data.levels:
        if result.schools_passed is None:  # a standard without a per-school rule (2012)
            continue
        w.text(
            f"{LEVEL_ZH[level]}{result.schools_total}所学校中，{result.schools_passed}所达到每校要求，"
            f"{result.schools_failed}所未达到，{result.schools_undetermined}所暂无法判定。"
        )
    for level, result in data.levels:
        if result.schools_passed is not None:
            w.image(charts.compliance_chart(data, level))
    w.caption(f"表{table_no}  学校达标情况")
    rows = []
    for level, _ in data.levels:
        for s in data.schools(level):
            rows.append([
                s.school_name, LEVEL_ZH[level], location_zh(s.location), str(s.students),
                "—" if s.met_count is None else f"{s.met_count}/{s.indicator_count}",
                "、".join(unmet_codes(s)) or "—", verdict_zh(s.passed),
            ])  # fmt: skip
    w.table(
        ["学校", "学段", "城乡", "学生数", "达标指标", "未达标指标", "结论"], rows, [4.4, 1.3, 1.3, 1.8, 1.8, 2.6, 1.6]
    )
    return table_no + 1


def _items_area(w: _Writer, data: ReportData, area: Area, table_no: int) -> int:
    w.heading2(f"{area.name_zh}（{AREA_STATUS_ZH.get(area.status, '待定')}）")
    if area.code == "SR":
        item = data.recognition()
        if item is not None:
            threshold = f"{item.threshold * 100:.0f}%" if item.threshold is not None else "—"
            if item.value is None:
                w.text(f"社会认可度调查结果尚未录入（标准：不低于{threshold}）。")
            else:
                source = f"（{data.notes['SR-01']}）" if data.notes.get("SR-01") else ""
                w.text(
                    f"社会认可度调查结果为{item_value_zh(item)}{source}，标准为不低于{threshold}，"
                    f"{verdict_zh(item.passed)}。"
                )
    w.caption(f"表{table_no}  {area.name_zh}指标")
    rows = []
    for item in area.items or []:
        evidence = "、".join(data.evidence.get(item.code, [])) or "—"
        rows.append(
            [
                item.code,
                item.name_zh,
                item_value_zh(item),
                threshold_zh(item),
                verdict_zh(item.passed),
                evidence,
            ]
        )
    w.table(["代码", "指标", "取值", "标准", "结论", "佐证材料"], rows, [1.8, 5.8, 1.8, 2.0, 1.4, 2.8])
    return table_no + 1


def _problems(w: _Writer, data: ReportData, table_no: int) -> None:
    w.heading1("存在的问题及整改措施")
    w.heading2("存在的问题")
    reasons = [r.message_zh for area in data.result.areas.values() for r in area.reasons]
    reasons += [v.message_zh for v in data.result.vetoes]
    for i, reason in enumerate(reasons, start=1):
        w.text(f"{i}.{reason}。" if not reason.endswith("。") else f"{i}.{reason}")
    if not reasons:
        w.text("经自查，未发现不达标问题。")
    w.heading2("整改措施")
    if data.problems:
        w.text(f"针对上述问题，县政府已确定整改事项{len(data.problems)}项，明确责任单位和完成时限，逐项推进整改：")
        w.caption(f"表{table_no}  整改事项清单")
        rows = [[str(p.number), p.finding, p.target, p.department, f"{p.deadline:%Y-%m-%d}", p.status]
                for p in data.problems]  # fmt: skip
        w.table(["序号", "问题", "整改目标", "责任单位", "完成时限", "状态"], rows, [1.2, 4.4, 3.6, 2.6, 2.2, 1.6])
    else:
        w.text("尚未录入整改事项。")


def _conclusion(w: _Writer, data: ReportData) -> None:
    w.heading1("自评结论")
    passed = data.result.passed
    areas = "，".join(f"{a.name_zh}{AREA_STATUS_ZH.get(a.status, '待定')}" for a in data.result.areas.values())
    if passed is True:
        verdict = "达到义务教育优质均衡发展督导评估标准"
    elif passed is False:
        verdict = "尚未达到义务教育优质均衡发展督导评估标准，需按整改措施继续推进"
    else:
        verdict = "部分指标尚待录入或认定，暂不能作出总体结论"
    w.text(f"经自查，{data.county.name}{data.year}年度{areas}。综合判定：{verdict}。")


def report_docx(data: ReportData, template: Path | str | IO[bytes] | None = None) -> bytes:
    """The report over ``template`` (a path or an open file; by default the shipped one). A template that
    is not safe (see :func:`safe_template`) is ``TemplateRefused``."""
    if template is None:
        doc = Document(str(template_path()))  # the shipped one (or the site's, named by the administrator)
    else:  # a county's own: made safe again, also if it was stored before templates were cleaned
        template = Path(template) if isinstance(template, str) else template
        name = template.name if isinstance(template, Path) else "template.docx"
        content = template.read_bytes() if isinstance(template, Path) else template.read()
        doc = Document(io.BytesIO(safe_template(content, name)))
    standard = data.standard
    _fill(doc, {
        "{县名}": data.county.name, "{年度}": str(data.year), "{标准}": standard.title_zh or "",
        "{文号}": standard.doc_no or "", "{日期}": _date(data.run.created_at.date()),
    })  # fmt: skip
    w = _Writer(doc)
    _basics(w, data)
    w.heading1("评估结果")
    table_no = _resources(w, data, 2)
    for area in data.item_areas():
        table_no = _items_area(w, data, area, table_no)
    if data.result.vetoes:
        w.heading2("一票否决")
        for veto in data.result.vetoes:
            w.text(veto.message_zh)
    _problems(w, data, table_no)
    _conclusion(w, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
