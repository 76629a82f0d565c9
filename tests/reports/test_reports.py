"""The self-evaluation report (.docx) and its annex tables (.xlsx): every figure is the stored run's,
both open in LibreOffice (converted to PDF, whose text is read back), the page and the downloads are
for the county's supervisor and the inspectors above only, and ``dudao report`` writes both files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dudao.evaluation.actions import current_run
from dudao.rectification.models import RectificationItem
from tests.office import pdf_pages_and_text
from tests.personas import YEAR, client_for, evaluate
from tests.rectification.conftest import STANDARD, Rect


def url(name: str, code: str = "139901", year: int = YEAR, standard: str = STANDARD) -> str:
    return reverse(f"reports:{name}", args=[code, year, standard])


def body(response: object) -> bytes:
    return response.content  # type: ignore[attr-defined]


def cvs(run: object) -> list[float]:
    return [ind["cv_3dp"] for lv in run.result["levels"].values() for ind in lv["indicators"].values()]  # type: ignore[attr-defined]


def test_the_report_states_the_stored_runs_figures(stored: Rect) -> None:
    world = stored.world
    response = client_for(world.county_supervisor).get(url("report", world.county.code))
    assert response.status_code == 200 and "filename*=" in response["Content-Disposition"]
    run = current_run(world.county, YEAR, STANDARD)
    doc = Document(io.BytesIO(body(response)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.strip().startswith(f"{world.county.name}义务教育优质均衡发展督导评估自查自评报告")
    for heading in ("一、基本情况", "二、主要做法与成效", "三、评估结果", "（一）资源配置", "1.校际差异系数",
                    "（1）小学", "四、存在的问题", "五、整改措施", "六、附件"):  # fmt: skip
        assert heading in text
    schools = run.result["schools"]
    students = sum(s["students"] for s in schools)
    assert f"共{len(schools)}所" in text and f"在校生{students}人" in text
    assert "社会认可度调查结果为91.2%（来自社会认可度调查：120份有效回答），标准为不低于85%，达标" in text
    cv_table = next(t for t in doc.tables if t.rows[0].cells[4].text == "差异系数")
    assert [r.cells[4].text for r in cv_table.rows[1:]] == [f"{cv:.3f}" for cv in cvs(run)]
    school_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "学校")
    first = next(s for s in schools if s["school_name"] == "示范县第一小学")
    row = next(r for r in school_table.rows if r.cells[0].text == "示范县第一小学")
    assert row.cells[4].text == f"{first['met_count']}/{first['indicator_count']}" and row.cells[6].text == "未达标"
    items = RectificationItem.objects.filter(county=world.county)
    assert items.exists()
    measures = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")
    assert len(measures.rows) - 1 == items.count()
    deadlines = {f"{i.task.deadline.year}年{i.task.deadline.month}月{i.task.deadline.day}日" for i in items}
    assert {r.cells[4].text for r in measures.rows[1:]} == deadlines
    assert len(doc.inline_shapes) == 2 * len(run.result["levels"])  # a CV chart and a compliance chart a level


def test_the_annex_holds_the_runs_numbers_as_numbers(stored: Rect) -> None:
    world = stored.world
    response = client_for(world.city_inspector).get(url("annex", world.county.code))
    assert response.status_code == 200
    run = current_run(world.county, YEAR, STANDARD)
    wb = load_workbook(io.BytesIO(body(response)))
    cv_sheet = next(ws for ws in wb if ws.title.endswith("差异系数"))
    rows = list(cv_sheet.iter_rows(min_row=3))
    assert [r[5].value for r in rows] == cvs(run) and all(r[5].number_format == "0.000" for r in rows)
    assert [r[4].value for r in rows] == [
        i["mean"] for lv in run.result["levels"].values() for i in lv["indicators"].values()
    ]
    primary = next(ws for ws in wb if ws.title.endswith("小学指标"))
    school = next(s for s in run.result["schools"] if s["school_name"] == "示范县第一小学")
    row = next(r for r in primary.iter_rows(min_row=4) if r[2].value == "示范县第一小学")
    assert row[5].value == school["students"] and row[6].value == school["indicators"]["L1"]["value"]
    assert row[6].number_format == "0.00" and isinstance(row[6].value, int | float)
    items = next(ws for ws in wb if ws.title.endswith("县级指标"))
    recognition = next(r for r in items.iter_rows(min_row=3) if r[2].value == "SR-01")
    assert recognition[4].value == 0.912 and recognition[4].number_format == "0.0%" and recognition[7].value == "达标"
    assert recognition[9].value == "来自社会认可度调查：120份有效回答"


def _pdf(tmp_path: Path, name: str, content: bytes) -> tuple[int, str]:
    return pdf_pages_and_text(tmp_path, name, content)


@pytest.mark.libreoffice
def test_report_and_annex_open_in_libreoffice_with_the_county_and_every_cv(stored: Rect, tmp_path: Path) -> None:
    world = stored.world
    run = current_run(world.county, YEAR, STANDARD)
    client = client_for(world.province_inspector)
    pages, text = _pdf(tmp_path, "report.docx", body(client.get(url("report", world.county.code))))
    assert pages >= 4 and world.county.name in text and "—2—" in text  # page numbers in the footer
    for cv in cvs(run):
        assert f"{cv:.3f}" in text
    pages, text = _pdf(tmp_path, "annex.xlsx", body(client.get(url("annex", world.county.code))))
    assert pages >= 2 and world.county.name in text
    for cv in cvs(run):
        assert f"{cv:.3f}" in text


@pytest.mark.parametrize(
    ("who", "expected"),
    [("county_supervisor", 200), ("city_inspector", 200), ("province_inspector", 200), ("observer", 404),
     ("school_clerk", 404), ("department_clerk", 404), ("neighbour_supervisor", 404), ("neighbour_clerk", 404)],
)  # fmt: skip
def test_only_the_supervisor_and_the_inspectors_above_see_the_reports(stored: Rect, who: str, expected: int) -> None:
    client = client_for(getattr(stored.world, who))
    for name in ("county", "report", "annex"):
        assert client.get(url(name, stored.world.county.code)).status_code == expected


def test_the_page_offers_both_downloads_and_anonymous_users_log_in(stored: Rect, client) -> None:
    page = client_for(stored.world.county_supervisor).get(url("county", stored.world.county.code))
    assert page.status_code == 200 and url("report") in page.text and url("annex") in page.text
    assert client.get(url("report")).status_code == 302


def test_bad_input_is_a_404_or_a_message(stored: Rect) -> None:
    client = client_for(stored.world.province_inspector)
    assert client.get(url("county", stored.world.city.code)).status_code == 404  # a city is no county
    assert client.get(url("county", standard="no-such")).status_code == 404
    assert client.get(url("report", year=1900)).status_code == 404
    empty = client.get(url("county", year=YEAR - 5))
    assert empty.status_code == 200 and url("report", year=YEAR - 5) not in empty.text
    assert client.get(url("report", year=YEAR - 5)).status_code == 404


def test_the_command_writes_both_files(stored: Rect, tmp_path: Path) -> None:
    call_command("report", county=stored.world.county.code, year=YEAR, standard=STANDARD, out=str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = f"示范县{YEAR}年度自查自评报告"  # county items are missing here: the note on them is written beside it
    assert names == [f"{stem}.docx", f"{stem}说明.docx", f"{stem}附表.xlsx"]
    template = tmp_path / "mine.docx"
    call_command("report", write_template=str(template))
    doc = Document(str(template))
    doc.paragraphs[0].text = "{县名}自查报告（县里改过的模板）"
    doc.save(str(template))
    out = tmp_path / "own"
    call_command("report", county="139901", year=YEAR, standard=STANDARD, out=str(out), template=str(template))
    written = Document(str(out / f"示范县{YEAR}年度自查自评报告.docx"))
    assert written.paragraphs[0].text == "示范县自查报告（县里改过的模板）"
    with pytest.raises(CommandError):
        call_command("report", county=stored.world.city.code, year=YEAR, out=str(tmp_path))
    with pytest.raises(CommandError):
        call_command("report", county="139901", year=YEAR - 5, out=str(tmp_path))


def test_the_2012_standard_reports_its_cvs_without_a_per_school_rule(stored: Rect) -> None:
    world = stored.world
    client = client_for(world.county_supervisor)
    evaluate(world.county, standard="basic-2012")
    response = client.get(url("report", world.county.code, standard="basic-2012"))
    assert response.status_code == 200
    run = current_run(world.county, YEAR, "basic-2012")
    text = "\n".join(p.text for p in Document(io.BytesIO(body(response))).paragraphs)
    for level in run.result["levels"].values():  # stated where the run has it (too few schools here: none)
        composite = level["composite_cv_3dp"]
        assert (composite is not None) == (f"综合差异系数为{composite or 0:.3f}" in text)
    cv_table = next(t for t in Document(io.BytesIO(body(response))).tables if t.rows[0].cells[4].text == "差异系数")
    assert [r.cells[4].text for r in cv_table.rows[1:]] == [f"{cv:.3f}" if cv is not None else "—" for cv in cvs(run)]
    annex = load_workbook(io.BytesIO(body(client.get(url("annex", world.county.code, standard="basic-2012")))))
    cv_sheet = next(ws for ws in annex if ws.title.endswith("差异系数"))
    assert [r[5].value for r in cv_sheet.iter_rows(min_row=3)][: len(cvs(run))] == cvs(run)


@pytest.mark.parametrize(
    ("who", "counties", "queries"),
    [("county_supervisor", ["示范县"], 5), ("city_inspector", ["示范县", "邻县"], 5), ("observer", [], 5),
     ("school_clerk", [], 4)],  # a school's clerk sees no region: no region query
)  # fmt: skip
def test_the_home_page_lists_the_counties_the_user_may_report_on(
    stored: Rect, who: str, counties: list[str], queries: int, django_assert_num_queries
) -> None:
    client = client_for(getattr(stored.world, who))
    client.get(reverse("reports:home"))
    with django_assert_num_queries(queries):
        page = client.get(reverse("reports:home"))
    assert page.status_code == 200
    listed = [name for name in ("示范县", "邻县", "其他县") if f">{name}<" in page.text]
    assert listed == counties
    if counties:
        assert url("county", stored.world.county.code) in page.text


def test_the_county_uploads_its_own_template_and_the_report_uses_it(stored: Rect, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = stored.world
    supervisor = client_for(world.county_supervisor)
    shipped = body(supervisor.get(url("template", world.county.code)))
    doc = Document(io.BytesIO(shipped))
    doc.paragraphs[0].text = "{县名}{年度}年度义务教育优质均衡发展自查报告（本县模板）"
    edited = io.BytesIO()
    doc.save(edited)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("本县模板.docx", edited.getvalue())
    response = supervisor.post(url("template", world.county.code), {"template": upload})
    assert response.status_code == 302
    page = supervisor.get(url("county", world.county.code))
    assert "本县模板.docx" in page.text
    report = Document(io.BytesIO(body(client_for(world.city_inspector).get(url("report", world.county.code)))))
    assert report.paragraphs[0].text == f"示范县{YEAR}年度义务教育优质均衡发展自查报告（本县模板）"
    assert "一、基本情况" in "\n".join(p.text for p in report.paragraphs)
    assert body(supervisor.get(url("template", world.county.code))) == edited.getvalue()
    call_command("report", county=world.county.code, year=YEAR, standard=STANDARD, out=str(tmp_path / "cli"))
    written = Document(str(tmp_path / "cli" / f"示范县{YEAR}年度自查自评报告.docx"))
    assert written.paragraphs[0].text == report.paragraphs[0].text  # the command uses it too
    # not a .docx, or a .docx without the report's styles: refused, the county's template stays
    bare = io.BytesIO()
    plain = Document()
    plain.styles["Heading 3"].delete()
    plain.save(bare)
    for name, content, text in (("a.docx", b"%PDF-1.4 x", "docx"), ("b.docx", bare.getvalue(), "Heading 3")):
        page = supervisor.post(url("template", world.county.code), {"template": SimpleUploadedFile(name, content)},
                               follow=True)  # fmt: skip
        assert text in page.text
    assert "本县模板.docx" in page.text
    # an inspector reads the template but does not replace it; an observer does not see it
    assert client_for(world.city_inspector).post(url("template", world.county.code), {}).status_code == 403
    assert client_for(world.observer).get(url("template", world.county.code)).status_code == 404
