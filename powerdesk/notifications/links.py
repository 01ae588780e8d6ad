"""Links in messages that work without a login: signed with Django's ``signing`` (HMAC with
SECRET_KEY), so they cannot be forged or altered, and carry no personal data in clear text
beyond the customer's number or the unsubscribing address itself."""

from __future__ import annotations

from typing import Any

from django.core import signing

from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import NotFoundError

UNSUBSCRIBE_SALT = "powerdesk.notifications.unsubscribe"
RECEIPT_SALT = "powerdesk.notifications.receipt"

_BAD_LINK = Message(
    zh_hant="此連結無效或已被修改。", en="This link is not valid or has been altered."
)


def unsubscribe_token(*, channel: str, customer_id: int | None, address: str) -> str:
    """A token naming who unsubscribes from which channel (customer, or else the address)."""
    payload: dict[str, Any] = {"ch": channel}
    if customer_id is not None:
        payload["c"] = customer_id
    else:
        payload["a"] = address
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, base_url: str, token: str) -> str:
    return f"{base_url}/notifications/unsubscribe/{token}/"


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise NotFoundError(what=_BAD_LINK) from error
    if not isinstance(payload, dict) or "ch" not in payload:
        raise NotFoundError(what=_BAD_LINK)
    return payload


def receipt_token(*, message_id: int, provider: str) -> str:
    """Authenticates a provider's status callback and names the message it is about."""
    return signing.dumps({"m": message_id, "p": provider}, salt=RECEIPT_SALT)


def receipt_url(*, base_url: str, message_id: int, provider: str) -> str:
    token = receipt_token(message_id=message_id, provider=provider)
    return f"{base_url}/notifications/receipts/{provider}/{token}/"


def read_receipt_token(token: str, *, provider: str) -> int:
    try:
        payload = signing.loads(token, salt=RECEIPT_SALT)
    except signing.BadSignature as error:
        raise NotFoundError(what=_BAD_LINK) from error
    if not isinstance(payload, dict) or payload.get("p") != provider:
        raise NotFoundError(what=_BAD_LINK)
    return int(payload["m"])
