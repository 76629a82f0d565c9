"""The planning app's doors (docs/adr/0025-one-door-per-object.md): a county's planning pages need what
the overview cockpit needs to view (``view`` on the county); computing and storing a plan needs ``review``
(the county supervision office's decision, as evaluating does)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.orgs.access import access_county
from dudao.orgs.models import Region
from dudao.planning.models import CountyPlan

PLAN_PERMISSION = "review"


def access_planning_county(user: User | AnonymousUser, code: str, perm: str = "view") -> Region:
    """The county of a planning page (``Http404`` for a county the user may not see)."""
    return access_county(user, code, perm)  # type: ignore[arg-type]


def access_plan(user: User | AnonymousUser, code: str, pk: int) -> CountyPlan:
    """A stored plan of a county the user may see (``Http404`` otherwise, the same for a missing one)."""
    county = access_county(user, code, "view")
    plan = CountyPlan.objects.filter(county=county, pk=pk).first()
    if plan is None:
        raise Http404
    return plan
