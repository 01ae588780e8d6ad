"""Who may do what: the one place that turns a user into capabilities and a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from powerdesk.core.errors import PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.staff import domain
from powerdesk.staff.domain import Capability


def department_of(actor: Any) -> str | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return getattr(actor, "department_id", None)


def centre_id_of(actor: Any) -> int | None:
    """The actor's service centre id, or None for office-wide staff."""
    return getattr(actor, "service_centre_id", None)


def capabilities(actor: Any) -> frozenset[Capability]:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return frozenset()
    return domain.capabilities_for(department_of(actor))


def may(actor: Any, capability: Capability, *, target_centre_id: int | None = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    actor_centre = centre_id_of(actor)
    return domain.may(
        capability,
        department=department_of(actor),
        actor_centre=None if actor_centre is None else str(actor_centre),
        target_centre=None if target_centre_id is None else str(target_centre_id),
    )


def require(actor: Any, capability: Capability, *, target_centre_id: int | None = None) -> None:
    if not may(actor, capability, target_centre_id=target_centre_id):
        raise PermissionDeniedError()


def audit_event_list_for(
    actor: Any,
    *,
    actor_username: str = "",
    verb: str = "",
    target_type: str = "",
    target_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Audit rows, newest first; only for the inspection office (督導室) and the director."""
    require(actor, Capability.AUDIT_VIEW)
    events = AuditEvent.objects.order_by("-at", "-id")
    if actor_username:
        events = events.filter(actor_label=actor_username)
    if verb:
        events = events.filter(verb__startswith=verb)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    return events
