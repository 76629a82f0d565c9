"""Every change in rectification: work plans and tasks, milestones, progress reports with evidence,
acceptance and return, rectification items (from the evaluation, by hand, from inspectors'
findings), consultation meetings and their decisions, leaders' liaison schools, bulletins and
reminders.

Each action checks permission through ``dudao.orgs.access`` (``review`` on the county for the
supervision office, ``report`` on a task for the responsible department's clerk, ``inspect`` for
inspectors' findings), validates everything before writing, writes inside a transaction, leaves a
:class:`TaskEvent` on the task's timeline, and notifies the people concerned. A refusal is a
:class:`RectificationError` with a stable code and Chinese and English messages; nothing is written.

Every action takes its actor first (docs/adr/0008-actors.md): a person is checked, the system is not.

One module per topic, each name re-exported here so callers keep writing ``actions.create_task``:
``common`` (the error, permission and input checks), ``tasks`` (work plans, tasks, milestones),
``progress`` (reports, acceptance, return), ``items`` (rectification items), ``meetings``,
``liaison``, ``bulletins`` and ``reminders``.
"""

from __future__ import annotations

from dudao.rectification.actions.bulletins import (
    issue_bulletin,
)
from dudao.rectification.actions.common import (
    MAX_FILES,
    MAX_TITLE,
    Item,
    RectificationError,
    Status,
    check_cooperating,
    check_county,
    check_deadline,
    check_department,
    check_files,
    check_indicators,
    check_text,
    find_department,
    indicator_codes,
    today,
    town_of,
)
from dudao.rectification.actions.items import (
    GenerateResult,
    Shortfall,
    add_item,
    close_item,
    generate_items,
    shortfalls,
)
from dudao.rectification.actions.liaison import (
    add_leader,
    add_matter,
    attach_liaison_files,
    complete_matter,
    link_school,
    record_visit,
)
from dudao.rectification.actions.meetings import (
    add_decision,
    decision_to_task,
    record_meeting,
)
from dudao.rectification.actions.progress import (
    accept_task,
    report_progress,
    return_task,
)
from dudao.rectification.actions.reminders import (
    ReminderResult,
    send_reminders,
)
from dudao.rectification.actions.tasks import (
    SYSTEM_LISTS,
    CheckedTask,
    TaskSpec,
    add_milestone,
    check_task,
    complete_milestone,
    create_plan,
    create_task,
    create_tasks,
    system_plan,
    task_url,
    update_task,
)

__all__ = [
    "MAX_FILES",
    "MAX_TITLE",
    "SYSTEM_LISTS",
    "CheckedTask",
    "GenerateResult",
    "Item",
    "RectificationError",
    "ReminderResult",
    "Shortfall",
    "Status",
    "TaskSpec",
    "accept_task",
    "add_decision",
    "add_item",
    "add_leader",
    "add_matter",
    "add_milestone",
    "attach_liaison_files",
    "check_cooperating",
    "check_county",
    "check_deadline",
    "check_department",
    "check_files",
    "check_indicators",
    "check_task",
    "check_text",
    "close_item",
    "complete_matter",
    "complete_milestone",
    "create_plan",
    "create_task",
    "create_tasks",
    "decision_to_task",
    "find_department",
    "generate_items",
    "indicator_codes",
    "issue_bulletin",
    "link_school",
    "record_meeting",
    "record_visit",
    "report_progress",
    "return_task",
    "send_reminders",
    "shortfalls",
    "system_plan",
    "task_url",
    "today",
    "town_of",
    "update_task",
]
