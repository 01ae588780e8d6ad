"""Benchmark of the notification outbox: enqueue rate, and delivery rate to the local SMTP and
Mitake servers with several worker processes; checks that nothing was lost or doubled.

    .venv/bin/python benchmarks/notifications_outbox.py --count 100000 --workers 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/notifications_outbox.py

It uses its own database (a fresh SQLite file under a temporary directory unless DATABASE_URL
is given; a PostgreSQL database is dropped and created) and binds only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SETTINGS = os.environ.get("DJANGO_SETTINGS_MODULE", "powerdesk.notifications.tests.settings_dev")


def start_server(module: str, ledger: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0", "--ledger", str(ledger), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    line = process.stdout.readline().decode() if process.stdout else ""
    if not line.startswith("READY "):
        raise SystemExit(f"{module} did not start: {line}")
    return process, int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="messages per channel")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="powerdesk-bench-"))
    ledger = work / "ledger.sqlite3"
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    env["POWERDESK_QUIET_HOURS"] = "off"
    env["POWERDESK_LOG_LEVEL"] = "WARNING"
    smtp, smtp_port = start_server("powerdesk.notifications.testing.smtp_server", ledger)
    mitake, mitake_port = start_server(
        "powerdesk.notifications.testing.mitake_server",
        ledger,
        "--username",
        "bench",
        "--password",
        "bench",
    )
    env.update(
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "DEFAULT_FROM_EMAIL": "bench@powerdesk.example",
            "POWERDESK_MITAKE_URL": f"http://127.0.0.1:{mitake_port}/api/mtk/SmSend",
            "POWERDESK_MITAKE_USERNAME": "bench",
            "POWERDESK_MITAKE_PASSWORD": "bench",
        }
    )
    os.environ.update(env)
    try:
        if env["DATABASE_URL"].startswith("postgres"):
            import psycopg

            base, name = env["DATABASE_URL"].rsplit("/", 1)
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(
            [sys.executable, "-m", "powerdesk", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )

        import django

        django.setup()
        from django.db import connection, transaction
        from django.utils import timezone

        from powerdesk.notifications.actions import notification_queue
        from powerdesk.notifications.models import NotificationTemplate, OutboxMessage
        from powerdesk.notifications.testing.ledger import Ledger

        now = timezone.now()
        for channel, body in (
            ("email", "Account ${account}: ${amount} NTD due ${due}."),
            ("sms", "台電：電號${account}應繳${amount}元，期限${due}。"),
        ):
            NotificationTemplate.objects.create(
                key="bench",
                purpose="payment_reminder",
                channel=channel,
                language="zh-hant",
                subject="電費帳單 ${account}",
                body_text=body,
                created_at=now,
            )
        started = time.perf_counter()
        for start in range(0, args.count, 1000):
            with transaction.atomic():
                for number in range(start, min(start + 1000, args.count)):
                    context = {
                        "account": f"{number:011d}",
                        "amount": str(100 + number % 900),
                        "due": "2026-05-20",
                    }
                    notification_queue(
                        purpose="payment_reminder",
                        template="bench",
                        context=context,
                        address=f"user{number}@example.com",
                        channels=["email"],
                        idempotency_key=f"bench:mail:{number}",
                    )
                    notification_queue(
                        purpose="payment_reminder",
                        template="bench",
                        context=context,
                        address=f"09{number:08d}",
                        channels=["sms"],
                        idempotency_key=f"bench:sms:{number}",
                    )
        enqueue_seconds = time.perf_counter() - started
        total = 2 * args.count
        connection.close()

        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "powerdesk",
                    "notifications_deliver",
                    "--until-idle",
                    "--batch-size",
                    str(args.batch_size),
                    "--poll",
                    "0.2",
                ],
                cwd=ROOT,
                env=env,
            )
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.wait()
        deliver_seconds = time.perf_counter() - started

        sent = OutboxMessage.objects.filter(status="sent").count()
        counts = Ledger(ledger)
        email, sms = counts.counts("email"), counts.counts("sms")
        doubled = sum(1 for c in [*email.values(), *sms.values()] if c.delivered != 1)
        print(
            f"database: {connection.vendor}; messages: {total} ({args.count} e-mail + {args.count} SMS)"
        )
        print(
            f"enqueue: {enqueue_seconds:.1f} s, {total / enqueue_seconds:.0f} messages/s (1,000 per transaction)"
        )
        print(
            f"delivery with {args.workers} worker(s), batch {args.batch_size}: {deliver_seconds:.1f} s, "
            f"{total / deliver_seconds:.0f} messages/s"
        )
        print(
            f"sent rows: {sent}; received: {len(email)} e-mail keys, {len(sms)} SMS keys; not exactly once: {doubled}"
        )
    finally:
        smtp.terminate()
        mitake.terminate()


if __name__ == "__main__":
    main()
