"""``powerdesk cases_sla_recompute``: recompute the SLA clock of every open case now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from powerdesk.cases import tasks


class Command(BaseCommand):
    help = "Recompute due time, SLA state and share used of every open case; send warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=tasks.DEFAULT_CHUNK)
        parser.add_argument("--no-warnings", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["chunk"] <= 100_000:
            self.stderr.write("--chunk must be between 1 and 100,000")
            raise SystemExit(2)
        result = tasks.sla_recompute(chunk=options["chunk"], warn=not options["no_warnings"])
        self.stdout.write(
            f"{result.cases:,} open cases, {result.changed:,} changed, {result.warnings:,} "
            f"warnings, {result.errors:,} errors in {result.seconds:.2f} s"
        )
