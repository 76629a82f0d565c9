"""``dudao seed_rectification_demo`` writes 示范县's rectification demo through the actions, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dudao.rectification.models import Bulletin, Meeting, RectificationItem, Task, TaskEvent


@pytest.mark.django_db
def test_the_demo_needs_the_county_demo(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_rectification_demo", stdout=StringIO())


@pytest.mark.django_db
def test_the_demo_has_tasks_in_every_state_and_is_written_once(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_rectification_demo", stdout=out)
    assert "整改示范数据已写入" in out.getvalue()
    items = RectificationItem.objects.all()
    assert items.filter(source="evaluation").count() >= 5 and items.filter(source="inspection").count() == 1
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {"accepted", "returned", "submitted", "in_progress", "assigned"} <= statuses
    assert Meeting.objects.count() == 2 and Bulletin.objects.count() == 1
    assert Bulletin.objects.get().overdue_units  # the bulletin names overdue units
    assert TaskEvent.objects.filter(action="accept").exists()
    before = Task.objects.count()
    again = StringIO()
    call_command("seed_rectification_demo", stdout=again)
    assert "未作改动" in again.getvalue() and Task.objects.count() == before
    call_command("seed_rectification_demo", "--reset", stdout=StringIO())
    assert Task.objects.count() == before
