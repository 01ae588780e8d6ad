"""Settings of the notification outbox: ``settings.POWERDESK_NOTIFICATIONS``.

``settings_from_environment()`` builds the block from environment variables (it imports
nothing from Django, so settings modules can call it):

- e-mail (the same variables as Django's mailer): ``EMAIL_HOST``, ``EMAIL_PORT``,
  ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS`` (STARTTLS),
  ``EMAIL_USE_SSL`` (implicit TLS), ``DEFAULT_FROM_EMAIL``, ``POWERDESK_SMTP_TIMEOUT``;
- SMS: ``POWERDESK_SMS_PROVIDER`` (``mitake`` or ``webhook``), ``POWERDESK_MITAKE_URL``,
  ``POWERDESK_MITAKE_USERNAME``, ``POWERDESK_MITAKE_PASSWORD``, ``POWERDESK_SMS_TIMEOUT``,
  ``POWERDESK_SMS_WEBHOOK_URL``, ``POWERDESK_SMS_WEBHOOK_SECRET``;
- the outbox: ``POWERDESK_NOTIFY_LEASE_SECONDS``, ``POWERDESK_NOTIFY_MAX_ATTEMPTS``,
  ``POWERDESK_NOTIFY_BACKOFF_BASE``, ``POWERDESK_NOTIFY_BACKOFF_CAP``,
  ``POWERDESK_SMS_MAX_SEGMENTS``, ``POWERDESK_PUBLIC_BASE_URL`` (links in messages),
  ``POWERDESK_RECEIPT_BASE_URL`` (where providers post delivery receipts; empty: none),
  ``POWERDESK_QUIET_HOURS`` (``21:00-08:00`` Asia/Taipei by default; ``off``);
- web push: ``POWERDESK_VAPID_PRIVATE_KEY_FILE`` (PEM; default ``$POWERDESK_DATA_DIR/vapid/
  private_key.pem``, made for the demo by ``powerdesk notifications_vapid``),
  ``POWERDESK_VAPID_SUBJECT`` (``mailto:`` or ``https:`` contact of the sender),
  ``POWERDESK_PUSH_TTL`` (seconds a push service keeps an undelivered message, default 86400),
  ``POWERDESK_PUSH_TIMEOUT``;
- letters: ``POWERDESK_LETTER_DIR`` (default ``$POWERDESK_DATA_DIR/letters``, outside the web
  root), ``POWERDESK_LETTER_FONT`` (a TrueType font with Chinese glyphs, default
  ``/usr/share/fonts/truetype/arphic/uming.ttc``);
- calls: ``POWERDESK_CALL_RETRY_HOURS`` (when a "no answer" is called again, default 4);
- LINE (optional, off unless a token is set): ``POWERDESK_LINE_CHANNEL_TOKEN``,
  ``POWERDESK_LINE_API_URL`` (default ``https://api.line.me``), ``POWERDESK_LINE_TIMEOUT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from powerdesk.notifications.domain.channels import Channel
from powerdesk.notifications.domain.quiet_hours import QuietHours


def _bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _quiet_hours(text: str) -> dict[str, Any]:
    """``"21:00-08:00"`` (Asia/Taipei) holds SMS and calls in that window; ``"off"`` never."""
    if text.strip().lower() in ("", "off", "none"):
        return {"START": "21:00", "END": "08:00", "TIME_ZONE": "Asia/Taipei", "CHANNELS": []}
    start, end = (part.strip() for part in text.split("-"))
    return {"START": start, "END": end, "TIME_ZONE": "Asia/Taipei", "CHANNELS": ["sms", "voice"]}


def settings_from_environment() -> dict[str, Any]:
    """The ``POWERDESK_NOTIFICATIONS`` settings block, from the environment."""
    env = os.environ.get
    providers: dict[str, Any] = {
        "email": {
            "BACKEND": "powerdesk.notifications.channels.smtp.SmtpProvider",
            "OPTIONS": {
                "host": env("EMAIL_HOST", "127.0.0.1"),
                "port": int(env("EMAIL_PORT", "1025")),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_starttls": _bool("EMAIL_USE_TLS", default=False),
                "use_ssl": _bool("EMAIL_USE_SSL", default=False),
                "timeout": float(env("POWERDESK_SMTP_TIMEOUT", "20")),
                "from_address": env("DEFAULT_FROM_EMAIL", "powerdesk@localhost"),
            },
        }
    }
    if env("POWERDESK_SMS_PROVIDER", "mitake") == "webhook":
        providers["sms"] = {
            "BACKEND": "powerdesk.notifications.channels.webhook.WebhookProvider",
            "OPTIONS": {
                "url": env("POWERDESK_SMS_WEBHOOK_URL", ""),
                "secret": env("POWERDESK_SMS_WEBHOOK_SECRET", ""),
                "timeout": float(env("POWERDESK_SMS_TIMEOUT", "10")),
            },
        }
    else:
        providers["sms"] = {
            "BACKEND": "powerdesk.notifications.channels.mitake.MitakeProvider",
            "OPTIONS": {
                "url": env("POWERDESK_MITAKE_URL", "https://smsapi.mitake.com.tw/api/mtk/SmSend"),
                "username": env("POWERDESK_MITAKE_USERNAME", ""),
                "password": env("POWERDESK_MITAKE_PASSWORD", ""),
                "timeout": float(env("POWERDESK_SMS_TIMEOUT", "10")),
            },
        }
    data_dir = Path(env("POWERDESK_DATA_DIR", "var"))
    providers["push"] = {
        "BACKEND": "powerdesk.notifications.channels.webpush.WebPushProvider",
        "OPTIONS": {
            "private_key_file": env(
                "POWERDESK_VAPID_PRIVATE_KEY_FILE", str(data_dir / "vapid" / "private_key.pem")
            ),
            "subject": env("POWERDESK_VAPID_SUBJECT", "mailto:powerdesk@localhost"),
            "ttl": int(env("POWERDESK_PUSH_TTL", "86400")),
            "timeout": float(env("POWERDESK_PUSH_TIMEOUT", "10")),
        },
    }
    providers["letter"] = {"BACKEND": "powerdesk.notifications.channels.letter.LetterProvider"}
    providers["voice"] = {
        "BACKEND": "powerdesk.notifications.channels.voice.CallListProvider",
        "OPTIONS": {"retry_hours": float(env("POWERDESK_CALL_RETRY_HOURS", "4"))},
    }
    if env("POWERDESK_LINE_CHANNEL_TOKEN", ""):
        providers["line"] = {
            "BACKEND": "powerdesk.notifications.channels.line.LineProvider",
            "OPTIONS": {
                "token": env("POWERDESK_LINE_CHANNEL_TOKEN", ""),
                "api_url": env("POWERDESK_LINE_API_URL", "https://api.line.me"),
                "timeout": float(env("POWERDESK_LINE_TIMEOUT", "10")),
            },
        }
    return {
        "LETTER_DIR": env("POWERDESK_LETTER_DIR", str(data_dir / "letters")),
        "LETTER_FONT": env("POWERDESK_LETTER_FONT", "/usr/share/fonts/truetype/arphic/uming.ttc"),
        "LEASE_SECONDS": int(env("POWERDESK_NOTIFY_LEASE_SECONDS", "60")),
        "BATCH_SIZE": 20,
        "MAX_ATTEMPTS": int(env("POWERDESK_NOTIFY_MAX_ATTEMPTS", "8")),
        "BACKOFF_BASE_SECONDS": float(env("POWERDESK_NOTIFY_BACKOFF_BASE", "30")),
        "BACKOFF_CAP_SECONDS": float(env("POWERDESK_NOTIFY_BACKOFF_CAP", "3600")),
        "SMS_MAX_SEGMENTS": int(env("POWERDESK_SMS_MAX_SEGMENTS", "3")),
        "QUIET_HOURS": _quiet_hours(env("POWERDESK_QUIET_HOURS", "21:00-08:00")),
        "PUBLIC_BASE_URL": env("POWERDESK_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        # Where providers call back with delivery receipts ("" = do not ask for receipts).
        "RECEIPT_BASE_URL": env("POWERDESK_RECEIPT_BASE_URL", ""),
        "PROVIDERS": providers,
    }


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    lease_seconds: int
    batch_size: int
    max_attempts: int
    backoff_base_seconds: float
    backoff_cap_seconds: float
    sms_max_segments: int
    quiet_hours: QuietHours
    public_base_url: str
    receipt_base_url: str
    providers: dict[str, Any]
    letter_dir: Path
    letter_font: Path

    def vapid_private_key_file(self) -> Path | None:
        """The VAPID private key file of the push provider (None: push is not configured)."""
        entry = self.providers.get("push")
        if entry is None:
            return None
        return Path(entry.get("OPTIONS", {}).get("private_key_file", ""))


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def outbox_settings() -> OutboxSettings:
    """The current settings, with defaults for anything not configured."""
    from django.conf import settings

    config = {**settings_from_environment(), **getattr(settings, "POWERDESK_NOTIFICATIONS", {})}
    quiet = config["QUIET_HOURS"]
    return OutboxSettings(
        lease_seconds=int(config["LEASE_SECONDS"]),
        batch_size=int(config["BATCH_SIZE"]),
        max_attempts=int(config["MAX_ATTEMPTS"]),
        backoff_base_seconds=float(config["BACKOFF_BASE_SECONDS"]),
        backoff_cap_seconds=float(config["BACKOFF_CAP_SECONDS"]),
        sms_max_segments=int(config["SMS_MAX_SEGMENTS"]),
        quiet_hours=QuietHours(
            start=_clock(quiet["START"]),
            end=_clock(quiet["END"]),
            time_zone=quiet["TIME_ZONE"],
            channels=frozenset(Channel(c) for c in quiet["CHANNELS"]),
        ),
        public_base_url=str(config["PUBLIC_BASE_URL"]).rstrip("/"),
        receipt_base_url=str(config["RECEIPT_BASE_URL"]).rstrip("/"),
        providers=dict(config["PROVIDERS"]),
        letter_dir=Path(config["LETTER_DIR"]),
        letter_font=Path(config["LETTER_FONT"]),
    )
