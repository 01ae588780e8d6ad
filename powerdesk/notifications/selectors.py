"""Reads of the outbox: templates, a customer's choices, message lists for staff."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import NotFoundError
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
