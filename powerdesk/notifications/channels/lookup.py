"""The outbox row behind an outgoing message, for providers that file it in our own database
(letters, call lists) or need more than the address (push urgency).

The worker hands providers an :class:`~powerdesk.notifications.channels.base.OutgoingMessage`
whose ``key`` is the idempotency key, suffixed ``#resend<n>`` for staff resends
(:func:`powerdesk.notifications.domain.keys.provider_key`).
"""

from __future__ import annotations

import re

from powerdesk.notifications.channels.base import PermanentDeliveryError
from powerdesk.notifications.models import OutboxMessage

_RESEND = re.compile(r"#resend(?P<n>[0-9]+)$")


def outbox_message(key: str) -> tuple[OutboxMessage, int]:
    """The outbox row for a provider key and the resend number it carries."""
    message = OutboxMessage.objects.filter(idempotency_key=key).first()
    if message is not None:
        return message, 0
    match = _RESEND.search(key)
    if match is not None:
        message = OutboxMessage.objects.filter(idempotency_key=key[: match.start()]).first()
        if message is not None and message.resend_count == int(match["n"]):
            return message, int(match["n"])
    raise PermanentDeliveryError(f"no outbox message has the key {key!r}")
