"""Lifting a lock-out (the only state change of this app): by an administrator, with a reason, in
the audit trail."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy

from dudao.actors import Actor, is_system
from dudao.audit.record import record_event
from dudao.errors import ActionError


class UnlockError(ActionError):
    """Nothing named, or no reason given (docs/adr/0026)."""


def lift_lockout(actor: Actor, *, username: str = "", address: str = "", why: str) -> int:
    """Forgets the failed logins (and bad tokens) of the account ``username`` and of the address
    ``address`` (either or both), so they may log in at once. Returns how many records were removed."""
    if not is_system(actor) and not actor.is_superuser:
        raise PermissionDenied
    if not (username or address):
        raise UnlockError("nothing_named", gettext_lazy("请指定用户名或网络地址"))
    if not why.strip():
        raise UnlockError("reason_required", gettext_lazy("请填写解除原因"))
    with transaction.atomic():
        removed = AxesProxyHandler.reset_attempts(
            username=username or None, ip_address=address or None, ip_or_username=bool(username and address)
        )
        record_event(
            actor, "security.lockout.lift", why=why.strip(),
            data={"username": username, "address": address, "records": removed},
        )  # fmt: skip
    return removed
