"""The briefing as a .docx in the form of a 工作简报: the red masthead (the county's
“XX县教育督导工作简报”, 第N期, the 编印单位 and date over a red rule), the body in numbered sections,
and the 报送 / 抄送 lines between rules at the end. Official documents are in Chinese; the briefing is
not translated. The fonts and helpers are the supervision bulletin's (``rectification.bulletin``)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm

from dudao.briefings.content import BriefingData, Standing
from dudao.rectification.bulletin import BODY_FONT, HEADING_FONT, RED, TITLE_FONT, _font, _para, _rule

STATUS_WORDS = {"open": "整改中", "met": "已达标", "closed": "已销号", "void": "已撤销"}
VERDICT = {True: "达标", False: "未达标", None: "未判定"}


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def census_text(data: BriefingData) -> str:
    c = data.census
    if not c.expected:
        return f"{data.year}学年尚无应填报学校。"
    lock = "本学年数据已锁定。" if c.locked else "本学年数据尚未锁定。"
    return (
        f"{data.year}学年应填报学校{c.expected}所，已审核通过{c.approved}所（{_share(c.approved, c.expected)}），"
        f"待审核{c.submitted}所，退回修改{c.returned}所，未报送{c.not_submitted}所。{lock}"
    )


def rectification_text(data: BriefingData) -> str:
    r = data.rectification
    if not r.tasks:
        return "本期无整改任务。"
    s = r.states
    text = (
        f"截至{_date(data.as_of)}，整改任务共{r.tasks}项：已完成{s['done']}项（{_share(s['done'], r.tasks)}），"
        f"按期推进{s['on_time']}项，存在风险{s['at_risk']}项，逾期{s['overdue']}项。"
    )
    if r.overdue_units:
        text += f"有逾期任务的单位：{'、'.join(r.overdue_units)}。"
    items = [f"{STATUS_WORDS[k]}{n}项" for k, n in r.items.items() if n and k in STATUS_WORDS and k != "void"]
    if items:
        text += f"整改事项{sum(r.items.get(k, 0) for k in STATUS_WORDS if k != 'void')}项，其中{'，'.join(items)}。"
    return text


def survey_text(data: BriefingData) -> str:
    if not data.surveys:
        return f"{data.year}学年尚未开展社会认可度调查。"
    parts = [
        f"“{s.title}”（{s.status}）已收回有效答卷{s.answers}份，"
        f"计划样本{s.planned}份，完成{_share(s.answers, s.planned)}。"
        for s in data.surveys
    ]
    if data.recognition is not None:
        parts.append(f"社会认可度{data.recognition * 100:.1f}%，已计入评估。")
    return "".join(parts)


def standing_text(data: BriefingData) -> str:
    st: Standing = data.standing
    if not st.evaluated:
        return f"{data.year}学年尚未评估。"
    day = timezone.localtime(st.run_at).date() if st.run_at else data.as_of
    text = (
        f"按{_date(day)}的评估结果，全县参评学校{st.schools}所，未达到每校要求的{st.schools_failing}所，"
        f"总体结论为{VERDICT[st.passed]}。"
    )
    if st.rank is not None:
        city = data.county.parent.name if data.county.parent else ""
        tier = "列入第一方阵" if st.first_tier else "未列入第一方阵"
        basis = "、".join(st.criteria) if len(st.criteria) <= 2 else f"{len(st.criteria)}项校际差异系数的名次之和"
        text += f"在{city}{st.peers}个县（市、区）中，按{basis}排名第{st.rank}位（{st.ranked}个参与排名），{tier}。"
    return text


def sections(data: BriefingData) -> list[tuple[str, list[str]]]:
    """The body: (heading, paragraphs), in order; the highlights first when the county wrote any."""
    out: list[tuple[str, list[str]]] = []
    if data.highlights:
        out.append(("工作动态", data.highlights))
    out += [
        ("统计填报", [census_text(data)]),
        ("整改推进", [rectification_text(data)]),
        ("社会认可度调查", [survey_text(data)]),
        ("评估结果与全市位次", [standing_text(data)]),
    ]
    return out


NUMERALS = "一二三四五六七八九十"


def briefing_docx(data: BriefingData) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(3.0)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _para(doc, data.title, font=TITLE_FONT, size=26, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _para(doc, f"第{data.number}期", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    meta = _para(doc)
    meta.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    _font(meta.add_run(f"{data.issuer}\t{_date(data.as_of)}"), BODY_FONT, 14)
    _rule(meta)
    _para(doc)
    for n, (heading, paras) in enumerate(sections(data)):
        _para(doc, f"{NUMERALS[n]}、{heading}", font=HEADING_FONT, size=16, indent=True)
        for text in paras:
            _para(doc, text, indent=True)
    _para(doc)
    ends = []
    if data.send_to:
        ends.append(f"报送：{data.send_to}")
    if data.copy_to:
        ends.append(f"抄送：{data.copy_to}")
    for n, text in enumerate(ends):
        p = _para(doc, text, size=14)
        if n == 0:
            _rule(p, where="top")
        elif n == len(ends) - 1:
            _rule(p)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def file_name(data: BriefingData) -> str:
    return f"{data.county.name}教育督导工作简报-{data.period}-第{data.number}期.docx"
