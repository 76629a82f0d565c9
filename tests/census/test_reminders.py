"""催报: from the completeness page the county reminds every school not yet submitted (or one); the school's
clerks are notified; each reminder is logged (who, when, which school); a school is reminded at most once a
day — a second click the same day says so and sends nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEvent
from dudao.census import actions
from dudao.census.models import CensusReminder
from dudao.notifications.models import Notification
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def remind_url(world: World) -> str:
    return reverse("census:remind", args=[world.county.code, YEAR])


def page_url(world: World) -> str:
    return reverse("census:completeness", args=[world.county.code, YEAR])


def test_every_school_not_submitted_is_reminded_once_a_day(world: World) -> None:
    # 第一中学 has submitted; 第一小学 (with a clerk) and the nine-year school (none) have not
    record = actions.save_record(SYSTEM, world.junior, YEAR, "junior", {"students": 500}).record
    actions.submit(SYSTEM, record)
    county = client_for(world.county_supervisor)
    page = county.get(page_url(world)).text
    assert "催报全部未提交学校（2 所）" in page
    done = county.post(remind_url(world), follow=True).text
    assert "已催报 2 所学校，通知 1 名填报员。" in done and "示范县城关九年一贯制学校 没有填报员账号" in done
    (note,) = Notification.objects.filter(kind="census_reminder")
    assert note.user == world.school_clerk and note.url == reverse("census:school", args=[world.primary.code, YEAR])
    assert note.message_zh == f"催报：请尽快填报并提交 示范县第一小学 {YEAR} 学年统计数据"
    logged = CensusReminder.objects.order_by("school__code")
    assert [(r.school.code, r.state, r.recipients, r.sent_by) for r in logged] == [
        (world.primary.code, "missing", 1, world.county_supervisor),
        (world.nine_year.code, "missing", 0, world.county_supervisor),
    ]
    assert AuditEvent.objects.get(verb="census.reminded").data["schools"] == [world.primary.code, world.nine_year.code]
    # the same day again: nothing is sent
    again = county.post(remind_url(world), follow=True).text
    assert "今天已催报过，未重复发送" in again
    assert CensusReminder.objects.count() == 2 and Notification.objects.filter(kind="census_reminder").count() == 1
    # the log on the page: who, when, which schools
    log = county.get(page_url(world), {"download": "reminders", "format": "csv"}).content.decode("utf-8-sig")
    assert "县督导,2,示范县第一小学、示范县城关九年一贯制学校" in log


def test_one_school_can_be_reminded_and_the_next_day_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    county = client_for(world.county_supervisor)
    done = county.post(remind_url(world), {"school": world.primary.code}, follow=True).text
    assert "已催报 1 所学校" in done
    assert list(CensusReminder.objects.values_list("school__code", flat=True)) == [world.primary.code]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    result = actions.remind(world.county_supervisor, world.county, YEAR, [world.primary.code])
    assert [r.code for r in result.sent] == [world.primary.code]
    assert Notification.objects.filter(kind="census_reminder", user=world.school_clerk).count() == 2


def test_a_submitted_school_is_not_reminded(world: World) -> None:
    record = actions.save_record(SYSTEM, world.primary, YEAR, "primary", {"students": 500}).record
    actions.submit(SYSTEM, record)
    result = actions.remind(world.county_supervisor, world.county, YEAR, [world.primary.code])
    assert result.sent == [] and result.submitted == [world.primary.code]
    assert not Notification.objects.filter(kind="census_reminder").exists()


def test_only_the_county_reminds(world: World) -> None:
    for person, status in (("observer", 403), ("school_clerk", 404), ("neighbour_supervisor", 404),
                           ("city_inspector", 403)):  # fmt: skip
        assert client_for(getattr(world, person)).post(remind_url(world)).status_code == status, person
    assert not CensusReminder.objects.exists()
    assert "催报全部未提交学校" not in client_for(world.observer).get(page_url(world)).text
