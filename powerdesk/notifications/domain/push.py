"""Web push rules that need no Django: subscription checks, the payload and the Topic header."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from powerdesk.core.domain.errors import DomainError

MAX_ENDPOINT_LENGTH: Final = 1000
# RFC 8291: the payload plus 16 bytes of tag, 1 of padding delimiter and the 86-byte header
# must fit the 4096 bytes every push service accepts.
MAX_BODY_CHARS: Final = 1000
LOCAL_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class _Message(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def language(self) -> str: ...


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def validate_endpoint(value: str, *, allow_local_http: bool) -> str:
    """A push service endpoint: an https URL (http only to 127.0.0.1 in DEBUG and tests).

    Codes: ``push.endpoint_required``, ``push.endpoint_length``, ``push.endpoint_scheme``.
    """
    value = (value or "").strip()
    if not value:
        raise DomainError(
            code="push.endpoint_required",
            zh_hant="缺少推播端點（endpoint）。",
            en="The push endpoint is missing.",
        )
    if len(value) > MAX_ENDPOINT_LENGTH:
        raise DomainError(
            code="push.endpoint_length",
            zh_hant=f"推播端點最多 {MAX_ENDPOINT_LENGTH} 個字元。",
            en=f"The push endpoint may have at most {MAX_ENDPOINT_LENGTH} characters.",
        )
    parts = urlsplit(value)
    local = parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS and allow_local_http
    if not ((parts.scheme == "https" and parts.hostname) or local):
        raise DomainError(
            code="push.endpoint_scheme",
            zh_hant="推播端點須為 https 網址。",
            en="The push endpoint must be an https URL.",
        )
    return value


def validate_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The subscription's keys: a P-256 public key (65 bytes, uncompressed) and a 16-byte
    authentication secret, both base64url. Codes: ``push.p256dh``, ``push.auth``."""
    try:
        point = _b64url_decode(p256dh or "")
    except (binascii.Error, ValueError):
        point = b""
    if len(point) != 65 or point[0] != 4:
        raise DomainError(
            code="push.p256dh",
            zh_hant="推播訂閱的公鑰（p256dh）格式不正確。",
            en="The subscription's public key (p256dh) is not valid.",
        )
    try:
        secret = _b64url_decode(auth or "")
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != 16:
        raise DomainError(
            code="push.auth",
            zh_hant="推播訂閱的驗證密鑰（auth）格式不正確。",
            en="The subscription's authentication secret (auth) is not valid.",
        )
    return p256dh.rstrip("="), auth.rstrip("=")


def push_topic(key: str) -> str:
    """RFC 8030 §5.4 ``Topic``: at most 32 characters of the base64url alphabet, from the key."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")[:32]


def push_payload(message: _Message, *, url: str = "/") -> dict[str, Any]:
    """What the service worker receives: the key (its notification ``tag``), title, body."""
    body = message.body_text
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 1] + "…"
    title = message.subject or ("Taipower" if message.language.startswith("en") else "台電通知")
    return {"key": message.key, "title": title, "body": body, "lang": message.language, "url": url}
