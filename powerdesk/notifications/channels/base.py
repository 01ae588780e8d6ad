"""What every provider adapter takes, returns and raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message as handed to a provider; ``key`` is the provider-side idempotency key."""

    key: str
    channel: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    sms_parts: tuple[str, ...]
    language: str
    created_at: datetime
    unsubscribe_url: str = ""
    receipt_url: str = ""


@dataclass(frozen=True, slots=True)
class SendResult:
    """The provider accepted the message. ``duplicate``: it recognised the key as already
    accepted and did not send again (Mitake's ``Duplicate=Y``)."""

    provider_message_id: str
    duplicate: bool = False


class DeliveryError(Exception):
    """The provider did not accept the message."""

    permanent = False

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TransientDeliveryError(DeliveryError):
    """Worth retrying: timeouts, refused connections, 4xx SMTP replies, provider outages."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: an invalid number, a mailbox that does not exist."""

    permanent = True


class Provider(Protocol):
    """A channel's adapter. ``dedup_window``: how long the provider recognises a repeated key
    (``None``: it does not; a retry after an unknown outcome may then be sent twice)."""

    name: str
    dedup_window: timedelta | None

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def close(self) -> None: ...
