"""Tasks used only by the worker tests; importable by worker subprocesses."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task(queue_name="default")
def append_line_task(*, path: str, sleep_first_attempt: float = 0.0) -> str:
    """Append "start", sleep on the first attempt only, then append "done"."""
    log = Path(path)
    first = not log.exists() or "start" not in log.read_text()
    with log.open("a") as handle:
        handle.write("start\n")
    if first and sleep_first_attempt:
        time.sleep(sleep_first_attempt)
    with log.open("a") as handle:
        handle.write("done\n")
    return "ok"


@task(queue_name="default")
def always_fails_task() -> None:
    raise RuntimeError("this task always fails")
