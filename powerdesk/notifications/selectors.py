"""Reads of the outbox: templates, a customer's choices, message lists for staff."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import NotFoundError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.customers import selectors as customer_selectors
from powerdesk.customers.models import ContactConsent, Customer
from powerdesk.notifications.domain.channels import Channel
from powerdesk.notifications.domain.selection import Consent
from powerdesk.notifications.models import (
    AddressSuppression,
    ChannelPreference,
    NotificationTemplate,
    OutboxMessage,
)
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

DEFAULT_LANGUAGE = "zh-hant"
MESSAGE_NOT_FOUND = Message(zh_hant="查無此通知。", en="No such notification.")


def templates_for(
    *, key: str, channels: Iterable[Channel], language: str
) -> dict[Channel, NotificationTemplate]:
    """The newest active template per channel, in ``language`` or else the default language.

    One query.
    """
    languages = [language] if language == DEFAULT_LANGUAGE else [language, DEFAULT_LANGUAGE]
    rows = NotificationTemplate.objects.filter(
        key=key, channel__in=[c.value for c in channels], language__in=languages, active=True
    ).order_by("channel", "-version")
    best: dict[Channel, NotificationTemplate] = {}
    for row in rows:
        channel = Channel(row.channel)
        current = best.get(channel)
        if current is None or (current.language != language and row.language == language):
            best[channel] = row
    return best


def template_key_exists(key: str) -> bool:
    return NotificationTemplate.objects.filter(key=key).exists()


def consents_of(customer: Customer) -> dict[str, Consent]:
    """The customer's answers per consent channel (``sms``, ``email``, ``phone`` …). One query."""
    rows = ContactConsent.objects.filter(customer=customer).values_list("channel", "granted")
    return {channel: Consent.GRANTED if granted else Consent.REFUSED for channel, granted in rows}


def preferred_channels(customer: Customer) -> tuple[Channel, ...]:
    """The customer's own channel order, if they gave one. One query."""
    preference = ChannelPreference.objects.filter(customer=customer).first()
    if preference is None:
        return ()
    return tuple(Channel(value) for value in preference.channels if value in Channel)


def suppressed_addresses(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which ``(channel, address)`` pairs unsubscribed. One query (none for no pairs)."""
    wanted = list(pairs)
    if not wanted:
        return set()
    rows = AddressSuppression.objects.filter(
        address__in=[address for _, address in wanted]
    ).values_list("channel", "address")
    return set(rows) & set(wanted)


def notification_list_for(
    actor: Any, *, status: str = "", channel: str = "", purpose: str = ""
) -> QuerySet[OutboxMessage]:
    """The outbox for staff, newest first, within the actor's service-centre scope."""
    staff_selectors.require(actor, Capability.CUSTOMER_VIEW)
    messages = OutboxMessage.objects.select_related("customer").order_by("-created_at", "-id")
    centre = staff_selectors.centre_id_of(actor)
    if centre is not None:
        messages = messages.filter(customer__service_centre_id=centre)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    if purpose:
        messages = messages.filter(purpose=purpose)
    return messages


def notification_history_for(actor: Any, *, customer_id: int) -> QuerySet[OutboxMessage]:
    """One customer's notifications, newest first (the customer must be in the actor's scope)."""
    customer = customer_selectors.access_customer(actor, customer_id)
    return OutboxMessage.objects.filter(customer=customer).order_by("-created_at", "-id")


def access_notification(actor: Any, message_id: int) -> OutboxMessage:
    """A message with its attempts, if the actor may see it; otherwise it looks absent."""
    message = (
        notification_list_for(actor)
        .prefetch_related("attempts_log", "receipts")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise NotFoundError(what=MESSAGE_NOT_FOUND)
    return message


# --- Staff pages and API: filtered lists, counts, the audited view of content -----------------


@dataclass(frozen=True, slots=True)
class OutboxFilters:
    """What staff filter the outbox by (already checked: see ``forms.outbox_filters_parse``).

    ``since``/``until`` are dates in the office's time zone, ``until`` inclusive. ``query``
    matches the recipient (e-mail, or phone digits in either 09… or +886… form), the customer's
    name or number, an 11-digit account number, the provider's message id or the idempotency
    key. ``centre`` (a service-centre code) narrows office-wide staff to one centre; it cannot
    widen a centre member's scope.
    """

    status: str = ""
    channel: str = ""
    purpose: str = ""
    since: date | None = None
    until: date | None = None
    query: str = ""
    customer_id: int | None = None
    centre: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _query_condition(query: str) -> Q:
    text = query.strip()
    condition = (
        Q(recipient__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(provider_message_id=text)
        | Q(idempotency_key=text)
    )
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) == len(text.replace("-", "").replace(" ", "").lstrip("+")):
        # phone numbers are stored in E.164 (+886912345678); staff type 0912-345-678
        condition |= Q(recipient__contains=digits.removeprefix("0"))
        if len(digits) <= 9 and not digits.startswith("0"):
            condition |= Q(customer_id=int(digits))
        if len(digits) == 11:
            condition |= Q(account__number=digits)
    return condition


def outbox_search_for(actor: Any, filters: OutboxFilters) -> QuerySet[OutboxMessage]:
    """The outbox for staff, filtered, newest first, within the actor's scope.

    Builds on :func:`notification_list_for` (capability and service-centre scope). One query
    when evaluated (customer and its centre joined).
    """
    messages = notification_list_for(
        actor, status=filters.status, channel=filters.channel, purpose=filters.purpose
    ).select_related("customer__service_centre")
    if filters.since is not None:
        messages = messages.filter(created_at__gte=_day_start(filters.since))
    if filters.until is not None:
        messages = messages.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    if filters.customer_id is not None:
        messages = messages.filter(customer_id=filters.customer_id)
    if filters.centre:
        messages = messages.filter(customer__service_centre__code=filters.centre)
    if filters.query.strip():
        messages = messages.filter(_query_condition(filters.query))
    return messages


def outbox_counts_for(actor: Any, filters: OutboxFilters | None = None) -> dict[str, int]:
    """How many messages per status (every status present, zeros included). One query."""
    base = outbox_search_for(actor, replace(filters or OutboxFilters(), status=""))
    rows = base.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    counts = dict.fromkeys(OutboxMessage.Status.values, 0)
    for status, n in rows:
        counts[status] = n
    return counts


def may_view_content(actor: Any, message: OutboxMessage) -> bool:
    """Whether the actor may see the recipient and text unmasked (an audited, deliberate view)."""
    return staff_selectors.may(
        actor, Capability.CUSTOMER_VIEW_PERSONAL, target_centre_id=_centre_of(message)
    )


def may_resend(actor: Any, message: OutboxMessage) -> bool:
    """Whether the actor may resend this message (the capability ``notification_resend`` checks)."""
    return staff_selectors.may(
        actor, Capability.CUSTOMER_EDIT, target_centre_id=_centre_of(message)
    )


def _centre_of(message: OutboxMessage) -> int | None:
    return message.customer.service_centre_id if message.customer is not None else None


def access_notification_content(actor: Any, message_id: int) -> OutboxMessage:
    """The message for an unmasked view of its recipient and text; the view is audited.

    Outside the actor's scope it looks absent (404); in scope without the personal-data
    capability it is refused (403) and nothing is recorded.
    """
    message = access_notification(actor, message_id)
    if not may_view_content(actor, message):
        raise PermissionDeniedError()
    audit_record(
        actor=actor,
        verb="notification.view_content",
        target=message,
        kind=AuditEvent.Kind.VIEW_PERSONAL,
    )
    return message
