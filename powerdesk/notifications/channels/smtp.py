"""E-mail over SMTP (RFC 5321) with :mod:`smtplib`: STARTTLS or implicit TLS, optional AUTH.

The message is ``multipart/alternative`` (plain text, then HTML; RFC 2046 §5.1.4). Its
``Message-ID`` is derived from the idempotency key, so a retry after an unknown outcome (the
worker died, or the server timed out, after the server had accepted the data) carries the same
Message-ID and is recognised as the same message by the receiving side (RFC 7352). SMTP itself
cannot tell the sender whether a message whose final reply was lost was accepted: that is why
the key, not the sender's memory, makes the delivery count once.

``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)
lets mail clients unsubscribe without a login; ``Auto-Submitted: auto-generated``
(RFC 3834 §5) keeps auto-responders quiet.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    SendResult,
    TransientDeliveryError,
)
from powerdesk.notifications.domain.keys import smtp_message_id


def build_email(message: OutgoingMessage, *, from_address: str, domain: str) -> EmailMessage:
    """The MIME message for ``message`` (text part, and an HTML alternative when there is one)."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = from_address
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = smtp_message_id(message.key, domain=domain)
    mail["Auto-Submitted"] = "auto-generated"
    mail["Content-Language"] = "en" if message.language.startswith("en") else "zh-Hant"
    if message.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


class SmtpProvider:
    """One SMTP connection per worker, opened on first use and reused until an error."""

    name = "smtp"
    dedup_window: timedelta | None = None

    def __init__(
        self,
        *,
        host: str,
        port: int,
        from_address: str,
        username: str = "",
        password: str = "",
        use_starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 20.0,
        message_id_domain: str = "",
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.username = username
        self.password = password
        self.use_starttls = use_starttls
        self.use_ssl = use_ssl
        self.timeout = timeout
        self.domain = message_id_domain or Address(addr_spec=from_address).domain or "localhost"
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if self.use_ssl:
            connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_starttls:
                connection.starttls(context=context)
        if self.username:
            connection.login(self.username, self.password)
        self._connection = connection
        return connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def send(self, message: OutgoingMessage) -> SendResult:
        mail = build_email(message, from_address=self.from_address, domain=self.domain)
        try:
            self._connect().send_message(mail, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            code, reply = next(iter(error.recipients.values()))
            detail = f"SMTP {code} for the recipient: {reply.decode(errors='replace')}"
            if 500 <= code < 600:
                raise PermanentDeliveryError(detail) from error
            raise TransientDeliveryError(detail) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            answer = error.smtp_error
            text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
            detail = f"SMTP {error.smtp_code}: {text}"
            # 5xx to MAIL or DATA (policy, size) will not change on retry; a 5xx to AUTH is a
            # configuration error that staff fix, so it is retried like a 4xx.
            if 500 <= error.smtp_code < 600 and not isinstance(
                error, smtplib.SMTPAuthenticationError
            ):
                raise PermanentDeliveryError(detail) from error
            raise TransientDeliveryError(detail) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise TransientDeliveryError(f"SMTP connection: {error!r}") from error
        return SendResult(provider_message_id=str(mail["Message-ID"]))
