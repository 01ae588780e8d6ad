"""A local SMTP server (aiosmtpd) that counts what it receives by Message-ID, for tests and
the demo.

``python -m powerdesk.notifications.testing.smtp_server --port 1025 --ledger var/ledger.sqlite3``

Every accepted message is one row in the ledger. The mailbox behind it drops a message whose
Message-ID it already delivered, as a receiving system does with RFC 7352's duplicate test
(whose default unique id is the Message-ID): such a transmission is recorded with ``new = 0``.
So the ledger shows both what was *transmitted* (a retry after an unknown outcome can transmit
again: SMTP cannot tell a sender whether a message whose final reply was lost was accepted)
and what was *delivered* (once per key).

Recipients at ``reject.invalid`` get ``550 5.1.1`` (a permanent failure). With ``--username``
and ``--password`` it requires AUTH LOGIN/PLAIN (over the plain connection: loopback only).
Behaviour switches in the ledger's ``config`` table: ``smtp.delay_ms`` (wait before answering
RCPT), ``smtp.hang_after_accept_ms`` (after accepting new data, wait before the final reply).

It listens on 127.0.0.1 only, prints ``READY <port>``, and stops by itself after
``--max-seconds`` or when its parent process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import sys
import time
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from powerdesk.notifications.testing.ledger import Ledger


class CountingHandler:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        delay = await asyncio.to_thread(self.ledger.config, "smtp.delay_ms", 0)
        await asyncio.sleep(delay / 1000)
        if address.lower().endswith("@reject.invalid"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        message_id = str(parsed.get("Message-ID", "")).strip()
        key = message_id or f"no-message-id-{time.time_ns()}"
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        delivery = await asyncio.to_thread(
            self.ledger.record,
            channel="email",
            key=key,
            recipient=",".join(envelope.rcpt_tos),
            body=f"Subject: {parsed.get('Subject', '')}\n\n{text}",
            window_seconds=None,
            new_provider_id=lambda n: message_id or str(n),
        )
        if delivery.new:
            hang = await asyncio.to_thread(self.ledger.config, "smtp.hang_after_accept_ms", 0)
            await asyncio.sleep(hang / 1000)
        status = "delivered" if delivery.new else "duplicate Message-ID dropped"
        return f"250 2.0.0 Accepted ({status})"


def _authenticator(username: str, password: str) -> Any:
    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == username
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return check


async def _serve(
    *, port: int, ledger_path: str, username: str, password: str, max_seconds: float
) -> None:
    handler = CountingHandler(Ledger(ledger_path))
    loop = asyncio.get_running_loop()

    def protocol() -> SMTP:
        if username:
            return SMTP(
                handler,
                hostname="localhost",
                auth_required=True,
                auth_require_tls=False,
                authenticator=_authenticator(username, password),
                timeout=60,
            )
        return SMTP(handler, hostname="localhost", timeout=60)

    server = await loop.create_server(protocol, host="127.0.0.1", port=port)
    sys.stdout.write(f"READY {server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    parent = os.getppid()
    deadline = time.monotonic() + max_seconds
    try:
        while time.monotonic() < deadline and os.getppid() == parent:
            await asyncio.sleep(0.5)
    finally:
        server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP server counting by Message-ID.")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--ledger", required=True, help="SQLite file counting what arrives")
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args(argv)
    asyncio.run(
        _serve(
            port=args.port,
            ledger_path=args.ledger,
            username=args.username,
            password=args.password,
            max_seconds=args.max_seconds,
        )
    )


if __name__ == "__main__":
    main()
