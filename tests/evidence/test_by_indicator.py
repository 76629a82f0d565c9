"""Evidence by indicator: the supervisor sees every file of the county and year, those not yet linked
first, and links each to one or more indicators (an audit event each time); inspectors read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.evidence.access import access_evidence_file
from dudao.evidence.actions import EvidenceError, set_links
from dudao.evidence.catalogue import county_files
from dudao.evidence.models import EvidenceLink
from dudao.rectification import actions
from dudao.rectification.models import TaskEvidence
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import PDF, STANDARD, Rect


def page(rect: Rect) -> str:
    return reverse("evidence:by_indicator", args=[rect.world.county.code, YEAR, STANDARD])


def link_url(rect: Rect, doc: TaskEvidence) -> str:
    return reverse("evidence:link", args=[rect.world.county.code, YEAR, STANDARD, f"task-{doc.pk}"])


def test_the_page_lists_the_files_to_link_first_then_each_indicator_with_its_files(documents: Rect) -> None:
    text = client_for(documents.world.county_supervisor).get(page(documents)).text
    to_link, _, by_code = text.partition("<h2>按指标</h2>")
    assert "共 5 份，其中 2 份尚未关联指标" in text
    assert "会商纪要.pdf" in to_link and "拨付.pdf" in to_link and "招聘公告.png" not in to_link
    assert to_link.count('/links/"') == 2  # a choice of indicators for each file to link
    assert "第一次会商（2026-03-10）第1项：研究扩容用地" in to_link
    assert "L3 每百名学生拥有体育" in by_code and "招聘公告.png" in by_code and "SR-01 社会认可度" in by_code
    assert "尚无佐证材料的指标" in by_code and "VETO-08 弄虚作假" in by_code


def test_linking_files_a_document_under_several_indicators_with_an_audit_event(documents: Rect) -> None:
    doc = TaskEvidence.objects.get(original_name="会商纪要.pdf")
    client = client_for(documents.world.county_supervisor)
    response = client.post(link_url(documents, doc), {"codes": ["GG-01", "VETO-06"]}, follow=True)
    assert "已将“会商纪要.pdf”关联到：GG-01、VETO-06" in response.text
    files = {f.doc.original_name: f for f in county_files(documents.world.county, YEAR, STANDARD)}
    assert files["会商纪要.pdf"].codes == ["GG-01", "VETO-06"] and files["会商纪要.pdf"].given == []
    event = AuditEvent.objects.get(verb="evidence.link")
    assert event.actor == documents.world.county_supervisor and event.region == documents.world.county
    assert event.data["before"] == [] and event.data["after"] == ["GG-01", "VETO-06"]
    assert client.get(page(documents)).text.count('/links/"') == 1 + 2  # one to link; two links to edit
    client.post(link_url(documents, doc), {"codes": ["GG-01"]})  # changed: one link gone
    assert list(EvidenceLink.objects.values_list("code", flat=True)) == ["GG-01"]
    assert AuditEvent.objects.filter(verb="evidence.link").count() == 2
    client.post(link_url(documents, doc), {"codes": ["GG-01"]})  # the same again: nothing to record
    assert AuditEvent.objects.filter(verb="evidence.link").count() == 2


def test_a_code_the_standard_does_not_have_is_refused_and_nothing_linked(documents: Rect) -> None:
    doc = TaskEvidence.objects.get(original_name="拨付.pdf")
    supervisor = documents.world.county_supervisor
    response = client_for(supervisor).post(link_url(documents, doc), {"codes": ["GG-01", "XX-9"]}, follow=True)
    assert "“XX-9”不是本评估标准的指标" in response.text and not EvidenceLink.objects.exists()
    ref = access_evidence_file(supervisor, f"task-{doc.pk}", "review")
    with pytest.raises(EvidenceError):
        set_links(documents.world.city_inspector, ref, STANDARD, ["GG-01"])  # an inspector reads, never links


def test_inspectors_read_the_page_without_the_forms_and_cannot_link(documents: Rect) -> None:
    inspector = client_for(documents.world.city_inspector)
    text = inspector.get(page(documents)).text
    assert "会商纪要.pdf" in text and "/links/" not in text
    doc = TaskEvidence.objects.get(original_name="拨付.pdf")
    assert inspector.post(link_url(documents, doc), {"codes": ["GG-01"]}).status_code == 403
    neighbour = client_for(documents.world.neighbour_supervisor)
    assert neighbour.get(page(documents)).status_code == 404
    assert neighbour.post(link_url(documents, doc), {"codes": ["GG-01"]}).status_code == 404


def test_a_file_of_another_county_is_not_linked_through_this_county(documents: Rect) -> None:
    doc = TaskEvidence.objects.get(original_name="拨付.pdf")
    url = reverse("evidence:link", args=[documents.world.neighbour.code, YEAR, STANDARD, f"task-{doc.pk}"])
    assert client_for(documents.world.neighbour_supervisor).post(url, {"codes": ["GG-01"]}).status_code == 404


def test_the_list_downloads_as_shown(documents: Rect) -> None:
    client = client_for(documents.world.county_supervisor)
    response = client.get(page(documents), {"download": "evidence", "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "文件名,指标,来源,关联事项,上传人,上传时间" and len(lines) == 6
    assert any(line.startswith("会商纪要.pdf,待关联,会商议定事项") for line in lines)


def test_the_page_reads_in_as_many_queries_whatever_the_number_of_files(documents: Rect) -> None:
    client = client_for(documents.world.county_supervisor)
    client.get(page(documents))  # sessions, caches
    with CaptureQueriesContext(connection) as before:
        client.get(page(documents))
    task = TaskEvidence.objects.get(original_name="会商纪要.pdf").report.task
    files = [SimpleUploadedFile(f"补充{n}.pdf", PDF) for n in range(3)]
    actions.report_progress(SYSTEM, task, "补充材料", 60, files=files)
    with CaptureQueriesContext(connection) as after:
        text = client.get(page(documents)).text
    assert "补充2.pdf" in text and len(after) == len(before)
