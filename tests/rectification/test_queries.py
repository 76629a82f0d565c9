"""The list pages read a fixed number of queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.rectification import actions
from tests.personas import SYSTEM, client_for
from tests.rectification.conftest import PDF, Rect, plan_of, task_for


def grow(rect: Rect, n: int) -> None:
    """``n`` more of everything the lists show."""
    plan = plan_of(rect.world, f"方案{n}")
    county = rect.world.county
    for i in range(n):
        task = task_for(plan, rect.finance, title=f"任务{n}-{i}", cooperating=[rect.hr])
        actions.report_progress(SYSTEM, task, "进展", 20, files=[SimpleUploadedFile("a.pdf", PDF)])
        leader = actions.add_leader(SYSTEM, county, f"领导{n}-{i}", "副县长")
        actions.link_school(SYSTEM, leader, rect.world.primary)
        visit = actions.record_visit(SYSTEM, leader, rect.world.primary, actions.today(), "走访")
        actions.attach_liaison_files(SYSTEM, visit, [SimpleUploadedFile("走访.pdf", PDF)])
        matter = actions.add_matter(SYSTEM, leader, rect.world.primary, actions.today().year, "办实事")
        actions.complete_matter(SYSTEM, matter)
        meeting = actions.record_meeting(SYSTEM, county, f"会商{n}-{i}", actions.today(), "王刚", "议题")
        actions.add_decision(SYSTEM, meeting, "议定", rect.finance, actions.today())
    actions.issue_bulletin(SYSTEM, county, actions.today(), actions.today())


PAGES: dict[str, tuple[str, Callable[[Rect], str], int]] = {
    # county pages read the latest year for the county subnav; every page the person's roles for the menu
    "my tasks": ("finance_clerk", lambda r: reverse("rectification:mine"), 7),
    "notifications": ("finance_clerk", lambda r: reverse("notifications:centre"), 5),
    "plans": ("county_supervisor", lambda r: reverse("rectification:plans", args=[r.world.county.code]), 8),
    "meetings": ("county_supervisor", lambda r: reverse("rectification:meetings", args=[r.world.county.code]), 7),
    "liaison": ("county_supervisor", lambda r: reverse("rectification:liaison", args=[r.world.county.code]), 17),
    "bulletins": ("county_supervisor", lambda r: reverse("rectification:bulletins", args=[r.world.county.code]), 6),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_list_pages_read_a_fixed_number_of_queries(
    rect: Rect, name: str, settings, tmp_path, django_assert_num_queries: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    who, url, queries = PAGES[name]
    client = client_for(getattr(rect, who, None) or getattr(rect.world, who))
    grow(rect, 1)
    client.get(url(rect))
    with django_assert_num_queries(queries):
        assert client.get(url(rect)).status_code == 200
    grow(rect, 4)
    with django_assert_num_queries(queries):
        assert client.get(url(rect)).status_code == 200
