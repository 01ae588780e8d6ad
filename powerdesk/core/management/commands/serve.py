from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Servers started with --with-local-providers run as long as this command (they also stop by
# themselves when their parent exits); a week is the upper bound they need to be given.
LOCAL_PROVIDER_MAX_SECONDS = 7 * 24 * 3600


def start_local_provider(
    module: str, *, ledger: Path, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """Start one of the local provider servers (127.0.0.1, a free port); its process and port."""
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            module,
            "--port",
            "0",
            "--ledger",
            str(ledger),
            "--max-seconds",
            str(LOCAL_PROVIDER_MAX_SECONDS),
            *extra,
        ],
        stdout=subprocess.PIPE,
    )
    line = process.stdout.readline().decode() if process.stdout is not None else ""
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        raise CommandError(f"{module} did not start: {line.strip()}")
    if process.stdout is not None:
        process.stdout.close()
    return process, int(line.split()[1])


def local_providers_env(
    *, ledger: Path, smtp_port: int, mitake_port: int, password: str
) -> dict[str, str]:
    """Environment that points the outbox's providers at the local servers."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "POWERDESK_SMS_PROVIDER": "mitake",
        "POWERDESK_MITAKE_URL": f"http://127.0.0.1:{mitake_port}/api/mtk/SmSend",
        "POWERDESK_MITAKE_USERNAME": "powerdesk-demo",
        "POWERDESK_MITAKE_PASSWORD": password,
        "POWERDESK_DEMO_LEDGER": str(ledger),
    }


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn (and, with --with-worker, a background worker beside it; "
        "with --with-local-providers, local SMTP and SMS servers that the notifications go to)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run one `powerdesk worker`."
        )
        parser.add_argument(
            "--with-local-providers",
            action="store_true",
            help="Demo only: start a local SMTP server and a local Mitake SMS server on "
            "127.0.0.1, send every e-mail and SMS there (with a notifications delivery loop), "
            "and list what arrived at /staff/demo-inbox/.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ)
        processes: list[subprocess.Popen[bytes]] = []

        def stop(signum: int, frame: object) -> None:
            for process in reversed(processes):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        if options["with_local_providers"] and importlib.util.find_spec("aiosmtpd") is None:
            raise CommandError(
                "--with-local-providers needs the demo extra (aiosmtpd): "
                "pip install -e '.[demo]'; `make demo` installs it."
            )
        try:
            if options["with_local_providers"]:
                env.update(self._start_local_providers(processes))
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "powerdesk", "notifications_deliver", "--poll", "2"],
                        env=env,
                    )
                )
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
        except BaseException:
            stop(signal.SIGTERM, None)
            raise
        processes.append(web)
        self.stdout.write(f"powerdesk serving at http://{options['host']}:{options['port']}/")
        if options["with_local_providers"]:
            self.stdout.write(
                f"e-mail and SMS go to local servers; see what arrived at "
                f"http://{options['host']}:{options['port']}/staff/demo-inbox/ "
                f"or with `powerdesk notifications_ledger`"
            )

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        web.wait()
        stop(signal.SIGTERM, None)
        for process in processes:
            process.wait()

    def _start_local_providers(self, processes: list[subprocess.Popen[bytes]]) -> dict[str, str]:
        ledger = Path(settings.DATA_DIR) / "demo-ledger.sqlite3"
        ledger.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(16)
        smtp, smtp_port = start_local_provider(
            "powerdesk.notifications.testing.smtp_server", ledger=ledger
        )
        processes.append(smtp)
        mitake, mitake_port = start_local_provider(
            "powerdesk.notifications.testing.mitake_server",
            ledger=ledger,
            extra=("--username", "powerdesk-demo", "--password", password),
        )
        processes.append(mitake)
        self.stdout.write(
            f"local SMTP server at 127.0.0.1:{smtp_port}, local Mitake SMS server at "
            f"127.0.0.1:{mitake_port}; ledger {ledger}"
        )
        return local_providers_env(
            ledger=ledger, smtp_port=smtp_port, mitake_port=mitake_port, password=password
        )
