from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from powerdesk.notifications.worker import DEFAULT_DB_TIMEOUT_SECONDS, DeliveryWorker


class Command(BaseCommand):
    help = "Deliver queued notifications (e-mail, SMS) from the outbox, with leases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--channel",
            action="append",
            dest="channels",
            help="Channel to serve (repeatable; default: all).",
        )
        parser.add_argument(
            "--lease-seconds", type=float, default=None, help="Lease per claim (default: settings)."
        )
        parser.add_argument("--batch-size", type=int, default=None, help="Rows per claim.")
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between idle polls.")
        parser.add_argument("--until-idle", action="store_true", help="Exit when nothing is due.")
        parser.add_argument("--max-messages", type=int, default=None, help="Exit after N messages.")
        parser.add_argument("--max-seconds", type=float, default=None, help="Exit after N seconds.")
        parser.add_argument(
            "--db-timeout",
            type=float,
            default=float(
                os.environ.get("POWERDESK_NOTIFY_DB_TIMEOUT") or DEFAULT_DB_TIMEOUT_SECONDS
            ),
            help="Longest wait for a database lock, seconds (SQLite busy_timeout, PostgreSQL "
            "lock_timeout); past it the worker gives the batch up or retries the write.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = DeliveryWorker(
            lease_seconds=options["lease_seconds"],
            batch_size=options["batch_size"],
            poll_seconds=options["poll"],
            channels=options["channels"],
            db_timeout_seconds=options["db_timeout"],
        )
        worker.install_signal_handlers()
        self.stdout.write(f"notifications worker {worker.worker_id} started", ending="\n")
        self.stdout.flush()
        done = worker.run(
            until_idle=options["until_idle"],
            max_messages=options["max_messages"],
            max_seconds=options["max_seconds"],
        )
        self.stdout.write(f"notifications worker stopped after {done} message(s)")
