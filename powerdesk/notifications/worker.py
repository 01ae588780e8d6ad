"""The delivery worker: claims due outbox rows with a lease and hands them to providers.

Run it as ``powerdesk notifications_deliver`` (a loop; any number of them, on any number of
machines with PostgreSQL) or let ``powerdesk worker`` run ``notifications_deliver_task`` on a
schedule. While a batch is being sent, a heartbeat thread renews its lease every third of the
lease time. SIGTERM/SIGINT: the message being sent is finished and recorded, the rest of the
batch is given back, and the worker exits. SIGKILL or a crash: the lease runs out and another
worker claims the rows again; the idempotency key makes the provider recognise a message it
already accepted.

The database may be unavailable for a while: SQLite locked by another writer past the busy
timeout, a PostgreSQL table or row locked past ``lock_timeout`` (the worker sets both to
``db_timeout_seconds`` on its own connections, so that it never waits without bound behind a
migration or a long transaction), a dropped connection. The worker survives it:

- before a message is sent (claim, start of an attempt), the batch is abandoned; its leases run
  out and the rows are claimed again (no provider has seen them);
- after the provider accepted (or refused) a message, recording the outcome is retried until it
  is written or the lease turns out to have been taken over: a message that was sent is never
  left unrecorded to be sent again by this worker;
- the heartbeat keeps trying to renew the lease through the outage.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from powerdesk.notifications import links, outbox
from powerdesk.notifications.channels.base import (
    DeliveryError,
    OutgoingMessage,
    Provider,
    TransientDeliveryError,
)
from powerdesk.notifications.channels.registry import providers_from_settings
from powerdesk.notifications.conf import outbox_settings
from powerdesk.notifications.domain.channels import Channel, Purpose
from powerdesk.notifications.domain.keys import provider_key
from powerdesk.notifications.domain.quiet_hours import earliest_delivery

logger = logging.getLogger("powerdesk.notifications")

T = TypeVar("T")

# Errors that mean "the database is unavailable for now" (locked past the busy timeout or
# lock_timeout, connection lost), as opposed to a bug (IntegrityError, ProgrammingError).
UNAVAILABLE = (OperationalError, InterfaceError)
DEFAULT_DB_TIMEOUT_SECONDS = 10.0


class DeliveryWorker:
    def __init__(
        self,
        *,
        lease_seconds: float | None = None,
        batch_size: int | None = None,
        poll_seconds: float = 1.0,
        channels: list[str] | None = None,
        providers: dict[str, Provider] | None = None,
        rng: random.Random | None = None,
        db_timeout_seconds: float | None = DEFAULT_DB_TIMEOUT_SECONDS,
    ) -> None:
        self.conf = outbox_settings()
        self.db_timeout_seconds = db_timeout_seconds
        self._tuned = threading.local()
        self.lease_seconds = lease_seconds or self.conf.lease_seconds
        self.batch_size = batch_size or self.conf.batch_size
        self.poll_seconds = poll_seconds
        self.channels = channels
        self.providers = (
            providers if providers is not None else providers_from_settings(self.conf.providers)
        )
        self.policy = outbox.RetryPolicy(
            base_seconds=self.conf.backoff_base_seconds,
            cap_seconds=self.conf.backoff_cap_seconds,
            quiet=self.conf.quiet_hours,
            rng=rng or random.Random(),  # noqa: S311 - jitter, not security
        )
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()

    def install_signal_handlers(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("notifications worker %s: signal %s, stopping", self.worker_id, signum)
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run(
        self,
        *,
        until_idle: bool = False,
        max_messages: int | None = None,
        max_seconds: float | None = None,
    ) -> int:
        """Deliver until stopped (or idle, or ``max_messages`` handled, or ``max_seconds``
        passed); returns the number of messages handled."""
        done = 0
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        try:
            while not self.stopping.is_set():
                if (
                    not connection.in_atomic_block
                ):  # never inside a caller's or a test's transaction
                    close_old_connections()
                try:
                    self._tune_connection()
                    claims = outbox.claim(
                        lease_seconds=self.lease_seconds,
                        limit=self.batch_size,
                        channels=self.channels,
                    )
                    if claims:
                        done += self.deliver(claims)
                except DatabaseError as error:
                    # A locked SQLite file past its busy timeout, a PostgreSQL lock past
                    # lock_timeout, a dropped connection, before a message was sent: the
                    # leases of this batch expire and the rows are claimed again.
                    if connection.in_atomic_block:
                        raise
                    if isinstance(error, UNAVAILABLE):
                        logger.warning(
                            "notifications worker %s: database unavailable (%s); "
                            "the batch's leases will expire and its rows be claimed again",
                            self.worker_id,
                            _describe(error),
                        )
                    else:
                        logger.exception("notifications worker %s: database error", self.worker_id)
                    connection.close()
                    self.stopping.wait(self.poll_seconds)
                    continue
                if not claims:
                    self._close_providers()
                    if until_idle:
                        break
                    self.stopping.wait(self.poll_seconds)
                if max_messages is not None and done >= max_messages:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
        finally:
            self._close_providers()
        return done

    def _tune_connection(self) -> None:
        """Bound every lock wait of this thread's connection by ``db_timeout_seconds`` (once
        per connection): SQLite ``busy_timeout``, PostgreSQL ``lock_timeout``."""
        if self.db_timeout_seconds is None:
            return
        connection.ensure_connection()
        raw = connection.connection
        if getattr(self._tuned, "raw", None) is raw:
            return
        milliseconds = max(1, round(self.db_timeout_seconds * 1000))
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {milliseconds:d}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"SET lock_timeout = {milliseconds:d}")
        self._tuned.raw = raw

    def _record(self, write: Callable[[], T], *, message_id: int, what: str) -> T:
        """Run ``write`` (recording the outcome of an attempt the provider has answered) until
        the database takes it. Stopping (SIGTERM) does not cut this short: the message in
        flight is recorded. Inside a caller's transaction (tests) the error is raised."""
        delay = 0.05
        tries = 0
        while True:
            try:
                self._tune_connection()
                return write()
            except UNAVAILABLE as error:
                if connection.in_atomic_block:
                    raise
                tries += 1
                logger.warning(
                    "message %s: %s, but recording it failed (try %s: %s); retrying",
                    message_id,
                    what,
                    tries,
                    _describe(error),
                )
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _close_providers(self) -> None:
        for provider in self.providers.values():
            provider.close()

    def deliver(self, claims: list[outbox.Claim]) -> int:
        """Send every claimed message in turn while a heartbeat keeps the lease alive."""
        token = claims[0].token
        heartbeat_stop = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(token, heartbeat_stop), daemon=True, name="outbox-lease"
        )
        heartbeat.start()
        handled = 0
        try:
            for index, held in enumerate(claims):
                if self.stopping.is_set():
                    outbox.release(token=token, message_ids=[c.message.pk for c in claims[index:]])
                    break
                self.deliver_one(held)
                handled += 1
        finally:
            heartbeat_stop.set()
            heartbeat.join()
        return handled

    def deliver_one(self, held: outbox.Claim) -> None:
        message = held.message
        channel = Channel(message.channel)
        due = earliest_delivery(
            held.db_now,
            channel=channel,
            purpose=Purpose(message.purpose),
            quiet=self.conf.quiet_hours,
        )
        if due > held.db_now:
            outbox.defer(held, until=due)
            return
        provider = self.providers.get(message.channel)
        window = provider.dedup_window if provider is not None else None
        if (
            window is not None
            and message.first_attempt_at is not None
            and held.db_now - message.first_attempt_at >= window
        ):
            outbox.expire_unrecognisable(
                held,
                reason="the provider no longer recognises this key (first attempt too long ago); "
                "check before resending",
            )
            return
        number = outbox.start(held, worker_id=self.worker_id)
        if number is None:
            logger.warning("message %s: lease lost before sending", message.pk)
            return
        try:
            if provider is None:
                raise TransientDeliveryError(f"no provider is configured for {message.channel}")
            result = provider.send(self._outgoing(held, provider=provider))
        except DeliveryError as error:
            refused = error
            status = self._record(
                lambda: outbox.fail(
                    held, number=number, error=refused, policy=self.policy, dedup_window=window
                ),
                message_id=message.pk,
                what="the provider refused it",
            )
            logger.warning(
                "message %s attempt %s failed (%s): %s", message.pk, number, status, refused.detail
            )
        except Exception as error:  # an adapter's bug must not kill the worker
            logger.exception("message %s attempt %s: unexpected error", message.pk, number)
            unexpected = TransientDeliveryError(f"unexpected error: {error!r}")
            self._record(
                lambda: outbox.fail(
                    held, number=number, error=unexpected, policy=self.policy, dedup_window=window
                ),
                message_id=message.pk,
                what="the attempt failed",
            )
        else:
            name = getattr(provider, "name", "")
            if not self._record(
                lambda: outbox.finish(held, number=number, result=result, provider=name),
                message_id=message.pk,
                what="the provider accepted it",
            ):
                logger.warning(
                    "message %s: sent, but the lease was lost; the new holder records it",
                    message.pk,
                )

    def _outgoing(self, held: outbox.Claim, *, provider: Provider) -> OutgoingMessage:
        message = held.message
        receipt_base = self.conf.receipt_base_url
        return OutgoingMessage(
            key=provider_key(message.idempotency_key, resend=message.resend_count),
            channel=message.channel,
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
            sms_parts=tuple(message.sms_parts),
            language=message.language,
            created_at=message.created_at,
            unsubscribe_url=str(message.context.get("unsubscribe_url", "")),
            receipt_url=(
                links.receipt_url(
                    base_url=receipt_base, message_id=message.pk, provider=provider.name
                )
                if receipt_base
                else ""
            ),
        )

    def _heartbeat(self, token: str, stop: threading.Event) -> None:
        interval = max(self.lease_seconds / 3, 0.2)
        try:
            while not stop.wait(interval):
                try:
                    self._tune_connection()
                    if outbox.renew(token=token, lease_seconds=self.lease_seconds) == 0:
                        return
                except UNAVAILABLE as error:
                    # Keep trying through the outage: the lease may still be renewed in time.
                    logger.warning("lease heartbeat: database unavailable (%s)", _describe(error))
                    connection.close()
        except Exception:  # the main thread's conditional writes notice a lost lease
            logger.exception("lease heartbeat failed")
        finally:
            connection.close()


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}"
