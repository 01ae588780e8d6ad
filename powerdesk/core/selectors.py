"""Platform reads: the office's working-day calendar."""

from __future__ import annotations

import threading
from datetime import date

from django.db.models import Count, Max
from django.utils import timezone

from powerdesk.core.domain import calendar
from powerdesk.core.models import OfficeCalendarDay

YEARS_AROUND = 3

_lock = threading.Lock()
_memo: dict[tuple[object, ...], calendar.WorkingCalendar] = {}


def calendar_overrides() -> tuple[calendar.CalendarOverride, ...]:
    """DGPA rows first, office records after them, so office records win on the same day."""
    return tuple(
        calendar.CalendarOverride(
            day=row.day,
            kind=calendar.OverrideKind(row.kind),
            name_zh=row.name_zh,
            name_en=row.name_en,
            from_time=row.from_time,
            source=calendar.OverrideSource(row.source),
        )
        for row in OfficeCalendarDay.objects.order_by("source", "day")  # "dgpa" < "office"
    )


def working_calendar(*, today: date | None = None) -> calendar.WorkingCalendar:
    """The office's working-day calendar (holidays package + DGPA file + staff records).

    Built once per process and per state of the override table (one aggregate query decides
    whether a rebuild is needed), so a typhoon closure recorded in one web process is seen by
    every other process and worker at their next call. Bulk callers take it once per batch.
    """
    year = (today or timezone.localdate()).year
    state = OfficeCalendarDay.objects.aggregate(n=Count("id"), latest=Max("recorded_at"))
    key = (year, state["n"], state["latest"])
    with _lock:
        built = _memo.get(key)
        if built is None:
            built = calendar.WorkingCalendar.build(
                years=range(year - YEARS_AROUND, year + YEARS_AROUND + 1),
                overrides=calendar_overrides(),
            )
            _memo.clear()
            _memo[key] = built
    return built
