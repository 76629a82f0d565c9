"""Notifications: new task, deadline in N days, overdue, returned — in the application (the header's
list, the page) and by e-mail; ``dudao send_reminders`` for a daily timer sends each reminder once a day."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from dudao.notifications.models import Notification
from dudao.rectification import actions
from dudao.rectification.actions import task_url
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for


def test_a_new_task_reaches_the_clerks_in_the_header_and_by_mail(
    rect: Rect, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task = task_for(plan_of(rect.world), rect.hr, title="公开招聘体育艺术教师45名", cooperating=[rect.finance])
    url = reverse("rectification:task", args=[task.pk])
    assert Notification.objects.filter(user=rect.hr_clerk, kind="task_assigned", url=url).exists()
    assert Notification.objects.filter(user=rect.finance_clerk, kind="task_assigned", url=url).exists()  # cooperating
    assert sorted(m.to[0] for m in mailoutbox) == ["finance@example.cn", "hr@example.cn"]
    mail = next(m for m in mailoutbox if m.to == ["hr@example.cn"])
    assert "公开招聘体育艺术教师45名" in mail.subject and f"/rectification/task/{task.pk}/" in mail.body
    assert "New task for 示范县人力资源和社会保障局" in mail.body
    clerk = client_for(rect.hr_clerk)
    unread = clerk.get(reverse("notifications:unread")).json()
    assert unread["count"] == 1 and unread["items"][0]["url"] == reverse("rectification:task", args=[task.pk])
    assert "新任务" in unread["items"][0]["message"]
    page = clerk.get(reverse("notifications:centre"))
    assert "公开招聘体育艺术教师45名" in page.text and "未读 1 条" in page.text
    clerk.post(reverse("notifications:read"))
    assert clerk.get(reverse("notifications:unread")).json()["count"] == 0
    # the header of every page carries the list (filled by notifications.js)
    assert 'id="notices"' in clerk.get(reverse("rectification:mine")).text


def test_the_header_list_is_in_english_when_asked(rect: Rect) -> None:
    task_for(plan_of(rect.world), rect.hr, title="招聘")
    clerk = client_for(rect.hr_clerk)
    clerk.cookies["django_language"] = "en"
    assert clerk.get(reverse("notifications:unread")).json()["items"][0]["message"].startswith("New task")


def test_reminders_go_once_a_day(rect: Rect, django_capture_on_commit_callbacks, mailoutbox) -> None:
    plan = plan_of(rect.world)
    soon = task_for(plan, rect.hr, days=3, title="即将到期的任务")
    late = task_for(plan, rect.hr, days=-2, title="逾期的任务")
    far = task_for(plan, rect.hr, days=100, title="远期任务")
    Notification.objects.all().delete()
    mailoutbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert "即将到期提醒 1 条，逾期提醒 1 条，督导室汇总 1 条" in out.getvalue()
    kinds = {(n.user.username, n.kind, n.url) for n in Notification.objects.select_related("user")}
    assert kinds == {
        ("人社联络员", "task_due", task_url(soon)), ("人社联络员", "task_overdue", task_url(late)),
        ("县督导", "task_overdue", reverse("rectification:dashboard", args=[rect.world.county.code])),
    }  # fmt: skip
    assert task_url(far) not in {n.url for n in Notification.objects.all()}
    digest = Notification.objects.get(user=rect.world.county_supervisor)
    assert "示范县有 1 项任务逾期未完成，涉及：示范县人力资源和社会保障局" in digest.message_zh
    assert len(mailoutbox) == 2  # the clerk has an address, the supervisor has none
    out = StringIO()
    call_command("send_reminders", stdout=out)  # the same day again: nothing new
    assert "即将到期提醒 0 条，逾期提醒 0 条，督导室汇总 0 条" in out.getvalue() and Notification.objects.count() == 3
    tomorrow = (actions.today() + dt.timedelta(days=1)).isoformat()
    call_command("send_reminders", "--date", tomorrow, stdout=StringIO())
    assert Notification.objects.count() == 6
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "tomorrow")


def test_done_tasks_get_no_reminders(rect: Rect, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    task = task_for(plan_of(rect.world), rect.hr, days=2)
    actions.report_progress(SYSTEM, task, "已完成", 100, done=True, files=[SimpleUploadedFile("a.pdf", PDF)])
    Notification.objects.all().delete()
    result = actions.send_reminders()
    assert (result.due_soon, result.overdue) == (0, 0) and not Notification.objects.exists()


def test_a_failing_mail_server_keeps_the_in_app_notification(
    rect: Rect, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        task_for(plan_of(rect.world), rect.hr, title="招聘")
    note = Notification.objects.get(user=rect.hr_clerk)
    delivery = note.deliveries.get()  # the e-mail is retried later (dudao deliver_notifications)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "retry", 1)
    assert "ConnectionRefusedError" in delivery.last_error


def test_an_inspectors_finding_reaches_the_supervision_office(rect: Rect) -> None:
    deadline = actions.today() + dt.timedelta(days=90)
    item = actions.add_item(
        rect.world.city_inspector, rect.world.county, "inspection", "恢复音乐、美术专用教室", rect.bureau, deadline,
        finding="功能室被挪作教室使用", school=rect.world.primary,
    )  # fmt: skip
    note = Notification.objects.get(user=rect.world.county_supervisor, kind="finding")
    assert note.key == f"finding:{item.pk}" and note.url == reverse("rectification:task", args=[item.task_id])
    assert note.message_zh.startswith("督导检查发现问题（示范县第一小学）：功能室被挪作教室使用")
    assert "Inspection finding at 示范县第一小学" in note.message_en
    # the responsible unit's clerk is told of the new task as for any task
    assert Notification.objects.filter(user=rect.bureau_clerk, kind="task_assigned").exists()
