"""A local LINE Messaging API for tests and the demo: ``POST /v2/bot/message/push``.

``python -m powerdesk.notifications.testing.line_server --port 8803 --ledger var/ledger.sqlite3
--token demo-token``

As LINE documents it: ``Authorization: Bearer <channel access token>`` (401 otherwise), a JSON
body ``{"to": "U…", "messages": [{"type": "text", "text": …}]}`` (400 for a malformed user id,
no messages, more than 5, or a text over 5000 characters), an optional ``X-Line-Retry-Key``
(a UUID; 400 if malformed). A retry key already accepted in the last 24 hours is answered
``409`` with ``x-line-accepted-request-id`` and nothing is sent again. Every answer carries
``x-line-request-id`` (the accepted request's id is the one a 409 names). Accepted messages are counted in the shared ledger (channel ``line``,
key = the retry key). ``line.status`` in the ledger's config forces an answer (e.g. 429, 500).

It listens on 127.0.0.1 only, prints ``READY <port>``, and stops by itself after
``--max-seconds`` or when its parent process exits.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from powerdesk.notifications.testing.ledger import Ledger

RETRY_WINDOW_SECONDS = 24 * 3600
USER_ID = re.compile(r"U[0-9a-f]{32}")


class LineHandler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    ledger: ClassVar[Ledger]
    token: ClassVar[str]
    lock: ClassVar[threading.Lock]

    def log_message(self, format: str, *args: object) -> None:
        return

    def _answer(
        self, status: int, body: dict[str, Any], *, request_id: str = "", **headers: str
    ) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-line-request-id", request_id or str(uuid.uuid4()))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path != "/v2/bot/message/push":
            self._answer(404, {"message": "Not found"})
            return
        forced = int(self.ledger.config("line.status", 0))
        if forced:
            self._answer(forced, {"message": "forced by line.status"})
            return
        if self.headers.get("Authorization", "") != f"Bearer {self.token}":
            self._answer(401, {"message": "Authentication failed"})
            return
        retry_key = self.headers.get("X-Line-Retry-Key", "")
        if retry_key:
            try:
                retry_key = str(uuid.UUID(retry_key))
            except ValueError:
                self._answer(400, {"message": "The retry key must be a UUID"})
                return
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._answer(400, {"message": "The request body has 1 error(s)"})
            return
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not USER_ID.fullmatch(str(body.get("to", ""))):
            self._answer(400, {"message": "The property, 'to', in the request body is invalid"})
            return
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            self._answer(400, {"message": "Size must be between 1 and 5"})
            return
        for message in messages:
            text = message.get("text", "") if isinstance(message, dict) else ""
            if message.get("type") != "text" or not text or len(text) > 5000:
                self._answer(400, {"message": "Invalid text message"})
                return
        key = retry_key or str(uuid.uuid4())
        delivery = self.ledger.record(
            channel="line",
            key=key,
            recipient=str(body["to"]),
            body="\n".join(str(m["text"]) for m in messages),
            window_seconds=RETRY_WINDOW_SECONDS,
            new_provider_id=lambda n: str(uuid.uuid4()),
        )
        if not delivery.new:
            self._answer(
                409,
                {"message": "The retry key is already accepted"},
                x_line_accepted_request_id=delivery.provider_id,
            )
            return
        self._answer(
            200,
            {"sentMessages": [{"id": str(uuid.UUID(delivery.provider_id).int % 10**18)}]},
            request_id=delivery.provider_id,
        )


def serve(ledger: Ledger, *, token: str, port: int = 0) -> ThreadingHTTPServer:
    handler = type(
        "BoundLineHandler",
        (LineHandler,),
        {"ledger": ledger, "token": token, "lock": threading.Lock()},
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local LINE Messaging API push endpoint.")
    parser.add_argument("--port", type=int, default=8803)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)
    server = serve(Ledger(args.ledger), token=args.token, port=args.port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sys.stdout.write(f"READY {server.server_address[1]}\n")
    sys.stdout.flush()
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.5)
    server.shutdown()


if __name__ == "__main__":
    main()
