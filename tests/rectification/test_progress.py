"""Progress reporting by the responsible department's clerk (text, percent, evidence files with type
and size limits), marking done, acceptance or return by the supervision office, milestones, and
the timeline that keeps every step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.notifications.models import Notification
from dudao.rectification import actions
from dudao.rectification.models import Milestone, ProgressReport, Task, TaskEvent, TaskEvidence
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, PNG, Rect, plan_of, task_for


@pytest.fixture
def task(rect: Rect, settings, tmp_path) -> Task:
    settings.MEDIA_ROOT = tmp_path
    return task_for(plan_of(rect.world), rect.finance, title="落实教育经费“两个只增不减”", cooperating=[rect.hr])


def report(rect: Rect, task: Task, **form: object) -> object:
    return client_for(rect.finance_clerk).post(reverse("rectification:report", args=[task.pk]), form)


def test_the_clerk_reports_progress_with_evidence_and_the_timeline_keeps_it(rect: Rect, task: Task) -> None:
    response = report(rect, task, text="一季度已拨付 1,200 万元", percent="40",
                      files=[SimpleUploadedFile("拨付凭证.pdf", PDF), SimpleUploadedFile("现场.png", PNG)])  # fmt: skip
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.progress) == ("in_progress", 40, "一季度已拨付 1,200 万元")
    files = list(TaskEvidence.objects.order_by("pk"))
    assert [f.original_name for f in files] == ["拨付凭证.pdf", "现场.png"]
    assert files[0].content_type == "application/pdf" and files[0].uploaded_by == rect.finance_clerk
    download = client_for(rect.world.county_supervisor).get(reverse("rectification:evidence", args=[files[0].pk]))
    assert b"".join(download.streaming_content) == PDF
    page = client_for(rect.finance_clerk).get(reverse("rectification:task", args=[task.pk]))
    assert "拨付凭证.pdf" in page.text and "报送进展" in page.text and "一季度已拨付" in page.text


def test_done_is_accepted_by_the_supervision_office(
    rect: Rect, task: Task, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report(rect, task, text="全年预算已足额安排", percent="100", done="1",
               files=[SimpleUploadedFile("预算批复.pdf", PDF)])  # fmt: skip
    task.refresh_from_db()
    assert task.status == "submitted" and task.submitted_at is not None
    assert Notification.objects.filter(user=rect.world.county_supervisor, kind="task_submitted").exists()
    county = client_for(rect.world.county_supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        assert county.post(reverse("rectification:accept", args=[task.pk]), {"note": "材料齐全"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "accepted" and task.accepted_at is not None
    assert [e.action for e in TaskEvent.objects.filter(task=task)] == ["create", "done", "accept"]
    # the clerk is told, in the application and by e-mail (the clerk has an address)
    assert Notification.objects.filter(user=rect.finance_clerk, kind="task_accepted").exists()
    assert any("任务已验收通过" in m.subject and m.to == ["finance@example.cn"] for m in mailoutbox)
    # no more reports on an accepted task
    again = report(rect, task, text="补充", percent="100")
    assert again.status_code == 400 and "不能再报送进展" in again.text


def test_a_return_needs_a_reason_and_the_clerk_reports_again(rect: Rect, task: Task) -> None:
    report(rect, task, text="已完成", percent="100", done="1", files=[SimpleUploadedFile("a.pdf", PDF)])
    county = client_for(rect.world.county_supervisor)
    empty = county.post(reverse("rectification:return", args=[task.pk]), {"reason": " "})
    assert empty.status_code == 400 and "请填写退回原因" in empty.text
    county.post(reverse("rectification:return", args=[task.pk]), {"reason": "缺少财政局盖章的预算批复"})
    task.refresh_from_db()
    assert task.status == "returned" and task.return_reason == "缺少财政局盖章的预算批复"
    note = Notification.objects.get(user=rect.finance_clerk, kind="task_returned")
    assert "缺少财政局盖章的预算批复" in note.message_zh
    page = client_for(rect.finance_clerk).get(reverse("rectification:task", args=[task.pk]))
    assert "缺少财政局盖章的预算批复" in page.text and 'id="report"' in page.text
    report(rect, task, text="已补充盖章文件", percent="100", done="1", files=[SimpleUploadedFile("b.pdf", PDF)])
    task.refresh_from_db()
    assert task.status == "submitted"


def test_the_office_may_reopen_an_accepted_task_with_a_reason(rect: Rect, task: Task) -> None:
    report(rect, task, text="已完成", percent="100", done="1", files=[SimpleUploadedFile("a.pdf", PDF)])
    actions.accept_task(SYSTEM, task)
    client_for(rect.world.county_supervisor).post(
        reverse("rectification:return", args=[task.pk]), {"reason": "复查不实"}
    )
    task.refresh_from_db()
    assert task.status == "returned" and task.accepted_at is None


def test_accepting_a_task_not_reported_done_is_refused(rect: Rect, task: Task) -> None:
    response = client_for(rect.world.county_supervisor).post(reverse("rectification:accept", args=[task.pk]))
    assert response.status_code == 400 and "只有“待验收”的任务可以验收" in response.text
    task.refresh_from_db()
    assert task.status == "assigned"


def test_done_needs_evidence(rect: Rect, task: Task) -> None:
    response = report(rect, task, text="已完成", percent="100", done="1")
    assert response.status_code == 400 and "须上传佐证材料" in response.text
    assert Task.objects.get(pk=task.pk).status == "assigned" and not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("files", "text"),
    [
        ([("安装包.exe", b"MZ" + b"\x00" * 40)], "不支持的文件类型"),
        ([("伪装.pdf", b"MZ" + b"\x00" * 40)], "内容与扩展名 .pdf 不符"),
        ([("空.pdf", b"")], "是空文件"),
        ([("好.pdf", PDF), ("大.pdf", PDF + b"0" * 2048)], "超过 0.00195312 MB 的上限"),
    ],
)
def test_bad_files_refuse_the_whole_report_and_store_nothing(
    rect: Rect, task: Task, settings, tmp_path, files: list, text: str
) -> None:
    settings.DUDAO_EVIDENCE_MAX_BYTES = 2048
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = report(rect, task, text="进展", percent="30", files=uploads)
    assert response.status_code == 400 and text in response.text
    assert not ProgressReport.objects.exists() and not TaskEvidence.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*")), "a refused report leaves no file behind"
    assert Task.objects.get(pk=task.pk).percent == 0


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ({"text": "", "percent": "30"}, "请填写进展情况"),
        ({"text": "进展", "percent": "130"}, "应在 0–100 之间"),
        ({"text": "进展", "percent": "三成"}, "不是 0–100 的整数"),
    ],
)
def test_a_bad_report_is_refused_clearly(rect: Rect, task: Task, form: dict, text: str) -> None:
    response = report(rect, task, **form)
    assert response.status_code == 400 and text in response.text and not ProgressReport.objects.exists()


def test_a_clerk_cannot_reach_another_departments_task_by_url(rect: Rect, task: Task) -> None:
    other = task_for(task.plan, rect.development, title="新建第八小学")
    clerk = client_for(rect.finance_clerk)
    assert clerk.get(reverse("rectification:task", args=[other.pk])).status_code == 404
    response = clerk.post(reverse("rectification:report", args=[other.pk]), {"text": "x", "percent": "10"})
    assert response.status_code == 404 and not ProgressReport.objects.exists()
    # a cooperating department sees the task but does not report on it
    hr = client_for(rect.hr_clerk)
    assert hr.get(reverse("rectification:task", args=[task.pk])).status_code == 200
    assert hr.post(reverse("rectification:report", args=[task.pk]), {"text": "x", "percent": "10"}).status_code == 403
    # and the neighbour county's clerk knows nothing of it
    assert client_for(rect.neighbour_clerk).get(reverse("rectification:task", args=[task.pk])).status_code == 404


def test_milestones_are_added_by_the_office_and_done_by_the_clerk(rect: Rect, task: Task) -> None:
    county = client_for(rect.world.county_supervisor)
    due = (actions.today() + dt.timedelta(days=10)).isoformat()
    county.post(reverse("rectification:add_milestone", args=[task.pk]), {"title": "预算上会", "due": due})
    milestone = Milestone.objects.get()
    late = county.post(reverse("rectification:add_milestone", args=[task.pk]), {"title": "晚", "due": "2099-01-01"})
    assert late.status_code == 400 and "晚于任务完成时限" in late.text
    assert (
        client_for(rect.hr_clerk).post(reverse("rectification:milestone_done", args=[milestone.pk])).status_code == 403
    )
    client_for(rect.finance_clerk).post(reverse("rectification:milestone_done", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.done_on == actions.today()
    assert TaskEvent.objects.filter(task=task, action="milestone", note="预算上会").exists()


def test_the_office_changes_the_deadline_and_the_unit_keeping_old_and_new(rect: Rect, task: Task) -> None:
    county = client_for(rect.world.county_supervisor)
    later = actions.today() + dt.timedelta(days=200)
    past = county.post(reverse("rectification:edit", args=[task.pk]), {"deadline": "2020-01-01"})
    assert past.status_code == 400 and "已经过去" in past.text
    county.post(reverse("rectification:edit", args=[task.pk]), {
        "title": task.title, "department": rect.bureau.pk, "deadline": later.isoformat(), "reason": "调整分工",
    })  # fmt: skip
    task.refresh_from_db()
    assert task.department == rect.bureau and task.deadline == later
    event = TaskEvent.objects.get(task=task, action="edit")
    assert event.data["changes"]["department"] == ["示范县财政局", "示范县教育局"] and event.note == "调整分工"
    assert Notification.objects.filter(user=rect.bureau_clerk, kind="task_assigned").exists()
    assert client_for(rect.finance_clerk).get(reverse("rectification:task", args=[task.pk])).status_code == 404
