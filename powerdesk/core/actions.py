"""Platform writes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.domain import calendar
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import InvalidInputError
from powerdesk.core.models import OfficeCalendarDay, TaskRecord
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability


def task_records_purge(*, keep_days: int) -> int:
    """Delete successful task rows finished more than ``keep_days`` ago; return how many."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _ = TaskRecord.objects.filter(
        status=TaskRecord.Status.SUCCESSFUL, finished_at__lt=cutoff
    ).delete()
    return deleted


def _calendar_row_values(override: calendar.CalendarOverride, *, now: datetime) -> dict[str, Any]:
    return {
        "kind": override.kind.value,
        "from_time": override.from_time,
        "name_zh": override.name_zh[:100],
        "name_en": override.name_en[:100],
        "recorded_at": now,
    }


def calendar_day_record(
    *,
    actor: Any,
    day: date,
    kind: str,
    name_zh: str,
    name_en: str = "",
    from_time: time | None = None,
) -> OfficeCalendarDay:
    """Record an office decision for one day (typhoon closure 停止上班, day off, 補班)."""
    staff_selectors.require(actor, Capability.CALENDAR_EDIT)
    try:
        override = calendar.CalendarOverride(
            day=day,
            kind=calendar.OverrideKind(kind),
            name_zh=name_zh,
            name_en=name_en,
            from_time=from_time,
        )
    except ValueError as error:
        raise InvalidInputError(
            [
                FieldProblem(
                    field="kind",
                    code="calendar.kind",
                    message=Message(
                        zh_hant="種類須為 closed、holiday 或 workday。",
                        en="Kind must be closed, holiday or workday.",
                    ),
                )
            ]
        ) from error
    except DomainError as error:
        raise InvalidInputError.from_domain(error) from error
    if not name_zh.strip():
        raise InvalidInputError(
            [
                FieldProblem(
                    field="name_zh",
                    code="calendar.reason_required",
                    message=Message(
                        zh_hant="請填寫原因（例如：颱風停止上班）。",
                        en="Enter the reason (for example: typhoon closure).",
                    ),
                )
            ]
        )
    with transaction.atomic():
        row, _ = OfficeCalendarDay.objects.update_or_create(
            day=day,
            source=OfficeCalendarDay.Source.OFFICE,
            defaults=_calendar_row_values(override, now=timezone.now()),
        )
        audit_record(
            actor=actor,
            verb="calendar.day_record",
            target=row,
            details={
                "day": day.isoformat(),
                "kind": kind,
                "from_time": from_time.isoformat() if from_time else None,
                "reason": name_zh,
            },
        )
    return row


def calendar_day_remove(*, actor: Any, day: date) -> int:
    """Withdraw the office's own record for a day (DGPA rows stay)."""
    staff_selectors.require(actor, Capability.CALENDAR_EDIT)
    with transaction.atomic():
        rows = list(
            OfficeCalendarDay.objects.filter(day=day, source=OfficeCalendarDay.Source.OFFICE)
        )
        for row in rows:
            audit_record(
                actor=actor,
                verb="calendar.day_remove",
                target=row,
                details={"day": day.isoformat()},
            )
        OfficeCalendarDay.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def calendar_import(*, actor: Any, raw: bytes, source_name: str) -> int:
    """Import a DGPA office calendar or a powerdesk override file; all rows or none."""
    if actor is not None:
        staff_selectors.require(actor, Capability.CALENDAR_EDIT)
    try:
        overrides = calendar.load_office_calendar(raw)
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="file") from error
    now = timezone.now()
    with transaction.atomic():
        for override in overrides:
            OfficeCalendarDay.objects.update_or_create(
                day=override.day,
                source=override.source.value,
                defaults=_calendar_row_values(override, now=now),
            )
        audit_record(
            actor=actor,
            verb="calendar.import",
            details={"file": source_name[:200], "rows": len(overrides)},
        )
    return len(overrides)
