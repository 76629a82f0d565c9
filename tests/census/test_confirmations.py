"""Wide and irreversible census acts ask for a confirmation that states their effect, and every census action
ends with a message saying what happened: locking a year names how many records are not approved (and is
refused if that changed after the confirmation), unlocking needs a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dudao.census import actions
from dudao.census.models import CensusEvent, CensusRecord, CensusYear
from tests.personas import SYSTEM, YEAR, World, client_for

pytestmark = pytest.mark.django_db


def three_records(world: World) -> list[CensusRecord]:
    """第一小学 approved, 第一中学 submitted, the nine-year school a draft: 2 not approved."""
    records = [
        actions.save_record(SYSTEM, school, YEAR, level, {"students": 500}).record
        for school, level in ((world.primary, "primary"), (world.junior, "junior"), (world.nine_year, "primary"))
    ]
    for r in records[:2]:
        actions.submit(SYSTEM, r)
    actions.approve(SYSTEM, records[0])
    return records


def lock_url(world: World) -> str:
    return reverse("census:lock", args=[world.county.code, YEAR])


def test_locking_states_how_many_records_are_not_approved(world: World) -> None:
    three_records(world)
    county = client_for(world.county_supervisor)
    completeness = county.get(reverse("census:completeness", args=[world.county.code, YEAR])).text
    assert f'href="{lock_url(world)}" id="lock-link"' in completeness  # a link to the confirmation, not a button
    page = county.get(lock_url(world)).text
    assert "有 2 条记录未审核" in page and "确认锁定（2 条记录未审核）" in page
    assert not CensusYear.objects.filter(locked=True).exists()  # showing the confirmation locks nothing
    # a post that did not come through the confirmation is sent to it
    assert county.post(lock_url(world)).url == lock_url(world)
    assert not CensusYear.objects.filter(locked=True).exists()
    done = county.post(lock_url(world), {"unapproved": "2"}, follow=True).text
    assert f"已锁定 {YEAR} 学年数据（2 条记录未审核）。此后任何修改须先解锁并说明原因。" in done
    assert CensusYear.objects.get(county=world.county, year=YEAR).locked
    assert CensusEvent.objects.get(action="lock").reason == "锁定时 2 条记录未审核"


def test_a_lock_whose_effect_changed_is_refused(world: World) -> None:
    records = three_records(world)
    county = client_for(world.county_supervisor)
    assert "有 2 条记录未审核" in county.get(lock_url(world)).text
    actions.submit(SYSTEM, records[2])  # still not approved: 2
    actions.approve(SYSTEM, records[1])  # now 1
    refused = county.post(lock_url(world), {"unapproved": "2"}, follow=True).text
    assert "现有 1 条记录未审核（确认时为 2 条），未锁定；请重新确认" in refused
    assert "确认锁定（1 条记录未审核）" in refused  # the confirmation, shown again with the new number
    assert not CensusYear.objects.filter(locked=True).exists()


def test_unlocking_needs_a_reason_and_says_what_happened(world: World) -> None:
    actions.lock_year(SYSTEM, world.county, YEAR)
    county = client_for(world.county_supervisor)
    url = reverse("census:unlock", args=[world.county.code, YEAR])
    assert "解锁须说明原因" in county.post(url, {"reason": ""}, follow=True).text
    done = county.post(url, {"reason": "更正体育场馆面积"}, follow=True).text
    assert f"已解锁 {YEAR} 学年数据，原因：更正体育场馆面积。" in done


def test_each_census_action_ends_with_a_message(world: World) -> None:
    clerk, county = client_for(world.school_clerk), client_for(world.county_supervisor)
    save = reverse("census:save", args=[world.primary.code, YEAR, "primary"])
    saved = clerk.post(save, {"primary-version": "0", "primary-students": "500"}, follow=True).text
    assert "已保存，1 项数值有变化。" in saved
    record = CensusRecord.objects.get()
    again = clerk.post(save, {"primary-version": "1", "primary-students": "500"}, follow=True).text
    assert "已保存（数值没有变化）。" in again
    submit = clerk.post(reverse("census:transition", args=[record.pk, "submit"]), follow=True).text
    assert "已提交小学数据，等待县级审核。" in submit
    approved = county.post(reverse("census:transition", args=[record.pk, "approve"]), follow=True).text
    assert "已审核通过小学数据。" in approved
    returned = county.post(reverse("census:transition", args=[record.pk, "return"]), {"reason": "补充说明"},
                           follow=True).text  # fmt: skip
    assert "已退回小学数据，学校填报员已收到通知。" in returned
    deadline = reverse("census:deadline", args=[world.county.code, YEAR])
    assert "填报截止日期已设为 2099-06-30。" in county.post(deadline, {"deadline": "2099-06-30"}, follow=True).text
    assert "已取消填报截止日期。" in county.post(deadline, {"deadline": ""}, follow=True).text
