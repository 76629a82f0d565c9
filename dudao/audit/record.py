"""Write an audit event (called by actions, inside their transaction)."""

from __future__ import annotations

from typing import Any

from django.db import models

from dudao.actors import Actor, actor_label, user_of
from dudao.audit.models import AuditEvent


def record_event(
    actor: Actor,
    verb: str,
    *,
    target: models.Model | None = None,
    region: Any = None,
    why: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``verb`` to ``target`` (a saved model instance) in ``region``.

    ``data`` must be JSON-serialisable (plain values, old/new pairs, counts)."""
    return AuditEvent.objects.create(
        actor=user_of(actor),
        actor_label=actor_label(actor),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        region=region,
        why=why,
        data=data or {},
    )
