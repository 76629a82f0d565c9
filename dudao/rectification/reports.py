"""What the supervision pages and the bulletin show, computed once from the stored tasks: each
task's state on a day (``status.task_state``) and the counts by responsible unit and by town."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from dudao.orgs.models import Department, Region
from dudao.rectification.models import Task
from dudao.rectification.rules import rules_for
from dudao.rectification.status import STATES, State, task_state


def county_tasks(county: Region) -> QuerySet[Task]:
    """The county's tasks with what lists and states read (four queries in all once evaluated)."""
    return (
        Task.objects.filter(county=county)
        .select_related("department", "town", "plan")
        .prefetch_related("milestones", "cooperating")
        .order_by("deadline", "plan_id", "number")
    )


@dataclass
class UnitProgress:
    name: str
    pk: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        """The share done (a fraction), None without tasks."""
        return self.counts["done"] / self.total if self.total else None

    def row(self) -> dict[str, object]:
        return {"unit": self.name, "total": self.total, **self.counts, "rate": self.rate}


@dataclass
class CountyProgress:
    """Every task of a county with its state on ``on``, and the counts by department and town."""

    county: Region
    on: dt.date
    tasks: list[Task]
    states: dict[int, State]
    by_unit: list[UnitProgress]  # every responsible unit, town governments too
    by_department: list[UnitProgress]  # the county's departments (not the town governments)
    by_town: list[UnitProgress]  # by the town a task concerns
    totals: dict[str, int]

    def of(self, state: State) -> list[Task]:
        return [t for t in self.tasks if self.states[t.pk] == state]


def _order(units: dict[int, UnitProgress]) -> list[UnitProgress]:
    return sorted(units.values(), key=lambda u: (-u.counts["overdue"], -u.counts["at_risk"], u.name))


def county_progress(county: Region, on: dt.date, tasks: list[Task] | None = None) -> CountyProgress:
    """The county's tasks as they stand on ``on`` (tasks created later are left out)."""
    rules = rules_for(county.code)
    if tasks is None:
        tasks = list(county_tasks(county))
    tasks = [t for t in tasks if t.created_at is None or timezone.localtime(t.created_at).date() <= on]
    states = {t.pk: task_state(t, on, rules) for t in tasks}
    units: dict[int, UnitProgress] = {}
    towns: dict[int, UnitProgress] = {}
    totals: dict[str, int] = dict.fromkeys(STATES, 0)
    town_units = set()
    for task in tasks:
        state = states[task.pk]
        totals[state] += 1
        units.setdefault(task.department_id, UnitProgress(task.department.name, task.department_id)).counts[state] += 1
        if task.department.kind == Department.Kind.TOWN:
            town_units.add(task.department_id)
        if task.town is not None:
            towns.setdefault(task.town.pk, UnitProgress(task.town.name, task.town.pk)).counts[state] += 1
    by_unit = _order(units)
    departments = [u for u in by_unit if u.pk not in town_units]
    return CountyProgress(county, on, tasks, states, by_unit, departments, _order(towns), totals)


def overdue_units(progress: CountyProgress) -> list[tuple[Department, list[Task]]]:
    """The responsible units with overdue tasks, most overdue first."""
    units: dict[int, tuple[Department, list[Task]]] = {}
    for task in progress.of("overdue"):
        units.setdefault(task.department_id, (task.department, []))[1].append(task)
    return sorted(units.values(), key=lambda u: (-len(u[1]), u[0].name))


def counties_states(counties: list[Region], on: dt.date) -> dict[int, dict[str, int]]:
    """Per county (pk), how many of its tasks are in each state on ``on`` (the same ``task_state`` as
    every page); two queries whatever the number of counties."""
    out: dict[int, dict[str, int]] = {c.pk: dict.fromkeys(STATES, 0) for c in counties}
    codes = {c.pk: c.code for c in counties}
    tasks = Task.objects.filter(county__in=counties).prefetch_related("milestones")
    for task in tasks:
        if task.created_at is not None and timezone.localtime(task.created_at).date() > on:
            continue
        out[task.county_id][task_state(task, on, rules_for(codes[task.county_id]))] += 1
    return out
