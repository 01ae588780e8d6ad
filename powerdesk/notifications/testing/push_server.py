"""A local Web Push service (RFC 8030) for tests and the demo: a real protocol peer.

``python -m powerdesk.notifications.testing.push_server --port 8802 --ledger var/ledger.sqlite3``

- ``POST /subscribe`` makes a subscription as a browser's push service would: it generates
  the subscriber's P-256 key pair and 16-byte auth secret, keeps the private half, and answers
  ``{"endpoint", "keys": {"p256dh", "auth"}}`` (the shape of ``PushSubscription.toJSON()``).
- ``POST /push/<token>`` takes a push message as a push service does: ``TTL`` is required
  (400 without), ``Content-Encoding: aes128gcm`` (RFC 8188/8291), ``Authorization: vapid
  t=<JWT>, k=<key>`` (RFC 8292): the ES256 signature is verified with ``k``, ``aud`` must be
  this server's origin, ``exp`` in the future and at most 24 h away, ``sub`` a ``mailto:`` or
  ``https:`` URI (401/403 otherwise). The body is decrypted with the subscriber's private key
  (a wrong encryption gives 400). The decrypted JSON's ``key`` is counted in the shared ledger
  (channel ``push``, never a repeat window: the service worker drops a key it has shown).
  Answers ``201 Created`` with a ``Location``.
- ``DELETE /push/<token>`` unsubscribes: later pushes get ``410 Gone``; an unknown token 404.
- ``push.status`` in the ledger's config table forces an answer (e.g. 429 or 503) for tests.

It listens on 127.0.0.1 only, prints ``READY <port>``, and stops by itself after
``--max-seconds`` or when its parent process exits.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from powerdesk.notifications.testing.ledger import Ledger


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def verify_vapid(authorization: str, *, audience: str, now: float | None = None) -> dict[str, Any]:
    """Check an RFC 8292 ``vapid t=…, k=…`` header; return the JWT's claims."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidError(401, "Authorization must use the vapid scheme")
    fields = {}
    for part in params.split(","):
        name, _, value = part.strip().partition("=")
        fields[name.strip()] = value.strip()
    token, key = fields.get("t", ""), fields.get("k", "")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    except (ValueError, json.JSONDecodeError) as error:
        raise VapidError(401, f"malformed VAPID token or key: {error}") from error
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise VapidError(401, "the JWT must be signed with ES256")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise VapidError(403, "the VAPID signature does not verify") from error
    now = time.time() if now is None else now
    if claims.get("aud") != audience:
        raise VapidError(403, f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = int(claims.get("exp", 0))
    if not now < exp <= now + 24 * 3600:
        raise VapidError(403, "exp must be in the future and at most 24 hours away")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError(403, "sub must be a mailto: or https: URI")
    return {**claims, "k": key}


@dataclass
class Subscriber:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    gone: bool = False


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]  # names in lower case
    new: bool


@dataclass
class PushState:
    ledger: Ledger | None
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class PushHandler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    state: ClassVar[PushState]

    def log_message(self, format: str, *args: object) -> None:
        return

    @property
    def origin(self) -> str:
        address: Any = self.server.server_address
        return f"http://127.0.0.1:{address[1]}"

    def _answer(self, status: int, body: dict[str, Any] | None = None, **headers: str) -> None:
        data = json.dumps(body or {}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/subscribe":
            self._answer(201, self.new_subscription())
            return
        if not self.path.startswith("/push/"):
            self._answer(404, {"error": "not found"})
            return
        self._push(self.path.removeprefix("/push/"), body)

    def do_DELETE(self) -> None:
        token = self.path.removeprefix("/push/")
        with self.state.lock:
            subscriber = self.state.subscribers.get(token)
            if subscriber is not None:
                subscriber.gone = True
        self._answer(204 if subscriber is not None else 404)

    def new_subscription(self) -> dict[str, Any]:
        return new_subscription(self.state, origin=self.origin)

    def _push(self, token: str, body: bytes) -> None:
        ledger = self.state.ledger
        forced = int(ledger.config("push.status", 0)) if ledger is not None else 0
        if forced:
            self._answer(forced, {"error": "forced by push.status"})
            return
        subscriber = self.state.subscribers.get(token)
        if subscriber is None:
            self._answer(404, {"error": "no such subscription"})
            return
        if subscriber.gone:
            self._answer(410, {"error": "subscription expired"})
            return
        if self.headers.get("TTL") is None:
            self._answer(400, {"error": "TTL header required (RFC 8030 5.2)"})
            return
        try:
            verify_vapid(self.headers.get("Authorization", ""), audience=self.origin)
        except VapidError as error:
            self._answer(error.status, {"error": error.detail})
            return
        if self.headers.get("Content-Encoding") != "aes128gcm":
            self._answer(415, {"error": "Content-Encoding must be aes128gcm"})
            return
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth,
                version="aes128gcm",
            )
            payload = json.loads(plain.decode("utf-8"))
        except Exception as error:
            self._answer(400, {"error": f"cannot decrypt: {error!r}"})
            return
        key = str(payload.get("key", ""))
        new = True
        if ledger is not None:
            delivery = ledger.record(
                channel="push",
                key=key,
                recipient=token,
                body=json.dumps(payload, ensure_ascii=False),
                window_seconds=None,
                new_provider_id=lambda n: f"push-{n}",
            )
            new = delivery.new
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.state.lock:
            self.state.received.append(
                Received(token=token, payload=payload, headers=headers, new=new)
            )
        self._answer(201, {}, Location=f"{self.origin}/messages/{secrets.token_hex(8)}")


def new_subscription(state: PushState, *, origin: str) -> dict[str, Any]:
    """A fresh subscriber: its private key stays here, the subscription goes to the page."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth = secrets.token_bytes(16)
    token = secrets.token_urlsafe(16)
    with state.lock:
        state.subscribers[token] = Subscriber(private_key=private_key, auth=auth)
    public = private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "endpoint": f"{origin}/push/{token}",
        "expirationTime": None,
        "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
    }


class PushService:
    """The server in a thread of the test process (``with PushService(ledger) as push:``)."""

    def __init__(self, ledger: Ledger | None = None, *, port: int = 0) -> None:
        self.state = PushState(ledger=ledger)
        handler = type("BoundPushHandler", (PushHandler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def subscribe(self) -> dict[str, Any]:
        return new_subscription(self.state, origin=self.origin)

    def unsubscribe(self, endpoint: str) -> None:
        self.state.subscribers[endpoint.rsplit("/", 1)[-1]].gone = True

    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local Web Push service (RFC 8030/8291/8292).")
    parser.add_argument("--port", type=int, default=8802)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)
    parent = os.getppid()
    with PushService(Ledger(args.ledger), port=args.port) as service:
        sys.stdout.write(f"READY {service.server.server_address[1]}\n")
        sys.stdout.flush()
        deadline = time.monotonic() + args.max_seconds
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)


if __name__ == "__main__":
    main()
