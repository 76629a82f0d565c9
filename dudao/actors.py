"""Who makes a state change: a person, or the platform itself.

Every action (``dudao/<app>/actions.py``) takes an ``actor`` as its first argument:

- a :class:`~django.contrib.auth.models.User` — a person; the action checks their permission;
- a :class:`System` — the platform acting on its own: a management command run by an operator, a
  scheduled job, a re-evaluation after a data change, the demo seeder. It is not checked against
  roles (whoever can run commands on the server already holds the database), and every audit record
  names it with its ``why`` ("command import_census", "seed_demo", ...).

``None`` is never an actor: an action given ``None`` raises :class:`TypeError`, so "no user" cannot
mean "allow everything" in one module and "deny" in another (docs/adr/0008-actors.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from typing_extensions import TypeIs


@dataclass(frozen=True)
class System:
    """The platform itself. ``why`` says which command or job, for the audit trail."""

    why: str

    def __str__(self) -> str:
        return f"system ({self.why})"


Actor: TypeAlias = User | System


def system(why: str) -> System:
    """The system actor of a command or job: ``system("command import_census")``."""
    if not why:
        raise ValueError("a system actor names its command or job")
    return System(why)


def is_system(actor: Actor | AnonymousUser) -> TypeIs[System]:
    """True for the platform itself; raises TypeError for ``None`` (never an actor)."""
    if actor is None:
        raise TypeError("an action needs an actor: a User or dudao.actors.system(...), never None")
    return isinstance(actor, System)


def user_of(actor: Actor) -> User | None:
    """The person behind ``actor`` for a ``user`` column (None where the system acted)."""
    return None if is_system(actor) else actor


def actor_label(actor: Actor) -> str:
    """How an audit trail names the actor: the username, or ``system (why)``."""
    return str(actor) if is_system(actor) else actor.get_username()


def person(user: User | AnonymousUser) -> User:
    """The person acting in a request (``request.user`` of a view behind ``login_required``), typed as
    the actor an action takes; nobody logged in is refused (PermissionDenied), never an actor."""
    if not isinstance(user, User):
        raise PermissionDenied
    return user
