from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from powerdesk.core.worker import Worker


class Command(BaseCommand):
    help = "Run queued background tasks and periodic schedules (no broker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            help="Queue to serve (repeatable; default: all).",
        )
        parser.add_argument("--until-idle", action="store_true", help="Exit when no task is due.")
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many tasks."
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Seconds between polls when idle."
        )
        parser.add_argument(
            "--no-schedules", action="store_true", help="Do not enqueue periodic schedules."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config: dict[str, Any] = dict(settings.TASKS["default"])
        worker = Worker(
            queues=options["queues"] or list(config.get("QUEUES", ["default"])),
            lease_seconds=int(config.get("OPTIONS", {}).get("lease_seconds", 300)),
            poll_seconds=options["poll"],
            run_schedules=not options["no_schedules"],
        )
        worker.install_signal_handlers()
        self.stdout.write(f"powerdesk worker {worker.worker_id} serving {', '.join(worker.queues)}")
        done = worker.run(max_tasks=options["max_tasks"], until_idle=options["until_idle"])
        self.stdout.write(f"worker stopped after {done} task(s)")
