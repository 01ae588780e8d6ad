"""A local HTTP server that implements Mitake's SmSend, for tests and the demo.

``python -m powerdesk.notifications.testing.mitake_server --port 8801 --ledger var/ledger.sqlite3``

It behaves as Mitake's documentation describes (see :mod:`powerdesk.notifications.channels.
mitake`): ``POST /api/mtk/SmSend?CharsetURL=UTF8`` (or GET) with ``username``, ``password``,
``dstaddr``, ``smbody``, ``clientid``, ``response`` …; replies ``[1]``, ``msgid=``,
``statuscode=``, ``AccountPoint=``; a ``clientid`` seen in the last 12 hours is not sent again:
the earlier reply comes back with ``Duplicate=Y``. Wrong credentials give ``statuscode=e``, an
invalid number ``v``, an empty text ``u``. With a ``response`` URL on 127.0.0.1, it calls it
back with the delivery status (``msgid``, ``dstaddr``, ``dlvtime``, ``donetime``,
``statusstr``, ``StatusFlag``/``statuscode`` 4 = delivered).

Behaviour switches, read from the ledger's ``config`` table on every request:
``mitake.delay_ms`` (wait before handling), ``mitake.hang_after_accept_ms`` (after accepting a
new message, wait before replying: the client times out although the message was sent).

It listens on 127.0.0.1 only, prints ``READY <port>`` when listening, and stops by itself after
``--max-seconds`` or when its parent process exits.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

from powerdesk.notifications.domain.sms import sms_measure
from powerdesk.notifications.testing.ledger import Ledger

DEDUP_WINDOW_SECONDS = 12 * 3600
LINE_BREAK = "\x06"


def _reply(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


class MitakeHandler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall
    ledger: ClassVar[Ledger]
    username: ClassVar[str]
    password: ClassVar[str]
    points: ClassVar[list[int]]
    lock: ClassVar[threading.Lock]

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self._handle(body=b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(body=self.rfile.read(length))

    def _send(self, status: int, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timed out) already

    def _handle(self, *, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path != "/api/mtk/SmSend":
            self._send(404, b"not found\r\n")
            return
        query = parse_qs(url.query, keep_blank_values=True)
        charset = (query.get("CharsetURL") or ["Big5"])[0].lower()
        encoding = "utf-8" if charset in ("utf8", "utf-8") else "big5"
        form = {
            **query,
            **parse_qs(
                body.decode("ascii", errors="replace"), keep_blank_values=True, encoding=encoding
            ),
        }

        def field(name: str) -> str:
            return (form.get(name) or form.get(name.lower()) or [""])[0]

        self.ledger.mark_seen(channel="sms", key=field("clientid"))
        time.sleep(self.ledger.config("mitake.delay_ms", 0) / 1000)
        if field("username") != self.username or field("password") != self.password:
            self._send(200, _reply(["[1]", "statuscode=e", "Error=帳號、密碼錯誤"]))
            return
        number = field("dstaddr")
        text = field("smbody").replace(LINE_BREAK, "\n")
        if not (len(number) == 10 and number.startswith("09") and number.isdigit()):
            self._send(200, _reply(["[1]", "statuscode=v", "Error=無效的手機號碼"]))
            return
        if not text:
            self._send(200, _reply(["[1]", "statuscode=u", "Error=簡訊內容不得為空白"]))
            return
        client_id = field("clientid")
        key = client_id or f"no-clientid-{time.time_ns()}"  # without clientid, every request sends
        delivery = self.ledger.record(
            channel="sms",
            key=key,
            recipient=number,
            body=text,
            window_seconds=DEDUP_WINDOW_SECONDS,
            new_provider_id=lambda n: f"{n:010d}",
        )
        with self.lock:
            if delivery.new:
                self.points[0] -= max(1, sms_measure(text).segments)
            points = self.points[0]
        lines = ["[1]", f"msgid={delivery.provider_id}", "statuscode=1", f"AccountPoint={points}"]
        if not delivery.new:
            lines.append("Duplicate=Y")
        else:
            callback = field("response")
            if callback:
                self._callback(callback, msgid=delivery.provider_id, number=number)
            time.sleep(self.ledger.config("mitake.hang_after_accept_ms", 0) / 1000)
        self._send(200, _reply(lines))

    def _callback(self, url: str, *, msgid: str, number: str) -> None:
        target = urlsplit(url)
        if target.hostname not in ("127.0.0.1", "localhost") or target.scheme != "http":
            return  # this test server calls only the local machine

        def call() -> None:
            time.sleep(0.05)
            now = datetime.now().strftime("%Y%m%d%H%M%S")  # noqa: DTZ005 - Mitake sends local time
            params = {
                "msgid": msgid,
                "dstaddr": number,
                "dlvtime": now,
                "donetime": now,
                "statusstr": "DELIVRD",
                "StatusFlag": "4",
                "statuscode": "4",
            }
            separator = "&" if target.query else "?"
            try:
                with urllib.request.urlopen(url + separator + urlencode(params), timeout=5):  # noqa: S310 - loopback http only
                    pass
            except OSError:
                pass

        threading.Thread(target=call, daemon=True).start()


def serve(*, port: int, ledger_path: str, username: str, password: str, max_seconds: float) -> None:
    MitakeHandler.ledger = Ledger(ledger_path)
    MitakeHandler.username = username
    MitakeHandler.password = password
    MitakeHandler.points = [100_000]
    MitakeHandler.lock = threading.Lock()
    server = ThreadingHTTPServer(("127.0.0.1", port), MitakeHandler)
    server.daemon_threads = True
    parent = os.getppid()

    def watchdog() -> None:
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
        server.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    sys.stdout.write(f"READY {server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Mitake SmSend server (tests, demo).")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--ledger", required=True, help="SQLite file counting what arrives")
    parser.add_argument("--username", default="powerdesk")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args(argv)
    serve(
        port=args.port,
        ledger_path=args.ledger,
        username=args.username,
        password=args.password,
        max_seconds=args.max_seconds,
    )


if __name__ == "__main__":
    main()
