"""The notifications rectification kept move into this app with their person, key (renamed with the
kind, so today's reminders are not sent again), times and read marks; a task's becomes its link.
Migrates a real test database back to before the move and forward again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("rectification", "0002_item_finding_en"), ("notifications", None)]
AFTER = [
    ("rectification", "0003_notification_moved_to_notifications_app"),
    ("notifications", "0002_from_rectification"),
]


def migrate(targets: list[tuple[str, str | None]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_move_with_their_keys_times_and_read_marks() -> None:
    old_apps = migrate(BEFORE)
    try:
        Region = old_apps.get_model("orgs", "Region")
        Department = old_apps.get_model("orgs", "Department")
        WorkPlan = old_apps.get_model("rectification", "WorkPlan")
        Task = old_apps.get_model("rectification", "Task")
        Old = old_apps.get_model("rectification", "Notification")
        county = Region.objects.create(code="139901", name="示范县", level="county", path="/139901/")
        dept = Department.objects.create(county=county, name="示范县财政局", kind="finance")
        plan = WorkPlan.objects.create(county=county, kind="plan", year=2025, title="方案")
        task = Task.objects.create(county=county, plan=plan, number=1, title="拨付经费", department=dept,
                                   deadline=dt.date(2026, 6, 30))  # fmt: skip
        clerk = User.objects.create(username="财政联络员")
        due = Old.objects.create(user_id=clerk.pk, kind="due_soon", key=f"due_soon:{task.pk}:2026-06-27",
                                 task=task, message_zh="任务将于 3 天后到期", message_en="Task due in 3 day(s)",
                                 emailed=True)  # fmt: skip
        digest = Old.objects.create(user_id=clerk.pk, kind="overdue", key=f"digest:{county.pk}:2026-07-01",
                                    message_zh="示范县有 1 项任务逾期", message_en="1 task overdue")  # fmt: skip
        read_at = dt.datetime(2026, 6, 28, 9, tzinfo=dt.UTC)
        Old.objects.filter(pk=due.pk).update(created_at=dt.datetime(2026, 6, 27, 1, tzinfo=dt.UTC), read_at=read_at)
    finally:
        new_apps = migrate(AFTER)
    New = new_apps.get_model("notifications", "Notification")
    rows = {n.kind: n for n in New.objects.all()}
    assert set(rows) == {"task_due", "task_overdue"}
    moved = rows["task_due"]
    assert (moved.user_id, moved.key, moved.url) == (
        clerk.pk,
        f"task_due:{task.pk}:2026-06-27",
        f"/rectification/task/{task.pk}/",
    )
    assert moved.created_at == dt.datetime(2026, 6, 27, 1, tzinfo=dt.UTC) and moved.read_at == read_at
    assert moved.emailed and moved.message_zh == "任务将于 3 天后到期"
    assert rows["task_overdue"].key == digest.key and rows["task_overdue"].url == "/rectification/county/139901/"
    assert "rectification_notification" not in connection.introspection.table_names()
