from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from powerdesk.cases import demo as cases_demo
from powerdesk.customers import demo_load
from powerdesk.customers.models import Customer
from powerdesk.notifications.demo_inbox import demo_notifications_queue


class Command(BaseCommand):
    help = "Build realistic synthetic Taoyuan demo data (service centres, staff, customers, accounts, readings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts", type=int, default=10_000, help="How many accounts (default 10,000)."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed (same seed, same data)."
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if customers already exist."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["accounts"] < 0 or options["accounts"] > 5_000_000:
            self.stderr.write("--accounts must be between 0 and 5,000,000")
            raise SystemExit(2)
        if Customer.objects.exists():
            if options["if_empty"]:
                self.stdout.write(
                    "demo data already loaded; nothing to do (staff passwords were printed when it was loaded)"
                )
                return
            self.stderr.write(
                "customers already exist: use a fresh POWERDESK_DATA_DIR, or --if-empty"
            )
            raise SystemExit(2)
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        with tqdm(
            total=options["accounts"],
            unit="account",
            disable=options["no_progress"],
            desc="demo data",
        ) as bar:
            summary = demo_load.demo_load(
                accounts=options["accounts"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        cases = cases_demo.demo_cases(seed=options["seed"])
        notices = demo_notifications_queue(limit=20)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"loaded {summary.centres} service centres, {summary.customers:,} customers, "
            f"{summary.accounts:,} accounts, {summary.readings:,} readings, "
            f"{cases.cases} counter cases in {elapsed:.1f} s"
        )
        self.stdout.write(
            f"queued {notices} demo notifications (with `make demo` they arrive in the local "
            "SMTP and SMS servers, listed at /staff/demo-inbox/)"
        )
        if cases.open311_key:
            self.stdout.write(
                f"demo Open311 API key (shown once; POST /open311/v2/requests.json): "
                f"{cases.open311_key}"
            )
        lines = [f"{username:<28} {password}" for username, password in summary.staff.items()]
        # Also kept beside the demo database (owner-only) so a later `make demo` can point to it.
        path = Path(settings.DATA_DIR) / "demo-staff-passwords.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write(f"demo staff sign-in at /staff/login/ (demo only; also in {path}):")
        for line in lines:
            self.stdout.write(f"  {line}")
