"""Staff endpoints: who am I, and the audit log for the inspection office."""

from datetime import datetime
from typing import Any

from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from powerdesk.api import ApiRequest, staff_auth
from powerdesk.core.models import AuditEvent
from powerdesk.core.pagination import MappedQuerySet
from powerdesk.staff import selectors
from powerdesk.staff.schemas import AuditEventOut, MeOut

router = Router(tags=["staff"], auth=staff_auth)


@router.get("/me", response=MeOut)
def me_api(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "department": user.department_id,
        "service_centre": user.service_centre.code if user.service_centre else None,
        "capabilities": sorted(selectors.capabilities(user)),
    }


@router.get("/audit", response=list[AuditEventOut])
@paginate(PageNumberPagination, page_size=100)
def audit_list_api(
    request: ApiRequest,
    actor: str = "",
    verb: str = "",
    target_type: str = "",
    target_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """The audit log (inspection office and director only), newest first, filterable."""
    events = selectors.audit_event_list_for(
        request.auth,
        actor_username=actor,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
    )
    return MappedQuerySet(events, audit_event_out)


def audit_event_out(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "actor": e.actor_label,
        "kind": e.kind,
        "verb": e.verb,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "ip_address": e.ip_address,
        "channel": e.channel,
        "details": e.details,
    }
