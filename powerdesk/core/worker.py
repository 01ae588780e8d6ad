"""``powerdesk worker``: runs queued tasks and periodic schedules, no broker needed.

Leases: a claimed task belongs to this worker until ``lease_expires_at``; a heartbeat thread
renews it while the task runs. A worker killed with SIGKILL simply stops renewing: after the
lease expires any worker claims the task again. SIGTERM/SIGINT finish the current task and exit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import traceback
from types import FrameType

from django.db import close_old_connections, connection
from django.tasks import TaskContext
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

from powerdesk.core import context, schedules, task_backend
from powerdesk.core.models import TaskRecord

logger = logging.getLogger("powerdesk.worker")


class Worker:
    def __init__(
        self,
        *,
        queues: list[str],
        lease_seconds: int = 300,
        poll_seconds: float = 1.0,
        run_schedules: bool = True,
    ) -> None:
        self.queues = queues
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.run_schedules = run_schedules
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()

    def install_signal_handlers(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("worker %s: signal %s, finishing the current task", self.worker_id, signum)
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run(self, *, max_tasks: int | None = None, until_idle: bool = False) -> int:
        """Loop until stopped (or ``max_tasks`` done, or idle when ``until_idle``); return count."""
        done = 0
        token = context.bind(context.RequestContext(channel="worker", request_id=self.worker_id))
        try:
            while not self.stopping.is_set():
                if (
                    not connection.in_atomic_block
                ):  # never inside a caller's (or a test's) transaction
                    close_old_connections()
                if self.run_schedules:
                    schedules.schedules_enqueue_due(now=timezone.now())
                claims = task_backend.claim(
                    worker_id=self.worker_id, queues=self.queues, lease_seconds=self.lease_seconds
                )
                if not claims:
                    if until_idle:
                        break
                    self.stopping.wait(self.poll_seconds)
                    continue
                for claim in claims:
                    self.execute(claim)
                    done += 1
                if max_tasks is not None and done >= max_tasks:
                    break
        finally:
            context.reset(token)
        return done

    def execute(self, claim: task_backend.Claim) -> None:
        heartbeat_stop = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat,
            args=(claim, heartbeat_stop),
            daemon=True,
            name="lease-heartbeat",
        )
        heartbeat.start()
        try:
            task = import_string(claim.task_path)
            if task.takes_context:
                record = TaskRecord.objects.get(pk=claim.record_id)
                value = task.call(
                    TaskContext(task_result=task_backend.result_from_record(record)),
                    *claim.args,
                    **claim.kwargs,
                )
            else:
                value = task.call(*claim.args, **claim.kwargs)
        except Exception as error:  # a task's failure is recorded, never kills the worker
            logger.warning("task %s failed (attempt %s): %r", claim.task_path, claim.attempt, error)
            task_backend.fail(
                claim=claim,
                exception_class=f"{type(error).__module__}.{type(error).__qualname__}",
                traceback="".join(traceback.format_exception(error)),
            )
        else:
            if not task_backend.finish(claim=claim, return_value=normalize_json(value)):
                logger.warning(
                    "task %s: lease lost before finishing; result not recorded", claim.record_id
                )
        finally:
            heartbeat_stop.set()
            heartbeat.join()

    def _heartbeat(self, claim: task_backend.Claim, stop: threading.Event) -> None:
        interval = max(self.lease_seconds / 3, 0.2)
        try:
            while not stop.wait(interval):
                if not task_backend.renew(claim=claim, lease_seconds=self.lease_seconds):
                    logger.warning("task %s: lease lost", claim.record_id)
                    return
        finally:
            connection.close()
