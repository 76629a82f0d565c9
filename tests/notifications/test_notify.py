"""The one interface every app calls (``dudao.notifications.notify``) and the centre that shows the
result: once per person and key, a link on the site, kinds checked, the header's list as JSON, read
marks only one's own."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from dudao.notifications import Kind, notify
from dudao.notifications.models import Notification
from tests.personas import PASSWORD, World


def client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def returned(world: World, key: str = "census_returned:1") -> list[Notification]:
    return notify(
        [world.school_clerk], Kind.CENSUS_RETURNED, key, "示范县第一小学 2025 学年小学数据被退回：请核实在校生数",
        "The 2025 primary figures of 示范县第一小学 were returned: check the pupils",
        reverse("census:school", args=[world.primary.code, 2025]),
    )  # fmt: skip


def test_once_per_person_and_key(world: World) -> None:
    assert len(returned(world)) == 1
    assert returned(world) == []  # the same key again: nobody is told twice
    assert len(returned(world, "census_returned:2")) == 1
    both = notify([world.school_clerk, world.county_supervisor], Kind.CENSUS_APPROVED, "census_approved:1", "a", "b")
    assert [n.user for n in both] == [world.school_clerk, world.county_supervisor]
    assert Notification.objects.count() == 4


def test_a_rolled_back_action_notifies_nobody(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        returned(world)
        raise RuntimeError("the action failed after notifying")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("kind", "url", "error"),
    [("returned", "", "unknown notification kind"), (Kind.FINDING, "https://evil.example/", "a path on this site")],
)
def test_a_wrong_kind_or_an_outside_link_is_refused(world: World, kind: str, url: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        notify([world.school_clerk], kind, "k", "中", "en", url)
    assert not Notification.objects.exists()


def test_the_centre_and_the_header_list(world: World) -> None:
    returned(world)
    notify([world.county_supervisor], Kind.FINDING, "finding:1", "不是你的", "not yours")
    clerk = client(world.school_clerk)
    unread = clerk.get(reverse("notifications:unread")).json()
    assert unread["count"] == 1
    item = unread["items"][0]
    assert item["message"].startswith("示范县第一小学 2025 学年小学数据被退回") and item["kind"] == "填报被退回"
    assert item["url"] == reverse("census:school", args=[world.primary.code, 2025])
    page = clerk.get(reverse("notifications:centre"))
    assert "未读 1 条" in page.text and "不是你的" not in page.text
    assert f'href="{item["url"]}"' in page.text
    clerk.cookies["django_language"] = "en"
    assert clerk.get(reverse("notifications:unread")).json()["items"][0]["message"].startswith("The 2025 primary")
    # marking read touches one's own only, whatever ids are sent
    theirs = Notification.objects.get(user=world.county_supervisor)
    clerk.post(reverse("notifications:read"), {"id": [str(theirs.pk)]})
    theirs.refresh_from_db()
    assert theirs.read_at is None and clerk.get(reverse("notifications:unread")).json()["count"] == 1
    clerk.post(reverse("notifications:read"))
    assert clerk.get(reverse("notifications:unread")).json() == {"count": 0, "items": []}
    assert Notification.objects.get(user=world.county_supervisor).read_at is None


def test_the_centre_downloads_and_needs_a_login(world: World) -> None:
    returned(world)
    response = client(world.school_clerk).get(reverse("notifications:centre") + "?download=notifications&format=csv")
    assert response.status_code == 200 and "被退回" in response.content.decode("utf-8-sig")
    for name in ("centre", "unread"):
        anonymous = Client().get(reverse(f"notifications:{name}"))
        assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert Client().post(reverse("notifications:read")).status_code == 302


def test_the_centre_pins_its_queries(world: World, django_assert_num_queries) -> None:
    for i in range(30):
        returned(world, f"census_returned:{i}")
    clerk = client(world.school_clerk)
    with django_assert_num_queries(4):  # session, user, the rows, the unread count
        assert clerk.get(reverse("notifications:centre")).status_code == 200
