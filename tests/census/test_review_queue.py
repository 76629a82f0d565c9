"""The county's review queue: each submitted record with the school's indicators against the standard (the
stored evaluation), its figures against last year's and the rule table's findings; approve, or return with a
reason, on the record's page, which then shows the next one; approve every record without a finding in one
step ("已审核通过 N 条"); the school's clerks are told. Pages are GETs that write nothing; the queue's query
count is pinned."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from dudao.audit.models import AuditEvent
from dudao.census import actions
from dudao.census.models import CensusEvent, CensusRecord
from dudao.evaluation.actions import evaluate_county
from dudao.notifications.models import Notification
from dudao.orgs.models import School, SchoolYear
from tests.engine.schools import JUNIOR, PRIMARY
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db
STANDARD = "national-2017"


def figures(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**{k: v for k, v in base.items() if k != "school_type"}, "teachers": 40, **changes}


def submitted(world: World, extra: int = 0) -> dict[str, CensusRecord]:
    """Last year's and this year's records of 第一小学 and 第一中学 (and ``extra`` more primary schools), this
    year's submitted; 第一中学's books went from 20,000 to 200,000 (a year-on-year warning); then evaluated."""
    out = {}
    for school, level, base in ((world.primary, "primary", PRIMARY), (world.junior, "junior", JUNIOR)):
        actions.save_record(SYSTEM, school, YEAR - 1, level, figures(base, books=20000))
        books = 200000 if level == "junior" else 21000
        note = "新建图书馆" if level == "junior" else None
        record = actions.save_record(SYSTEM, school, YEAR, level, figures(base, books=books), note=note).record
        out[level] = actions.submit(SYSTEM, record)
    for i in range(extra):
        school = School.objects.create(code=f"13990105{i:02d}", county=world.county)
        SchoolYear.objects.create(school=school, year=YEAR, name=f"示范县第{i + 10}小学", school_type="primary")
        actions.submit(SYSTEM, actions.save_record(SYSTEM, school, YEAR, "primary", figures(PRIMARY)).record)
    evaluate_county(SYSTEM, world.county, YEAR, STANDARD)
    return out


def queue_url(world: World) -> str:
    return reverse("census:review", args=[world.county.code, YEAR])


def record_url(world: World, record: CensusRecord) -> str:
    return reverse("census:review_record", args=[world.county.code, YEAR, record.pk])


def test_the_queue_lists_each_record_with_its_indicators_and_findings(world: World) -> None:
    submitted(world)
    county = client_for(world.county_supervisor)
    page = county.get(queue_url(world))
    assert page.status_code == 200 and "2 条记录待审核，其中 1 条没有提示" in page.text
    rows = list(csv.reader(io.StringIO(county.get(queue_url(world), {"download": "review-queue", "format": "csv"})
                                       .content.decode("utf-8-sig"))))  # fmt: skip
    assert rows[0][0] == "学校"  # the key column first (a card's title at phone width)
    assert [(r[0], r[1], r[4], r[5], r[7]) for r in rows[1:]] == [
        ("示范县第一小学", "小学", "小学 7/7", "达标", "0"),
        ("示范县第一中学", "初中", "初中 7/7", "达标", "1"),
    ]


def test_a_records_page_shows_indicators_changes_and_the_next_one(world: World) -> None:
    records = submitted(world)
    county = client_for(world.county_supervisor)
    page = county.get(record_url(world, records["junior"]))
    text = page.text
    assert "图书(册)由上学年的 20000 变为 200000（10 倍），变化超过 2 倍" in text and "新建图书馆" in text
    assert "L1 每百名学生拥有高于规定学历教师数" in text  # the stored evaluation's indicator table
    assert "审核队列（第 2 条，共 2 条）" in text
    assert f'href="{record_url(world, records["primary"])}" data-key="k" rel="prev"' in text
    assert 'data-key="j"' not in text  # the last one
    changes = county.get(record_url(world, records["junior"]), {"download": "year-on-year", "format": "csv"})
    lines = changes.content.decode("utf-8-sig").splitlines()
    assert "图书(册),20000,200000,900.0%" in lines
    assert page.context["parts"] and page.context["parts"][0].level == "junior"


def test_approving_goes_to_the_next_record_and_tells_the_clerk(world: World) -> None:
    records = submitted(world)
    county = client_for(world.county_supervisor)
    url = reverse("census:decide", args=[world.county.code, YEAR, records["primary"].pk, "approve"])
    done = county.post(url, follow=True)
    assert done.redirect_chain[-1][0] == record_url(world, records["junior"])
    assert "已审核通过：示范县第一小学（小学）。" in done.text
    assert CensusRecord.objects.get(pk=records["primary"].pk).status == "approved"
    (note,) = Notification.objects.filter(user=world.school_clerk, kind="census_approved")
    assert note.message_zh == f"示范县第一小学 {YEAR} 学年小学数据已审核通过"
    assert note.url == reverse("census:school", args=[world.primary.code, YEAR])


def test_returning_needs_a_reason_and_sends_it_to_the_clerk(world: World) -> None:
    records = submitted(world)
    county = client_for(world.county_supervisor)
    url = reverse("census:decide", args=[world.county.code, YEAR, records["primary"].pk, "return"])
    refused = county.post(url, {"reason": " "}, follow=True)
    assert "退回须说明原因" in refused.text and CensusRecord.objects.get(pk=records["primary"].pk).status == "submitted"
    done = county.post(url, {"reason": "体育场馆面积与台账不符"}, follow=True)
    assert "已退回：示范县第一小学（小学），原因：体育场馆面积与台账不符。" in done.text
    assert done.redirect_chain[-1][0] == record_url(world, records["junior"])
    (note,) = Notification.objects.filter(user=world.school_clerk, kind="census_returned")
    assert note.message_zh.endswith("数据被退回：体育场馆面积与台账不符")


def test_the_batch_approves_only_records_without_findings(world: World) -> None:
    records = submitted(world, extra=2)
    county = client_for(world.county_supervisor)
    page = county.get(queue_url(world))
    clean = [f"{e.record.pk}:{e.record.version}" for e in page.context["clean"]]
    assert len(clean) == 3  # 第一中学 has a warning
    # one of them changes after the page was shown: it is left for a new look
    changed = CensusRecord.objects.get(school__code="1399010500")
    actions.save_record(SYSTEM, changed.school, YEAR, "primary", {"books": 20500}, expected_version=changed.version)
    flagged = f"{records['junior'].pk}:{records['junior'].version}"
    url = reverse("census:approve_clean", args=[world.county.code, YEAR])
    done = county.post(url, {"record": [*clean, flagged]}, follow=True)
    assert "已审核通过 2 条。1 条在显示后已有变化，未审核，请重新查看。1 条有提示，须逐条审核。" in done.text
    statuses = dict(CensusRecord.objects.filter(year=YEAR).values_list("school__code", "status"))
    assert statuses == {world.primary.code: "approved", "1399010501": "approved", "1399010500": "submitted",
                        world.junior.code: "submitted"}  # fmt: skip
    assert CensusEvent.objects.filter(action="approve", reason="批量审核通过").count() == 2
    assert Notification.objects.filter(user=world.school_clerk, kind="census_approved").count() == 1


def test_a_record_with_impossible_figures_cannot_be_approved(world: World) -> None:
    records = submitted(world)
    # stored before the rule existed (written past the actions, as an old import would have)
    CensusRecord.objects.filter(pk=records["primary"].pk).update(teachers=999, students=174)
    county = client_for(world.county_supervisor)
    page = county.get(record_url(world, records["primary"])).text
    assert "不可能：专任教师数（999）多于在校生数（174）" in page and 'id="approve" disabled' in page
    queue = county.get(queue_url(world))
    assert [e.record.pk for e in queue.context["clean"]] == []


def test_only_the_county_reviews(world: World) -> None:
    records = submitted(world)
    for person, status in (("observer", 403), ("school_clerk", 404), ("neighbour_supervisor", 404),
                           ("city_inspector", 403)):  # fmt: skip
        client = client_for(getattr(world, person))
        assert client.get(queue_url(world)).status_code == status, person
        assert client.get(record_url(world, records["primary"])).status_code == status, person
        url = reverse("census:decide", args=[world.county.code, YEAR, records["primary"].pk, "approve"])
        assert client.post(url).status_code == status, person
    assert CensusRecord.objects.get(pk=records["primary"].pk).status == "submitted"
    # a record of another county under this county's address is not there
    neighbour = actions.save_record(SYSTEM, world.neighbour_school, YEAR, "primary", figures(PRIMARY)).record
    assert client_for(world.county_supervisor).get(record_url(world, neighbour)).status_code == 404


def test_the_pages_write_nothing(world: World) -> None:
    records = submitted(world)
    county = client_for(world.county_supervisor)
    before = (AuditEvent.objects.count(), CensusEvent.objects.count(), Notification.objects.count())
    county.get(queue_url(world))
    county.get(record_url(world, records["junior"]))
    assert (AuditEvent.objects.count(), CensusEvent.objects.count(), Notification.objects.count()) == before


# session, user, region, memberships (4); the queue's records, last year's, school years (3); the stored run
# and its data version (3); the county-year lock (1)
QUEUE_QUERIES = 11


@pytest.mark.parametrize("extra", [0, 10])
def test_the_queue_query_count_is_pinned(world: World, extra: int, django_assert_num_queries: Any) -> None:
    submitted(world, extra)
    county = client_for(world.county_supervisor)
    assert county.get(queue_url(world)).status_code == 200
    with django_assert_num_queries(QUEUE_QUERIES):
        assert county.get(queue_url(world)).status_code == 200
