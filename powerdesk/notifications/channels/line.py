"""LINE Messaging API push messages (optional: configured only with a channel access token).

``POST {api_url}/v2/bot/message/push`` with ``Authorization: Bearer <token>``, a JSON body
``{"to": "<user id>", "messages": [{"type": "text", "text": …}]}`` and
``X-Line-Retry-Key: <UUID>`` — LINE's retry key, a UUID derived from the idempotency key
(:func:`powerdesk.notifications.domain.keys.mitake_client_id` gives a UUIDv5 of a key). LINE
accepts a retry key once: a repeat within 24 hours is answered ``409 Conflict`` with the
header ``x-line-accepted-request-id`` (the request that was accepted), which means the message
was already sent: success, marked duplicate.

Answers: 200 sent; 409 with a retry key already accepted; 429 (rate or monthly limit) and 5xx,
timeouts → retry; 400 (bad user id, text too long), 401/403 → permanent.
"""

from __future__ import annotations

import http.client
import json
import ssl
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
    TransientDeliveryError,
)
from powerdesk.notifications.domain.keys import mitake_client_id

MAX_TEXT: Final = 5000  # LINE's limit for one text message


def line_retry_key(key: str) -> str:
    """The ``X-Line-Retry-Key``: a UUID (version 5) of the idempotency key."""
    return mitake_client_id(key)


class LineProvider:
    name = "line"
    dedup_window: timedelta | None = timedelta(hours=24)

    def __init__(
        self, *, token: str, api_url: str = "https://api.line.me", timeout: float = 10.0
    ) -> None:
        self.token = token
        self.url = urlsplit(api_url)
        self.timeout = timeout

    def close(self) -> None:
        """Nothing to close: one short HTTP connection per request."""

    def _connection(self) -> http.client.HTTPConnection:
        host = self.url.hostname or "127.0.0.1"
        if self.url.scheme == "https":
            return http.client.HTTPSConnection(
                host,
                self.url.port or 443,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        return http.client.HTTPConnection(host, self.url.port or 80, timeout=self.timeout)

    def send(self, message: OutgoingMessage) -> SendResult:
        text = (
            message.body_text
            if len(message.body_text) <= MAX_TEXT
            else message.body_text[:MAX_TEXT]
        )
        body = json.dumps(
            {
                "to": message.recipient.removeprefix("line:"),
                "messages": [{"type": "text", "text": text}],
            },
            ensure_ascii=False,
        ).encode("utf-8")
        retry_key = line_retry_key(message.key)
        connection = self._connection()
        try:
            connection.request(
                "POST",
                (self.url.path.rstrip("/") or "") + "/v2/bot/message/push",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self.token}",
                    "X-Line-Retry-Key": retry_key,
                },
            )
            response = connection.getresponse()
            reply = response.read().decode("utf-8", errors="replace")
        except TimeoutError as error:
            raise TransientDeliveryError(f"LINE: no reply within {self.timeout} s") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransientDeliveryError(f"LINE connection: {error!r}") from error
        finally:
            connection.close()
        request_id = response.getheader("x-line-request-id", "") or retry_key
        if response.status == 200:
            return SendResult(provider_message_id=request_id)
        accepted = response.getheader("x-line-accepted-request-id", "")
        if response.status == 409 and accepted:
            return SendResult(provider_message_id=accepted, duplicate=True)
        detail = f"LINE HTTP {response.status}: {reply[:200]}"
        if response.status in (408, 429) or response.status >= 500:
            raise TransientDeliveryError(detail)
        raise PermanentDeliveryError(detail)
