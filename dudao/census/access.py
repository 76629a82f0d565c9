"""Fetching the census app's own objects for a view, in the vocabulary of ``dudao.orgs.access``: a record
or a staged upload the user may not see is a 404, as one that does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.census.models import CensusRecord, PendingImport
from dudao.orgs.access import Permission, access_school
from dudao.orgs.models import Region


def access_record(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> CensusRecord:
    """The record with its school (and county), if the user has ``perm`` on its school."""
    record = CensusRecord.objects.select_related("school", "school__county").filter(pk=pk).first()
    if record is None:
        raise Http404
    record.school = access_school(user, record.school.code, perm)
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
