"""The self-evaluation report (自查自评报告) as .docx, written over an editable template.

Why python-docx over a shipped template (and not docxtpl): the report's body is mostly tables whose
rows and columns depend on the standard (2017 has L1–L7, 2012 B1–B8) and on the county's data,
which python-docx writes directly, with no new dependency (it already writes the bulletin). What a
county edits lives in the template, ``dudao/reports/template/self_evaluation.docx`` (or the file
``settings.DUDAO_REPORT_TEMPLATE`` / ``dudao report --template`` names, or the one the county's
supervision office uploaded on its reports page, ``ReportTemplate``): page size and margins,
the footer with the page number (— 1 —, odd pages right, even pages left), the styles of the headings and
body text after GB/T 9704 and the cover paragraphs before the body, where ``{发文字号}`` (the report's own
文号, entered by the county), ``{县名}``, ``{年度}``, ``{标准}``, ``{文号}`` (the standard's) and ``{日期}``
are filled in. The generated text follows 一、（一）1.（1） numbering and ends with the 落款.

Fonts are named as Chinese offices have them (方正小标宋简体 for the title, 黑体 for 一、, 楷体_GB2312 for
（一）, 仿宋_GB2312 for the text, 三号 = 16 pt); Latin letters and digits in Times New Roman. Where those
fonts are not installed (Linux, LibreOffice) fontconfig falls back to a CJK font that is (Noto Sans CJK,
``fonts-noto-cjk``), so the text is never drawn as boxes: ``tests/reports/test_reports.py`` converts the
report to PDF in LibreOffice and checks the font of every Chinese character.

Every figure comes from :class:`dudao.reports.content.ReportData` (the stored run).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone
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
from dudao.reports.annex import annex_sheet_titles
from dudao.reports.content import (
    AREA_STATUS_ZH,
    LOCATIONS,
    Heading,
    ReportData,
    file_names,
    item_value_zh,
    location_zh,
    threshold_zh,
    unmet_codes,
    verdict_zh,
)
from dudao.reports.findings import Gap, problems
from dudao.sheets.ooxml import clean_docx

TEMPLATE = Path(__file__).parent / "template" / "self_evaluation.docx"
NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一, 20 → 二十 (headings of any count)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
LATIN_FONT = "Times New Roman"
CHAR = Pt(16)  # one character of 三号 text: indents are counted in characters


def template_path() -> Path:
    return Path(settings.DUDAO_REPORT_TEMPLATE or TEMPLATE)


REQUIRED_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Table Grid")


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
    """The style's fonts: ``name`` for Chinese (eastAsia), Times New Roman for Latin letters and digits."""
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _chinese_by_default(doc: DocumentObject) -> None:
    """Mark the document's text as Chinese (zh-CN), so that a word processor without the named fonts picks
    a simplified-Chinese fallback and applies Chinese line breaking."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _field(paragraph: Paragraph, code: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _page_number(paragraph: Paragraph, odd: bool) -> None:
    """— PAGE — as GB/T 9704 prints it: 4号 (14 pt) 宋体, odd pages on the right and even pages on the left,
    one character in from the edge of the text block."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.right_indent, fmt.left_indent = (Pt(14), Pt(0)) if odd else (Pt(0), Pt(14))
    paragraph.add_run("— ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = Pt(14)
        run.font.name = LATIN_FONT
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _odd_and_even_pages(doc: DocumentObject) -> None:
    settings_element = doc.settings.element
    if settings_element.find(qn("w:evenAndOddHeaders")) is None:
        settings_element.append(OxmlElement("w:evenAndOddHeaders"))


def _styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONT, 16)
    fmt = normal.paragraph_format
    fmt.line_spacing, fmt.space_before, fmt.space_after = Pt(28), Pt(0), Pt(0)
    fmt.first_line_indent = 2 * CHAR
    fmt.widow_control = False
    levels = (("Heading 1", HEADING_FONT, False), ("Heading 2", SUBHEADING_FONT, False),
              ("Heading 3", BODY_FONT, True), ("Heading 4", BODY_FONT, False))  # fmt: skip
    for name, font, bold in levels:
        style = doc.styles[name]
        _style_font(style, font, 16, bold=bold)
        style.font.color.rgb = None
        style.font.italic = False
        f = style.paragraph_format
        f.line_spacing, f.space_before, f.space_after, f.first_line_indent = Pt(28), Pt(0), Pt(0), 2 * CHAR
        f.keep_with_next = True
    title = doc.styles["Title"]
    _style_font(title, TITLE_FONT, 22)
    title.font.color.rgb = None
    f = title.paragraph_format
    f.alignment, f.first_line_indent, f.line_spacing = WD_ALIGN_PARAGRAPH.CENTER, Pt(0), Pt(36)
    f.space_before, f.space_after = Pt(0), Pt(0)
    border = title.element.get_or_add_pPr().find(qn("w:pBdr"))  # Word's Title has a rule under it: none here
    if border is not None:
        border.getparent().remove(border)


def build_template() -> bytes:
    """The shipped template: A4, GB/T 9704 margins (text block 156 × 225 mm), styles, the page numbers,
    the 文号 line, the title and the opening paragraph."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    _styles(doc)
    _chinese_by_default(doc)
    _odd_and_even_pages(doc)
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    number = doc.add_paragraph("{发文字号}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.first_line_indent = Pt(0)
    doc.add_paragraph("")
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
    """Fill ``{县名}`` … in the template's paragraphs (run by run, then across runs if split). A paragraph
    that held nothing but placeholders left empty (no 文号 entered) is removed."""
    for paragraph in doc.paragraphs:
        if "{" not in paragraph.text:
            continue
        parent = paragraph._p.getparent()
        if paragraph.text.strip() in values and not values[paragraph.text.strip()] and parent is not None:
            parent.remove(paragraph._p)
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
        self.doc.add_paragraph(f"{_numeral(self.h1 + 1)}、{text}", style="Heading 1")
        self.h1 += 1

    def heading2(self, text: str) -> None:
        self.doc.add_paragraph(f"（{_numeral(self.h2 + 1)}）{text}", style="Heading 2")
        self.h2 += 1

    def heading3(self, number: int, text: str) -> None:
        self.doc.add_paragraph(f"{number}.{text}", style="Heading 3")

    def heading4(self, number: int, text: str) -> None:
        self.doc.add_paragraph(f"（{number}）{text}", style="Heading 4")

    def right(self, text: str, indent: float) -> None:
        """A line of the 落款, right-aligned ``indent`` points in from the right edge of the text block."""
        p = self.doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(max(indent, 0))

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
    total_teachers = sum(b.teachers for b in data.basics)
    parts = "；".join(
        f"{LEVEL_ZH[b.level]}{b.schools}所，在校生{b.students}人，专任教师{b.teachers}人" for b in data.basics
    )
    w.text(
        f"{data.county.name}纳入本次评估的义务教育学校（一贯制学校按学段分别计）共{total_schools}所，"
        f"在校生{total_students}人，专任教师{total_teachers}人。其中{parts}。"
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


def _practice(w: _Writer, data: ReportData) -> None:
    """二、主要做法与成效: the county's own texts, then the work the platform records."""
    facts = data.facts
    if not data.practice and not facts.any():
        return
    w.heading1("主要做法与成效")
    for part in data.practice:
        w.heading2(part.title.strip().rstrip("。"))
        for line in part.body.splitlines():
            if line.strip():
                w.text(line.strip())
    sentences = []
    if facts.items:
        sentences.append(f"对照评估发现的短板，确定整改事项{facts.items}项，已整改到位{facts.items_done}项")
    if facts.tasks:
        sentences.append(f"工作方案明确部门任务{facts.tasks}项，已完成并通过验收{facts.tasks_done}项")
    if facts.meetings:
        since = f"{facts.first_meeting.year}年{facts.first_meeting.month}月以来" if facts.first_meeting else ""
        sentences.append(f"{since}召开义务教育优质均衡发展会商会{facts.meetings}次，议定事项{facts.decisions}项，"
                         f"已落实{facts.decisions_done}项")  # fmt: skip
    if facts.leaders:
        sentences.append(f"{facts.leaders}名县领导联系{facts.liaison_schools}所学校，走访学校{facts.visits}次，"
                         f"为学校办实事{facts.matters}件、已办结{facts.matters_done}件")  # fmt: skip
    if sentences:
        w.heading2("推进整改和部门协同")
        w.text("；".join(sentences) + "。")


def _resources(w: _Writer, data: ReportData, table_no: int) -> int:
    area = data.result.areas.get("RA")
    name, status = (area.name_zh, area.status) if area is not None else ("资源配置", None)
    w.heading2(f"{name}（{AREA_STATUS_ZH.get(status or '', '待定')}）" if status in DECIDED else name)
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
    for number, (level, result) in enumerate(data.levels, start=1):
        w.heading4(number, LEVEL_ZH[level])
        passed = sum(1 for ind in result.indicators.values() if ind.cv_passed is True)
        text = f"{LEVEL_ZH[level]}{len(result.indicators)}项指标中，{passed}项校际差异系数在限值以内。"
        if result.composite_cv_3dp is not None:
            text += (f"综合差异系数为{result.composite_cv_3dp:.3f}，限值为{fmt(result.composite_cv_limit)}，"
                     f"{verdict_zh(result.composite_cv_passed)}。")  # fmt: skip
        w.text(text)
        w.image(charts.cv_chart(data, level))
    w.heading3(2, "学校达标情况")
    for level, result in data.levels:
        if result.schools_passed is None:  # a standard without a per-school rule (2012)
            continue
        w.text(f"{LEVEL_ZH[level]}{result.schools_total}所学校中，{result.schools_passed}所达到每校要求，"
               f"{result.schools_failed}所未达到。")  # fmt: skip
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


DECIDED = ("passed", "failed")


def _items_area(w: _Writer, data: ReportData, area: Area, table_no: int) -> int:
    """An area judged from county items: only the items entered (what is missing is in the note)."""
    entered = [item for item in area.items or [] if item.value is not None]
    w.heading2(f"{area.name_zh}（{AREA_STATUS_ZH[area.status]}）" if area.status in DECIDED else area.name_zh)
    item = data.recognition() if area.code == "SR" else None
    if item is not None and item.value is not None:
        threshold = f"{item.threshold * 100:.0f}%" if item.threshold is not None else "—"
        source = f"（{data.notes['SR-01']}）" if data.notes.get("SR-01") else ""
        w.text(
            f"社会认可度调查结果为{item_value_zh(item)}{source}，标准为不低于{threshold}，{verdict_zh(item.passed)}。"
        )
    else:
        met = sum(1 for i in entered if i.passed is True)
        w.text(f"{area.name_zh}{len(entered)}项指标中，{met}项达到要求。")
    w.caption(f"表{table_no}  {area.name_zh}指标")
    rows = [
        [i.code, i.name_zh, item_value_zh(i), threshold_zh(i), verdict_zh(i.passed),
         "、".join(data.evidence.get(i.code, [])) or "—"]
        for i in entered
    ]  # fmt: skip
    w.table(["代码", "指标", "取值", "标准", "结论", "佐证材料"], rows, [1.8, 5.8, 1.8, 2.0, 1.4, 2.8])
    return table_no + 1


def _results(w: _Writer, data: ReportData) -> int:
    """三、评估结果: the overall verdict where every area is decided, then each area that was assessed."""
    w.heading1("评估结果")
    assessed = [a for a in data.result.areas.values() if a.items is None or any(i.value is not None for i in a.items)]
    decided = [a for a in assessed if a.status in DECIDED]
    if decided:
        areas = "，".join(f"{a.name_zh}{AREA_STATUS_ZH[a.status]}" for a in decided)
        verdict = ""
        if data.result.passed is True:
            verdict = "综合判定：达到义务教育优质均衡发展督导评估标准。"
        elif data.result.passed is False:
            verdict = "综合判定：尚未达到义务教育优质均衡发展督导评估标准。"
        w.text(f"经自查，{data.county.name}{data.year}年度{areas}。{verdict}")
    table_no = _resources(w, data, 2)
    for area in data.item_areas():
        if area in assessed:
            table_no = _items_area(w, data, area, table_no)
    if data.result.vetoes:
        w.heading2("一票否决")
        for veto in data.result.vetoes:
            w.text(f"{veto.message_zh}。")
    return table_no


def _problems(w: _Writer, data: ReportData) -> None:
    """四、存在的问题: the shortfalls with their figures (never a missing input)."""
    w.heading1("存在的问题")
    groups = problems(data)
    if not groups:
        w.text("经自查，已评估的指标均达到要求，未发现不达标的问题。")
        return
    for group in groups:
        w.heading2(group.title)
        for number, problem in enumerate(group.problems, start=1):
            w.text(f"{number}.{problem.text}")
            for sub, line in enumerate(problem.lines, start=1):
                w.text(f"（{sub}）{line}")


def _measures(w: _Writer, data: ReportData, table_no: int) -> None:
    """五、整改措施: the rectification items with their units and deadlines."""
    if not data.measures:
        return
    w.heading1("整改措施")
    done = sum(1 for m in data.measures if m.done)
    units = len({m.department for m in data.measures})
    w.text(f"针对上述问题，县政府确定整改事项{len(data.measures)}项，落实到{units}个责任单位，明确完成时限，"
           f"逐项推进整改；截至目前已整改到位{done}项。")  # fmt: skip
    w.caption(f"表{table_no}  整改事项清单")
    rows = [[str(m.number), m.finding, m.target, m.department, _date(m.deadline), m.status] for m in data.measures]
    w.table(["序号", "问题", "整改目标", "责任单位", "完成时限", "状态"], rows, [1.2, 4.4, 3.6, 2.6, 2.4, 1.4])


def annex_titles(data: ReportData) -> list[str]:
    """The annexes the report lists: the annex workbook (its sheets) and the evidence pack."""
    sheets = "、".join(annex_sheet_titles(data))
    workbook = file_names(data)[1].removesuffix(".xlsx")
    return [f"{workbook}（{sheets}）", f"{data.county.name}{data.year}年度佐证材料（按指标分类）"]


def _annexes(w: _Writer, data: ReportData) -> None:
    w.heading1("附件")
    for number, title in enumerate(annex_titles(data), start=1):
        w.text(f"{number}.{title}")


def _signature(w: _Writer, data: ReportData) -> None:
    """The 落款: the unit over the date, the date four characters in from the right (GB/T 9704 7.3.5.2),
    the unit centred over it."""
    heading = data.heading or Heading("", f"{data.county.name}人民政府", data.run.created_at.date())
    date = _date(heading.issued_on)
    date_width = sum(8 if c.isdigit() else 16 for c in date)
    w.text("")
    w.text("")
    w.right(heading.issuer, 4 * 16 + date_width / 2 - len(heading.issuer) * 16 / 2)
    w.right(date, 4 * 16)


def _open(template: Path | str | IO[bytes] | None) -> DocumentObject:
    if template is None:
        return Document(str(template_path()))  # the shipped one (or the site's, named by the administrator)
    template = Path(template) if isinstance(template, str) else template  # a county's own: made safe again
    name = template.name if isinstance(template, Path) else "template.docx"
    content = template.read_bytes() if isinstance(template, Path) else template.read()
    return Document(io.BytesIO(safe_template(content, name)))


def report_docx(data: ReportData, template: Path | str | IO[bytes] | None = None) -> bytes:
    """The report over ``template`` (a path or an open file; by default the shipped one). A template that
    is not safe (see :func:`safe_template`) is ``TemplateRefused``."""
    doc = _open(template)
    standard = data.standard
    _fill(doc, {
        "{发文字号}": data.heading.doc_no if data.heading else "",
        "{县名}": data.county.name, "{年度}": str(data.year), "{标准}": standard.title_zh or "",
        "{文号}": standard.doc_no or "", "{日期}": _date(data.run.created_at.date()),
    })  # fmt: skip
    w = _Writer(doc)
    _basics(w, data)
    _practice(w, data)
    table_no = _results(w, data)
    _problems(w, data)
    _measures(w, data, table_no)
    _annexes(w, data)
    _signature(w, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def note_docx(data: ReportData, gaps: list[Gap]) -> bytes:
    """The note (说明) that goes with a report generated while inputs were missing: for the supervision office
    that checks the report before it is sent, not part of it. The report's body never names these gaps."""
    doc = Document(str(TEMPLATE))  # the shipped styles and page set-up, without the report's cover
    body = doc.element.body
    for paragraph in list(doc.paragraphs):
        body.remove(paragraph._p)
    doc.add_paragraph(f"关于《{file_names(data)[0].removesuffix('.docx')}》的说明", style="Title")
    w = _Writer(doc)
    w.text("")
    w.text(
        f"本报告由督导平台于{_date(timezone.localdate())}生成。生成时以下材料尚未齐备，报告正文只写入平台已有的数据，"
        "未写入以下事项。请补齐后重新生成报告；确需先行报送的，请随报告向上级督导部门说明。本说明不属于报告正文。"
    )
    for number, gap in enumerate(gaps, start=1):
        w.text(f"{number}.{gap.text_zh()}。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
