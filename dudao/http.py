"""The request of a view behind ``login_required``, typed.

Django types ``request.user`` as ``User | AnonymousUser``; behind ``login_required`` (and the API's
authentication) nobody anonymous arrives, so a view there takes an :class:`AuthenticatedHttpRequest`
and its ``request.user`` is the :class:`~django.contrib.auth.models.User` an action takes as its
actor. This is django-stubs' documented pattern: a subclass used in annotations only (Django still
passes its own ``HttpRequest``); ``login_required`` is what makes it true.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is logged in (a view behind ``login_required``)."""

    user: User
