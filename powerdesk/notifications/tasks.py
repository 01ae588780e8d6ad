"""Background work of the outbox, for ``powerdesk worker`` (register the schedule in
``core/schedules.py``: ``notifications.deliver`` every minute)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="notifications")
def notifications_deliver_task(*, max_seconds: float = 50.0) -> int:
    """Deliver due notifications until none is due or ``max_seconds`` passed; returns how many.

    Several runs may overlap (a slow one, the next slot's): leases keep them apart.
    """
    from powerdesk.notifications.worker import DeliveryWorker

    return DeliveryWorker().run(until_idle=True, max_seconds=max_seconds)
