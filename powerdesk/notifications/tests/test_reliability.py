"""Reliability of the outbox, with real worker processes, real kills and real local providers.

Each scenario runs ``POWERDESK_RELIABILITY_TRIALS`` trials (default 5; 20 when ``CI`` is set)
with a random kill point (seed: ``POWERDESK_RELIABILITY_SEED``, printed on failure). In every
trial, as counted by the local SMTP and Mitake servers (their shared ledger):

- no message is lost: every row ends ``sent`` and its key was delivered;
- no message is delivered twice: each key is delivered exactly once. Mitake drops a repeated
  ``clientid`` (``Duplicate=Y``); the mailbox behind the SMTP server drops a repeated
  Message-ID (RFC 7352). Repeated *transmissions* are counted too and bounded: none without a
  kill, a pause or a timeout, at most one per interrupted send otherwise;
- every stranded row (leased by a killed or paused worker, or by a batch abandoned while the
  database was locked) is picked up again within two lease periods of the kill (the unlock).

Leases are 2 s so that a trial takes seconds. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from django.db import connection, transaction

from powerdesk.core.models import AuditEvent
from powerdesk.notifications import actions, outbox
from powerdesk.notifications.domain.keys import mitake_client_id, smtp_message_id
from powerdesk.notifications.models import DeliveryAttempt, OutboxMessage
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.tests import processes
from powerdesk.notifications.tests.conftest import BILL_CONTEXT

TRIALS = int(os.environ.get("POWERDESK_RELIABILITY_TRIALS") or (20 if os.environ.get("CI") else 5))
SEED = int(os.environ.get("POWERDESK_RELIABILITY_SEED") or random.SystemRandom().randrange(10**6))
LEASE = 2.0
MAIL_DOMAIN = "powerdesk.example"
WAIT = 60.0  # generous upper bound for one trial's deliveries on a loaded 2-core machine

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reliability") / "ledger.sqlite3"


@pytest.fixture(scope="module")
def servers(ledger_path):
    smtp = processes.start_smtp(ledger_path)
    mitake = processes.start_mitake(ledger_path)
    yield {"smtp": smtp.port, "mitake": mitake.port}
    smtp.shutdown()
    mitake.shutdown()


@pytest.fixture
def ledger(ledger_path, servers) -> Ledger:
    ledger = Ledger(ledger_path)
    for name in (
        "mitake.delay_ms",
        "smtp.delay_ms",
        "mitake.hang_after_accept_ms",
        "smtp.hang_after_accept_ms",
    ):
        ledger.set_config(name, 0)
    return ledger


@pytest.fixture
def env(servers) -> dict[str, str]:
    return processes.worker_env(smtp_port=servers["smtp"], mitake_port=servers["mitake"])


@pytest.fixture
def rng(request) -> random.Random:
    request.node.user_properties.append(("seed", SEED))
    return random.Random(f"{SEED}:{request.node.name}")


@pytest.fixture
def workers(tmp_path):
    """Start workers through this; every one still running at the end is stopped."""
    started: list[processes.WorkerProcess] = []

    def start(
        env: dict[str, str],
        *,
        batch_size: int = 2,
        prefix: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
    ):
        worker = processes.start_worker(
            env,
            log=tmp_path / f"worker-{len(started)}.log",
            lease_seconds=LEASE,
            batch_size=batch_size,
            prefix=prefix,
            extra=extra,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGCONT)
        processes.stop(worker.process)


def _enqueue(customer, *, prefix: str, count: int, first: str = "sms") -> list[OutboxMessage]:
    other = "email" if first == "sms" else "sms"
    return [
        actions.notification_queue(
            purpose="payment_reminder",
            template="bill.ready",
            context={**BILL_CONTEXT, "amount": str(100 + number)},
            customer=customer,
            channels=[first if number % 2 == 0 else other],
            idempotency_key=f"{prefix}:{number}",
        )
        for number in range(count)
    ]


def _ledger_key(message: OutboxMessage) -> tuple[str, str]:
    if message.channel == "sms":
        return "sms", mitake_client_id(message.idempotency_key)
    return "email", smtp_message_id(message.idempotency_key, domain=MAIL_DOMAIN)


def _all_sent(messages: list[OutboxMessage]) -> bool:
    pks = [m.pk for m in messages]
    return OutboxMessage.objects.filter(pk__in=pks, status="sent").count() == len(pks)


def _assert_exactly_once(ledger: Ledger, messages: list[OutboxMessage], *, max_repeats: int) -> int:
    """Every message sent and delivered exactly once; returns the repeated transmissions."""
    counts = {"sms": ledger.counts("sms"), "email": ledger.counts("email")}
    rows = {channel: {r[0]: r[2] for r in ledger.rows(channel) if r[1] == 1} for channel in counts}
    repeats = 0
    for message in messages:
        message.refresh_from_db()
        channel, key = _ledger_key(message)
        count = counts[channel].get(key)
        context = f"message {message.idempotency_key} ({channel}), seed {SEED}"
        assert message.status == "sent", context
        assert count is not None, f"lost: {context}"
        assert count.delivered == 1, f"delivered {count.delivered} times: {context}"
        assert message.provider_message_id == rows[channel][key], context
        repeats += count.transmissions - 1
    assert repeats <= max_repeats, f"{repeats} repeated transmissions, seed {SEED}"
    return repeats


def _worker_id(worker: processes.WorkerProcess) -> str:
    return f"{socket.gethostname()}:{worker.pid}"


def _started(
    messages: list[OutboxMessage], *, worker: processes.WorkerProcess | None = None
) -> bool:
    attempts = DeliveryAttempt.objects.filter(message__in=[m.pk for m in messages])
    if worker is not None:
        attempts = attempts.filter(worker_id=_worker_id(worker))
    return attempts.exists()


def _wait_ready(worker: processes.WorkerProcess) -> datetime:
    """Wait until ``worker`` runs its loop; returns the database time then."""
    processes.wait_until(worker.ready, timeout=WAIT, workers=(worker,))
    return outbox.db_now()


def _assert_picked_up(stranded: list[int], *, after: datetime, by: processes.WorkerProcess) -> None:
    """Each stranded row's next attempt (by ``by``) started within two leases of ``after``: the
    later of the kill and the moment a worker was running to pick it up (a process's start-up
    time on a loaded machine is not the outbox's to answer for)."""
    for pk in stranded:
        attempt = (
            DeliveryAttempt.objects.filter(message_id=pk, worker_id=_worker_id(by))
            .order_by("number")
            .first()
        )
        assert attempt is not None, (
            f"stranded row {pk} not picked up by the other worker, seed {SEED}"
        )
        waited = (attempt.started_at - after).total_seconds()
        assert waited < 2 * LEASE, f"row {pk} picked up after {waited:.2f} s, seed {SEED}"


def _attempt_finished(pk: int) -> bool:
    return DeliveryAttempt.objects.get(pk=pk).outcome != "started"


def _slow_providers(ledger: Ledger, milliseconds: int) -> None:
    ledger.set_config("mitake.delay_ms", milliseconds)
    ledger.set_config("smtp.delay_ms", milliseconds)


def test_sigkill_mid_send_loses_nothing_and_sends_nothing_twice(
    bill_templates, customer, ledger, env, workers, rng
):
    _slow_providers(ledger, 250)
    for trial in range(TRIALS):
        # given: four messages and worker A sending them, two per lease
        messages = _enqueue(customer, prefix=f"kill:{trial}:{uuid.uuid4().hex[:8]}", count=4)
        worker_a = workers(env)
        processes.wait_until(partial(_started, messages), timeout=WAIT, workers=(worker_a,))
        # when: A is killed at a random point, and worker B starts
        time.sleep(rng.uniform(0, 0.6))
        worker_a.process.kill()
        worker_a.process.wait()
        killed_at = outbox.db_now()
        stranded = list(
            OutboxMessage.objects.filter(
                pk__in=[m.pk for m in messages], status="sending"
            ).values_list("pk", flat=True)
        )
        worker_b = workers(env)
        ready_at = _wait_ready(worker_b)
        processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker_b,))
        processes.stop(worker_b.process)
        # then
        _assert_exactly_once(ledger, messages, max_repeats=1)
        _assert_picked_up(stranded, after=max(killed_at, ready_at), by=worker_b)


def test_sigterm_mid_send_finishes_the_message_and_strands_nothing(
    bill_templates, customer, ledger, env, workers, rng
):
    _slow_providers(ledger, 250)
    for trial in range(TRIALS):
        messages = _enqueue(customer, prefix=f"term:{trial}:{uuid.uuid4().hex[:8]}", count=4)
        worker_a = workers(env)
        processes.wait_until(partial(_started, messages), timeout=WAIT, workers=(worker_a,))
        # when: SIGTERM at a random point
        time.sleep(rng.uniform(0, 0.6))
        worker_a.process.send_signal(signal.SIGTERM)
        assert worker_a.process.wait(timeout=30) == 0, worker_a.output()
        # then: the message in flight was finished and recorded, the rest given back
        pks = [m.pk for m in messages]
        assert not OutboxMessage.objects.filter(pk__in=pks, status="sending").exists()
        assert not DeliveryAttempt.objects.filter(message_id__in=pks, outcome="started").exists()
        worker_b = workers(env)
        processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker_b,))
        processes.stop(worker_b.process)
        _assert_exactly_once(ledger, messages, max_repeats=0)


def test_death_right_after_the_business_commit_still_delivers(
    bill_templates, customer, ledger, env, workers, rng, tmp_path
):
    worker = workers(env)
    for trial in range(TRIALS):
        # given: a business transaction that queues messages and is killed at a random point
        prefix = f"commit:{trial}:{uuid.uuid4().hex[:8]}"
        die = (
            ("after_commit", "before_commit")[trial]
            if trial < 2
            else rng.choice(["after_commit", "before_commit"])
        )
        count = rng.randint(1, 3)
        script = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "powerdesk.notifications.testing.enqueue_and_die",
                "--customer",
                str(customer.pk),
                "--key-prefix",
                prefix,
                "--count",
                str(count),
                "--die",
                die,
            ],
            cwd=processes.ROOT,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert script.returncode == -signal.SIGKILL, script.stderr.decode()
        # then: the notification committed with the business change, or neither exists
        rows = OutboxMessage.objects.filter(idempotency_key__startswith=f"{prefix}:")
        business = AuditEvent.objects.filter(verb="test.business_change", details__key=prefix)
        if die == "before_commit":
            assert rows.count() == 0
            assert not business.exists()
            continue
        assert business.count() == 1
        assert rows.count() == count
        messages = list(rows)
        processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker,))
        _assert_exactly_once(ledger, messages, max_repeats=0)
    # nothing from the rolled-back transactions ever reached a provider
    keys = set(ledger.counts("sms")) | set(ledger.counts("email"))
    expected = {
        _ledger_key(message)[1]
        for message in OutboxMessage.objects.filter(idempotency_key__startswith="commit:")
    }
    assert {key for key in keys if key in expected} == expected


def test_provider_timeout_after_acceptance_is_not_delivered_twice(
    bill_templates, customer, ledger, env, workers, rng
):
    worker = workers(env)
    for trial in range(TRIALS):
        # given: both providers accept, then answer only after the worker's 1 s timeout
        hang = round(rng.uniform(1200, 2000))
        ledger.set_config("mitake.hang_after_accept_ms", hang)
        ledger.set_config("smtp.hang_after_accept_ms", hang)
        messages = _enqueue(customer, prefix=f"timeout:{trial}:{uuid.uuid4().hex[:8]}", count=2)
        # when: the worker times out and retries
        processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker,))
        # then: each delivered once; each transmitted twice (the retry was recognised)
        repeats = _assert_exactly_once(ledger, messages, max_repeats=2)
        assert repeats == 2
        for message in messages:
            outcomes = list(
                DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)
            )
            assert outcomes == ["retry", "sent"], (message.channel, outcomes)


def _holds_database_lock() -> bool:
    """Whether another client is inside a transaction (a paused worker must not hold locks)."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.05)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
        )
        (busy,) = cursor.fetchone()
    return busy > 0


def test_same_row_claimed_twice_is_delivered_once(
    bill_templates, customer, ledger, env, workers, rng
):
    _slow_providers(ledger, 600)
    for trial in range(TRIALS):
        # given: worker A sending an SMS (Mitake has the request), then paused (SIGSTOP: a GC
        # pause, a frozen VM) past its lease
        messages = _enqueue(customer, prefix=f"twice:{trial}:{uuid.uuid4().hex[:8]}", count=3)
        first = messages[0]
        worker_a = workers(env, batch_size=1)
        client_id = mitake_client_id(first.idempotency_key)
        processes.wait_until(
            partial(ledger.seen, channel="sms", key=client_id), timeout=WAIT, workers=(worker_a,)
        )
        time.sleep(rng.uniform(0, 0.3))
        worker_a.process.send_signal(signal.SIGSTOP)
        while _holds_database_lock():  # never pause it inside a transaction (a renewal)
            worker_a.process.send_signal(signal.SIGCONT)
            time.sleep(0.01)
            worker_a.process.send_signal(signal.SIGSTOP)
        paused_at = outbox.db_now()
        # when: worker B claims the same row after the lease and sends it; then A resumes
        worker_b = workers(env, batch_size=1)
        ready_at = _wait_ready(worker_b)
        processes.wait_until(partial(_all_sent, [first]), timeout=WAIT, workers=(worker_b,))
        worker_a.process.send_signal(signal.SIGCONT)
        a_attempt = DeliveryAttempt.objects.get(message=first, worker_id=_worker_id(worker_a))
        processes.wait_until(
            partial(_attempt_finished, a_attempt.pk),
            timeout=WAIT,
            workers=(worker_a,),
        )
        processes.wait_until(
            partial(_all_sent, messages), timeout=WAIT, workers=(worker_a, worker_b)
        )
        processes.stop(worker_a.process)
        processes.stop(worker_b.process)
        # then: delivered once; A's late result was refused; B's is the record
        _assert_exactly_once(ledger, messages, max_repeats=1)
        a_attempt.refresh_from_db()
        assert a_attempt.outcome == "lease_lost"
        b_attempt = DeliveryAttempt.objects.get(message=first, worker_id=_worker_id(worker_b))
        first.refresh_from_db()
        assert b_attempt.outcome == "sent"
        assert first.attempts == 2
        assert first.provider_message_id == b_attempt.provider_message_id
        _assert_picked_up([first.pk], after=max(paused_at, ready_at), by=worker_b)


def test_clock_jump_neither_steals_leases_nor_strands_rows(
    bill_templates, customer, ledger, env, workers, rng
):
    _slow_providers(ledger, 250)
    for trial in range(TRIALS):
        # given: worker A with a true clock and worker B whose clock jumped forward (even
        # trials) or backward (odd trials) by ten minutes to a day
        forward = trial % 2 == 0
        offset = rng.uniform(600, 86400) * (1 if forward else -1)
        messages = _enqueue(customer, prefix=f"clock:{trial}:{uuid.uuid4().hex[:8]}", count=8)
        worker_a = workers(env)
        worker_b = workers(
            env,
            prefix=(
                "-m",
                "powerdesk.notifications.testing.shifted_clock",
                f"--offset-seconds={offset:.0f}",
            ),
        )
        processes.wait_until(
            partial(_started, messages, worker=worker_a), timeout=WAIT, workers=(worker_a,)
        )
        if forward:
            # when: both work side by side. A clock ahead must not see A's live leases expired.
            processes.wait_until(
                partial(_all_sent, messages), timeout=WAIT, workers=(worker_a, worker_b)
            )
            # then: no lease stolen: one attempt per message, nothing transmitted twice
            _assert_exactly_once(ledger, messages, max_repeats=0)
            outcomes = set(
                DeliveryAttempt.objects.filter(message__in=messages).values_list(
                    "outcome", flat=True
                )
            )
            assert outcomes == {"sent"}
            assert {m.attempts for m in messages} == {1}
        else:
            # when: A dies at a random point. A clock behind must still see its leases expire.
            ready_at = _wait_ready(worker_b)
            time.sleep(rng.uniform(0, 0.6))
            worker_a.process.kill()
            worker_a.process.wait()
            killed_at = outbox.db_now()
            stranded = list(
                OutboxMessage.objects.filter(
                    pk__in=[m.pk for m in messages], status="sending"
                ).values_list("pk", flat=True)
            )
            processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker_b,))
            _assert_exactly_once(ledger, messages, max_repeats=1)
            _assert_picked_up(stranded, after=max(killed_at, ready_at), by=worker_b)
        processes.stop(worker_a.process)
        processes.stop(worker_b.process)


DB_TIMEOUT = 0.3  # the worker's busy_timeout (SQLite) / lock_timeout (PostgreSQL), seconds


def _hold_write_lock(
    *, how: str, pks: list[int], until: Callable[[], bool], then: float, limit: float = WAIT
) -> None:
    """Another writer holds the database (SQLite: ``BEGIN EXCLUSIVE`` on the file) or the outbox
    (PostgreSQL: ``LOCK TABLE … IN ACCESS EXCLUSIVE MODE``, or row locks on ``pks``) until
    ``until()`` holds (the worker gave up waiting: the lock outlasted its timeout) and ``then``
    seconds more; nothing else is queried meanwhile."""

    def hold() -> None:
        deadline = time.monotonic() + limit
        while not until():
            assert time.monotonic() < deadline, f"the lock ({how}) never reached the worker"
            time.sleep(0.02)
        time.sleep(then)

    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            hold()
            other.execute("ROLLBACK")
        finally:
            other.close()
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if how == "table":
            table = connection.ops.quote_name(OutboxMessage._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        else:
            list(OutboxMessage.objects.select_for_update().filter(pk__in=pks).values("pk"))
        hold()


def _database_errors(worker: processes.WorkerProcess) -> int:
    return worker.output().count("database unavailable") + worker.output().count(
        "recording it failed"
    )


def _errors_above(worker: processes.WorkerProcess, count: int) -> bool:
    return _database_errors(worker) > count


def test_database_locked_past_the_busy_timeout_loses_nothing_and_sends_nothing_twice(
    bill_templates, customer, ledger, env, workers, rng
):
    _slow_providers(ledger, 250)
    # given: one worker whose lock waits end after DB_TIMEOUT (and whose heartbeat renews the
    # 2 s lease every 0.67 s)
    worker = workers(env, extra=("--db-timeout", str(DB_TIMEOUT)))
    _wait_ready(worker)
    for trial in range(TRIALS):
        messages = _enqueue(customer, prefix=f"locked:{trial}:{uuid.uuid4().hex[:8]}", count=4)
        processes.wait_until(partial(_started, messages), timeout=WAIT, workers=(worker,))
        errors_before = _database_errors(worker)
        # when: at a random point another writer takes the lock and holds it past the worker's
        # timeout (while it claims, starts an attempt, records a result or renews its lease):
        # until the worker reported a failed wait, and a random time more
        time.sleep(rng.uniform(0, 0.8))
        how = rng.choice(["table", "rows"]) if connection.vendor == "postgresql" else "file"
        leased = list(
            OutboxMessage.objects.filter(
                pk__in=[m.pk for m in messages], status="sending"
            ).values_list("pk", flat=True)
        )
        if how == "rows" and len(leased) < 2:
            how = "table"  # the worker may never touch those rows again: lock the table
        _hold_write_lock(
            how=how,
            pks=leased,
            until=partial(_errors_above, worker, errors_before),
            then=rng.uniform(0, 0.8),
        )
        released_at = outbox.db_now()
        # then: the worker survived the errors it met and delivers everything
        processes.wait_until(partial(_all_sent, messages), timeout=WAIT, workers=(worker,))
        assert worker.process.poll() is None, worker.output()[-3000:]
        # exactly once; a message the provider accepted was recorded, not sent again
        _assert_exactly_once(ledger, messages, max_repeats=0)
        # every message not yet sent at the release was picked up within two leases of it
        for message in messages:
            last = DeliveryAttempt.objects.filter(message=message).order_by("-number").first()
            assert last is not None
            assert last.outcome == "sent", (message.pk, last.outcome)
            waited = (last.started_at - released_at).total_seconds()
            assert waited < 2 * LEASE, f"row {message.pk} picked up {waited:.2f} s after the unlock"
