"""Letters and postcards: the provider does not send, it files the message into its day's
batch (:class:`~powerdesk.notifications.models.LetterItem`); ``powerdesk
notifications_letters`` renders each day's batch per service centre into one PDF for printing.

The recipient is ``"<postal code> <address>"`` as resolved at enqueue time (the premise of the
account). Filing is idempotent per message: a retry after an unknown outcome finds the letter
already filed. A staff resend files the letter again for today's batch.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
)
from powerdesk.notifications.channels.lookup import outbox_message
from powerdesk.notifications.models import LetterItem, OutboxMessage


def service_centre_id_of(message: OutboxMessage) -> int | None:
    """The service centre that answers for a message: the account's, else the customer's."""
    if message.account is not None:
        return message.account.service_centre_id
    if message.customer is not None:
        return message.customer.service_centre_id
    return None


class LetterProvider:
    name = "letter"
    dedup_window: timedelta | None = None

    def close(self) -> None:
        """Nothing to close."""

    def send(self, message: OutgoingMessage) -> SendResult:
        row, resend = outbox_message(message.key)
        postal_code, _, address = message.recipient.partition(" ")
        centre_id = service_centre_id_of(row)
        if centre_id is None or not address:
            raise PermanentDeliveryError("letter: no service centre or no address")
        name = row.customer.name if row.customer is not None else ""
        today = timezone.localdate()
        with transaction.atomic():
            item, created = LetterItem.objects.get_or_create(
                message=row,
                defaults={
                    "date": today,
                    "service_centre_id": centre_id,
                    "postal_code": postal_code,
                    "address": address,
                    "name": name,
                    "created_at": timezone.now(),
                },
            )
            if not created and resend > 0 and item.batch_id is not None:
                LetterItem.objects.filter(pk=item.pk).update(batch=None, date=today)
                created = True
        return SendResult(provider_message_id=f"letter:{item.pk}", duplicate=not created)
