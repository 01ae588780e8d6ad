"""Calls: the ``voice`` provider puts a task on the call list of the customer's service centre
(:class:`~powerdesk.notifications.models.CallTask`); staff call and record the outcome
(``call_views``), and an IVR system can take the open list as CSV.

Idempotent per message: a retry after an unknown outcome finds the task already there. A staff
resend adds a new call when none is open.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
)
from powerdesk.notifications.channels.letter import service_centre_id_of
from powerdesk.notifications.channels.lookup import outbox_message
from powerdesk.notifications.models import CallTask


class CallListProvider:
    name = "call_list"
    dedup_window: timedelta | None = None

    def __init__(self, *, retry_hours: float = 4.0) -> None:
        self.retry_hours = retry_hours

    def close(self) -> None:
        """Nothing to close."""

    def send(self, message: OutgoingMessage) -> SendResult:
        row, resend = outbox_message(message.key)
        centre_id = service_centre_id_of(row)
        if centre_id is None:
            raise PermanentDeliveryError("call list: the customer has no service centre")
        now = timezone.now()
        defaults = {
            "service_centre_id": centre_id,
            "phone": message.recipient,
            "call_after": now,
            "created_at": now,
        }
        with transaction.atomic():
            if resend == 0:
                task, created = CallTask.objects.get_or_create(
                    message=row, attempt=1, defaults=defaults
                )
            else:
                open_task = (
                    CallTask.objects.select_for_update()
                    .filter(message=row, status=CallTask.Status.OPEN)
                    .first()
                )
                created = open_task is None
                if open_task is None:
                    last = CallTask.objects.filter(message=row).aggregate(n=Max("attempt"))["n"]
                    open_task = CallTask.objects.create(
                        message=row, attempt=(last or 0) + 1, **defaults
                    )
                task = open_task
        return SendResult(provider_message_id=f"call:{task.pk}", duplicate=not created)
