"""The one way to append to the audit log (ASVS V7): every write action and every staff view of
unmasked personal data calls :func:`audit_record` inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from powerdesk.core import context
from powerdesk.core.models import AuditEvent


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())
    return "anonymous"


def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row; the request's origin comes from :mod:`powerdesk.core.context`."""
    origin = context.current()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        kind=kind,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        request_id=origin.request_id,
        channel=origin.channel,
        details=details or {},
    )
    event.save()
    return event
