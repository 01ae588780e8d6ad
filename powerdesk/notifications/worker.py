"""The delivery worker: claims due outbox rows with a lease and hands them to providers.

Run it as ``powerdesk notifications_deliver`` (a loop; any number of them, on any number of
machines with PostgreSQL) or let ``powerdesk worker`` run ``notifications_deliver_task`` on a
schedule. While a batch is being sent, a heartbeat thread renews its lease every third of the
lease time. SIGTERM/SIGINT: the message being sent is finished and recorded, the rest of the
batch is given back, and the worker exits. SIGKILL or a crash: the lease runs out and another
worker claims the rows again; the idempotency key makes the provider recognise a message it
already accepted.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
from types import FrameType

from django.db import DatabaseError, close_old_connections, connection

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
    ) -> None:
        self.conf = outbox_settings()
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
                    claims = outbox.claim(
                        lease_seconds=self.lease_seconds,
                        limit=self.batch_size,
                        channels=self.channels,
                    )
                    if claims:
                        done += self.deliver(claims)
                except DatabaseError:
                    # A locked SQLite file past its busy timeout, a dropped PostgreSQL
                    # connection: the leases of this batch expire and the rows are claimed
                    # again (the provider recognises a message it already accepted).
                    logger.exception("notifications worker %s: database error", self.worker_id)
                    if connection.in_atomic_block:
                        raise
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
            status = outbox.fail(
                held, number=number, error=error, policy=self.policy, dedup_window=window
            )
            logger.warning(
                "message %s attempt %s failed (%s): %s", message.pk, number, status, error.detail
            )
        except Exception as error:  # an adapter's bug must not kill the worker
            logger.exception("message %s attempt %s: unexpected error", message.pk, number)
            outbox.fail(
                held,
                number=number,
                error=TransientDeliveryError(f"unexpected error: {error!r}"),
                policy=self.policy,
                dedup_window=window,
            )
        else:
            if not outbox.finish(
                held, number=number, result=result, provider=getattr(provider, "name", "")
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
                if outbox.renew(token=token, lease_seconds=self.lease_seconds) == 0:
                    return
        except Exception:  # the main thread's conditional writes notice a lost lease
            logger.exception("lease heartbeat failed")
        finally:
            connection.close()
