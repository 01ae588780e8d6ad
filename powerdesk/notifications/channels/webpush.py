"""Web Push (RFC 8030 delivery, RFC 8291 aes128gcm encryption, RFC 8292 VAPID) via pywebpush.

The recipient of a push message is ``push:c<customer id>`` (every live subscription of the
customer) or ``push:s<subscription id>`` (one bare subscription, e.g. a visitor who asked
for outage alerts). Each subscription gets one POST to its endpoint with:

- ``TTL`` (how long the push service keeps an undelivered message),
- ``Topic`` derived from the idempotency key: a retry replaces a copy of the same message
  that the push service still holds instead of queueing a second one (RFC 8030 §5.4),
- ``Urgency`` ``high`` for urgent purposes (an unplanned outage), ``normal`` otherwise,
- the encrypted JSON payload ``{"key", "title", "body", "lang", "url"}``; the service worker
  (``static/notifications/sw.js``) shows it with ``tag`` = the key and drops a key it has
  already shown, so a retry after an unknown outcome is not shown twice.

A customer with several browsers gets one POST per live subscription; the message counts as
sent when at least one push service accepted it (the others are not retried: a retry would
reach the accepting browsers again, where the service worker drops it anyway).

Answers: 201/202 accepted; 404/410 the subscription is gone (marked ``gone_at``; when no
subscription is left, :class:`PermanentDeliveryError`); 429 and 5xx, timeouts, refused
connections → :class:`TransientDeliveryError`; 400/403/413 (our request is wrong: bad VAPID
key, too large) → permanent.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import requests
from django.utils import timezone
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
    TransientDeliveryError,
)
from powerdesk.notifications.channels.lookup import outbox_message
from powerdesk.notifications.domain.channels import PURPOSE_RULES, Purpose
from powerdesk.notifications.domain.push import push_payload, push_topic
from powerdesk.notifications.models import PushSubscription

GONE: Final = frozenset({404, 410})


def live_subscriptions(recipient: str) -> list[PushSubscription]:
    """The subscriptions a push recipient names, newest first, without the gone ones."""
    kind, ident = recipient.removeprefix("push:")[:1], recipient.removeprefix("push:")[1:]
    if not ident.isdigit():
        return []
    live = PushSubscription.objects.filter(gone_at__isnull=True)
    if kind == "c":
        return list(live.filter(customer_id=int(ident)))
    if kind == "s":
        return list(live.filter(pk=int(ident)))
    return []


class WebPushProvider:
    name = "webpush"
    # Push services do not recognise repeats; the Topic header and the service worker do.
    dedup_window: timedelta | None = None

    def __init__(
        self, *, private_key_file: str, subject: str, ttl: int = 86400, timeout: float = 10.0
    ) -> None:
        self.private_key_file = Path(private_key_file)
        self.subject = subject
        self.ttl = ttl
        self.timeout = timeout
        self._vapid: Vapid02 | None = None
        self._session: requests.Session | None = None

    def _key(self) -> Vapid02:
        if self._vapid is None:
            if not self.private_key_file.is_file():
                raise TransientDeliveryError(
                    f"web push: the VAPID private key {self.private_key_file} is missing "
                    "(powerdesk notifications_vapid makes one)"
                )
            self._vapid = Vapid02.from_file(str(self.private_key_file))
        return self._vapid

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _send_one(
        self, subscription: PushSubscription, *, data: str, headers: dict[str, Any]
    ) -> int:
        if self._session is None:
            self._session = requests.Session()
        info = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            response = webpush(
                info,
                data=data,
                vapid_private_key=self._key(),
                vapid_claims={"sub": self.subject},
                ttl=self.ttl,
                headers=headers,
                timeout=self.timeout,
                requests_session=self._session,
            )
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status is None:
                raise TransientDeliveryError(f"web push: {error.message}") from error
            return int(status)
        except requests.RequestException as error:
            self.close()
            raise TransientDeliveryError(f"web push connection: {error!r}") from error
        return int(getattr(response, "status_code", 201))

    def send(self, message: OutgoingMessage) -> SendResult:
        subscriptions = live_subscriptions(message.recipient)
        if not subscriptions:
            raise PermanentDeliveryError("web push: no live subscription is left")
        row, _ = outbox_message(message.key)
        urgent = PURPOSE_RULES[Purpose(row.purpose)].urgent
        data = json.dumps(push_payload(message), ensure_ascii=False)
        headers: dict[str, Any] = {
            "Topic": push_topic(message.key),
            "Urgency": "high" if urgent else "normal",
        }
        accepted: list[str] = []
        gone: list[int] = []
        failures: list[str] = []
        refused: list[str] = []
        for subscription in subscriptions:
            try:
                status = self._send_one(subscription, data=data, headers=headers)
            except TransientDeliveryError as error:
                failures.append(error.detail)
                continue
            if status in (200, 201, 202):
                accepted.append(str(subscription.pk))
            elif status in GONE:
                gone.append(subscription.pk)
            elif status in (408, 425, 429) or status >= 500:
                failures.append(f"HTTP {status} from the push service")
            else:
                refused.append(f"HTTP {status} from the push service")
        now = timezone.now()
        if gone:
            PushSubscription.objects.filter(pk__in=gone).update(gone_at=now)
        if accepted:
            PushSubscription.objects.filter(pk__in=[int(pk) for pk in accepted]).update(
                last_success_at=now
            )
            return SendResult(provider_message_id="push:" + ",".join(accepted))
        if failures:
            raise TransientDeliveryError("web push: " + "; ".join(failures + refused))
        if refused:
            raise PermanentDeliveryError("web push: " + "; ".join(refused))
        raise PermanentDeliveryError("web push: every subscription is gone (404/410)")


def public_key_b64(private_key_file: Path) -> str:
    """The application server key for ``pushManager.subscribe`` (base64url, uncompressed)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    vapid = Vapid02.from_file(str(private_key_file))
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
