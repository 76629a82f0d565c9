"""The self-evaluation report as a county hands it in (issue 16): official-document form (文号, headings
一、（一）1.（1）, the offices' fonts, page numbers, 落款), the sections a real report has, the county's own
主要做法与成效 texts saved in the web with an audit event, real problems only in 存在的问题 — what is missing
is listed on the page and in a separate note, never in the body — and the annex printed A4 landscape at a
readable size. Everything through the pages and the downloads; LibreOffice converts both files."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader

from dudao.audit.models import AuditEvent
from dudao.reports.models import PracticeText
from tests.office import to_pdf
from tests.personas import YEAR, client_for
from tests.rectification.conftest import STANDARD, Rect

# What a report must never say in its body: system to-dos and missing inputs dressed as findings.
TODO_WORDING = (
    "需由县级录入", "录入指标后", "尚未录入", "未录入", "尚未填报", "未评估", "待定", "无法判定", "数据不全",
)  # fmt: skip
PRACTICE = [
    ("高位推动，强化组织保障", "县政府成立义务教育优质均衡发展创建工作领导小组。\n每季度召开一次会商会。"),
    ("加大投入，改善办学条件", "三年累计投入1.2亿元，新建、改扩建学校6所。"),
]


def url(name: str, *extra: Any, code: str = "139901") -> str:
    return reverse(f"reports:{name}", args=[code, YEAR, STANDARD, *extra])


def _write_the_report(rect: Rect) -> None:
    """What the county writes on its report page: the 文号, the 落款, two parts of 主要做法与成效."""
    client = client_for(rect.world.county_supervisor)
    heading = {"doc_no": "示政报〔2025〕12号", "issuer": "示范县人民政府", "issued_on": "2026-01-15"}
    assert client.post(url("heading"), heading).status_code == 302
    for title, body in PRACTICE:
        assert client.post(url("practice"), {"title": title, "body": body}).status_code == 302


def _docx(rect: Rect) -> Any:
    response = client_for(rect.world.county_supervisor).get(url("report"))
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


def _east_asian(style: Any) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_report_is_an_official_document_with_the_sections_of_a_real_report(stored: Rect) -> None:
    _write_the_report(stored)
    doc = _docx(stored)
    lines = [p for p in doc.paragraphs if p.text.strip()]
    text = "\n".join(p.text for p in lines)
    # 文号 above the title, centred; the title in 方正小标宋简体 二号
    assert lines[0].text == "示政报〔2025〕12号" and lines[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert lines[1].style.name == "Title" and lines[1].text == "示范县义务教育优质均衡发展督导评估自查自评报告"
    styles = doc.styles
    assert _east_asian(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size.pt == 22
    assert _east_asian(styles["Heading 1"]) == "黑体" and _east_asian(styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asian(styles["Normal"]) == "仿宋_GB2312" and styles["Normal"].font.size.pt == 16
    # the six sections, in order, with the four heading levels
    first = [p.text for p in lines if p.style.name == "Heading 1"]
    assert first == ["一、基本情况", "二、主要做法与成效", "三、评估结果", "四、存在的问题", "五、整改措施", "六、附件"]
    second = [p.text for p in lines if p.style.name == "Heading 2"]
    assert second[:3] == ["（一）高位推动，强化组织保障", "（二）加大投入，改善办学条件", "（三）推进整改和部门协同"]
    assert "1.校际差异系数" in text and "（1）小学" in text
    assert "每季度召开一次会商会。" in text and "确定整改事项" in text  # the county's text and the platform's facts
    # real problems with their figures: 示范县第一小学 lacks 3 PE/art teachers (L3) and 250 m² (L4)
    problems = text[text.index("四、存在的问题") : text.index("五、整改措施")]
    assert "示范县第一小学" in problems and "需补充3名" in problems and "需新增250平方米" in problems
    for wording in TODO_WORDING:
        assert wording not in text, wording
    # 落款: the unit over the date, both right-aligned, at the end
    assert [p.text for p in lines[-2:]] == ["示范县人民政府", "2026年1月15日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in lines[-2:])
    assert "1.示范县2025年度自查自评报告附表（附表1 小学指标" in text


def test_missing_inputs_are_listed_before_generation_and_only_in_the_note(stored: Rect) -> None:
    client = client_for(stored.world.county_supervisor)
    page = client.get(url("county")).text
    for missing in ("政府保障程度有", "尚未填写“主要做法与成效”", "尚未填写报告文号"):
        assert missing in page
    assert url("note") in page and url("practice") in page
    note = Document(io.BytesIO(client.get(url("note")).content))
    note_text = "\n".join(p.text for p in note.paragraphs)
    assert "政府保障程度有" in note_text and "GG-01" in note_text and "本说明不属于报告正文" in note_text
    body = "\n".join(p.text for p in _docx(stored).paragraphs)
    assert "政府保障程度" not in body and "GG-01" not in body  # nothing entered: left out, not called a problem
    assert "二、主要做法与成效" in body  # the platform's facts stand without the county's texts
    _write_the_report(stored)
    page = client.get(url("county")).text
    assert "尚未填写“主要做法与成效”" not in page and "尚未填写报告文号" not in page and "政府保障程度有" in page


def _drawn(reader: PdfReader) -> list[tuple[str, str, float]]:
    """Every piece of text on every page: (text, the font it is drawn in, its size on the page in points)."""
    pieces: list[tuple[str, str, float]] = []
    for page in reader.pages:

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
            if text.strip() and font is not None:
                scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
                pieces.append((text, str(font.get("/BaseFont")), size * scale))

        page.extract_text(visitor_text=visit)
    return pieces


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.libreoffice
def test_libreoffice_draws_the_reports_chinese_in_a_cjk_font(stored: Rect, tmp_path: Path) -> None:
    _write_the_report(stored)
    content = client_for(stored.world.city_inspector).get(url("report")).content
    reader = to_pdf(tmp_path, "report.docx", content)
    drawn = _drawn(reader)
    chinese = [(text, font) for text, font, _ in drawn if CJK.search(text)]
    assert chinese and all("CJK" in font for _, font in chinese), {f for _, f in chinese if "CJK" not in f}
    sizes = {round(size) for text, _, size in drawn if CJK.search(text)}
    assert {16, 22} <= sizes  # 三号 text and the 二号 title
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "—2—" in text and text.startswith("示政报〔2025〕12号示范县义务教育优质均衡发展督导评估自查自评报告")
    assert re.search(r"示范县人民政府2026年1月15日—\d+—$", text)  # the 落款 ends the last page, its number under it
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # A4 portrait


@pytest.mark.libreoffice
def test_the_annex_prints_a4_landscape_fitted_to_the_width_at_a_readable_size(stored: Rect, tmp_path: Path) -> None:
    content = client_for(stored.world.county_supervisor).get(url("annex")).content
    wb = load_workbook(io.BytesIO(content))
    for ws in wb:
        setup = ws.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows.startswith("$1:$")
        assert "&P" in ws.oddFooter.center.text and ws.page_margins.left >= 0.4
    reader = to_pdf(tmp_path, "annex.xlsx", content)
    rows = sum(ws.max_row for ws in wb)
    assert len(wb.sheetnames) <= len(reader.pages) <= len(wb.sheetnames) + rows // 15  # never a page a column
    first_headings = {ws.cell(2, 1).value for ws in wb}  # 序号, 学段, 领域
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
        words = page.extract_text().split()
        assert first_headings & set(words), words[:8]  # the heading row is printed on every page
    drawn = _drawn(reader)
    smallest = min(size for _, _, size in drawn)
    assert smallest >= 7.5, f"text printed at {smallest:.1f} pt"
    text = "".join(t for t, _, _ in drawn)
    assert f"第 1 页，共 {len(reader.pages)} 页" in text or f"第1页，共{len(reader.pages)}页" in text.replace(" ", "")


def test_the_practice_texts_are_saved_changed_and_deleted_with_audit_events(stored: Rect) -> None:
    world = stored.world
    client = client_for(world.county_supervisor)
    assert client.post(url("practice"), {"title": " ", "body": "正文"}, follow=True).text.count("请填写小标题") == 1
    assert not PracticeText.objects.exists()
    client.post(url("practice"), {"title": "高位推动", "body": "成立领导小组。"})
    text = PracticeText.objects.get()
    assert (text.county, text.year, text.order, text.updated_by) == (world.county, YEAR, 1, world.county_supervisor)
    client.post(url("practice_text", text.pk), {"title": "高位推动，强化保障", "body": "成立领导小组。", "order": "3"})
    text.refresh_from_db()
    assert (text.title, text.order) == ("高位推动，强化保障", 3)
    page = client.get(url("practice")).text
    assert "高位推动，强化保障" in page and "成立领导小组。" in page
    client.post(url("heading"), {"doc_no": "示政报〔2025〕12号", "issuer": "", "issued_on": "2026-13-01"})
    client.post(url("heading"), {"doc_no": "示政报〔2025〕12号", "issuer": "", "issued_on": ""})
    client.post(url("practice_text", text.pk), {"delete": "1"})
    assert not PracticeText.objects.exists()
    events = list(AuditEvent.objects.filter(verb__startswith="reports.").order_by("pk"))
    assert [e.verb for e in events] == [
        "reports.practice.add",
        "reports.practice.change",
        "reports.heading.save",
        "reports.practice.delete",
    ]  # the refused date wrote nothing
    assert {(e.actor, e.region) for e in events} == {(world.county_supervisor, world.county)}
    assert events[1].data["old"] == {"title": "高位推动", "order": 1}
    assert events[3].data["title"] == "高位推动，强化保障"
    assert events[2].data["changed"] == {"doc_no": ["", "示政报〔2025〕12号"]}


def test_only_the_county_office_writes_and_no_one_reaches_another_countys_text(stored: Rect) -> None:
    world = stored.world
    client_for(world.county_supervisor).post(url("practice"), {"title": "高位推动", "body": "成立领导小组。"})
    text = PracticeText.objects.get()
    form = {"title": "改写", "body": "改写"}
    for who, expected in (("city_inspector", 403), ("province_inspector", 403), ("observer", 404),
                          ("neighbour_supervisor", 404), ("school_clerk", 404)):  # fmt: skip
        client = client_for(getattr(world, who))
        assert client.post(url("practice"), form).status_code == expected, who
        assert client.post(url("practice_text", text.pk), form).status_code == expected, who
        assert client.post(url("heading"), {"doc_no": "x"}).status_code == expected, who
    assert client_for(world.city_inspector).get(url("practice")).status_code == 200  # inspectors read it
    assert PracticeText.objects.get().title == "高位推动" and not AuditEvent.objects.filter(verb="reports.heading.save")
    neighbour = client_for(world.neighbour_supervisor)
    there = reverse("reports:practice_text", args=[world.neighbour.code, YEAR, STANDARD, text.pk])
    assert neighbour.post(there, form).status_code == 404  # 示范县's text under the neighbour's own county
    assert client_for(world.county_supervisor).get(url("practice_text", text.pk)).status_code == 405
