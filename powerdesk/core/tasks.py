"""Platform background work."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def task_records_purge_task(*, keep_days: int = 14) -> int:
    """Remove finished task rows older than ``keep_days`` (failed ones are kept for staff)."""
    from powerdesk.core import actions

    return actions.task_records_purge(keep_days=keep_days)
