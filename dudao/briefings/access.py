"""The doors to the briefings app's objects, in the vocabulary of ``dudao.orgs.access``.

- A county's briefings are read by those who may *inspect* it (its supervision office, the city and
  province inspectors above it); written and submitted by its office (*review*). Anyone else: 404.
- A city's calls for briefings are read by those who may *inspect* the city; made by its inspectors.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.briefings.content import BriefingError, parse_period
from dudao.briefings.models import BriefingCall
from dudao.orgs.access import Permission, access_county, region_permissions, require_region
from dudao.orgs.models import Region

READ: Permission = "inspect"
WRITE: Permission = "review"


def access_briefing_county(user: User | AnonymousUser, code: str, period: str, perm: Permission = READ) -> Region:
    """The county whose briefing of ``period`` the user may read (or, with ``review``, write), else 404/403."""
    if READ not in perm_on(user, code):
        raise Http404
    try:
        parse_period(period)
    except BriefingError:
        raise Http404 from None
    return access_county(user, code, perm)


def perm_on(user: User | AnonymousUser, code: str) -> frozenset[str]:
    county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    return region_permissions(user, county) if county is not None else frozenset()


def access_city(user: User | AnonymousUser, code: str, perm: Permission = READ) -> Region:
    """A city whose calls for briefings the user may read (``inspect``); else 404."""
    city = Region.objects.select_related("parent").filter(code=code, level=Region.Level.CITY).first()
    if city is None or READ not in region_permissions(user, city):
        raise Http404
    return require_region(user, city, perm)


def access_briefing_call(user: User | AnonymousUser, pk: int) -> BriefingCall:
    """A call for briefings, for those who may inspect its city; else 404."""
    call = BriefingCall.objects.select_related("city", "city__parent", "created_by").filter(pk=pk).first()
    if call is None or READ not in region_permissions(user, call.city):
        raise Http404
    return call
