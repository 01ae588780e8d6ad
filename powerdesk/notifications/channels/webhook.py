"""A generic JSON webhook: for SMS gateways (or push, LINE bridges) that take a JSON POST.

``POST url`` with ``Content-Type: application/json``, ``Idempotency-Key: <key>`` (the
convention of the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"; a gateway that
honours it answers a repeat with the first reply) and, when a secret is configured,
``X-Powerdesk-Signature: sha256=<hex HMAC-SHA256 of the body>`` so the gateway can check the
sender. Replies: 2xx accepted (an ``id`` in a JSON reply is kept as the provider's message id);
408, 425, 429 and 5xx are retried; other 4xx are permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
from datetime import timedelta
from urllib.parse import urlsplit

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
    TransientDeliveryError,
)

RETRYABLE_4XX = frozenset({408, 425, 429})


class WebhookProvider:
    name = "webhook"
    # Unknown: whether the gateway honours Idempotency-Key is its own promise.
    dedup_window: timedelta | None = None

    def __init__(self, *, url: str, secret: str = "", timeout: float = 10.0) -> None:
        self.url = urlsplit(url)
        self.secret = secret
        self.timeout = timeout

    def close(self) -> None:
        """Nothing to close: one short HTTP connection per request."""

    def payload(self, message: OutgoingMessage) -> bytes:
        document = {
            "idempotency_key": message.key,
            "channel": message.channel,
            "recipient": message.recipient,
            "language": message.language,
            "subject": message.subject,
            "text": message.body_text,
            "parts": list(message.sms_parts),
            "receipt_url": message.receipt_url,
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def send(self, message: OutgoingMessage) -> SendResult:
        body = self.payload(message)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
        }
        if self.secret:
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Powerdesk-Signature"] = f"sha256={digest}"
        host = self.url.hostname or "127.0.0.1"
        connection: http.client.HTTPConnection
        if self.url.scheme == "https":
            connection = http.client.HTTPSConnection(
                host,
                self.url.port or 443,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = http.client.HTTPConnection(host, self.url.port or 80, timeout=self.timeout)
        try:
            path = self.url.path or "/"
            if self.url.query:
                path += "?" + self.url.query
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except TimeoutError as error:
            raise TransientDeliveryError(f"webhook: no reply within {self.timeout} s") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransientDeliveryError(f"webhook connection: {error!r}") from error
        finally:
            connection.close()
        if 200 <= response.status < 300:
            provider_id = ""
            try:
                reply = json.loads(text) if text else {}
                if isinstance(reply, dict):
                    provider_id = str(reply.get("id", ""))
            except ValueError:
                provider_id = ""
            return SendResult(provider_message_id=provider_id)
        detail = f"webhook HTTP {response.status}: {text[:200]}"
        if response.status >= 500 or response.status in RETRYABLE_4XX:
            raise TransientDeliveryError(detail)
        raise PermanentDeliveryError(detail)
