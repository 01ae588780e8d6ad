from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from powerdesk.notifications.demo_inbox import ledger_path


class Command(BaseCommand):
    help = (
        "Show what the local SMTP and SMS servers (`powerdesk serve --with-local-providers`, "
        "tests, benchmark) received: counts per channel and the newest messages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ledger",
            default=None,
            help="Ledger file (default: POWERDESK_DEMO_LEDGER, else "
            "$POWERDESK_DATA_DIR/demo-ledger.sqlite3).",
        )
        parser.add_argument("--last", type=int, default=10, help="Newest messages per channel.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(
            options["ledger"] or ledger_path() or Path(settings.DATA_DIR) / "demo-ledger.sqlite3"
        )
        if not path.exists():
            self.stderr.write(
                f"沒有本機伺服器的收件紀錄：{path} / No ledger of the local servers at {path} "
                "(start them with `powerdesk serve --with-local-providers`)."
            )
            raise SystemExit(2)
        if options["last"] < 0:
            self.stderr.write("--last 須為 0 以上 / --last must be 0 or more.")
            raise SystemExit(2)
        from powerdesk.notifications.testing.ledger import Ledger

        ledger = Ledger(path)
        for channel, label in (("email", "e-mail"), ("sms", "SMS")):
            counts = ledger.counts(channel).values()
            delivered = sum(c.delivered for c in counts)
            sent = sum(c.transmissions for c in counts)
            twice = sum(1 for c in counts if c.delivered > 1)
            self.stdout.write(
                f"{label}: {delivered} delivered, {sent} transmissions, {twice} delivered twice"
            )
            for item in ledger.recent(channel, limit=options["last"]):
                when = datetime.fromtimestamp(item.received_at, tz=UTC).astimezone()
                first = item.body.strip().splitlines()[0] if item.body.strip() else ""
                repeat = "" if item.new else " (duplicate, not delivered again)"
                self.stdout.write(
                    f"  {when:%Y-%m-%d %H:%M:%S} to {item.recipient}: {first[:80]}{repeat}"
                )
