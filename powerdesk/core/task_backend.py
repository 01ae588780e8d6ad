"""A database backend for Django's tasks framework, with leases.

Why our own instead of django-tasks-db: a task enqueued inside an action's transaction must
commit or vanish with it (one INSERT, no broker), and a worker that is killed must never leave
work stuck: every claim carries a lease token and an expiry; a row whose lease expired is
claimable again, and a worker that lost its lease cannot overwrite the newer attempt because
every write checks the token (docs/architecture.md, "Background work").
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.module_loading import import_string

from powerdesk.core.models import TaskRecord


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True
    supports_async_task = False

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.lease_seconds = int(self.options.get("lease_seconds", 300))
        self.max_attempts = int(self.options.get("max_attempts", 5))

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        self.validate_task(task)
        record = TaskRecord.objects.create(
            id=secrets.token_hex(16),
            task_path=task.module_path,
            queue_name=task.queue_name,
            backend=self.alias,
            priority=task.priority,
            args=list(args),
            kwargs=dict(kwargs),
            run_after=task.run_after,
            enqueued_at=timezone.now(),
            max_attempts=self.max_attempts,
        )
        return result_from_record(record)

    def get_result(self, result_id: str) -> TaskResult[Any, Any]:
        try:
            record = TaskRecord.objects.get(pk=result_id)
        except TaskRecord.DoesNotExist as error:
            raise TaskResultDoesNotExist(result_id) from error
        return result_from_record(record)


def result_from_record(record: TaskRecord) -> TaskResult[Any, Any]:
    task = import_string(record.task_path)
    result: TaskResult[Any, Any] = TaskResult(
        task=task,
        id=record.id,
        status=TaskResultStatus(record.status),
        enqueued_at=record.enqueued_at,
        started_at=record.started_at,
        last_attempted_at=record.last_attempted_at,
        finished_at=record.finished_at,
        args=record.args,
        kwargs=record.kwargs,
        backend=record.backend,
        errors=[
            TaskError(exception_class_path=e["class"], traceback=e["traceback"])
            for e in record.errors
        ],
        worker_ids=list(record.worker_ids),
    )
    object.__setattr__(result, "_return_value", record.return_value)
    return result


@dataclass(frozen=True, slots=True)
class Claim:
    record_id: str
    token: str
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    attempt: int


def _claimable(now: datetime, queues: list[str]) -> Q:
    due = Q(status=TaskRecord.Status.READY) & (Q(run_after__isnull=True) | Q(run_after__lte=now))
    stranded = Q(status=TaskRecord.Status.RUNNING, lease_expires_at__lt=now)
    return (due | stranded) & Q(queue_name__in=queues)


def claim(*, worker_id: str, queues: list[str], lease_seconds: int, limit: int = 1) -> list[Claim]:
    """Claim up to ``limit`` due tasks (or tasks whose lease expired) for this worker.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` lets many workers claim in parallel.
    SQLite: the IMMEDIATE transaction holds the single write lock, so claims serialise.
    """
    now = timezone.now()
    claims: list[Claim] = []
    with transaction.atomic():
        query = TaskRecord.objects.filter(_claimable(now, queues)).order_by(
            "-priority", "enqueued_at"
        )
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        for record in query[:limit]:
            token = secrets.token_hex(16)
            TaskRecord.objects.filter(pk=record.pk).update(
                status=TaskRecord.Status.RUNNING,
                lease_token=token,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                started_at=record.started_at or now,
                last_attempted_at=now,
                attempts=record.attempts + 1,
                worker_ids=[*record.worker_ids, worker_id][-20:],
            )
            claims.append(
                Claim(
                    record_id=record.pk,
                    token=token,
                    task_path=record.task_path,
                    args=record.args,
                    kwargs=record.kwargs,
                    attempt=record.attempts + 1,
                )
            )
    return claims


def renew(*, claim: Claim, lease_seconds: int) -> bool:
    """Extend the lease; False means the lease was lost (another worker owns the task now)."""
    updated = TaskRecord.objects.filter(
        pk=claim.record_id, lease_token=claim.token, status=TaskRecord.Status.RUNNING
    ).update(lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds))
    return updated == 1


def finish(*, claim: Claim, return_value: Any) -> bool:
    """Record success, only if this worker still holds the lease."""
    updated = TaskRecord.objects.filter(pk=claim.record_id, lease_token=claim.token).update(
        status=TaskRecord.Status.SUCCESSFUL,
        finished_at=timezone.now(),
        return_value=return_value,
        lease_token="",
        lease_expires_at=None,
    )
    return updated == 1


def backoff_seconds(attempt: int, *, base: float = 10.0, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter")."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 - jitter, not security


def fail(*, claim: Claim, exception_class: str, traceback: str) -> bool:
    """Record a failure: retry later with backoff, or mark FAILED after the last attempt."""
    now = timezone.now()
    with transaction.atomic():
        record = TaskRecord.objects.filter(pk=claim.record_id, lease_token=claim.token).first()
        if record is None:
            return False
        errors = [
            *record.errors,
            {"class": exception_class, "traceback": traceback[-8000:], "at": now.isoformat()},
        ]
        if record.attempts >= record.max_attempts:
            changes: dict[str, Any] = {"status": TaskRecord.Status.FAILED, "finished_at": now}
        else:
            changes = {
                "status": TaskRecord.Status.READY,
                "run_after": now + timedelta(seconds=backoff_seconds(record.attempts)),
            }
        TaskRecord.objects.filter(pk=record.pk, lease_token=claim.token).update(
            errors=errors[-10:], lease_token="", lease_expires_at=None, **changes
        )
    return True
