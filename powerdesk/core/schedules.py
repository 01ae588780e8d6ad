"""Periodic schedules that ``powerdesk worker`` enqueues.

Each schedule runs once per slot (``every``), however many workers run: a slot is claimed by a
compare-and-set on :class:`~powerdesk.core.models.ScheduleRun` and the task row carries a unique
key ``schedule:<name>:<slot>``, so a second worker (or a restarted one) cannot enqueue it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from powerdesk.core.models import ScheduleRun, TaskRecord


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    task_path: str
    every: timedelta


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name="notifications.deliver",
        task_path="powerdesk.notifications.tasks.notifications_deliver_task",
        every=timedelta(minutes=1),
    ),
    Schedule(
        name="core.task_records_purge",
        task_path="powerdesk.core.tasks.task_records_purge_task",
        every=timedelta(hours=1),
    ),
    Schedule(
        name="cases.sla_recompute",
        task_path="powerdesk.cases.tasks.cases_sla_recompute_task",
        every=timedelta(minutes=5),
    ),
    # Slots are aligned to 00:00 UTC, i.e. 08:00 Asia/Taipei: the digest is there at opening.
    Schedule(
        name="cases.daily_digest",
        task_path="powerdesk.cases.tasks.cases_daily_digest_task",
        every=timedelta(days=1),
    ),
    Schedule(
        name="cases.attachment_sweep",
        task_path="powerdesk.cases.tasks.cases_attachment_sweep_task",
        every=timedelta(days=1),
    ),
)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def slot_start(*, now: datetime, every: timedelta) -> datetime:
    """The start of the slot that ``now`` falls in (slots are aligned to 2000-01-01 UTC)."""
    slots = (now - EPOCH) // every
    return EPOCH + slots * every


def schedules_enqueue_due(
    *, now: datetime, schedules: tuple[Schedule, ...] = SCHEDULES
) -> list[str]:
    """Enqueue every schedule whose current slot has not been enqueued yet; return their names."""
    enqueued: list[str] = []
    for schedule in schedules:
        slot = slot_start(now=now, every=schedule.every)
        try:
            with transaction.atomic():
                run, created = ScheduleRun.objects.get_or_create(
                    name=schedule.name, defaults={"last_slot": slot}
                )
                if not created:
                    if run.last_slot >= slot:
                        continue
                    moved = ScheduleRun.objects.filter(
                        name=schedule.name, last_slot__lt=slot
                    ).update(last_slot=slot)
                    if moved != 1:
                        continue
                task = import_string(schedule.task_path)
                result = task.enqueue()
                TaskRecord.objects.filter(pk=result.id).update(
                    unique_key=f"schedule:{schedule.name}:{slot.isoformat()}"
                )
        except IntegrityError:
            continue  # another worker enqueued this slot at the same moment
        enqueued.append(schedule.name)
    return enqueued
