"""The doors to the surveys app's objects (a survey, an answer to it), in the vocabulary of
``dudao.orgs.access``: ``view`` on the survey's county to read it (supervisors, inspectors and observers
above it); ``edit`` on the county to run it (create it, its settings, codes, reviews of answers, the
recognition rate into the evaluation): the county's supervision office, which also enters its figures.
Anyone else gets a 404, as for an id that does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from dudao.orgs.access import Permission, require_region
from dudao.surveys.models import Response, Survey

# The permission that runs a survey (the shared vocabulary's "enter or change a unit's data").
MANAGE: Permission = "edit"


def access_survey(user: User | AnonymousUser, pk: int, perm: Permission = "view") -> Survey:
    """A survey with its county."""
    survey = Survey.objects.select_related("county").filter(pk=pk).first()
    if survey is None:
        raise Http404
    require_region(user, survey.county, perm)
    return survey


def access_response(user: User | AnonymousUser, pk: int, response_pk: int, perm: Permission = "view") -> Response:
    """One answer to survey ``pk`` (an answer of another survey is a 404), with the survey."""
    survey = access_survey(user, pk, perm)
    response = Response.objects.filter(pk=response_pk, survey=survey).first()
    if response is None:
        raise Http404
    response.survey = survey
    return response
