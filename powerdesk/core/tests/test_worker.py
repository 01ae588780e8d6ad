"""The task backend and worker: transactional enqueue, leases, kills, retries, schedules."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from powerdesk.core import schedules, task_backend
from powerdesk.core.models import ScheduleRun, TaskRecord
from powerdesk.core.tests.tasks_for_tests import always_fails_task, append_line_task
from powerdesk.core.worker import Worker

ROOT = Path(__file__).resolve().parents[3]


def _worker_env(lease_seconds: int) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings.test"
    env["POWERDESK_TASK_LEASE_SECONDS"] = str(lease_seconds)
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    return env


def _start_worker(lease_seconds: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "powerdesk", "worker", "--poll", "0.2", "--no-schedules", *extra],
        cwd=ROOT,
        env=_worker_env(lease_seconds),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(predicate, *, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"worker exited with {process.returncode}:\n{output}")
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


@pytest.mark.django_db
def test_task_enqueue_rolls_back_with_the_transaction(tmp_path: Path) -> None:
    # given / when: a task enqueued inside a transaction that fails
    def business_change_that_fails() -> None:
        with transaction.atomic():
            append_line_task.enqueue(path=str(tmp_path / "log"))
            raise RuntimeError("business change failed")

    with pytest.raises(RuntimeError):
        business_change_that_fails()
    # then: no task row was left behind
    assert TaskRecord.objects.count() == 0


@pytest.mark.django_db
def test_task_enqueue_adds_exactly_one_insert(tmp_path: Path, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        append_line_task.enqueue(path=str(tmp_path / "log"))


@pytest.mark.django_db
def test_worker_runs_task_and_records_result(tmp_path: Path) -> None:
    result = append_line_task.enqueue(path=str(tmp_path / "log"))
    done = Worker(queues=["default"], run_schedules=False).run(until_idle=True)
    assert done == 1
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "ok"
    assert (tmp_path / "log").read_text() == "start\ndone\n"


@pytest.mark.django_db
def test_worker_retries_then_marks_failed() -> None:
    result = always_fails_task.enqueue()
    worker = Worker(queues=["default"], run_schedules=False)
    for attempt in range(1, 6):
        TaskRecord.objects.filter(pk=result.id).update(run_after=None)  # skip the backoff wait
        assert worker.run(until_idle=True) == 1
        record = TaskRecord.objects.get(pk=result.id)
        assert record.attempts == attempt
    assert record.status == TaskRecord.Status.FAILED
    assert len(record.errors) == 5
    assert "this task always fails" in record.errors[-1]["traceback"]


@pytest.mark.django_db
def test_failed_attempt_is_retried_after_a_backoff() -> None:
    result = always_fails_task.enqueue()
    Worker(queues=["default"], run_schedules=False).run(until_idle=True)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == TaskRecord.Status.READY
    assert record.run_after is not None
    assert record.run_after > timezone.now() - timedelta(seconds=1)


@pytest.mark.django_db
def test_expired_lease_is_claimed_again_and_old_holder_cannot_write(tmp_path: Path) -> None:
    # given: worker A claimed the task, then its lease expired
    append_line_task.enqueue(path=str(tmp_path / "log"))
    (first,) = task_backend.claim(worker_id="A", queues=["default"], lease_seconds=60)
    assert task_backend.claim(worker_id="B", queues=["default"], lease_seconds=60) == []
    TaskRecord.objects.filter(pk=first.record_id).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    # when: worker B claims it
    (second,) = task_backend.claim(worker_id="B", queues=["default"], lease_seconds=60)
    # then: A's late writes are refused, B's are recorded
    assert second.record_id == first.record_id
    assert second.attempt == 2
    assert task_backend.finish(claim=first, return_value="stale") is False
    assert task_backend.renew(claim=first, lease_seconds=60) is False
    assert task_backend.fail(claim=first, exception_class="X", traceback="") is False
    assert task_backend.finish(claim=second, return_value="fresh") is True
    record = TaskRecord.objects.get(pk=first.record_id)
    assert record.return_value == "fresh"
    assert record.worker_ids == ["A", "B"]


@pytest.mark.django_db
def test_deferred_task_waits_for_run_after(tmp_path: Path) -> None:
    later = timezone.now() + timedelta(hours=1)
    append_line_task.using(run_after=later).enqueue(path=str(tmp_path / "log"))
    assert task_backend.claim(worker_id="A", queues=["default"], lease_seconds=60) == []


PURGE = schedules.Schedule(
    name="core.task_records_purge",
    task_path="powerdesk.core.tasks.task_records_purge_task",
    every=timedelta(hours=1),
)


@pytest.mark.django_db
def test_schedule_enqueues_once_per_slot() -> None:
    now = timezone.now()
    first = schedules.schedules_enqueue_due(now=now, schedules=(PURGE,))
    again = schedules.schedules_enqueue_due(now=now + timedelta(seconds=1), schedules=(PURGE,))
    assert first == ["core.task_records_purge"]
    assert again == []
    assert (
        TaskRecord.objects.filter(task_path="powerdesk.core.tasks.task_records_purge_task").count()
        == 1
    )
    later = schedules.schedules_enqueue_due(
        now=now + timedelta(hours=1, seconds=1), schedules=(PURGE,)
    )
    assert later == ["core.task_records_purge"]
    assert ScheduleRun.objects.get().last_slot > now - timedelta(hours=1)


@pytest.mark.django_db
def test_every_schedule_names_an_enqueueable_task() -> None:
    enqueued = schedules.schedules_enqueue_due(now=timezone.now())
    assert sorted(enqueued) == sorted(s.name for s in schedules.SCHEDULES)
    assert TaskRecord.objects.count() == len(schedules.SCHEDULES)


@pytest.mark.django_db
def test_task_records_purge_keeps_recent_and_failed(tmp_path: Path) -> None:
    from powerdesk.core import actions

    old = timezone.now() - timedelta(days=30)
    ok = append_line_task.enqueue(path=str(tmp_path / "a"))
    bad = always_fails_task.enqueue()
    TaskRecord.objects.filter(pk=ok.id).update(status="SUCCESSFUL", finished_at=old)
    TaskRecord.objects.filter(pk=bad.id).update(status="FAILED", finished_at=old)
    assert actions.task_records_purge(keep_days=14) == 1
    assert list(TaskRecord.objects.values_list("pk", flat=True)) == [bad.id]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_task_is_picked_up_after_the_lease(tmp_path: Path) -> None:
    # given: a task whose first attempt takes long, run by worker A with a 2 s lease
    log = tmp_path / "log"
    result = append_line_task.enqueue(path=str(log), sleep_first_attempt=60)
    worker_a = _start_worker(2)
    try:
        _wait_for(lambda: log.exists() and "start" in log.read_text(), process=worker_a)
        # when: A is killed mid-task and worker B starts
        worker_a.send_signal(signal.SIGKILL)
        worker_a.wait(timeout=10)
        killed_at = time.monotonic()
        worker_b = _start_worker(2, "--max-tasks", "1")
        try:
            worker_b.wait(timeout=60)
        finally:
            if worker_b.poll() is None:
                worker_b.kill()
    finally:
        if worker_a.poll() is None:
            worker_a.kill()
    # then: B finished it within two lease periods plus start-up, exactly once
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == TaskRecord.Status.SUCCESSFUL
    assert record.attempts == 2
    assert log.read_text().count("done") == 1
    assert time.monotonic() - killed_at < 30


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_worker_finish_its_task(tmp_path: Path) -> None:
    log = tmp_path / "log"
    result = append_line_task.enqueue(path=str(log), sleep_first_attempt=2)
    worker = _start_worker(30)
    try:
        _wait_for(lambda: log.exists() and "start" in log.read_text(), process=worker)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == TaskRecord.Status.SUCCESSFUL
    assert record.attempts == 1
    assert log.read_text() == "start\ndone\n"
