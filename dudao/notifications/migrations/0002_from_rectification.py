"""Copy the notifications rectification kept (``rectification.Notification``, with a task) into this
app's table (with a link): same person, kind renamed, key renamed the same way (so a reminder already
sent today is not sent again), messages, times, read and e-mailed flags. Paths are written as they
were when this migration was made."""

from django.db import migrations

KINDS = {
    "new_task": "task_assigned",
    "due_soon": "task_due",
    "overdue": "task_overdue",
    "returned": "task_returned",
    "accepted": "task_accepted",
    "submitted": "task_submitted",
}
BACK = {new: old for old, new in KINDS.items()}
TASK_PATH = "/rectification/task/{}/"
DASHBOARD_PATH = "/rectification/county/{}/"


def _rename_key(key, names):
    prefix, sep, rest = key.partition(":")
    return f"{names.get(prefix, prefix)}{sep}{rest}"


def forward(apps, schema_editor):
    Old = apps.get_model("rectification", "Notification")
    New = apps.get_model("notifications", "Notification")
    Region = apps.get_model("orgs", "Region")
    codes = dict(Region.objects.filter(level="county").values_list("pk", "code"))
    made = []
    for old in Old.objects.order_by("pk").iterator():
        if old.task_id is not None:
            url = TASK_PATH.format(old.task_id)
        elif old.key.startswith("digest:") and int(old.key.split(":")[1]) in codes:
            url = DASHBOARD_PATH.format(codes[int(old.key.split(":")[1])])
        else:
            url = ""
        made.append(
            New(
                user_id=old.user_id, kind=KINDS.get(old.kind, old.kind), key=_rename_key(old.key, KINDS),
                message_zh=old.message_zh, message_en=old.message_en, url=url, created_at=old.created_at,
                read_at=old.read_at, emailed=old.emailed,
            )
        )  # fmt: skip
        if len(made) >= 1000:
            _save(New, made)
            made = []
    _save(New, made)


def _save(New, rows):
    """``created_at`` is auto_now_add (set on insert): put the original time back after."""
    if not rows:
        return
    times = [row.created_at for row in rows]
    created = New.objects.bulk_create(rows)
    for row, at in zip(created, times, strict=True):
        row.created_at = at
    New.objects.bulk_update(created, ["created_at"])


def backward(apps, schema_editor):
    Old = apps.get_model("rectification", "Notification")
    New = apps.get_model("notifications", "Notification")
    for new in New.objects.filter(kind__in=list(BACK)).order_by("pk").iterator():
        task_id = None
        if new.url.startswith("/rectification/task/"):
            task_id = int(new.url.strip("/").split("/")[-1])
        old = Old.objects.create(
            user_id=new.user_id, kind=BACK[new.kind], key=_rename_key(new.key, BACK), task_id=task_id,
            message_zh=new.message_zh, message_en=new.message_en, read_at=new.read_at, emailed=new.emailed,
        )  # fmt: skip
        Old.objects.filter(pk=old.pk).update(created_at=new.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("rectification", "0002_item_finding_en"),
        ("orgs", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
