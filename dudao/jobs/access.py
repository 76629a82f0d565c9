"""The door to background jobs (``access_job``), in the vocabulary of ``dudao.orgs.access``.

A job is seen by the person who asked for it and by those who supervise its place (``inspect`` on its
region: the county's supervision office, the city and province inspectors above it). Anyone else gets a
404, as for a job that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from dudao.jobs.models import Job
from dudao.orgs.access import ROLE_PERMISSIONS, Permission, memberships, region_permissions

SUPERVISE: Permission = "inspect"


def may_see(user: User | AnonymousUser, job: Job) -> bool:
    if not user.is_authenticated:
        return False
    return job.requested_by_id == user.pk or SUPERVISE in region_permissions(user, job.region)


def visible_jobs(user: User | AnonymousUser) -> QuerySet[Job]:
    """The jobs the user asked for and those of the places they supervise, newest first."""
    if not user.is_authenticated:
        return Job.objects.none()
    query = Q(requested_by=user)
    for m in memberships(user):
        if m.region is not None and SUPERVISE in ROLE_PERMISSIONS.get(m.role, frozenset()):
            query |= Q(region__path__startswith=m.region.path)
    return Job.objects.filter(query).select_related("region", "requested_by")


def access_job(user: User | AnonymousUser, pk: int) -> Job:
    """The job, if the user may see it; else 404."""
    job = Job.objects.select_related("region", "requested_by").filter(pk=pk).first()
    if job is None or not may_see(user, job):
        raise Http404
    return job
