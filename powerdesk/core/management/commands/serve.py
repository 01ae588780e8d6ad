from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site with gunicorn (and, with --with-worker, a background worker beside it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run one `powerdesk worker`."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ)
        processes: list[subprocess.Popen[bytes]] = []
        if options["with_worker"]:
            processes.append(
                subprocess.Popen([sys.executable, "-m", "powerdesk", "worker"], env=env)
            )
        web = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "powerdesk.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--forwarded-allow-ips",
                os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            ],
            env=env,
        )
        processes.append(web)
        self.stdout.write(f"powerdesk serving at http://{options['host']}:{options['port']}/")

        def stop(signum: int, frame: object) -> None:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        web.wait()
        stop(signal.SIGTERM, None)
        for process in processes:
            process.wait()
