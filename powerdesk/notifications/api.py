"""Staff API of the notification outbox (registered at /api/v1/notifications).

Every endpoint needs a signed-in staff member or a personal token, reads through the scoped
selectors (a message or customer of another service centre looks absent: 404), and masks
personal data unless ``unmasked=true`` is asked for by someone allowed to (audited).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from powerdesk.api import ApiRequest, staff_auth
from powerdesk.core.domain import masking
from powerdesk.core.pagination import MappedQuerySet
from powerdesk.customers.models import Customer
from powerdesk.notifications import actions, selectors
from powerdesk.notifications.forms import outbox_filters_parse
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.schemas import MessageDetailOut, MessageOut, StatusCountsOut
from powerdesk.staff import selectors as staff_selectors

router = Router(tags=["notifications"])

FILTER_PARAMS = ("status", "channel", "purpose", "since", "until", "q", "customer", "centre")


def _local_phone(recipient: str) -> str:
    return "0" + recipient.removeprefix("+886") if recipient.startswith("+886") else ""


def mask_recipient(recipient: str) -> str:
    if "@" in recipient:
        return masking.mask_email(recipient)
    return masking.mask_phone(_local_phone(recipient) or recipient)


def _customer_name(customer: Customer | None, *, unmasked: bool) -> str:
    if customer is None:
        return ""
    if unmasked:
        return customer.name
    return masking.mask_name(
        customer.name, is_organisation=customer.kind == Customer.Kind.ORGANISATION
    )


def scrub(text: str, message: OutboxMessage) -> str:
    """``text`` (a provider's error) with the recipient's address replaced by its masked form."""
    if not text or not message.recipient:
        return text
    masked = mask_recipient(message.recipient)
    for form in (message.recipient, _local_phone(message.recipient)):
        if form:
            text = text.replace(form, masked)
    return text


def message_out(message: OutboxMessage, *, unmasked: bool = False) -> dict[str, Any]:
    """The public shape of a message; ``customer__service_centre`` should be joined."""
    customer = message.customer
    centre = customer.service_centre if customer is not None else None
    account = message.account if message.account_id is not None else None
    return {
        "id": message.pk,
        "status": message.status,
        "channel": message.channel,
        "purpose": message.purpose,
        "recipient": message.recipient if unmasked else mask_recipient(message.recipient),
        "customer_id": message.customer_id,
        "customer_name": _customer_name(customer, unmasked=unmasked),
        "service_centre": centre.code if centre is not None else None,
        "account_number": (
            ""
            if account is None
            else account.number
            if unmasked
            else masking.mask_account_number(account.number)
        ),
        "language": message.language,
        "subject": message.subject if unmasked else "",
        "attempts": message.attempts,
        "max_attempts": message.max_attempts,
        "resend_count": message.resend_count,
        "provider": message.provider,
        "provider_message_id": message.provider_message_id,
        "delivery_status": message.delivery_status,
        "last_error": message.last_error if unmasked else scrub(message.last_error, message),
        "requested_by": message.requested_by_label,
        "created_at": message.created_at,
        "not_before": message.not_before,
        "first_attempt_at": message.first_attempt_at,
        "last_attempt_at": message.last_attempt_at,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "masked": not unmasked,
    }


def message_detail_out(
    message: OutboxMessage, *, actor: Any, unmasked: bool = False
) -> dict[str, Any]:
    """A message with its text (only when unmasked), every attempt and every receipt."""
    out = message_out(message, unmasked=unmasked)
    out.update(
        body_text=message.body_text if unmasked else "",
        sms_parts=list(message.sms_parts) if unmasked else [],
        attempt_log=[
            {
                "number": a.number,
                "worker_id": a.worker_id,
                "started_at": a.started_at,
                "finished_at": a.finished_at,
                "outcome": a.outcome,
                "error": a.error if unmasked else scrub(a.error, message),
                "provider_message_id": a.provider_message_id,
            }
            for a in message.attempts_log.all()
        ],
        receipts=[
            {
                "provider": r.provider,
                "provider_message_id": r.provider_message_id,
                "status": r.status,
                "status_text": r.status_text,
                "occurred_at": r.occurred_at,
                "received_at": r.received_at,
            }
            for r in message.receipts.all()
        ],
        may_resend=message.status == OutboxMessage.Status.DEAD
        and selectors.may_resend(actor, message),
    )
    return out


def filters_from(request: HttpRequest, actor: Any) -> selectors.OutboxFilters:
    """The checked filters of a request's query string (``InvalidInputError`` → 422)."""
    return outbox_filters_parse(
        {name: request.GET.get(name, "") for name in FILTER_PARAMS},
        centres=staff_selectors.centre_id_of(actor) is None,
    )


def _detail(actor: Any, message_id: int, *, unmasked: bool) -> dict[str, Any]:
    if unmasked:
        message = selectors.access_notification_content(actor, message_id)
    else:
        message = selectors.access_notification(actor, message_id)
    return message_detail_out(message, actor=actor, unmasked=unmasked)


@router.get("/messages", response=list[MessageOut], auth=staff_auth)
@paginate(PageNumberPagination, page_size=50)
def notification_list_api(
    request: ApiRequest,
    status: str = "",
    channel: str = "",
    purpose: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    customer: str = "",
    centre: str = "",
) -> Any:
    """The outbox in the caller's scope, newest first, masked.

    Filters: ``status`` (queued, sending, sent, failed, dead), ``channel``, ``purpose``,
    ``since``/``until`` (YYYY-MM-DD, Taiwan time, inclusive), ``q`` (recipient, customer name
    or number, 電號, provider message id), ``customer`` (number), ``centre`` (service-centre
    code; office-wide staff only). A bad value → 422 naming the field.
    """
    filters = filters_from(request, request.auth)
    return MappedQuerySet(
        selectors.outbox_search_for(request.auth, filters).select_related("account"),
        lambda m: message_out(m, unmasked=False),
    )


@router.get("/messages/counts", response=StatusCountsOut, auth=staff_auth)
def notification_counts_api(
    request: ApiRequest,
    channel: str = "",
    purpose: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    customer: str = "",
    centre: str = "",
) -> Any:
    """How many messages per status, with the same filters as the list (except ``status``)."""
    counts = selectors.outbox_counts_for(request.auth, filters_from(request, request.auth))
    return {**counts, "total": sum(counts.values())}


@router.get("/messages/{message_id}", response=MessageDetailOut, auth=staff_auth)
def notification_get_api(request: ApiRequest, message_id: int, unmasked: bool = False) -> Any:
    """One message with every delivery attempt and receipt. ``unmasked=true`` (recipient and
    text) needs the personal-data capability and is recorded in the audit log."""
    return _detail(request.auth, message_id, unmasked=unmasked)


@router.post("/messages/{message_id}/resend", response=MessageDetailOut, auth=staff_auth)
def notification_resend_api(request: ApiRequest, message_id: int) -> Any:
    """Queue a dead message again (audited); it gets a new provider key and goes out once.

    404 outside the caller's scope, 403 without the right to change customers, 409 when the
    message is not dead."""
    message = selectors.access_notification(request.auth, message_id)
    actions.notification_resend(actor=request.auth, message=message)
    return _detail(request.auth, message_id, unmasked=False)


@router.get("/customers/{customer_id}/messages", response=list[MessageOut], auth=staff_auth)
@paginate(PageNumberPagination, page_size=50)
def notification_history_api(request: ApiRequest, customer_id: int) -> Any:
    """One customer's notifications, newest first, masked (404 outside the caller's scope)."""
    return MappedQuerySet(
        selectors.notification_history_for(request.auth, customer_id=customer_id).select_related(
            "customer__service_centre", "account"
        ),
        lambda m: message_out(m, unmasked=False),
    )
