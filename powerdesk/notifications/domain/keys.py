"""Idempotency keys and the provider-side keys derived from them.

One key identifies one notification for ever: the outbox refuses a second row with it, and the
key travels to the provider so that a retry after an unknown outcome (a worker killed after the
provider accepted, a timeout after acceptance) is recognised there as the same message:

- SMTP: the ``Message-ID`` header (RFC 5322 §3.6.4) is derived from the key. Receiving systems
  use it to drop duplicate deliveries (RFC 7352, Sieve "duplicate" test, uses Message-ID by
  default).
- Mitake SmSend: the ``clientid`` parameter. Mitake's API documentation: 客戶簡訊ID, at most
  36 characters; when a clientid was already sent, Mitake returns the earlier reply with
  ``Duplicate=Y`` instead of sending again; the check keeps 12 hours of history, and a clientid
  must be unique for ever, a GUID being recommended (as published in Mitake's own Java SDK,
  github.com/mitaketw/sms-java, MitakeOldSms.setClientID). A name-based UUID (RFC 9562 §5.5,
  version 5) of the key is such a GUID, and the same key always gives the same one.
- A JSON webhook: the ``Idempotency-Key`` header carries the key itself.

A deliberate resend by staff (a dead letter sent again) must reach the customer even if the
first transmission was, unknown to us, accepted: it gets a suffix ``#resend<n>``.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Final

from powerdesk.core.domain.errors import DomainError

MAX_KEY_LENGTH: Final = 200
# A fixed namespace so that a key always maps to the same clientid (uuid5 of a URL namespace).
_CLIENT_ID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:powerdesk:notification")


def validate_idempotency_key(value: str) -> str:
    """Check an idempotency key: 1–200 printable ASCII characters, no spaces.

    Codes: ``idempotency_key.required``, ``idempotency_key.length``,
    ``idempotency_key.character``.
    """
    if not value:
        raise DomainError(
            code="idempotency_key.required",
            zh_hant="請提供冪等鍵（idempotency key）。",
            en="An idempotency key is required.",
        )
    if len(value) > MAX_KEY_LENGTH:
        raise DomainError(
            code="idempotency_key.length",
            zh_hant=f"冪等鍵最多 {MAX_KEY_LENGTH} 個字元，輸入了 {len(value)} 個。",
            en=f"The idempotency key may have at most {MAX_KEY_LENGTH} characters; "
            f"it has {len(value)}.",
            details={"expected": MAX_KEY_LENGTH, "actual": len(value)},
        )
    for index, char in enumerate(value):
        if not ("!" <= char <= "~"):
            position = index + 1
            raise DomainError(
                code="idempotency_key.character",
                zh_hant=f"冪等鍵第 {position} 個字元「{char}」不可使用（僅限可列印的 ASCII、不含空白）。",
                en=f"Character {position} ('{char}') of the idempotency key is not allowed "
                "(printable ASCII without spaces only).",
                details={"position": position, "character": char},
            )
    return value


def provider_key(key: str, *, resend: int) -> str:
    """The key that goes to the provider: the idempotency key, suffixed for staff resends."""
    return key if resend == 0 else f"{key}#resend{resend}"


def smtp_message_id(key: str, *, domain: str) -> str:
    """An RFC 5322 ``msg-id`` derived from the key: ``<sha256-hex[:40]@domain>``.

    The key is hashed because it may contain characters that a ``dot-atom-text`` may not.
    """
    digest = hashlib.sha256(key.encode("ascii")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def mitake_client_id(key: str, *, part: int | None = None) -> str:
    """Mitake ``clientid`` (36 characters): a version-5 UUID of the key (and part number)."""
    name = key if part is None else f"{key}#part{part}"
    return str(uuid.uuid5(_CLIENT_ID_NAMESPACE, name))
