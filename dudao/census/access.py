"""The doors to the census app's own objects (a school's record, a staged upload), in the vocabulary of
``dudao.orgs.access``: a record or a staged upload the user may not see is a 404, as one that does not
exist. (Counties and schools come through ``access_region`` and ``access_school``.)"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dudao.census.models import CensusRecord, PendingImport
from dudao.orgs.access import Permission, clerk_school_codes, region_permissions, require_school
from dudao.orgs.models import Region


def access_census_record(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> CensusRecord:
    """The record with its school (and county) and its last editor, if the user has ``perm`` on its school."""
    record = CensusRecord.objects.select_related("school__county", "updated_by").filter(pk=pk).first()
    if record is None:
        raise Http404
    require_school(user, record.school, perm)
    return record


def access_pending_import(user: User | AnonymousUser, county: Region, year: int, token: str) -> PendingImport:
    """A staged upload of ``county`` and ``year``: only the person who uploaded it sees it (its token is
    random; anyone else, or a wrong county or year, gets a 404)."""
    if not isinstance(user, User):  # an upload is always someone's
        raise Http404
    pending = PendingImport.objects.filter(token=token, county=county, year=year, user_id=user.pk).first()
    if pending is None:
        raise Http404
    return pending


def access_import_county(user: User | AnonymousUser, code: str) -> tuple[Region, frozenset[str] | None]:
    """The county whose census file the user may upload, and which of its schools: all of them (``None``) for
    whoever reviews the county, or the codes of the schools a school clerk answers for. Anyone else: 404 if
    they may not view the county, 403 if they may."""
    county = Region.objects.select_related("parent").filter(code=code).first()
    if county is None:
        raise Http404
    perms = region_permissions(user, county)
    if "review" in perms:
        return county, None
    if codes := clerk_school_codes(user, county):
        return county, codes
    if "view" in perms:
        raise PermissionDenied
    raise Http404
