"""``powerdesk notifications_vapid``: make the VAPID key pair for web push if it is missing.

The private key goes to the push provider's ``private_key_file`` (``POWERDESK_VAPID_PRIVATE_KEY_
FILE``, default ``var/vapid/private_key.pem``), readable by its owner only; the public key is
printed (base64url, what ``pushManager.subscribe`` takes) and served at
``/notifications/push/key/``. An existing key is never replaced unless ``--replace`` is given:
replacing it invalidates every browser subscription. Never commit the private key.

Idempotent and quiet when the key exists (``make demo`` runs it before every start): it then
prints nothing unless ``--verbosity 2``.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from py_vapid import Vapid02

from powerdesk.notifications.channels.webpush import public_key_b64
from powerdesk.notifications.conf import outbox_settings


class Command(BaseCommand):
    help = "Make the VAPID key pair for web push if it is missing; print the public key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace an existing key (every browser must subscribe again).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_file = outbox_settings().vapid_private_key_file()
        if key_file is None:
            raise CommandError(
                "Web push is not configured (no 'push' provider). / 未設定推播通知（沒有 push 提供者）。",
                returncode=2,
            )
        if key_file.exists() and not options["replace"]:
            if options["verbosity"] >= 2:
                self.stdout.write(f"VAPID key exists: {key_file}")
                self.stdout.write(f"public key: {public_key_b64(key_file)}")
            return
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        vapid = Vapid02()
        vapid.generate_keys()
        temporary = key_file.with_suffix(".tmp")
        vapid.save_key(str(temporary))
        os.chmod(temporary, 0o600)
        os.replace(temporary, key_file)
        self.stdout.write(f"VAPID key made: {key_file} (private: never commit it)")
        self.stdout.write(f"public key: {public_key_b64(key_file)}")
