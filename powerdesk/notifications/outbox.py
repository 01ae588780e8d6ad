"""Leases on outbox rows: claim, renew, start an attempt, finish, fail, defer, release.

Mirrors :mod:`powerdesk.core.task_backend`: a claim sets a random lease token and an expiry;
every later write is conditional on the token, so a worker whose lease expired (it was paused,
partitioned, or its clock was wrong) cannot overwrite what the worker that re-claimed the row
recorded. A row whose lease expired is claimable again.

Time: leases and retry times are computed from the database's clock (:func:`db_now`), never
from the worker's, so workers on several machines agree, and a worker whose clock jumps (NTP
step, a resumed VM) neither steals a live lease (clock ahead) nor ignores an expired one
(clock behind). Waiting between polls and heartbeats uses monotonic time.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, Now

from powerdesk.notifications.channels.base import DeliveryError, SendResult
from powerdesk.notifications.domain.backoff import backoff_delay
from powerdesk.notifications.domain.channels import Channel, Purpose
from powerdesk.notifications.domain.quiet_hours import QuietHours, earliest_delivery
from powerdesk.notifications.models import DeliveryAttempt, OutboxMessage

Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome


def db_now() -> datetime:
    """The database server's current time (UTC, aware)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            (value,) = cursor.fetchone()
            return value.astimezone(UTC)
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
        (text,) = cursor.fetchone()
        return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Claim:
    message: OutboxMessage  # as read at claim time
    token: str
    db_now: datetime  # the database time of the claim


def claim(*, lease_seconds: float, limit: int, channels: list[str] | None = None) -> list[Claim]:
    """Lease up to ``limit`` due rows (queued or failed with ``not_before`` passed, or sending
    with an expired lease), most urgent first. All rows of one claim share one token.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` lets many workers claim different rows at
    once. SQLite: the IMMEDIATE transaction (settings) holds the one write lock, so claims
    serialise.
    """
    with transaction.atomic():
        now = db_now()
        due = Q(status__in=[Status.QUEUED, Status.FAILED], not_before__lte=now) | Q(
            status=Status.SENDING, lease_expires_at__lt=now
        )
        query = OutboxMessage.objects.filter(due).order_by("-priority", "not_before", "id")
        if channels:
            query = query.filter(channel__in=channels)
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        rows = list(query[:limit])
        if not rows:
            return []
        token = secrets.token_hex(16)
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.SENDING,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
        )
    return [Claim(message=row, token=token, db_now=now) for row in rows]


def renew(*, token: str, lease_seconds: float) -> int:
    """Extend the lease of every row still held with ``token``; returns how many."""
    now = db_now()
    return OutboxMessage.objects.filter(lease_token=token, status=Status.SENDING).update(
        lease_expires_at=now + timedelta(seconds=lease_seconds)
    )


def start(held: Claim, *, worker_id: str) -> int | None:
    """Record the start of an attempt; its number, or ``None`` if the lease was lost."""
    number = held.message.attempts + 1
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=held.message.pk,
            lease_token=held.token,
            status=Status.SENDING,
            attempts=held.message.attempts,
        ).update(
            attempts=number,
            last_attempt_at=Now(),
            first_attempt_at=Coalesce("first_attempt_at", Now()),
        )
        if updated != 1:
            return None
        DeliveryAttempt.objects.create(
            message_id=held.message.pk, number=number, worker_id=worker_id, started_at=Now()
        )
    return number


def finish(held: Claim, *, number: int, result: SendResult, provider: str) -> bool:
    """The provider accepted the message. False: the lease was lost (the attempt says so)."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=held.message.pk, lease_token=held.token, status=Status.SENDING
        ).update(
            status=Status.SENT,
            sent_at=Now(),
            provider=provider,
            provider_message_id=result.provider_message_id[:200],
            last_error="",
            lease_token="",
            lease_expires_at=None,
        )
        DeliveryAttempt.objects.filter(message_id=held.message.pk, number=number).update(
            outcome=Outcome.SENT if updated == 1 else Outcome.LEASE_LOST,
            finished_at=Now(),
            provider_message_id=result.provider_message_id[:200],
            error="duplicate recognised by the provider" if result.duplicate else "",
        )
    return updated == 1


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float
    cap_seconds: float
    quiet: QuietHours
    rng: random.Random


def fail(
    held: Claim,
    *,
    number: int,
    error: DeliveryError,
    policy: RetryPolicy,
    dedup_window: timedelta | None,
) -> str | None:
    """The attempt failed: schedule a retry (backoff with full jitter, after quiet hours) or
    mark the message dead (permanent error, last attempt, or past the provider's window for
    recognising a repeated key). Returns the new status, or ``None`` if the lease was lost."""
    with transaction.atomic():
        row = (
            OutboxMessage.objects.filter(pk=held.message.pk, lease_token=held.token)
            .values("attempts", "max_attempts", "first_attempt_at")
            .first()
        )
        attempt = DeliveryAttempt.objects.filter(message_id=held.message.pk, number=number)
        if row is None:
            attempt.update(outcome=Outcome.LEASE_LOST, finished_at=Now(), error=error.detail)
            return None
        now = db_now()
        retry_at = earliest_delivery(
            now
            + backoff_delay(
                row["attempts"],
                base_seconds=policy.base_seconds,
                cap_seconds=policy.cap_seconds,
                rng=policy.rng,
            ),
            channel=Channel(held.message.channel),
            purpose=Purpose(held.message.purpose),
            quiet=policy.quiet,
        )
        reason = error.detail
        past_window = (
            dedup_window is not None
            and row["first_attempt_at"] is not None
            and retry_at - row["first_attempt_at"] >= dedup_window
        )
        if past_window:
            reason += " — the provider no longer recognises this key; check before resending"
        dead = error.permanent or row["attempts"] >= row["max_attempts"] or past_window
        changes: dict[str, object] = {
            "status": Status.DEAD if dead else Status.FAILED,
            "last_error": reason[:2000],
            "lease_token": "",
            "lease_expires_at": None,
        }
        if not dead:
            changes["not_before"] = retry_at
        OutboxMessage.objects.filter(pk=held.message.pk, lease_token=held.token).update(**changes)
        attempt.update(
            outcome=Outcome.FAILED if dead else Outcome.RETRY,
            finished_at=Now(),
            error=reason[:2000],
        )
    return Status.DEAD if dead else Status.FAILED


def defer(held: Claim, *, until: datetime) -> bool:
    """Give a claimed row back without an attempt, due again at ``until`` (quiet hours)."""
    return _give_back(held.token, [held.message.pk], not_before=until) == 1


def expire_unrecognisable(held: Claim, *, reason: str) -> bool:
    """A stranded row whose provider no longer recognises its key: dead, for staff to check."""
    return (
        OutboxMessage.objects.filter(pk=held.message.pk, lease_token=held.token).update(
            status=Status.DEAD, last_error=reason, lease_token="", lease_expires_at=None
        )
        == 1
    )


def release(*, token: str, message_ids: list[int]) -> int:
    """Give back claimed rows that were never started (the worker is stopping)."""
    return _give_back(token, message_ids, not_before=None)


def _give_back(token: str, message_ids: list[int], *, not_before: datetime | None) -> int:
    changes: dict[str, object] = {
        "status": Case(
            When(attempts=0, then=Value(Status.QUEUED.value)), default=Value(Status.FAILED.value)
        ),
        "lease_token": "",
        "lease_expires_at": None,
    }
    if not_before is not None:
        changes["not_before"] = not_before
    return OutboxMessage.objects.filter(
        pk__in=message_ids, lease_token=token, status=Status.SENDING
    ).update(**changes)
