"""An upload is previewed before anything is written: per school and figure the stored and the new value, the
warnings, the approved records that would go back to review — on the page (downloadable) and from
``import_census --dry-run``; the confirmation imports exactly the previewed file and plan, and is refused if
the file or the data changed meanwhile, or the preview expired."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.census import actions
from dudao.census.models import CensusChange, CensusRecord, ImportBatch, PendingImport
from dudao.sheets.template import write_rows
from tests.api.conftest import FIGURES, census_csv
from tests.api.conftest import upload as api_upload
from tests.census.web import confirm, upload
from tests.personas import PASSWORD, SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def row(code: str, name: str, school_type: str = "primary", **figures: Any) -> dict[str, Any]:
    return {"school_code": code, "school_name": name, "school_type": school_type, "level": school_type,
            "location": "urban", "ownership": "public", **FIGURES, **figures}  # fmt: skip


def stored_county(world: World) -> None:
    """第一小学 approved, 第一中学 submitted, both with the shared figures; last year's as this year's."""
    for school, level in ((world.primary, "primary"), (world.junior, "junior")):
        actions.save_record(SYSTEM, school, YEAR - 1, level, FIGURES)
        record = actions.save_record(SYSTEM, school, YEAR, level, FIGURES).record
        actions.submit(SYSTEM, record)
    actions.approve(SYSTEM, CensusRecord.objects.get(school=world.primary, year=YEAR))


def changed_file(world: World, tmp_path: Path) -> bytes:
    """第一小学: 1000 → 1010 pupils and 30000 → 300000 books (a warning); 第一中学: 60 → 62 teachers."""
    path = tmp_path / "示范县2025.xlsx"
    write_rows(path, [row(world.primary.code, "示范县第一小学", students=1010, books=300000),
                      row(world.junior.code, "示范县第一中学", "junior", teachers=62)])  # fmt: skip
    return path.read_bytes()


def csv_rows(client: Client, url: str, name: str) -> list[list[str]]:
    response = client.get(url, {"download": name, "format": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_preview_lists_every_change_and_writes_nothing(world: World, tmp_path: Path) -> None:
    stored_county(world)
    county = client_for(world.county_supervisor)
    versions = dict(CensusRecord.objects.values_list("pk", "version"))
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    ((preview_url, _status),) = page.redirect_chain
    text = page.content.decode()
    assert "检查通过，尚未写入" in text and "确认导入（新建 0 条，更新 2 条）" in text
    assert "1 条已审核通过的记录的数值将被修改" in text and "示范县第一小学（小学）" in text
    # nothing written: same versions, no batch, no history
    assert dict(CensusRecord.objects.values_list("pk", "version")) == versions
    assert not ImportBatch.objects.exists() and not CensusChange.objects.filter(batch__isnull=False).exists()
    # the downloadable table holds exactly each figure's stored and new value
    values = csv_rows(county, preview_url, "import-values")
    assert values == [
        ["学校", "学校标识码", "学段", "行", "项目", "原值", "新值"],
        ["示范县第一小学", world.primary.code, "小学", "3", "在校生数", "1000", "1010"],
        ["示范县第一小学", world.primary.code, "小学", "3", "图书(册)", "30000", "300000"],
        ["示范县第一中学", world.junior.code, "初中", "4", "专任教师数", "60", "62"],
    ]
    records = csv_rows(county, preview_url, "import-records")
    assert [r[5] for r in records[1:]] == ["已审核 → 已提交（须重新审核）", "已提交 → 已提交"]
    warnings = csv_rows(county, preview_url, "import-warnings")
    assert [(r[1], r[5]) for r in warnings[1:]] == [("3", "year_on_year")]


def test_confirming_writes_exactly_the_preview(world: World, tmp_path: Path) -> None:
    stored_county(world)
    county = client_for(world.county_supervisor)
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    preview_url = page.redirect_chain[0][0]
    previewed = csv_rows(county, preview_url, "import-values")[1:]
    done = confirm(county, page)
    assert done.redirect_chain[-1][0] == reverse("census:completeness", args=[world.county.code, YEAR])
    message = done.content.decode()
    assert "已导入 示范县2025.xlsx：新建 0 条，更新 2 条（3 项数值），未变 0 条。" in message
    assert "1 条已审核的记录已退回重新审核。" in message
    written = [
        [c.record.school.code, c.field, c.old, c.new]
        for c in CensusChange.objects.filter(batch__isnull=False).select_related("record__school").order_by("pk")
    ]
    assert written == [
        [world.primary.code, "students", "1000", "1010"],
        [world.primary.code, "books", "30000", "300000"],
        [world.junior.code, "teachers", "60", "62"],
    ]
    assert [r[1] for r in previewed] == [w[0] for w in written]
    assert set(CensusRecord.objects.filter(year=YEAR).values_list("status", flat=True)) == {"submitted"}
    batch = ImportBatch.objects.get()
    assert (batch.filename, batch.user, batch.updated) == ("示范县2025.xlsx", world.county_supervisor, 2)
    assert not PendingImport.objects.exists()  # the kept file is gone


def test_a_change_meanwhile_refuses_the_confirmation(world: World, tmp_path: Path) -> None:
    stored_county(world)
    county = client_for(world.county_supervisor)
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    record = CensusRecord.objects.get(school=world.junior, year=YEAR)
    actions.save_record(world.county_supervisor, world.junior, YEAR, "junior", {"teachers": 61},
                        expected_version=record.version, reason="电话核实")  # fmt: skip
    refused = confirm(county, page)
    assert "预览之后数据已有变化" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == page.redirect_chain[0][0]  # back to a fresh preview
    assert not ImportBatch.objects.exists()
    assert CensusRecord.objects.get(school=world.primary, year=YEAR).students == 1000
    # the fresh preview shows the new stored value, and confirming it imports
    assert "61" in csv_rows(county, page.redirect_chain[0][0], "import-values")[3]
    assert "已导入" in confirm(county, refused).content.decode()
    assert CensusRecord.objects.get(school=world.junior, year=YEAR).teachers == 62


def test_a_changed_file_is_refused(world: World, tmp_path: Path) -> None:
    county = client_for(world.county_supervisor)
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    pending = PendingImport.objects.get()
    kept = Path(settings.MEDIA_ROOT) / "census-imports" / pending.stored_as
    assert kept.name != "示范县2025.xlsx" and len(pending.sha256) == 64
    kept.write_bytes(kept.read_bytes() + b"\0")
    refused = confirm(county, page)
    assert "服务器上保存的文件与上传时不一致" in refused.content.decode()
    assert not CensusRecord.objects.filter(year=YEAR).exists()


def test_an_expired_preview_is_refused(world: World, tmp_path: Path) -> None:
    county = client_for(world.county_supervisor)
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    PendingImport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = confirm(county, page)
    assert "已过期" in refused.content.decode() and not CensusRecord.objects.filter(year=YEAR).exists()
    again = county.get(page.redirect_chain[0][0], follow=True)
    assert again.redirect_chain[-1][0] == reverse("census:upload", args=[world.county.code, YEAR])
    # the next upload sweeps it away, file and all
    upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    assert PendingImport.objects.count() == 1


def test_only_the_uploader_sees_the_preview(world: World, tmp_path: Path) -> None:
    page = upload(client_for(world.county_supervisor), world.county.code, YEAR, changed_file(world, tmp_path))
    url = page.redirect_chain[0][0]
    for person in ("neighbour_supervisor", "observer", "school_clerk"):
        assert client_for(getattr(world, person)).get(url).status_code in (403, 404)
    colleague = world.county_supervisor.__class__.objects.create_user("县督导二", password=PASSWORD)
    colleague.memberships.create(role="county_supervisor", region=world.county)
    assert client_for(colleague).get(url).status_code == 404
    assert (
        client_for(colleague).post(page.context["confirm_url"], {"digest": page.context["digest"]}).status_code == 404
    )


def test_the_preview_writes_nothing_and_discarding_drops_the_file(world: World, tmp_path: Path) -> None:
    county = client_for(world.county_supervisor)
    page = upload(county, world.county.code, YEAR, changed_file(world, tmp_path))
    events = AuditEvent.objects.count()
    for _ in range(2):
        assert county.get(page.redirect_chain[0][0]).status_code == 200
    assert AuditEvent.objects.count() == events
    pending = PendingImport.objects.get()
    kept = Path(settings.MEDIA_ROOT) / "census-imports" / pending.stored_as
    done = county.post(reverse("census:discard", args=[world.county.code, YEAR, pending.token]), follow=True)
    assert "已放弃导入 示范县2025.xlsx，未写入任何数据。" in done.content.decode()
    assert not kept.exists() and not PendingImport.objects.exists()
    assert not CensusRecord.objects.filter(year=YEAR).exists()


def test_the_command_dry_run_prints_the_same_preview(world: World, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    stored_county(world)
    path = tmp_path / "示范县2025.xlsx"
    path.write_bytes(changed_file(world, tmp_path))
    call_command("import_census", str(path), "--year", str(YEAR), "--county", world.county.code, "--dry-run")
    out = capsys.readouterr().out
    assert f"第3行 示范县第一小学（{world.primary.code}，小学）：更新，2 项，已审核 → 已提交（须重新审核）" in out
    assert "    在校生数: 1000 → 1010\n    图书(册): 30000 → 300000\n" in out
    assert "    专任教师数: 60 → 62\n" in out
    assert f"已审核的记录将退回重新审核（1 条）：\n  示范县第一小学（{world.primary.code}，小学）" in out
    assert "[year_on_year]" in out and not ImportBatch.objects.exists()


def test_the_api_dry_run_carries_the_same_preview(world: World) -> None:
    stored_county(world)
    file = census_csv(world.primary, "示范县第一小学", students=1010)
    response = api_upload(client_for(world.county_supervisor), file, year=YEAR, county=world.county.code,
                          dry_run=True)  # fmt: skip
    assert response.status_code == 200
    (change,) = response.json()["changes"]
    assert (change["status"], change["back_to_review"]) == ("approved", True)
    assert change["values"] == [{"field": "students", "old": 1000, "new": 1010}]
    assert not ImportBatch.objects.exists()
