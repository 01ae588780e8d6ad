"""Start the local provider servers and delivery workers as real processes against the test
database (SQLite file or PostgreSQL), as ``powerdesk/core/tests/test_worker.py`` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
MITAKE_USER = "powerdesk"
MITAKE_PASSWORD = "test-secret"


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def shutdown(self) -> None:
        stop(self.process)


def start_server(module: str, *, ledger: Path, extra: tuple[str, ...] = ()) -> Server:
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", module, "--port", "0", "--ledger", str(ledger), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("READY "):
        process.kill()
        raise AssertionError(f"{module} did not start: {line}{process.stdout.read().decode()}")
    return Server(process=process, port=int(line.split()[1]))


def start_smtp(ledger: Path) -> Server:
    return start_server("powerdesk.notifications.testing.smtp_server", ledger=ledger)


def start_mitake(ledger: Path) -> Server:
    return start_server(
        "powerdesk.notifications.testing.mitake_server",
        ledger=ledger,
        extra=("--username", MITAKE_USER, "--password", MITAKE_PASSWORD),
    )


def database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict["USER"]
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = f"{settings_dict['HOST']}:{settings_dict['PORT']}"
    return f"postgres://{user}{password}@{host}/{settings_dict['NAME']}"


def worker_env(*, smtp_port: int, mitake_port: int, timeout: float = 1.0) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "DATABASE_URL": database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "EMAIL_HOST_USER": "",
            "DEFAULT_FROM_EMAIL": "notices@powerdesk.example",
            "POWERDESK_SMTP_TIMEOUT": str(timeout),
            "POWERDESK_SMS_PROVIDER": "mitake",
            "POWERDESK_MITAKE_URL": f"http://127.0.0.1:{mitake_port}/api/mtk/SmSend",
            "POWERDESK_MITAKE_USERNAME": MITAKE_USER,
            "POWERDESK_MITAKE_PASSWORD": MITAKE_PASSWORD,
            "POWERDESK_SMS_TIMEOUT": str(timeout),
            "POWERDESK_NOTIFY_BACKOFF_BASE": "0.2",
            "POWERDESK_NOTIFY_BACKOFF_CAP": "0.5",
            "POWERDESK_QUIET_HOURS": "off",
            "POWERDESK_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ready(self) -> bool:
        """The worker has started its loop (Django set up, providers loaded)."""
        return "notifications worker" in self.output() and " started" in self.output()


def start_worker(
    env: dict[str, str],
    *,
    log: Path,
    lease_seconds: float,
    batch_size: int = 1,
    extra: tuple[str, ...] = (),
    prefix: tuple[str, ...] = (),
) -> WorkerProcess:
    """``python -m powerdesk notifications_deliver`` (``prefix`` runs it through a wrapper);
    its output goes to ``log`` (a pipe could fill up and block it)."""
    command = prefix or ("-m", "powerdesk")
    with log.open("ab") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                *command,
                "notifications_deliver",
                "--poll",
                "0.1",
                "--lease-seconds",
                str(lease_seconds),
                "--batch-size",
                str(batch_size),
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(process=process, log=log)


def wait_until(
    predicate: Callable[[], bool],
    *,
    timeout: float,
    workers: tuple[WorkerProcess, ...] = (),
    interval: float = 0.05,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for worker in workers:
            code = worker.process.poll()
            if code is not None and code not in (0, -signal.SIGKILL, -signal.SIGTERM):
                raise AssertionError(f"worker exited with {code}:\n{worker.output()}")
        time.sleep(interval)
    logs = "\n".join(worker.output()[-3000:] for worker in workers)
    raise AssertionError(f"condition not reached within {timeout} s\n{logs}")
