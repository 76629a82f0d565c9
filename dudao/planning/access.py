"""The doors to the planning app's pages and objects, in the vocabulary of ``dudao.orgs.access``.

A county's planning pages are seen by whoever may view the county (as its cockpit); its planning inputs
(births, known changes, grade history) are changed, and its plans computed and stored, by the county
supervision office (``review``, as who imports its census and evaluates the county). A known change or a
plan of another county, or of a county the user may not view, is a 404 as a missing one; one they may view
but not change is a 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.orgs.access import Permission, access_county, require_region
from dudao.orgs.models import Region
from dudao.planning.models import CountyPlan, KnownChange

EDIT: Permission = "review"  # who changes a county's planning inputs (as who imports its census)
PLAN_PERMISSION: Permission = "review"  # who computes and stores a plan (as who evaluates the county)

__all__ = ["EDIT", "PLAN_PERMISSION", "access_known_change", "access_plan", "access_planning_county"]


def access_planning_county(user: User | AnonymousUser, code: str, perm: Permission = "view") -> Region:
    """A county's planning pages (``view``) or inputs (:data:`EDIT`): 404 unless the user may view it."""
    county = access_county(user, code)
    if perm != "view":
        require_region(user, county, perm)
    return county


def access_known_change(user: User | AnonymousUser, county: Region, pk: int, perm: Permission = "view") -> KnownChange:
    """A known change of ``county`` (already through its door)."""
    change = KnownChange.objects.select_related("town", "school").filter(pk=pk, county=county).first()
    if change is None:
        raise Http404
    require_region(user, county, perm)
    return change


def access_plan(user: User | AnonymousUser, code: str, pk: int) -> CountyPlan:
    """A stored plan of a county the user may see (``Http404`` otherwise, the same for a missing one)."""
    county = access_county(user, code)
    plan = CountyPlan.objects.filter(county=county, pk=pk).first()
    if plan is None:
        raise Http404
    return plan
