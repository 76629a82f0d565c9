"""Evidence of leaders' liaison schools: the supervision office uploads photos and papers on a visit or a
practical matter (实事) from the liaison page (the same checks as every evidence file, an audit event);
they join the county's evidence by indicator (to link until linked) and the evidence pack."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dudao.audit.models import AuditEvent
from dudao.rectification import actions
from dudao.rectification.models import LiaisonEvidence, PracticalMatter, Visit
from tests.personas import SYSTEM, YEAR, client_for
from tests.rectification.conftest import PDF, PNG, STANDARD, Rect

UNLINKED = "待关联（to link）/"


@pytest.fixture
def liaison(documents: Rect) -> Rect:
    """The evidence world with a leader linked to 示范县第一小学, a visit (in the school year's second
    calendar year) and a practical matter of the year, done."""
    world = documents.world
    leader = actions.add_leader(SYSTEM, world.county, "李明", "副县长")
    actions.link_school(SYSTEM, leader, world.primary)
    actions.record_visit(SYSTEM, leader, world.primary, dt.date(YEAR + 1, 3, 2), "调研大班额问题")
    matter = actions.add_matter(SYSTEM, leader, world.primary, YEAR, "协调解决学校饮水改造")
    actions.complete_matter(SYSTEM, matter, dt.date(YEAR + 1, 4, 20))
    return documents


def upload(rect: Rect, owner: str, *files: Any, user: Any = None) -> Any:
    client = client_for(user or rect.world.county_supervisor)
    url = reverse("rectification:liaison_files", args=[rect.world.county.code])
    return client.post(url, {"owner": owner, "files": list(files)}, follow=True)


def pack(rect: Rect) -> zipfile.ZipFile:
    response = client_for(rect.world.county_supervisor).get(
        reverse("reports:pack", args=[rect.world.county.code, YEAR, STANDARD])
    )
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_files_uploaded_on_a_visit_and_a_matter_are_evidence_to_link_then_filed(liaison: Rect) -> None:
    visit, matter = Visit.objects.get(), PracticalMatter.objects.get()
    response = upload(liaison, f"visit-{visit.pk}", SimpleUploadedFile("走访照片.png", PNG))
    assert response.status_code == 200 and "已上传 1 个佐证材料" in response.text
    response = upload(liaison, f"matter-{matter.pk}", SimpleUploadedFile("验收单.pdf", PDF))
    assert "走访与实事佐证材料" in response.text and "验收单.pdf" in response.text
    photo = LiaisonEvidence.objects.get(visit=visit)
    assert photo.original_name == "走访照片.png" and photo.uploaded_by == liaison.world.county_supervisor
    assert LiaisonEvidence.objects.get(matter=matter).file.read() == PDF
    events = AuditEvent.objects.filter(verb__startswith="liaison.").order_by("pk")
    assert [e.verb for e in events] == ["liaison.visit_evidence", "liaison.matter_evidence"]
    assert events[0].data["files"] == ["走访照片.png"] and events[0].region == liaison.world.county

    supervisor = client_for(liaison.world.county_supervisor)
    page = supervisor.get(reverse("evidence:by_indicator", args=[liaison.world.county.code, YEAR, STANDARD])).text
    to_link = page.partition("<h2>按指标</h2>")[0]
    assert "共 7 份，其中 4 份尚未关联指标" in page
    assert "联系学校走访" in to_link and "示范县第一小学（2026-03-02，李明走访）" in to_link
    assert "示范县第一小学（2026-04-20）：协调解决学校饮水改造" in to_link
    assert reverse("rectification:liaison_evidence", args=[photo.pk]) in page

    names = pack(liaison).namelist()
    assert UNLINKED + "走访照片.png" in names and UNLINKED + "验收单.pdf" in names
    link = reverse("evidence:link", args=[liaison.world.county.code, YEAR, STANDARD, f"liaison-{photo.pk}"])
    assert "已将“走访照片.png”关联到：GG-01" in supervisor.post(link, {"codes": ["GG-01"]}, follow=True).text
    filed = pack(liaison)
    photo_path = next(n for n in filed.namelist() if n.endswith("走访照片.png"))
    assert photo_path.startswith("GG-01 ") and filed.read(photo_path) == PNG
    rows = list(load_workbook(io.BytesIO(filed.read("目录.xlsx"))).active.iter_rows(min_row=4, values_only=True))
    by_name = {r[2]: r for r in rows}
    assert by_name["走访照片.png"][1].startswith("GG-01") and by_name["走访照片.png"][3] == "联系学校走访"
    assert by_name["验收单.pdf"][1] == "待关联（to link）" and by_name["验收单.pdf"][3] == "实事"


def test_a_bad_file_refuses_the_whole_upload_and_nothing_is_stored(liaison: Rect) -> None:
    visit = Visit.objects.get()
    response = upload(liaison, f"visit-{visit.pk}", SimpleUploadedFile("好.pdf", PDF),
                      SimpleUploadedFile("坏.pdf", b"MZ\x90\x00not a pdf"))  # fmt: skip
    assert response.status_code == 400 and "文件“坏.pdf”的内容与扩展名 .pdf 不符" in response.text
    assert upload(liaison, "", SimpleUploadedFile("好.pdf", PDF)).status_code == 400  # no visit or matter chosen
    assert upload(liaison, f"visit-{visit.pk}").status_code == 400  # no file
    assert not LiaisonEvidence.objects.exists() and not AuditEvent.objects.filter(verb__startswith="liaison.")


def test_only_the_supervision_office_uploads_and_only_those_who_see_the_county_download(liaison: Rect) -> None:
    world, visit = liaison.world, Visit.objects.get()
    assert upload(liaison, f"visit-{visit.pk}", SimpleUploadedFile("a.pdf", PDF),
                  user=world.city_inspector).status_code == 403  # fmt: skip
    url = reverse("rectification:liaison_files", args=[world.neighbour.code])
    neighbour = client_for(world.neighbour_supervisor)
    response = neighbour.post(url, {"owner": f"visit-{visit.pk}", "files": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.status_code == 404 and not LiaisonEvidence.objects.exists()  # 示范县's visit, via 邻县
    (doc,) = actions.attach_liaison_files(SYSTEM, visit, [SimpleUploadedFile("走访.pdf", PDF)])
    download = reverse("rectification:liaison_evidence", args=[doc.pk])
    response = client_for(world.city_inspector).get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert neighbour.get(download).status_code == 404
