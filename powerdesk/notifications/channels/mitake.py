"""SMS through 三竹資訊 Mitake's HTTP API, ``SmSend`` (stdlib :mod:`http.client`, timeouts).

Request (Mitake HTTP API, as documented by Mitake and used by its SDKs): ``POST
{url}?CharsetURL=UTF8`` with an ``application/x-www-form-urlencoded`` body of ``username``,
``password``, ``dstaddr`` (``09xxxxxxxx``), ``smbody`` (a line break is sent as ASCII 6),
optional ``destname``, ``dlvtime``/``vldtime`` (``YYYYMMDDHHMMSS``), ``response`` (the URL
Mitake calls with the delivery status) and ``clientid``.

``clientid`` is the idempotency key: Mitake keeps 12 hours of them and answers a repeated one
with its earlier reply plus ``Duplicate=Y`` instead of sending again (see
:mod:`powerdesk.notifications.domain.keys`). So a retry after a timeout that happened after
Mitake accepted the message costs nothing and sends nothing; the outbox never retries a
message whose first attempt is older than that window (it goes to staff as a dead letter).

Reply: text lines ``[1]``, ``msgid=…``, ``statuscode=…``, ``AccountPoint=…`` and, for a
repeated clientid, ``Duplicate=Y``. Status codes 0 (scheduled), 1 and 2 (handed to the
carrier) and 4 (delivered) mean accepted; a letter or ``*`` is an error (``e`` wrong
password, ``v`` invalid number, ``u`` empty text, …).
"""

from __future__ import annotations

import http.client
import ssl
from datetime import timedelta
from typing import Final
from urllib.parse import urlencode, urlsplit

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
    TransientDeliveryError,
)
from powerdesk.notifications.domain.keys import mitake_client_id

ACCEPTED: Final = frozenset({"0", "1", "2", "4"})
# Codes about this message that no retry can fix: 5 content error, 6 number error, 7 disabled,
# t expired, u empty text, v invalid number, x too large, y parameter error.
PERMANENT: Final = frozenset({"5", "6", "7", "t", "u", "v", "x", "y"})
LINE_BREAK: Final = "\x06"


def parse_reply(text: str) -> dict[str, str]:
    """The ``key=value`` lines of a SmSend reply (the ``[n]`` header is dropped)."""
    fields: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or (line.startswith("[") and line.endswith("]")):
            continue
        key, separator, value = line.partition("=")
        if separator:
            fields[key.strip()] = value.strip()
    return fields


def national_mobile(recipient: str) -> str:
    """``+886912345678`` or ``0912-345-678`` → ``0912345678`` (Mitake's ``dstaddr``)."""
    digits = "".join(char for char in recipient if char.isdigit())
    if recipient.startswith("+886"):
        digits = "0" + digits[3:]
    return digits


class MitakeProvider:
    name = "mitake"
    dedup_window: timedelta | None = timedelta(hours=12)

    def __init__(self, *, url: str, username: str, password: str, timeout: float = 10.0) -> None:
        self.url = urlsplit(url)
        self.username = username
        self.password = password
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

    def _post(self, form: dict[str, str]) -> str:
        path = (self.url.path or "/") + "?CharsetURL=UTF8"
        body = urlencode(form, encoding="utf-8")
        connection = self._connection()
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except TimeoutError as error:
            raise TransientDeliveryError(f"Mitake: no reply within {self.timeout} s") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransientDeliveryError(f"Mitake connection: {error!r}") from error
        finally:
            connection.close()
        if response.status != 200:
            raise TransientDeliveryError(f"Mitake HTTP {response.status}: {text[:200]}")
        return text

    def send(self, message: OutgoingMessage) -> SendResult:
        parts = message.sms_parts or (message.body_text,)
        message_ids: list[str] = []
        duplicate = False
        for number, part in enumerate(parts, start=1):
            form = {
                "username": self.username,
                "password": self.password,
                "dstaddr": national_mobile(message.recipient),
                "smbody": part.replace("\r\n", "\n").replace("\n", LINE_BREAK),
                "clientid": mitake_client_id(message.key, part=number if len(parts) > 1 else None),
            }
            if message.receipt_url:
                form["response"] = message.receipt_url
            fields = parse_reply(self._post(form))
            code = fields.get("statuscode", "")
            if code not in ACCEPTED:
                detail = f"Mitake statuscode={code or '?'} {fields.get('Error', '')}".strip()
                if code in PERMANENT:
                    raise PermanentDeliveryError(detail)
                raise TransientDeliveryError(detail)
            message_ids.append(fields.get("msgid", "").lstrip("#"))
            duplicate = duplicate or fields.get("Duplicate") == "Y"
        return SendResult(provider_message_id=",".join(message_ids), duplicate=duplicate)
