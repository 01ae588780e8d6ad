"""Benchmark of counter cases (issue 5): progress lookup against a trivial endpoint on the same
server, with N cases in PostgreSQL, and the SLA recomputation of the open cases.

    .venv/bin/python benchmarks/cases_lookup.py                           # 1,000,000 cases
    .venv/bin/python benchmarks/cases_lookup.py --cases 100000 --duration 10
    .venv/bin/python benchmarks/cases_lookup.py --load-only               # load, then stop
    .venv/bin/python benchmarks/cases_lookup.py --reuse --skip-sla        # lookups only
    .venv/bin/python benchmarks/cases_lookup.py --reuse --sla-only        # SLA recompute only

What it does, in order:

1. (Re)creates the PostgreSQL database named in ``--database-url`` (default
   ``postgres://postgres@127.0.0.1:5432/bench_cases``; it is DROPPED first: never point it at
   real data), migrates it, and loads ``--cases`` cases with COPY
   (``powerdesk.core.bulk.bulk_insert_rows``): every kind of the catalogue, a spread of states,
   receipt times over the last two years, ``--open`` of them open (not completed) and received
   in the last 60 days. ``--reuse`` keeps an already loaded database.
2. Starts gunicorn (``--workers`` sync workers) on 127.0.0.1 with the project's settings plus
   one extra route, ``/bench/trivial/``, a Django view that returns a constant JSON document
   through the whole middleware stack, and ``/bench/select1/``, which also runs ``SELECT 1``.
   ``POWERDESK_PUBLIC_LOOKUP_RATE`` and ``POWERDESK_OPEN311_RATE`` are raised to 1,000,000,000
   per hour for the server so that the rate limits never answer 429 during the run.
3. For each endpoint, drives ``--concurrency`` concurrent clients (asyncio, one HTTP/1.1
   request per connection, as gunicorn's sync workers close the connection anyway) for
   ``--duration`` seconds in total, split into ``--rounds`` interleaved rounds (trivial,
   SELECT 1, token, number, trivial, …; each after a short warm-up) so that a change in the
   machine's load hits every endpoint alike, and reports requests per second, p50, p99,
   p99/p50 and the ratio to the trivial endpoint. The lookups use random existing cases:
   by token ``GET /api/v1/cases/progress/{token}`` and by number and the last four digits of
   the applicant's phone ``POST /api/v1/cases/lookup``. Every answer must be 200, else the run
   fails.
4. Times the core's SLA recomputation task over the open cases.

The server inherits the environment: with ``REDIS_URL`` set (as in production) the rate-limit
counters live in Redis, otherwise in each worker's local memory. The server is stopped at the
end (also on error or Ctrl-C). Results go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_cases"
UNLIMITED = "1000000000/h"


# --- The load generator ------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]


async def _one(port: int, call: Call) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [
        f"{call.method} {call.path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Accept: application/json",
        "Accept-Language: zh-Hant",
        "Connection: close",
        f"Content-Length: {len(call.body)}",
    ]
    if call.content_type:
        head.append(f"Content-Type: {call.content_type}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii") + call.body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


async def _drive(
    port: int, calls: Callable[[], Call], *, concurrency: int, duration: float, warmup: float
) -> tuple[int, int, float, list[float], list[bytes]]:
    latencies: list[float] = []
    failures: list[bytes] = []
    counted = 0
    errors = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration

    async def client() -> None:
        nonlocal counted, errors
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                return
            try:
                status, data = await _one(port, calls())
            except OSError as error:
                status, data = 0, repr(error).encode()
            ended = time.perf_counter()
            if began >= measure_from and ended <= stop_at:
                counted += 1
                latencies.append(ended - began)
                if status != 200:
                    errors += 1
                    if len(failures) < 3:
                        failures.append(data[:600])

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return counted, errors, duration, latencies, failures


def measure(
    name: str,
    port: int,
    calls: Callable[[], Call],
    *,
    concurrency: int,
    duration: float,
    warmup: float,
) -> Result:
    counted, errors, seconds, latencies, failures = asyncio.run(
        _drive(port, calls, concurrency=concurrency, duration=duration, warmup=warmup)
    )
    if errors:
        detail = b"\n---\n".join(failures).decode("utf-8", "replace")
        raise SystemExit(f"{name}: {errors} of {counted} answers were not 200:\n{detail}")
    return Result(name=name, requests=counted, errors=errors, seconds=seconds, latencies=latencies)


# --- The server --------------------------------------------------------------------------------

_URLS = """
from django.db import connection
from django.http import JsonResponse
from django.urls import path

from powerdesk.urls import *  # noqa: F403
from powerdesk.urls import urlpatterns as _project


def trivial(request):
    return JsonResponse({"status": "ok"})


def select1(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/trivial/", trivial), path("bench/select1/", select1), *_project]
"""

_SETTINGS = """
from powerdesk.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench_cases_urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False}

import os as _os

if _os.environ.get("BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(_os.environ["BENCH_CONN_MAX_AGE"])  # noqa: F405
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1 with the benchmark's two extra routes; stops on exit."""

    def __init__(self, env: dict[str, str], *, workers: int) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="powerdesk-bench-cases-")
        folder = Path(self.directory.name)
        (folder / "bench_cases_urls.py").write_text(textwrap.dedent(_URLS))
        (folder / "bench_cases_settings.py").write_text(textwrap.dedent(_SETTINGS))
        self.port = free_port()
        self.env = dict(
            env,
            PYTHONPATH=os.pathsep.join([str(folder), str(ROOT), env.get("PYTHONPATH", "")]),
            DJANGO_SETTINGS_MODULE="bench_cases_settings",
            POWERDESK_PUBLIC_LOOKUP_RATE=UNLIMITED,
            POWERDESK_OPEN311_RATE=UNLIMITED,
            POWERDESK_LOG_LEVEL="WARNING",
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "powerdesk.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited before answering")
            try:
                status, _ = asyncio.run(_one(self.port, Call("GET", "/bench/trivial/")))
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.directory.cleanup()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- The data ----------------------------------------------------------------------------------

CENTRES = (
    ("TY", "桃園服務中心", "Taoyuan Service Centre", ["桃園區", "八德區"]),
    ("ZL", "中壢服務所", "Zhongli Service Centre", ["中壢區", "平鎮區"]),
    ("DY", "大園服務所", "Dayuan Service Centre", ["大園區", "蘆竹區"]),
    ("LT", "龍潭服務所", "Longtan Service Centre", ["龍潭區", "大溪區"]),
)
ROADS = ("中正路", "中山路", "民族路", "復興路", "建國路", "延平路", "環北路", "大興西路")
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = "家怡雅婷志明俊傑淑芬美玲建宏冠宇欣怡承恩柏翰宜蓁"
CLOSED_STATES = ("completed", "closed", "closed", "closed", "cancelled")
OPEN_STATES = (
    "received",
    "in_review",
    "in_review",
    "awaiting_documents",
    "awaiting_payment",
    "awaiting_permit",
    "scheduled",
    "in_works",
)
PAUSING = {
    "awaiting_documents": "documents_missing",
    "awaiting_payment": "customer_request",
    "awaiting_permit": "road_permit",
}


def prepare_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerdesk.settings.dev")
    os.environ.setdefault("POWERDESK_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def seed() -> dict[str, Any]:
    """Departments, service centres and the catalogue; returns what the rows refer to."""
    from powerdesk.cases.models import CaseKind
    from powerdesk.customers.models import ServiceCentre
    from powerdesk.staff import actions as staff_actions

    staff_actions.departments_ensure()
    centres = []
    for code, zh, en, districts in CENTRES:
        centre, _ = ServiceCentre.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "address": f"桃園市{districts[0]}中正路1號",
                "phone": "(03)339-0011",
                "districts": districts,
                "opening_hours": {
                    d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")
                },
            },
        )
        centres.append(centre)
    seed_catalogue()
    kinds = list(CaseKind.objects.filter(active=True))
    if not kinds:
        raise SystemExit("the catalogue is empty after seeding")
    return {"centres": centres, "kinds": kinds}


def seed_catalogue() -> None:
    from powerdesk.cases import actions

    actions.catalogue_sync(actor=None)


@dataclass(frozen=True)
class Sample:
    number: str
    token: str
    phone_last4: str


CASE_FIELDS = (
    "number", "lookup_token", "kind", "kind_version", "channel", "applicant_name",
    "applicant_phone", "applicant_email", "applicant_language", "phone_last4", "account_number",
    "account_last4", "address", "description", "works_type", "attributes", "state", "is_open",
    "step", "public_note", "service_centre", "department", "received_at", "due_at",
    "sla_state", "sla_share_used", "sla_warned_percent", "paused", "completed_at",
    "closed_at", "queue_ticket_ref", "media_url", "requester_first_name",
    "requester_last_name", "device_id", "requester_account_id", "address_id", "created_at",
    "updated_at", "supply_date_agreed_by",
)  # fmt: skip


def load_cases(total: int, open_count: int, *, seed_value: int = 5) -> list[Sample]:
    """COPY ``total`` cases (``open_count`` of them open and recent) with a timeline each;
    returns a sample of (number, token, phone digits) to look up."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from powerdesk.cases.domain.numbers import format_case_number
    from powerdesk.cases.models import Case, CaseEvent, CasePause, CaseSerial
    from powerdesk.core.bulk import bulk_insert_rows
    from powerdesk.core.domain.calendar import TAIPEI

    refs = seed()
    rng = random.Random(seed_value)
    now = timezone.now()
    centres = refs["centres"]
    kinds = refs["kinds"]
    serials: dict[tuple[int, Any], int] = {}
    samples: list[Sample] = []
    case_ids: list[tuple[str, Any, str]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(total):
            is_open = index < open_count
            age = timedelta(seconds=rng.randrange(0, 60 * 86400 if is_open else 730 * 86400))
            received = now - age
            local = received.astimezone(TAIPEI)
            centre = centres[index % len(centres)]
            key = (centre.pk, local.date())
            serial = serials.get(key, 0) + 1
            if serial > 9999:  # the day is full at this centre: move a second earlier
                received -= timedelta(days=1)
                local = received.astimezone(TAIPEI)
                key = (centre.pk, local.date())
                serial = serials.get(key, 0) + 1
            serials[key] = serial
            number = format_case_number(centre=centre.code, received_on=local.date(), serial=serial)
            token = _token(rng)
            kind = kinds[index % len(kinds)]
            state = rng.choice(OPEN_STATES if is_open else CLOSED_STATES)
            phone = f"09{rng.randrange(10**8):08d}"
            account = f"{rng.randrange(10**11):011d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            address = (
                f"桃園市{rng.choice(centre.districts)}{rng.choice(ROADS)}"
                f"{rng.randrange(1, 400)}號{rng.randrange(1, 15)}樓"
            )
            due = received + timedelta(days=rng.randrange(3, 40))
            completed = received + timedelta(days=rng.randrange(1, 30)) if not is_open else None
            if len(samples) < 20000 and rng.random() < 0.05:
                samples.append(Sample(number=number, token=token, phone_last4=phone[-4:]))
            case_ids.append((number, received, state))
            yield (
                number, token, kind.pk, 1, rng.choice(("counter", "web", "phone", "open311")),
                name, phone, "", "zh-hant", phone[-4:], account, account[-4:], address, "",
                "none", "{}", state, is_open, "", "", centre.pk, kind.first_department,
                received, due,
                "running" if is_open else rng.choice(("met", "met", "met", "breached")),
                Decimal("0.5") if is_open else Decimal("0.8"), 0, state in PAUSING,
                completed, completed if state == "closed" else None, "", "", "", "", "", "", "",
                received, received, "",
            )  # fmt: skip

    started = time.perf_counter()
    with transaction.atomic():
        count = bulk_insert_rows(Case, CASE_FIELDS, rows())
        CaseSerial.objects.bulk_create(
            [CaseSerial(service_centre_id=c, day=d, last=n) for (c, d), n in serials.items()],
            batch_size=5000,
        )
    loaded = time.perf_counter() - started
    print(f"loaded {count:,} cases in {loaded:.1f} s", file=sys.stderr, flush=True)

    started = time.perf_counter()
    ids = dict(Case.objects.values_list("number", "id").iterator(chunk_size=50000))

    def events() -> Iterator[tuple[Any, ...]]:
        for number, received, state in case_ids:
            case_id = ids[number]
            yield (case_id, "created", received, True, "已受理", "Received", "", "", "received",
                   "{}", "system")  # fmt: skip
            if state != "received":
                yield (case_id, "state", received + _hours(rng), True, "狀態更新",
                       "Status changed", "", "received", state, "{}", "system")  # fmt: skip

    def pauses() -> Iterator[tuple[Any, ...]]:
        for number, received, state in case_ids:
            if state in PAUSING:
                yield (ids[number], PAUSING[state], received + _hours(rng), None, "[]", "")

    with transaction.atomic():
        event_count = bulk_insert_rows(
            CaseEvent,
            ("case", "kind", "at", "public", "text_zh", "text_en", "note", "state_from",
             "state_to", "data", "actor_label"),
            events(),
        )  # fmt: skip
        pause_count = bulk_insert_rows(
            CasePause, ("case", "reason", "started_at", "ended_at", "missing", "note"), pauses()
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"loaded {event_count:,} timeline events and {pause_count:,} pauses in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return samples


_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # noqa: S105 - an alphabet, not a secret


def _token(rng: random.Random) -> str:
    """A lookup token of the real shape (32 URL-safe characters); random, not secret."""
    return "".join(rng.choices(_TOKEN_ALPHABET, k=32))


def _hours(rng: random.Random) -> Any:
    from datetime import timedelta

    return timedelta(hours=rng.randrange(1, 48))


def sample_existing(count: int, *, seed_value: int = 7) -> list[Sample]:
    """For ``--reuse``: random existing cases to look up."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, lookup_token, phone_last4 FROM cases_case TABLESAMPLE SYSTEM (2) "
            "REPEATABLE (%s) LIMIT %s",
            [seed_value, count],
        )
        return [Sample(*row) for row in cursor.fetchall()]


# --- The run -----------------------------------------------------------------------------------


def lookup_calls(samples: Sequence[Sample], seed_value: int) -> dict[str, Callable[[], Call]]:
    rng = random.Random(seed_value)

    def by_token() -> Call:
        return Call("GET", f"/api/v1/cases/progress/{rng.choice(samples).token}")

    def by_number() -> Call:
        sample = rng.choice(samples)
        body = json.dumps({"number": sample.number, "last4": sample.phone_last4}).encode()
        return Call("POST", "/api/v1/cases/lookup", body, "application/json")

    return {
        "trivial (no database)": lambda: Call("GET", "/bench/trivial/"),
        "trivial + SELECT 1": lambda: Call("GET", "/bench/select1/"),
        "lookup by token": by_token,
        "lookup by number + phone digits": by_number,
    }


def reset_warnings() -> str:
    """For ``--sla-reset-warnings``: forget every time-limit warning of the open cases (their
    escalations, escalation events and warning notices), and make sure every department and
    centre of an open case has one supervisor, so that the timed run sends the whole backlog."""
    from django.db import transaction

    from powerdesk.cases.models import Case, CaseEscalation, CaseEvent, StaffNotice
    from powerdesk.staff.models import User

    started = time.perf_counter()
    with transaction.atomic():
        CaseEscalation.objects.all().delete()
        CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATION).delete()
        StaffNotice.objects.filter(kind=StaffNotice.Kind.SLA_WARNING).delete()
        Case.objects.filter(is_open=True).exclude(sla_warned_percent=0).update(sla_warned_percent=0)
        pairs = set(
            Case.objects.filter(is_open=True)
            .order_by()
            .values_list("department_id", "service_centre_id")
            .distinct()
        )
        for department, centre in sorted(pairs):
            User.objects.get_or_create(
                username=f"bench-supervisor-{department}-{centre}",
                defaults={
                    "department_id": department,
                    "service_centre_id": centre,
                    "is_supervisor": True,
                    "is_active": True,
                },
            )
    return f"reset in {time.perf_counter() - started:.1f} s; {len(pairs)} supervisors"


def time_sla_recompute(*, warn: bool) -> tuple[float, Any]:
    """The core's recomputation; ``warn=False`` times the clock alone (no escalations)."""
    from powerdesk.cases.tasks import sla_recompute

    started = time.perf_counter()
    result = sla_recompute(warn=warn)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000, help="open cases (SLA recompute)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--skip-sla", action="store_true")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds per endpoint")
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    parser.add_argument("--sla-only", action="store_true", help="only time the SLA recompute")
    parser.add_argument(
        "--sla-warn",
        action="store_true",
        help="time the full task with its threshold warnings (default: the clock alone)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="the server's CONN_MAX_AGE (default: the project's setting for DATABASE_URL, "
        "persistent connections for 60 s with health checks)",
    )
    parser.add_argument(
        "--sla-reset-warnings",
        action="store_true",
        help="before timing: forget the open cases' warnings (and add one supervisor per "
        "department and centre), so that --sla-warn sends the whole backlog again",
    )
    args = parser.parse_args()
    if args.open > args.cases:
        parser.error("--open cannot exceed --cases")

    url = args.database_url
    load_seconds = 0.0
    if not args.reuse:
        prepare_database(url)
    setup_django(url)
    from django.core.management import call_command

    if args.reuse:
        call_command("migrate", interactive=False, verbosity=0)
        samples = sample_existing(20000)
    else:
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        samples = load_cases(args.cases, args.open)
        load_seconds = time.perf_counter() - started
    if not samples:
        raise SystemExit("no cases to look up")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE is_open) FROM cases_case")
        total, open_total = cursor.fetchone()
    connection.close()

    if args.load_only:
        print(f"{total:,} cases ({open_total:,} open) loaded in {load_seconds:.0f} s")
        return
    if args.sla_reset_warnings:
        print(reset_warnings(), file=sys.stderr, flush=True)
        connection.close()
    if args.sla_only:
        seconds, outcome = time_sla_recompute(warn=args.sla_warn)
        what = "with warnings" if args.sla_warn else "without warnings"
        print(
            f"SLA recomputation ({what}) of {open_total:,} open cases: {seconds:.1f} s ({outcome})."
        )
        return
    env = dict(os.environ, DATABASE_URL=url)
    if args.conn_max_age is not None:
        env["BENCH_CONN_MAX_AGE"] = str(args.conn_max_age)
    calls = lookup_calls(samples, 11)
    totals = {name: Result(name, 0, 0, 0.0, []) for name in calls}
    with Server(env, workers=args.workers) as server:
        # Interleaved rounds, so that a change in the machine's load hits every endpoint alike.
        for round_number in range(1, args.rounds + 1):
            for name, make in calls.items():
                result = measure(
                    name,
                    server.port,
                    make,
                    concurrency=args.concurrency,
                    duration=args.duration / args.rounds,
                    warmup=args.warmup,
                )
                total_result = totals[name]
                total_result.requests += result.requests
                total_result.seconds += result.seconds
                total_result.latencies.extend(result.latencies)
                print(
                    f"round {round_number} {name}: {result.rate:,.0f}/s "
                    f"p50 {result.percentile(0.5) * 1000:.1f} ms "
                    f"p99 {result.percentile(0.99) * 1000:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
    results = list(totals.values())

    sla_seconds, sla_result = (
        (0.0, None) if args.skip_sla else time_sla_recompute(warn=args.sla_warn)
    )

    print(
        f"\n{total:,} cases ({open_total:,} open) in PostgreSQL; loaded in {load_seconds:.0f} s "
        f"(0 = reused). gunicorn {args.workers} sync workers, {args.concurrency} concurrent "
        f"clients, {args.duration:.0f} s per endpoint in {args.rounds} interleaved rounds "
        f"(each after a {args.warmup:.0f} s warm-up); "
        f"{os.cpu_count()} × {cpu_model()}.\n"
    )
    trivial = results[0].rate
    print("| endpoint | requests/s | × trivial | p50 (ms) | p99 (ms) | p99/p50 |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        p50, p99 = result.percentile(0.5), result.percentile(0.99)
        print(
            f"| {result.name} | {result.rate:,.0f} | {result.rate / trivial:.2f} "
            f"| {p50 * 1000:.1f} | {p99 * 1000:.1f} | {p99 / p50:.2f} |"
        )
    if sla_result is not None:
        print(
            f"\nSLA recomputation of {open_total:,} open cases: {sla_seconds:.1f} s ({sla_result})."
        )


if __name__ == "__main__":
    main()
