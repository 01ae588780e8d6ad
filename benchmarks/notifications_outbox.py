"""Benchmark of the notification outbox (issue 3): N e-mails to the local SMTP server and N SMS
to the local Mitake gateway, delivered by 1 and by 2 worker processes; messages per second,
the INSERTs one enqueue adds to the caller's transaction, peak memory, CPU per process, and
a check that nothing was lost or delivered twice (as counted by the servers' ledger).

    .venv/bin/python benchmarks/notifications_outbox.py                     # quick: 2,000 + 2,000
    .venv/bin/python benchmarks/notifications_outbox.py --count 100000 --workers 1 --workers 2
    .venv/bin/python benchmarks/notifications_outbox.py --count 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_outbox
    .venv/bin/python benchmarks/notifications_outbox.py --count 2000 --profile 4000

It uses its own database: a fresh SQLite file under a temporary directory, or the PostgreSQL
database named in ``--database-url`` (dropped and created again: never point it at real
data). For each worker count it enqueues a fresh set of messages (1,000 per transaction, as a
bill run would), then starts the servers with a fresh ledger and the workers
(``powerdesk notifications_deliver --until-idle``), and times until every worker exited.
Everything binds 127.0.0.1 only; every child process is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int


def start_server(module: str, ledger: Path, *extra: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0", "--ledger", str(ledger), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    line = process.stdout.readline().decode() if process.stdout else ""
    if not line.startswith("READY "):
        process.kill()
        raise SystemExit(f"{module} did not start: {line}")
    return Server(process=process, port=int(line.split()[1]))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare_database(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "-m", "powerdesk", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def create_templates() -> None:
    from django.utils import timezone

    from powerdesk.notifications.models import NotificationTemplate

    for channel, subject, body in (
        ("email", "電費帳單 ${account}", "電號 ${account} 本期應繳 ${amount} 元，期限 ${due}。"),
        ("sms", "", "台電：電號${account}應繳${amount}元，期限${due}。"),
    ):
        NotificationTemplate.objects.create(
            key="bench",
            purpose="payment_reminder",
            channel=channel,
            language="zh-hant",
            subject=subject,
            body_text=body,
            created_at=timezone.now(),
        )


def enqueue_one(number: int, *, run: str, channel: str) -> None:
    from powerdesk.notifications.actions import notification_queue

    notification_queue(
        purpose="payment_reminder",
        template="bench",
        context={
            "account": f"{number:011d}",
            "amount": str(100 + number % 900),
            "due": "2026-05-20",
        },
        address=f"user{number}@example.com" if channel == "email" else f"09{number % 10**8:08d}",
        channels=[channel],
        idempotency_key=f"bench:{run}:{channel}:{number}",
    )


def queries_per_enqueue() -> tuple[int, int]:
    """(INSERTs, all statements) that one ``notification_queue`` runs in the caller's
    transaction, counted with Django's CaptureQueriesContext."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            enqueue_one(0, run="count", channel="sms")
        transaction.set_rollback(True)
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    statements = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]
    return sum(s.startswith("INSERT") for s in statements), len(statements)


@dataclass
class RunResult:
    workers: int
    enqueue_seconds: float
    deliver_seconds: float
    worker_cpu: float
    worker_peak_mib: float
    smtp_cpu: float
    mitake_cpu: float
    sent: int
    delivered: int
    repeats: int
    doubled: int


def run_once(
    *, run: str, count: int, workers: int, batch_size: int, env: dict[str, str], work: Path
) -> RunResult:
    from django.db import connection, transaction

    from powerdesk.notifications.models import OutboxMessage
    from powerdesk.notifications.testing.ledger import Ledger

    started = time.perf_counter()
    for first in range(0, count, 500):
        with transaction.atomic():  # 1,000 messages per transaction
            for number in range(first, min(first + 500, count)):
                enqueue_one(number, run=run, channel="email")
                enqueue_one(number, run=run, channel="sms")
    enqueue_seconds = time.perf_counter() - started
    connection.close()

    ledger = work / f"ledger-{run}.sqlite3"
    smtp = start_server(
        "powerdesk.notifications.testing.smtp_server", ledger, "--max-seconds", "7200"
    )
    mitake = start_server(
        "powerdesk.notifications.testing.mitake_server",
        ledger,
        *("--username", "bench", "--password", "bench", "--max-seconds", "7200"),
    )
    try:
        env = {
            **env,
            "EMAIL_PORT": str(smtp.port),
            "POWERDESK_MITAKE_URL": f"http://127.0.0.1:{mitake.port}/api/mtk/SmSend",
        }
        smtp_cpu, mitake_cpu = cpu_seconds(smtp.process.pid), cpu_seconds(mitake.process.pid)
        started = time.perf_counter()
        command = [sys.executable, "-m", "powerdesk", "notifications_deliver", "--until-idle"]
        command += ["--batch-size", str(batch_size), "--poll", "0.2"]
        children = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(workers)]
        worker_cpu = 0.0
        peak_kib = 0
        for child in children:
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                raise SystemExit(f"a worker exited with {child.returncode}")
            worker_cpu += usage.ru_utime + usage.ru_stime
            peak_kib = max(peak_kib, usage.ru_maxrss)
        deliver_seconds = time.perf_counter() - started
        smtp_cpu = cpu_seconds(smtp.process.pid) - smtp_cpu
        mitake_cpu = cpu_seconds(mitake.process.pid) - mitake_cpu
    finally:
        stop(smtp.process)
        stop(mitake.process)

    sent = OutboxMessage.objects.filter(
        idempotency_key__startswith=f"bench:{run}:", status="sent"
    ).count()
    counts = Ledger(ledger)
    keys = [*counts.counts("email").values(), *counts.counts("sms").values()]
    return RunResult(
        workers=workers,
        enqueue_seconds=enqueue_seconds,
        deliver_seconds=deliver_seconds,
        worker_cpu=worker_cpu,
        worker_peak_mib=peak_kib / 1024,
        smtp_cpu=smtp_cpu,
        mitake_cpu=mitake_cpu,
        sent=sent,
        delivered=sum(k.delivered for k in keys),
        repeats=sum(k.transmissions - 1 for k in keys),
        doubled=sum(1 for k in keys if k.delivered != 1),
    )


def profile_worker(*, count: int, env: dict[str, str], work: Path, batch_size: int) -> None:
    """One worker under cProfile; prints the functions with the most own time."""
    import pstats

    from django.db import connection, transaction

    with transaction.atomic():
        for number in range(count):
            enqueue_one(number, run="profile", channel="email" if number % 2 else "sms")
    connection.close()
    ledger = work / "ledger-profile.sqlite3"
    smtp = start_server("powerdesk.notifications.testing.smtp_server", ledger)
    mitake = start_server(
        "powerdesk.notifications.testing.mitake_server",
        ledger,
        *("--username", "bench", "--password", "bench"),
    )
    output = work / "worker.prof"
    try:
        env = {
            **env,
            "EMAIL_PORT": str(smtp.port),
            "POWERDESK_MITAKE_URL": f"http://127.0.0.1:{mitake.port}/api/mtk/SmSend",
        }
        command = [sys.executable, "-m", "cProfile", "-o", str(output), "-m", "powerdesk"]
        command += ["notifications_deliver", "--until-idle", "--batch-size", str(batch_size)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    finally:
        stop(smtp.process)
        stop(mitake.process)
    print(f"\nprofile of one worker delivering {count} messages (own time, top 25):")
    stats = pstats.Stats(str(output))
    stats.sort_stats("tottime").print_stats(25)
    print("the outbox's own functions, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(
        r"powerdesk/notifications/(worker|outbox|channels)", 20
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000, help="messages per channel per run")
    parser.add_argument(
        "--workers", type=int, action="append", help="worker processes (repeatable; default 1, 2)"
    )
    parser.add_argument("--batch-size", type=int, default=50, help="rows per claim")
    parser.add_argument("--database-url", default="", help="PostgreSQL database to recreate")
    parser.add_argument(
        "--profile", type=int, default=0, help="also profile one worker on N messages"
    )
    args = parser.parse_args()
    worker_counts = args.workers or [1, 2]

    work = Path(tempfile.mkdtemp(prefix="powerdesk-bench-"))
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings.dev"
    env["POWERDESK_DATA_DIR"] = str(work)
    env["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    env.update(
        {
            "POWERDESK_QUIET_HOURS": "off",
            "POWERDESK_LOG_LEVEL": "WARNING",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "EMAIL_HOST_USER": "",
            "DEFAULT_FROM_EMAIL": "bench@powerdesk.example",
            "POWERDESK_SMS_PROVIDER": "mitake",
            "POWERDESK_MITAKE_USERNAME": "bench",
            "POWERDESK_MITAKE_PASSWORD": "bench",
        }
    )
    os.environ.update(env)
    try:
        prepare_database(env)
        import django

        django.setup()
        from django.db import connection

        create_templates()
        inserts, statements = queries_per_enqueue()
        print(f"database: {connection.vendor}; {args.count:,} e-mail + {args.count:,} SMS per run")
        print(f"one enqueue in the caller's transaction: {inserts} INSERT, {statements} statements")
        results = []
        for workers in worker_counts:
            result = run_once(
                run=f"w{workers}",
                count=args.count,
                workers=workers,
                batch_size=args.batch_size,
                env=env,
                work=work,
            )
            results.append(result)
            total = 2 * args.count
            print(
                f"workers {workers}: enqueue {result.enqueue_seconds:.1f} s "
                f"({total / result.enqueue_seconds:,.0f}/s); delivery {result.deliver_seconds:.1f} s "
                f"({total / result.deliver_seconds:,.0f} messages/s); CPU s: workers "
                f"{result.worker_cpu:.1f}, SMTP server {result.smtp_cpu:.1f}, Mitake server "
                f"{result.mitake_cpu:.1f}; worker peak RSS {result.worker_peak_mib:.0f} MiB; "
                f"sent {result.sent:,}, delivered {result.delivered:,}, repeated transmissions "
                f"{result.repeats}, not exactly once {result.doubled}",
                flush=True,
            )
            if result.sent != total or result.delivered != total or result.doubled:
                raise SystemExit("lost or doubled messages")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"enqueueing process peak RSS: {own:.0f} MiB")
        print(
            "\n| database | workers | messages | enqueue/s | delivered/s | worker CPU s | SMTP srv CPU s | Mitake srv CPU s | worker peak RSS MiB | lost | twice |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            total = 2 * args.count
            print(
                f"| {connection.vendor} | {r.workers} | {total:,} | {total / r.enqueue_seconds:,.0f} | "
                f"{total / r.deliver_seconds:,.0f} | {r.worker_cpu:.0f} | {r.smtp_cpu:.0f} | "
                f"{r.mitake_cpu:.0f} | {r.worker_peak_mib:.0f} | {total - r.delivered} | {r.doubled} |"
            )
        if args.profile:
            profile_worker(count=args.profile, env=env, work=work, batch_size=args.batch_size)
    finally:
        from django.db import connections

        connections.close_all()
        if args.database_url:
            print(f"(database {args.database_url} left in place)")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
